"""The simpy world: a scenario's network run on a simpy Environment. Nodes wrap the
protocol machines, links carry messages with delay and seeded loss, flows send CBR
data, faults break / restore / move interfaces. Every step is reported as one
TraceEvent to the sinks.

One module per responsibility, put together here:

- ``network``: the nodes and links built from the scenario, the clock, ``transmit``
  and ``emit`` (the base of the others);
- ``host``: the MN host (attach, RS, RA, its address);
- ``control``: PBU, PBA and RA on the links, timers, table changes;
- ``dataplane``: the path a DATA packet takes, top-down;
- ``flows``: the CBR flows that make the packets;
- ``faults``: break / restore / move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pmipviz.protocol.actions import (
    Cache,
    Drop,
    Forward,
    SendPba,
    SendPbu,
    SendRa,
    StartTimer,
    StateChange,
    Uncache,
)
from pmipviz.scenario.model import Scenario
from pmipviz.sim.control import ControlPlane, MetricsOnlyControl
from pmipviz.sim.dataplane import HOP_LIMIT, MetricsOnlyDataPlane
from pmipviz.sim.faults import Faults
from pmipviz.sim.flows import Flows, FlowState
from pmipviz.sim.network import Iface, Link, Sink
from pmipviz.sim.steps import tagger_for
from pmipviz.sim.trace import Describe

__all__ = ["HOP_LIMIT", "FlowState", "Iface", "Link", "MetricsOnlyWorld", "Sink", "World"]


class World(Flows, Faults, ControlPlane):
    """Builds the network of a scenario and runs it on a simpy Environment."""

    def __init__(self, scenario: Scenario, mode: str | None = None, seed: int | None = None,
                 sinks: Iterable[Sink] = (), schedule_faults: bool = True,
                 describe: Describe | None = None) -> None:
        super().__init__(scenario, mode, seed, sinks, describe)
        self._init_flows(scenario)
        # Figure 1 steps, folded from the trace
        self.steps = None if self.metrics_only else tagger_for(scenario, self.mode)
        self._tag = self.steps.step if self.steps is not None else None
        self._handlers = self._handler_table()
        self._schedule(scenario, schedule_faults)

    def _handler_table(self) -> dict[type, Callable[[str, Any], None]]:
        """Who carries out each action a protocol machine returns."""
        return {
            StateChange: self._state,
            SendPbu: self._send_pbu,
            SendPba: lambda _node, a: self._send_pba(a),
            SendRa: self._send_ra,
            StartTimer: lambda node, a: self.after(a.delay_ms, self._fire, node, a.timer),
            Forward: self._forward,
            Cache: self._buffer,
            Uncache: self._buffer,
            Drop: self._drop_action,
        }

    def _schedule(self, scenario: Scenario, schedule_faults: bool) -> None:
        """The scenario's timeline: each interface's attach, each flow's start, the faults."""
        for key, iface in self.ifaces.items():
            self.at(self._attach_ms[key], self._attach_initial, iface)
        for flow in self.flows:
            if flow.spec.start_ms < flow.spec.stop_ms:
                self.at(flow.spec.start_ms, self._flow_tick, flow)
        if schedule_faults:
            for fault in scenario.faults:
                self.at(fault.at_ms, self.apply_fault, fault)


class MetricsOnlyWorld(MetricsOnlyControl, MetricsOnlyDataPlane, World):
    """A World whose only sink is the metrics (a sweep's run): its events carry no
    Figure 1 step, no TraceEvent is built for a DATA send, hop or delivery, and the
    other events' fields are only the ones the metrics read; the metrics are the same
    as a World's (``tests/sim/test_metrics_only.py``)."""
