"""Stepping back through a history of small blocks and checkpoints shows the very
screen, and inspects the very event, that stepping forward showed (the history's
memory: tests/sim/test_memory.py)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from pmipviz.sim import simulation, tracestore
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.widgets.ladder import LadderView
from tests.ui.pilot_app import SIZE, PilotApp


async def _screen_at(app: PilotApp, pilot: Pilot, k: int) -> tuple[str, int, str]:
    """The screen at ``k`` events applied, and the inspector of the ladder row two
    above the current one (its event index and its border title)."""
    app.seek(k)
    await pilot.pause()
    screen = app.export_screenshot()
    await pilot.press("up", "up", "enter")
    await pilot.pause()
    inspector = app.screen
    assert isinstance(inspector, InspectorScreen)
    seen = (inspector.event.i, str(inspector.query_one("#inspector-box").border_title))
    await pilot.press("escape")
    await pilot.pause()
    app.query_one(LadderView).action_follow()
    await pilot.pause()
    return screen, *seen


@pytest.fixture
def small_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small trace blocks and checkpoints, so that a figure1 run spans many."""
    monkeypatch.setattr(tracestore, "BLOCK", 64)
    monkeypatch.setattr(tracestore, "CACHED_BLOCKS", 2)
    monkeypatch.setattr(simulation, "CHECKPOINT_EVENTS", 40)


async def test_the_screen_and_the_inspector_are_the_same_after_going_back_and_forth(
        small_history: None, app: PilotApp, pilot: Pilot) -> None:
    ks = (900, 300)
    fresh = []
    for k in ks:  # a fresh app stepped straight to k
        other = PilotApp("figure1")
        async with other.run_test(size=SIZE) as other_pilot:
            await other_pilot.pause()
            fresh.append(await _screen_at(other, other_pilot, k))
    app.seek(app.sim.total)
    await pilot.pause()
    for k, want in zip(ks, fresh, strict=True):  # back, forth and back again
        app.seek(0)
        await pilot.pause()
        app.seek(app.sim.total)
        await pilot.pause()
        assert await _screen_at(app, pilot, k) == want, k
