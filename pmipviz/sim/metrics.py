"""Metrics (DESIGN.md, `run --json`) folded from the trace events alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent


class DeliveryWindow:
    """Which packet numbers of one flow were delivered, in memory bounded by the
    packets still outstanding rather than by the run's length.

    Every number below ``low`` is settled: delivered, or dropped (a drop is a
    packet's fate: the model never copies a packet, so a dropped number is never
    delivered afterwards). ``delivered`` and ``dropped`` hold the settled numbers at
    or above ``low``; ``low`` moves up past every settled number, so the sets only
    hold what was settled after the oldest packet still in flight or in a cache.
    A delivery below ``low`` is therefore a repeat of an earlier delivery."""

    __slots__ = ("delivered", "dropped", "low")

    def __init__(self) -> None:
        self.low = 0
        self.delivered: set[int] = set()
        self.dropped: set[int] = set()

    def deliver(self, n: int) -> bool:
        """Record a delivery of ``n``; True when ``n`` had been delivered before."""
        if n < self.low or n in self.delivered:
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
            else:
                break
            low += 1
        self.low = low

    def __len__(self) -> int:
        """Numbers held (the memory the window costs, in set elements)."""
        return len(self.delivered) + len(self.dropped)


@dataclass
class _FlowStats:
    src: str
    dst: str
    mn_id: str
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    reordered: int = 0
    duplicated: int = 0
    max_n: int = -1
    last_ms: float | None = None
    max_gap_ms: float = 0.0
    seen: DeliveryWindow = field(default_factory=DeliveryWindow)


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

    def row(self) -> dict[str, Any]:
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
        }


class Metrics:
    """A sink that folds the trace into the metrics of DESIGN.md."""

    def __init__(self, scenario: Scenario, mode: str, seed: int) -> None:
        self.scenario = scenario
        self.mode = mode
        self.seed = seed
        self.events = 0
        self.sent = 0
        self.delivered = 0
        self.lost = 0
        self.lost_by_reason: dict[str, int] = {}
        self.buffer_peak = {m.name: 0 for m in scenario.mags}
        self.flows = []
        for f in scenario.flows:
            mn = f.dst if any(c.name == f.src for c in scenario.cns) else f.src
            self.flows.append(_FlowStats(f.src, f.dst, mn))
        self.handovers: list[_Handover] = []
        self._open: dict[str, _Handover] = {}  # by interface key
        self._waiting: dict[str, list[_Handover]] = {}  # by MN: no new-path delivery yet
        self.wall_s = 0.0

    def __call__(self, ev: TraceEvent) -> None:
        self.events += 1
        kind = ev.kind
        if ev.msg == "DATA":
            f = ev.fields
            if kind == "send" and f["hop"] == 0:
                self.sent += 1
                self.flows[f["flow"]].sent += 1
            elif kind == "deliver":
                self._deliver(ev)
            elif kind == "drop":
                self.lost += 1
                reason = f["reason"]
                self.lost_by_reason[reason] = self.lost_by_reason.get(reason, 0) + 1
                fs = self.flows[f["flow"]]
                fs.lost += 1
                fs.seen.drop(f["n"])
            elif kind == "buffer" and f["op"] == "in":
                peak = self.buffer_peak.get(ev.node, 0)
                if f["occupancy"] > peak:
                    self.buffer_peak[ev.node] = f["occupancy"]
        elif kind == "fault":
            self._fault(ev)
        elif self._open:
            self._signalling(ev)

    def _deliver(self, ev: TraceEvent) -> None:
        f = ev.fields
        fs = self.flows[f["flow"]]
        n = f["n"]
        if fs.seen.deliver(n):
            fs.duplicated += 1
        else:
            fs.delivered += 1
            self.delivered += 1
        if n < fs.max_n:
            fs.reordered += 1
        fs.max_n = max(fs.max_n, n)
        if fs.last_ms is not None:
            fs.max_gap_ms = max(fs.max_gap_ms, ev.t_ms - fs.last_ms)
        fs.last_ms = ev.t_ms
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
        self._close(key)  # a restore, or a new fault, ends the interface's handover
        if f["action"] not in ("break", "move"):
            return
        ho = _Handover(key, IfaceKey.parse(key).mn_id, f.get("mag"), ev.t_ms)
        self.handovers.append(ho)
        self._open[key] = ho
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

    @property
    def queued(self) -> int:
        return self.sent - self.delivered - self.lost

    def to_dict(self) -> dict[str, Any]:
        """The `run --json` document."""
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
            "buffer_peak": dict(self.buffer_peak),
            "flows": [
                {"from": f.src, "to": f.dst, "sent": f.sent, "delivered": f.delivered,
                 "lost": f.lost, "reordered": f.reordered, "max_gap_ms": round(f.max_gap_ms, 6)}
                for f in self.flows
            ],
            "handovers": [h.row() for h in self.handovers],
            "wall_s": round(self.wall_s, 4),
            "events_per_s": round(self.events / self.wall_s, 1) if self.wall_s > 0 else 0.0,
        }
