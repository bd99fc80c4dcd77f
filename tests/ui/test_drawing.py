"""The UI's textual-free drawing code, checked as plain text."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from pmipviz.export.ladder import LadderBuilder, LadderRow
from pmipviz.lesson.sentences import describe
from pmipviz.scenario import load_scenario
from pmipviz.scenario.model import Scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.ui.canvas import Canvas
from pmipviz.ui.screens.help import LEGEND, help_text
from pmipviz.ui.screens.inspector import event_number, field_tables, row_events_text, travel
from pmipviz.ui.session import event_class, fault_ifaces, path_hint, tick_plan
from pmipviz.ui.topology_draw import DrawInput, PathHint, draw, fits_side_by_side
from pmipviz.ui.topology_graph import build_graph, interfaces_of, mag_counts, nodes_of
from pmipviz.ui.widgets.footer import keys_to_show
from pmipviz.ui.widgets.ladder import (
    FAULT_MARKS,
    LadderGeometry,
    fault_action,
    fit_label,
    render_row,
)
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
    assert "ev 0/9+" in narrow and "RFC 5213" in narrow and "▶" in narrow
    assert narrow.startswith(" A very long")  # the title first, cut; the rest shortened


def test_status_line_shortens_the_rest_before_the_title() -> None:
    title = "Figure 1: fault-tolerant handover"
    for width in (80, 100):
        text = status_text(title, "ft", 1040.0, 378, 1259, True, False, 10, width).plain
        assert title in text and "event 378/1259" in text and len(text) <= width
    # RFC 5213 at 80 columns mid-run: "event" gives way to "ev" before the title is cut
    rfc = status_text(title, "rfc5213", 1025.0, 346, 791, True, False, 10, 80).plain
    assert title in rfc and "ev 346/791" in rfc and "t=1025.0 ms" in rfc and len(rfc) <= 80
    wide = status_text(title, "ft", 1040.0, 378, 1259, True, False, 10, 120).plain
    assert "pmipviz" in wide and "10 ev/s" in wide and "mode FT (draft)" in wide


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


# -- review fixes: the inspector, the ladder glyphs and labels, the panes' fit -------------


def _trace(name: str) -> Simulation:
    sim = Simulation(load_scenario(name), describe=describe)
    sim.run_to_end()
    return sim


def test_inspector_node_line_follows_the_message(figure1: Scenario) -> None:
    sim = _trace("figure1")
    recv = next(e for e in sim.trace if e.kind == "recv" and e.msg == "DATA"
                and e.node == "LMA" and e.peer == "CN")
    assert travel(recv) == "CN → LMA"  # received from CN: it travelled CN → LMA
    send = next(e for e in sim.trace if e.kind == "send" and e.node == "CN")
    assert travel(send) == "CN → LMA"
    deliver = next(e for e in sim.trace if e.kind == "deliver")
    assert travel(deliver) == f"{deliver.peer} → {deliver.node}"
    lossy = _trace("lossy-signaling").trace
    drop = next(e for e in lossy if e.kind == "drop" and e.msg == "PBU" and e.peer == "MAG1")
    assert drop.node == "LMA" and "from MAG1 to LMA" in drop.note
    assert travel(drop) == "MAG1 → LMA"
    lonely = next(e for e in _trace("bad-mag").trace if e.kind == "drop" and e.peer is None)
    assert travel(lonely) == lonely.node
    head = _plain(field_tables(recv)[0])
    assert "CN → LMA" in head and "LMA → CN" not in head


def _plain(renderable: object) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_inspector_numbers_events_from_one(figure1: Scenario) -> None:
    sim = _trace("figure1")
    head = _plain(field_tables(sim.trace[12])[0])
    assert re.search(r"event\s+13\b", head) and re.search(r"--trace i\s+12 \(from 0\)", head)
    assert event_number(12) == 13
    assert row_events_text((324, 325, 326)) == "this ladder row stands for 3 events (325..327)"
    assert row_events_text((324, 334)) == "this ladder row stands for 2 events: 325 and 335"
    assert row_events_text((1, 3, 5)) == "this ladder row stands for 3 events: 2, 4 and 6"
    assert row_events_text(tuple(range(0, 40, 2))) == (
        "this ladder row stands for 20 events, from 1 to 39")


def test_help_legend_lists_every_ladder_glyph() -> None:
    glyphs = {g for _, _, glyph, _ in LEGEND for g in glyph.split()}
    assert set(FAULT_MARKS.values()) <= glyphs
    assert "──✕" in glyphs  # the rejected PBA
    text = " ".join(_plain(help_text()).split())
    assert "Changed cells are highlighted." in text
    assert "↺ ↷ an interface is restored / moves to another MAG" in text


def test_help_legend_speaks_the_readers_names_not_the_code_classes() -> None:
    text = " ".join(_plain(help_text()).split())
    for internal in ("PBA_REJECT", "DATA_CACHED", "DEREG", "STATE", "BUFFER", "FAULT"):
        assert internal not in text
    assert "PBA refused ──✕" in text and "cached DATA ══▶" in text
    assert "DeReg PBU ──▶ lifetime 0, HI=4" in text


def _rows(name: str, focus: str | None = None) -> tuple[LadderBuilder, list[LadderRow]]:
    sim = _trace(name)
    builder = LadderBuilder(sim.scenario, focus)
    builder.feed_all(sim.trace)
    return builder, builder.rows


def _fault_row(kind: str, label: str) -> LadderRow:
    return LadderRow(0, 0, 1.0, 1.0, kind, "IF1", None, label, "FAULT", None, (0,))


def test_fault_rows_have_their_own_glyphs() -> None:
    geo = LadderGeometry(["IF1", "MAG1", "LMA"], 78)
    x = geo.x["IF1"]
    for label, glyph in (("IF1 breaks ✕", "✕"), ("IF1 restored", "↺"),
                         ("IF1 moves → MAG2", "↷"), ("IF1 restore: no change", "○"),
                         ("IF1 break: no change", "○")):
        row = _fault_row("fault", label)
        assert render_row(geo, row, label).text(0)[x] == glyph, label
    # the widget passes the fault's action from the trace
    row = _fault_row("fault", "IF1 something new")
    assert render_row(geo, row, row.label, "restore").text(0)[x] == "↺"
    sim = _trace("figure1")
    breaking = next(e for e in sim.trace if e.kind == "fault")
    assert fault_action([breaking]) == "break"


def test_user_restore_row_is_drawn_with_the_restore_glyph(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run(600)
    sim.toggle_interface("mn1@example.org/IF1")
    sim.run(700)
    sim.toggle_interface("mn1@example.org/IF1")
    sim.run_to_end()
    builder = LadderBuilder(figure1)
    builder.feed_all(sim.trace)
    geo = LadderGeometry([c.name for c in builder.columns], 78)
    faults = [r for r in builder.rows if r.kind == "fault"]
    marks = [render_row(geo, r, r.label, fault_action([sim.trace[i] for i in r.events]))
             .text(0)[geo.x["IF1"]] for r in faults]
    assert marks[:2] == ["✕", "↺"]


def test_rejected_pba_ends_in_a_cross() -> None:
    builder, rows = _rows("bad-mag", "mn-m3@example.org")
    geo = LadderGeometry([c.name for c in builder.columns], 78)
    reject = next(r for r in rows if r.msg_class == "PBA_REJECT")
    text = render_row(geo, reject, reject.label).text(0)
    assert text[geo.x["MAG3"] + 1] == "✕" and "◀" not in text
    assert "PBA 161 MISSING_HANDOFF_INDICATOR_OPTION" in text  # the label fits at 78


def test_ladder_label_column_gets_the_room_the_lifelines_do_not_need() -> None:
    geo = LadderGeometry(["IF1", "MAG3", "LMA", "CN"], 78)
    assert geo.label_w >= 42
    assert all(b - a >= 5 for a, b in zip(list(geo.x.values()), list(geo.x.values())[1:],
                                          strict=False))
    assert max(geo.x.values()) < 78
    narrow = LadderGeometry(["IF1", "IF2", "MAG1", "MAG2", "LMA", "CN"], 58)
    assert narrow.label_w >= 14 and max(narrow.x.values()) < 58


def test_fit_label_keeps_the_cache_count() -> None:
    label = "caching data for MN [■■■■■■■■+ 12/64]"
    assert fit_label(label, 40) == "caching data for MN [■■■■+ 12/64]"
    assert fit_label("caching data for MN [■■■ 3/64]", 40) == "caching data for MN [■■■ 3/64]"
    short = fit_label(label, 24)
    assert len(short) == 24 and short.endswith("[■■■■+ 12/64]") and "…" in short
    assert fit_label("PBA 161 MISSING_HANDOFF_INDICATOR_OPTION", 20) == "PBA 161 MISSING_HAN…"
    assert fit_label("DATA ×9 n=1..9 (2 lost ✕)", 20).endswith("(2 lost ✕)")


def test_caches_say_overflow_and_flows_fit_narrow_panes(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run(1100)
    for width in (70, 42, 36):
        lines = ["".join(s.text for s in line) for line in cache_lines(sim.state(), None,
                                                                       width)]
        assert all(len(line) <= width for line in lines), (width, lines)
        assert "overflow 0" in lines[0] and "drop" not in lines[0]
        flow = next(line for line in lines if line.startswith("CN→mn1"))
        assert re.search(r"lost \d", flow) and re.search(r"reord \d", flow)
    assert "delivered" in "".join(s.text for s in cache_lines(sim.state(), None, 70)[2])


def test_fault_caption_is_just_the_note(figure1: Scenario) -> None:
    sim = Simulation(figure1, describe=describe)
    sim.run_to_end()
    fault = next(e for e in sim.trace if e.kind == "fault")
    sim.seek(fault.i + 1)
    lines = picture(sim, width=44)
    text = " ".join(" ".join(lines).split())
    assert "mn1/IF1 breaks" in text
    assert "→ mn1/IF1" not in text and text.count("mn1/IF1") == 1


def test_a_caption_does_not_repeat_the_node_its_label_names(figure1: Scenario) -> None:
    """The interface-down state event's label starts with the interface's name: the
    caption says it once ("● mn1/IF1 is down…", not "● mn1/IF1: mn1/IF1 is down…")."""
    sim = Simulation(figure1, describe=describe)
    sim.run_to_end()
    down = next(e for e in sim.trace if e.kind == "state" and e.fields.get("table") == "iface"
                and e.fields.get("cause") == "break")
    sim.seek(down.i + 1)
    text = " ".join(" ".join(picture(sim, width=44)).split())
    assert "mn1/IF1 is down" in text and "mn1/IF1: mn1/IF1" not in text


def test_topology_shows_the_break_with_the_fault_event(figure1: Scenario) -> None:
    sim = Simulation(figure1)
    sim.run_to_end()
    fault = next(e for e in sim.trace if e.kind == "fault")
    sim.seek(fault.i + 1)  # the fault applied, its iface state event not yet
    key = "mn1@example.org/IF1"
    assert sim.state().ifaces[key]["up"]
    shown = fault_ifaces(sim.trace, sim.cursor, sim.state().ifaces)
    assert shown is not None and not shown[key]["up"]
    assert sim.state().ifaces[key]["up"]  # the state itself is untouched
    assert fault_ifaces(sim.trace, fault.i, sim.state().ifaces) is None
    # not generated yet: a break still shows as down
    assert not fault_ifaces(sim.trace[: fault.i + 1], fault.i + 1,
                            sim.state().ifaces)[key]["up"]  # type: ignore[index]


def test_footer_leaves_out_the_least_important_keys() -> None:
    widths = [("play_pause", 11), ("step", 7), ("step_back", 7), ("toggle_iface(1)", 10),
              ("toggle_mode", 7), ("reset", 8), ("help", 7), ("quit_main", 7),
              ("toggle_lesson", 9), ("inspect", 10), ("faster", 10)]
    shown = keys_to_show(widths, 60)
    assert sum(w for (_, w), s in zip(widths, shown, strict=True) if s) <= 60
    kept = {a for (a, _), s in zip(widths, shown, strict=True) if s}
    assert {"quit_main", "help", "step", "play_pause"} <= kept
    assert "faster" not in kept and "inspect" not in kept
    assert all(keys_to_show(widths, 200))
