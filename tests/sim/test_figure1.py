"""figure1 end to end: exact timeline from the scenario file, the draft's eight
steps, no loss in ft mode, loss with a named reason in rfc5213 mode."""

from __future__ import annotations

from ipaddress import IPv6Network

import pytest

from pmipviz.scenario import Scenario, load_scenario
from tests.sim.traces import trace_of

SC = load_scenario("figure1")
MN = SC.mns[0].id
IF1, IF2 = (f"{MN}/{i.name}" for i in SC.mns[0].interfaces)
MAG1, MAG2 = SC.mags
FAULT = SC.faults[0].at_ms
FLOW = SC.flows[0]


def link_delay(sc: Scenario, a: str, b: str) -> float:
    return next(ln.delay_ms for ln in sc.links if {ln.a, ln.b} == {a, b})


D_CN = link_delay(SC, "CN", "LMA")
D1 = link_delay(SC, "LMA", MAG1.name)
D2 = link_delay(SC, "LMA", MAG2.name)


@pytest.fixture(scope="module")
def ft():
    return trace_of(SC)


@pytest.fixture(scope="module")
def rfc():
    return trace_of(SC, mode="rfc5213")


def times(events, **match) -> list[float]:
    def ok(e) -> bool:
        return all((e.fields.get(k[2:]) if k.startswith("f_") else getattr(e, k)) == v
                   for k, v in match.items())
    return [e.t_ms for e in events if ok(e)]


def test_registration_times_are_sums_of_delays(ft) -> None:
    events, _, _ = ft
    for itf, mag, d in ((SC.mns[0].interfaces[0], MAG1, D1), (SC.mns[0].interfaces[1], MAG2, D2)):
        rs = itf.attach_ms
        pbu = rs + mag.access_delay_ms
        pba = pbu + d
        ra = pba + d
        assert times(events, kind="send", msg="RS", node=f"{MN}/{itf.name}") == [rs]
        assert times(events, kind="send", msg="PBU", node=mag.name) [0] == pbu
        assert times(events, kind="send", msg="PBA", peer=mag.name)[0] == pba
        assert times(events, kind="send", msg="RA", node=mag.name) == [ra]
        assert times(events, kind="recv", msg="RA", node=f"{MN}/{itf.name}") == \
            [ra + mag.access_delay_ms]


def test_cbr_flow_sends_at_start_plus_k_period(ft) -> None:
    events, _, _ = ft
    period = 1000 / FLOW.rate_pps
    expected, k = [], 0
    while FLOW.start_ms + k * period < FLOW.stop_ms:
        expected.append(FLOW.start_ms + k * period)
        k += 1
    assert times(events, kind="send", msg="DATA", node="CN") == expected


def test_handover_timeline_is_exact(ft) -> None:
    events, metrics, _ = ft
    dereg = FAULT + MAG1.detection_ms
    lma_rx = dereg + D1
    flush = lma_rx + D1
    assert times(events, kind="fault") == [FAULT]
    assert times(events, kind="send", msg="PBU", f_lifetime_s=0) == [dereg]
    assert times(events, kind="recv", msg="PBU", f_lifetime_s=0) == [lma_rx]
    bce = [e for e in events if e.kind == "state" and e.fields["table"] == "bce"
           and e.fields["cause"] == "dereg"]
    assert [e.t_ms for e in bce] == [lma_rx]  # the LMA answers the moment it receives it
    assert times(events, kind="send", msg="PBA", f_lifetime_s=0) == [lma_rx]
    out = times(events, kind="buffer", f_op="out")
    assert out and set(out) == {flush}  # MAG1 flushes the moment the PBA arrives
    cached_at_lma = times(events, kind="send", msg="DATA", node="LMA", f_cached=True)
    assert set(cached_at_lma) == {flush + D1}
    cached_delivered = times(events, kind="deliver", f_cached=True)
    assert set(cached_delivered) == {flush + D1 + D2 + MAG2.access_delay_ms}
    (ho,) = metrics.to_dict()["handovers"]
    assert (ho["fault_ms"], ho["dereg_ms"], ho["switch_ms"], ho["pba_ms"]) == \
        (FAULT, dereg, lma_rx, flush)


def test_every_delivery_is_send_time_plus_path_delay(ft) -> None:
    events, _, _ = ft
    sent = {e.fields["pid"]: e.t_ms for e in events if e.kind == "send" and e.node == "CN"}
    for e in events:
        if e.kind != "deliver" or e.fields["cached"]:
            continue
        via1 = D_CN + D1 + MAG1.access_delay_ms
        via2 = D_CN + D2 + MAG2.access_delay_ms
        assert e.t_ms - sent[e.fields["pid"]] == (via1 if e.node == IF1 else via2)


def test_ft_loses_nothing_uses_the_cache_and_reorders(ft) -> None:
    _, metrics, world = ft
    d = metrics.to_dict()
    assert d["sent"] == 200 and d["delivered"] == 200 and d["lost"] == 0 and d["queued"] == 0
    assert d["buffer_peak"][MAG1.name] > 0 and d["buffer_peak"][MAG2.name] == 0
    assert d["reordered"] == d["buffer_peak"][MAG1.name]  # the hairpin arrives late
    assert world.queued() == d["queued"]


def test_steps_1_to_8_in_order(ft) -> None:
    events, _, _ = ft
    first = {}
    for e in events:
        if e.step is not None:
            first.setdefault(e.step, e.i)
    assert sorted(first) == list(range(1, 9))
    assert [first[s] for s in range(1, 9)] == sorted(first.values())
    by_step = {s: [e for e in events if e.step == s] for s in range(1, 9)}
    assert all(e.kind == "buffer" or e.fields.get("cause") == "detect" for e in by_step[2])
    assert all(e.msg == "PBU" and e.fields["lifetime_s"] == 0 for e in by_step[3])
    assert {e.fields["table"] for e in by_step[4]} == {"bce", "route"}
    assert all(e.msg == "PBA" for e in by_step[5])
    assert all(e.fields.get("cached") for e in by_step[6] + by_step[7])
    assert all(not e.fields.get("cached") and e.t_ms > FAULT for e in by_step[8])


def test_figure1_bce_flags(ft) -> None:
    _, _, world = ft
    entries = world.lma.cache.for_mn(MN)
    assert {(b.mag, b.m, b.s) for b in entries} == {(MAG1.name, 1, 0), (MAG2.name, 1, 1)}
    assert len({b.hnps for b in entries}) == 1


def test_rfc5213_loses_the_flow_with_a_named_reason(rfc) -> None:
    events, metrics, world = rfc
    d = metrics.to_dict()
    assert d["lost"] > 100 and d["sent"] == d["delivered"] + d["lost"] + d["queued"]
    assert set(d["lost_by_reason"]) == {"link_down", "dereg_hold"}
    assert all(e.step is None for e in events)
    hnps = {b.hnps for b in world.lma.cache.for_mn(MN)}
    assert len(hnps) == 2  # one prefix per interface (§5.2)
    (hnp1,) = next(b.hnps for b in world.lma.cache.for_mn(MN) if b.mag == MAG1.name)
    dst = {e.fields["dst"] for e in events if e.kind == "drop" and e.msg == "DATA"}
    assert all(IPv6Network(f"{a}/128").subnet_of(hnp1) for a in dst)
    assert not any(e.kind == "buffer" for e in events)
