"""The navigation keys: s / S milestones, f / F faults, g a time; the end of the run."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from pmipviz.lesson.milestones import milestones
from pmipviz.ui import session
from pmipviz.ui.navigation import index_at_time, next_fault, previous_fault
from pmipviz.ui.screens.goto import GotoScreen, parse_time
from pmipviz.ui.screens.help import KEYS
from pmipviz.ui.screens.question import QuestionScreen
from tests.ui.pilot_app import PilotApp, footer_text


def test_index_at_time_and_the_faults_around_a_cursor() -> None:
    trace = session.new_simulation(session.resolve("figure1")).trace
    assert index_at_time(trace, -1) == 0
    assert index_at_time(trace, 0) == 2  # the two events at t=0
    at = index_at_time(trace, 1000)
    assert trace[at - 1].t_ms == 1000 and trace[at].t_ms > 1000
    assert index_at_time(trace, 1e9) == len(trace)
    fault = next_fault(trace, 0)
    assert fault is not None and trace[fault].kind == "fault" and trace[fault].t_ms == 1000
    assert next_fault(trace, fault + 1) is None
    assert previous_fault(trace, fault + 1) is None  # the current event is the fault
    assert previous_fault(trace, fault + 2) == fault


@pytest.mark.parametrize(("text", "value"), [
    ("1000", 1000.0), (" 1020.5 ", 1020.5), ("1000 ms", 1000.0), ("0", 0.0),
    ("-5", None), ("abc", None), ("", None), ("nan", None), ("inf", None),
])
def test_parse_time(text: str, value: float | None) -> None:
    assert parse_time(text) == value


async def test_s_and_S_walk_the_milestones_both_ways(app: PilotApp, pilot: Pilot) -> None:
    expected = [m.at + 1 for m in milestones(app.sim.trace, app.scenario)]
    await pilot.press("S")  # at the start: stays
    assert app.sim.cursor == 0
    forward = []
    for _ in expected:
        await pilot.press("s")
        forward.append(app.sim.cursor)
    assert forward == expected
    await pilot.press("s")
    assert app.ended and app.sim.cursor == app.sim.total
    backward = []
    for _ in expected:
        await pilot.press("S")
        backward.append(app.sim.cursor)
    assert backward == expected[::-1]
    await pilot.press("S")
    assert app.sim.cursor == 0


async def test_s_stops_at_cached_data_forwarding_which_j_skips(app: PilotApp,
                                                                pilot: Pilot) -> None:
    app.seek(355)  # step (6) applied: MAG1 flushed its first packet
    await pilot.pause()
    await pilot.press("s")
    ev = app.sim.current
    assert ev is not None and ev.step == 7 and ev.fields["cached"]
    app.seek(355)
    await pilot.press(*["j"] * 5)
    assert app.sim.current is not None and app.sim.current.step != 7


async def test_f_without_a_fault_ahead_says_so_and_stays(app: PilotApp, pilot: Pilot) -> None:
    await pilot.press("F")
    assert app.sim.cursor == 0 and app.toasts[-1] == "No fault before this point"
    await pilot.press("f")
    assert app.sim.current is not None and app.sim.current.kind == "fault"
    cursor = app.sim.cursor
    await pilot.press("f")
    assert app.sim.cursor == cursor
    assert app.toasts[-1].startswith("No fault after t=1000.0 ms")


async def test_a_fault_the_user_injects_is_found_by_F(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1500)
    await pilot.press("1")  # restore IF1 at t=1500
    await pilot.pause()
    await pilot.press("n", "n", "F")
    ev = app.sim.current
    assert ev is not None and ev.kind == "fault" and ev.fields["action"] == "restore"
    assert ev.t_ms == 1500


async def test_g_goes_to_a_time_both_ways(app: PilotApp, pilot: Pilot) -> None:
    await pilot.press("g", *"1020", "enter")
    await pilot.pause()
    assert app.sim.now == 1020 and app.sim.trace[app.sim.cursor].t_ms > 1020
    await pilot.press("g", *"500.5", "enter")
    await pilot.pause()
    assert app.sim.now == 500 and app.sim.trace[app.sim.cursor].t_ms > 500.5
    await pilot.press("g", *"99999", "enter")
    await pilot.pause()
    assert app.ended


async def test_g_refuses_what_is_not_a_time_and_esc_cancels(app: PilotApp,
                                                             pilot: Pilot) -> None:
    await pilot.press("g", *"soon", "enter")
    await pilot.pause()
    assert isinstance(app.screen, GotoScreen)
    error = app.screen.query_one("#goto-error", Static)
    assert "not a time: 'soon'" in str(error.render())
    app.screen.query_one(Input).value = ""
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, GotoScreen) and app.sim.cursor == 0


@pytest.mark.app(lesson=True)
async def test_s_stops_before_a_lesson_question(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1000)
    await pilot.pause()
    first = min(at for at in app.lesson.numbers if at >= app.sim.cursor)
    for _ in range(20):
        await pilot.press("s")
        await pilot.pause()
        if isinstance(app.screen, QuestionScreen):
            break
    assert isinstance(app.screen, QuestionScreen)
    assert app.sim.cursor == first  # the question's event is not applied yet


async def test_the_end_of_the_run_says_what_to_do_next_once(app: PilotApp,
                                                             pilot: Pilot) -> None:
    app.seek(app.sim.total - 1)
    await pilot.pause()
    assert "paused" in app.header and not app.ended
    await pilot.press("n")
    assert "■ end of run" in app.header and "paused" not in app.header
    ends = [t for t in app.toasts if t.startswith("End of the run")]
    assert ends == ["End of the run at t=2506.0 ms: r start again, m other mode, S back"]
    await pilot.press("n", "j", "s")
    assert [t for t in app.toasts if t.startswith("End of the run")] == ends
    await pilot.press("b")
    assert "paused" in app.header and "end of run" not in app.header


@pytest.mark.app("campus")
async def test_several_mns_stop_at_the_selected_mns_milestones(app: PilotApp,
                                                                pilot: Pilot) -> None:
    await pilot.press("]", "]")
    mn = app.selected_mn
    for _ in range(3):
        await pilot.press("s")
        await pilot.pause()
        found = app.milestones.at(app.sim, app.sim.cursor - 1, mn)
        assert found is not None and found.mn_id in (None, mn)


async def test_the_new_keys_are_in_the_footer_palette_and_help(app: PilotApp,
                                                               pilot: Pilot) -> None:
    assert "s milestone" in await footer_text(pilot)
    assert {"s / S", "f / F", "g"} <= {key for key, _ in KEYS}
    titles = {c.title for c in app.get_system_commands(app.screen)}
    assert {"Next milestone", "Previous milestone", "Next fault", "Previous fault",
            "Go to a time"} <= titles
