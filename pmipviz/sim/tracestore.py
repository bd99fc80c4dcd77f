"""The TUI's trace in memory: a list of TraceEvents that keeps its past compressed.

Events are appended as the world emits them. Every ``block`` events, the open block
is sealed: its notes are resolved and the events are pickled and zlib-compressed
(about 20 bytes an event instead of about 800: an event object holds its fields and a
note closure that keeps the packet alive). Reading an event of a
sealed block decodes the whole block into a small cache of recent blocks, so
sequential reads (the ladder, the lesson's questions) decode each block once."""

from __future__ import annotations

import gc
import pickle
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import overload

from pmipviz.sim.trace import TraceEvent

BLOCK = 1024  # events per compressed block
CACHED_BLOCKS = 8  # decoded blocks kept (a few thousand events)


class TraceStore(Sequence[TraceEvent]):
    """An append-only sequence of trace events, compressed block by block."""

    def __init__(self, block: int | None = None, cached_blocks: int | None = None) -> None:
        self.block = BLOCK if block is None else block
        self.cached_blocks = CACHED_BLOCKS if cached_blocks is None else cached_blocks
        self._sealed: list[bytes] = []
        self._open: list[TraceEvent] = []
        self._cache: OrderedDict[int, list[TraceEvent]] = OrderedDict()

    # -- writing ------------------------------------------------------------------

    def append(self, ev: TraceEvent) -> None:
        """Add the next event (the world's sink)."""
        self._open.append(ev)
        if len(self._open) >= self.block:
            self._seal()

    def _seal(self) -> None:
        events = self._open
        rows = [(e.i, e.t_ms, e.kind, e.node, e.peer, e.msg, e.fields, e.step, e.note)
                for e in events]
        self._sealed.append(zlib.compress(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL), 6))
        self._cache[len(self._sealed) - 1] = events  # the live objects, until evicted
        self._trim()
        self._open = []

    def adopt(self, other: TraceStore) -> None:
        """Become ``other`` (same events), in place: views holding this store see it."""
        self.block = other.block
        self._sealed = other._sealed
        self._open = other._open
        self._cache = other._cache

    # -- reading ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._sealed) * self.block + len(self._open)

    @overload
    def __getitem__(self, index: int) -> TraceEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[TraceEvent]: ...

    def __getitem__(self, index: int | slice) -> TraceEvent | list[TraceEvent]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("trace index out of range")
        k, offset = divmod(index, self.block)
        if k == len(self._sealed):
            return self._open[offset]
        return self._events(k)[offset]

    def __iter__(self) -> Iterator[TraceEvent]:
        i = 0
        while i < len(self):  # the trace may grow while it is read
            k, offset = divmod(i, self.block)
            # a pass over the whole trace leaves the cache to random reads
            sealed = k < len(self._sealed)
            events = (self._cache.get(k) or self._decode(k)) if sealed else self._open
            chunk = events[offset:]
            if not chunk:
                return
            yield from chunk
            i += len(chunk)

    def _events(self, k: int) -> list[TraceEvent]:
        events = self._cache.get(k)
        if events is not None:
            self._cache.move_to_end(k)
            return events
        events = self._cache[k] = self._decode(k)
        self._trim()
        return events

    def _decode(self, k: int) -> list[TraceEvent]:
        # thousands of new containers at once: no cyclic GC passes over the whole
        # heap meanwhile (the events hold no cycles)
        enabled = gc.isenabled()
        gc.disable()
        try:
            rows = pickle.loads(zlib.decompress(self._sealed[k]))
            return [TraceEvent(*row) for row in rows]
        finally:
            if enabled:
                gc.enable()

    def _trim(self) -> None:
        while len(self._cache) > self.cached_blocks:
            self._cache.popitem(last=False)

    @property
    def decoded_blocks(self) -> int:
        """Sealed blocks held decoded (at most ``cached_blocks``)."""
        return len(self._cache)

    @property
    def compressed_bytes(self) -> int:
        """Bytes held by the sealed blocks (for the benchmark)."""
        return sum(len(b) for b in self._sealed)
