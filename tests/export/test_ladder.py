"""The ladder model: columns, Figure 1 order, DATA aggregation, row membership,
partial labels, rfc5213 drops, rejections, losses and a campus-sized run."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from ipaddress import IPv6Address

import pytest

from pmipviz.export import Column, LadderBuilder, LadderRow, build_rows, columns
from pmipviz.scenario import Fault, Scenario, load_scenario, shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

MN = "mn1@example.org"


@cache
def _trace(name: str, mode: str | None = None) -> tuple[TraceEvent, ...]:
    events: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[events.append])
    return tuple(events)


def _rows(name: str, mode: str | None = None, focus: str | None = None) -> list[LadderRow]:
    return build_rows(_trace(name, mode), load_scenario(name), focus)


def _after_fault(rows: list[LadderRow]) -> list[LadderRow]:
    start = next(k for k, r in enumerate(rows) if r.kind == "fault")
    return rows[start:]


def _find(rows: list[LadderRow], start: int, msg_class: str, src: str, dst: str | None,
          step: int) -> int:
    for k in range(start, len(rows)):
        r = rows[k]
        if (r.msg_class, r.src, r.dst, r.step) == (msg_class, src, dst, step):
            return k
    raise AssertionError(f"no {msg_class} {src}->{dst} step {step} after row {start}")


# -- columns -------------------------------------------------------------------------


def test_figure1_columns_follow_figure_1() -> None:
    cols = columns(load_scenario("figure1"))
    assert [c.name for c in cols] == ["IF1", "IF2", "MAG1", "MAG2", "LMA", "CN"]
    assert [c.kind for c in cols] == ["iface", "iface", "mag", "mag", "lma", "cn"]
    assert cols[0] == Column("IF1", frozenset({f"{MN}/IF1"}), "iface")


def test_columns_only_the_focused_mns_mags_and_cns() -> None:
    sc = load_scenario("bad-mag")
    cols = columns(sc, "mn-m4@example.org")
    assert [c.name for c in cols] == ["IF1", "MAG4", "LMA", "CN"]
    with pytest.raises(ValueError):
        columns(sc, "nobody@example.org")


def test_move_target_mag_gets_a_column() -> None:
    assert [c.name for c in columns(load_scenario("move"))] == ["IF1", "MAG1", "MAG2", "LMA",
                                                                 "CN"]


# -- Figure 1 ------------------------------------------------------------------------------


def test_ft_rows_after_the_fault_read_like_figure_1() -> None:
    rows = _after_fault(_rows("figure1"))
    assert rows[0].label == "IF1 breaks ✕" and rows[0].src == "IF1"
    k = _find(rows, 0, "BUFFER", "MAG1", None, 2)
    assert rows[k].label.startswith("caching data for MN [■")
    k = _find(rows, k, "DEREG", "MAG1", "LMA", 3)
    assert rows[k].label == "DeReg PBU lt=0 HI=4"
    k = _find(rows, k, "STATE", "LMA", None, 4)
    assert rows[k].label == "BCE IF1: S=0 (M=1)"
    assert rows[k + 1].label == "route → MAG2"
    k = _find(rows, k, "PBA", "LMA", "MAG1", 5)
    assert rows[k].label == "PBA status 0"
    k = _find(rows, k, "DATA_CACHED", "MAG1", "LMA", 6)
    assert rows[k].label == "cached DATA ×3 n=49..51"
    k = _find(rows, k, "DATA_CACHED", "LMA", "MAG2", 7)
    k = _find(rows, k, "DATA", "MAG2", "IF2", 8)
    assert rows[k].label.startswith("DATA ×")


def test_steps_first_appear_in_order_and_control_rows_never_go_back() -> None:
    rows = _after_fault(_rows("figure1"))
    first: dict[int, int] = {}
    for k, r in enumerate(rows):
        if r.step is not None:
            first.setdefault(r.step, k)
    assert sorted(first) == list(range(1, 9))
    assert [first[s] for s in range(2, 9)] == sorted(first[s] for s in range(2, 9))
    # the signalling and state notes; not the cache, which fills while they go on (the
    # third packet of figure1 is cached at 1025, after the PBA of step 5)
    control = [r.step for r in rows
               if r.step and r.msg_class not in ("DATA", "DATA_CACHED", "BUFFER")]
    assert control == sorted(control)


def test_registration_rows_before_the_fault() -> None:
    labels = [(r.msg_class, r.src, r.dst, r.label) for r in _rows("figure1")[:18]]
    assert ("RS", "IF1", "MAG1", "RS") in labels
    assert ("PBU", "MAG1", "LMA", "PBU HI=1 seq 1") in labels
    assert ("STATE", "LMA", None, "BCE created IF1 M=0 S=1") in labels
    assert ("STATE", "LMA", None, "BCE created IF2 M=1 S=1") in labels
    assert ("STATE", "LMA", None, "Tunnel2 up") in labels
    assert ("RA", "MAG2", "IF2", "RA 2001:db8:100::/64") in labels


# -- aggregation and membership ------------------------------------------------------------------


def test_data_runs_are_aggregated() -> None:
    trace = _trace("figure1")
    rows = _rows("figure1")
    assert len(rows) < len(trace) / 20
    steady = next(r for r in rows if r.src == "CN" and r.dst == "LMA")
    m = re.fullmatch(r"DATA ×(\d+) n=(\d+)\.\.(\d+)", steady.label)
    assert m is not None
    count, lo, hi = map(int, m.groups())
    assert count == steady.count == hi - lo + 1 == 50
    sends = [i for i in steady.events if trace[i].kind == "send"]
    assert len(sends) == count and len(steady.events) == 2 * count  # each send and its recv


def test_every_event_of_the_mn_is_in_exactly_one_row() -> None:
    trace = _trace("figure1")
    builder = LadderBuilder(load_scenario("figure1"))
    builder.feed_all(trace)
    seen = [i for r in builder.rows for i in r.events]
    assert sorted(seen) == list(range(len(trace)))  # figure1: every event is mn1's
    for k, r in enumerate(builder.rows):
        assert r.first == r.events[0] and r.last == r.events[-1]
        assert list(r.events) == sorted(r.events)
        assert r.t_ms == trace[r.first].t_ms and r.t_end_ms == trace[r.last].t_ms
        assert all(builder.row_of(i) == k for i in r.events)


@pytest.mark.parametrize("name", ["bad-mag", "move", "both-fail"])
def test_the_ladders_of_all_mns_partition_the_trace(name: str) -> None:
    sc = load_scenario(name)
    trace = _trace(name)
    owners: dict[int, str] = {}
    for mn in sc.mns:
        for r in build_rows(trace, sc, mn.id):
            for i in r.events:
                assert i not in owners, f"event {i} in the ladders of {owners[i]} and {mn.id}"
                owners[i] = mn.id
    assert sorted(owners) == list(range(len(trace)))


def test_label_upto_counts_only_events_before_the_cursor() -> None:
    trace = _trace("figure1")
    builder = LadderBuilder(load_scenario("figure1"))
    builder.feed_all(trace)
    k = next(k for k, r in enumerate(builder.rows) if r.src == "CN" and r.dst == "LMA")
    row = builder.rows[k]
    sends = [i for i in row.events if trace[i].kind == "send"]
    ns = [trace[i].fields["n"] for i in sends]
    assert builder.label_upto(k, sends[4] + 1) == f"DATA ×5 n={ns[0]}..{ns[4]}"
    assert builder.label_upto(k, sends[4]) == f"DATA ×4 n={ns[0]}..{ns[3]}"
    assert builder.label_upto(k, row.first) == f"DATA n={ns[0]}"
    assert builder.label_upto(k, len(trace)) == row.label
    cache_row = next(k for k, r in enumerate(builder.rows) if r.msg_class == "BUFFER")
    first_in = builder.rows[cache_row].first
    assert builder.label_upto(cache_row, first_in + 1) == "caching data for MN [■ 1/64]"


def test_feeding_incrementally_matches_a_batch_build() -> None:
    trace = _trace("restore")
    sc = load_scenario("restore")
    builder = LadderBuilder(sc)
    for ev in trace:
        builder.feed(ev)
        if ev.i % 97 == 0:
            assert len(builder.rows) == len(builder)
    assert builder.rows == build_rows(trace, sc)


# -- rfc5213, losses, rejections ----------------------------------------------------------------


def test_rfc5213_has_drop_rows_with_the_reason_and_no_steps() -> None:
    rows = _rows("figure1", "rfc5213")
    assert all(r.step is None for r in rows)
    drops = [r for r in rows if r.kind == "drop"]
    assert {r.msg_class for r in drops} == {"DROP"}
    hold = next(r for r in drops if "dereg_hold" in r.label)
    assert hold.src == "LMA" and hold.count == 148
    assert hold.label == "✕ dereg_hold ×148 n=52..199"
    assert any(r.label.startswith("✕ link_down") and r.src == "MAG1" for r in drops)
    assert "BCE IF1 held, traffic dropped" in [r.label for r in rows]
    assert "BCE created IF2 2001:db8:100:1::/64" in [r.label for r in rows]


def test_link_losses_mark_the_arrow_lost() -> None:
    rows = _rows("lossy-signaling")
    pbus = [r for r in rows if r.msg_class == "PBU"]
    assert [(r.label, r.lost) for r in pbus] == [
        ("PBU HI=1 seq 1", False), ("PBU HI=1 seq 2 (retx) ✕", True),
        ("PBU HI=1 seq 3 (retx)", False)]
    pba = next(r for r in rows if r.msg_class == "PBA")
    assert pba.lost and pba.label.endswith("✕")
    data = [r for r in rows if r.msg_class == "DATA" and r.lost]
    assert data and re.search(r"\(\d+ lost ✕\)$", data[0].label)
    assert any(r.label.startswith("✕ no_address") for r in rows)


@pytest.mark.parametrize(("mn", "label"), [
    ("mn-m2@example.org", "PBA 154 MAG_NOT_AUTHORIZED_FOR_PROXY_REG"),
    ("mn-m4@example.org", "PBA 156 TIMESTAMP_MISMATCH"),
    ("mn-m6@example.org", "PBA 160 MISSING_MN_IDENTIFIER_OPTION"),  # no MN-ID: found by its LL-ID
])
def test_rejections(mn: str, label: str) -> None:
    rows = _rows("bad-mag", focus=mn)
    reject = next(r for r in rows if r.msg_class == "PBA_REJECT")
    assert reject.label == label and reject.dst is not None and reject.src == "LMA"


def test_a_mag_outside_the_plan_gets_a_column() -> None:
    sc = load_scenario("figure1")
    mag3 = replace(sc.mags[1], name="MAG3", address=IPv6Address("2001:db8:ffff::13"))
    link3 = replace(next(ln for ln in sc.links if "MAG2" in (ln.a, ln.b)), a="LMA", b="MAG3")
    planned = sc.with_changes(mags=(*sc.mags, mag3), links=(*sc.links, link3))
    user_move = planned.with_changes(faults=(Fault(1000.0, "move", f"{MN}/IF2", "MAG3"),))
    events: list[TraceEvent] = []
    run(user_move, sinks=[events.append])
    builder = LadderBuilder(planned)  # the move is not in the plan, as for a user's action
    assert [c.name for c in builder.columns] == ["IF1", "IF2", "MAG1", "MAG2", "LMA", "CN"]
    builder.feed_all(events)
    assert [c.name for c in builder.columns] == ["IF1", "IF2", "MAG1", "MAG2", "MAG3", "LMA",
                                                 "CN"]
    assert builder.columns[4].kind == "mag"
    assert any(r.src == "MAG3" and r.dst == "IF2" for r in builder.rows)


# -- scale and layering ---------------------------------------------------------------------


def _campus() -> Scenario | None:
    names = [name for name, _title in shipped_scenarios()]
    return load_scenario("campus") if "campus" in names else None


def test_campus_sized_trace() -> None:
    sc = _campus()
    if sc is None:
        pytest.skip("no campus scenario")
    events: list[TraceEvent] = []
    run(sc, until_ms=4000.0, sinks=[events.append])
    owners: set[int] = set()
    for mn in sc.mns[:10]:
        builder = LadderBuilder(sc, mn.id)
        builder.feed_all(events)
        rows = builder.rows
        assert [c.kind for c in builder.columns][:2] == ["iface", "iface"]
        assert [c.kind for c in builder.columns][-2:] == ["lma", "cn"]
        assert len(rows) < 200
        mine = {i for r in rows for i in r.events}
        assert not owners & mine
        owners |= mine


def _feed_cost(lines_run: Callable[[Callable[[], object]], int], stop_ms: float
               ) -> tuple[int, int, int]:
    """Events, Python lines run feeding them to a LadderBuilder, and the rows built."""
    sc = load_scenario("figure1")
    flow = sc.flows[0].__class__("CN", MN, 2000.0, 500.0, stop_ms)
    big = sc.with_changes(flows=(flow,), duration_ms=stop_ms + 1000.0)
    events: list[TraceEvent] = []
    run(big, sinks=[events.append])
    builder = LadderBuilder(big)
    lines = lines_run(lambda: builder.feed_all(events))
    return len(events), lines, len(builder.rows)


def test_feeding_a_long_trace_is_linear_and_aggregated(lines_run) -> None:
    """Work per event does not grow with the trace (counted in Python lines, not timed),
    and a long DATA stream adds no rows: its rows are the same for twice the stream. (At
    2000 pps the 30 ms of caching interleave forwarding and caching every 0.5 ms, and
    the ladder keeps time order, so that stretch is most of the rows.)"""
    small_events, small_lines, small_rows = _feed_cost(lines_run, 3000.0)
    big_events, big_lines, big_rows = _feed_cost(lines_run, 6000.0)
    assert big_events > 1.8 * small_events > 18_000
    per_event_small = small_lines / small_events
    per_event_big = big_lines / big_events
    assert per_event_big < 1.1 * per_event_small
    assert small_rows == big_rows < 150


def test_ladder_and_lesson_do_not_import_textual() -> None:
    code = ("import sys, pmipviz.export.ladder, pmipviz.lesson.narration; "
            "sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
