"""Hypothesis: random fault schedules keep every packet accounted for, and the
draft loses nothing while one interface survives and the cache is large."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipviz.scenario import load_scenario
from pmipviz.scenario.model import Fault

from sim_helpers import trace_of

BASE = load_scenario("figure1")
MN = BASE.mns[0].id
ACTIONS = st.sampled_from(["break", "restore", "move"])


def faults(interfaces: list[str]):
    one = st.builds(
        lambda t, action, itf, mag: Fault(float(t), action, f"{MN}/{itf}",
                                          mag if action == "move" else None),
        st.integers(0, 2800), ACTIONS, st.sampled_from(interfaces),
        st.sampled_from(["MAG1", "MAG2"]))
    return st.lists(one, max_size=8)


def check_conservation(mode: str, schedule: list[Fault], **changes) -> dict:
    sc = BASE.with_changes(faults=tuple(schedule), **changes)
    _, metrics, world = trace_of(sc, mode=mode)
    d = metrics.to_dict()
    assert d["sent"] == d["delivered"] + d["lost"] + d["queued"]
    assert d["queued"] == world.queued()  # counted from the world, not from the trace
    assert sum(d["lost_by_reason"].values()) == d["lost"]
    assert d["duplicated"] == 0
    return d


SETTINGS = settings(max_examples=int(os.environ.get("PMIPVIZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(faults(["IF1", "IF2"]), st.sampled_from(["ft", "rfc5213"]))
def test_random_faults_conserve_packets(schedule, mode) -> None:
    check_conservation(mode, schedule)


@SETTINGS
@given(faults(["IF1"]))
def test_ft_with_a_surviving_interface_and_a_large_cache_loses_nothing(schedule) -> None:
    mags = tuple(m.__class__(**{**m.__dict__, "buffer_packets": 100_000}) for m in BASE.mags)
    d = check_conservation("ft", schedule, mags=mags)
    assert d["lost"] == 0, d["lost_by_reason"]


UPLINK = BASE.flows[0].__class__(src=MN, dst="CN", rate_pps=50.0, start_ms=300.0,
                                 stop_ms=2700.0, size_bytes=200)


@SETTINGS
@given(faults(["IF1", "IF2"]), st.sampled_from(["ft", "rfc5213"]),
       st.sampled_from([0.0, 3.0]))
def test_random_faults_with_both_directions_and_processing(schedule, mode, processing) -> None:
    check_conservation(mode, schedule, flows=(*BASE.flows, UPLINK), processing_ms=processing)
