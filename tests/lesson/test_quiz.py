"""Lesson questions are generated from the trace, for every scenario."""

from __future__ import annotations

import pytest

from pmipviz.lesson.quiz import Score, questions
from pmipviz.scenario import load_scenario
from tests.sim.traces import trace_of


def figure1_questions(mode: str):
    events, _, _ = trace_of("figure1", mode=mode)
    return events, questions(events, load_scenario("figure1"), mode)


def test_figure1_ft_stops_before_each_step_that_matters() -> None:
    events, qs = figure1_questions("ft")
    stops = {(events[q.at].kind, events[q.at].step) for q in qs}
    # MAG1 caches, the DeReg PBU, the BCE update, the PBA, the flush, the forwarding to MAG2
    for stop in [("buffer", 2), ("send", 3), ("state", 4), ("send", 5), ("buffer", 6),
                 ("send", 7)]:
        assert stop in stops
    assert [q.at for q in qs] == sorted({q.at for q in qs})  # one per event, in order
    kinds = {q.kind for q in qs}
    assert kinds == {"next_message", "local_action", "flags", "rfc5213"}


def test_answers_are_right_and_choices_plausible() -> None:
    events, qs = figure1_questions("ft")
    dereg = next(q for q in qs if events[q.at].step == 3)
    assert dereg.choices[dereg.answer] == "MAG1 → LMA: DeReg PBU (lifetime 0, HI=4)"
    flags = next(q for q in qs if q.kind == "flags" and events[q.at].step == 4)
    assert "S=0" in flags.choices[flags.answer]
    for q in qs:
        assert 3 <= len(q.choices) <= 4 and len(set(q.choices)) == len(q.choices)
        assert q.explanation and q.reference
    assert {q.answer for q in qs} != {0}  # the right answer is not always A
    step_q = [q for q in qs if events[q.at].step]
    assert all(q.quote for q in step_q)
    (rfc,) = [q for q in qs if q.kind == "rfc5213"]
    assert "§5.3.5" in rfc.explanation and "§5.2" in rfc.reference


def test_questions_are_deterministic() -> None:
    assert figure1_questions("ft")[1] == figure1_questions("ft")[1]


def test_rfc5213_asks_about_the_loss() -> None:
    events, qs = figure1_questions("rfc5213")
    drops = [q for q in qs if events[q.at].kind == "drop"]
    reasons = {events[q.at].fields["reason"] for q in drops}
    assert reasons == {"link_down", "dereg_hold"}
    assert all("drops it" in q.choices[q.answer] for q in drops)


@pytest.mark.parametrize("name", ["move", "restore", "both-fail", "lossy-signaling", "bad-mag"])
def test_every_scenario_gets_questions(name) -> None:
    events, _, _ = trace_of(name)
    qs = questions(events, load_scenario(name), "ft")
    assert len(qs) >= 3
    assert all(q.choices[q.answer] for q in qs)


def test_bad_mag_asks_about_rejections() -> None:
    events, _, _ = trace_of("bad-mag")
    qs = questions(events, load_scenario("bad-mag"), "ft")
    answers = " ".join(q.choices[q.answer] for q in qs)
    for status in ("153", "154", "156", "158", "160", "161", "162"):
        assert f"PBA status {status}" in answers


def test_score() -> None:
    s = Score()
    s.record(True)
    s.record(False)
    s.record(True)
    assert (s.right, s.wrong, s.asked, str(s)) == (2, 1, 3, "2/3")


def test_questions_name_their_mn_and_follow_a_focus() -> None:
    events, _, _ = trace_of("bad-mag")
    sc = load_scenario("bad-mag")
    everyone = questions(events, sc, "ft")
    assert {q.mn_id for q in everyone} >= {"mn-good@example.org", "mn-m2@example.org",
                                          "mn-unknown@example.org"}
    only = questions(events, sc, "ft", focus_mn="mn-m2@example.org")
    assert only and {q.mn_id for q in only} == {"mn-m2@example.org"}
    assert any("154" in q.choices[q.answer] for q in only)


def test_a_big_scenario_asks_about_one_mn() -> None:
    events, _, _ = trace_of("campus", until_ms=2500)
    sc = load_scenario("campus")
    qs = questions(events, sc, "ft")
    assert qs and {q.mn_id for q in qs} == {sc.mns[0].id}
    mn = sc.mns[120].id
    assert {q.mn_id for q in questions(events, sc, "ft", focus_mn=mn)} == {mn}
