"""Figure 1 steps from the trace alone (issue 9, item 5): a trace read back from JSON
lines, its steps and notes stripped, is re-tagged by the step tagger with exactly the
steps the live run gave it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pmipviz.cli import main
from pmipviz.scenario import Fault, load_scenario
from pmipviz.scenario.loader import shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.steps import retag
from pmipviz.sim.trace import JsonlSink, TraceEvent, event_from_dict

SHIPPED = [name for name, _title in shipped_scenarios()]


def _read_back(lines: list[str]) -> tuple[list[int | None], list[TraceEvent]]:
    """The steps written in the lines, and the events without their steps and notes."""
    steps: list[int | None] = []
    events: list[TraceEvent] = []
    for line in lines:
        d: dict[str, Any] = json.loads(line)
        steps.append(d.pop("step"))
        del d["note"]
        events.append(event_from_dict(d))
    assert all(ev.step is None and ev.note == "" for ev in events)
    return steps, events


def test_every_shipped_scenario_is_tested() -> None:
    assert {"figure1", "campus", "move", "restore"} <= set(SHIPPED)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", SHIPPED)
def test_a_trace_read_back_gets_the_live_steps(name: str, mode: str) -> None:
    scenario = load_scenario(name)
    out = io.StringIO()
    live: list[int | None] = []
    run(scenario, mode=mode, sinks=[JsonlSink(out), lambda ev: live.append(ev.step)])
    written, events = _read_back(out.getvalue().splitlines())
    assert written == live
    assert list(retag(events, scenario, mode)) == live
    if mode == "rfc5213":
        assert set(live) == {None}


def test_the_figure1_story_is_all_there_in_a_trace_file(tmp_path: Path) -> None:
    """The ``pmipviz run --trace`` file of figure1: steps 1-8, each re-tagged."""
    path = tmp_path / "t.jsonl"
    assert main(["run", "figure1", "--trace", str(path)]) == 0
    written, events = _read_back(path.read_text().splitlines())
    assert set(written) == {None, *range(1, 9)}
    assert list(retag(events, load_scenario("figure1"), "ft")) == written


def test_the_steps_follow_a_fault_the_user_injected_in_the_past() -> None:
    """restore: IF1 breaks at 1000 ms and is restored at 2000 ms. The user steps back
    to after the restore and breaks IF2 there: the Simulation rebuilds the run, and the
    rebuilt trace, read back, is tagged as the live one (a second Figure 1 story)."""
    sc = load_scenario("restore")
    sim = Simulation(sc)
    sim.run(2300.0)
    sim.seek(sim.cursor - 100)
    t = sim.now
    assert 2000.0 < t < 2300.0
    sim.inject(Fault(t, "break", "mn1@example.org/IF2"))
    sim.run_to_end()
    events = sim.trace[0:len(sim.trace)]
    live = [ev.step for ev in events]
    dicts = [{**ev.to_dict(), "step": None, "note": ""} for ev in events]
    assert list(retag(map(event_from_dict, dicts), sc, "ft")) == live
    story = [ev for ev in events if ev.t_ms >= t and ev.step in (3, 5)]
    assert [(ev.msg, ev.fields["lifetime_s"], ev.step) for ev in story] == \
        [("PBU", 0, 3)] * 2 + [("PBA", 0, 5)] * 2
    assert story[0].node == "MAG2"
