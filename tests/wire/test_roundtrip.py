"""Round trips PBU/PBA dataclass -> bytes -> dataclass, malformed input, RS/RA/data bytes."""

from __future__ import annotations

import contextlib
import itertools
import struct
from ipaddress import IPv6Address, IPv6Network
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.inet6 import (
    MIP6MH_BU,
    UDP,
    ICMPv6ND_RA,
    ICMPv6ND_RS,
    ICMPv6NDOptPrefixInfo,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    MIP6OptMNID,
)
from scapy.packet import Raw

from pmipviz.protocol.constants import Status
from pmipviz.protocol.errors import ProtocolError
from pmipviz.protocol.messages import PBA_FLAGS, PBU_FLAGS, Pba, Pbu
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
from pmipviz.wire import (
    data_bytes,
    data_packet,
    decode_mh,
    describe,
    encode_event,
    hexdump_lines,
    pba_packet,
    pbu_packet,
    ra_packet,
    rs_packet,
)
from pmipviz.wire.scapy_options import (
    MIP6OptAccessTechType,
    MIP6OptHandoffIndicator,
    MIP6OptHomeNetworkPrefix,
    MIP6OptLinkLocalAddress,
    MIP6OptMNLinkLayerId,
    MIP6OptTimestamp,
)

MAG, LMA = "2001:db8:a::1", "2001:db8:1::1"
HNP1 = IPv6Network("2001:db8:100::/64")
HNP2 = IPv6Network("2001:db8:200::/56")
ALL_OPTIONS = (
    MnIdOption("mn1@example.org"),
    HnpOption(HNP1),
    HnpOption(HNP2),
    HiOption(1),
    AttOption(4),
    MnLliOption(bytes.fromhex("020000000101")),
    LinkLocalOption(IPv6Address("fe80::a:1")),
    TimestampOption.from_seconds(1_340_928_001.021),
)
MANDATORY = (MnIdOption("mn1@example.org"), HnpOption(HNP1), HiOption(4), AttOption(4))


def pbu_bytes(pbu: Pbu) -> bytes:
    return bytes(pbu_packet(pbu, MAG, LMA))


def pba_bytes(pba: Pba) -> bytes:
    return bytes(pba_packet(pba, LMA, MAG))


# --- round trips ---------------------------------------------------------------------------


def test_pbu_with_every_option_round_trips() -> None:
    pbu = Pbu(seq=41, lifetime_s=3600, options=ALL_OPTIONS)
    raw = pbu_bytes(pbu)
    assert len(raw) % 8 == 0 and (len(raw) - 40) % 8 == 0
    assert decode_mh(raw) == pbu


def test_dereg_pbu_round_trips() -> None:
    pbu = Pbu(seq=2, lifetime_s=0, options=MANDATORY)
    back = decode_mh(pbu_bytes(pbu))
    assert back == pbu
    assert isinstance(back, Pbu) and back.is_dereg and back.hi == 4


def test_lifetime_is_in_4_second_units_on_the_wire() -> None:
    raw = pbu_bytes(Pbu(seq=1, lifetime_s=3600, options=MANDATORY))
    assert struct.unpack_from("!H", raw, 40 + 10)[0] == 900


@pytest.mark.parametrize("status", [0, *range(153, 163), 128, 129, 130, 152])
def test_pba_round_trips_for_every_status(status: int) -> None:
    hnp = HnpOption(IPv6Network("::/0")) if status >= 128 else HnpOption(HNP1)
    opts = (MnIdOption("mn1@example.org"), hnp, HiOption(1), AttOption(4))
    pba = Pba(status=status, seq=7, lifetime_s=0 if status >= 128 else 3600, options=opts)
    raw = pba_bytes(pba)
    assert raw[40 + 6] == status
    assert decode_mh(raw) == pba


def test_all_status_codes_are_covered() -> None:
    assert {int(s) for s in Status} >= set(range(153, 163))


@pytest.mark.parametrize("bits", list(itertools.product([False, True], repeat=7)))
def test_pbu_flag_combinations(bits: tuple[bool, ...]) -> None:
    flags = dict(zip(PBU_FLAGS, bits, strict=True))
    pbu = Pbu(seq=0xFFFF, lifetime_s=4, options=MANDATORY, **flags)
    raw = pbu_bytes(pbu)
    word = struct.unpack_from("!H", raw, 40 + 8)[0]
    masks = dict(zip(PBU_FLAGS, (0x8000, 0x4000, 0x2000, 0x1000, 0x800, 0x400, 0x200), strict=True))
    assert word == sum(m for f, m in masks.items() if flags[f])
    assert decode_mh(raw) == pbu


@pytest.mark.parametrize("bits", list(itertools.product([False, True], repeat=3)))
def test_pba_flag_combinations(bits: tuple[bool, ...]) -> None:
    flags = dict(zip(PBA_FLAGS, bits, strict=True))
    pba = Pba(status=0, seq=3, lifetime_s=8, options=MANDATORY, **flags)
    raw = pba_bytes(pba)
    assert raw[40 + 7] == (0x80 * bits[0]) | (0x40 * bits[1]) | (0x20 * bits[2])
    assert decode_mh(raw) == pba


def test_pbu_without_options_and_odd_ids_round_trip() -> None:
    cases: list[tuple[Option, ...]] = [
        (),
        (MnIdOption(""),),
        (MnIdOption("ünïcödé@example.org", subtype=2),),
        (MnLliOption(b"\x01"),),
        (MnLliOption(bytes(range(8))), HnpOption(IPv6Network("::/0"))),
    ]
    for opts in cases:
        pbu = Pbu(seq=5, lifetime_s=40, options=opts)
        assert decode_mh(pbu_bytes(pbu)) == pbu


def test_scapy_dissects_options_with_the_registered_classes() -> None:
    pkt = IPv6(pbu_bytes(Pbu(seq=1, lifetime_s=3600, options=ALL_OPTIONS)))
    classes = {type(o) for o in pkt[MIP6MH_BU].options}
    assert {
        MIP6OptMNID,
        MIP6OptHomeNetworkPrefix,
        MIP6OptHandoffIndicator,
        MIP6OptAccessTechType,
        MIP6OptMNLinkLayerId,
        MIP6OptLinkLocalAddress,
        MIP6OptTimestamp,
    } <= classes
    assert pkt[MIP6MH_BU].flags == "PA"


def test_pbu_event_round_trips_through_fields() -> None:
    pbu = Pbu(seq=9, lifetime_s=3600, options=ALL_OPTIONS)
    fields = pbu.to_fields() | {"ip_src": MAG, "ip_dst": LMA}
    event = {
        "i": 1,
        "t_ms": 5.0,
        "kind": "send",
        "node": "MAG1",
        "peer": "LMA",
        "msg": "PBU",
        "fields": fields,
        "step": None,
        "note": "",
    }
    raw = encode_event(event)
    assert raw is not None and decode_mh(raw) == pbu
    assert encode_event(SimpleNamespace(**event)) == raw
    assert encode_event(event | {"kind": "recv"}) is None


option_strategy = st.one_of(
    st.text(max_size=40).filter(lambda s: len(s.encode()) <= 254).map(MnIdOption),
    st.builds(
        lambda a, n: HnpOption(IPv6Network((a, n), strict=False)),
        st.integers(0, 2**128 - 1),
        st.integers(0, 128),
    ),
    st.integers(0, 255).map(HiOption),
    st.integers(0, 255).map(AttOption),
    st.binary(min_size=1, max_size=16).map(MnLliOption),
    st.integers(0, 2**128 - 1).map(lambda a: LinkLocalOption(IPv6Address(a))),
    st.integers(0, 2**64 - 1).map(TimestampOption),
)


def _unique_options(opts: list[Option]) -> tuple[Option, ...]:
    seen: set[int] = set()
    out: list[Option] = []
    for o in opts:
        if isinstance(o, HnpOption) or int(o.type) not in seen:
            out.append(o)
            seen.add(int(o.type))
    return tuple(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seq=st.integers(0, 0xFFFF),
    units=st.integers(0, 0xFFFF),
    opts=st.lists(option_strategy, max_size=9).map(_unique_options),
    flags=st.tuples(*[st.booleans()] * 7),
)
def test_hypothesis_pbus_round_trip(seq: int, units: int, opts: tuple, flags: tuple) -> None:
    pbu = Pbu(
        seq=seq, lifetime_s=units * 4, options=opts, **dict(zip(PBU_FLAGS, flags, strict=True))
    )
    raw = pbu_bytes(pbu)
    assert (len(raw) - 40) % 8 == 0
    assert decode_mh(raw) == pbu


@settings(max_examples=60, deadline=None)
@given(
    status=st.integers(0, 255),
    seq=st.integers(0, 0xFFFF),
    units=st.integers(0, 0xFFFF),
    opts=st.lists(option_strategy, max_size=9).map(_unique_options),
)
def test_hypothesis_pbas_round_trip(status: int, seq: int, units: int, opts: tuple) -> None:
    pba = Pba(status=status, seq=seq, lifetime_s=units * 4, options=opts)
    assert decode_mh(pba_bytes(pba)) == pba


# --- malformed input -----------------------------------------------------------------------


def _ones(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def reseal(raw: bytes) -> bytes:
    """Fix the IPv6 payload length and the MH checksum after a corruption."""
    mh = bytearray(raw[40:])
    mh[4:6] = b"\0\0"
    pseudo = raw[8:40] + struct.pack("!I3xB", len(mh), 135)
    mh[4:6] = struct.pack("!H", ~_ones(pseudo + bytes(mh)) & 0xFFFF)
    return raw[:4] + struct.pack("!H", len(mh)) + raw[6:40] + bytes(mh)


def _good() -> bytes:
    return pbu_bytes(Pbu(seq=1, lifetime_s=3600, options=ALL_OPTIONS))


def _set(raw: bytes, offset: int, value: int) -> bytes:
    return raw[:offset] + bytes([value]) + raw[offset + 1 :]


def _option_offset(raw: bytes, otype: int) -> int:
    """Offset (in the IPv6 packet) of the first option of a type, by walking the MH."""
    off = 52
    while off < len(raw):
        if raw[off] == otype:
            return off
        off += 1 if raw[off] == 0 else 2 + raw[off + 1]
    raise AssertionError(f"no option {otype}")


def _with_options(*options) -> bytes:
    mh = MIP6MH_BU(nh=59, seq=1, flags=0x41, mhtime=900, options=list(options))
    return bytes(IPv6(src=MAG, dst=LMA) / mh)


def _malformed() -> list[tuple[str, bytes, str]]:
    good = _good()
    hnp = _option_offset(good, 22)
    mnid = _option_offset(good, 8)
    lli = _option_offset(good, 25)
    last = max(_option_offset(good, t) for t in (8, 22, 23, 24, 25, 26, 27))
    ipv4 = b"\x45" + good[1:]
    bad_utf8 = good[: mnid + 3] + b"\xff" + good[mnid + 4 :]
    return [
        ("empty", b"", r"truncated IPv6 header: 0 octets, need 40"),
        ("short ipv6 header", good[:30], r"truncated IPv6 header: 30 octets"),
        ("truncated packet", good[:-8], r"IPv6 payload length \d+ but \d+ octets .*truncated"),
        ("trailing octets", good + b"\0" * 8, r"trailing octets"),
        ("ipv4", ipv4, r"IP version 4, expected 6"),
        ("not a mobility header", _set(good, 6, 17), r"next header 17 is not the Mobility Header"),
        (
            "too short mh",
            reseal(good[:40] + b"\x3b\x00\x05\x00\x00\x00"),
            r"truncated Mobility Header: 6 octets",
        ),
        ("bad header len", _set(good, 41, good[41] + 1), r"Header Len \d+ means \d+ octets"),
        ("bad checksum", _set(good, 60, good[60] ^ 0xFF), r"bad Mobility Header checksum 0x"),
        ("payload proto", reseal(_set(good, 40, 6)), r"Payload Proto 6, must be 59"),
        ("wrong mh type", reseal(_set(good, 42, 7)), r"MH type 7 \(BE\) is neither a PBU"),
        (
            "pbu without body",
            reseal(good[:40] + b"\x3b\x00\x05\x00\x00\x00\x00\x00"),
            r"PBU truncated: Mobility Header of 8 octets",
        ),
        (
            "hnp length",
            reseal(_set(good, hnp + 1, 17)),
            rf"PBU: Home Network Prefix option at offset {hnp - 40}: length 17, must be 18",
        ),
        ("prefix length", reseal(_set(good, hnp + 3, 129)), r"prefix length 129 exceeds 128"),
        (
            "option past the end",
            reseal(_set(good, last + 1, 250)),
            r"has length 250, running \d+ octets past the end of the Mobility Header",
        ),
        ("mnid not utf8", reseal(bad_utf8), r"Mobile Node Identifier option .*not UTF-8"),
        (
            "mn-lli too short",
            reseal(_set(good, lli + 1, 2) + b""),
            r"Mobile Node Link-layer Identifier option at offset \d+: length 2",
        ),
        (
            "duplicate hi",
            _with_options(MIP6OptHandoffIndicator(hi=1), MIP6OptHandoffIndicator(hi=2)),
            r"PBU carries 2 Handoff Indicator options",
        ),
        (
            "host bits",
            _with_options(MIP6OptHomeNetworkPrefix(plen=48, prefix="2001:db8::1")),
            r"2001:db8::1/48 has host bits set",
        ),
        (
            "mnid without subtype",
            _with_options(MIP6OptMNID(olen=0, id=b"")),
            r"length 0, needs at least the subtype octet",
        ),
    ]


@pytest.mark.parametrize(("name", "raw", "message"), _malformed(), ids=lambda v: str(v)[:24])
def test_malformed_input_raises_protocol_error(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        decode_mh(raw)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutated_packets_raise_only_protocol_error(data: st.DataObject) -> None:
    good = _good()
    raw = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    sealed = data.draw(st.booleans())
    candidate = bytes(raw[:cut])
    if sealed and len(candidate) >= 46 and candidate[6] == 135:
        candidate = reseal(candidate)
    with contextlib.suppress(ProtocolError):
        decode_mh(candidate)


@given(st.binary(max_size=120))
def test_random_bytes_raise_only_protocol_error(raw: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_mh(raw)


def test_encoder_rejects_bad_input_precisely() -> None:
    pbu = Pbu(seq=1, lifetime_s=4, options=MANDATORY)
    with pytest.raises(ProtocolError, match=r"PBU source 'mag1\.example' is not an IPv6 address"):
        pbu_packet(pbu, "mag1.example", LMA)
    with pytest.raises(ProtocolError, match="carries 2 Access Technology Type options"):
        pbu_packet(Pbu(seq=1, lifetime_s=4, options=(AttOption(1), AttOption(2))), MAG, LMA)
    event = {"i": 3, "kind": "send", "msg": "PBU", "fields": pbu.to_fields()}
    with pytest.raises(ProtocolError, match="event 3: PBU fields lack 'ip_src'"):
        encode_event(event)
    with pytest.raises(ProtocolError, match="no wire encoding for message 'HELLO'"):
        encode_event({"i": 4, "kind": "send", "msg": "HELLO", "fields": {}})


# --- RS / RA / data ------------------------------------------------------------------------


def test_rs_carries_the_mn_lli() -> None:
    fields = {
        "mn_id": "mn1@example.org",
        "interface": "IF1",
        "lli": "02:00:00:00:01:01",
        "ip_src": "fe80::ff:fe00:101",
        "ip_dst": "ff02::2",
    }
    pkt = IPv6(bytes(rs_packet(fields)))
    assert pkt.hlim == 255 and pkt.dst == "ff02::2"
    assert ICMPv6ND_RS in pkt
    assert pkt[ICMPv6NDOptSrcLLAddr].lladdr == "02:00:00:00:01:01"
    unspecified = IPv6(bytes(rs_packet(fields | {"ip_src": "::"})))
    assert ICMPv6NDOptSrcLLAddr not in unspecified


def test_ra_advertises_every_hnp_on_link_and_autonomous() -> None:
    fields = {
        "mn_id": "mn1@example.org",
        "interface": "IF1",
        "hnp": ["2001:db8:100::/64", "2001:db8:200::/56"],
        "router_lifetime_s": 1800,
        "ip_src": "fe80::a:1",
        "ip_dst": "fe80::ff:fe00:101",
        "mag_lli": "02:00:00:aa:00:01",
    }
    pkt = IPv6(bytes(ra_packet(fields)))
    assert pkt.hlim == 255 and pkt[ICMPv6ND_RA].routerlifetime == 1800
    assert pkt[ICMPv6NDOptSrcLLAddr].lladdr == "02:00:00:aa:00:01"
    pios = []
    layer = pkt[ICMPv6NDOptPrefixInfo]
    while layer:
        if isinstance(layer, ICMPv6NDOptPrefixInfo):
            pios.append((layer.prefix, layer.prefixlen, layer.L, layer.A))
        layer = layer.payload
    assert pios == [("2001:db8:100::", 64, 1, 1), ("2001:db8:200::", 56, 1, 1)]


DATA = {
    "flow": 2,
    "n": 5,
    "cached": False,
    "src": "2001:db8:cafe::1",
    "dst": "2001:db8:100::1",
    "size": 1000,
    "pid": 17,
}


def test_data_packet_matches_a_scapy_built_packet() -> None:
    raw = data_bytes(DATA)
    payload = struct.pack("!IQ", 2, 5) + bytes(1000 - 60)
    ref = IPv6(src=DATA["src"], dst=DATA["dst"], hlim=64) / UDP(sport=9000, dport=9002) / payload
    assert raw == bytes(ref)
    assert len(raw) == 1000


def test_tunnelled_data_is_ipv6_in_ipv6() -> None:
    raw = data_bytes(DATA, "2001:db8:1::1", "2001:db8:a::1")
    inner = IPv6(src=DATA["src"], dst=DATA["dst"], hlim=64) / UDP(sport=9000, dport=9002)
    ref = IPv6(src="2001:db8:1::1", dst="2001:db8:a::1", hlim=64, nh=41) / (
        inner / (struct.pack("!IQ", 2, 5) + bytes(940))
    )
    assert raw == bytes(ref)
    pkt = data_packet(DATA, "2001:db8:1::1", "2001:db8:a::1")
    assert pkt.nh == 41 and pkt[UDP].dport == 9002
    assert struct.unpack("!IQ", bytes(pkt[Raw].load)[:12]) == (2, 5)


def test_small_data_packets_keep_the_flow_and_sequence_number() -> None:
    raw = data_bytes(DATA | {"size": 10})
    assert len(raw) == 60 and struct.unpack("!IQ", raw[48:60]) == (2, 5)
    with pytest.raises(ProtocolError, match="both tunnel_src and tunnel_dst"):
        data_bytes(DATA, "2001:db8:1::1")


# --- hexdump -------------------------------------------------------------------------------


def test_hexdump_lines_format() -> None:
    lines = hexdump_lines(bytes(range(0x41, 0x41 + 20)))
    assert lines[0] == "0000  " + " ".join(f"{b:02x}" for b in range(0x41, 0x51)) + (
        "  |ABCDEFGHIJKLMNOP|"
    )
    assert lines[1].startswith("0010  51 52 53 54 ") and lines[1].endswith("  |QRST|")
    assert len(lines[1]) == len(lines[0]) - 12
    assert hexdump_lines(b"") == []


def test_describe_gives_bytes_for_packets_only() -> None:
    event = {"kind": "send", "msg": "DATA", "fields": DATA, "t_ms": 1.0}
    raw, lines = describe(event)
    assert raw == data_bytes(DATA) and len(lines) == (1000 + 15) // 16
    assert describe({"kind": "drop", "msg": "DATA", "fields": DATA}) == (b"", [])
    raw, lines = describe({"kind": "send", "msg": "PBU", "fields": {}})
    assert raw == b"" and lines[0].startswith("cannot encode: PBU fields lack")
