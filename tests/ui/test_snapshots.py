"""Snapshot tests of the TUI: one SVG per named state (pmipviz.ui.screenshots.SHOTS).

Deterministic: the play timer never runs; every state is reached through the app's
own seek / run_until and key presses, at an explicit terminal size."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from pmipviz.ui.screenshots import SHOTS, Shot


def _snap(snap_compare: Any, shot: Shot) -> bool:
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        shot.setup(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    return bool(snap_compare(shot.app(), press=shot.keys, terminal_size=shot.size,
                             run_before=run_before))


@pytest.mark.parametrize("name", list(SHOTS))
def test_screen(snap_compare: Any, name: str) -> None:
    assert _snap(snap_compare, SHOTS[name])
