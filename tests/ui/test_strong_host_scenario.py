"""Issue 10 item 1 in the TUI: the palette's "Open scenario" lists the new shipped
scenario ``figure1-strong-host``, it loads, and run to its end the caches pane shows
its loss by reason (``wrong_interface``)."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from pmipviz.scenario import load_scenario, shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.ui.widgets.mag_caches import MagCachesView
from tests.ui.pilot_app import PilotApp, settled


@pytest.mark.app("figure1")
async def test_open_scenario_lists_and_loads_the_strong_host_variant(
        app: PilotApp, pilot: Pilot) -> None:
    app._pick_scenario()
    await settled(pilot)
    assert isinstance(app.screen, CommandPalette)
    commands = app.screen.query_one(CommandList)
    names = [str(commands.get_option_at_index(i).prompt).split(" — ")[0]
             for i in range(commands.option_count)]
    assert sorted(names) == sorted(name for name, _ in shipped_scenarios())
    assert "figure1-strong-host" in names
    await pilot.press("escape")
    await pilot.pause()
    app.load("figure1-strong-host")
    await pilot.pause()
    assert app.scenario.name == "figure1-strong-host"
    app.sim.run_to_end()
    app.seek(app.sim.total)
    await pilot.pause()
    expected = run(load_scenario("figure1-strong-host"))[0].to_dict()["lost_by_reason"]
    assert set(expected) == {"wrong_interface"}  # the headless run's, as run --json
    assert app.sim.view.lost_by_reason == expected
    pane = app.query_one(MagCachesView)
    text = "\n".join("".join(seg.text for seg in line) for line in pane._lines)
    assert f"wrong_interface {expected['wrong_interface']}" in text
