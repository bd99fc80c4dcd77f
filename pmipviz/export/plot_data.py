"""What a delivery or cache-occupancy plot shows, folded from trace events alone.

No plotting library here: ``pmipviz plot`` draws this data with matplotlib
(``export.plot_figure``) and a TUI view can draw the same data. Every fact comes from
an event's ``kind``, ``node``, ``msg``, ``fields`` and ``step``, never from its ``note``;
the scenario gives only names (which MN owns which flow, the MAGs and their caches).

``PlotFold`` is a sink (give it every event in order, then read :meth:`PlotFold.delivery`
or :meth:`PlotFold.occupancy`); :func:`delivery_data` and :func:`occupancy_data` fold
a finished list of events.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario.model import Scenario
from pmipviz.sim.counters import flow_interval_ms
from pmipviz.sim.trace import TraceEvent

MARKER_KINDS = ("fault", "dereg", "pba", "flush")
"""The vertical markers, in the order of a handover."""

_MARKER_NAMES = {"dereg": "DeReg PBU", "pba": "PBA", "flush": "flush"}


@dataclass(frozen=True, slots=True)
class PacketMark:
    """One packet event of a flow: sent by its source, delivered, or lost.

    ``cached``: the delivered packet went through a MAG cache; ``reordered``: it was
    delivered after a packet of its flow with a higher number; ``reason``: why a lost
    packet was dropped."""

    t_ms: float
    flow: int
    n: int
    cached: bool = False
    reordered: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical marker: a fault, a DeReg PBU sent, its PBA received, a flush begun.

    ``step`` is the trace's Figure 1 step of the event (None outside ft mode)."""

    t_ms: float
    kind: str  # one of MARKER_KINDS
    node: str
    step: int | None
    detail: str = ""  # a fault's "IF1 break"

    @property
    def label(self) -> str:
        """``"(3) DeReg PBU"``, ``"IF1 break"``: the step number first when there is one."""
        name = self.detail if self.kind == "fault" else _MARKER_NAMES[self.kind]
        return name if self.step is None else f"({self.step}) {name}"


@dataclass(frozen=True, slots=True)
class Outage:
    """The longest time without a delivery to the MN, over its flows' life: from
    their first expected arrival to their last (as the metrics' ``max_gap_ms``).
    ``open``: no delivery ended it (it runs from the last delivery, or the window's
    start, to the last expected arrival of the packets sent so far)."""

    start_ms: float
    end_ms: float
    open: bool = False

    @property
    def duration_ms(self) -> float:
        return round(self.end_ms - self.start_ms, 6)

    @property
    def label(self) -> str:
        """``"outage 36 ms"``, or ``"outage ≥ 1510 ms"`` when it never ended."""
        return f"outage {'≥ ' if self.open else ''}{self.duration_ms:g} ms"


@dataclass(frozen=True)
class DeliveryData:
    """One MN's flows in a time window: packets sent, delivered and lost, the
    handover markers and the outage."""

    mn: str
    flows: tuple[int, ...]
    from_ms: float
    until_ms: float
    sent: tuple[PacketMark, ...]
    delivered: tuple[PacketMark, ...]
    lost: tuple[PacketMark, ...]
    markers: tuple[Marker, ...]
    outage: Outage | None

    @property
    def lost_reasons(self) -> tuple[str, ...]:
        """The reasons of the lost packets, sorted."""
        return tuple(sorted({p.reason or "unknown" for p in self.lost}))


@dataclass(frozen=True)
class OccupancyData:
    """Each MAG's cache occupancy in a time window, as steps ``(t_ms, packets)``
    starting at ``from_ms`` and ending at ``until_ms``; the markers of one MN."""

    from_ms: float
    until_ms: float
    series: tuple[tuple[str, tuple[tuple[float, int], ...]], ...]  # (MAG, steps)
    capacity: tuple[tuple[str, int], ...]  # (MAG, buffer_packets)
    markers: tuple[Marker, ...]

    @property
    def peak(self) -> int:
        """The most packets any cache held in the window."""
        return max((n for _, steps in self.series for _, n in steps), default=0)


def flow_owners(scenario: Scenario) -> tuple[str, ...]:
    """The MN end of each flow, by flow index (the ``flow`` field of DATA events)."""
    cns = {c.name for c in scenario.cns}
    return tuple(f.dst if f.src in cns else f.src for f in scenario.flows)


def default_mn(scenario: Scenario) -> str | None:
    """The first MN (in the scenario's order) that has a flow; None without flows."""
    owners = set(flow_owners(scenario))
    return next((mn.id for mn in scenario.mns if mn.id in owners), None)


class PlotFold:
    """A sink folding the events a plot of ``mn`` needs, within ``from_ms..until_ms``.

    ``owners`` is :func:`flow_owners`; ``mags`` the (name, cache capacity) of each MAG;
    ``intervals`` each flow's sending interval (:func:`flow_intervals`, what the outage's
    expected arrivals need; without it the outage is taken between deliveries only)."""

    def __init__(self, owners: Sequence[str], mags: Sequence[tuple[str, int]],
                 mn: str | None, *, from_ms: float = 0.0,
                 until_ms: float = math.inf, intervals: Sequence[float] = ()) -> None:
        self.mn = mn
        self.flows = tuple(i for i, owner in enumerate(owners) if owner == mn)
        self._mine = frozenset(self.flows)
        self.from_ms = from_ms
        self.until_ms = until_ms
        self.sent: list[PacketMark] = []
        self.delivered: list[PacketMark] = []
        self.lost: list[PacketMark] = []
        self.markers: list[Marker] = []
        self.mags = tuple(mags)
        self._occupancy: dict[str, list[tuple[float, int]]] = {m: [] for m, _ in mags}
        self._start_occupancy: dict[str, int] = dict.fromkeys(self._occupancy, 0)
        self._max_n: dict[int, int] = {}
        self._last_buffer_op: dict[str, str] = {}  # by MAG, for this MN's packets
        self._deliveries: list[float] = []  # every delivery time, the window's only
        self._intervals = tuple(intervals)
        self._expected: dict[int, float] = {}  # by flow: packet 0's expected arrival
        self._last_sent: dict[int, int] = {}  # by flow: the number of its last packet

    def __call__(self, ev: TraceEvent) -> None:
        t = ev.t_ms
        if t > self.until_ms:
            return
        inside = t >= self.from_ms
        kind = ev.kind
        f = ev.fields
        if ev.msg == "DATA":
            if kind == "buffer":
                self._buffer(ev, inside)
            if f.get("flow") in self._mine:
                self._data(ev, inside)
        elif not inside:
            return
        elif kind == "fault":
            key = IfaceKey.parse(f["interface"])
            if not f.get("noop") and key.mn_id == self.mn:
                detail = f"{key.name} {f.get('action', 'fault')}"
                self.markers.append(Marker(t, "fault", ev.node, ev.step, detail))
        elif ev.msg in ("PBU", "PBA") and f.get("lifetime_s") == 0 and \
                f.get("mn_id") == self.mn:
            if ev.msg == "PBU" and kind == "send":
                self.markers.append(Marker(t, "dereg", ev.node, ev.step))
            elif ev.msg == "PBA" and kind == "recv":
                self.markers.append(Marker(t, "pba", ev.node, ev.step))

    def _buffer(self, ev: TraceEvent, inside: bool) -> None:
        f = ev.fields
        series = self._occupancy.get(ev.node)
        if series is None:
            return
        if inside:
            series.append((ev.t_ms, f["occupancy"]))
        else:
            self._start_occupancy[ev.node] = f["occupancy"]
        if f.get("flow") not in self._mine:
            return
        op = f["op"]
        before = self._last_buffer_op.get(ev.node)
        self._last_buffer_op[ev.node] = op
        if inside and op == "out" and before != "out":
            self.markers.append(Marker(ev.t_ms, "flush", ev.node, ev.step))

    def _data(self, ev: TraceEvent, inside: bool) -> None:
        f = ev.fields
        kind = ev.kind
        flow, n = f["flow"], f["n"]
        if kind == "deliver":
            if flow not in self._expected and flow < len(self._intervals):
                self._expected[flow] = ev.t_ms - n * self._intervals[flow]
            high = self._max_n.get(flow, -1)
            reordered = n < high
            if not reordered:
                self._max_n[flow] = n
            if inside:
                self.delivered.append(PacketMark(ev.t_ms, flow, n, cached=bool(f.get("cached")),
                                                 reordered=reordered))
                self._deliveries.append(ev.t_ms)
        elif kind == "send" and f.get("hop") == 0:
            self._last_sent[flow] = n
            if inside:
                self.sent.append(PacketMark(ev.t_ms, flow, n))
        elif not inside:
            return
        elif kind == "drop":
            reason = f.get("reason")  # a Reason (a StrEnum) live, a str read from a file
            self.lost.append(PacketMark(ev.t_ms, flow, n,
                                        reason=None if reason is None else str(reason)))

    def _life(self) -> tuple[float, float] | None:
        """The first and the last expected arrival of the MN's flows' packets sent so
        far, within the window; None before any of its flows delivered."""
        spans = [(e0, e0 + self._last_sent.get(flow, 0) * self._intervals[flow])
                 for flow, e0 in self._expected.items()]
        if not spans:
            return None
        return (max(min(s for s, _ in spans), self.from_ms),
                min(max(e for _, e in spans), self.until_ms))

    def outage(self) -> Outage | None:
        """The longest time without a delivery over the MN's flows' life (see
        :class:`Outage`): from the first expected arrival (or the window's start) to
        the first delivery, between two deliveries, or from the last delivery to the
        last expected arrival (or the window's end; an open outage). None before any
        of the MN's flows delivered."""
        life = self._life()
        times = self._deliveries
        if life is None and not times:
            return None
        start, end = life if life is not None else (times[0], times[-1])
        best: Outage | None = None
        points = [start, *times] if times and start < times[0] else times
        for a, b in itertools.pairwise(points):
            if best is None or b - a > best.end_ms - best.start_ms:
                best = Outage(a, b)
        last = times[-1] if times else start
        if end > last and (best is None or end - last > best.end_ms - best.start_ms):
            best = Outage(last, end, open=True)
        return best

    def _until(self) -> float:
        if math.isfinite(self.until_ms):
            return self.until_ms
        last = [t for t, _ in (s[-1] for s in self._occupancy.values() if s)]
        data = [p.t_ms for p in (*self.sent[-1:], *self.delivered[-1:], *self.lost[-1:])]
        life = self._life()
        return max([self.from_ms, *last, *data, *(life[1:] if life else ())])

    def delivery(self) -> DeliveryData:
        """The delivery plot's data so far."""
        return DeliveryData(
            mn=self.mn or "", flows=self.flows, from_ms=self.from_ms, until_ms=self._until(),
            sent=tuple(self.sent), delivered=tuple(self.delivered), lost=tuple(self.lost),
            markers=tuple(self.markers), outage=self.outage())

    def occupancy(self) -> OccupancyData:
        """The occupancy plot's data so far: a step at ``from_ms`` (what each cache
        held then) and one at the end of the window, around the buffer events."""
        until = self._until()
        series = tuple(
            (mag, ((self.from_ms, self._start_occupancy[mag]), *steps,
                   (until, steps[-1][1] if steps else self._start_occupancy[mag])))
            for mag, steps in self._occupancy.items())
        return OccupancyData(self.from_ms, until, series, self.mags, tuple(self.markers))


def flow_intervals(scenario: Scenario) -> tuple[float, ...]:
    """Each flow's sending interval, by flow index (what the metrics' fold uses)."""
    return tuple(flow_interval_ms(f.rate_pps) for f in scenario.flows)


def plot_fold(scenario: Scenario, mn: str | None, *, from_ms: float = 0.0,
              until_ms: float = math.inf) -> PlotFold:
    """A :class:`PlotFold` for ``scenario``'s flows and MAGs."""
    return PlotFold(flow_owners(scenario), [(m.name, m.buffer_packets) for m in scenario.mags],
                    mn, from_ms=from_ms, until_ms=until_ms,
                    intervals=flow_intervals(scenario))


def delivery_data(events: Iterable[TraceEvent], scenario: Scenario, mn: str, *,
                  from_ms: float = 0.0, until_ms: float = math.inf) -> DeliveryData:
    """The delivery plot of ``mn`` over ``events``."""
    fold = plot_fold(scenario, mn, from_ms=from_ms, until_ms=until_ms)
    for ev in events:
        fold(ev)
    return fold.delivery()


def occupancy_data(events: Iterable[TraceEvent], scenario: Scenario, mn: str | None, *,
                   from_ms: float = 0.0, until_ms: float = math.inf) -> OccupancyData:
    """Each MAG's cache occupancy over ``events`` (with the markers of ``mn``)."""
    fold = plot_fold(scenario, mn, from_ms=from_ms, until_ms=until_ms)
    for ev in events:
        fold(ev)
    return fold.occupancy()
