"""The DATA counters of a run, folded from the trace: per flow (sent, delivered,
lost, reordered, duplicated, gaps), per MAG cache (occupancy, in, out, overflow,
peak) and the losses by reason.

One fold, two readers: the metrics JSON (``Metrics`` extends ``Counters``) and the
TUI's ``StateView`` (which holds a ``Counters`` and undoes it event by event with
``fold_undoable`` / ``undo``). So the screen and ``run --json`` share one meaning of
every number; "delivered" counts a packet once, however often it arrives.

A DATA event changes only the totals, its own flow, the cache at its node and
``lost_by_reason[its reason]``; the undo relies on that (and the step-back tests
check it)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent

_MISSING = object()


def flow_interval_ms(rate_pps: float) -> float:
    """A CBR flow's sending interval (the same expression as the flows' clock)."""
    return 1000.0 / rate_pps


class DeliveryWindow:
    """Which packet numbers of one flow were delivered, in memory bounded by the
    packets still outstanding rather than by the run's length.

    Every number below ``low`` is settled: delivered, or dropped (a drop is a
    packet's fate: the model never copies a packet, so a dropped number is never
    delivered afterwards). ``delivered`` and ``dropped`` hold the settled numbers at
    or above ``low``; ``low`` moves up past every settled number, so the sets only
    hold what was settled after the oldest packet still in flight or in a cache.
    A delivery below ``low`` is therefore a repeat of an earlier delivery.

    ``log``, when a list, receives the dropped numbers that ``low`` moves past (what
    ``unwind`` needs to undo a step; None on the headless path)."""

    __slots__ = ("delivered", "dropped", "log", "low")

    def __init__(self) -> None:
        self.low = 0
        self.delivered: set[int] = set()
        self.dropped: set[int] = set()
        self.log: list[int] | None = None

    def deliver(self, n: int) -> bool:
        """Record a delivery of ``n``; True when ``n`` had been delivered before."""
        low = self.low
        if n == low and not self.delivered and not self.dropped:  # in order, nothing held
            self.low = n + 1
            return False
        if n < low or n in self.delivered:
            return True
        self.delivered.add(n)
        self.dropped.discard(n)  # cannot happen in the model; stay exact if it does
        if n == self.low:
            self._advance()
        return False

    def drop(self, n: int) -> None:
        """Record that a packet numbered ``n`` was dropped."""
        if n < self.low or n in self.delivered:
            return
        self.dropped.add(n)
        if n == self.low:
            self._advance()

    def _advance(self) -> None:
        low, delivered, dropped = self.low, self.delivered, self.dropped
        while True:
            if low in delivered:
                delivered.remove(low)
            elif low in dropped:
                dropped.remove(low)
                if self.log is not None:
                    self.log.append(low)
            else:
                break
            low += 1
        self.low = low

    def mark(self, n: int) -> tuple[int, bool, bool]:
        """What ``unwind`` needs to undo the next ``deliver(n)`` or ``drop(n)``."""
        return self.low, n in self.delivered, n in self.dropped

    def unwind(self, n: int, mark: tuple[int, bool, bool],
               passed_drops: Collection[int]) -> None:
        """Undo the last ``deliver(n)`` or ``drop(n)``: ``mark`` was taken just before
        it, ``passed_drops`` is what ``log`` received during it. Every number ``low``
        moved past, but ``n``, was settled before: dropped if logged, else delivered."""
        low, was_delivered, was_dropped = mark
        delivered, dropped = self.delivered, self.dropped
        passed = set(passed_drops)
        for k in range(low, self.low):
            (dropped if k in passed else delivered).add(k)
        self.low = low
        delivered.discard(n)
        dropped.discard(n)
        if was_delivered:
            delivered.add(n)
        if was_dropped:
            dropped.add(n)

    def dump(self) -> int | tuple[int, set[int], set[int]]:
        """The window for a snapshot: ``low`` alone when nothing above it is settled."""
        if self.delivered or self.dropped:
            return self.low, set(self.delivered), set(self.dropped)
        return self.low

    def load(self, state: int | tuple[int, set[int], set[int]]) -> None:
        """Become the window ``dump`` returned."""
        if isinstance(state, int):
            self.low, self.delivered, self.dropped = state, set(), set()
        else:
            low, delivered, dropped = state
            self.low, self.delivered, self.dropped = low, set(delivered), set(dropped)

    def __len__(self) -> int:
        """Numbers held (the memory the window costs, in set elements)."""
        return len(self.delivered) + len(self.dropped)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeliveryWindow):
            return NotImplemented
        return (self.low, self.delivered, self.dropped) == \
            (other.low, other.delivered, other.dropped)


    def __repr__(self) -> str:
        return f"DeliveryWindow(low={self.low}, delivered={sorted(self.delivered)}, " \
               f"dropped={sorted(self.dropped)})"


@dataclass
class FlowCounters:
    """One flow: DATA packets sent (by the source), delivered (once each), lost,
    reordered (delivered after a higher number), duplicated (delivered again), and
    the longest time without a delivery over the flow's life (``max_gap_ms``).

    ``interval_ms`` is the flow's sending interval (a CBR flow sends packet ``n`` at
    ``start_ms + n * interval_ms``); ``expected_ms`` is packet 0's expected arrival
    (set at the first delivery, see ``max_gap_ms``), ``last_ms`` the time of the last
    delivery (None before the first), ``gap_ms`` the longest time without a delivery
    from ``expected_ms`` to ``last_ms``."""

    src: str
    dst: str
    mn_id: str  # the flow's MN end
    interval_ms: float = 0.0
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    reordered: int = 0
    duplicated: int = 0
    max_n: int = -1
    expected_ms: float = 0.0
    last_ms: float | None = None
    gap_ms: float = 0.0
    seen: DeliveryWindow = field(default_factory=DeliveryWindow)

    @property
    def max_gap_ms(self) -> float:
        """The longest time without a delivery over the flow's life, from its first
        expected arrival to its last (the metrics' ``max_gap_ms``).

        A packet's expected arrival is its send time plus the one-way delay of the
        flow's first delivery: the flow's send times shifted by the delay it was seen
        to have. The first delivery, of packet ``k`` at ``t``, puts packet 0's at
        ``expected_ms = t - k * interval_ms`` and packet ``n``'s at ``expected_ms +
        n * interval_ms``. The gap is the longest of: from packet 0's expected
        arrival to the first delivery (``k * interval_ms``), between two consecutive
        deliveries, and from the last delivery to the expected arrival of the last
        packet sent so far (so a flow that stops delivering for good has a gap that
        runs to its last packet's expected arrival). A flow that never delivers has
        no delay to shift by: its gap is its whole life, from its first packet's send
        time to its last's."""
        interval = self.interval_ms
        if self.last_ms is None:
            return max(self.sent - 1, 0) * interval
        last_expected = self.expected_ms + (self.sent - 1) * interval
        return max(self.gap_ms, last_expected - self.last_ms)


@dataclass
class CacheCounters:
    """One MAG's cache: packets held now, cached in, flushed out, dropped because it
    was full (``buffer_overflow`` at this MAG), and the most it held at once."""

    capacity: int
    occupancy: int = 0
    cached_in: int = 0
    flushed: int = 0
    dropped: int = 0
    peak: int = 0


# the fields a DATA event may change (the undo saves them before the fold)
_FLOW_VARS = ("sent", "delivered", "lost", "reordered", "duplicated", "max_n",
              "expected_ms", "last_ms", "gap_ms")
_CACHE_VARS = ("occupancy", "cached_in", "flushed", "dropped", "peak")
_flow_vars = attrgetter(*_FLOW_VARS)
_cache_vars = attrgetter(*_CACHE_VARS)


class Counters:
    """The DATA counters at some point of a trace; ``fold`` takes the next event."""

    def __init__(self, scenario: Scenario) -> None:
        self.sent = 0
        self.delivered = 0
        self.lost = 0
        self.lost_by_reason: dict[str, int] = {}
        self.caches = {m.name: CacheCounters(m.buffer_packets) for m in scenario.mags}
        cns = {c.name for c in scenario.cns}
        self.flows = [FlowCounters(f.src, f.dst, f.dst if f.src in cns else f.src,
                                   flow_interval_ms(f.rate_pps))
                      for f in scenario.flows]

    @property
    def queued(self) -> int:
        """Packets in flight or in a cache."""
        return self.sent - self.delivered - self.lost

    def fold(self, ev: TraceEvent) -> FlowCounters | None:
        """Count one DATA event (the headless hot path: no undo kept). Returns the
        flow on a delivery (first or repeated), else None."""
        kind = ev.kind
        if kind == "send":
            f = ev.fields
            if f["hop"] == 0:
                self.sent += 1
                self.flows[f["flow"]].sent += 1
        elif kind == "recv":
            pass  # a hop: counts nothing (the most frequent event after "send")
        elif kind == "deliver":
            f = ev.fields
            return self.deliver(f["flow"], f["n"], ev.t_ms)
        elif kind == "drop":
            f = ev.fields
            self.lost += 1
            reason = f["reason"]
            self.lost_by_reason[reason] = self.lost_by_reason.get(reason, 0) + 1
            fs = self.flows[f["flow"]]
            fs.lost += 1
            fs.seen.drop(f["n"])
            if reason == "buffer_overflow":
                cache = self.caches.get(ev.node)
                if cache is not None:
                    cache.dropped += 1
        elif kind == "buffer":
            f = ev.fields
            cache = self.caches[ev.node]
            occupancy = cache.occupancy = f["occupancy"]
            if f["op"] == "in":
                cache.cached_in += 1
                if occupancy > cache.peak:
                    cache.peak = occupancy
            else:
                cache.flushed += 1
        return None

    def send_first(self, flow: int) -> None:
        """A ``send`` with ``hop`` 0 (a packet leaves its source) of flow ``flow``:
        ``fold``'s, called directly by a metrics-only run (``MetricsOnlyDataPlane``)."""
        self.sent += 1
        self.flows[flow].sent += 1

    def deliver(self, flow: int, n: int, t_ms: float) -> FlowCounters:
        """A ``deliver`` of packet ``n`` of flow ``flow`` at ``t_ms`` (``fold``'s, also
        called directly by a metrics-only run); returns the flow."""
        fs = self.flows[flow]
        if fs.seen.deliver(n):
            fs.duplicated += 1
        else:
            fs.delivered += 1
            self.delivered += 1
        if n < fs.max_n:
            fs.reordered += 1
        else:
            fs.max_n = n
        last = fs.last_ms
        if last is None:  # the first delivery: from packet 0's expected arrival
            lead = n * fs.interval_ms
            fs.expected_ms = t_ms - lead
            fs.gap_ms = lead
        elif t_ms - last > fs.gap_ms:
            fs.gap_ms = t_ms - last
        fs.last_ms = t_ms
        return fs

    # -- snapshots and undo (the TUI's step back) ------------------------------------

    def dump(self) -> tuple[Any, ...]:
        """The counts for a snapshot, as plain values (names and capacities are the
        scenario's, so they stay out)."""
        return (self.sent, self.delivered, self.lost, dict(self.lost_by_reason),
                [_cache_vars(c) for c in self.caches.values()],
                [(*_flow_vars(fl), fl.seen.dump()) for fl in self.flows])

    def load(self, state: tuple[Any, ...]) -> None:
        """Become, in place, the counts ``dump`` returned."""
        self.sent, self.delivered, self.lost, lost_by_reason, caches, flows = state
        self.lost_by_reason = dict(lost_by_reason)
        for cache, values in zip(self.caches.values(), caches, strict=True):
            for name, value in zip(_CACHE_VARS, values, strict=True):
                setattr(cache, name, value)
        for flow, (*values, window) in zip(self.flows, flows, strict=True):
            for name, value in zip(_FLOW_VARS, values, strict=True):
                setattr(flow, name, value)
            flow.seen.load(window)

    def _saved(self, flow: FlowCounters, cache: CacheCounters | None,
               reason: str | None) -> tuple[Any, ...]:
        return (self.sent, self.delivered, self.lost, _flow_vars(flow),
                None if cache is None else _cache_vars(cache),
                _MISSING if reason is None else self.lost_by_reason.get(reason, _MISSING))

    def fold_undoable(self, ev: TraceEvent) -> tuple[Any, ...] | None:
        """``fold`` one DATA event; return what ``undo`` needs to take it back (None
        when the event changed nothing)."""
        f = ev.fields
        kind = ev.kind
        if kind == "recv" or (kind == "send" and f["hop"] != 0):
            return None  # ``fold`` counts neither (the step-back tests would notice)
        flow = self.flows[f["flow"]]
        cache = self.caches.get(ev.node)
        reason = f.get("reason")
        n = f["n"]
        window = flow.seen
        mark = window.mark(n)
        before = self._saved(flow, cache, reason)
        passed: list[int] = []
        window.log = passed
        try:
            self.fold(ev)
        finally:
            window.log = None
        if not passed and window.mark(n) == mark and self._saved(flow, cache, reason) == before:
            return None
        return (f["flow"], ev.node, reason, n, before, mark, tuple(passed))

    def undo(self, saved: tuple[Any, ...]) -> None:
        """Take back the ``fold_undoable`` that returned ``saved`` (the last one not
        undone yet)."""
        index, node, reason, n, before, mark, passed = saved
        self.sent, self.delivered, self.lost, flow_vars, cache_vars, count = before
        flow = self.flows[index]
        for name, value in zip(_FLOW_VARS, flow_vars, strict=True):
            setattr(flow, name, value)
        if cache_vars is not None:
            cache = self.caches[node]
            for name, value in zip(_CACHE_VARS, cache_vars, strict=True):
                setattr(cache, name, value)
        if reason is not None:
            if count is _MISSING:
                self.lost_by_reason.pop(reason, None)
            else:
                self.lost_by_reason[reason] = count
        flow.seen.unwind(n, mark, passed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Counters):
            return NotImplemented
        return (self.sent, self.delivered, self.lost, self.lost_by_reason, self.caches,
                self.flows) == (other.sent, other.delivered, other.lost,
                                other.lost_by_reason, other.caches, other.flows)

