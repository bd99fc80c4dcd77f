"""Pilot tests of the keys: stepping, breaking, mode switch, reset, quit, resize,
and random key mashing. The play timer is never left running."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Coroutine
from typing import Any

from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.help import HelpScreen
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.status_line import StatusLine
from pmipviz.ui.widgets.topology import TopologyView

SIZE = (120, 40)
EVENT_RE = re.compile(r"event (\d+)/(\d+)")


def sync(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test body with asyncio.run (no async pytest plugin needed)."""
    def test(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


def header(app: PmipvizApp) -> str:
    return app.query_one(StatusLine).plain


def event_counter(app: PmipvizApp) -> tuple[int, int]:
    m = EVENT_RE.search(header(app))
    assert m, header(app)
    return int(m.group(1)), int(m.group(2))


def bce_rows(app: PmipvizApp) -> list[tuple[str, ...]]:
    table = app.query_one(BindingCacheTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def topology_text(app: PmipvizApp) -> str:
    view = app.query_one(TopologyView)
    return "\n".join("".join(s.text for s in line) for line in view._lines)


@sync
async def test_starts_paused_at_event_zero() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert event_counter(app) == (0, app.sim.total)
        assert app.sim.complete and app.sim.total > 1000
        assert "FT (draft)" in header(app) and "paused" in header(app)
        assert not app.playing


@sync
async def test_step_and_back_restore_the_screen() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


@sync
async def test_back_removes_bce_rows_by_key() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


@sync
async def test_stepping_never_rebuilds_the_table() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


@sync
async def test_break_and_restore_with_1() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


@sync
async def test_mode_switch_keeps_time_and_faults() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.run_until(1100)
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert app.sim.mode == "rfc5213"
        assert "RFC 5213" in header(app)
        assert app.sim.now == 1100
        rows = bce_rows(app)
        assert rows and all(r[3] == "-" and r[4] == "-" for r in rows)  # M and S
        assert any("dereg-hold" in r for r in rows)
        assert app.sim.state().lost_by_reason  # the loss is visible
        await pilot.press("m")
        await pilot.pause()
        assert app.sim.mode == "ft" and "FT (draft)" in header(app)
        assert app.sim.now == 1100


@sync
async def test_reset_goes_back_to_event_zero() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*["n"] * 12)
        await pilot.pause()
        assert event_counter(app)[0] == 12
        await pilot.press("r")
        await pilot.pause()
        assert event_counter(app)[0] == 0
        assert bce_rows(app) == []
        assert app.query_one(LadderView).shown_rows == 0


@sync
async def test_speed_and_play_pause() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        speed = app.speed
        await pilot.press("plus")
        assert app.speed > speed
        await pilot.press("minus", "minus")
        assert app.speed < speed
        await pilot.press("space")
        assert app.playing and "playing" in header(app)
        await pilot.press("space")
        assert not app.playing and "paused" in header(app)
        app._tick()  # one tick of the play timer, by hand
        assert event_counter(app)[0] >= 1


@sync
async def test_enter_opens_the_inspector_and_escape_closes_it() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


@sync
async def test_q_quits() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@sync
async def test_resize_to_60x20_and_back() -> None:
    app = PmipvizApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.run_until(1030)
        for size in ((80, 24), (60, 20), (40, 12), (60, 20), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.press("n")
            await pilot.pause()
            assert app.screen.size == size
        assert EVENT_RE.search(header(app))


@sync
async def test_key_mashing_does_not_crash() -> None:
    keys = ["n", "b", "right", "left", "1", "2", "3", "9", "m", "r", "plus", "minus", "enter",
            "escape", "question_mark", "up", "down", "left_square_bracket",
            "right_square_bracket", "space", "tab", "home", "pagedown"]
    rng = random.Random(5213)
    app = PmipvizApp("figure1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press(*[rng.choice(keys) for _ in range(30)])
            await pilot.pause()
        if app.playing:
            await pilot.press("escape", "escape", "space")
        assert app.is_running
        assert EVENT_RE.search(header(app))


@sync
async def test_big_scenario_select_mn_and_step() -> None:
    app = PmipvizApp("campus")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.sim.complete  # M is what is known so far
        assert header(app).split("event ")[1].split(" ")[0].endswith("+")
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
