"""Lesson mode: snapshots of a question, a right and a wrong answer and the final
score; pilot tests of the keys (l, a-d / 1-4, enter, esc), of stepping and
playing into a question, of reset, mode switch, user faults and big runs.

Deterministic like the other UI tests: the play timer never runs on its own; every
state is reached through the app's seek / run_until and key presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from pmipviz.lesson.quiz import LETTERS, Question
from pmipviz.ui import session
from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.question import LessonSummaryScreen, QuestionScreen
from tests.ui.pilot_app import SIZE, PilotApp

Setup = Callable[[PmipvizApp, Pilot[None]], Awaitable[None]]


def question_where(app: PmipvizApp, pred: Callable[[Question], bool]) -> Question:
    return next(q for q in app.lesson.questions if pred(q))


def dereg_question(app: PmipvizApp) -> Question:
    """The question asked before MAG1 sends the DeReg PBU (step 3)."""
    return question_where(app, lambda q: app.sim.trace[q.at].step == 3
                          and app.sim.trace[q.at].msg == "PBU")


def letter(k: int) -> str:
    return LETTERS[k].lower()


def wrong(q: Question) -> str:
    return letter((q.answer + 1) % len(q.choices))


async def open_question(app: PmipvizApp, pilot: Pilot[None], q: Question) -> None:
    """Seek to just before ``q`` and step into it."""
    app.seek(q.at)
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()


# -- snapshots ------------------------------------------------------------------------------


def _snap(snap_compare: Any, setup: Setup, size: tuple[int, int] = SIZE,
          scenario: str = "figure1") -> bool:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await setup(pilot.app, pilot)  # type: ignore[arg-type]
        await pilot.pause()

    return bool(snap_compare(PmipvizApp(scenario, lesson=True), terminal_size=size,
                             run_before=run_before))


async def _question(app: PmipvizApp, pilot: Pilot[None]) -> None:
    await open_question(app, pilot, dereg_question(app))


async def _right(app: PmipvizApp, pilot: Pilot[None]) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer))


async def _wrong(app: PmipvizApp, pilot: Pilot[None]) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(wrong(q))


async def _whole_run(app: PmipvizApp, pilot: Pilot[None]) -> None:
    """Every question of the run: mostly right, every third wrong, the fifth skipped."""
    for k, q in enumerate(list(app.lesson.questions)):
        await open_question(app, pilot, q)
        if k == 4:
            await pilot.press("escape")
            continue
        await pilot.press(wrong(q) if k % 3 == 2 else letter(q.answer), "enter")
    app.seek(app.sim.total - 1)
    await pilot.press("n")


def test_snapshot_question(snap_compare: Any) -> None:
    """Figure 1 (FT), before the DeReg PBU: who sends what to whom next?"""
    assert _snap(snap_compare, _question)


def test_snapshot_right_answer(snap_compare: Any) -> None:
    assert _snap(snap_compare, _right)


def test_snapshot_wrong_answer(snap_compare: Any) -> None:
    assert _snap(snap_compare, _wrong)


def test_snapshot_wrong_answer_80x24(snap_compare: Any) -> None:
    assert _snap(snap_compare, _wrong, size=(80, 24))


def test_snapshot_final_score(snap_compare: Any) -> None:
    assert _snap(snap_compare, _whole_run)


# -- pilot tests ---------------------------------------------------------------------------


async def test_l_toggles_lesson_mode(app: PilotApp, pilot: Pilot) -> None:
    assert not app.lesson.on and "lesson" not in app.header
    await pilot.press("l")
    await pilot.pause()
    assert app.lesson.on and "lesson 0/0" in app.header
    await pilot.press("l")
    await pilot.pause()
    assert not app.lesson.on and "lesson" not in app.header
    names = [c.title for c in app.get_system_commands(app.screen)]
    assert "Lesson mode" in names


@pytest.mark.app("figure1", lesson=True)
async def test_stepping_stops_before_the_question(app: PilotApp, pilot: Pilot) -> None:
    first = app.lesson.questions[0]
    await pilot.press(*["n"] * (first.at + 1))
    await pilot.pause()
    assert isinstance(app.screen, QuestionScreen)
    assert app.screen.question == first
    assert app.sim.cursor == first.at  # the event is not applied yet
    await pilot.press("n", "right", "space")  # not answered: nothing happens
    assert app.sim.cursor == first.at and isinstance(app.screen, QuestionScreen)


@pytest.mark.app("figure1", lesson=True)
async def test_answers_update_the_score_and_continue_applies_the_event(
        app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer))
    await pilot.pause()
    assert (app.lesson.score.right, app.lesson.score.wrong) == (1, 0)
    assert "lesson 1/1" in app.header
    assert app.sim.cursor == q.at  # still before the event while reading
    assert "✓ Right" in str(app.screen.query_one("#question-result").render())
    await pilot.press("enter")
    await pilot.pause()
    assert not isinstance(app.screen, QuestionScreen)
    assert app.sim.cursor == q.at + 1
    assert app.sim.current is not None and app.sim.current.i == q.at
    nxt = app.lesson.questions[app.lesson.number(q)]  # the next one
    await open_question(app, pilot, nxt)
    await pilot.press(wrong(nxt))
    await pilot.pause()
    assert "✗ Not quite" in str(app.screen.query_one("#question-result").render())
    assert (app.lesson.score.right, app.lesson.score.wrong) == (1, 1)
    assert "lesson 1/2" in app.header
    await pilot.press("b")  # a second answer does not count
    assert str(app.lesson.score) == "1/2"
    await pilot.press("space")
    await pilot.pause()
    assert app.sim.cursor == nxt.at + 1


@pytest.mark.app("figure1", lesson=True)
async def test_digits_answer_inside_the_question(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    ifaces = {k: v["up"] for k, v in app.sim.state().ifaces.items()}
    await pilot.press(str(q.answer + 1))
    await pilot.pause()
    assert str(app.lesson.score) == "1/1"
    assert not app.sim.actions  # 1-4 did not break an interface
    assert {k: v["up"] for k, v in app.sim.state().ifaces.items()} == ifaces


@pytest.mark.app("figure1", lesson=True)
async def test_escape_skips_and_the_question_is_asked_once(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, QuestionScreen)
    assert app.sim.cursor == q.at and app.lesson.score.asked == 0
    assert [(a.question, a.choice) for a in app.lesson.answers] == [(q, None)]
    await pilot.press("n")  # skipped: not asked again
    await pilot.pause()
    assert app.sim.cursor == q.at + 1 and not isinstance(app.screen, QuestionScreen)
    await pilot.press("b", "b", "n", "n")  # back and forth: still not asked
    await pilot.pause()
    assert app.sim.cursor == q.at + 1 and not isinstance(app.screen, QuestionScreen)


@pytest.mark.app("figure1", lesson=True)
async def test_answered_question_is_not_asked_again_until_reset(
        app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(wrong(q), "enter", "b", "n")
    await pilot.pause()
    assert app.sim.cursor == q.at + 1 and not isinstance(app.screen, QuestionScreen)
    await pilot.press("r")
    await pilot.pause()
    assert app.sim.cursor == 0 and "event 0/" in app.header
    assert str(app.lesson.score) == "0/0" and not app.lesson.answers
    await open_question(app, pilot, q)
    assert isinstance(app.screen, QuestionScreen) and app.screen.question == q


@pytest.mark.app("figure1", lesson=True)
async def test_play_stops_at_the_question_and_resumes_after(app: PilotApp, pilot: Pilot) -> None:
    q = question_where(app, lambda q: app.sim.trace[q.at].kind == "buffer")
    app.seek(q.at - 40)
    app.speed_index = len(session.SPEEDS) - 1
    await pilot.press("space")  # play (the test fires the timer)
    for _ in range(10):
        app.tick()  # 1000 ev/s: many events per tick
        if app.sim.cursor == q.at:
            break
    await pilot.pause()
    assert app.sim.cursor == q.at
    assert isinstance(app.screen, QuestionScreen) and not app.playing
    await pilot.press(letter(q.answer), "enter")
    await pilot.pause()
    assert app.sim.cursor == q.at + 1
    assert app.playing and "playing" in app.header  # play carries on
    app.tick()
    assert app.sim.cursor > q.at + 1
    await pilot.press("space")
    assert not app.playing


@pytest.mark.app("figure1", mode="rfc5213", lesson=True)
async def test_rfc5213_mode_asks_about_the_loss(app: PilotApp, pilot: Pilot) -> None:
    q = question_where(app, lambda q: app.sim.trace[q.at].kind == "drop")
    await open_question(app, pilot, q)
    assert isinstance(app.screen, QuestionScreen) and app.sim.cursor == q.at
    assert "drops it" in q.choices[q.answer]
    await pilot.press(letter(q.answer), "enter")
    await pilot.pause()
    assert str(app.lesson.score) == "1/1" and app.sim.cursor == q.at + 1


@pytest.mark.app("figure1", lesson=True)
async def test_mode_switch_recomputes_the_questions(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer), "enter")
    ft = list(app.lesson.questions)
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213"
    assert app.lesson.questions != ft
    assert any(app.sim.trace[x.at].kind == "drop" for x in app.lesson.questions)
    assert str(app.lesson.score) == "1/1"  # the score is kept
    nxt = next(x for x in app.lesson.questions if x.at >= app.sim.cursor)
    await pilot.press(*["n"] * (nxt.at - app.sim.cursor + 1))
    await pilot.pause()
    assert isinstance(app.screen, QuestionScreen) and app.sim.cursor == nxt.at


@pytest.mark.app("figure1", lesson=True)
async def test_user_fault_recomputes_the_future_questions(app: PilotApp, pilot: Pilot) -> None:
    first = app.lesson.questions[0]
    await open_question(app, pilot, first)
    await pilot.press(letter(first.answer), "enter")
    app.run_until(600)
    await pilot.pause()
    await pilot.press("1")  # break IF1 at 600 ms: a handover at 600 instead of 1000
    await pilot.pause()
    cache = question_where(app, lambda q: app.sim.trace[q.at].kind == "buffer")
    assert 600 <= app.sim.trace[cache.at].t_ms < 1000
    assert first.at in app.lesson.asked  # the past is unchanged
    await pilot.press(*["n"] * (cache.at - app.sim.cursor + 1))
    await pilot.pause()
    assert isinstance(app.screen, QuestionScreen) and app.screen.question == cache


@pytest.mark.app("bad-mag", lesson=True)
async def test_bad_mag_rejections_and_the_final_score(app: PilotApp, pilot: Pilot) -> None:
    qs = app.lesson.questions
    reject = question_where(app, lambda q: "153" in q.choices[q.answer])
    for q in (qs[0], reject, qs[-1]):  # the ones in between are jumped over
        await open_question(app, pilot, q)
        assert isinstance(app.screen, QuestionScreen) and app.sim.cursor == q.at
        await pilot.press(wrong(q) if q == reject else letter(q.answer), "enter")
        await pilot.pause()
    assert str(app.lesson.score) == "2/3"
    app.seek(app.sim.total - 1)
    await pilot.press("n")  # the last event: the end of the run
    await pilot.pause()
    assert app.sim.cursor == app.sim.total
    assert isinstance(app.screen, LessonSummaryScreen)
    assert app.screen.headline() == "Lesson complete: 2/3 right"
    assert [a.correct for a in app.screen.answers] == [True, False, True]
    await pilot.press("escape", "b", "n")  # the summary comes once per run
    await pilot.pause()
    assert not isinstance(app.screen, LessonSummaryScreen)


@pytest.mark.app("figure1", lesson=True)
async def test_turning_lesson_off_shows_the_score(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer), "enter", "l")
    await pilot.pause()
    assert isinstance(app.screen, LessonSummaryScreen)
    assert app.screen.headline() == "Lesson ended: 1/1 right"
    await pilot.press("escape", "n")
    await pilot.pause()
    assert not app.lesson.on and not isinstance(app.screen, QuestionScreen)


async def test_lesson_off_never_stops(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    app.seek(q.at)
    await pilot.press("n")
    await pilot.pause()
    assert app.sim.cursor == q.at + 1 and not isinstance(app.screen, QuestionScreen)


@pytest.mark.app("campus", lesson=True)
async def test_big_run_extends_the_questions(app: PilotApp, pilot: Pilot) -> None:
    assert not app.lesson.complete and app.lesson.count_label().endswith("+")
    known, total = len(app.lesson.questions), app.sim.total
    app.seek(total)  # the end of what is known so far
    await pilot.pause()
    await pilot.press("n")  # the run grows; so do the questions
    await pilot.pause()
    assert app.sim.total > total and len(app.lesson.questions) >= known
    # a big scenario asks about the selected MN only
    assert {q.mn_id for q in app.lesson.questions} == {app.selected_mn}
    if isinstance(app.screen, QuestionScreen):
        assert app.sim.cursor == app.screen.question.at == total
    else:
        assert app.sim.cursor == total + 1


@pytest.mark.app("bad-mag", lesson=True)
async def test_a_question_about_another_mn_shows_that_mn(app: PilotApp, pilot: Pilot) -> None:
    other = next(q for q in app.lesson.questions if q.mn_id == "mn-m2@example.org")
    app.seek(other.at)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, QuestionScreen) and app.screen.question == other
    assert app.selected_mn == "mn-m2@example.org"


@pytest.mark.app("figure1", lesson=True)
async def test_answer_first_hint_is_shown_once_per_question(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)
    await open_question(app, pilot, q)
    screen = app.screen
    assert isinstance(screen, QuestionScreen)
    before = len(app.toasts)
    await pilot.press("n", "n", "enter", "space", "right")
    await pilot.pause()
    assert len(app.toasts) == before + 1  # one toast, not five stacked
    assert app.toasts[-1] == "Answer with a-d first (esc skips the question)"
    assert "answer with a-d first" in str(screen.query_one("#question-box").border_subtitle)
    assert app.sim.cursor == q.at
    await pilot.press(letter(q.answer), "enter")
    await pilot.pause()
    nxt = app.lesson.questions[app.lesson.number(q)]
    await open_question(app, pilot, nxt)
    await pilot.press("n", "n")
    await pilot.pause()
    assert len(app.toasts) == before + 2  # the next question hints once too


async def _flags_question(app: PmipvizApp, pilot: Pilot[None]) -> None:
    await open_question(app, pilot, question_where(app, lambda q: q.kind == "flags"))


async def _dereg_flags_answered(app: PmipvizApp, pilot: Pilot[None]) -> None:
    q = question_where(app, lambda q: q.kind == "flags" and "DeReg" in q.prompt)
    await open_question(app, pilot, q)
    await pilot.press(wrong(q))


def test_snapshot_flags_question_80x24(snap_compare: Any) -> None:
    """A question about the M/S flags leaves the Binding Cache in sight (80x24)."""
    assert _snap(snap_compare, _flags_question, size=(80, 24))


def test_snapshot_flags_answer_80x24(snap_compare: Any) -> None:
    """Its answer and explanation too: the box scrolls instead of growing over it."""
    assert _snap(snap_compare, _dereg_flags_answered, size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_question_about_the_flags_does_not_cover_the_binding_cache(
        size: tuple[int, int]) -> None:
    app = PilotApp("figure1", lesson=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        bce = app.query_one("BindingCacheTable").region
        flags = [q for q in app.lesson.questions if q.kind == "flags"]
        assert len(flags) >= 2
        for q in flags:
            await open_question(app, pilot, q)
            assert isinstance(app.screen, QuestionScreen)
            box = app.screen.query_one("#question-box").region
            assert not box.overlaps(bce), (q.prompt, box, bce)
            await pilot.press(wrong(q))  # the answer and its explanation grow the box
            await pilot.pause()
            box = app.screen.query_one("#question-box").region
            assert not box.overlaps(bce), (q.prompt, box, bce)
            await pilot.press("escape")
            await pilot.pause()
