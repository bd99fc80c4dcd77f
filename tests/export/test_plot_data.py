"""Plot data (``export.plot_data``): a fold over trace events that agrees with the
metrics, reads no note, and cuts a time window."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

import pytest

from pmipviz.export.plot_data import (
    DeliveryData,
    OccupancyData,
    Outage,
    default_mn,
    delivery_data,
    flow_owners,
    occupancy_data,
    plot_fold,
)
from pmipviz.scenario import load_scenario, shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.trace import TraceEvent, event_from_dict

MODES = ("ft", "rfc5213")


@cache
def trace(name: str, mode: str) -> tuple[tuple[TraceEvent, ...], Metrics]:
    events: list[TraceEvent] = []
    metrics, _ = run(load_scenario(name), mode=mode, sinks=[events.append])
    return tuple(events), metrics


def figure1(mode: str, **window: float) -> tuple[DeliveryData, OccupancyData]:
    events, _ = trace("figure1", mode)
    scenario = load_scenario("figure1")
    mn = "mn1@example.org"
    return (delivery_data(events, scenario, mn, **window),
            occupancy_data(events, scenario, mn, **window))


def test_figure1_ft_markers_carry_the_drafts_steps() -> None:
    data, _ = figure1("ft")
    assert [(m.kind, m.step, m.t_ms) for m in data.markers] == [
        ("fault", None, 1000.0), ("dereg", 3, 1020.0), ("pba", 5, 1030.0),
        ("flush", 6, 1030.0)]
    assert [m.label for m in data.markers] == [
        "IF1 break", "(3) DeReg PBU", "(5) PBA", "(6) flush"]
    assert [m.node for m in data.markers] == ["mn1@example.org/IF1", "MAG1", "MAG1", "MAG1"]


def test_figure1_ft_loses_nothing_and_delivers_the_cache_out_of_order() -> None:
    data, _ = figure1("ft")
    assert (len(data.sent), len(data.delivered), len(data.lost)) == (200, 200, 0)
    cached = [p for p in data.delivered if p.cached]
    assert [p.n for p in cached] == [49, 50, 51]
    assert all(p.reordered for p in cached)  # n=52 took the new path first
    assert [p.n for p in data.delivered if p.reordered] == [49, 50, 51]
    assert data.outage == Outage(996.0, 1036.0)
    assert data.outage.label == "outage 40 ms"


def test_figure1_rfc5213_loses_the_stream_with_reasons() -> None:
    data, _ = figure1("rfc5213")
    _, metrics = trace("figure1", "rfc5213")
    assert data.lost_reasons == ("dereg_hold", "link_down")
    by_reason = {r: sum(1 for p in data.lost if p.reason == r) for r in data.lost_reasons}
    assert by_reason == metrics.lost_by_reason
    assert [(m.kind, m.step) for m in data.markers] == [
        ("fault", None), ("dereg", None), ("pba", None)]  # no cache, no flush, no steps
    # the outage runs from the last delivery (n=48, sent at 980 + 16 ms) to the last
    # packet's expected arrival (n=199, sent at 2490, + the same 16 ms), as max_gap_ms
    assert data.outage is not None and data.outage.open
    assert data.outage.start_ms == 996.0 and data.outage.end_ms == 2506.0
    assert data.outage.label == "outage ≥ 1510 ms"
    assert data.outage.duration_ms == metrics.flows[0].max_gap_ms == 1510.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", [name for name, _ in shipped_scenarios()])
def test_counts_agree_with_the_metrics(name: str, mode: str) -> None:
    """Sent, delivered (once each), lost and the cache peaks are the metrics' numbers
    for the MN's flows; with one flow the outage is the metrics' longest gap."""
    scenario = load_scenario(name)
    mn = default_mn(scenario)
    if mn is None:
        pytest.fail(f"{name} has no flow")  # every shipped scenario has one
    events, metrics = trace(name, mode)
    data = delivery_data(events, scenario, mn)
    mine = [f for f, owner in zip(metrics.flows, flow_owners(scenario), strict=True)
            if owner == mn]
    assert len(data.sent) == sum(f.sent for f in mine)
    assert len({(p.flow, p.n) for p in data.delivered}) == sum(f.delivered for f in mine)
    assert len(data.lost) == sum(f.lost for f in mine)
    assert sum(p.reordered for p in data.delivered) == sum(f.reordered for f in mine)
    if len(mine) == 1 and data.outage is not None:
        assert data.outage.duration_ms == pytest.approx(mine[0].max_gap_ms)
    occupancy = occupancy_data(events, scenario, mn)
    peaks = {mag: max(n for _, n in steps) for mag, steps in occupancy.series}
    assert peaks == metrics.buffer_peak


def test_the_data_comes_from_the_trace_fields_not_the_notes() -> None:
    """Events read back from JSON lines, with every note replaced, give the same plot."""
    events, _ = trace("both-fail", "ft")
    scenario = load_scenario("both-fail")
    mn = "mn1@example.org"
    read_back = []
    for ev in events:
        d = json.loads(ev.to_json())
        d["note"] = "DeReg PBU PBA flush lost cached 1000 ms"
        read_back.append(event_from_dict(d))
    assert delivery_data(read_back, scenario, mn) == delivery_data(events, scenario, mn)
    assert occupancy_data(read_back, scenario, mn) == occupancy_data(events, scenario, mn)


def test_two_handovers_give_two_sets_of_markers() -> None:
    events, _ = trace("both-fail", "ft")
    data = delivery_data(events, load_scenario("both-fail"), "mn1@example.org")
    kinds = [m.kind for m in data.markers]
    assert kinds == ["fault", "dereg", "pba", "flush"] * 2
    assert {m.detail for m in data.markers if m.kind == "fault"} == {"IF1 break", "IF2 break"}
    assert "buffer_overflow" in data.lost_reasons


def test_a_window_keeps_only_its_events_and_starts_the_cache_where_it_was() -> None:
    data, occupancy = figure1("ft", from_ms=1010.0, until_ms=1100.0)
    marks = [*data.sent, *data.delivered, *data.lost]
    assert marks and all(1010.0 <= p.t_ms <= 1100.0 for p in marks)
    assert [m.kind for m in data.markers] == ["dereg", "pba", "flush"]  # the fault is before
    assert (data.from_ms, data.until_ms) == (1010.0, 1100.0)
    series = dict(occupancy.series)
    # MAG1 held one packet at 1010 (cached at 1005), three at the peak, none at the end
    assert series["MAG1"][0] == (1010.0, 1)
    assert max(n for _, n in series["MAG1"]) == 3
    assert series["MAG1"][-1] == (1100.0, 0)
    assert series["MAG2"] == ((1010.0, 0), (1100.0, 0))
    # the delivered-out-of-order flag still knows n=52 went ahead before the window
    assert [p.n for p in data.delivered if p.reordered] == [49, 50, 51]


def test_an_mn_without_flows_gets_an_empty_plot_and_default_skips_it() -> None:
    scenario = load_scenario("bad-mag")
    owners = set(flow_owners(scenario))
    silent_first = replace(scenario, mns=tuple(sorted(scenario.mns,
                                                      key=lambda m: m.id in owners)))
    assert silent_first.mns[0].id not in owners
    assert default_mn(silent_first) == next(m.id for m in silent_first.mns if m.id in owners)
    events, _ = trace("bad-mag", "ft")
    data = delivery_data(events, scenario, "mn-unknown@example.org")
    assert data.flows == () and not data.sent and not data.delivered and data.outage is None


def test_the_fold_grows_event_by_event() -> None:
    """A prefix of the trace gives the plot at that moment (what a TUI view needs)."""
    events, _ = trace("figure1", "ft")
    scenario = load_scenario("figure1")
    fold = plot_fold(scenario, "mn1@example.org")
    seen = 0
    for ev in events:
        fold(ev)
        if ev.t_ms <= 1025.0:
            seen += 1
    partial = delivery_data(events[:seen], scenario, "mn1@example.org")
    assert [m.kind for m in partial.markers] == ["fault", "dereg"]
    assert partial.outage is not None and partial.outage.open
    assert fold.delivery() == delivery_data(events, scenario, "mn1@example.org")
