"""The delivery plot pane (`d`): it swaps with the ladder, shows exactly the events up
to the cursor (growing as the user steps, shrinking as they step back), follows the
mode switch and the selected MN; its pure helpers; and its snapshots at 120x40 and
80x24, figure1 in both modes, at a point just after the fault and at the end."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from pmipviz.export.plot_data import delivery_data, occupancy_data
from pmipviz.protocol.keys import short_mn
from pmipviz.scenario import load_scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screenshots import Shot, until
from pmipviz.ui.widgets.delivery_plot import (
    CHECKPOINT,
    KeyLines,
    MarkedPlot,
    PlotFeed,
    key_lines,
    nice_end,
    steps_xy,
    tag_columns,
)
from pmipviz.ui.widgets.ladder import LadderView
from tests.ui.pilot_app import PilotApp, footer_text, plot_of
from tests.ui.snap import matches


def expected(app: PmipvizApp) -> tuple[Any, Any]:
    """The plot's data folded afresh from the trace up to the cursor."""
    sim = app.sim
    events = sim.trace[:sim.cursor]
    mn = app.selected_mn
    assert mn is not None
    return (delivery_data(events, app.scenario, mn),
            occupancy_data(events, app.scenario, mn))


def shown(app: PmipvizApp) -> tuple[Any, Any]:
    view = plot_of(app)
    return view.delivery, view.occupancy


# -- the pane ----------------------------------------------------------------------------


async def test_d_swaps_the_ladder_for_the_plot_and_back(app: PilotApp, pilot: Pilot) -> None:
    assert app.plot_view is None  # made on first use
    assert "plot" in await footer_text(pilot)
    await pilot.press("d")
    await pilot.pause()
    view = plot_of(app)
    assert view.display and view.region.height > 10
    assert not app.query_one(LadderView).display
    await pilot.press("d")
    await pilot.pause()
    assert not view.display
    assert app.query_one(LadderView).display
    assert app.focused is app.query_one(LadderView)


async def test_the_plot_grows_and_shrinks_with_the_cursor(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1000)
    await pilot.press("d")
    await pilot.pause()
    assert shown(app) == expected(app)
    before = shown(app)[0]
    assert before is not None and before.markers[0].kind == "fault"
    # the longest gap so far is the 10 ms between two packets: no outage drawn yet
    assert "outage" not in app.query_one("#delivery-key", KeyLines).plain
    assert app.query_one("#delivery-plot", MarkedPlot).outage is None
    await pilot.press(*["n"] * 60)
    await pilot.pause()
    grown = shown(app)[0]
    assert shown(app) == expected(app)
    assert "outage 40 ms" in app.query_one("#delivery-key", KeyLines).plain
    assert app.query_one("#delivery-plot", MarkedPlot).outage == (996, 1036, "outage 40 ms")
    assert len(grown.sent) + len(grown.delivered) > len(before.sent) + len(before.delivered)
    assert [m.kind for m in grown.markers] == ["fault", "dereg", "pba", "flush"]
    assert grown.outage is not None and grown.outage.duration_ms == 40  # 996 -> 1036
    await pilot.press(*["b"] * 60)
    await pilot.pause()
    assert shown(app) == expected(app)
    assert shown(app)[0] == before
    app.seek(0)
    await pilot.pause()
    empty = shown(app)[0]
    assert empty is not None and not empty.sent and not empty.markers and empty.outage is None


async def test_the_plot_follows_the_mode_switch(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1200)
    await pilot.press("d")
    await pilot.pause()
    ft = shown(app)[0]
    assert ft is not None and not ft.lost
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213"
    assert shown(app) == expected(app)
    rfc = shown(app)[0]
    assert rfc is not None and rfc.lost and {"link_down", "dereg_hold"} <= set(rfc.lost_reasons)
    assert rfc.outage is not None and rfc.outage.open
    assert "rfc5213" in str(plot_of(app).border_title)
    key = app.query_one("#delivery-key", KeyLines).plain
    assert "dereg_hold" in key and "outage ≥" in key
    await pilot.press("m")
    await pilot.pause()
    assert shown(app)[0] == ft


@pytest.mark.app(mode="rfc5213")
async def test_an_open_outage_ends_now_until_the_run_ends(app: PilotApp,
                                                         pilot: Pilot) -> None:
    app.run_until(1100)
    await pilot.press("d")
    await pilot.pause()
    plot = app.query_one("#delivery-plot", MarkedPlot)
    assert plot.outage == (996, 1100, "outage ≥ 104 ms")  # not yet the packets' due times
    app.run_until(3000)
    await pilot.pause()
    assert app.ended
    # the whole run: as pmipviz plot, to the last packet's expected arrival (2506 ms)
    assert plot.outage == (996, 2506, "outage ≥ 1510 ms")


@pytest.mark.app("bad-mag")
async def test_another_mn_switches_the_plot(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(3000)
    await pilot.press("d")
    await pilot.pause()
    first = app.selected_mn
    assert plot_of(app).feed.mn == first  # type: ignore[union-attr]
    await pilot.press("right_square_bracket")
    await pilot.pause()
    assert app.selected_mn not in (None, first)
    view = plot_of(app)
    assert view.feed is not None and view.feed.mn == app.selected_mn
    assert shown(app) == expected(app)
    assert short_mn(app.selected_mn) in str(view.border_title)  # type: ignore[arg-type]


@pytest.mark.app(size=(80, 24))
async def test_at_80x24_the_plot_takes_the_room(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1200)
    await pilot.press("d")
    await pilot.pause()
    view = plot_of(app)
    assert not app.query_one("#top").display
    assert view.region.height >= 20
    assert app.query_one("#delivery-plot").region.height >= 6


# -- helpers -----------------------------------------------------------------------------


def test_tags_never_cover_each_other_and_stay_inside() -> None:
    # (3) and (5) at the same column: the second moves past the first
    assert tag_columns([10, 12, 12], [1, 3, 3], right=40) == [10, 12, 16]
    # too close to the right edge: all move left together
    assert tag_columns([37, 37], [3, 3], right=40) == [33, 37]


def test_steps_hold_each_value_until_the_next_time() -> None:
    assert steps_xy([(0.0, 0), (5.0, 2), (8.0, 1)]) == (
        [0.0, 5.0, 5.0, 8.0, 8.0], [0, 0, 2, 2, 1])


def test_the_time_axis_ends_on_a_tick() -> None:
    assert nice_end(2506.0) == 3000.0
    assert nice_end(1116.0) == 1200.0
    assert nice_end(2000.0) == 2000.0


def test_the_key_wraps_between_parts_only() -> None:
    rows = [[("· sent 200", "red"), ("• delivered 200", "blue"), ("lost 0", "grey")]]
    lines = [line.plain for line in key_lines(rows, 30)]
    assert lines == ["· sent 200  • delivered 200", "lost 0"]
    assert [line.plain for line in key_lines(rows, 80)] == [
        "· sent 200  • delivered 200  lost 0"]


# -- snapshots ---------------------------------------------------------------------------

def at_end(app: PmipvizApp) -> None:
    """The whole run applied (its toast is cleared before the shot)."""
    app.run_until(3000)


PLOT_SHOTS = {s.name: s for s in (
    Shot("plot_ft_after_fault", until(1100), keys=("d",)),
    Shot("plot_ft_end", at_end, keys=("d",)),
    Shot("plot_rfc5213_after_fault", until(1100), keys=("d", "m")),
    Shot("plot_rfc5213_end", at_end, mode="rfc5213", keys=("d",)),
    Shot("plot_ft_after_fault_80x24", until(1100), size=(80, 24), keys=("d",)),
    Shot("plot_ft_end_80x24", at_end, size=(80, 24), keys=("d",)),
    Shot("plot_rfc5213_after_fault_80x24", until(1100), size=(80, 24), keys=("d", "m")),
    Shot("plot_rfc5213_end_80x24", at_end, mode="rfc5213", size=(80, 24),
         keys=("d",)),
)}

# `z` (the plot zoomed to the handover) just after it, at 120x40, in both modes
ZOOM_SHOTS = {s.name: s for s in (
    Shot("plot_ft_handover_zoom", until(1100), keys=("z",)),
    Shot("plot_rfc5213_handover_zoom", until(1100), mode="rfc5213", keys=("z",)),
)}


@pytest.mark.parametrize("name", list(PLOT_SHOTS))
def test_plot_screen(snap_compare: Any, name: str) -> None:
    assert matches(snap_compare, PLOT_SHOTS[name])


@pytest.mark.parametrize("name", list(ZOOM_SHOTS))
def test_zoomed_plot_screen(snap_compare: Any, name: str) -> None:
    assert matches(snap_compare, ZOOM_SHOTS[name])


def test_the_feed_steps_back_from_its_copies() -> None:
    """Forward past two checkpoints, back, forward again: always the fresh fold's data."""
    scenario = load_scenario("campus")
    sim = Simulation(scenario, None)
    sim.run(2100)
    trace = sim.trace
    assert len(trace) > 2 * CHECKPOINT + 10
    mn = "mn121@campus.example"
    feed = PlotFeed(scenario, mn)
    for cursor in (2 * CHECKPOINT + 7, CHECKPOINT + 3, 5, 2 * CHECKPOINT + 9, 2 * CHECKPOINT):
        feed.follow(trace, cursor)
        fresh = delivery_data(trace[:cursor], scenario, mn)
        assert feed.fold.delivery() == fresh
        assert feed.fold.occupancy() == occupancy_data(trace[:cursor], scenario, mn)
