"""A Wireshark-style dissection of the packets :mod:`pmipviz.wire.encode` builds: a
tree of named fields in protocol order, each knowing its byte range in the packet.

The ranges are found by walking the packet's own structure, as a dissector does:
fixed header sizes (IPv6 40, Mobility Header 6 + the PBU/PBA body, ICMPv6, UDP 8),
each header's Next Header, each option's Length octet. Nothing is found by searching
for a value. Every octet of the packet belongs to exactly one leaf field (padding
included), so the leaves tile the packet; a branch (a header, an option) spans its
leaves. Values are shown as decoded from those octets, with the meaning RFC 5213 /
RFC 4861 gives them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv6Address
from typing import Any

from pmipviz.protocol.constants import (
    HI_NAMES,
    MH_NEXT_HEADER,
    MH_TYPE_BA,
    MH_TYPE_BU,
    att_label,
    status_name,
)
from pmipviz.protocol.errors import ProtocolError
from pmipviz.protocol.messages import PBA_FLAGS, PBU_FLAGS

IPV6_LEN = 40
BYTES_PER_LINE = 16  # octets per hex dump line, as hexdump -C and Wireshark
NEXT_HEADERS = {17: "UDP", 41: "IPv6 (tunnel)", 58: "ICMPv6", 59: "No Next Header",
                MH_NEXT_HEADER: "Mobility Header"}
MH_TYPES = {5: "Proxy Binding Update", 6: "Proxy Binding Acknowledgement"}
# mobility option type -> (name, section of RFC 5213 or RFC)
MOBILITY_OPTIONS = {
    0: ("Pad1", "RFC 6275 §6.2.2"), 1: ("PadN", "RFC 6275 §6.2.3"),
    8: ("Mobile Node Identifier", "RFC 4283"), 22: ("Home Network Prefix", "§8.3"),
    23: ("Handoff Indicator", "§8.4"), 24: ("Access Technology Type", "§8.5"),
    25: ("Mobile Node Link-layer Identifier", "§8.6"), 26: ("Link-local Address", "§8.7"),
    27: ("Timestamp", "§8.8"),
}
ICMP_TYPES = {133: "Router Solicitation", 134: "Router Advertisement"}
ND_OPTIONS = {1: "Source Link-layer Address", 3: "Prefix Information"}


@dataclass(frozen=True)
class Field:
    """One line of the dissection: a leaf (a field) or a branch (a header, an option)
    covering ``length`` octets from ``offset`` in the packet."""

    name: str
    offset: int
    length: int
    value: str = ""
    children: tuple[Field, ...] = ()

    @property
    def end(self) -> int:
        """One past the last octet."""
        return self.offset + self.length

    @property
    def label(self) -> str:
        """``"name: value"`` (just the name when there is no value)."""
        return f"{self.name}: {self.value}" if self.value else self.name

    def leaves(self) -> Iterator[Field]:
        """The leaf fields under this one, in wire order (itself if it is a leaf)."""
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()

    def walk(self) -> Iterator[Field]:
        """This field and every field under it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def _branch(name: str, children: list[Field], value: str = "") -> Field:
    start = children[0].offset
    return Field(name, start, children[-1].end - start, value, tuple(children))


def _u(raw: bytes, off: int, n: int) -> int:
    return int.from_bytes(raw[off:off + n], "big")


def _hexbytes(data: bytes) -> str:
    return ":".join(f"{b:02x}" for b in data) if data else "(none)"


def _bits(value: int, names: tuple[str, ...], width: int) -> str:
    on = [n.upper() for i, n in enumerate(names) if value & (1 << (width - 1 - i))]
    shown = " ".join(f"{n.upper()}={int(bool(value & (1 << (width - 1 - i))))}"
                     for i, n in enumerate(names))
    return f"0x{value:0{width // 4}x} ({shown}{'' if on else ', none set'})"


def timestamp_text(raw: object) -> str:
    """A §8.8 timestamp (48-bit seconds, 16-bit 1/65536 s) as UTC time and raw hex."""
    if not isinstance(raw, int):
        return str(raw)
    seconds = (raw >> 16) + (raw & 0xFFFF) / 65536
    when = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{when:%Y-%m-%d %H:%M:%S}.{when.microsecond // 1000:03d} UTC (0x{raw:016x})"


# --- IPv6 ----------------------------------------------------------------------------------


def _ipv6(raw: bytes, off: int, title: str) -> tuple[Field, int]:
    if len(raw) < off + IPV6_LEN:
        raise ProtocolError(f"truncated IPv6 header at offset {off}")
    first, plen, nh, hlim = struct.unpack_from("!IHBB", raw, off)
    src = IPv6Address(raw[off + 8:off + 24])
    dst = IPv6Address(raw[off + 24:off + 40])
    fields = [
        Field("Version, traffic class, flow label", off, 4,
              f"{first >> 28}, {(first >> 20) & 0xFF}, {first & 0xFFFFF} (0x{first:08x})"),
        Field("Payload length", off + 4, 2, f"{plen}"),
        Field("Next header", off + 6, 1, f"{nh} ({NEXT_HEADERS.get(nh, '?')})"),
        Field("Hop limit", off + 7, 1, f"{hlim}"),
        Field("Source", off + 8, 16, f"{src}"),
        Field("Destination", off + 24, 16, f"{dst}"),
    ]
    return _branch(title, fields, f"{src} → {dst}"), nh


# --- Mobility Header (RFC 6275 §6.1, RFC 5213 §8) ------------------------------------------


def _mobility_header(raw: bytes, off: int) -> list[Field]:
    proto, hlen, mhtype, res, csum = struct.unpack_from("!BBBBH", raw, off)
    name = MH_TYPES.get(mhtype, "?")
    short = {MH_TYPE_BU: "PBU", MH_TYPE_BA: "PBA"}.get(mhtype, "?")
    head = [
        Field("Payload proto", off, 1, f"{proto} ({NEXT_HEADERS.get(proto, '?')})"),
        Field("Header length", off + 1, 1, f"{hlen} ({(hlen + 1) * 8} octets)"),
        Field("MH type", off + 2, 1, f"{mhtype} ({name}, {short})"),
        Field("Reserved", off + 3, 1, f"{res}"),
        Field("Checksum", off + 4, 2, f"0x{csum:04x}"),
    ]
    body = off + 6
    if mhtype == MH_TYPE_BU:
        seq, flags, units = struct.unpack_from("!HHH", raw, body)
        head += [
            Field("Sequence", body, 2, f"{seq}"),
            Field("Flags", body + 2, 2, _bits(flags, PBU_FLAGS, 16)),
            Field("Lifetime", body + 4, 2, _lifetime(units)),
        ]
    elif mhtype == MH_TYPE_BA:
        status, flags8, seq, units = struct.unpack_from("!BBHH", raw, body)
        head += [
            Field("Status", body, 1, f"{status} ({status_name(status)})"),
            Field("Flags", body + 1, 1, _bits(flags8, PBA_FLAGS, 8)),
            Field("Sequence", body + 2, 2, f"{seq}"),
            Field("Lifetime", body + 4, 2, _lifetime(units)),
        ]
    else:
        raise ProtocolError(f"MH type {mhtype} is neither a PBU nor a PBA")
    end = off + (hlen + 1) * 8
    mh = _branch(f"Mobility Header ({name})", head, f"{short}, sequence {seq}")
    return [mh, *_mobility_options(raw, body + 6, end)]


def _lifetime(units: int) -> str:
    seconds = units * 4
    why = " (de-registration)" if units == 0 else ""
    return f"{units} (× 4 s = {seconds} s){why}"


def _mobility_options(raw: bytes, off: int, end: int) -> list[Field]:
    out: list[Field] = []
    while off < end:
        otype = raw[off]
        name, ref = MOBILITY_OPTIONS.get(otype, (f"Option type {otype}", ""))
        if otype == 0:
            out.append(Field("Pad1", off, 1, "0 (one octet of padding)"))
            off += 1
            continue
        olen = raw[off + 1]
        head = [Field("Type", off, 1, f"{otype}"), Field("Length", off + 1, 1, f"{olen}")]
        body = raw[off + 2:off + 2 + olen]
        value = _option_fields(otype, body, off + 2)
        title = f"{name} ({ref})" if ref else name
        out.append(_branch(title, head + value, _option_summary(otype, body)))
        off += 2 + olen
    return out


def _option_fields(otype: int, body: bytes, at: int) -> list[Field]:
    """The fields after Type and Length; every octet of ``body`` is in one of them."""
    if not body:
        return []
    if otype == 8:  # MN-ID: subtype, identifier
        return [Field("Subtype", at, 1, f"{body[0]}" + (" (NAI)" if body[0] == 1 else "")),
                *([Field("Identifier", at + 1, len(body) - 1,
                         body[1:].decode("utf-8", "replace"))] if len(body) > 1 else [])]
    if otype == 22 and len(body) == 18:  # HNP: reserved, prefix length, prefix
        return [Field("Reserved", at, 1, f"{body[0]}"),
                Field("Prefix length", at + 1, 1, f"{body[1]}"),
                Field("Prefix", at + 2, 16, f"{IPv6Address(body[2:])}")]
    if otype in (23, 24) and len(body) == 2:
        meaning = HI_NAMES.get(body[1], "?") if otype == 23 else att_label(body[1])
        return [Field("Reserved", at, 1, f"{body[0]}"),
                Field("Handoff indicator" if otype == 23 else "Access technology type",
                      at + 1, 1, f"{body[1]} ({meaning})")]
    if otype == 25 and len(body) >= 2:  # MN-LLI: 2 reserved octets, identifier
        return [Field("Reserved", at, 2, f"{_u(body, 0, 2)}"),
                *([Field("Link-layer identifier", at + 2, len(body) - 2,
                         _hexbytes(body[2:]))] if len(body) > 2 else [])]
    if otype == 26 and len(body) == 16:
        return [Field("Link-local address", at, 16, f"{IPv6Address(body)}")]
    if otype == 27 and len(body) == 8:
        return [Field("Timestamp", at, 8, timestamp_text(_u(body, 0, 8)))]
    if otype == 1:
        return [Field("Padding", at, len(body), f"{len(body)} octets")]
    return [Field("Data", at, len(body), _hexbytes(body))]


def _option_summary(otype: int, body: bytes) -> str:
    if otype == 8 and len(body) > 1:
        return body[1:].decode("utf-8", "replace")
    if otype == 22 and len(body) == 18:
        return f"{IPv6Address(body[2:])}/{body[1]}"
    if otype == 23 and len(body) == 2:
        return f"{body[1]} ({HI_NAMES.get(body[1], '?')})"
    if otype == 24 and len(body) == 2:
        return f"{body[1]} ({att_label(body[1])})"
    if otype == 25 and len(body) > 2:
        return _hexbytes(body[2:])
    if otype == 26 and len(body) == 16:
        return f"{IPv6Address(body)}"
    if otype == 27 and len(body) == 8:
        return f"0x{_u(body, 0, 8):016x}"
    if otype == 1:
        return f"{len(body) + 2} octets"
    return ""


# --- ICMPv6 Router Solicitation / Advertisement (RFC 4861 §4.1, §4.2) ---------------------


def _icmpv6(raw: bytes, off: int) -> list[Field]:
    itype, code, csum = struct.unpack_from("!BBH", raw, off)
    name = ICMP_TYPES.get(itype, "?")
    fields = [Field("Type", off, 1, f"{itype} ({name})"), Field("Code", off + 1, 1, f"{code}"),
              Field("Checksum", off + 2, 2, f"0x{csum:04x}")]
    if itype == 133:
        fields.append(Field("Reserved", off + 4, 4, f"{_u(raw, off + 4, 4)}"))
        opts = off + 8
    elif itype == 134:
        chlim, flags, life, reach, retrans = struct.unpack_from("!BBHII", raw, off + 4)
        fields += [
            Field("Cur hop limit", off + 4, 1, f"{chlim}"),
            Field("Flags", off + 5, 1, f"0x{flags:02x} (M={flags >> 7} O={(flags >> 6) & 1}, "
                                       f"preference {(flags >> 3) & 3})"),
            Field("Router lifetime", off + 6, 2, f"{life} s"),
            Field("Reachable time", off + 8, 4, f"{reach} ms"),
            Field("Retrans timer", off + 12, 4, f"{retrans} ms"),
        ]
        opts = off + 16
    else:
        raise ProtocolError(f"ICMPv6 type {itype} is neither an RS nor an RA")
    out = [_branch(f"ICMPv6 ({name})", fields)]
    while opts < len(raw):
        otype, units = raw[opts], raw[opts + 1]
        size = units * 8
        if size == 0 or opts + size > len(raw):
            raise ProtocolError(f"ND option at offset {opts} has length {units}")
        head = [Field("Type", opts, 1, f"{otype}"),
                Field("Length", opts + 1, 1, f"{units} ({size} octets)")]
        body = raw[opts + 2:opts + size]
        if otype == 3 and size == 32:
            plen, pflags, valid, preferred, res2 = struct.unpack_from("!BBIII", body)
            prefix = IPv6Address(body[14:30])
            head += [
                Field("Prefix length", opts + 2, 1, f"{plen}"),
                Field("Flags", opts + 3, 1, f"0x{pflags:02x} (L={pflags >> 7} "
                                            f"A={(pflags >> 6) & 1})"),
                Field("Valid lifetime", opts + 4, 4, f"{valid} s"),
                Field("Preferred lifetime", opts + 8, 4, f"{preferred} s"),
                Field("Reserved", opts + 12, 4, f"{res2}"),
                Field("Prefix", opts + 16, 16, f"{prefix}"),
            ]
            summary = f"{prefix}/{plen}"
        else:
            label = "Link-layer address" if otype == 1 else "Data"
            head.append(Field(label, opts + 2, size - 2, _hexbytes(body)))
            summary = _hexbytes(body) if otype == 1 else ""
        out.append(_branch(f"ICMPv6 option: {ND_OPTIONS.get(otype, f'type {otype}')}",
                           head, summary))
        opts += size
    return out


# --- UDP data (pmipviz's own payload: flow index, sequence number, zeros) ------------------


def _udp(raw: bytes, off: int) -> list[Field]:
    sport, dport, length, csum = struct.unpack_from("!HHHH", raw, off)
    udp = _branch("UDP", [
        Field("Source port", off, 2, f"{sport}"),
        Field("Destination port", off + 2, 2, f"{dport}"),
        Field("Length", off + 4, 2, f"{length}"),
        Field("Checksum", off + 6, 2, f"0x{csum:04x}"),
    ], f"{sport} → {dport}")
    at = off + 8
    if at >= len(raw):
        return [udp]
    data: list[Field] = []
    if len(raw) - at >= 12:
        flow, n = struct.unpack_from("!IQ", raw, at)
        data += [Field("Flow index", at, 4, f"{flow}"), Field("Packet number", at + 4, 8, f"{n}")]
        at += 12
    if at < len(raw):
        data.append(Field("Padding", at, len(raw) - at, f"{len(raw) - at} octets"))
    return [udp, _branch("Data (pmipviz payload)", data)]


# --- the whole packet ----------------------------------------------------------------------


def dissect(raw: bytes) -> tuple[Field, ...]:
    """The layers of an IPv6 packet built by :mod:`pmipviz.wire.encode`, in wire order.

    Raises :class:`ProtocolError` for a packet it cannot walk (never for the encoder's).
    """
    try:
        return tuple(_dissect(bytes(raw)))
    except ProtocolError:
        raise
    except (ValueError, IndexError, struct.error) as exc:
        raise ProtocolError(f"cannot dissect the packet: {exc}") from exc


def _dissect(raw: bytes) -> list[Field]:
    layers: list[Field] = []
    off = 0
    header, nh = _ipv6(raw, off, "IPv6")
    if nh == 41:  # RFC 2473 tunnel: the outer header, then the packet it carries
        layers.append(Field("IPv6, outer (tunnel, RFC 2473)", header.offset, header.length,
                            header.value, header.children))
        off += IPV6_LEN
        header, nh = _ipv6(raw, off, "IPv6")
    layers.append(header)
    off += IPV6_LEN
    if nh == MH_NEXT_HEADER:
        layers += _mobility_header(raw, off)
    elif nh == 58:
        layers += _icmpv6(raw, off)
    elif nh == 17:
        layers += _udp(raw, off)
    elif off < len(raw):
        layers.append(Field("Payload", off, len(raw) - off, _hexbytes(raw[off:off + 8])))
    return layers


def dissect_event(event: Any) -> tuple[bytes, tuple[Field, ...], str]:
    """The bytes of a ``send``/``recv`` event's packet, its layers, and why there are
    none (``""`` when there are). Never raises: the inspector shows the reason."""
    from pmipviz.wire.hexdump import describe

    raw, lines = describe(event)
    if not raw:
        return b"", (), lines[0] if lines else ""
    try:
        return raw, dissect(raw), ""
    except ProtocolError as exc:
        return raw, (), f"cannot dissect: {exc}"
