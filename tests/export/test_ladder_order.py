"""The ladder is in time order (issue 11, defect 2): a row aggregates only events
that nothing else came between, so no row counts a packet, a cache operation or a
drop later than a row below it starts, and a row's packet numbers are the numbers
it counts, gaps included.

Only the DATA of one stretch (arrows and drops of DATA between two other rows) runs
side by side: those rows are the hops and fates of the same packets, a pipeline."""

from __future__ import annotations

import re
from functools import cache

import pytest

from pmipviz.export import LadderBuilder, LadderRow, build_rows
from pmipviz.export.ladder import packet_numbers
from pmipviz.scenario import load_scenario, shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

NAMES = [n for n, _ in shipped_scenarios()]


@cache
def _trace(name: str, mode: str | None = None) -> tuple[TraceEvent, ...]:
    events: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[events.append])
    return tuple(events)


def _items(row: LadderRow, trace: tuple[TraceEvent, ...]) -> list[TraceEvent]:
    """The events a row counts: its packets sent, cached, flushed or dropped (not
    their arrivals, not a link loss, which marks the arrow of that very packet)."""
    if row.msg_class == "BUFFER":
        counted = {"buffer"}
    elif row.kind == "arrow" and row.msg_class in ("DATA", "DATA_CACHED"):
        counted = {"send"}
    elif row.kind == "drop":
        counted = {"drop"}
    else:
        return []
    return [trace[i] for i in row.events
            if trace[i].kind in counted and (row.kind != "drop" or trace[i].msg == "DATA")]


def _is_data(row: LadderRow) -> bool:
    return row.msg_class in ("DATA", "DATA_CACHED") or (row.kind == "drop"
                                                         and row.msg_class == "DROP"
                                                         and "n=" in row.label)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", NAMES)
def test_no_row_counts_anything_after_a_later_row_starts(name: str, mode: str) -> None:
    trace = _trace(name, mode)
    sc = load_scenario(name)
    for mn in sc.mns:
        rows = build_rows(trace, sc, mn.id)
        latest = [max((ev.t_ms for ev in _items(r, trace)), default=r.t_ms) for r in rows]
        for k, row in enumerate(rows):
            for j in range(k + 1, len(rows)):
                later = rows[j]
                if _is_data(row) and _is_data(later):
                    continue  # the hops of one stretch of DATA run side by side
                assert latest[k] <= later.t_ms, (
                    f"{name}/{mode}/{mn.id}: row {k} {row.t_ms} {row.label!r} counts an "
                    f"event at {latest[k]}, after row {j} {later.t_ms} {later.label!r}")
        starts = [r.t_ms for r in rows]
        assert starts == sorted(starts)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", NAMES)
def test_a_rows_packet_numbers_are_the_ones_it_counts(name: str, mode: str) -> None:
    trace = _trace(name, mode)
    sc = load_scenario(name)
    for mn in sc.mns:
        for row in build_rows(trace, sc, mn.id):
            if row.msg_class == "BUFFER" or " n=" not in f" {row.label}":
                continue
            ns = sorted({int(ev.fields["n"]) for ev in _items(row, trace)})
            m = re.search(r"n=([0-9.,…]+)", row.label)
            assert m is not None, row.label
            assert m.group(1) == packet_numbers(ns), (name, mode, row.label, ns)


def test_packet_numbers_show_the_gaps() -> None:
    assert packet_numbers([7]) == "7"
    assert packet_numbers([3, 4, 5]) == "3..5"
    assert packet_numbers([3, 4]) == "3..4"
    assert packet_numbers([99, 104, 110]) == "99,104,110"
    assert packet_numbers([99, 100, 101, 110]) == "99..101,110"
    assert packet_numbers([1, 3, 5, 7, 9, 20, 21]) == "1,3,…,20..21"


def _figure1_at(t_ms: float) -> list[tuple[float, str]]:
    """(time, label) of the figure1 rows a viewer sees with every event up to t_ms."""
    trace = _trace("figure1")
    cursor = sum(1 for ev in trace if ev.t_ms <= t_ms)
    builder = LadderBuilder(load_scenario("figure1"))
    builder.feed_all(trace[:cursor])
    return [(builder.row(k).t_ms, builder.label_upto(k, cursor)) for k in range(len(builder))]


def test_at_1025_the_third_cached_packet_is_in_a_row_at_1025_at_the_bottom() -> None:
    rows = _figure1_at(1025.0)
    assert rows[-1] == (1025.0, "caching data for MN [■■■ 3/64]")
    caching = [(t, label) for t, label in rows if label.startswith("caching")]
    assert caching[0] == (1005.0, "caching data for MN [■ 1/64]")
    assert [t for t, _ in rows] == sorted(t for t, _ in rows)


def test_the_packet_forwarded_at_1010_is_below_the_caching_at_1005() -> None:
    rows = build_rows(_trace("figure1"), load_scenario("figure1"))
    lma_mag1 = [r for r in rows if (r.src, r.dst) == ("LMA", "MAG1") and r.msg_class == "DATA"]
    assert "DATA ×2 n=49..50" not in [r.label for r in lma_mag1]
    after = [(r.t_ms, r.label) for r in lma_mag1 if r.t_ms >= 1000.0]
    assert after == [(1000.0, "DATA n=49"), (1010.0, "DATA n=50"), (1020.0, "DATA n=51")]
    labels = [(r.t_ms, r.label) for r in rows]
    assert labels.index((1005.0, "caching data for MN [■ 1/64]")) \
        < labels.index((1010.0, "DATA n=50"))


def test_both_fail_no_drop_row_above_the_flush_counts_a_drop_after_it() -> None:
    trace = _trace("both-fail")
    rows = build_rows(trace, load_scenario("both-fail"))
    flush = next(k for k, r in enumerate(rows) if r.label.startswith("flush")
                 and r.t_ms >= 1500.0)
    for r in rows[:flush]:
        if r.kind == "drop":
            assert all(ev.t_ms <= rows[flush].t_ms for ev in _items(r, trace)), r.label
    assert any(r.kind == "drop" and "no_binding" in r.label for r in rows[flush + 1:])


# -- the text export (issue 11, defect 5) ------------------------------------------------------


def test_the_caption_says_the_runs_real_span() -> None:
    from pmipviz.export.diagram import build_ladder

    d = build_ladder(load_scenario("figure1"))
    assert d.until_ms == 3000.0
    assert d.caption.endswith(" · 0-2506 ms")  # the last event: n=199 delivered at 2506
    assert build_ladder(load_scenario("figure1"), until_ms=1000.0).caption.endswith(
        " · 0-1000 ms")  # the break at 1000 is the last event


_LANE_GLYPHS = set("│├┤●■✕↺↷○─┄═")


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", NAMES)
def test_no_text_label_overwrites_or_touches_a_lifeline(name: str, mode: str) -> None:
    from pmipviz.export.diagram import build_ladder
    from pmipviz.export.text import render_text

    d = build_ladder(load_scenario(name), mode=mode)
    lines = render_text(d).splitlines()
    bottom = next(k for k, line in enumerate(lines) if "┬" in line)
    lanes = [k for k, ch in enumerate(lines[bottom]) if ch == "┬"]
    assert len(lanes) == len(d.columns)
    body = lines[bottom + 1:-1]
    assert len(body) >= len(d.rows)
    for line in body:
        line = line.ljust(max(lanes) + 2)
        for x in lanes:
            assert line[x] in _LANE_GLYPHS, f"{name}/{mode}: lane at {x} overwritten: {line!r}"
            for side in (line[x - 1], line[x + 1]):
                assert side in _LANE_GLYPHS or side in " ▶◀", (
                    f"{name}/{mode}: a label touches the lane at {x}: {line!r}")
        assert len(line.rstrip()) <= 100
    text = "\n".join(lines)
    for row in d.rows:
        assert row.label in text  # whole, not cut
