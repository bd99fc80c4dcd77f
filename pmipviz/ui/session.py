"""Plain helpers around the Simulation for the app: loading, the play speeds, what
the topology highlights for an event. Textual-free."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pmipviz.export.ladder import control_label, state_label
from pmipviz.lesson.sentences import describe
from pmipviz.scenario import load_scenario
from pmipviz.scenario.model import Scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.topology_draw import PathHint

SPEEDS: tuple[float, ...] = (1, 2, 5, 10, 20, 60, 200, 1000)  # events per second
DEFAULT_SPEED = 3  # index: 10 events/s
PREFETCH = 4096  # events generated ahead in big scenarios
SMALL_MNS = 20  # up to this many MNs the whole run is generated at once
MAX_TICK_HZ = 30.0


def resolve(scenario: str | Path | Scenario) -> Scenario:
    """A Scenario from a shipped name, a path or a Scenario."""
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(str(scenario))


def is_small(scenario: Scenario) -> bool:
    """Small scenarios get their whole run generated (so ``event N/M`` is final)."""
    return len(scenario.mns) <= SMALL_MNS


def new_simulation(scenario: Scenario, mode: str | None = None) -> Simulation:
    """A Simulation at event 0, with the whole run known when the scenario is small."""
    sim = Simulation(scenario, mode, prefetch=PREFETCH, describe=describe)
    complete_if_small(sim)
    return sim


def complete_if_small(sim: Simulation) -> None:
    """Generate the rest of the run of a small scenario (the cursor does not move)."""
    if is_small(sim.scenario) and not sim.complete:
        sim.run_to_end()


def same_point(kept: Simulation, current: Simulation, mode: str) -> bool:
    """True when ``kept`` (the run a mode switch left, still at its cursor) is in
    ``mode`` and at the point ``current`` is at: same simulated time, same faults."""
    return (kept.mode == mode and kept.scenario.name == current.scenario.name
            and kept.now == current.now
            and kept.faults_so_far() == current.faults_so_far())


def fault_applied(sim: Simulation, key: str, window: int = 64) -> int:
    """The cursor just after the user's last fault took effect on interface ``key``:
    after the interface's own state change when it follows the fault event closely."""
    after = sim.actions[-1].after
    for j in range(after, min(len(sim.trace), after + window)):
        ev = sim.trace[j]
        if ev.kind == "state" and ev.fields.get("table") == "iface" and \
                ev.fields.get("key") == key:
            return j + 1
    return after + 1


def fault_ifaces(trace: Sequence[TraceEvent], cursor: int,
                 ifaces: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """The interface rows as the fault just applied leaves them, or None when the
    last applied event is not a fault. The trace records the fault first and the
    interface's own state change just after it; the topology shows the fault's
    effect at once: the ``after`` row of that state change when it follows at the
    same time, else (not generated yet) a broken interface as down."""
    if cursor <= 0 or cursor > len(trace):
        return None
    ev = trace[cursor - 1]
    key = str(ev.fields.get("interface") or ev.node)
    if ev.kind != "fault" or key not in ifaces:
        return None
    for j in range(cursor, min(len(trace), cursor + 16)):
        nxt = trace[j]
        if nxt.t_ms != ev.t_ms or nxt.kind == "fault":
            break
        f = nxt.fields
        if nxt.kind == "state" and f.get("table") == "iface" and f.get("key") == key:
            after = f.get("after")
            if not after:
                return None
            return {**ifaces, key: {**ifaces[key], **after}}
    if ev.fields.get("action") == "break" and not ev.fields.get("noop"):
        return {**ifaces, key: {**ifaces[key], "up": False}}
    return None


def tick_plan(speed: float) -> tuple[float, int]:
    """(timer interval in s, events per tick) for ``speed`` events per second."""
    interval = max(1.0 / speed, 1.0 / MAX_TICK_HZ)
    return interval, max(1, round(speed * interval))


def event_class(ev: TraceEvent) -> str:
    """The message class of an event, as the ladder colours it."""
    if ev.kind == "drop":
        return "DROP"
    if ev.kind == "fault":
        return "FAULT"
    if ev.kind == "buffer":
        return "BUFFER"
    if ev.kind == "state" or ev.msg is None:
        return "STATE"
    if ev.msg == "DATA":
        return "DATA_CACHED" if ev.fields.get("cached") else "DATA"
    return control_label(ev.msg, ev.fields)[1]


def event_label(ev: TraceEvent) -> str:
    """A short label of what the event carries or changes."""
    f = ev.fields
    if ev.kind == "buffer":
        verb = "caches" if f.get("op") == "in" else "flushes"
        return f"{verb} DATA n={f.get('n')} ({f.get('occupancy')}/{f.get('capacity')})"
    if ev.kind == "state":
        return state_label(f) or ev.note
    if ev.kind == "drop":
        what = f"DATA n={f.get('n')}" if ev.msg == "DATA" else str(ev.msg)
        return f"drops {what} ({f.get('reason', '?')})"
    if ev.msg == "DATA":
        cached = "cached " if ev.fields.get("cached") else ""
        return f"{cached}DATA n={ev.fields.get('n')}"
    if ev.msg is not None and ev.kind != "state":
        label = control_label(ev.msg, ev.fields)[0]
        return f"{ev.kind} {label}"
    return ev.note


def path_hint(ev: TraceEvent | None) -> PathHint:
    """The edge (or node) the topology highlights for ``ev``."""
    if ev is None:
        return PathHint()
    cls, label = event_class(ev), event_label(ev)
    if ev.kind == "send" and ev.peer is not None:
        return PathHint(ev.node, ev.peer, cls, label)
    if ev.kind in ("recv", "deliver") and ev.peer is not None:
        return PathHint(ev.peer, ev.node, cls, label)
    if ev.kind == "drop" and ev.peer is not None and ev.peer != ev.node:
        return PathHint(ev.peer, ev.node, cls, label)
    if ev.kind == "fault" and ev.peer is not None:
        return PathHint(ev.peer, ev.node, cls, label)
    return PathHint(ev.node, None, cls, label)
