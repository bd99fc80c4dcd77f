"""Same scenario + seed + user actions => the same trace, byte for byte; stepping
back is an exact undo; injected faults recompute the future deterministically."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import load_scenario
from pmipviz.scenario.model import Fault
from pmipviz.sim.simulation import Simulation
from tests.sim.traces import trace_of


def dump(events) -> str:
    return "\n".join(e.to_json() for e in events)


@pytest.mark.parametrize("name", ["figure1", "lossy-signaling", "move", "bad-mag"])
def test_headless_runs_are_identical(name) -> None:
    a, _, _ = trace_of(name)
    b, _, _ = trace_of(name)
    assert dump(a) == dump(b)


def test_seed_changes_a_lossy_run() -> None:
    a, _, _ = trace_of("lossy-signaling")
    b, _, _ = trace_of("lossy-signaling", seed=2)
    assert dump(a) != dump(b)


def test_trace_is_well_formed() -> None:
    events, metrics, _ = trace_of("restore")
    assert [e.i for e in events] == list(range(len(events)))
    assert all(x.t_ms <= y.t_ms for x, y in pairwise(events))
    assert all(e.note and e.note.strip() for e in events)
    assert metrics.events == len(events)
    for e in events:
        json.loads(e.to_json())


def test_simulation_matches_headless_trace() -> None:
    sim = Simulation(load_scenario("figure1"), describe=describe)
    sim.run_to_end()
    events, _, _ = trace_of("figure1")
    assert dump(sim.trace) == dump(events)


def view_snapshot(sim: Simulation) -> str:
    v = sim.state()
    return json.dumps([v.t_ms, v.index, v.bce, v.bul, v.routes, v.tunnels, v.ifaces,
                       [c.__dict__ for c in v.caches.values()],
                       [f.__dict__ for f in v.flows], v.lost_by_reason],
                      sort_keys=True, default=str)


def test_back_is_an_exact_undo() -> None:
    sim = Simulation(load_scenario("figure1"), prefetch=50)
    snapshots = []
    for _ in range(400):
        snapshots.append(view_snapshot(sim))
        assert sim.step() is not None
    for expected in reversed(snapshots):
        sim.back()
        assert view_snapshot(sim) == expected
    assert sim.back() is None and sim.cursor == 0


def test_injected_fault_recomputes_the_future_deterministically() -> None:
    sc = load_scenario("figure1")
    sim = Simulation(sc, prefetch=2000)
    sim.run(1500.0)
    before = dump(sim.trace[:sim.cursor])
    fault = sim.toggle_interface("mn1@example.org/IF1")
    assert fault.action == "restore" and fault.at_ms == sim.now
    assert dump(sim.trace[:sim.cursor]) == before  # the past is unchanged
    sim.run_to_end()
    again = Simulation(sc, actions=tuple(sim.actions))
    again.run_to_end()
    assert dump(again.trace) == dump(sim.trace)
    restores = [e for e in sim.trace if e.kind == "fault" and e.fields["action"] == "restore"]
    assert len(restores) == 1 and restores[0].t_ms == 1500.0


def test_stepping_back_across_an_injected_fault() -> None:
    sim = Simulation(load_scenario("figure1"))
    sim.run(600.0)
    cursor = sim.cursor
    before = view_snapshot(sim)
    sim.inject(Fault(0.0, "break", "mn1@example.org/IF2"))
    for _ in range(30):
        sim.step()
    assert not sim.view.ifaces["mn1@example.org/IF2"]["up"]
    sim.seek(cursor)
    assert view_snapshot(sim) == before


def test_mode_switch_keeps_time_and_faults() -> None:
    sim = Simulation(load_scenario("figure1"))
    sim.run(1200.0)
    sim.toggle_interface("mn1@example.org/IF2")
    other = sim.with_mode("rfc5213")
    assert other.mode == "rfc5213" and other.now <= 1200.0
    assert other.trace[other.cursor].t_ms > 1200.0 if other.cursor < other.total else True
    other.run_to_end()
    faults = [(e.t_ms, e.fields["action"], e.fields["interface"]) for e in other.trace
              if e.kind == "fault"]
    assert faults == [(1000.0, "break", "mn1@example.org/IF1"),
                      (1200.0, "break", "mn1@example.org/IF2")]


def test_trace_lines_read_back_as_the_same_events() -> None:
    from pmipviz.sim.trace import event_from_dict

    events, _, _ = trace_of("figure1")
    for e in events:
        assert event_from_dict(json.loads(e.to_json())).to_json() == e.to_json()
