"""The layouts by terminal size (issue 11, defect 3): snapshots of the key states at
80x24 and 100x30 (a projector at a large font), 120x40 and 200x60, and checks that
would fail if a projector size lost what a class needs: ladder rows, the Binding
Cache's headers, the scenario title, whole MN-IDs.

Deterministic like test_snapshots.py: the play timer never runs; states are reached
through the app's own seek / run_until, at an explicit terminal size."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pmipviz.protocol.keys import short_mn
from pmipviz.ui.app import TOPOLOGY_HIDDEN, PmipvizApp
from pmipviz.ui.screenshots import Shot, focus, until
from pmipviz.ui.widgets.binding_cache import ELLIPSIS, BindingCacheTable
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.narration import NarrationView
from pmipviz.ui.widgets.topology import TopologyView
from tests.ui.pilot_app import PilotApp
from tests.ui.snap import matches

SIZES = {"80x24": (80, 24), "100x30": (100, 30), "120x40": (120, 40), "200x60": (200, 60)}
PROJECTOR = [(80, 24), (100, 30)]
FAULT_MS = 1040  # IF1 broke at 1000 ms; by 1040 MAG1's cache is flushed to MAG2


def at_end(app: PmipvizApp) -> None:
    """Every event applied: the end-of-run state."""
    app.sim.run_to_end()
    app.seek(len(app.sim.trace))


def at_start(app: PmipvizApp) -> None:
    """Event 0."""


STATES = {"start": at_start, "fault": until(FAULT_MS), "end": at_end}

SHOTS: dict[str, Shot] = {
    f"{state}_{size}": Shot(f"{state}_{size}", setup, size=dims)
    for state, setup in STATES.items() for size, dims in SIZES.items()
}
SHOTS["campus_100x30"] = Shot("campus_100x30", focus("mn121@campus.example", until(2060)),
                              scenario="campus", size=(100, 30))
SHOTS["bad_mag_80x24"] = Shot("bad_mag_80x24", at_end, scenario="bad-mag", size=(80, 24))
SHOTS["fault_60x15"] = Shot("fault_60x15", until(FAULT_MS), size=(60, 15))


@pytest.mark.parametrize("name", list(SHOTS))
def test_layout(snap_compare: Any, name: str) -> None:
    assert matches(snap_compare, SHOTS[name])


async def _at(size: tuple[int, int], scenario: str, setup: Any) -> dict[str, Any]:
    """Start the app at ``size``, apply ``setup``, read what the checks need."""
    app = PilotApp(scenario)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        setup(app)
        await pilot.pause()
        table = app.query_one(BindingCacheTable)
        ladder = app.query_one(LadderView)
        mn_column = [k for k, _, _ in table.plan.columns].index("mn")
        return {
            "header": app.header,
            "title": app.scenario.title,
            "ladder_rows": ladder.scrollable_content_region.height - 1,  # less its header
            "ladder_count": ladder.row_count,
            "columns": [str(c.label) for c in table.columns.values()],
            "columns_width": sum(c.width for c in table.columns.values()),
            "table_room": table.scrollable_content_region.width,
            "mn_cells": [str(table.get_row_at(i)[mn_column]) for i in range(table.row_count)],
            "mn_ids": {short_mn(mn.id) for mn in app.scenario.mns},
            "mn_width": dict((k, w) for k, _, w in table.plan.columns)["mn"],
            "narration_parent": app.query_one(NarrationView).parent.id,  # type: ignore[union-attr]
            "hnp_legend": str(table.border_subtitle or ""),
        }


@pytest.mark.parametrize("size", PROJECTOR)
async def test_projector_sizes_keep_what_a_class_needs(size: tuple[int, int]) -> None:
    seen = await _at(size, "figure1", until(FAULT_MS))
    assert seen["ladder_count"] >= 8 and seen["ladder_rows"] >= 8, seen
    assert seen["title"] in seen["header"], seen["header"]  # not "Figur…"
    assert "event" in seen["header"]
    # every column the table has is in sight: none clipped at the right edge
    assert seen["columns_width"] <= seen["table_room"], seen
    for core in ("IF", "M", "S", "State", "HNP"):
        assert core in seen["columns"], seen["columns"]
    # the HNP is abbreviated, and the pane says what the "…" stands for
    assert seen["hnp_legend"] == f"HNP {ELLIPSIS} = 2001:db8:", seen
    assert seen["narration_parent"] == "right"  # beside the topology, not under the ladder


async def test_100x30_shows_every_column() -> None:
    seen = await _at((100, 30), "figure1", until(FAULT_MS))
    assert seen["columns"][1:] == ["IF", "Proxy-CoA", "M", "S", "State", "HNP", "ATT", "HI",
                                   "Life", "Tunnel"]


async def test_120x40_keeps_its_layout() -> None:
    seen = await _at((120, 40), "figure1", until(FAULT_MS))
    assert seen["narration_parent"] == "bottom"
    assert seen["columns"][:3] == ["MN-ID", "IF", "Proxy-CoA"] and "Tunnel" in seen["columns"]
    assert seen["hnp_legend"] == ""  # room for the whole prefix


@pytest.mark.parametrize("size", PROJECTOR)
async def test_bad_mag_shows_mn_ids_whole(size: tuple[int, int]) -> None:
    seen = await _at(size, "bad-mag", at_end)
    assert seen["mn_cells"], seen
    assert all(ELLIPSIS not in cell for cell in seen["mn_cells"]), seen["mn_cells"]
    assert set(seen["mn_cells"]) <= seen["mn_ids"], seen
    # the column has room for the longest MN-ID of the scenario (and a gap)
    assert seen["mn_width"] > max(len(mn) for mn in seen["mn_ids"]), seen


async def test_campus_tunnel_column_is_not_clipped_by_the_scrollbar() -> None:
    seen = await _at((100, 30), "campus", focus("mn121@campus.example", until(2060)))
    assert "Tunnel" in seen["columns"]
    assert seen["columns_width"] <= seen["table_room"], seen


async def test_resizing_moves_the_narration() -> None:
    app = PilotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one(NarrationView).parent.id == "bottom"  # type: ignore[union-attr]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(NarrationView).parent.id == "right"  # type: ignore[union-attr]
        app.action_step()
        await pilot.pause()
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(NarrationView).parent.id == "bottom"  # type: ignore[union-attr]


def test_a_wide_ladder_has_longer_labels_and_cache_bars() -> None:
    from pmipviz.ui.widgets.ladder import MAX_LABEL, LadderGeometry, fit_label

    names = ["IF1", "IF2", "MAG1", "MAG2", "LMA", "CN"]
    assert LadderGeometry(names, 78).label_w <= MAX_LABEL  # 120x40: as before
    wide = LadderGeometry(names, 130)  # 200x60
    assert wide.label_w > MAX_LABEL
    label = "caching data for MN [■■■■■■■■■■■■ 12/64]"
    assert fit_label(label, wide.label_w) == label
    assert fit_label(label, 40) == "caching data for MN [■■■■+ 12/64]"


async def test_200x60_gives_the_width_to_topology_and_narration() -> None:
    app = PilotApp()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        app.run_until(FAULT_MS)
        await pilot.pause()
        topology = app.query_one("#topology").size.width
        narration = app.query_one(NarrationView).size.width
        table = app.query_one(BindingCacheTable)
        spare = table.scrollable_content_region.width - sum(
            c.width for c in table.columns.values())
    assert topology >= 80 and narration >= 60, (topology, narration)
    assert spare <= 12, spare  # no wide empty Binding Cache


async def test_60x15_gives_the_narration_the_topologys_place() -> None:
    """Fewer than 24 lines: beside the Binding Cache the narration had room for its
    title only; in place of the topology it shows lines of text, the ladder keeps
    its rows and its caption says where the topology went."""
    app = PilotApp()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        app.run_until(FAULT_MS)
        await pilot.pause()
        narration = app.query_one(NarrationView)
        ladder = app.query_one(LadderView)
        assert narration.parent.id == "top"  # type: ignore[union-attr]
        assert not app.query_one(TopologyView).display
        assert narration.scrollable_content_region.height >= 4
        text = [narration.render_line(y).text.strip()
                for y in range(narration.scrollable_content_region.height)]
        assert sum(bool(line) for line in text) >= 3, text
        assert ladder.scrollable_content_region.height - 1 >= 3  # as many rows as before
        assert ladder.border_subtitle == TOPOLOGY_HIDDEN
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert narration.parent.id == "right"  # type: ignore[union-attr]
        assert app.query_one(TopologyView).display and not ladder.border_subtitle


@pytest.mark.parametrize("size", PROJECTOR)
async def test_bad_mag_topology_shows_each_mag_cache_whole(size: tuple[int, int]) -> None:
    app = PilotApp("bad-mag")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        at_end(app)
        await pilot.pause()
        topology = app.query_one(TopologyView)
        lines = [topology.render_line(y).text for y in range(topology.size.height)]
    mags = [line for line in lines if re.search(r"[├└]─.*MAG\d", line)]
    assert len(mags) >= 5, lines  # the rest scroll
    assert all(re.search(r"MAG\d+ +\d+ if +\d+/64\b", line) for line in mags), mags
