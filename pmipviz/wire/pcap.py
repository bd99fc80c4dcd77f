"""Stream the ``send`` events of a trace into a pcap file Wireshark/tshark opens.

One capture point per hop: each packet is recorded as it leaves the sending node,
at pcap time ``SIM_EPOCH_S + t_ms / 1000`` (microsecond resolution). The file is the
classic libpcap format with link type LINKTYPE_RAW (101): every record is a bare
IPv6 packet, no link-layer header. Records go straight to a buffered file, so
memory use does not grow with the trace.
"""

from __future__ import annotations

import struct
from os import PathLike
from types import TracebackType
from typing import Any, BinaryIO

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.wire.encode import encode_event, event_attr

LINKTYPE_RAW = 101  # raw IPv4/IPv6, told apart by the version nibble
SNAPLEN = 262_144
_GLOBAL_HEADER = struct.Struct("<IHHiIII")
_RECORD_HEADER = struct.Struct("<IIII")
_MAGIC_USEC = 0xA1B2C3D4


def pcap_time(t_ms: float) -> tuple[int, int]:
    """(seconds, microseconds) of a simulated time in milliseconds."""
    usec = round(SIM_EPOCH_S * 1_000_000 + float(t_ms) * 1000)
    return usec // 1_000_000, usec % 1_000_000


class PcapSink:
    """A trace observer: ``sink(event)`` appends the event's packet if it is a ``send``.

    Events may be dicts or objects with the same attributes (``kind``, ``t_ms``,
    ``msg``, ``fields``, ...). Use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = path
        self.count = 0
        self._file: BinaryIO | None = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._file.write(_GLOBAL_HEADER.pack(_MAGIC_USEC, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW))

    def __call__(self, event: Any) -> None:
        raw = encode_event(event)
        if raw is None:
            return
        self.write(raw, float(event_attr(event, "t_ms", 0.0)))

    def write(self, raw: bytes, t_ms: float) -> None:
        """Append one raw IPv6 packet at simulated time ``t_ms``."""
        if self._file is None:
            raise ValueError(f"pcap {self.path} is closed")
        sec, usec = pcap_time(t_ms)
        caplen = min(len(raw), SNAPLEN)
        self._file.write(_RECORD_HEADER.pack(sec, usec, caplen, len(raw)))
        self._file.write(raw[:caplen])
        self.count += 1

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> PcapSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
