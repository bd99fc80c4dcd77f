"""Milestones: where the `s` key stops, decided from the trace's fields alone."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from pmipviz.lesson.milestones import Milestone, MilestoneFold, milestones
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent


@cache
def _trace(name: str, mode: str | None = None) -> tuple[TraceEvent, ...]:
    events: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[events.append])
    return tuple(events)


@cache
def _milestones(name: str, mode: str | None = None) -> tuple[Milestone, ...]:
    return tuple(milestones(_trace(name, mode), load_scenario(name)))


def _kinds(name: str, mode: str | None = None) -> list[tuple[float, str, int | None]]:
    return [(m.t_ms, m.kind, m.step if m.kind == "step" else None)
            for m in _milestones(name, mode)]


def test_figure1_stops_at_the_attaches_the_fault_and_each_of_the_eight_steps() -> None:
    assert _kinds("figure1") == [
        (12.0, "attach", None), (112.0, "attach", None),
        (510.0, "step", 1), (516.0, "first", None),
        (1000.0, "fault", None),
        (1005.0, "step", 2), (1020.0, "step", 3), (1025.0, "step", 4), (1025.0, "step", 5),
        (1030.0, "step", 6), (1035.0, "step", 7),
        (1036.0, "path", None),
        (1040.0, "step", 8),
    ]


def test_cached_data_forwarding_is_a_milestone_of_its_own() -> None:
    """Step 7 is cached DATA, which `j` counts as plain forwarding and skips."""
    seven = next(m for m in _milestones("figure1") if m.step == 7)
    ev = _trace("figure1")[seven.at]
    assert ev.msg == "DATA" and ev.fields["cached"] and ev.kind == "send"
    assert (ev.node, ev.peer) == ("LMA", "MAG2")
    assert seven.label == "(7) LMA sends cached DATA n=49 to MAG2"


def test_each_milestone_is_the_event_it_names() -> None:
    trace = _trace("figure1")
    for m in _milestones("figure1"):
        ev = trace[m.at]
        assert ev.t_ms == m.t_ms and ev.step == m.step
        assert m.mn_id == "mn1@example.org"
    labels = [m.label for m in _milestones("figure1")]
    assert labels[0] == "mn1/IF1 attached via MAG1: address 2001:db8:100::ff:fe00:101"
    assert labels[4] == "mn1/IF1 breaks"
    assert labels[6] == "(3) MAG1 sends DeReg PBU to LMA"
    assert labels[11] == "mn1/IF2 receives DATA n=52: the first on the new path"


def test_rfc5213_has_no_steps_but_the_same_protocol_milestones() -> None:
    assert _kinds("figure1", "rfc5213") == [
        (12.0, "attach", None), (112.0, "attach", None), (516.0, "first", None),
        (1000.0, "fault", None),
        (1005.0, "loss", None),  # MAG1 drops: link down, no cache
        (1020.0, "dereg", None), (1025.0, "bce", None), (1025.0, "pba", None),
        (1030.0, "loss", None),  # the LMA drops: dereg-hold
    ]


def test_a_restore_starts_no_new_story_and_a_move_shows_the_new_path() -> None:
    restore = _kinds("restore")
    assert restore[-3:] == [(2000.0, "fault", None), (2006.0, "bce", None),
                            (2012.0, "attach", None)]
    move = [k for _, k, _ in _kinds("move")]
    # issue 10 item 5: the flush (2020 = 1000 + 20 detection + 1 s without a PBA) goes up
    # Tunnel1, which the LMA tore down at the handoff: lost at 2025 (+5 ms MAG1-LMA)
    assert _kinds("move")[-2:] == [(2020.0, "flush", None), (2025.0, "loss", None)]
    assert move == ["attach", "first", "fault", "bce", "dereg", "ignore", "attach", "path",
                    "flush", "loss"]


def test_a_second_break_runs_the_steps_again() -> None:
    steps = [m.step for m in _milestones("both-fail") if m.t_ms >= 1500 and m.kind == "step"]
    assert steps[:4] == [2, 3, 4, 5]


@pytest.mark.parametrize(("name", "kinds"), [
    ("bad-mag", {"pba"}), ("lossy-signaling", {"signal", "retx"}),
])
def test_rejections_and_lost_signalling_are_milestones(name: str, kinds: set[str]) -> None:
    assert kinds <= {m.kind for m in _milestones(name)}


def test_a_loss_that_goes_on_the_same_way_is_one_milestone() -> None:
    losses = [m for m in _milestones("lossy-signaling") if m.kind == "loss"]
    reasons = [_trace("lossy-signaling")[m.at].fields["reason"] for m in losses]
    assert len(reasons) == len(set(reasons))


def _ev(i: int, kind: str, msg: str | None, fields: dict[str, Any], step: int | None = None,
        node: str = "MAG1", peer: str | None = "LMA") -> TraceEvent:
    return TraceEvent(i, float(i), kind, node, peer, msg, fields, step, "a misleading note")


def test_the_fold_reads_fields_and_steps_never_the_note() -> None:
    fold = MilestoneFold(load_scenario("figure1"))
    pbu = {"mn_id": "mn1@example.org", "lifetime_s": 40, "hi": 1}
    assert fold.check(0, _ev(0, "send", "PBU", pbu)) is None
    retx = fold.check(1, _ev(1, "send", "PBU", {**pbu, "retransmission": True}))
    assert retx is not None and retx.kind == "retx"
    dereg = fold.check(2, _ev(2, "send", "PBU", {**pbu, "lifetime_s": 0}))
    assert dereg is not None and dereg.kind == "dereg"
    data = {"flow": 0, "n": 3, "cached": False}
    first = fold.check(3, _ev(3, "send", "DATA", data, step=1, node="LMA", peer="MAG1"))
    assert first is not None and first.step == 1 and first.mn_id == "mn1@example.org"
    # the same step again, or a lower one, is not a new milestone
    assert fold.check(4, _ev(4, "send", "DATA", data, step=1, node="LMA")) is None
    up = fold.check(5, _ev(5, "buffer", "DATA", {**data, "op": "in"}, step=2))
    assert up is not None and up.step == 2
    assert fold.check(6, _ev(6, "send", "DATA", data, step=1, node="LMA")) is None
    flush = fold.check(7, _ev(7, "buffer", "DATA", {**data, "op": "out"}))
    assert flush is not None and flush.kind == "flush"
    assert fold.check(8, _ev(8, "buffer", "DATA", {**data, "op": "out"})) is None


def test_milestones_of_one_mn() -> None:
    scenario = load_scenario("campus")
    trace: list[TraceEvent] = []
    run(scenario, sinks=[trace.append], until_ms=300)
    mn = scenario.mns[3].id
    mine = milestones(trace, scenario, mn)
    assert mine and all(m.mn_id in (None, mn) for m in mine)
    assert len(milestones(trace, scenario)) > len(mine)
