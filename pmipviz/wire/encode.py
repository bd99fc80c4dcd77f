"""RFC-exact bytes for PBU/PBA (RFC 5213 §8, RFC 6275 §6.1), RS/RA (RFC 4861),
data packets (IPv6/UDP, tunnelled IPv6-in-IPv6 per RFC 2473), and the decoder
for Mobility Headers.

Encoding builds scapy packets (scapy fills in the MH header length and the
pseudo-header checksum, and inserts Pad1/PadN for the option alignments of
:mod:`pmipviz.wire.scapy_options`). Data packets, the bulk of a pcap, are packed
with :mod:`struct` directly for speed. Decoding is a strict :mod:`struct` parser
that raises :class:`ProtocolError` with a precise message for any malformed input.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from scapy.layers.inet6 import (
    MIP6MH_BA,
    MIP6MH_BU,
    ICMPv6ND_RA,
    ICMPv6ND_RS,
    ICMPv6NDOptPrefixInfo,
    ICMPv6NDOptSrcLLAddr,
    ICMPv6NDOptUnknown,
    IPv6,
    MIP6OptMNID,
)
from scapy.packet import Packet

from pmipviz.protocol.constants import (
    MH_NEXT_HEADER,
    MH_PAYLOAD_PROTO_NONE,
    MH_TYPE_BA,
    MH_TYPE_BU,
    OptionType,
)
from pmipviz.protocol.errors import ProtocolError
from pmipviz.protocol.messages import (
    PBA_FLAGS,
    PBU_FLAGS,
    Pba,
    Pbu,
    pba_from_fields,
    pbu_from_fields,
)
from pmipviz.protocol.options import (
    AttOption,
    HiOption,
    HnpOption,
    LinkLocalOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
)
from pmipviz.wire.scapy_options import (
    OPTION_NAMES,
    MIP6OptAccessTechType,
    MIP6OptHandoffIndicator,
    MIP6OptHomeNetworkPrefix,
    MIP6OptLinkLocalAddress,
    MIP6OptMNLinkLayerId,
    MIP6OptTimestamp,
)

HOP_LIMIT = 64
ND_HOP_LIMIT = 255  # RFC 4861 §6.1: RS/RA are only valid with hop limit 255
DATA_PORT = 9000  # UDP source port; destination port is DATA_PORT + flow
DATA_HEADER = struct.Struct("!IQ")  # flow index, per-flow sequence number
IPV6_HEADER_LEN = 40
UDP_HEADER_LEN = 8
PREFIX_VALID_S = 2_592_000  # RFC 4861 §6.2.1 AdvValidLifetime default
PREFIX_PREFERRED_S = 604_800  # AdvPreferredLifetime default
_IPV6_HDR = struct.Struct("!IHBB")  # version/class/flow, payload length, next header, hop limit
_MH_NAMES = {0: "BRR", 1: "HoTI", 2: "CoTI", 3: "HoT", 4: "CoT", 5: "PBU", 6: "PBA", 7: "BE"}
_FIXED_OPTION_LEN = {22: 18, 23: 2, 24: 2, 26: 16, 27: 8}


# --- small helpers -------------------------------------------------------------------------


def event_attr(event: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a trace event given as a dict or as an object with attributes."""
    if isinstance(event, Mapping):
        return event.get(name, default)
    return getattr(event, name, default)


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071): one's complement of the one's-complement sum."""
    if len(data) & 1:
        data += b"\0"
    total = int.from_bytes(data, "big") % 0xFFFF  # 2**16 == 1 (mod 0xFFFF): end-around carry
    if total == 0 and any(data):
        total = 0xFFFF
    return ~total & 0xFFFF


@lru_cache(maxsize=4096)
def _packed(address: str, what: str = "address") -> bytes:
    try:
        return IPv6Address(address).packed
    except ValueError as exc:
        raise ProtocolError(f"{what} {address!r} is not an IPv6 address") from exc


def _addr(address: Any, what: str) -> str:
    """Validate an IPv6 address (str or IPv6Address) and return it as text for scapy."""
    return str(IPv6Address(_packed(str(address), what)))


def _lli(value: Any) -> bytes:
    """A link-layer identifier given as bytes or "02:00:00:00:01:01" text."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    try:
        return bytes.fromhex(str(value).replace(":", "").replace("-", ""))
    except ValueError as exc:
        raise ProtocolError(f"link-layer address {value!r} is not hex octets") from exc


def _flag_bits(msg: Pbu | Pba, names: tuple[str, ...]) -> int:
    """Flags as scapy's FlagsField int: the last name is bit 0 ("PRMKLHA" / "PRK")."""
    return sum(1 << i for i, name in enumerate(reversed(names)) if getattr(msg, name))


def check_repeats(options: tuple[Option, ...], what: str) -> None:
    """RFC 5213 §8.1/§8.2: only the HNP option may appear more than once."""
    counts = Counter(int(o.type) for o in options)
    for otype, n in counts.items():
        if n > 1 and otype != OptionType.HNP:
            raise ProtocolError(
                f"{what} carries {n} {OPTION_NAMES[otype]} options; only the Home Network "
                "Prefix option may appear more than once (RFC 5213 §8.1, §8.2)"
            )


# --- PBU / PBA -----------------------------------------------------------------------------


def scapy_option(opt: Option) -> Packet:
    """The scapy mobility option for one option dataclass."""
    if isinstance(opt, MnIdOption):
        return MIP6OptMNID(subtype=opt.subtype, id=opt.identifier.encode())
    if isinstance(opt, HnpOption):
        return MIP6OptHomeNetworkPrefix(
            plen=opt.prefix.prefixlen, prefix=str(opt.prefix.network_address)
        )
    if isinstance(opt, HiOption):
        return MIP6OptHandoffIndicator(hi=opt.hi)
    if isinstance(opt, AttOption):
        return MIP6OptAccessTechType(att=opt.att)
    if isinstance(opt, MnLliOption):
        return MIP6OptMNLinkLayerId(lli=opt.lli)
    if isinstance(opt, LinkLocalOption):
        return MIP6OptLinkLocalAddress(address=str(opt.address))
    return MIP6OptTimestamp(timestamp=opt.value)


def pbu_packet(pbu: Pbu, src: Any, dst: Any) -> Packet:
    """IPv6(src=Proxy-CoA, dst=LMAA) / Mobility Header type 5 (RFC 5213 §8.1)."""
    check_repeats(pbu.options, "PBU")
    mh = MIP6MH_BU(
        nh=MH_PAYLOAD_PROTO_NONE,
        res=0,
        seq=pbu.seq,
        flags=_flag_bits(pbu, PBU_FLAGS),
        reserved=0,
        mhtime=pbu.lifetime_s // 4,
        options=[scapy_option(o) for o in pbu.options],
    )
    ip = IPv6(src=_addr(src, "PBU source"), dst=_addr(dst, "PBU destination"), hlim=HOP_LIMIT)
    return ip / mh


def pba_packet(pba: Pba, src: Any, dst: Any) -> Packet:
    """IPv6(src=LMAA, dst=Proxy-CoA) / Mobility Header type 6 (RFC 5213 §8.2)."""
    check_repeats(pba.options, "PBA")
    mh = MIP6MH_BA(
        nh=MH_PAYLOAD_PROTO_NONE,
        res=0,
        status=pba.status,
        flags=_flag_bits(pba, PBA_FLAGS),
        res2=0,
        seq=pba.seq,
        mhtime=pba.lifetime_s // 4,
        options=[scapy_option(o) for o in pba.options],
    )
    ip = IPv6(src=_addr(src, "PBA source"), dst=_addr(dst, "PBA destination"), hlim=HOP_LIMIT)
    return ip / mh


def decode_mh(raw: bytes) -> Pbu | Pba:
    """Parse an IPv6 packet carrying a PBU or PBA back into its dataclass.

    Checks the IPv6 header, Payload Proto 59, Header Len, the pseudo-header checksum,
    the MH type, every option length and the §8.1 repetition rule. Unknown option
    types are skipped (RFC 5213 §8.1). Raises only :class:`ProtocolError`.
    """
    try:
        return _decode_mh(bytes(raw))
    except ProtocolError:
        raise
    except (ValueError, TypeError, IndexError, OverflowError, struct.error) as exc:
        raise ProtocolError(f"malformed Mobility Header packet: {exc}") from exc


def _decode_mh(raw: bytes) -> Pbu | Pba:
    if len(raw) < IPV6_HEADER_LEN:
        raise ProtocolError(f"truncated IPv6 header: {len(raw)} octets, need 40")
    first, plen, nh, _hlim = _IPV6_HDR.unpack_from(raw)
    if first >> 28 != 6:
        raise ProtocolError(f"IP version {first >> 28}, expected 6")
    present = len(raw) - IPV6_HEADER_LEN
    if plen != present:
        state = "truncated" if plen > present else "trailing octets"
        raise ProtocolError(
            f"IPv6 payload length {plen} but {present} octets follow the header ({state})"
        )
    if nh != MH_NEXT_HEADER:
        raise ProtocolError(f"IPv6 next header {nh} is not the Mobility Header (135)")
    mh = raw[IPV6_HEADER_LEN:]
    if len(mh) < 8:
        raise ProtocolError(f"truncated Mobility Header: {len(mh)} octets, need at least 8")
    proto, hlen, mhtype, _res, csum = struct.unpack_from("!BBBBH", mh)
    if (hlen + 1) * 8 != len(mh):
        raise ProtocolError(
            f"Mobility Header Header Len {hlen} means {(hlen + 1) * 8} octets, "
            f"but the packet carries {len(mh)}"
        )
    pseudo = raw[8:40] + struct.pack("!I3xB", len(mh), MH_NEXT_HEADER)
    if checksum(pseudo + mh) != 0:
        expected = checksum(pseudo + mh[:4] + b"\0\0" + mh[6:])
        raise ProtocolError(f"bad Mobility Header checksum {csum:#06x}, expected {expected:#06x}")
    if proto != MH_PAYLOAD_PROTO_NONE:
        raise ProtocolError(f"Mobility Header Payload Proto {proto}, must be 59 (No Next Header)")
    if mhtype not in (MH_TYPE_BU, MH_TYPE_BA):
        name = _MH_NAMES.get(mhtype, "unknown")
        raise ProtocolError(f"MH type {mhtype} ({name}) is neither a PBU (5) nor a PBA (6)")
    what = _MH_NAMES[mhtype]
    if len(mh) < 16:
        raise ProtocolError(f"{what} truncated: Mobility Header of {len(mh)} octets, need 16")
    options = _decode_options(mh, what)
    check_repeats(options, what)
    if mhtype == MH_TYPE_BU:
        seq, flags, units = struct.unpack_from("!HHH", mh, 6)
        bits = {name: bool(flags & (0x8000 >> i)) for i, name in enumerate(PBU_FLAGS)}
        return Pbu(seq=seq, lifetime_s=units * 4, options=options, **bits)
    status, flags8, seq, units = struct.unpack_from("!BBHH", mh, 6)
    bits = {name: bool(flags8 & (0x80 >> i)) for i, name in enumerate(PBA_FLAGS)}
    return Pba(status=status, seq=seq, lifetime_s=units * 4, options=options, **bits)


def _decode_options(mh: bytes, what: str) -> tuple[Option, ...]:
    out: list[Option] = []
    off, end = 12, len(mh)
    while off < end:
        otype = mh[off]
        if otype == OptionType.PAD1:
            off += 1
            continue
        name = OPTION_NAMES.get(otype, f"type {otype}")
        if off + 2 > end:
            raise ProtocolError(f"{what}: {name} option at offset {off} has no length octet")
        olen = mh[off + 1]
        if off + 2 + olen > end:
            raise ProtocolError(
                f"{what}: {name} option at offset {off} has length {olen}, running "
                f"{off + 2 + olen - end} octets past the end of the Mobility Header"
            )
        opt = _decode_option(
            otype, mh[off + 2 : off + 2 + olen], f"{what}: {name} option at offset {off}"
        )
        if opt is not None:
            out.append(opt)
        off += 2 + olen
    return tuple(out)


def _decode_option(otype: int, body: bytes, where: str) -> Option | None:
    want = _FIXED_OPTION_LEN.get(otype)
    if want is not None and len(body) != want:
        raise ProtocolError(f"{where}: length {len(body)}, must be {want}")
    if otype == OptionType.MN_ID:
        if not body:
            raise ProtocolError(f"{where}: length 0, needs at least the subtype octet")
        try:
            return MnIdOption(body[1:].decode("utf-8"), subtype=body[0])
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"{where}: identifier is not UTF-8 ({exc.reason})") from exc
    if otype == OptionType.HNP:
        if body[1] > 128:
            raise ProtocolError(f"{where}: prefix length {body[1]} exceeds 128")
        try:
            return HnpOption(IPv6Network((body[2:18], body[1])))
        except ValueError as exc:
            raise ProtocolError(f"{where}: {exc}") from exc
    if otype == OptionType.HI:
        return HiOption(body[1])
    if otype == OptionType.ATT:
        return AttOption(body[1])
    if otype == OptionType.MN_LLI:
        if len(body) < 3:
            raise ProtocolError(
                f"{where}: length {len(body)}, needs the 2 Reserved octets and an identifier"
            )
        return MnLliOption(body[2:])
    if otype == OptionType.LINK_LOCAL:
        return LinkLocalOption(IPv6Address(body))
    if otype == OptionType.TIMESTAMP:
        return TimestampOption(int.from_bytes(body, "big"))
    return None  # PadN, or an option we do not understand: skipped (RFC 5213 §8.1)


# --- Router Solicitation / Advertisement ---------------------------------------------------


def _sllao(lli: bytes) -> Packet:
    """RFC 4861 §4.6.1 Source Link-layer Address option, padded to 8-octet units."""
    if len(lli) == 6:
        return ICMPv6NDOptSrcLLAddr(lladdr=lli.hex(":"))
    units = (len(lli) + 2 + 7) // 8
    return ICMPv6NDOptUnknown(type=1, len=units, data=lli.ljust(units * 8 - 2, b"\0"))


def rs_packet(fields: Mapping[str, Any]) -> Packet:
    """RS from an MN interface (RFC 4861 §4.1) with its LLI in a Source LLA option.

    The option is left out when the source is the unspecified address (§4.1).
    """
    src = _addr(fields.get("ip_src", "::"), "RS source")
    pkt = IPv6(
        src=src, dst=_addr(fields.get("ip_dst", "ff02::2"), "RS destination"), hlim=ND_HOP_LIMIT
    ) / ICMPv6ND_RS(res=0)
    if src != "::" and fields.get("lli"):
        pkt = pkt / _sllao(_lli(fields["lli"]))
    return pkt


def ra_packet(fields: Mapping[str, Any]) -> Packet:
    """RA from a MAG (RFC 4861 §4.2) with each HNP in an on-link + autonomous PIO."""
    lifetime = int(fields.get("router_lifetime_s", 1800))
    if not 0 <= lifetime <= 0xFFFF:
        raise ProtocolError(f"RA router lifetime {lifetime} s does not fit 16 bits")
    pkt = IPv6(
        src=_addr(fields["ip_src"], "RA source"),
        dst=_addr(fields.get("ip_dst", "ff02::1"), "RA destination"),
        hlim=ND_HOP_LIMIT,
    )
    pkt = pkt / ICMPv6ND_RA(chlim=HOP_LIMIT, prf=0, routerlifetime=lifetime)
    if fields.get("mag_lli"):
        pkt = pkt / _sllao(_lli(fields["mag_lli"]))
    for text in fields.get("hnp", []):
        try:
            prefix = IPv6Network(text)
        except ValueError as exc:
            raise ProtocolError(f"RA: HNP {text!r} is not an IPv6 prefix ({exc})") from exc
        pkt = pkt / ICMPv6NDOptPrefixInfo(
            prefixlen=prefix.prefixlen,
            L=1,
            A=1,
            R=0,
            validlifetime=int(fields.get("prefix_valid_s", PREFIX_VALID_S)),
            preferredlifetime=int(fields.get("prefix_preferred_s", PREFIX_PREFERRED_S)),
            prefix=str(prefix.network_address),
        )
    return pkt


# --- data packets --------------------------------------------------------------------------


def _ipv6_header(payload_len: int, nh: int, src: bytes, dst: bytes,
                 hlim: int = HOP_LIMIT) -> bytes:
    return _IPV6_HDR.pack(0x6000_0000, payload_len, nh, hlim) + src + dst


def data_bytes(fields: Mapping[str, Any], tunnel_src: Any = None, tunnel_dst: Any = None) -> bytes:
    """Bytes of one data packet: IPv6/UDP(9000 -> 9000+flow), payload "!IQ" (flow, n)
    zero-padded so the inner packet is ``size`` octets when that is at least 60.
    With tunnel addresses, wrapped in an outer IPv6 header with next header 41.
    The inner hop limit starts at 64 and loses one at each node that forwarded the
    packet (``hop``: 0 as it leaves its source); the tunnel header starts afresh."""
    flow, n = int(fields["flow"]), int(fields["n"])
    hlim = max(0, HOP_LIMIT - int(fields.get("hop", 0)))
    if not 0 <= flow <= 0xFFFF - DATA_PORT:
        raise ProtocolError(f"data flow index {flow} gives no valid UDP port")
    if not 0 <= n < 2**64:
        raise ProtocolError(f"data sequence number {n} does not fit 64 bits")
    size = int(fields.get("size", 0))
    if size > 0xFFFF:
        raise ProtocolError(f"data packet size {size} exceeds 65535 octets")
    src = _packed(str(fields["src"]), "data source")
    dst = _packed(str(fields["dst"]), "data destination")
    payload = DATA_HEADER.pack(flow, n) + _zeros(
        max(0, size - IPV6_HEADER_LEN - UDP_HEADER_LEN - DATA_HEADER.size)
    )
    udp_len = UDP_HEADER_LEN + len(payload)
    udp = struct.pack("!HHHH", DATA_PORT, DATA_PORT + flow, udp_len, 0) + payload
    csum = checksum(src + dst + struct.pack("!I3xB", udp_len, 17) + udp) or 0xFFFF
    inner = (_ipv6_header(udp_len, 17, src, dst, hlim) + udp[:6] + struct.pack("!H", csum)
             + udp[8:])
    if tunnel_src is None and tunnel_dst is None:
        return inner
    if tunnel_src is None or tunnel_dst is None:
        raise ProtocolError("a tunnelled data packet needs both tunnel_src and tunnel_dst")
    outer_src = _packed(str(tunnel_src), "tunnel source")
    outer_dst = _packed(str(tunnel_dst), "tunnel destination")
    return _ipv6_header(len(inner), 41, outer_src, outer_dst) + inner


@lru_cache(maxsize=64)
def _zeros(n: int) -> bytes:
    return bytes(n)


def data_packet(
    fields: Mapping[str, Any], tunnel_src: Any = None, tunnel_dst: Any = None
) -> Packet:
    """The data packet of :func:`data_bytes` as a scapy IPv6[/IPv6]/UDP/Raw packet."""
    return IPv6(data_bytes(fields, tunnel_src, tunnel_dst))


# --- trace events --------------------------------------------------------------------------


def encode_message(msg: str, fields: Mapping[str, Any]) -> bytes:
    """Bytes of one message given its trace name ("PBU", "PBA", "RS", "RA", "DATA")
    and trace fields. Raises ProtocolError for unknown names or unusable fields."""
    key = str(msg).strip().upper()
    try:
        if key.endswith("PBU"):
            pbu = pbu_from_fields(dict(fields))
            return bytes(pbu_packet(pbu, fields["ip_src"], fields["ip_dst"]))
        if key.endswith("PBA"):
            pba = pba_from_fields(dict(fields))
            return bytes(pba_packet(pba, fields["ip_src"], fields["ip_dst"]))
        if key == "RS":
            return bytes(rs_packet(fields))
        if key == "RA":
            return bytes(ra_packet(fields))
        if key == "DATA":
            return data_bytes(fields, fields.get("tunnel_src"), fields.get("tunnel_dst"))
    except ProtocolError:
        raise
    except KeyError as exc:
        raise ProtocolError(f"{msg} fields lack {exc.args[0]!r}") from exc
    except (ValueError, TypeError, StopIteration, AttributeError) as exc:
        raise ProtocolError(f"{msg} fields are malformed: {exc!r}") from exc
    raise ProtocolError(f"no wire encoding for message {msg!r}")


def encode_event(event: Any) -> bytes | None:
    """Bytes of a ``send`` trace event (dict or object), None for every other kind."""
    if event_attr(event, "kind") != "send" or event_attr(event, "peer", "") is None:
        return None  # not a packet, or one that never left its sender (no route, no address)
    fields = event_attr(event, "fields") or {}
    try:
        return encode_message(event_attr(event, "msg", ""), fields)
    except ProtocolError as exc:
        raise ProtocolError(f"event {event_attr(event, 'i')}: {exc}") from exc
