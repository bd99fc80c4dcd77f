"""An independent reader of the pcapng files PcapngSink writes, after the pcapng spec
(draft-ietf-opsawg-pcapng): blocks, options, Interface Description, Name Resolution and
Enhanced Packet Blocks, with :mod:`struct` only (nothing from ``pmipviz.wire``).

``read_pcapng`` checks the framing of every block as it goes (lengths at both ends,
32-bit alignment, option padding, little-endian section, one section) and returns
the blocks in file order."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from pathlib import Path


@dataclass
class Block:
    """One block: its type, offset, and what the reader made of it."""

    type: int
    offset: int
    options: list[tuple[int, bytes]] = field(default_factory=list)
    linktype: int | None = None  # IDB
    snaplen: int | None = None  # IDB
    names: list[tuple[str, str]] = field(default_factory=list)  # NRB
    interface: int | None = None  # EPB
    usec: int | None = None  # EPB
    packet: bytes = b""  # EPB
    version: tuple[int, int] | None = None  # SHB
    section_length: int | None = None  # SHB

    def option(self, code: int) -> str | None:
        values = [v for c, v in self.options if c == code]
        assert len(values) <= 1, f"option {code} appears {len(values)} times"
        return values[0].decode("utf-8") if values else None


def _options(data: bytes, off: int, end: int) -> list[tuple[int, bytes]]:
    options = []
    while off < end:
        code, length = struct.unpack_from("<HH", data, off)
        if code == 0:
            assert length == 0 and off + 4 == end, "opt_endofopt must end the options"
            return options
        padded = length + (-length % 4)
        assert off + 4 + padded <= end, f"option {code} runs past its block"
        value = data[off + 4 : off + 4 + length]
        assert data[off + 4 + length : off + 4 + padded] == bytes(padded - length)
        options.append((code, value))
        off += 4 + padded
    assert off == end
    assert not options, "options must end with opt_endofopt"
    return options


def read_pcapng(path: Path) -> list[Block]:
    """Every block of a little-endian, single-section pcapng file."""
    data = path.read_bytes()
    blocks: list[Block] = []
    off = 0
    while off < len(data):
        btype, total = struct.unpack_from("<II", data, off)
        assert total % 4 == 0 and total >= 12, f"block at {off}: length {total}"
        assert off + total <= len(data), f"block at {off} runs past the file"
        (trailer,) = struct.unpack_from("<I", data, off + total - 4)
        assert trailer == total, f"block at {off}: lengths {total} and {trailer} differ"
        body, end = off + 8, off + total - 4
        block = Block(btype, off)
        if btype == 0x0A0D0D0A:
            assert off == 0, "one section, starting the file"
            magic, major, minor, length = struct.unpack_from("<IHHq", data, body)
            assert magic == 0x1A2B3C4D, "little-endian byte-order magic"
            block.version, block.section_length = (major, minor), length
            block.options = _options(data, body + 16, end)
        else:
            assert blocks, "the file starts with a Section Header Block"
        if btype == 1:
            block.linktype, reserved, block.snaplen = struct.unpack_from("<HHI", data, body)
            assert reserved == 0
            block.options = _options(data, body + 8, end)
        elif btype == 4:
            rec = body
            while True:
                rtype, length = struct.unpack_from("<HH", data, rec)
                if rtype == 0:
                    assert length == 0
                    rec += 4
                    break
                assert rtype == 2, f"NRB record type {rtype} (only IPv6 is written)"
                value = data[rec + 4 : rec + 4 + length]
                assert value.endswith(b"\0") and value[16:].count(b"\0") == 1
                block.names.append((str(IPv6Address(value[:16])), value[16:-1].decode()))
                rec += 4 + length + (-length % 4)
            block.options = _options(data, rec, end)
        elif btype == 6:
            ifid, high, low, caplen, origlen = struct.unpack_from("<IIIII", data, body)
            assert caplen == origlen
            block.interface, block.usec = ifid, (high << 32) | low
            block.packet = data[body + 20 : body + 20 + caplen]
            padded = caplen + (-caplen % 4)
            assert data[body + 20 + caplen : body + 20 + padded] == bytes(padded - caplen)
            block.options = _options(data, body + 20 + padded, end)
        elif btype != 0x0A0D0D0A:
            raise AssertionError(f"unexpected block type {btype:#x} at {off}")
        blocks.append(block)
        off += total
    return blocks
