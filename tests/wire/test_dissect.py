"""The dissection the inspector shows: every field of figure1's PBU, DeReg PBU, PBA,
RS, RA and data packets (plain and tunnelled) has a byte range whose octets decode to
the value shown and to the trace's own field; the leaves tile the packet; scapy and
Wireshark (tshark's PDML) put the same fields at the same offsets."""

from __future__ import annotations

import re
import struct
import subprocess
from collections.abc import Callable, Iterator
from ipaddress import IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.inet6 import IPv6

from pmipviz.protocol.constants import OptionType
from pmipviz.protocol.errors import ProtocolError
from pmipviz.protocol.messages import PBA_FLAGS, PBU_FLAGS
from pmipviz.scenario import load_scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.trace import TraceEvent
from pmipviz.wire.dissect import Field, dissect, dissect_event
from pmipviz.wire.encode import DATA_PORT, HOP_LIMIT, encode_message
from tests.wire.conftest import TSHARK


def _figure1(mode: str = "ft") -> list[TraceEvent]:
    sim = Simulation(load_scenario("figure1"), mode=mode)
    sim.run_to_end()
    return list(sim.trace)


TRACE = _figure1()
PACKETS: dict[str, Callable[[TraceEvent], bool]] = {
    "PBU": lambda e: e.msg == "PBU" and e.fields["lifetime_s"] > 0,
    "DeReg PBU": lambda e: e.msg == "PBU" and e.fields["lifetime_s"] == 0,
    "PBA": lambda e: e.msg == "PBA",
    "RS": lambda e: e.msg == "RS",
    "RA": lambda e: e.msg == "RA",
    "DATA": lambda e: e.msg == "DATA" and "tunnel_src" not in e.fields,
    "tunnelled DATA": lambda e: e.msg == "DATA" and "tunnel_src" in e.fields,
}


def _first(name: str) -> TraceEvent:
    return next(e for e in TRACE if e.kind == "send" and PACKETS[name](e))


def _leaves(layers: tuple[Field, ...]) -> list[Field]:
    return [leaf for layer in layers for leaf in layer.leaves()]


def _tiled(ev: TraceEvent) -> tuple[bytes, tuple[Field, ...]]:
    """The event's packet and its fields, checked to be tiled by their leaves: no gap,
    no overlap, from octet 0 to the last."""
    raw, layers, why = dissect_event(ev)
    assert why == "" and layers, (ev.i, why)
    leaves = _leaves(layers)
    assert [leaf.offset for leaf in leaves[1:]] == [leaf.end for leaf in leaves[:-1]]
    assert leaves[0].offset == 0 and leaves[-1].end == len(raw)
    return raw, layers


def _find(layers: tuple[Field, ...], name: str, under: str = "") -> list[Field]:
    """Fields called ``name`` under a layer whose name starts with ``under``."""
    return [f for layer in layers if layer.name.startswith(under) for f in layer.walk()
            if f.name == name]


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


# how each leaf's octets read, by the leaf's name: the text the value must contain
DECODE: dict[str, Callable[[bytes], str]] = {
    "Version, traffic class, flow label": lambda b: f"(0x{_int(b):08x})",
    "Source": lambda b: str(IPv6Address(b)), "Destination": lambda b: str(IPv6Address(b)),
    "Prefix": lambda b: str(IPv6Address(b)),
    "Link-local address": lambda b: str(IPv6Address(b)),
    "Identifier": lambda b: b.decode(),
    "Link-layer identifier": lambda b: b.hex(":"), "Link-layer address": lambda b: b.hex(":"),
    "Checksum": lambda b: f"0x{_int(b):04x}",
    "Flags": lambda b: f"0x{_int(b):0{2 * len(b)}x} (",
    "Timestamp": lambda b: f"(0x{_int(b):016x})",
    "Lifetime": lambda b: f"{_int(b)} (× 4 s = {4 * _int(b)} s)",
    "Padding": lambda b: f"{len(b)} octets" if not any(b) else "nonzero padding",
    "Pad1": lambda b: "0 (one octet of padding)" if b == b"\0" else "not Pad1",
}
NUMBERS = {"Payload length", "Next header", "Hop limit", "Payload proto", "Header length",
           "MH type", "Reserved", "Sequence", "Status", "Type", "Length", "Subtype",
           "Prefix length", "Handoff indicator", "Access technology type", "Code",
           "Cur hop limit", "Router lifetime", "Reachable time", "Retrans timer",
           "Valid lifetime", "Preferred lifetime", "Source port", "Destination port",
           "Flow index", "Packet number"}


def _shown(leaf: Field, octets: bytes) -> str:
    if leaf.name in DECODE:
        return DECODE[leaf.name](octets)
    assert leaf.name in NUMBERS, f"no decoder for the field {leaf.name!r}"
    return str(_int(octets))


@pytest.mark.parametrize("name", list(PACKETS))
def test_every_field_s_octets_decode_to_the_value_shown(name: str) -> None:
    raw, layers, why = dissect_event(_first(name))
    assert raw and layers and why == ""
    for leaf in _leaves(layers):
        octets = raw[leaf.offset:leaf.end]
        assert len(octets) == leaf.length >= 1
        expected = _shown(leaf, octets)
        if leaf.name in NUMBERS:
            assert leaf.value.split(" ")[0] == expected, leaf
        else:
            assert expected in leaf.value, leaf


@pytest.mark.parametrize("name", list(PACKETS))
def test_leaves_tile_the_packet_and_branches_span_their_leaves(name: str) -> None:
    raw, layers, _ = dissect_event(_first(name))
    at = 0
    for leaf in _leaves(layers):
        assert leaf.offset == at, f"{leaf.name} starts at {leaf.offset}, expected {at}"
        at = leaf.end
    assert at == len(raw)
    for layer in layers:
        for field in layer.walk():
            if field.children:
                assert field.offset == field.children[0].offset
                assert field.end == field.children[-1].end


def _option_branches(layers: tuple[Field, ...]) -> list[Field]:
    return [f for f in layers if f.children and f.children[0].name == "Type"
            and not f.name.startswith("ICMPv6")]


@pytest.mark.parametrize("name", ["PBU", "DeReg PBU", "PBA"])
def test_mobility_header_fields_hold_the_trace_values(name: str) -> None:
    ev = _first(name)
    f = ev.fields
    raw, layers, _ = dissect_event(ev)
    assert [layer.name for layer in layers[:2]] == [
        "IPv6", "Mobility Header (Proxy Binding " + ("Update)" if "PBU" in name else
                                                     "Acknowledgement)")]

    def octets(field: str, under: str = "") -> bytes:
        (found,) = _find(layers, field, under)
        return raw[found.offset:found.end]

    assert IPv6Address(octets("Source")) == IPv6Address(f["ip_src"])
    assert IPv6Address(octets("Destination")) == IPv6Address(f["ip_dst"])
    assert _int(octets("Sequence")) == f["seq"]
    assert _int(octets("Lifetime")) * 4 == f["lifetime_s"]
    assert _int(octets("MH type")) == (5 if "PBU" in name else 6)
    flags = _int(octets("Flags", "Mobility"))
    names = PBU_FLAGS if "PBU" in name else PBA_FLAGS
    width = 16 if "PBU" in name else 8
    on = "".join(n.upper() for i, n in enumerate(names) if flags & (1 << (width - 1 - i)))
    assert on == f["flags"]
    if name == "PBA":
        assert _int(octets("Status")) == f["status"]
    # the options, in wire order, between the padding the alignment rules need
    options = [o for o in _option_branches(layers) if not o.name.startswith("PadN")]
    assert [raw[o.offset] for o in options] == f["options"]
    hnps = iter(f["hnp"])
    for option in options:
        body = raw[option.offset:option.end]
        otype, olen = body[0], body[1]
        assert olen == option.length - 2
        if otype == OptionType.MN_ID:  # type, length, subtype 1 (NAI), the NAI
            nai = f["mn_id"].encode()
            assert body == bytes([8, 1 + len(nai), 1]) + nai
        elif otype == OptionType.HNP:
            assert IPv6Network((body[4:20], body[3])) == IPv6Network(next(hnps))
        elif otype == OptionType.HI:
            assert body[3] == f["hi"]
        elif otype == OptionType.ATT:
            assert body[3] == f["att"]
        elif otype == OptionType.MN_LLI:
            assert body[4:].hex(":") == f["mn_lli"]
        elif otype == OptionType.LINK_LOCAL:
            assert IPv6Address(body[2:]) == IPv6Address(f["link_local"])
        elif otype == OptionType.TIMESTAMP:
            assert _int(body[2:]) == f["timestamp"]
        else:
            raise AssertionError(f"unexpected option {otype}")
    pads = [o for o in layers if o.name.startswith(("PadN", "Pad1"))]
    assert pads and all(not any(raw[p.offset + (1 if p.name == "Pad1" else 2):p.end])
                        for p in pads)


def test_scapy_finds_the_mobility_options_where_the_dissection_does() -> None:
    for name in ("PBU", "DeReg PBU", "PBA"):
        raw, layers, _ = dissect_event(_first(name))
        mh = IPv6(raw).payload
        at = 40 + 12
        spans = []
        for option in mh.options:
            size = len(bytes(option))
            spans.append((at, size))
            at += size
        ours = [(o.offset, o.length) for o in layers[2:]]
        assert spans == ours


def test_icmpv6_and_data_fields_hold_the_trace_values() -> None:
    rs = _first("RS")
    raw, layers, _ = dissect_event(rs)
    (lla,) = _find(layers, "Link-layer address")
    assert raw[lla.offset:lla.end].hex(":") == rs.fields["lli"]
    assert _int(raw[layers[1].offset:layers[1].offset + 1]) == 133
    ra = _first("RA")
    raw, layers, _ = dissect_event(ra)
    (prefix,) = _find(layers, "Prefix")
    (plen,) = _find(layers, "Prefix length")
    assert IPv6Network((raw[prefix.offset:prefix.end], raw[plen.offset])) == IPv6Network(
        ra.fields["hnp"][0])
    (life,) = _find(layers, "Router lifetime")
    assert _int(raw[life.offset:life.end]) == ra.fields["router_lifetime_s"]
    (lla,) = _find(layers, "Link-layer address")
    assert raw[lla.offset:lla.end].hex(":") == ra.fields["mag_lli"]
    for name in ("DATA", "tunnelled DATA"):
        ev = _first(name)
        f = ev.fields
        raw, layers, _ = dissect_event(ev)
        tunnelled = "tunnel_src" in f
        assert [layer.name for layer in layers] == (
            ["IPv6, outer (tunnel, RFC 2473)"] * tunnelled
            + ["IPv6", "UDP", "Data (pmipviz payload)"])
        inner = layers[1 if tunnelled else 0]
        src, dst, hlim = (next(c for c in inner.children if c.name == n)
                          for n in ("Source", "Destination", "Hop limit"))
        assert IPv6Address(raw[src.offset:src.end]) == IPv6Address(f["src"])
        assert IPv6Address(raw[dst.offset:dst.end]) == IPv6Address(f["dst"])
        assert raw[hlim.offset] == HOP_LIMIT - f["hop"]
        if tunnelled:
            outer = {c.name: raw[c.offset:c.end] for c in layers[0].children}
            assert IPv6Address(outer["Source"]) == IPv6Address(f["tunnel_src"])
            assert IPv6Address(outer["Destination"]) == IPv6Address(f["tunnel_dst"])
            assert outer["Next header"] == bytes([41])
        (port,) = _find(layers, "Destination port")
        assert _int(raw[port.offset:port.end]) == DATA_PORT + f["flow"]
        (flow,) = _find(layers, "Flow index")
        (n,) = _find(layers, "Packet number")
        assert (_int(raw[flow.offset:flow.end]), _int(raw[n.offset:n.end])) == (f["flow"],
                                                                                 f["n"])
        assert len(raw) == f["size"] + 40 * tunnelled


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_every_packet_of_figure1_dissects_and_tiles(mode: str) -> None:
    count = 0
    trace = _figure1(mode)
    sends = [ev for ev in trace if ev.kind == "send" and ev.peer is not None]
    assert {ev.msg for ev in sends} == {"RS", "RA", "PBU", "PBA", "DATA"}
    for ev in sends:
        _tiled(ev)
        count += 1
    assert count == len(sends)


def test_what_cannot_be_dissected_says_why() -> None:
    raw = encode_message("PBU", _first("PBU").fields)
    with pytest.raises(ProtocolError, match="truncated IPv6 header"):
        dissect(raw[:30])
    with pytest.raises(ProtocolError, match="cannot dissect"):
        dissect(raw[:45])
    assert dissect_event({"kind": "state", "msg": None, "fields": {}}) == (b"", (), "")
    _raw, layers, why = dissect_event({"kind": "send", "msg": "PBU", "fields": {}})
    assert layers == () and why.startswith("cannot encode")


# -- Wireshark agrees: the same (offset, length) in tshark's PDML ---------------------------

# the only differences: Wireshark keeps an option's Type octet in the option's own line
# and the HNP option's Reserved octet unshown, its MH / ICMPv6 line runs to the end of the
# packet, and pmipviz's UDP payload is one "data" field to it
NOT_IN_WIRESHARK = ("Type", "Reserved@78", "Mobility Header", "ICMPv6 (", "Flow index",
                    "Packet number", "Padding@")


def _pcap(packets: list[bytes], path: Path) -> Path:
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        for raw in packets:
            out.write(struct.pack("<IIII", 0, 0, len(raw), len(raw)) + raw)
    return path


def _exempt(field: Field, depth: int) -> bool:
    key = f"{field.name}@{field.offset}"
    if field.name == "Type" and depth == 1:
        return True
    return any(key.startswith(x) for x in NOT_IN_WIRESHARK if x != "Type")


def test_wireshark_shows_every_field_at_the_same_offset(tshark: Any, tmp_path: Path) -> None:
    del tshark  # the fixture only makes sure tshark is there
    assert TSHARK is not None
    names = list(PACKETS)
    packets = [encode_message(str(_first(n).msg), _first(n).fields) for n in names]
    pcap = _pcap(packets, tmp_path / "fields.pcap")
    pdml = subprocess.run([TSHARK, "-n", "-r", str(pcap), "-T", "pdml"], capture_output=True,
                          text=True, timeout=120, check=True).stdout
    shown = pdml.split("<packet>")[1:]
    assert len(shown) == len(packets)
    checked = 0
    for name, raw, xml in zip(names, packets, shown, strict=True):
        spans = {(int(m[1]), int(m[0])) for m in re.findall(r'size="(\d+)" pos="(\d+)"', xml)}

        def walk(field: Field, depth: int) -> Iterator[tuple[Field, int]]:
            yield field, depth
            for child in field.children:
                yield from walk(child, depth + 1)

        for layer in dissect(raw):
            for field, depth in walk(layer, 0):
                if field.name.startswith("Version, traffic class"):
                    assert {(0, 1), (1, 3)} <= spans  # ipv6.version, ipv6.flow
                elif not _exempt(field, depth):
                    assert (field.offset, field.length) in spans, (name, field)
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("scenario", ["bad-mag", "both-fail", "lossy-signaling", "move",
                                      "restore"])
def test_every_packet_of_the_other_scenarios_dissects_and_tiles(scenario: str) -> None:
    sim = Simulation(load_scenario(scenario))
    sim.run_to_end()
    sends = [ev for ev in sim.trace if ev.kind == "send" and ev.peer is not None]
    for ev in sends:
        raw, layers = _tiled(ev)
        if ev.msg == "PBA":  # rejections too (bad-mag): the status octet holds the status
            (status,) = _find(layers, "Status")
            assert raw[status.offset] == ev.fields["status"]
            assert status.value == f"{ev.fields['status']} ({ev.fields['status_name']})"
    assert {"PBU", "PBA"} <= {str(ev.msg) for ev in sends}
