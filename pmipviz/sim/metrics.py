"""Metrics (DESIGN.md, `run --json`) folded from the trace events alone: the DATA
counters the TUI shows too (``Counters``), plus the handovers.

A handover (a ``break`` or ``move`` fault) owns the fates of its MN's packets from
its fault to the MN's next fault (any interface, any action: break, move, restore;
no-op faults change nothing), or to the end of the run (``end_ms`` null): its
``lost`` counts the drops of the MN's flows' packets in that span, its ``reordered``
their deliveries after a higher-numbered packet of the same flow (the flows'
``reordered`` rule). Attribution is by the time of the fate, not the send: a packet
sent before the fault and lost on the broken link is the handover's; a loss before
the MN's first fault belongs to no handover. So a loss or reordering is counted by
at most one handover, and the handovers' sums never exceed the flows'. The counts
are the growth of the MN's flows' own ``lost`` and ``reordered`` over the span (a
fault takes their sums; the next fault, or the document, the difference), which
costs the DATA fold nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario.model import Scenario
from pmipviz.sim.counters import Counters, DeliveryWindow, FlowCounters
from pmipviz.sim.trace import TraceEvent

__all__ = ["RUN_TO_RUN", "DeliveryWindow", "Metrics"]

# the keys of the `run --json` document that change from run to run (wall-clock time):
# ``timing``, and the two top-level copies of its values the document has always had;
# without them two runs of the same scenario, mode and seed are equal
RUN_TO_RUN = ("wall_s", "events_per_s", "timing")


@dataclass
class _Handover:
    interface: str
    mn_id: str
    mag: str | None
    fault_ms: float
    dereg_ms: float | None = None
    switch_ms: float | None = None
    pba_ms: float | None = None
    first_new_path_ms: float | None = None
    first_delivery_ms: float | None = None
    end_ms: float | None = None  # the MN's next fault (None: not yet, the run's end)
    flows: tuple[FlowCounters, ...] = field(default=(), repr=False)  # the MN's flows
    lost: int = 0  # while open: the MN's flows' sums at the fault; then: the growth
    reordered: int = 0

    def totals(self) -> tuple[int, int]:
        """The sums of ``lost`` and ``reordered`` over the MN's flows, now."""
        return sum(f.lost for f in self.flows), sum(f.reordered for f in self.flows)

    def charged(self) -> tuple[int, int]:
        """What the handover lost and reordered: its span's counts once it ended, the
        growth since its fault while it is open."""
        if self.end_ms is not None:
            return self.lost, self.reordered
        lost, reordered = self.totals()
        return lost - self.lost, reordered - self.reordered

    def end(self, t_ms: float) -> None:
        """The MN's next fault, at ``t_ms``, ends the span: keep its counts."""
        self.lost, self.reordered = self.charged()
        self.end_ms = t_ms

    def row(self) -> dict[str, Any]:
        lost, reordered = self.charged()
        interruption = (None if self.first_delivery_ms is None
                        else round(self.first_delivery_ms - self.fault_ms, 6))
        return {
            "interface": self.interface,
            "fault_ms": self.fault_ms,
            "dereg_ms": self.dereg_ms,
            "switch_ms": self.switch_ms,
            "pba_ms": self.pba_ms,
            "first_new_path_ms": self.first_new_path_ms,
            "interruption_ms": interruption,
            "end_ms": self.end_ms,
            "lost": lost,
            "reordered": reordered,
        }


class Metrics(Counters):
    """A sink that folds the trace into the metrics of DESIGN.md: the DATA counters
    (one fold with the TUI's, ``Counters``) and the handovers."""

    def __init__(self, scenario: Scenario, mode: str, seed: int) -> None:
        super().__init__(scenario)
        self.scenario = scenario
        self.mode = mode
        self.seed = seed
        self.events = 0
        self.handovers: list[_Handover] = []
        self._open: dict[str, _Handover] = {}  # by interface key
        self._waiting: dict[str, list[_Handover]] = {}  # by MN: no new-path delivery yet
        self._current: dict[str, _Handover] = {}  # by MN: the handover owning its fates
        self._mn_flows: dict[str, tuple[FlowCounters, ...]] = {}  # by MN: its flows
        for fl in self.flows:
            self._mn_flows[fl.mn_id] = (*self._mn_flows.get(fl.mn_id, ()), fl)
        self.wall_s = 0.0

    # a run's metrics are one object, not a value (``Counters`` compares by value)
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __call__(self, ev: TraceEvent) -> None:
        self.events += 1
        if ev.msg == "DATA":
            fs = self.fold(ev)
            if fs is not None and self._waiting:
                self._delivered(fs, ev)
        elif ev.kind == "fault":
            self._fault(ev)
        elif self._open:
            self._signalling(ev)

    @property
    def buffer_peak(self) -> dict[str, int]:
        """The most packets each MAG's cache held at once."""
        return {name: c.peak for name, c in self.caches.items()}

    def _delivered(self, fs: FlowCounters, ev: TraceEvent) -> None:
        """A delivery ends the wait for the first delivery (and for the first on a
        new path) of the MN's open handovers."""
        waiting = self._waiting.get(fs.mn_id)
        if not waiting or "/" not in ev.node:  # only deliveries to the MN's interfaces
            return
        for ho in waiting:
            if ho.first_delivery_ms is None:
                ho.first_delivery_ms = ev.t_ms
            if ev.node != ho.interface or ev.peer != ho.mag:
                ho.first_new_path_ms = ev.t_ms
        waiting[:] = [ho for ho in waiting if ho.first_new_path_ms is None]

    def _fault(self, ev: TraceEvent) -> None:
        f = ev.fields
        if f.get("noop"):
            return
        key = f["interface"]
        mn_id = IfaceKey.parse(key).mn_id
        self._close(key)  # a restore, or a new fault, ends the interface's handover
        current = self._current.pop(mn_id, None)  # any fault of the MN ends the span
        if current is not None:
            current.end(ev.t_ms)
        if f["action"] not in ("break", "move"):
            return
        ho = _Handover(key, mn_id, f.get("mag"), ev.t_ms, flows=self._mn_flows.get(mn_id, ()))
        ho.lost, ho.reordered = ho.totals()
        self.handovers.append(ho)
        self._open[key] = ho
        self._current[mn_id] = ho
        self._waiting.setdefault(ho.mn_id, []).append(ho)

    def _signalling(self, ev: TraceEvent) -> None:
        f = ev.fields
        if ev.msg == "PBU" and ev.kind == "send" and f.get("lifetime_s") == 0:
            for ho in self._open.values():
                if ho.dereg_ms is None and ho.mn_id == f.get("mn_id") and ev.node == ho.mag:
                    ho.dereg_ms = ev.t_ms
        elif ev.msg == "PBA" and ev.kind == "recv" and f.get("lifetime_s") == 0:
            for ho in self._open.values():
                if (ho.pba_ms is None and ho.dereg_ms is not None and ho.mn_id == f.get("mn_id")
                        and ev.node == ho.mag):
                    ho.pba_ms = ev.t_ms
        elif ev.kind == "state" and f.get("table") == "route" and f.get("after"):
            for ho in self._open.values():
                if ho.switch_ms is None and ho.mn_id == f.get("key"):
                    ho.switch_ms = ev.t_ms
        elif ev.kind == "state" and f.get("table") == "bce" and f.get("cause") == "handoff":
            after = f.get("after") or {}
            for ho in self._open.values():
                if ho.switch_ms is None and ho.mn_id == after.get("mn_id"):
                    ho.switch_ms = ev.t_ms

    def _close(self, key: str) -> None:
        ho = self._open.pop(key, None)
        if ho is not None and ho in self._waiting.get(ho.mn_id, []):
            self._waiting[ho.mn_id].remove(ho)

    def to_dict(self) -> dict[str, Any]:
        """The `run --json` document: deterministic values, then the run-to-run ones
        (``RUN_TO_RUN``): ``wall_s`` and ``events_per_s``, and both again under
        ``timing``."""
        wall_s = round(self.wall_s, 4)
        events_per_s = round(self.events / self.wall_s, 1) if self.wall_s > 0 else 0.0
        return {
            "scenario": self.scenario.name,
            "mode": self.mode,
            "seed": self.seed,
            "events": self.events,
            "sent": self.sent,
            "delivered": self.delivered,
            "lost": self.lost,
            "queued": self.queued,
            "lost_by_reason": dict(sorted(self.lost_by_reason.items())),
            "duplicated": sum(f.duplicated for f in self.flows),
            "reordered": sum(f.reordered for f in self.flows),
            "buffer_peak": self.buffer_peak,
            "flows": [
                {"from": f.src, "to": f.dst, "sent": f.sent, "delivered": f.delivered,
                 "lost": f.lost, "reordered": f.reordered, "max_gap_ms": round(f.max_gap_ms, 6)}
                for f in self.flows
            ],
            "handovers": [h.row() for h in self.handovers],
            "wall_s": wall_s,
            "events_per_s": events_per_s,
            "timing": {"wall_s": wall_s, "events_per_s": events_per_s},
        }
