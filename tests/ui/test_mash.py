"""Key mashing through the pilot: thousands of random keys from every binding of the
app and its screens (palette, inspector, help, lesson questions), sent in bursts as
a terminal delivers them, must leave the app running, responsive and consistent.
Plus the regressions the mashing found."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.help import HelpScreen
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.screens.question import QuestionScreen
from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.mag_caches import MagCachesView
from pmipviz.ui.widgets.narration import NarrationView
from pmipviz.ui.widgets.topology import TopologyView
from tests.ui.pilot_app import SIZE, PilotApp, settled

TICK = "<tick>"  # the play timer's tick, fired by the test when the app is playing
# every binding of the app and its screens except q / ctrl+q (quit), and keys that
# move or type in the palette
MAIN_KEYS = ("space", "n", "b", "j", "right", "left", *"123456789", "m", "r", "plus",
             "minus", "equals_sign", "enter", "question_mark", "l", "left_square_bracket",
             "right_square_bracket", "escape", "tab", "shift+tab", "up", "down", "pageup",
             "pagedown", "home", "end", "a", "c", "d", "ctrl+p", "s", "S", "f", "F", "g",
             "z", "0", "less_than_sign", "greater_than_sign")  # (i, o: in PALETTE_KEYS)
PALETTE_KEYS = ("ctrl+home", "ctrl+end", "shift+home", "shift+end", "backspace", "s", "e",
                "o", "t", "p", "i")
# Opening a screen costs ~0.25 s of CPU (the main screen is laid out and drawn
# again when it comes back), a step ~7 ms: the keys that move, answer or close
# weigh more, so that 1,500 keys open some twenty screens and step far enough to
# meet the lesson questions
CHEAP = ("n", "n", "right", "j", "b", "left", "up", "down", "pageup", "pagedown", "home",
         "end", "space", "a", "c", "d", "escape", TICK)
KEYS = (*MAIN_KEYS, *PALETTE_KEYS, *CHEAP * 8)
PRESSED = 0.0  # the share of chunks pressed key by key (each key costs >= 40 ms)


class MashApp(PilotApp):
    """The app with the play timer fired by the test (never by the wall clock, so a
    seed gives the same keys and ticks: ``PilotApp``) and quitting counted instead of
    done (the palette's Quit command may be picked)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.quits = 0
        self.screens_seen: Counter[str] = Counter()  # screen class -> pushes

    async def action_quit(self) -> None:
        self.quits += 1

    def action_quit_main(self) -> None:
        self.quits += 1

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        self.screens_seen[type(screen).__name__] += 1
        return super().push_screen(screen, *args, **kwargs)


def burst(app: PmipvizApp, keys: Iterable[str]) -> None:
    """Queue key events the way a terminal read delivers several at once: no
    waiting (no layout) between them."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app.post_message(event)


async def mash(app: MashApp, pilot: Pilot[None], rng: random.Random, count: int) -> None:
    """``count`` random keys in chunks of 1-12, most sent as one burst, some pressed
    key by key (the pilot waits for the app between keys); the pilot waits for the
    app after every few chunks only, so that bursts pile up as on a slow terminal."""
    sent = chunks = 0
    while sent < count:
        chunk = [rng.choice(KEYS) for _ in range(rng.randint(1, 12))]
        sent += len(chunk)
        chunks += 1
        keys = [k for k in chunk if k != TICK]
        if rng.random() < PRESSED:
            await pilot.press(*keys)
        else:
            burst(app, keys)
        if chunks % 8 == 0:
            await pilot.pause()
        else:
            await asyncio.sleep(0)
        for _ in range(len(chunk) - len(keys)):
            if app.playing:
                app.tick()
        assert app.is_running, f"the app exited after {sent} keys"
    await pilot.pause()


async def settle(app: MashApp, pilot: Pilot[None]) -> None:
    """Close every modal screen, stop playing, leave lesson mode, follow the cursor."""
    for _ in range(20):
        if len(app.screen_stack) == 1 and not app.lesson.on and not app.playing:
            break
        if len(app.screen_stack) > 1:
            await pilot.press("escape")
        elif app.playing:
            await pilot.press("space")
        else:
            await pilot.press("l")
        await pilot.pause()
    assert len(app.screen_stack) == 1 and not app.lesson.on and not app.playing
    # the ladder follows the current event (escape is the ladder's key: tab may have
    # left the focus on another pane)
    app.query_one(LadderView).focus()
    await pilot.press("escape")
    app.clear_notifications()
    await pilot.pause()


async def quiesce(pilot: Pilot[None]) -> None:
    """Let every refresh and ``call_after_refresh`` land: one pause may return, on a
    loaded machine, before the scroll a refresh scheduled is drawn."""
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def unscroll(app: PmipvizApp, pilot: Pilot[None]) -> None:
    """Scroll the panes to their top and the ladder to its newest row: how far they
    are scrolled is view state (the last jump revealed the selected MN's Binding
    Cache rows; tab then up/down scroll the focused pane; the ladder scrolls only as
    far as it must to show the newest row, so where it stops depends on the path),
    not the run's. What the rows say is still compared. So is the delivery plot's
    zoomed window (it follows the cursor by half windows, from where it was): back to
    the whole run."""
    await quiesce(pilot)
    plot = app.plot_view
    if plot is not None:
        plot.whole()
    for pane in (TopologyView, BindingCacheTable, MagCachesView, NarrationView):
        app.query_one(pane).scroll_home(animate=False, immediate=True)
    app.query_one(LadderView).scroll_end(animate=False, immediate=True)
    await quiesce(pilot)


async def mash_and_check(scenario: str, size: tuple[int, int], seed: int,
                         keys: int = 1500) -> MashApp:
    """Mash ``keys`` keys (lesson mode on from the start), then check that the app
    is running, responsive and consistent; returns the app (for its counters)."""
    app = MashApp(scenario, lesson=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await mash(app, pilot, random.Random(seed), keys)
        await settle(app, pilot)
        # responsive: a key is still processed
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        # consistent: back to event 0 and forward again shows the same screen
        index = app.sim.cursor
        await unscroll(app, pilot)
        before = app.export_screenshot(simplify=True)  # every cell: text and style
        for _ in range(index):
            app.action_step_back()
        await pilot.pause()
        assert app.sim.cursor == 0
        for _ in range(index):
            app.action_step()
        await pilot.pause()
        assert app.sim.cursor == index
        await unscroll(app, pilot)
        assert app.export_screenshot(simplify=True) == before
        assert app.is_running and app.return_code is None
    return app


# campus (200 MNs, generated as it goes) costs ~1.5 times as much per key
@pytest.mark.parametrize(("scenario", "size", "seed", "keys"), [
    ("figure1", SIZE, 5213, 1500),
    ("campus", (80, 24), 8, 1000),
])
async def test_mashing_keeps_the_app_running_and_consistent(
        scenario: str, size: tuple[int, int], seed: int, keys: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # screenshots the palette may save land here
    app = await mash_and_check(scenario, size, seed, keys)
    # every screen was reached
    assert {"GuardedCommandPalette", HelpScreen.__name__, InspectorScreen.__name__,
            QuestionScreen.__name__} <= set(app.screens_seen), app.screens_seen


async def open_palette_and_page(app: PmipvizApp, pilot: Pilot[None], key: str) -> None:
    await pilot.pause()
    burst(app, ["ctrl+p", "end", key])
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("key", ["pagedown", "pageup"])
async def test_page_key_right_after_ctrl_p_does_not_crash(
        key: str, app: PilotApp, pilot: Pilot) -> None:
    """Textual 8.2.8: a page key before the palette's list is laid out raised
    KeyError in OptionList._move_page and ended the app."""
    await open_palette_and_page(app, pilot, key)
    assert app.is_running and app.return_code is None
    assert isinstance(app.screen, CommandPalette)
    # once laid out, the page keys move the highlight again
    await settled(pilot)
    commands = app.screen.query_one(CommandList)
    assert commands.option_count > 10 and commands.highlighted is not None
    await pilot.press("pagedown")
    await pilot.pause()
    assert commands.highlighted > 0


@pytest.mark.app("campus")
async def test_page_key_right_after_select_mn_does_not_crash(app: PilotApp, pilot: Pilot) -> None:
    """The same guard in the palettes ``search_commands`` opens (Select MN)."""
    app._pick_mn()
    burst(app, ["pagedown", "pagedown", "pageup"])
    await pilot.pause()
    await pilot.pause()
    assert app.is_running and app.return_code is None
    assert isinstance(app.screen, CommandPalette)


@pytest.mark.app("figure1", lesson=True)
async def test_ctrl_p_over_a_question_asked_over_the_palette(app: PilotApp, pilot: Pilot) -> None:
    """Playing in lesson mode, the timer asks a question over an open palette; a
    second ctrl+p then pushed another palette with the same id (DuplicateIds)."""
    app.seek(app.lesson.questions[0].at)
    app.action_play_pause()  # the test fires the timer itself
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette) and app.playing
    app.tick()  # the play timer, with the question due
    await pilot.pause()
    assert isinstance(app.screen, QuestionScreen)
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert app.is_running and app.return_code is None
    assert sum(isinstance(s, CommandPalette) for s in app.screen_stack) <= 1


async def palette_showing(app: PmipvizApp, pilot: Pilot[None], query: str) -> None:
    """Open the palette and type ``query``; wait for its list."""
    await pilot.press("ctrl+p", *query)
    await settled(pilot)
    assert isinstance(app.screen, CommandPalette)
    assert app.screen.query_one(CommandList).option_count >= 1


@pytest.mark.parametrize("under", [None, "enter"])
async def test_double_enter_in_the_palette_runs_the_command_once(
        under: str | None, app: PilotApp, pilot: Pilot) -> None:
    """Two enters in one burst: both selections used to dismiss, the second one
    popping the screen under the palette (or ScreenStackError over the main
    screen), and the command ran twice."""
    app.seek(40)
    if under is not None:
        await pilot.press(under)  # the inspector
        await pilot.pause()
    stack = list(app.screen_stack)
    await palette_showing(app, pilot, "step forward")
    burst(app, ["enter", "enter"])
    for _ in range(3):
        await pilot.pause()
    assert app.is_running and app.return_code is None
    assert app.screen_stack == stack
    assert app.sim.cursor == 41


@pytest.mark.parametrize("action", ["choose(0)", "carry_on"])
@pytest.mark.app("figure1", lesson=True)
async def test_a_key_before_the_question_is_composed_does_not_answer(
        action: str, app: PilotApp, pilot: Pilot) -> None:
    """A key queued behind the step that asks (a burst) can reach the question
    screen before it is composed: ``a`` crashed with NoMatches in action_choose,
    after scoring the answer. Such a key is not meant for a question not on
    screen yet: it is dropped."""
    app.seek(app.lesson.questions[0].at)
    app.action_step()  # asks: the question screen is pushed, not composed yet
    screen = app.screen
    assert isinstance(screen, QuestionScreen)
    # what the app does with the next key of the burst, before yielding
    handled = await app.run_action(action, screen)
    await pilot.pause()
    assert app.is_running and app.return_code is None
    assert not handled and screen.chosen is None and app.lesson.answers == []
    assert app.screen is screen
    await pilot.press("a")  # once on screen, a key answers
    await pilot.pause()
    assert screen.chosen == 0 and len(app.lesson.answers) == 1


@pytest.mark.parametrize("keys", [["q", "ctrl+p"], ["q", "ctrl+p", "pagedown"],
                                  ["ctrl+p", "s", "ctrl+q"]])
async def test_quit_then_palette_in_one_burst_quits_cleanly(keys: list[str]) -> None:
    """``q`` then ``ctrl+p`` in one burst opened a palette during the shutdown,
    whose search queried its removed list: NoMatches, a traceback, exit 1. (Not the
    ``app`` fixture: the test looks at the app after its run.)"""
    app = PilotApp("figure1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, keys)
        for _ in range(3):
            await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0  # 1 after an exception


@pytest.mark.app("campus")
async def test_double_enter_on_a_command_that_opens_a_palette(app: PilotApp, pilot: Pilot) -> None:
    """``Select MN`` chosen with two enters: the second selection popped the new
    "Select MN…" palette, whose search then queried its removed list."""
    await palette_showing(app, pilot, "select mn")
    burst(app, ["enter", "enter"])
    for _ in range(4):
        await pilot.pause()
    assert app.is_running and app.return_code is None
    assert isinstance(app.screen, CommandPalette)
    assert app.screen.query_one(CommandList).option_count == len(app.scenario.mns)


async def test_a_search_that_outlives_its_palette_touches_nothing(
        app: PilotApp, pilot: Pilot) -> None:
    """Guard 5: the palette's search worker can deliver results or flip its busy and
    list flags after the palette was dismissed (it batches by wall time, so only a
    loaded machine hits it through keys); with its widgets gone that raised NoMatches
    and ended the app. Here the late calls are made by hand after the dismissal."""
    await pilot.press("ctrl+p", "b", "r")
    await pilot.pause()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    commands = palette.query_one(CommandList)
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, CommandPalette)
    assert not palette.query(CommandList)  # its widgets are gone
    palette._refresh_command_list(commands, [], True)
    palette._watch__list_visible()
    await palette._watch__show_busy()
    palette._start_no_matches_countdown("br")
    await pilot.pause()
    assert app.is_running and app.return_code is None
