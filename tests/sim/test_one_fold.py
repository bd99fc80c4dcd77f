"""One fold: the counters the TUI shows (``Simulation.state()``: flows, caches, losses)
are the metrics JSON's, at every 100th event of every shipped scenario in both
modes, and after stepping back; "delivered" counts a packet once on both sides."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipviz.scenario import MODES, load_scenario, shipped_scenarios
from pmipviz.sim.counters import Counters
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.state import StateView
from pmipviz.sim.trace import TraceEvent

EVERY = 100
FIGURE1 = load_scenario("figure1")


def shown(view: StateView) -> dict[str, Any]:
    """The view's counters in the metrics JSON's terms (what the caches pane and the
    flow lines read: ``flows``, ``caches``, ``lost_by_reason``)."""
    flows = view.flows
    return {
        "sent": sum(f.sent for f in flows),
        "delivered": sum(f.delivered for f in flows),
        "lost": sum(f.lost for f in flows),
        "queued": sum(f.sent - f.delivered - f.lost for f in flows),
        "lost_by_reason": dict(sorted(view.lost_by_reason.items())),
        "reordered": sum(f.reordered for f in flows),
        "buffer_peak": {name: c.peak for name, c in view.caches.items()},
        "flows": [(f.src, f.dst, f.sent, f.delivered, f.lost, f.reordered) for f in flows],
    }


def expected(metrics: Metrics) -> dict[str, Any]:
    """The same keys of the metrics JSON document."""
    doc = metrics.to_dict()
    want = {key: doc[key] for key in ("sent", "delivered", "lost", "queued",
                                      "lost_by_reason", "reordered", "buffer_peak")}
    want["flows"] = [(fl["from"], fl["to"], fl["sent"], fl["delivered"], fl["lost"],
                      fl["reordered"]) for fl in doc["flows"]]
    return want


def check_caches(view: StateView, want: dict[str, Any]) -> None:
    """The caches pane: overflow drops are the metrics' ``buffer_overflow`` losses, and
    what the caches hold now is part of ``queued``."""
    caches = view.caches.values()
    assert sum(c.dropped for c in caches) == want["lost_by_reason"].get("buffer_overflow", 0)
    assert all(0 <= c.occupancy <= c.peak <= c.capacity for c in caches)
    assert sum(c.occupancy for c in caches) <= want["queued"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", [n for n, _ in shipped_scenarios()])
def test_the_tui_counters_are_the_metrics_at_every_100th_event(name: str, mode: str) -> None:
    scenario = load_scenario(name)
    sim = Simulation(scenario, mode, prefetch=4096)
    metrics = Metrics(scenario, sim.mode, sim.seed)  # folded along, once
    rng = random.Random(name + mode)
    revisit: dict[int, dict[str, Any]] = {}
    checked = 0
    while (ev := sim.step()) is not None:
        metrics(ev)
        if sim.cursor % EVERY == 0:
            want = expected(metrics)
            assert shown(sim.state()) == want, sim.cursor
            check_caches(sim.state(), want)
            checked += 1
            if rng.random() < 0.01 or checked == 1:
                revisit[sim.cursor] = want
    want = expected(metrics)
    assert shown(sim.state()) == want
    assert metrics.events == sim.cursor == sim.total and sim.complete
    assert checked == sim.total // EVERY
    if metrics.sent:
        assert want["delivered"] > 0  # the comparison is not of zeros only
    # stepping back (journals, snapshots) lands on the same numbers
    for cursor in sorted(revisit, reverse=True):
        sim.seek(cursor)
        assert shown(sim.state()) == revisit[cursor], cursor


def _deliver(i: int, n: int, kind: str = "deliver") -> TraceEvent:
    fields: dict[str, Any] = {"flow": 0, "n": n, "cached": False, "src": "CN",
                              "dst": "mn1@example.org", "size": 1000, "pid": i, "hop": 2}
    if kind == "drop":
        fields["reason"] = "link_loss"
    return TraceEvent(i, float(i), kind, "mn1@example.org/IF1", "MAG1", "DATA", fields,
                      None, "")


def test_a_packet_delivered_twice_counts_once_on_the_screen_and_in_the_metrics() -> None:
    view = StateView(FIGURE1)
    metrics = Metrics(FIGURE1, "ft", 1)
    for i, n in enumerate((0, 1, 1, 0, 2)):
        ev = _deliver(i, n)
        view.apply(ev)
        metrics(ev)
    flow = view.flows[0]
    assert (flow.delivered, flow.duplicated, flow.reordered) == (3, 2, 1)
    assert metrics.to_dict()["delivered"] == 3 and metrics.to_dict()["duplicated"] == 2
    assert shown(view) == expected(metrics)


# a DATA event touching flow 0: first deliveries, repeats, drops, in any order
DATA = st.tuples(st.sampled_from(["deliver", "deliver", "drop"]), st.integers(0, 12))


@settings(max_examples=300, deadline=None)
@given(st.lists(DATA, max_size=40))
def test_undo_takes_every_data_event_back_exactly(events: list[tuple[str, int]]) -> None:
    counters = Counters(FIGURE1)
    states: list[Counters] = []
    undos = []
    for i, (kind, n) in enumerate(events):
        states.append(copy.deepcopy(counters))
        undos.append(counters.fold_undoable(_deliver(i, n, kind)))
        if undos[-1] is None:
            assert counters == states[-1]
    plain = Counters(FIGURE1)
    for i, (kind, n) in enumerate(events):
        plain.fold(_deliver(i, n, kind))
    assert counters == plain  # the undoable fold is the fold
    for state, saved in zip(reversed(states), reversed(undos), strict=True):
        if saved is not None:
            counters.undo(saved)
        assert counters == state
        assert counters.flows[0].seen.log is None


def test_a_snapshot_of_the_counters_loads_back_equal() -> None:
    counters = Counters(FIGURE1)
    for i, (kind, n) in enumerate([("deliver", 0), ("drop", 3), ("deliver", 2),
                                   ("deliver", 5), ("deliver", 2)]):
        counters.fold(_deliver(i, n, kind))
    assert len(counters.flows[0].seen) == 3  # 2, 3 and 5 settled above 1
    other = Counters(FIGURE1)
    other.load(copy.deepcopy(counters.dump()))
    assert other == counters and other.flows[0].seen.low == 1
