"""The TUI's ladder is in time order (issue 11, defect 2): seeking to t=1025 in
figure1 shows the rows in time order with the newest, the third packet cached at
1025, at the bottom; the caching at 1005 reads as the first packet only."""

from __future__ import annotations

import re

from textual.pilot import Pilot

from pmipviz.ui.widgets.ladder import LadderView
from tests.ui.pilot_app import PilotApp

_TIME = re.compile(r"^\s*(\d+\.\d)\s")


async def test_at_1025_the_ladder_is_in_time_order_with_the_newest_at_the_bottom(
        app: PilotApp, pilot: Pilot) -> None:
    app.run_until(1025.0)
    await pilot.pause()
    newest = app.sim.trace[app.sim.cursor - 1]
    assert newest.kind == "buffer" and newest.fields["occupancy"] == 3
    ladder = app.query_one(LadderView)
    shown = [(ladder.row(k).t_ms, ladder.builder.label_upto(k, ladder.cursor))  # type: ignore[union-attr]
             for k in range(ladder.shown_rows)]
    assert shown[-1] == (1025.0, "caching data for MN [■■■ 3/64]")
    assert [t for t, _ in shown] == sorted(t for t, _ in shown)
    await pilot.pause()  # the ladder scrolls to its newest row after a refresh
    await pilot.pause()
    lines = [ladder.render_line(y).text for y in range(1, ladder.size.height)]
    lines = [line for line in lines if _TIME.match(line)]
    times = [float(_TIME.match(line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert times == sorted(times)
    assert times[-1] == 1025.0 and "caching data for MN [■■■ 3/64]" in lines[-1]
    assert ladder.current == ladder.shown_rows - 1
    caching = [line for line in lines if "caching" in line]
    assert caching[0].lstrip().startswith("1005.0") and "1/64" in caching[0]
    assert not any("×2 n=49..50" in line for line in lines)
