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
costs the DATA fold nothing.

A handover's first delivery and first delivery on a new path are kept per flow
direction. Downlink (``first_new_path_ms``, ``interruption_ms``, unchanged): a delivery
of one of the MN's downlink flows to one of its interfaces, on a new path when to
another interface or from another MAG than the handover's. Uplink
(``uplink_first_new_path_ms``, ``uplink_interruption_ms``): a delivery at the CN of one
of the MN's uplink flows; it ends the interruption only if the packet left the MN after
the fault (a packet already past the access link was never in the fault's way), and it
is on a new path when it left by another interface or through another MAG than the
handover's. Where an uplink packet left the MN is its first hop's ``send``, kept until
its delivery or drop. With several flows of the MN in one direction, the earliest
delivery of any of them counts."""

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
    index: int = 0  # the fault's place in the trace (``Metrics.events`` then)
    up_first_new_path_ms: float | None = None  # the uplink flows' (deliveries at the CN)
    up_first_delivery_ms: float | None = None
    directions: tuple[bool, bool] = (True, True)  # the MN has (downlink, uplink) flows
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
        up_interruption = (None if self.up_first_delivery_ms is None
                           else round(self.up_first_delivery_ms - self.fault_ms, 6))
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
            "uplink_first_new_path_ms": self.up_first_new_path_ms,
            "uplink_interruption_ms": up_interruption,
        }

    def found(self) -> bool:
        """Both directions the MN has flows in have had their first new-path delivery:
        nothing more to wait for."""
        down, up = self.directions
        return ((not down or self.first_new_path_ms is not None)
                and (not up or self.up_first_new_path_ms is not None))


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
        # by uplink flow index: where each packet in flight left the MN (its interface,
        # the MAG, the event count at its send), kept from its send to its fate
        self._origins: dict[int, dict[int, tuple[str, str | None, int]]] = {}
        for i, fl in enumerate(self.flows):
            self._mn_flows[fl.mn_id] = (*self._mn_flows.get(fl.mn_id, ()), fl)
            if fl.src == fl.mn_id:
                self._origins[i] = {}
        self.wall_s = 0.0

    # a run's metrics are one object, not a value (``Counters`` compares by value)
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __call__(self, ev: TraceEvent) -> None:
        self.events += 1
        if ev.msg == "DATA":
            fs = self.fold(ev)
            if fs is not None:
                origin = self._origins[ev.fields["flow"]].pop(ev.fields["n"], None) \
                    if self._origins and fs.src == fs.mn_id else None
                if self._waiting:
                    self._delivered(fs, ev.t_ms, ev.node, ev.peer, origin)
            elif self._origins:
                self._uplink_origin(ev)
        elif ev.kind == "fault":
            self._fault(ev)
        elif self._open:
            self._signalling(ev)

    @property
    def buffer_peak(self) -> dict[str, int]:
        """The most packets each MAG's cache held at once."""
        return {name: c.peak for name, c in self.caches.items()}

    def _uplink_origin(self, ev: TraceEvent) -> None:
        """An uplink packet leaves the MN (its first hop: remember the interface, the
        MAG and when) or is dropped (forget it)."""
        f = ev.fields
        origins = self._origins.get(f["flow"])
        if origins is None:
            return
        if ev.kind == "send" and f["hop"] == 0:
            origins[f["n"]] = (ev.node, ev.peer, self.events)
        elif ev.kind == "drop":
            origins.pop(f["n"], None)

    # -- a metrics-only run's DATA events, folded without a TraceEvent -------------

    def data_sent_first(self, flow: int, n: int, node: str, peer: str) -> None:
        """A ``send`` with ``hop`` 0 (packet ``n`` of flow ``flow`` leaves ``node`` for
        ``peer``), folded without its event (``MetricsOnlyDataPlane._hop``): what
        ``__call__`` does with it."""
        self.events += 1
        self.send_first(flow)
        if self._origins:
            origins = self._origins.get(flow)
            if origins is not None:
                origins[n] = (node, peer, self.events)

    def data_delivered(self, flow: int, n: int, t_ms: float, node: str, peer: str) -> None:
        """A ``deliver`` of packet ``n`` of flow ``flow`` to ``node`` from ``peer`` at
        ``t_ms``, folded without its event (``MetricsOnlyDataPlane._deliver``): what
        ``__call__`` does with it."""
        self.events += 1
        fs = self.deliver(flow, n, t_ms)
        origin = self._origins[flow].pop(n, None) \
            if self._origins and fs.src == fs.mn_id else None
        if self._waiting:
            self._delivered(fs, t_ms, node, peer, origin)

    def _delivered(self, fs: FlowCounters, t_ms: float, node: str, peer: str | None,
                   origin: tuple[str, str | None, int] | None) -> None:
        """A delivery ends the wait for the first delivery (and for the first on a
        new path) of the MN's open handovers, in its flow's direction: a downlink
        packet delivered to one of the MN's interfaces; an uplink packet delivered to
        the CN, counted for the first delivery only if it left the MN after the fault
        (one already past the access link was never in the fault's way), on a new
        path if it left by another interface or through another MAG than the
        handover's (``origin``: where it left the MN)."""
        waiting = self._waiting.get(fs.mn_id)
        if not waiting:
            return
        if fs.src == fs.mn_id:  # uplink
            if origin is None:  # a repeat delivery: its first one counted already
                return
            key, mag, sent_at = origin
            for ho in waiting:
                if ho.up_first_delivery_ms is None and sent_at > ho.index:
                    ho.up_first_delivery_ms = t_ms
                if ho.up_first_new_path_ms is None and (key != ho.interface or mag != ho.mag):
                    ho.up_first_new_path_ms = t_ms
        else:
            if "/" not in node:  # only deliveries to the MN's interfaces
                return
            for ho in waiting:
                if ho.first_delivery_ms is None:
                    ho.first_delivery_ms = t_ms
                if ho.first_new_path_ms is None and (node != ho.interface
                                                     or peer != ho.mag):
                    ho.first_new_path_ms = t_ms
        waiting[:] = [ho for ho in waiting if not ho.found()]

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
        flows = self._mn_flows.get(mn_id, ())
        ho = _Handover(key, mn_id, f.get("mag"), ev.t_ms, flows=flows, index=self.events,
                       directions=(any(fl.src != mn_id for fl in flows),
                                   any(fl.src == mn_id for fl in flows)))
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
