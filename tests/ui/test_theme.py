"""The light theme of the TUI (issue 11 feature): ``T`` and the palette switch it at
run time, ``--theme light`` starts in it; every colour reads on its background (WCAG
contrast, as tests/export/test_themes.py checks the exports); snapshots in light.

The dark theme's snapshots (test_snapshots.py, test_layouts.py) stay as they were."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rich.segment import Segment
from textual.pilot import Pilot

from pmipviz.export.colors import CLASS_COLORS, LIGHT, LIGHT_CLASS_COLORS
from pmipviz.ui import palette
from pmipviz.ui.palette import DARK, LIGHT_TEXTUAL, LIGHT_UI, UiTheme
from pmipviz.ui.screenshots import SHOTS, Shot, until
from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.narration import NarrationView
from pmipviz.ui.widgets.topology import TopologyView
from tests.export.test_themes import contrast
from tests.ui.pilot_app import PilotApp, settled
from tests.ui.snap import matches

TEXT = 4.5  # WCAG AA, normal text
BOLD = 3.0  # WCAG AA, large (bold) text and graphics


@pytest.fixture(autouse=True)
def _dark_after() -> Iterator[None]:
    """The palette is module state: every test leaves it dark, as an app starts."""
    yield
    palette.use("dark")


def _hex(style: Any) -> str:
    return style.color.get_truecolor().hex


def _text_colours(theme: UiTheme) -> dict[str, str]:
    """Every colour the light theme writes text in, by name."""
    styles = {name: getattr(theme, name) for name in (
        "base", "dim", "node", "up", "down", "step", "time", "key", "note", "end",
        "caution", "muted", "good", "rfc")}
    colours = {name: _hex(style) for name, style in styles.items()}
    colours.update({f"class {k}": v for k, v in theme.classes.items()})
    plot = theme.plot
    colours.update({"plot sent": plot.sent, "plot delivered": plot.delivered,
                    "plot cached": plot.cached, "plot reordered": plot.reordered,
                    "plot outage": plot.outage, "plot text": plot.text, "plot dim": plot.dim})
    colours.update({f"plot lost {i}": c for i, c in enumerate(plot.lost)})
    colours.update({f"plot marker {k}": c for k, c in plot.markers.items()})
    colours.update({f"plot MAG {i}": c for i, c in enumerate(plot.mags)})
    return colours


def _light_colours() -> set[str]:
    """What the light theme draws in: text colours, lifelines, the badges' black."""
    return {*_text_colours(LIGHT_UI).values(), _hex(LIGHT_UI.lane), "#000000"}


def test_light_colours_read_on_white() -> None:
    """Projector-readable: every text colour >= 4.5:1 on the panes' white; on the
    status line's grey too (its colours); >= 3:1 on the highlighted ladder rows (their
    labels are bold) and for the lifelines (graphics); the badges' own text >= 4.5:1."""
    assert LIGHT_TEXTUAL.surface == LIGHT_TEXTUAL.background == LIGHT_UI.background
    for name, colour in _text_colours(LIGHT_UI).items():
        assert contrast(colour, LIGHT_UI.background) >= TEXT, (name, colour)
        for row in (LIGHT_UI.current_bg, LIGHT_UI.selected_bg):
            bg = row.bgcolor.get_truecolor().hex  # type: ignore[union-attr]
            assert contrast(colour, bg) >= BOLD, (name, colour, bg)
    assert contrast(_hex(LIGHT_UI.lane), LIGHT_UI.background) >= BOLD
    for name in ("muted", "good", "rfc", "caution", "end"):  # the status line's colours
        colour = _hex(getattr(LIGHT_UI, name))
        assert contrast(colour, LIGHT_TEXTUAL.panel or "") >= TEXT, (name, colour, "panel")
    for badge in (LIGHT_UI.changed, LIGHT_UI.badge, LIGHT_UI.tag):
        assert contrast(_hex(badge), badge.bgcolor.get_truecolor().hex) >= TEXT  # type: ignore[union-attr]


def test_light_reuses_the_light_exports_colours() -> None:
    """The screen and a light slide agree: the same class colours, text, step, time."""
    assert LIGHT_UI.classes == LIGHT_CLASS_COLORS and DARK.classes == CLASS_COLORS
    assert (_hex(LIGHT_UI.base), _hex(LIGHT_UI.node), _hex(LIGHT_UI.step),
            _hex(LIGHT_UI.time)) == (LIGHT.default, LIGHT.foreground, LIGHT.step, LIGHT.time)
    assert palette.THEMES == {"dark": DARK, "light": LIGHT_UI}


def _colours(segments: list[Segment]) -> set[str]:
    return {s.style.color.get_truecolor().hex for s in segments
            if s.style is not None and s.style.color is not None and s.text.strip()}


def _ladder_colours(app: PilotApp) -> set[str]:
    ladder = app.query_one(LadderView)
    return set().union(*(_colours(list(ladder.render_line(y))) for y in range(1, 6)))


def _pane_colours(app: PilotApp) -> set[str]:
    """The colours of the ladder's first rows, the topology, the narration and the
    Binding Cache's cells as they are drawn now (caches included)."""
    found = _ladder_colours(app)
    for view in (app.query_one(TopologyView), app.query_one(NarrationView)):
        found |= set().union(*(_colours(line) for line in view._lines))
    table = app.query_one(BindingCacheTable)
    for row in range(table.row_count):
        for cell in table.get_row_at(row):
            found |= {s.style.color.get_truecolor().hex for s in cell.spans
                      if not isinstance(s.style, str) and s.style.color is not None}
    return found


async def test_T_switches_light_and_back(app: PilotApp, pilot: Pilot) -> None:
    """``T``: the Textual theme and the palette switch together, and the panes drawn
    before (the ladder's cached rows, the topology, the Binding Cache) are redrawn."""
    app.run_until(1015)  # IF1 broken: red, green, the step and class colours on screen
    await pilot.pause()
    dark = _pane_colours(app)
    assert app.theme == "textual-dark" and palette.styles() is DARK
    assert {DARK.classes["PBU"], _hex(DARK.down), _hex(DARK.up)} <= dark
    await pilot.press("T")
    await pilot.pause()
    assert app.theme == "pmipviz-light" and palette.styles() is LIGHT_UI
    light = _pane_colours(app)
    assert {LIGHT_UI.classes["PBU"], _hex(LIGHT_UI.down), _hex(LIGHT_UI.up)} <= light
    # nothing left in a dark colour: all of them are the light theme's
    assert light <= _light_colours()
    await pilot.press("T")
    await pilot.pause()
    assert app.theme == "textual-dark" and palette.styles() is DARK
    assert _pane_colours(app) == dark


async def test_the_palette_switches_the_theme(app: PilotApp, pilot: Pilot) -> None:
    titles = [c.title for c in app.get_system_commands(app.screen)]
    assert "Switch to the light theme" in titles
    await pilot.press("ctrl+p", *"Switch to the light theme")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    assert app.theme == "pmipviz-light" and palette.styles() is LIGHT_UI
    titles = [c.title for c in app.get_system_commands(app.screen)]
    assert "Switch to the dark theme" in titles and "Switch to the light theme" not in titles


@pytest.mark.app("figure1", theme="light")
async def test_an_app_started_light_draws_light(app: PilotApp, pilot: Pilot) -> None:
    """``theme="light"`` (what ``--theme light`` passes): light from the first frame."""
    app.run_until(1015)
    await pilot.pause()
    assert app.theme == "pmipviz-light"
    assert LIGHT_UI.classes["PBU"] in _ladder_colours(app)
    assert _ladder_colours(app) <= _light_colours()


async def test_the_help_names_the_key(app: PilotApp, pilot: Pilot) -> None:
    from pmipviz.ui.screens.help import KEYS

    assert any(key == "T" and "light" in what for key, what in KEYS)


# -- snapshots ----------------------------------------------------------------------

LIGHT_SHOTS = {s.name: s for s in (
    # mid-handover (step 7, the flush) at 120x40 and 80x24, and the help: the states of
    # the dark shots "flush", "narrow" and "help" (test_snapshots.py), in light
    *(replace(SHOTS[name], name=f"light_{name}", theme="light")
      for name in ("flush", "narrow", "help")),
    Shot("light_plot", until(1100), keys=("d",), theme="light"),  # as plot_ft_after_fault
)}


@pytest.mark.parametrize("name", list(LIGHT_SHOTS))
def test_light_screen(snap_compare: Any, name: str) -> None:
    assert matches(snap_compare, LIGHT_SHOTS[name])


async def test_a_theme_from_textuals_picker_recolours_by_its_kind(
        app: PilotApp, pilot: Pilot) -> None:
    """"Change theme" in the palette sets Textual's theme: the panes follow its kind."""
    app.theme = "textual-light"
    await pilot.pause()
    assert palette.styles() is LIGHT_UI
    assert _hex(LIGHT_UI.node) in _pane_colours(app) <= _light_colours()
    app.theme = "nord"
    await pilot.pause()
    assert palette.styles() is DARK
