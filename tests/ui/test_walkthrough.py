"""The README's class walk-through of figure1, replayed key by key: after each group
of keys the test reads the screen (header, Binding Cache, topology, ladder, flows,
narration) and checks what the README says is there. If this test changes, change the
README's walk-through with it (and the other way round)."""

from __future__ import annotations

import re

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.delivery_plot import KeyLines
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.mag_caches import MagCachesView
from pmipviz.ui.widgets.narration import NarrationView
from pmipviz.ui.widgets.topology import TopologyView
from tests.ui.pilot_app import PilotApp

HEADER_RE = re.compile(r"t=(\d+\.\d) ms · ev(?:ent)? (\d+)/(\d+)")  # "ev" at 80 columns


def lines(widget: Widget) -> str:
    """What a pane shows, as text."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def where(app: PilotApp) -> tuple[float, int]:
    """(simulated time, event) from the header."""
    m = HEADER_RE.search(app.header)
    assert m, app.header
    return float(m.group(1)), int(m.group(2))


def bce(app: PilotApp) -> list[dict[str, str]]:
    """The Binding Cache's rows, by column label."""
    table = app.query_one(BindingCacheTable)
    columns = [str(c.label) for c in table.columns.values()]
    return [dict(zip(columns, (str(c) for c in table.get_row_at(i)), strict=True))
            for i in range(table.row_count)]


def narration(app: PilotApp) -> tuple[str, str, str]:
    """(title, text, caption) of the narration pane."""
    view = app.query_one(NarrationView)
    return str(view.border_title), lines(view), str(view.border_subtitle or "")


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


@pytest.mark.app(size=(80, 24))
async def test_at_a_projectors_size_d_gives_the_counts_of_step_7(
        app: PilotApp, pilot: Pilot[None]) -> None:
    """Step 7's aside: at 80x24 the MAG caches pane (the flows line) is not shown; at the
    end of the run `d` shows the same counts in the delivery plot's key."""
    await press(pilot, *["s"] * 14)
    assert where(app) == (2506.0, 1259) and "end" in app.header
    assert not app.query_one(MagCachesView).display
    await press(pilot, "d")
    key = app.query_one("#delivery-key", KeyLines).plain
    assert re.search(r"sent 200\s.*delivered 200\s.*reordered 3\s.*lost 0", key), key
    await press(pilot, "d")
    assert app.query_one(LadderView).display


async def test_the_readme_walk_through(app: PilotApp, pilot: Pilot[None]) -> None:
    # `pmipviz`: figure1, paused at event 0, the narration describes the scenario
    assert where(app) == (0.0, 0)
    assert "paused" in app.header
    assert narration(app)[0] == "About this scenario"

    # 1. `s`: mn1/IF1 has attached via MAG1 at t=12 ms; RS, PBU with HI=1, PBA and RA
    # are in the ladder; one Binding Cache row, M=0; the caption counts milestones
    await press(pilot, "s")
    assert where(app)[0] == 12.0
    ladder = lines(app.query_one(LadderView))
    for label in ("RS", "PBU HI=1", "PBA status 0", "RA 2001:db8:100::/64"):
        assert label in ladder
    rows = bce(app)
    assert [(r["IF"], r["M"]) for r in rows] == [("IF1", "0")]
    assert narration(app)[2].startswith("milestone 1/13")

    # 2. `s`: IF2 has attached via MAG2 at t=112 ms; the same prefix, M=1 on both rows
    await press(pilot, "s")
    assert where(app)[0] == 112.0
    rows = bce(app)
    assert [(r["IF"], r["M"], r["S"]) for r in rows] == [("IF1", "1", "1"), ("IF2", "1", "1")]
    assert rows[0]["HNP"] == rows[1]["HNP"] == "2001:db8:100::/64"

    # 3. `s`: step (1), the LMA sends the CN's data down Tunnel1 (t=510);
    #    `s`: IF1 receives the first packet (t=516)
    await press(pilot, "s")
    assert where(app)[0] == 510.0
    assert narration(app)[0] == "Step 1 of Figure 1"
    await press(pilot, "s")
    assert where(app)[0] == 516.0

    # 4. `f` (next fault): IF1 breaks at t=1000 ms; the topology shows ✕
    await press(pilot, "f")
    assert where(app) == (1000.0, 326)
    assert "✕" in lines(app.query_one(TopologyView))

    # 5. `s` seven times: steps (2) to (7), then the first packet on the new path
    seen = []
    for _ in range(7):
        await press(pilot, "s")
        seen.append((where(app)[0], narration(app)[0]))
    assert seen[:6] == [
        (1005.0, "Step 2 of Figure 1"), (1020.0, "Step 3 of Figure 1"),
        (1025.0, "Step 4 of Figure 1"), (1025.0, "Step 5 of Figure 1"),
        (1030.0, "Step 6 of Figure 1"), (1035.0, "Step 7 of Figure 1"),
    ]
    # the first packet on the new path: n=52 reaches IF2 (before the cached 49-51)
    assert seen[6][0] == 1036.0
    assert "mn1/IF2 receives n=52" in narration(app)[1]

    # 6. `s`: (8) new data on Tunnel2 (t=1040), the last milestone
    await press(pilot, "s")
    assert (where(app)[0], narration(app)[0]) == (1040.0, "Step 8 of Figure 1")
    assert narration(app)[2].startswith("milestone 13/13")
    rows = bce(app)
    assert [(r["IF"], r["S"], r["State"]) for r in rows] == [("IF1", "0", "kept"),
                                                             ("IF2", "1", "in use")]

    # 7. `s`: the end of the run, t=2506 ms; what to do next; nothing lost, 3 reordered
    await press(pilot, "s")
    assert where(app) == (2506.0, 1259)
    assert "end of run" in app.header
    title, text, _ = narration(app)
    assert title == "End of run"
    for hint in ("r  start again", "m  the same run in RFC 5213", "S  back to the previous",
                 "g  go to a time"):
        assert hint in text
    flows = lines(app.query_one(MagCachesView))
    assert re.search(r"sent 200\s+delivered 200\s+lost 0\s+reord 3", flows), flows
    await press(pilot, "n")  # stepping on does nothing
    assert where(app) == (2506.0, 1259)

    # 8. `g`, `1100`, enter: t=1100 ms; `m`: the same moment in RFC 5213: IF2 has a
    # prefix of its own, IF1's entry is held, the stream to IF1's prefix is lost
    await press(pilot, "g", "1", "1", "0", "0", "enter")
    assert where(app)[0] == 1100.0 and "FT (draft)" in app.header
    ft_event = where(app)[1]
    await press(pilot, "m")
    assert where(app)[0] == 1100.0 and "RFC 5213" in app.header
    rows = bce(app)
    assert [(r["IF"], r["State"]) for r in rows] == [("IF1", "dereg-hold"), ("IF2", "in use")]
    assert rows[0]["HNP"] != rows[1]["HNP"]
    flows = lines(app.query_one(MagCachesView))
    assert re.search(r"delivered 49\s+lost 11", flows), flows
    assert "dereg_hold 8, link_down 3" in flows
    await press(pilot, "m")  # and back to FT, at the same event
    assert where(app) == (1100.0, ft_event) and "FT (draft)" in app.header

    # 9. `F`: back to the fault; `S`: the milestone before it; `r`: the start
    await press(pilot, "F")
    assert where(app) == (1000.0, 326)
    await press(pilot, "S")
    assert where(app)[0] == 516.0
    await press(pilot, "r")
    assert where(app) == (0.0, 0)
