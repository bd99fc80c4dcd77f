"""Zoom and pan on the delivery plot's time axis (`i`/`o`, `<`/`>`, `0`, `z`): the
window each key makes, its clamping at the run's edges and at MIN_WIDTH_MS, the
window following the cursor, the caption, the marks left out; and the pure helpers
of ``ui.time_window``."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from pmipviz.export.plot_data import delivery_data
from pmipviz.scenario import load_scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.ui.time_window import (
    MIN_WIDTH_MS,
    Window,
    caption,
    followed,
    handover_span,
    handover_window,
    nice_step,
    panned,
    time_ticks,
    zoomed,
)
from pmipviz.ui.widgets.delivery_plot import MarkedPlot, clip_steps
from tests.ui.pilot_app import PilotApp, plot_of


def subtitle(app: PilotApp) -> str:
    return str(plot_of(app).border_subtitle)


async def test_zoom_in_out_and_back_to_the_whole_run(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1036)  # the first packet on the new path
    await pilot.press("d")
    await pilot.pause()
    view = plot_of(app)
    assert view.zoom is None
    assert "zoom" not in subtitle(app)
    whole = app.query_one("#delivery-plot", MarkedPlot)._x_max  # 0..1200 (nice_end)
    await pilot.press("i")
    await pilot.pause()
    assert view.zoom == Window(1036 - whole / 4, 1036 + whole / 4)  # half, on the cursor
    await pilot.press("i", "i")
    await pilot.pause()
    assert view.zoom is not None and view.zoom.width == whole / 8
    assert view.zoom.contains(1036) and (view.zoom.lo + view.zoom.hi) / 2 == 1036
    assert "zoom ×" in subtitle(app) and "0 whole" in subtitle(app)
    await pilot.press("o")
    await pilot.pause()
    assert view.zoom is not None and view.zoom.width == whole / 4
    await pilot.press("0")
    await pilot.pause()
    assert view.zoom is None and "zoom" not in subtitle(app)
    await pilot.press("o")  # nothing wider than the whole run so far
    await pilot.pause()
    assert view.zoom is None


async def test_no_zoom_below_the_minimum(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1036)
    await pilot.press("d", *["i"] * 12)
    await pilot.pause()
    zoom = plot_of(app).zoom
    assert zoom is not None and zoom.width == MIN_WIDTH_MS and zoom.contains(1036)
    assert "1031–1041 ms" in subtitle(app)
    plot = app.query_one("#delivery-plot", MarkedPlot)
    assert (plot._x_min, plot._x_max) == (1031, 1041)
    assert app.query_one("#occupancy-plot", MarkedPlot)._x_max == 1041  # the same axis


async def test_pan_by_half_a_window_stopping_at_the_run_edges(app: PilotApp,
                                                             pilot: Pilot) -> None:
    app.run_until(100)
    await pilot.press("d", "i", "i")
    await pilot.pause()
    view = plot_of(app)
    assert view.zoom == Window(87.5, 112.5)  # 0..100 whole, a quarter on t=100
    await pilot.press("greater_than_sign")
    await pilot.pause()
    assert view.zoom == Window(100.0, 125.0)
    await pilot.press("less_than_sign", "less_than_sign")
    await pilot.pause()
    assert view.zoom == Window(75.0, 100.0)
    await pilot.press(*["less_than_sign"] * 8)
    await pilot.pause()
    assert view.zoom == Window(0.0, 25.0)  # the run's start
    for _ in range(300):
        view.pan(1)
    await pilot.press("greater_than_sign")
    await pilot.pause()
    assert view.zoom == Window(2975.0, 3000.0)  # the run's end: figure1 lasts 3000 ms


async def test_z_shows_the_plot_zoomed_to_the_handover(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1100)
    assert not app.plot_shown
    await pilot.press("z")
    await pilot.pause()
    assert app.plot_shown
    view = plot_of(app)
    assert view.zoom == Window(970.0, 1070.0)  # fault 1000 (outage from 996), cached 1041
    assert "970–1070 ms · zoom ×30 · 0 whole" in subtitle(app)
    plot = app.query_one("#delivery-plot", MarkedPlot)
    # the marks outside the window are not drawn; the cached ones at 1041 are
    assert plot.on_top and all(970 <= x < 1070 for x, *_ in plot.on_top)
    assert [glyph for _, _, glyph, _ in plot.on_top].count("◆") == 3
    assert {t.text for t in plot.tags} == {"✕", "(3)", "(5)", "(6)"}
    drawn = [x for d in plot._datasets for x in d.x]
    assert drawn and min(drawn) >= 970 and max(drawn) < 1070
    assert (plot._y_min, plot._y_max) != (0.0, 0.0) and plot._y_min > 40  # the window's n


async def test_the_window_follows_the_cursor_out_of_it(app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1000)
    await pilot.press("z")
    await pilot.pause()
    view = plot_of(app)
    assert view.zoom == Window(970.0, 1070.0)
    app.run_until(1060)
    await pilot.pause()
    assert view.zoom == Window(970.0, 1070.0)  # the cursor inside: it stays
    app.run_until(1080)
    await pilot.pause()
    assert view.zoom == Window(1020.0, 1120.0)  # it left: on by half a window
    app.seek(0)  # back before it: the window comes back by half windows
    await pilot.pause()
    assert view.zoom == Window(0.0, 100.0)


async def test_a_window_away_from_the_cursor_waits_for_it(app: PilotApp,
                                                         pilot: Pilot) -> None:
    """`z` at the start: the handover stays on screen while the run gets there; `r`
    and `m` keep the window."""
    app.run_until(3000)
    await pilot.press("z")
    await pilot.pause()
    view = plot_of(app)
    await pilot.press("r")
    await pilot.pause()
    assert view.zoom == Window(970.0, 1070.0)
    app.run_until(500)
    await pilot.pause()
    assert view.zoom == Window(970.0, 1070.0)
    await pilot.press("m")
    await pilot.pause()
    assert app.sim.mode == "rfc5213" and view.zoom == Window(970.0, 1070.0)
    app.run_until(3000)  # the cursor was never inside: the window stays
    await pilot.pause()
    assert view.zoom == Window(970.0, 1070.0)
    await pilot.press("i")  # the cursor outside: on the window's middle
    await pilot.pause()
    assert view.zoom == Window(995.0, 1045.0)


async def test_zoom_keys_without_the_plot_say_how_to_show_it(app: PilotApp,
                                                            pilot: Pilot) -> None:
    await pilot.press("i")
    await pilot.pause()
    assert app.plot_view is None and not app.plot_shown
    assert "d shows it" in app.toasts[-1]


async def test_z_without_a_fault_says_so(app: PilotApp, pilot: Pilot) -> None:
    app.load(load_scenario("figure1").with_changes(faults=()))
    await pilot.press("z")
    await pilot.pause()
    assert app.plot_shown and plot_of(app).zoom is None
    assert "No fault" in app.toasts[-1]


async def test_the_zoom_keys_do_not_type_into_the_goto_box(app: PilotApp,
                                                          pilot: Pilot) -> None:
    await pilot.press("z", "g", "1", "0", "0", "0", "enter")
    await pilot.pause()
    assert 990 < app.sim.now <= 1000
    assert plot_of(app).zoom == Window(970.0, 1070.0)  # `0` went into the box only


# -- helpers -----------------------------------------------------------------------------


def test_zoom_clamps_to_the_run_and_the_minimum() -> None:
    whole = Window(0.0, 3000.0)
    assert zoomed(whole, 2, 100.0, whole, 3000.0) == Window(0.0, 1500.0)
    assert zoomed(whole, 2, 2900.0, whole, 3000.0) == Window(1500.0, 3000.0)
    assert zoomed(Window(1000, 1016), 2, 1008.0, whole, 3000.0) == Window(1003, 1013)
    assert zoomed(Window(0, 1600), 0.5, 800.0, whole, 3000.0) is None


def test_pan_moves_half_a_window_within_the_run() -> None:
    assert panned(Window(100, 200), 1, 3000) == Window(150, 250)
    assert panned(Window(20, 120), -1, 3000) == Window(0, 100)
    assert panned(Window(2950, 3000), 1, 3000) == Window(2950, 3000)


def test_the_window_follows_only_a_cursor_that_leaves_it() -> None:
    w = Window(100, 200)
    assert followed(w, 150, 190, 3000) == w
    assert followed(w, 150, 201, 3000) == Window(150, 250)
    assert followed(w, 150, 420, 3000) == Window(350, 450)
    assert followed(w, 150, 99, 3000) == Window(50, 150)
    assert followed(w, 50, 420, 3000) == w  # it was not inside
    assert followed(w, None, 420, 3000) == w  # a new run


def test_ticks_leave_room_for_their_labels() -> None:
    assert time_ticks(Window(970, 1070), 60) == [980, 1000, 1020, 1040, 1060]
    assert time_ticks(Window(970, 1070), 200) == [970 + 5 * k for k in range(21)]
    for lo, width, columns in [(0, 10, 40), (1031, 10, 70), (995.5, 33.3, 50)]:
        ticks = time_ticks(Window(lo, lo + width), columns)
        assert len(ticks) >= 2
        assert len(ticks) * (len(f"{lo + width:.0f}") + 3) <= columns


def test_nice_steps() -> None:
    assert [nice_step(x) for x in (0.05, 1.5, 17, 20, 99)] == [0.1, 1, 10, 20, 50]


def test_the_caption_says_the_window_and_the_factor() -> None:
    assert caption(Window(970, 1070), 3000) == "970–1070 ms · zoom ×30 · 0 whole"
    assert caption(Window(0, 2000), 3000) == "0–2000 ms · zoom ×1.5 · 0 whole"


def test_steps_are_cut_to_the_window() -> None:
    steps = [(0.0, 0), (1005.0, 1), (1015.0, 2), (1030.0, 0), (2506.0, 0)]
    assert clip_steps(steps, Window(1010, 1020)) == [(1010, 1), (1015.0, 2), (1020, 2)]
    assert clip_steps(steps[:3], Window(1010, 1020)) == [(1010, 1), (1015.0, 2)]


@pytest.mark.parametrize(("mode", "span", "window"), [
    ("ft", (996.0, 1041.0), Window(970, 1070)),  # the cached packets at 1041
    ("rfc5213", (996.0, 1030.0), Window(970, 1050)),  # no new path: the PBA
])
def test_the_handover_window(mode: str, span: tuple[float, float], window: Window) -> None:
    scenario = load_scenario("figure1")
    sim = Simulation(scenario, mode)
    sim.run_to_end()
    data = delivery_data(sim.trace, scenario, scenario.mns[0].id)
    assert handover_span(data) == span
    assert handover_window(data, 10.0, 3000.0) == window
