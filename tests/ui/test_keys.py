"""Pilot tests of the keys: stepping, breaking, mode switch, reset, quit, resize,
and random key mashing. The play timer is never left running."""

from __future__ import annotations

import random
import re

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.help import HelpScreen
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.footer import FittingFooter
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.topology import TopologyView
from tests.ui.pilot_app import PilotApp

EVENT_RE = re.compile(r"event (\d+)/(\d+)")


def event_counter(app: PmipvizApp) -> tuple[int, int]:
    m = EVENT_RE.search(app.header)
    assert m, app.header
    return int(m.group(1)), int(m.group(2))


def bce_rows(app: PmipvizApp) -> list[tuple[str, ...]]:
    table = app.query_one(BindingCacheTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def topology_text(app: PmipvizApp) -> str:
    view = app.query_one(TopologyView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def test_starts_paused_at_event_zero(app: PilotApp, pilot: Pilot) -> None:
    assert event_counter(app) == (0, app.sim.total)
    assert app.sim.complete and app.sim.total > 1000
    assert "FT (draft)" in app.header and "paused" in app.header
    assert not app.playing


async def test_step_and_back_restore_the_screen(app: PilotApp, pilot: Pilot) -> None:
    app.seek(335)
    await pilot.pause()
    await pilot.press(*["n"] * 3)
    await pilot.pause()
    before = app.export_screenshot(simplify=True)
    rows_before = bce_rows(app)
    await pilot.press(*["right"] * 8)
    await pilot.pause()
    assert event_counter(app)[0] == 346
    assert bce_rows(app) != rows_before  # S=0 on IF1 happened in between
    await pilot.press(*["left"] * 6, *["b"] * 2)
    await pilot.pause()
    assert event_counter(app)[0] == 338
    assert bce_rows(app) == rows_before
    assert app.export_screenshot(simplify=True) == before


async def test_back_removes_bce_rows_by_key(app: PilotApp, pilot: Pilot) -> None:
    first_bce = next(ev.i for ev in app.sim.trace
                     if ev.kind == "state" and ev.fields.get("table") == "bce")
    app.seek(first_bce + 1)
    await pilot.pause()
    assert len(bce_rows(app)) == 1
    await pilot.press("b")
    await pilot.pause()
    assert bce_rows(app) == []
    await pilot.press("n")
    await pilot.pause()
    assert len(bce_rows(app)) == 1


async def test_stepping_never_rebuilds_the_table(app: PilotApp, pilot: Pilot) -> None:
    table = app.query_one(BindingCacheTable)
    calls: list[str] = []
    original = table.clear

    def counting_clear(*args: object, **kwargs: object) -> object:
        calls.append("clear")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    table.clear = counting_clear  # type: ignore[method-assign,assignment]
    for _ in range(400):
        app.action_step()
    for _ in range(100):
        app.action_step_back()
    await pilot.pause()
    assert calls == []


async def test_break_and_restore_with_1(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(600)
    await pilot.pause()
    key = "mn1@example.org/IF1"
    assert app.sim.state().ifaces[key]["up"]
    await pilot.press("1")
    await pilot.pause()
    assert not app.sim.state().ifaces[key]["up"]
    assert "✕" in topology_text(app)
    assert app.sim.now == 600
    await pilot.press("1")
    await pilot.pause()
    assert app.sim.state().ifaces[key]["up"]
    assert [a.fault.action for a in app.sim.actions] == ["break", "restore"]


async def test_mode_switch_keeps_time_and_faults(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1100)
    await pilot.pause()
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213"
    assert "RFC 5213" in app.header
    assert app.sim.now == 1100
    rows = bce_rows(app)
    assert rows and all(r[3] == "-" and r[4] == "-" for r in rows)  # M and S
    assert any("dereg-hold" in r for r in rows)
    assert app.sim.state().lost_by_reason  # the loss is visible
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "ft" and "FT (draft)" in app.header
    assert app.sim.now == 1100


async def test_reset_goes_back_to_event_zero(app: PilotApp, pilot: Pilot) -> None:
    await pilot.press(*["n"] * 12)
    await pilot.pause()
    assert event_counter(app)[0] == 12
    await pilot.press("r")
    await pilot.pause()
    assert event_counter(app)[0] == 0
    assert bce_rows(app) == []
    assert app.query_one(LadderView).shown_rows == 0


async def test_speed_and_play_pause(app: PilotApp, pilot: Pilot) -> None:
    speed = app.speed
    await pilot.press("plus")
    assert app.speed > speed
    await pilot.press("minus", "minus")
    assert app.speed < speed
    await pilot.press("space")
    assert app.playing and "playing" in app.header
    await pilot.press("space")
    assert not app.playing and "paused" in app.header
    app.tick()  # one tick of the play timer, by hand
    assert event_counter(app)[0] >= 1


async def test_enter_opens_the_inspector_and_escape_closes_it(app: PilotApp, pilot: Pilot) -> None:
    dereg = next(ev.i for ev in app.sim.trace
                 if ev.msg == "PBU" and ev.kind == "send" and ev.fields["lifetime_s"] == 0)
    app.seek(dereg + 1)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, InspectorScreen)
    assert app.screen.event.i == dereg
    await pilot.press("n")  # stepping is off while the inspector is open
    assert app.sim.cursor == dereg + 1
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, InspectorScreen)
    # a ladder row selected with the arrows is inspected instead of the event
    await pilot.press("up", "up", "enter")
    await pilot.pause()
    assert isinstance(app.screen, InspectorScreen)
    assert app.screen.event.i < dereg
    await pilot.press("escape", "question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    await pilot.press("escape")


async def test_q_quits(app: PilotApp, pilot: Pilot) -> None:
    await pilot.press("q")
    await pilot.pause()
    assert not app.is_running


async def test_resize_to_60x20_and_back(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1030)
    for size in ((80, 24), (60, 20), (40, 12), (60, 20), (120, 40)):
        await pilot.resize_terminal(*size)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.size == size
    assert EVENT_RE.search(app.header)


@pytest.mark.app(size=(80, 24))
async def test_key_mashing_does_not_crash(app: PilotApp, pilot: Pilot) -> None:
    keys = ["n", "b", "right", "left", "1", "2", "3", "9", "m", "r", "plus", "minus", "enter",
            "escape", "question_mark", "up", "down", "left_square_bracket",
            "right_square_bracket", "space", "tab", "home", "pagedown"]
    rng = random.Random(5213)
    for _ in range(3):
        await pilot.press(*[rng.choice(keys) for _ in range(30)])
        await pilot.pause()
    if app.playing:
        await pilot.press("escape", "escape", "space")
    assert app.is_running
    assert EVENT_RE.search(app.header)


@pytest.mark.app("campus")
async def test_big_scenario_select_mn_and_step(app: PilotApp, pilot: Pilot) -> None:
    assert not app.sim.complete  # M is what is known so far
    assert app.header.split("event ")[1].split(" ")[0].endswith("+")
    app.run_until(2500)
    await pilot.pause()
    first = app.selected_mn
    await pilot.press("right_square_bracket")
    await pilot.pause()
    assert app.selected_mn != first
    assert "mn2" in str(app.query_one(TopologyView).border_title)
    cursor = app.sim.cursor
    await pilot.press(*["n"] * 20, *["b"] * 5)
    await pilot.pause()
    assert app.sim.cursor == cursor + 15
    await pilot.press("left_square_bracket")
    assert app.selected_mn == first


# -- review fixes -------------------------------------------------------------------------


async def test_inspector_uses_the_header_numbering(app: PilotApp, pilot: Pilot) -> None:
    app.seek(13)
    await pilot.pause()
    assert event_counter(app)[0] == 13
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, InspectorScreen) and screen.event.i == 12
    box = screen.query_one("#inspector-box")
    assert str(box.border_title).startswith("Inspector · event 13 · ")
    fields = screen.query_one("#inspector-fields").query(Static).first()
    console = Console(width=80, record=True, color_system=None)
    console.print(fields.content)
    text = console.export_text()
    assert re.search(r"event\s+13\b", text) and re.search(r"--trace i\s+12 \(from 0\)", text)


async def test_header_is_laid_out_again_after_a_resize(app: PilotApp, pilot: Pilot) -> None:
    app.seek(345)
    await pilot.pause()
    title = app.scenario.title
    assert title in app.header
    await pilot.resize_terminal(80, 24)
    await pilot.pause()
    assert EVENT_RE.search(app.header) and len(app.header) <= 80
    # the title stays whole at 80 columns: the rest of the line is shortened instead
    assert title in app.header and "ev/s" not in app.header
    await pilot.resize_terminal(120, 40)
    await pilot.pause()
    assert "10 ev/s" in app.header  # the long form is back without another update


async def test_footer_ends_with_a_whole_key(app: PilotApp, pilot: Pilot) -> None:
    for size in ((60, 20), (80, 24), (100, 30), (120, 40), (60, 20)):
        await pilot.resize_terminal(*size)
        await pilot.pause()
        await pilot.pause()
        footer = app.query_one(FittingFooter)
        keys = [k for k in footer.query("FooterKey") if k.display]
        assert keys and all(k.region.right <= size[0] for k in keys), size
        assert "q quit" in footer.shown_text and "? help" in footer.shown_text
        assert ("^p palette" in footer.shown_text) == (size[0] >= 100)
        bottom = app.export_screenshot(simplify=True)
        assert "paletteq" not in bottom


@pytest.mark.app("bad-mag")
async def test_square_brackets_cycle_the_mns_and_wrap(app: PilotApp, pilot: Pilot) -> None:
    ids = [mn.id for mn in app.scenario.mns]
    assert app.selected_mn == ids[0]
    await pilot.press("[")  # the character, named as a terminal's "[" is (left_square_bracket)
    await pilot.pause()
    assert app.selected_mn == ids[-1]
    await pilot.press("]")
    await pilot.pause()
    assert app.selected_mn == ids[0]
    await pilot.press("]", "]")
    await pilot.pause()
    assert app.selected_mn == ids[2]


async def test_m_twice_returns_to_the_same_event(app: PilotApp, pilot: Pilot) -> None:
    app.seek(345)
    await pilot.pause()
    before = app.export_screenshot(simplify=True)
    ft = app.sim
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213" and app.sim.now == ft.now
    await pilot.press("m")
    await pilot.pause()
    assert app.sim is ft and app.sim.cursor == 345
    assert event_counter(app)[0] == 345
    assert app.export_screenshot(simplify=True) == before
    # the time moved on in RFC 5213 mode: a fresh switch at the new time
    await pilot.press("m", *["n"] * 20, "m")
    await pilot.pause()
    assert app.sim is not ft and app.sim.mode == "ft"
    # a fault injected after the switch: the kept run does not have it
    kept_ft = app.sim
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213"
    await pilot.press("2", "m")
    await pilot.pause()
    assert app.sim.mode == "ft" and app.sim is not kept_ft
    assert [f.action for f in app.sim.faults_so_far()].count("break") == 2


async def test_topology_marks_the_break_with_the_fault_event(app: PilotApp, pilot: Pilot) -> None:
    fault = next(e for e in app.sim.trace if e.kind == "fault")
    app.seek(fault.i)
    await pilot.pause()
    assert "✕" not in topology_text(app)
    await pilot.press("n")  # the fault itself, before IF1's own state event
    await pilot.pause()
    assert app.sim.current is fault
    assert "✕" in topology_text(app)
    await pilot.press("n", "b", "b")
    await pilot.pause()
    assert "✕" not in topology_text(app)


async def test_j_jumps_over_data_forwarding(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(600.0)
    before = app.sim.cursor
    await pilot.press("j")
    await pilot.pause()
    sim = app.sim
    assert sim.cursor > before + 10  # it stepped over the stream
    skipped = sim.trace[before:sim.cursor - 1]
    assert all(e.msg == "DATA" and e.kind in ("send", "recv", "deliver") for e in skipped)
    last = sim.trace[sim.cursor - 1]
    assert not (last.msg == "DATA" and last.kind in ("send", "recv", "deliver"))
    assert last.kind == "fault" and last.t_ms == 1000.0
