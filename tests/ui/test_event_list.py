"""``e``: the event list (issue 11 feature) and the narration of the selected MN
(issue 11 defect 4).

The list shows the run so far, filtered (a preset cycled with ``p``, the selected
MN with ``m``, words typed after ``/``); enter on a row moves the app's cursor just
after that event. On campus it never builds more than ``CAP`` rows per filter
(counted, not timed). With several MNs the narration tells the selected MN's
latest event, and says so when it is not the current one."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from pmipviz.lesson.milestones import MilestoneFold
from pmipviz.protocol.keys import short_mn
from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.events import CAP, PRESETS, EventListScreen
from pmipviz.ui.session import event_label
from pmipviz.ui.widgets.narration import NarrationView, narration_text
from tests.ui.pilot_app import PilotApp

PROBLEMS = next(k for k, (name, _) in enumerate(PRESETS) if name.startswith("problems"))


def _status(ev: Any) -> int:
    return int(ev.fields.get("status") or 0)


async def _open(app: PilotApp, pilot: Pilot[None]) -> EventListScreen:
    await pilot.press("e")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, EventListScreen)
    return screen


async def _preset(pilot: Pilot[None], screen: EventListScreen, k: int) -> None:
    while screen.filter.preset != k:
        await pilot.press("p")
        await pilot.pause()


def _note(screen: EventListScreen) -> str:
    return str(screen.query_one("#events-note").render())


async def test_list_shows_the_run_so_far_and_enter_seeks_there(app: PilotApp,
                                                                pilot: Pilot[None]) -> None:
    app.run_until(1200)
    await pilot.pause()
    cursor = app.sim.cursor
    assert cursor < CAP  # figure1 at 1200 ms: every event so far is listed
    screen = await _open(app, pilot)
    assert screen.shown == list(range(cursor))
    table = screen.query_one(DataTable)
    assert table.row_count == cursor
    assert table.cursor_row == cursor - 1  # on the current event
    assert str(table.get_row_at(cursor - 1)[0]) == str(cursor)  # numbered as the header
    assert f"{cursor} of the {cursor} events so far" in _note(screen)
    # only MAG1's PBAs: words typed after /, all of them must match
    await pilot.press("slash", *"mag1 pba", "enter")
    await pilot.pause()
    expected = [i for i in range(cursor) if app.sim.trace[i].msg == "PBA" and
                "MAG1" in (app.sim.trace[i].node, app.sim.trace[i].peer)]
    assert expected and set(expected) <= set(screen.shown)
    for i in screen.shown:  # MAG1's, about a PBA (the messages, and e.g. the BUL entry
        ev = app.sim.trace[i]  # a PBA removes)
        assert "MAG1" in (ev.node, ev.peer) and "pba" in event_label(ev).lower(), ev
    assert table.row_count == len(screen.shown) < cursor and table.has_focus
    await pilot.press(*["up"] * (len(screen.shown) - 1), "enter")  # the first row
    await pilot.pause()
    assert app.screen is app.screen_stack[0]
    assert app.sim.cursor == expected[0] + 1
    assert app.sim.current is app.sim.trace[expected[0]]
    assert app.event_filter.words == ("mag1", "pba")  # kept for the next opening
    screen = await _open(app, pilot)
    assert screen.shown == [expected[0]]  # the run so far: up to the event gone to
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is app.screen_stack[0] and app.sim.cursor == expected[0] + 1


async def test_list_at_the_start_says_to_step_first(app: PilotApp, pilot: Pilot[None]) -> None:
    screen = await _open(app, pilot)
    assert screen.shown == [] and "step" in _note(screen)
    await pilot.press("enter")
    await pilot.pause()
    assert app.sim.cursor == 0


@pytest.mark.app("bad-mag")
async def test_problems_filter_lists_the_rejected_pbas(app: PilotApp,
                                                       pilot: Pilot[None]) -> None:
    app.seek(app.sim.total)
    await pilot.pause()
    trace = app.sim.trace
    rejected = [i for i in range(len(trace)) if trace[i].msg == "PBA" and _status(trace[i]) >= 128]
    assert len(rejected) >= 7 * 2  # 7 bad MAGs: each rejection sent and received
    screen = await _open(app, pilot)
    await _preset(pilot, screen, PROBLEMS)
    assert set(rejected) <= set(screen.shown)
    for i in screen.shown:  # nothing else: drops, faults and rejected PBAs only
        ev = trace[i]
        assert ev.kind in ("drop", "fault") or i in rejected, ev
    accepted = [i for i in range(len(trace)) if trace[i].msg == "PBA" and _status(trace[i]) == 0]
    assert accepted and not set(accepted) & set(screen.shown)
    labels = [str(screen.query_one(DataTable).get_row_at(k)[5]) for k in range(len(screen.shown))]
    assert any("154" in label for label in labels)  # the status codes are in the list


@pytest.mark.app("bad-mag")
async def test_selected_mn_filter_follows_the_ladder(app: PilotApp, pilot: Pilot[None]) -> None:
    app.seek(app.sim.total)
    await pilot.press("right_square_bracket", "right_square_bracket")  # mn-m2, MAG2's
    await pilot.pause()
    assert app.selected_mn is not None and app.selected_mn.startswith("mn-m2")
    screen = await _open(app, pilot)
    await pilot.press("m")
    await pilot.pause()
    assert screen.filter.mn_only and short_mn(app.selected_mn) in _note(screen)
    fold = MilestoneFold(app.scenario)
    trace = app.sim.trace
    assert screen.shown
    assert all(fold.mn_of(trace[i]) in (app.selected_mn, None) for i in screen.shown)
    assert any(trace[i].msg == "PBA" and _status(trace[i]) == 154 for i in screen.shown)
    assert not any(trace[i].msg == "PBA" and _status(trace[i]) == 153 for i in screen.shown)


@pytest.mark.app("figure1")
async def test_one_mn_has_no_mn_filter(app: PilotApp, pilot: Pilot[None]) -> None:
    app.run_until(1200)
    screen = await _open(app, pilot)
    before = list(screen.shown)
    await pilot.press("m")
    await pilot.pause()
    assert not screen.filter.mn_only and screen.shown == before


@pytest.mark.app("campus")
async def test_campus_list_stays_bounded(app: PilotApp, pilot: Pilot[None]) -> None:
    app.run_until(100_000)  # the whole run: ~66k events
    await pilot.pause()
    cursor = app.sim.cursor
    assert cursor > 50 * CAP
    screen = await _open(app, pilot)
    assert screen.rows_built == CAP and screen.shown == list(range(cursor - CAP, cursor))
    assert screen.more and "left out" in _note(screen)
    built = screen.rows_built
    for _ in range(len(PRESETS)):  # every preset once, back to "all events"
        await pilot.press("p")
        await pilot.pause()
        assert screen.rows_built - built <= CAP
        built = screen.rows_built
        assert screen.query_one(DataTable).row_count == len(screen.shown) <= CAP
    await pilot.press("escape")
    app.select_mn("mn121@campus.example")  # its IF1 breaks at 2000 ms
    screen = await _open(app, pilot)
    await _preset(pilot, screen, PROBLEMS)
    faults = [i for i in range(cursor) if app.sim.trace[i].kind == "fault"]
    assert faults and set(faults) <= set(screen.shown)
    await pilot.press("m")  # the selected MN's problems: its faults
    await pilot.pause()
    mine = [i for i in faults if app.selected_mn in str(app.sim.trace[i].node)]
    assert screen.shown and set(screen.shown) <= set(faults) | {
        i for i in range(cursor) if app.sim.trace[i].kind == "drop"}
    assert mine and set(mine) <= set(screen.shown)


# -- narration of the selected MN ------------------------------------------------------------

def _narration(app: PilotApp) -> str:
    return app.query_one(NarrationView)._text.plain


@pytest.mark.app("bad-mag")
async def test_narration_follows_the_selected_mn(app: PilotApp, pilot: Pilot[None]) -> None:
    app.run_until(60)
    await pilot.press("right_square_bracket", "right_square_bracket")  # mn-m2
    await pilot.pause()
    mn = app.selected_mn
    assert mn is not None and mn.startswith("mn-m2")
    current = app.sim.current
    assert current is not None and mn not in current.node  # another MN's event is current
    fold = MilestoneFold(app.scenario)
    trace = app.sim.trace
    latest = max(i for i in range(app.sim.cursor) if fold.mn_of(trace[i]) == mn)
    text = _narration(app)
    first, _, rest = text.partition("\n")
    assert first.startswith("latest for mn-m2: event ")
    told = int(first.removeprefix("latest for mn-m2: event ").split(",")[0])
    assert told - 1 >= latest  # no event of mn-m2 after the one told
    assert f"t={trace[told - 1].t_ms:.1f} ms" in first
    assert first.endswith(f"(event {app.sim.cursor} is another MN's)")
    assert rest == narration_text(trace[told - 1], app.sim.mode, app.scenario)[1].plain
    assert "mn-m2" in rest and short_mn(current.node.split("/")[0]) not in rest
    # the selected MN's own event is current: narrated as it is, without a note
    app.seek(latest + 1)
    await pilot.pause()
    assert _narration(app) == narration_text(trace[latest], app.sim.mode, app.scenario)[1].plain


@pytest.mark.app("bad-mag")
async def test_narration_before_the_mns_first_event(app: PilotApp, pilot: Pilot[None]) -> None:
    app.seek(1)
    await pilot.press("left_square_bracket")  # the last MN: nothing of it yet
    await pilot.pause()
    mn = app.selected_mn
    assert mn is not None and mn not in app.sim.trace[0].node
    assert _narration(app).startswith(f"Nothing for {short_mn(mn)} yet (event 1, t=0.0 ms, "
                                      "is another MN's).\n")


@pytest.mark.app("campus")
async def test_campus_narrates_mn150_not_the_current_mn(app: PilotApp,
                                                        pilot: Pilot[None]) -> None:
    app.select_mn("mn150@campus.example")
    app.run_until(2400)
    await pilot.pause()
    current = app.sim.current
    assert current is not None and "mn150@" not in current.node
    text = _narration(app)
    assert text.startswith("latest for mn150: event ")
    first, _, rest = text.partition("\n")
    told = app.sim.trace[int(first.split("event ")[1].split(",")[0]) - 1]
    assert MilestoneFold(app.scenario).mn_of(told) in ("mn150@campus.example", None)
    other = short_mn(str(MilestoneFold(app.scenario).mn_of(current)))
    assert f"{other}/" not in rest and f"{other} " not in rest
    # a step on and back (the scan back is cached going forward): the same narration
    await pilot.press("right")
    await pilot.pause()
    await pilot.press("left")
    await pilot.pause()
    assert _narration(app) == text


async def test_one_mn_narrates_the_current_event(app: PilotApp, pilot: Pilot[None]) -> None:
    for t in (5, 1015, 1200):
        app.run_until(t)
        await pilot.pause()
        assert _narration(app) == narration_text(app.sim.current, app.sim.mode,
                                                 app.scenario)[1].plain


# -- snapshots --------------------------------------------------------------------------------

def _snap_list(snap_compare: Any, scenario: str, size: tuple[int, int], t_ms: float,
               presses: tuple[str, ...]) -> bool:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.run_until(t_ms)  # type: ignore[attr-defined]
        await pilot.pause()

    return bool(snap_compare(PmipvizApp(scenario), press=["e", *presses], terminal_size=size,
                             run_before=run_before))


def test_snapshot_event_list_problems(snap_compare: Any) -> None:
    assert _snap_list(snap_compare, "bad-mag", (120, 40), 360, ("p", "p"))


def test_snapshot_event_list_80x24(snap_compare: Any) -> None:
    assert _snap_list(snap_compare, "figure1", (80, 24), 1200, ())


async def test_keys_of_the_app_type_into_the_filter(app: PilotApp, pilot: Pilot[None]) -> None:
    """``e``, ``m``, ``d``, ``q``... are app keys on the main screen; in the filter
    they are letters."""
    app.run_until(1200)
    screen = await _open(app, pilot)
    await pilot.press("slash", *"dereg", "enter")
    await pilot.pause()
    assert app.screen is screen and screen.filter.words == ("dereg",)
    assert screen.shown and all("dereg" in event_label(app.sim.trace[i]).lower()
                                for i in screen.shown)
    assert app.sim.mode == "ft" and not app.plot_shown
    names = [c.title for c in app.get_system_commands(app.screen_stack[0])]
    assert "Event list" in names
