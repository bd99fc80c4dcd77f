"""An independent reader of the pcap files PcapSink writes: pcap records, IPv6, the
Mobility Header, option alignments and checksums re-implemented with :mod:`struct`
(nothing from ``pmipviz.wire``). Used by test_pcap.py and test_scenarios.py.

A module, not a fixture: these are plain functions (``check_packet`` calls itself
for a tunnelled packet)."""

from __future__ import annotations

import struct
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any


def read_pcap(path: Path) -> tuple[int, list[tuple[int, int, bytes]]]:
    """(link type, [(seconds, microseconds, packet)]) of a little-endian usec pcap."""
    data = path.read_bytes()
    magic, major, minor, _zone, _sig, _snap, linktype = struct.unpack_from("<IHHiIII", data)
    assert (magic, major, minor) == (0xA1B2C3D4, 2, 4)
    records, off = [], 24
    while off < len(data):
        sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, off)
        assert caplen == wirelen
        records.append((sec, usec, data[off + 16 : off + 16 + caplen]))
        off += 16 + caplen
    assert off == len(data)
    return linktype, records


def ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for (word,) in struct.iter_unpack("!H", data):
        total += word
        total = (total & 0xFFFF) + (total >> 16)
    return total


def upper_checksum_ok(header: bytes, nh: int, upper: bytes) -> bool:
    pseudo = header[8:40] + len(upper).to_bytes(4, "big") + bytes(3) + bytes([nh])
    return ones_complement_sum(pseudo + upper) == 0xFFFF


ALIGN = {22: (8, 4), 26: (8, 6), 27: (8, 2), 25: (8, 4)}
FIXED_LEN = {22: 18, 23: 2, 24: 2, 26: 16, 27: 8}


def check_mh(header: bytes, mh: bytes) -> dict[str, Any]:
    """Checks one Mobility Header; returns its type and the (type, offset) of its options."""
    proto, hlen, mhtype, _res = mh[0], mh[1], mh[2], mh[3]
    assert proto == 59, "Payload Proto must be 59"
    assert hlen * 8 + 8 == len(mh), "Header Len does not match the MH length"
    assert len(mh) % 8 == 0, "MH length is not a multiple of 8"
    assert upper_checksum_ok(header, 135, mh), "MH checksum is wrong"
    assert mhtype in (5, 6)
    options, off = [], 12
    while off < len(mh):
        otype = mh[off]
        if otype == 0:
            off += 1
            continue
        olen = mh[off + 1]
        assert off + 2 + olen <= len(mh), f"option {otype} runs past the MH"
        if otype in FIXED_LEN:
            assert olen == FIXED_LEN[otype], f"option {otype} has length {olen}"
        if otype in ALIGN:
            x, y = ALIGN[otype]
            assert off % x == y, f"option {otype} at offset {off} is not at {x}n+{y}"
        if otype != 1:
            options.append((otype, off))
        else:
            assert mh[off + 2 : off + 2 + olen] == bytes(olen), "PadN must carry zeros"
        off += 2 + olen
    assert off == len(mh)
    return {"mh": mhtype, "options": options}


def check_packet(pkt: bytes) -> dict[str, Any]:
    """Independently checks one raw IPv6 packet; returns what it found."""
    assert len(pkt) >= 40
    assert pkt[0] >> 4 == 6, "not IPv6"
    plen, nh, hlim = struct.unpack_from("!HBB", pkt, 4)
    assert plen == len(pkt) - 40, "IPv6 payload length"
    header, body = pkt[:40], pkt[40:]
    if nh == 41:
        inner = check_packet(body)
        return {"tunnel": True, "inner": inner, "src": IPv6Address(pkt[8:24])}
    if nh == 135:
        return check_mh(header, body)
    if nh == 58:
        assert hlim == 255, "ND messages need hop limit 255"
        assert upper_checksum_ok(header, 58, body), "ICMPv6 checksum is wrong"
        off = 4 + (4 if body[0] == 133 else 12)
        nd_options = []
        while off < len(body):
            otype, units = body[off], body[off + 1]
            assert units > 0
            nd_options.append(otype)
            if otype == 3:
                assert body[off + 3] & 0xC0 == 0xC0, "PIO must be on-link and autonomous"
            off += units * 8
        assert off == len(body)
        return {"icmp": body[0], "nd_options": nd_options}
    assert nh == 17
    udp_len = struct.unpack_from("!H", body, 4)[0]
    assert udp_len == len(body)
    assert upper_checksum_ok(header, 17, body), "UDP checksum is wrong"
    sport, dport = struct.unpack_from("!HH", body)
    flow, n = struct.unpack_from("!IQ", body, 8)
    assert (sport, dport) == (9000, 9000 + flow)
    return {"udp": True, "flow": flow, "n": n, "size": len(pkt)}
