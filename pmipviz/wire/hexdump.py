"""Hex dumps of packet bytes for the TUI's inspector."""

from __future__ import annotations

from typing import Any

from pmipviz.protocol.errors import ProtocolError
from pmipviz.wire.dissect import BYTES_PER_LINE
from pmipviz.wire.encode import encode_message, event_attr

PACKET_KINDS = ("send", "recv")


def hexdump_lines(raw: bytes) -> list[str]:
    """``"0000  60 00 00 00 ...  |...|"``: offset, 16 hex octets, printable ASCII (as hexdump -C).

    The ASCII column sits between bars; non-printable octets show as ".".
    Short last lines are padded so the ASCII columns line up.
    """
    lines = []
    width = BYTES_PER_LINE * 3 - 1
    for off in range(0, len(raw), BYTES_PER_LINE):
        chunk = raw[off : off + BYTES_PER_LINE]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:04x}  {hexes:<{width}}  |{text}|")
    return lines


def describe(event: Any) -> tuple[bytes, list[str]]:
    """The bytes of a ``send``/``recv`` event's packet and its hex dump.

    Other kinds give ``(b"", [])``; a message that cannot be encoded gives
    ``(b"", ["cannot encode: <reason>"])`` so the inspector never crashes.
    """
    if event_attr(event, "kind") not in PACKET_KINDS:
        return b"", []
    try:
        raw = encode_message(event_attr(event, "msg", ""), event_attr(event, "fields") or {})
    except ProtocolError as exc:
        return b"", [f"cannot encode: {exc}"]
    return raw, hexdump_lines(raw)
