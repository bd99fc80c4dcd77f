"""Issue 10 item 3: which entry carries an MN's traffic, and where a flow is addressed.

pmipviz's rule (``Lma.elect_carrier``; the draft is silent): the entry carrying the
MN's traffic keeps it while it is available (S=1 in ft; not de-registered in
rfc5213); else the MN's oldest available entry takes it. A downlink flow is addressed,
at its first packet and for good, to the interface whose entry carries the traffic, or
to the interface it names (``to = "mn-id/IF"``). Every BCE state event names the
carrier (field ``carrier``).

Scenarios written for it (tests/sim/scenarios/), every expected time the sum of the
scenario's delays, in both modes:
- if2-first: figure1 with IF2 (MAG2) attaching at 0 ms and IF1 (MAG1) at 100 ms; IF2
  breaks at 1000 ms;
- named-iface: figure1's MN, IF2 attaching at 300 ms; the flow, from 200 ms, names IF2.
"""

from __future__ import annotations

from typing import Any

import pytest

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario import load_scenario
from pmipviz.sim.trace import TraceEvent
from tests.sim.traces import (
    bce_events,
    data_events,
    link_delay,
    scenario_file,
    trace_of,
)

MODES = ("ft", "rfc5213")


# -- if2-first: the oldest entry carries, sticky until it goes unavailable -----------------

SC = scenario_file("if2-first")
MN = SC.mns[0].id
IF1, IF2 = SC.mns[0].interfaces
MAG1, MAG2 = SC.mags
D1, D2 = link_delay(SC, "LMA", "MAG1"), link_delay(SC, "LMA", "MAG2")
D_CN = link_delay(SC, "CN", "LMA")
FLOW = SC.flows[0]
FAULT = SC.faults[0]
PERIOD = 1000.0 / FLOW.rate_pps
N_SENT = int((FLOW.stop_ms - FLOW.start_ms) / PERIOD)  # 200
REG2 = IF2.attach_ms + MAG2.access_delay_ms + D2  # RS, then PBU to the LMA: 6
REG1 = IF1.attach_ms + MAG1.access_delay_ms + D1  # 106
DEREG2 = FAULT.at_ms + MAG2.detection_ms + D2  # IF2's DeReg PBU reaches the LMA: 1025


@pytest.fixture(scope="module", params=MODES)
def if2_first(request: pytest.FixtureRequest) -> tuple[str, list[TraceEvent], Any, Any]:
    events, metrics, world = trace_of(SC, mode=request.param)
    return request.param, events, metrics, world


def _key_of(events: list[TraceEvent], name: str) -> str:
    """The BCE key of interface ``name``'s entry (from its creation)."""
    (created,) = bce_events(events, interface=name, cause="register")
    return str(created.fields["key"])


def test_the_oldest_entry_carries_and_a_newer_one_does_not_take_over(if2_first) -> None:
    mode, events, _, _ = if2_first
    assert FAULT.interface == f"{MN}/{IF2.name}" and IF2.attach_ms < IF1.attach_ms
    k2, k1 = _key_of(events, IF2.name), _key_of(events, IF1.name)
    (c2,) = bce_events(events, key=k2, cause="register")
    (c1,) = bce_events(events, key=k1, cause="register")
    assert (c2.t_ms, c1.t_ms) == (REG2, REG1)
    assert c2.fields["carrier"] == k2  # IF2's entry, the first, carries
    assert c1.fields["carrier"] == k2  # IF1's, newer, does not take it
    routes = [e for e in events if e.kind == "state" and e.fields["table"] == "route"]
    if mode == "ft":
        assert [(e.t_ms, (e.fields["after"] or {}).get("entry")) for e in routes] == [
            (REG2, k2), (DEREG2, k1)]
        assert "draft §3.1" in routes[0].note and "oldest entry with S=1" in routes[0].note
        assert "MAG2 to MAG1" in routes[1].note and "until it goes S=0" in routes[1].note
    else:  # RFC 5213 routes each HNP by its own entry: the carrier is only recorded
        assert routes == []


def test_the_carrier_moves_when_it_goes_unavailable(if2_first) -> None:
    mode, events, _, world = if2_first
    k2, k1 = _key_of(events, IF2.name), _key_of(events, IF1.name)
    (dereg,) = bce_events(events, key=k2, cause="dereg")
    assert dereg.t_ms == DEREG2
    assert dereg.fields["after"]["state"] == ("kept" if mode == "ft" else "dereg-hold")
    assert dereg.fields["carrier"] == k1  # IF1's entry: S=1 (ft) / not de-registered
    assert world.lma.carrier(MN).key == k1
    # every BCE event names the carrier the LMA had after it, nothing else
    carriers = [(e.t_ms, e.fields["carrier"]) for e in bce_events(events)]
    assert all(c == (k2 if t < DEREG2 else k1) for t, c in carriers)


def test_the_flow_is_addressed_to_the_carrying_interface(if2_first) -> None:
    mode, events, _, world = if2_first
    addr2 = str(world.ifaces[str(IfaceKey(MN, IF2.name))].address)
    sends = data_events(events, "send", node="CN")
    assert [e.t_ms for e in sends] == [FLOW.start_ms + n * PERIOD for n in range(N_SENT)]
    assert {e.fields["dst"] for e in sends} == {addr2}  # fixed at the first packet
    first = sends[0]
    assert f"to mn1/IF2 at {addr2}" in first.note and "keeps" in first.note
    assert ("draft §3.1" in first.note) == (mode == "ft")
    assert ("RFC 5213 has no S flag" in first.note) == (mode == "rfc5213")
    assert "to mn1/IF2" not in sends[1].note  # the other packets' notes are as before
    # n=0: CN -> LMA -> MAG2 -> IF2, by IF2's entry
    (fwd,) = data_events(events, "send", node="LMA", n=0)
    assert (fwd.t_ms, fwd.peer) == (FLOW.start_ms + D_CN, MAG2.name)
    (got,) = data_events(events, "deliver", n=0)
    assert (got.t_ms, got.node) == (FLOW.start_ms + D_CN + D2 + MAG2.access_delay_ms,
                                    f"{MN}/{IF2.name}")


def test_losses_follow_the_carrier_by_hand(if2_first) -> None:
    mode, events, metrics, _ = if2_first
    d = metrics.to_dict()
    assert d["sent"] == N_SENT
    if mode == "ft":  # figure1 with the roles swapped: re-routed to IF1, nothing lost
        assert (d["delivered"], d["lost"]) == (N_SENT, 0)
        return

    def at_mag2(n: int) -> float:
        return FLOW.start_ms + n * PERIOD + D_CN + D2

    pba = DEREG2 + D2  # 1030: MAG2 stops sending for IF2's link
    delivered = [n for n in range(N_SENT) if at_mag2(n) + MAG2.access_delay_ms < FAULT.at_ms]
    link_down = [n for n in range(N_SENT) if FAULT.at_ms < at_mag2(n) <= pba
                 and at_mag2(n) - D2 < DEREG2]
    held = [n for n in range(N_SENT) if at_mag2(n) - D2 >= DEREG2]
    assert (len(delivered), link_down, len(held)) == (49, [49, 50, 51], 148)
    assert sorted(e.fields["n"] for e in data_events(events, "deliver")) == delivered
    drops = {e.fields["n"]: e.fields["reason"] for e in data_events(events, "drop")}
    assert drops == {**dict.fromkeys(link_down, "link_down"), **dict.fromkeys(held, "dereg_hold")}


# -- the rule is sticky: a restored entry does not take the traffic back -------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_restored_entry_does_not_take_the_traffic_back(mode: str) -> None:
    sc = load_scenario("restore")
    events, _, world = trace_of(sc, mode=mode)
    mn = sc.mns[0].id
    k1, k2 = _key_of(events, "IF1"), _key_of(events, "IF2")
    restore = next(f.at_ms for f in sc.faults if f.action == "restore")
    after = [e for e in bce_events(events) if e.t_ms > restore]
    assert after and any(e.fields["interface"] == "IF1" and e.fields["after"]
                         and e.fields["after"]["state"] == "active" for e in after)
    assert all(e.fields["carrier"] == k2 for e in after)  # IF2's entry keeps it
    assert world.lma.carrier(mn).key == k2 != k1


# -- named-iface: to = "mn-id/IF" --------------------------------------------------------

NAMED = scenario_file("named-iface")
N_FLOW = NAMED.flows[0]
N_IF2 = NAMED.mns[0].interfaces[1]
N_MAG1, N_MAG2 = NAMED.mags
N_D1, N_D2 = link_delay(NAMED, "LMA", "MAG1"), link_delay(NAMED, "LMA", "MAG2")
N_DCN = link_delay(NAMED, "CN", "LMA")
N_PERIOD = 1000.0 / N_FLOW.rate_pps
# IF2's address: its RA arrives after RS, PBU, PBA and RA: 300 + 1 + 5 + 5 + 1 = 312
N_ADDR = N_IF2.attach_ms + 2 * N_MAG2.access_delay_ms + 2 * N_D2


@pytest.mark.parametrize("mode", MODES)
def test_a_named_interface_is_the_destination_once_it_has_an_address(mode: str) -> None:
    assert N_FLOW.to_iface == "IF2" and N_FLOW.start_ms < N_ADDR
    events, metrics, world = trace_of(NAMED, mode=mode)
    key2 = f"{NAMED.mns[0].id}/IF2"
    addr2 = str(world.ifaces[key2].address)
    n_total = int((N_FLOW.stop_ms - N_FLOW.start_ms) / N_PERIOD)
    early = [n for n in range(n_total) if N_FLOW.start_ms + n * N_PERIOD < N_ADDR]
    assert early == list(range(12))
    drops = data_events(events, "drop")
    assert [(e.fields["n"], e.t_ms, e.node, e.fields["reason"]) for e in drops] == [
        (n, N_FLOW.start_ms + n * N_PERIOD, "CN", "no_address") for n in early]
    assert "no address for mn1/IF2 yet" in drops[0].note
    sent = [e for e in data_events(events, "send", node="CN") if e.fields["n"] > early[-1]]
    assert {e.fields["dst"] for e in sent} == {addr2}
    first = sent[0]
    assert (first.t_ms, first.fields["n"]) == (N_FLOW.start_ms + len(early) * N_PERIOD, 12)
    assert "the flow names that interface" in first.note
    (fwd,) = data_events(events, "send", node="LMA", n=12)
    if mode == "ft":  # one shared HNP: routed by the carrier, IF1's entry on MAG1
        assert world.lma.carrier(NAMED.mns[0].id).mag == N_MAG1.name
        assert (fwd.t_ms, fwd.peer) == (first.t_ms + N_DCN, N_MAG1.name)
        assert "not via mn1/IF2's" in first.note and "mn1/IF1's on MAG1" in first.note
    else:  # IF2's own HNP: its own entry
        assert (fwd.t_ms, fwd.peer) == (first.t_ms + N_DCN, N_MAG2.name)
        assert "IF2's own entry" in first.note
    d = metrics.to_dict()
    assert (d["sent"], d["delivered"], d["lost"]) == (n_total, n_total - len(early),
                                                      len(early))


# -- the state view folds the carrier from the trace alone ------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_the_state_view_folds_the_carrier_and_undoes_it(mode: str) -> None:
    from pmipviz.sim.state import StateView

    events, _, _ = trace_of(SC, mode=mode)
    k2, k1 = _key_of(events, IF2.name), _key_of(events, IF1.name)
    view = StateView(SC)
    journals = []
    seen: list[tuple[float, str | None]] = []
    for ev in events:
        journals.append(view.apply(ev))
        now = view.carriers.get(MN)
        if not seen or seen[-1][1] != now:
            seen.append((ev.t_ms, now))
        if ev.kind == "state" and ev.fields["table"] == "bce" and ev.t_ms == DEREG2:
            assert ("bce", k1) in view.changed and ("bce", k2) in view.changed
            assert "carrier" in view.changed_fields[("bce", k1)]
    assert seen == [(0.0, None), (REG2, k2), (DEREG2, k1)]
    for ev, journal in zip(reversed(events), reversed(journals), strict=True):
        view.undo(journal)
        if ev.kind == "state" and ev.fields["table"] == "bce" and ev.fields["cause"] == "dereg":
            break
    assert view.carriers[MN] == k2  # stepping back over the DeReg gives IF2 its traffic
