"""A metrics-only run (``MetricsOnlyWorld``, a sweep's runs) gives the same metrics as a
full run, for every shipped scenario in both modes and with link loss (the drops fold
the lean fields too), and refuses any other sink."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pmipviz.scenario import load_scenario
from pmipviz.scenario.loader import shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import RUN_TO_RUN
from pmipviz.sim.trace import TraceEvent
from pmipviz.sim.world import MetricsOnlyWorld, World


def doc(name: str, mode: str, *, lossy: bool, metrics_only: bool) -> dict[str, Any]:
    scenario = load_scenario(name)
    if lossy:
        scenario = replace(scenario, links=tuple(replace(ln, loss=0.05)
                                                 for ln in scenario.links))
    metrics, world = run(scenario, mode=mode, seed=3, metrics_only=metrics_only)
    assert type(world) is (MetricsOnlyWorld if metrics_only else World)
    d = metrics.to_dict()
    for key in RUN_TO_RUN:
        d.pop(key)
    return d


@pytest.mark.parametrize("name", [name for name, _title in shipped_scenarios()])
@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("lossy", [False, True])
def test_the_metrics_are_those_of_a_full_run(name: str, mode: str, lossy: bool) -> None:
    full = doc(name, mode, lossy=lossy, metrics_only=False)
    assert doc(name, mode, lossy=lossy, metrics_only=True) == full


def test_a_metrics_only_run_tags_no_step_and_has_no_other_sink() -> None:
    scenario = load_scenario("figure1")
    seen: list[TraceEvent] = []
    with pytest.raises(ValueError, match="no other sink"):
        run(scenario, sinks=[seen.append], metrics_only=True)
    metrics, world = run(scenario, mode="ft", metrics_only=True)
    assert world.steps is None and metrics.events > 0
    _, full = run(scenario, mode="ft")
    assert full.steps is not None


ITEM4 = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("name", ["uplink-break", "uplink-detection", "downlink-break",
                                  "move-on-link"])
@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_links_that_break_fold_the_same(name: str, mode: str) -> None:
    """Issue 10 item 4: the losses on a link that breaks (``MetricsOnlyDataPlane._hop``
    records the link's generation as ``DataPlane._hop`` does) and the MN's blind time."""
    path = str(ITEM4 / f"{name}.toml")
    full = doc(path, mode, lossy=False, metrics_only=False)
    assert full["lost_by_reason"].get("link_down", 0) > 0
    assert doc(path, mode, lossy=False, metrics_only=True) == full


def test_a_metrics_only_run_builds_no_event_object_for_a_data_hop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The lean path (``MetricsOnlyDataPlane``): a DATA send, hop arrival or delivery is
    counted and folded without a ``TraceEvent``; the events that are built are the
    others (drops, cache operations, control), and the count is still every event's."""
    import pmipviz.sim.network as network

    built: list[TraceEvent] = []

    class Counting(TraceEvent):
        __slots__ = ()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(network, "TraceEvent", Counting)
    scenario = load_scenario("figure1")
    metrics, _ = run(scenario, mode="ft", metrics_only=True)
    lean_kinds = {"send", "recv", "deliver"}
    assert built and not [ev for ev in built if ev.msg == "DATA" and ev.kind in lean_kinds]
    lean_built = len(built)
    full, _ = run(scenario, mode="ft")
    assert metrics.events == full.events == len(built) - lean_built > lean_built


@pytest.mark.parametrize("name", ["two-way-break", "uplink-switch", "uplink-break"])
@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_uplink_handover_metrics_fold_the_same(name: str, mode: str) -> None:
    """A handover's uplink interruption and new path compare where and when (in events)
    each uplink packet left the MN: ``Metrics.data_sent_first`` keeps that, and the
    event count, as ``__call__`` does for a full run's ``send``."""
    path = str(ITEM4 / f"{name}.toml")
    full = doc(path, mode, lossy=False, metrics_only=False)
    assert [h["uplink_interruption_ms"] for h in full["handovers"]] != [None]
    assert doc(path, mode, lossy=False, metrics_only=True) == full
