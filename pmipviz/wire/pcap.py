"""Stream the ``send`` events of a trace into a pcap file Wireshark/tshark opens.

One capture point per hop: each packet is recorded as it leaves the sending node,
at pcap time ``SIM_EPOCH_S + t_ms / 1000`` (microsecond resolution). The file is the
classic libpcap format with link type LINKTYPE_RAW (101): every record is a bare
IPv6 packet, no link-layer header. Records go straight to a buffered file, so
memory use does not grow with the trace.

Given a path, the sink writes a temporary file next to it (:mod:`pmipviz.outputs`):
the path gets the capture when the sink closes normally and is left as it was when the
``with`` block ends with an exception. Given an open binary stream, it writes there and
leaves closing (and committing) to the stream's owner.
"""

from __future__ import annotations

import os
import struct
from os import PathLike
from types import TracebackType
from typing import Any, BinaryIO, Self

from pmipviz.outputs import AtomicOutput
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


class CaptureFile:
    """What both capture formats share: the target (a path written atomically, or a
    stream the caller owns), :meth:`close`, :meth:`discard` and the context manager.
    Subclasses write their header in ``__init__`` and records through ``self._file``."""

    def __init__(self, target: str | PathLike[str] | BinaryIO) -> None:
        self.count = 0
        self._output: AtomicOutput | None = None
        if isinstance(target, (str, PathLike)):
            self.path: str = os.fspath(target)
            self._output = AtomicOutput(target, binary=True)
            file: BinaryIO = self._output.buffer
        else:
            self.path = str(getattr(target, "name", "<stream>"))
            file = target
        self._file: BinaryIO | None = file

    def _open_file(self) -> BinaryIO:
        if self._file is None:
            raise ValueError(f"capture {self.path} is closed")
        return self._file

    def close(self) -> None:
        """Finish the capture (idempotent): a path gets the complete file; a stream given
        by the caller is flushed and left open."""
        if self._file is None:
            return
        file, self._file = self._file, None
        if self._output is not None:
            self._output.commit()
        else:
            file.flush()

    def discard(self) -> None:
        """Stop without keeping the capture: a path keeps its old content (idempotent)."""
        self._file = None
        if self._output is not None:
            self._output.discard()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


class PcapSink(CaptureFile):
    """A trace observer: ``sink(event)`` appends the event's packet if it is a ``send``.

    Events may be dicts or objects with the same attributes (``kind``, ``t_ms``,
    ``msg``, ``fields``, ...). Use as a context manager or call :meth:`close`
    (:meth:`discard` drops a capture written to a path).
    """

    def __init__(self, target: str | PathLike[str] | BinaryIO) -> None:
        super().__init__(target)
        self._open_file().write(
            _GLOBAL_HEADER.pack(_MAGIC_USEC, 2, 4, 0, 0, SNAPLEN, LINKTYPE_RAW))

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
