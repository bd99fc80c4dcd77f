"""Text from a scenario file is data in the TUI: names and titles that look like
markup are shown as written, in the header, the pane titles, the inspector and the
command palette (issue 8, part 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from textual.command import CommandList
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from pmipviz.scenario import parse_scenario
from pmipviz.scenario.model import Scenario
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.widgets.topology import TopologyView
from tests.ui.pilot_app import PilotApp, settled

TITLE = "[/foo] and [bold]x"


def markup_scenario() -> Scenario:
    """figure1 with markup-like names, and a second MN (so the topology is titled by MN)."""
    text = Path("scenarios/figure1.toml").read_text()
    for old, new in {'title = "Figure 1: fault-tolerant handover"': f'title = "{TITLE}"',
                     '"mn1@example.org': '"[red]mn1@example.org',
                     '"MAG1"': '"[b]MAG1"'}.items():
        assert old in text, old
        text = text.replace(old, new)
    text += ('\n[[mn]]\nid = "[i]mn2@example.org"\ninterfaces = [{ name = "IF1", '
             'mag = "MAG2", att = 4, lli = "02:00:00:00:02:01" }]\n')
    return parse_scenario(text, file="markup.toml", name="markup")


def title_of(widget: Widget) -> str:
    """A widget's border title as displayed (plain text, not its markup form)."""
    markup = widget.border_title
    return "" if markup is None else Content.from_markup(markup).plain


@pytest.mark.app(markup_scenario())
async def test_markup_in_names_and_titles_is_shown_as_written(app: PilotApp, pilot: Pilot) -> None:
    assert TITLE in app.header
    assert title_of(app.query_one(TopologyView)) == "Topology · MN [red]mn1"
    for _ in range(40):
        await pilot.press("n")
    await pilot.pause()
    # the inspector of the fault: its title (the note) and its field tables
    app.run_until(1100)
    await pilot.pause()
    index = next(ev.i for ev in app.sim.trace[: app.sim.cursor] if ev.kind == "fault")
    app.seek(index + 1)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, InspectorScreen)
    assert "[b]MAG1" in title_of(screen.query_one("#inspector-box"))
    console = Console(width=100, record=True, color_system=None)
    for static in screen.query("#inspector-fields Static"):
        assert isinstance(static, Static)
        console.print(static.content)
    fields = console.export_text()
    assert "[b]MAG1" in fields and "[red]mn1@example.org" in fields
    await pilot.press("escape")
    await pilot.pause()


@pytest.mark.app(markup_scenario())
async def test_the_mn_palette_shows_ids_as_written(app: PilotApp, pilot: Pilot) -> None:
    app._pick_mn()
    await settled(pilot)
    commands = app.screen.query_one(CommandList)
    shown = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
    plain = [getattr(p, "plain", str(p)) for p in shown]
    assert "[red]mn1@example.org" in " ".join(plain) and "[i]mn2@example.org" in " ".join(
        plain), plain
    await pilot.press("escape")
