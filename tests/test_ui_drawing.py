"""The UI's textual-free drawing code, checked as plain text."""

from __future__ import annotations

import pytest

from pmipviz.export.ladder import LadderBuilder
from pmipviz.scenario import load_scenario
from pmipviz.scenario.model import Scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.ui.canvas import Canvas
from pmipviz.ui.session import event_class, path_hint, tick_plan
from pmipviz.ui.topology_draw import DrawInput, PathHint, draw, fits_side_by_side
from pmipviz.ui.topology_graph import build_graph, interfaces_of, mag_counts, nodes_of
from pmipviz.ui.widgets.ladder import LadderGeometry, render_row
from pmipviz.ui.widgets.mag_caches import bar, cache_lines
from pmipviz.ui.widgets.status_line import status_text


@pytest.fixture(scope="module")
def figure1() -> Scenario:
    return load_scenario("figure1")


def picture(sim: Simulation, width: int = 44, height: int = 0,
            hint: PathHint | None = None) -> list[str]:
    g = build_graph(sim.scenario)
    up, down = mag_counts(sim.state().ifaces)
    canvas = draw(DrawInput(g, sim.state(), sim.scenario.mns[0].id,
                            hint or path_hint(sim.current), width, up, down, height))
    return [canvas.text(y).rstrip() for y in range(canvas.height)]


def test_graph_has_every_entity(figure1: Scenario) -> None:
    g = build_graph(figure1)
    assert nodes_of(g, "mag") == ["MAG1", "MAG2"]
    assert nodes_of(g, "cn") == ["CN"]
    assert interfaces_of(g, "mn1@example.org") == ["mn1@example.org/IF1",
                                                   "mn1@example.org/IF2"]
    assert g.edges["LMA", "MAG1"]["kind"] == "tunnel"
    assert g.edges["MAG1", "mn1@example.org/IF1"]["kind"] == "access"


def test_canvas_merges_box_junctions() -> None:
    c = Canvas(5, 3)
    c.hline(0, 4, 1)
    c.vline(2, 0, 2)
    assert c.text(1) == "──┼──"


def test_figure1_picture_shows_the_break(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run(1030)
    lines = picture(sim)
    text = "\n".join(lines)
    assert "CN" in lines[0] and "LMA" in lines[2]
    assert "Tunnel1" in text and "Tunnel2" in text
    assert "✕" in text  # IF1 is broken
    assert "MAG1" in text and "IF2 LTE" in text and "mn1" in text


def test_highlighted_path_is_heavy(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run(600)
    lines = picture(sim, hint=PathHint("CN", "LMA", "DATA", "DATA n=9"))
    assert lines[1].strip().startswith("┃")
    assert "▶ CN → LMA DATA n=9" in "\n".join(lines)


def test_compact_picture_fits_nine_rows(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run(200)
    lines = picture(sim, width=32, height=9)
    assert len(lines) == 9
    assert "CN" in lines[0] and "LMA" in lines[0]


def test_big_scenario_is_a_tree_with_counts() -> None:
    campus = load_scenario("campus")
    g = build_graph(campus)
    assert not fits_side_by_side(g, 40)
    sim = Simulation(campus, prefetch=20000)
    sim.run(1600)
    lines = picture(sim, width=40)
    text = "\n".join(lines)
    assert lines[0].startswith(" LMA") and "400 BCE" in lines[1]
    assert text.count("Tunnel") == 12
    assert " if" in text and "IF1 WLAN mn1" in text


def test_ladder_row_draws_an_arrow_between_columns(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run_to_end()
    builder = LadderBuilder(figure1)
    builder.feed_all(sim.trace)
    geo = LadderGeometry([c.name for c in builder.columns], 78)
    dereg = next(i for i, r in enumerate(builder.rows) if r.msg_class == "DEREG")
    row = builder.row(dereg)
    text = render_row(geo, row, row.label).text(0)
    assert "(3)" in text and "DeReg PBU" in text
    assert text.index("├") == geo.x["MAG1"] and text.index("▶") == geo.x["LMA"] - 1
    note = next(r for r in builder.rows if r.kind == "fault")
    assert render_row(geo, note, note.label).text(0)[geo.x["IF1"]] == "✕"


def test_status_line_has_the_event_counter() -> None:
    text = status_text("Figure 1", "ft", 1021.0, 41, 412, True, False, 10, 120).plain
    assert "event 41/412" in text and "FT (draft)" in text and "t=1021.0 ms" in text
    narrow = status_text("A very long scenario title indeed", "rfc5213", 0, 0, 9, False, True,
                         60, 60).plain
    assert "event 0/9+" in narrow and "RFC 5213" in narrow and "playing" in narrow


def test_cache_bar_and_lines(figure1: Scenario) -> None:
    assert bar(0, 64, 8) == "░" * 8
    assert bar(64, 64, 8) == "█" * 8
    assert bar(1, 64, 8)[0] != "░"
    sim = Simulation(figure1)
    sim.run(1025)
    lines = ["".join(s.text for s in line) for line in cache_lines(sim.state(), None, 70)]
    assert lines[0].startswith("MAG1") and "/64" in lines[0]
    assert lines[2].startswith("CN→mn1") and "delivered" in lines[2]


def test_session_helpers(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run_to_end()
    dereg = next(e for e in sim.trace if e.is_dereg and e.kind == "send")
    assert event_class(dereg) == "DEREG"
    hint = path_hint(dereg)
    assert (hint.src, hint.dst) == ("MAG1", "LMA")
    recv = next(e for e in sim.trace if e.is_dereg and e.kind == "recv")
    assert (path_hint(recv).src, path_hint(recv).dst) == ("MAG1", "LMA")
    assert tick_plan(10) == (0.1, 1)
    interval, per_tick = tick_plan(1000)
    assert per_tick > 1 and interval < 0.1
