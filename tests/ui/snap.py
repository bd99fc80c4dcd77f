"""Compare a screenshot state (``Shot``) with its snapshot, toasts left out."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from pmipviz.ui.screenshots import Shot


def matches(snap_compare: Any, shot: Shot) -> bool:
    """Start ``shot``'s app at its size, set it up, clear the toasts (the end-of-run one
    expires with the wall clock and would cover the panes), press its keys, compare."""

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        shot.setup(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    return bool(snap_compare(shot.app(), press=shot.keys, terminal_size=shot.size,
                             run_before=run_before))
