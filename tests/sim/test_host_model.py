"""Issue 10 item 1: the mobile node's addresses and host model.

Scenarios written for it, every expected time and count computed from their delays, in
both modes:
- figure1 (shipped; a weak host with one address per interface, the defaults);
- figure1-strong-host (shipped): the same MN as a strong host (RFC 1122 §3.3.4.2) loses
  the re-routed flow in ft mode (``wrong_interface``);
- figure1-shared-strong (tests/sim/scenarios): a strong host with one shared address on
  every interface (RFC 7847) keeps it;
- move-onto-sibling (tests/sim/scenarios): IF1 moves onto MAG2, next to IF2; MAG2 gives
  IF1's packets to IF1 (the owner of their destination), not to IF2;
- uplink-switch (tests/sim/scenarios): after the failover the MN's source address is
  IF2's own (per-interface) or unchanged (shared).
And a hypothesis property: with ``host = "strong"`` nothing is ever delivered on an
interface that does not own the packet's destination address.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from ipaddress import IPv6Address

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmipviz.cli import main
from pmipviz.lesson import narrate
from pmipviz.lesson.quiz import questions
from pmipviz.protocol.mag import OWNER_REF
from pmipviz.protocol.vocab import Reason
from pmipviz.scenario import Scenario, load_scenario
from pmipviz.scenario.model import Fault
from pmipviz.sim.addressing import interface_id
from pmipviz.sim.trace import TraceEvent
from tests.sim.traces import data_events, link_delay, scenario_file, trace_of

MODES = ("ft", "rfc5213")


def _addresses(events: list[TraceEvent]) -> dict[str, str]:
    """Each interface's last configured address, from its ``iface`` state events."""
    out: dict[str, str] = {}
    for e in events:
        if e.kind == "state" and e.fields["table"] == "iface" and e.fields["after"] \
                and e.fields["after"]["address"]:
            out[e.node] = e.fields["after"]["address"]
    return out


class Fig1:
    """figure1's delays and the packet numbers they give (the flow at 100 pps from 500
    ms, IF1 broken at 1000 ms): what reaches IF1 before the break, what MAG1 caches,
    the first packet the LMA sends to MAG2."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.mn = sc.mns[0]
        self.if1, self.if2 = (f"{self.mn.id}/{i.name}" for i in self.mn.interfaces)
        self.mag1, self.mag2 = sc.mags
        self.fault = sc.faults[0].at_ms
        self.flow = sc.flows[0]
        self.period = 1000.0 / self.flow.rate_pps
        self.total = int((self.flow.stop_ms - self.flow.start_ms) / self.period)  # 200
        self.d_cn = link_delay(sc, "CN", "LMA")
        self.d1 = link_delay(sc, "LMA", "MAG1")
        self.d2 = link_delay(sc, "LMA", "MAG2")
        # the LMA moves the MN's traffic to IF2's entry when the DeReg PBU reaches it
        self.switch = self.fault + self.mag1.detection_ms + self.d1  # 1025
        self.flush = self.switch + self.d1  # the PBA reaches MAG1, which flushes: 1030

    def sent(self, n: int) -> float:
        return self.flow.start_ms + n * self.period

    @property
    def n_if1(self) -> int:
        """Packets delivered on IF1: those that reach it before the break (0..48)."""
        return sum(1 for n in range(self.total) if self.sent(n) + self.d_cn + self.d1
                   + self.mag1.access_delay_ms <= self.fault)

    @property
    def n_direct(self) -> int:
        """The first packet the LMA sends to MAG2 (it reaches the LMA after the switch)."""
        return math.ceil((self.switch - self.flow.start_ms - self.d_cn) / self.period)  # 52

    def via_mag2(self, n: int) -> float:
        return self.sent(n) + self.d_cn + self.d2 + self.mag2.access_delay_ms

    @property
    def cached_at_if2(self) -> float:
        """When MAG1's flushed cache reaches IF2 (up Tunnel1, down Tunnel2)."""
        return self.flush + self.d1 + self.d2 + self.mag2.access_delay_ms  # 1041


# -- figure1: a weak host accepts IF1's address on IF2, and the note says so ---------------

WEAK = Fig1(load_scenario("figure1"))


def test_figure1_defaults_are_a_weak_host_with_per_interface_addresses() -> None:
    assert (WEAK.mn.addressing, WEAK.mn.host) == ("per-interface", "weak")


def test_figure1_ft_if2_accepts_151_packets_for_if1s_address() -> None:
    events, metrics, _ = trace_of(WEAK.sc)
    addr = _addresses(events)
    assert addr[WEAK.if1] != addr[WEAK.if2]
    on_if2 = [e for e in data_events(events, "deliver") if e.node == WEAK.if2]
    assert len(on_if2) == WEAK.total - WEAK.n_if1 == 151
    assert {e.fields["dst"] for e in on_if2} == {addr[WEAK.if1]}
    # the first of them (a direct one: the flushed cache comes later) carries the note
    first = min(on_if2, key=lambda e: e.i)
    assert (first.t_ms, first.fields["n"]) == (WEAK.via_mag2(WEAK.n_direct), WEAK.n_direct)
    assert WEAK.via_mag2(WEAK.n_direct) < WEAK.cached_at_if2
    assert "weak host (RFC 1122 §3.3.4.2 weak end system model, Linux's default)" in \
        first.note
    assert "mn1/IF1's address" in first.note
    assert [e.i for e in on_if2 if "weak host" in e.note] == [first.i]
    # MAG2 falls back to IF2 (it serves no interface that owns the address), and says so
    sends = [e for e in data_events(events, "send") if e.node == WEAK.mag2.name]
    assert len(sends) == 151
    assert all("falls back to another interface of the MN" in e.note for e in sends)
    assert {e.fields["ref"] for e in sends} == {"RFC 5213 §6.10.5"}
    assert metrics.to_dict()["delivered"] == WEAK.total


# -- figure1-strong-host: the draft's handover without host support ---------------------------

STRONG = Fig1(load_scenario("figure1-strong-host"))


def test_strong_host_scenario_is_figure1_but_for_the_host_model() -> None:
    assert STRONG.mn.host == "strong" and STRONG.mn.addressing == "per-interface"
    assert replace(STRONG.sc.with_changes(title=WEAK.sc.title,
                                          description=WEAK.sc.description),
                   mns=WEAK.sc.mns, name=WEAK.sc.name, path=WEAK.sc.path) == WEAK.sc


@pytest.fixture(scope="module", params=MODES)
def strong(request: pytest.FixtureRequest):
    return request.param, trace_of(STRONG.sc, mode=request.param)


def test_strong_host_loses_the_rerouted_flow_as_wrong_interface(strong) -> None:
    mode, (events, metrics, _) = strong
    d = metrics.to_dict()
    delivered = data_events(events, "deliver")
    assert {e.node for e in delivered} == {STRONG.if1}
    assert sorted(e.fields["n"] for e in delivered) == list(range(STRONG.n_if1))
    assert (d["sent"], d["delivered"], d["lost"], d["queued"]) == \
        (STRONG.total, STRONG.n_if1, STRONG.total - STRONG.n_if1, 0)
    wrong = [e for e in data_events(events, "drop") if e.fields["reason"] == Reason.WRONG_INTERFACE]
    if mode == "rfc5213":  # IF1's own prefix: never re-routed to IF2, lost in the network
        assert wrong == []
        assert "wrong_interface" not in d["lost_by_reason"]
        return
    assert d["lost_by_reason"] == {"wrong_interface": STRONG.total - STRONG.n_if1}
    assert {(e.node, e.fields["ref"]) for e in wrong} == {(STRONG.if2, "RFC 1122 §3.3.4.2")}
    direct = range(STRONG.n_direct, STRONG.total)
    cached = range(STRONG.n_if1, STRONG.n_direct)  # 49, 50, 51: MAG1's cache
    assert {e.fields["n"]: e.t_ms for e in wrong} == {
        **{n: STRONG.via_mag2(n) for n in direct},
        **{n: STRONG.cached_at_if2 for n in cached}}
    first = min(wrong, key=lambda e: e.i)
    assert "strong host (RFC 1122 §3.3.4.2" in first.note and "every packet" in first.note
    assert [e for e in wrong if "every packet" in e.note] == [first]


def test_strong_host_handover_is_figure1s(strong) -> None:
    """The signalling is Figure 1's: only the MN's acceptance differs."""
    mode, (events, _, _) = strong
    weak, _, _ = trace_of(WEAK.sc, mode=mode)
    assert [(e.t_ms, e.kind, e.node, e.msg) for e in events if e.msg != "DATA"] == \
        [(e.t_ms, e.kind, e.node, e.msg) for e in weak if e.msg != "DATA"]


def test_run_output_shows_wrong_interface(capsys) -> None:
    assert main(["run", "figure1-strong-host"]) == 0
    out = capsys.readouterr().out
    assert "wrong_interface" in out and f"{STRONG.total - STRONG.n_if1}" in out


# -- figure1-shared-strong: one address on every interface, the flow survives --------------

SHARED = Fig1(scenario_file("figure1-shared-strong"))


@pytest.mark.parametrize("mode", MODES)
def test_shared_address_strong_host(mode: str) -> None:
    assert (SHARED.mn.addressing, SHARED.mn.host) == ("shared", "strong")
    events, metrics, _ = trace_of(SHARED.sc, mode=mode)
    d = metrics.to_dict()
    addr = _addresses(events)
    delivered = data_events(events, "deliver")
    assert "wrong_interface" not in d["lost_by_reason"]
    if mode == "rfc5213":  # one HNP per interface: the same identifier, two addresses
        assert addr[SHARED.if1] != addr[SHARED.if2]
        assert IPv6Address(addr[SHARED.if1]).packed[8:] == \
            IPv6Address(addr[SHARED.if2]).packed[8:]
        assert d["delivered"] == SHARED.n_if1
        return
    # the logical interface's identifier: the first interface's modified EUI-64
    iid = interface_id(SHARED.mn.interfaces[0].lli)
    assert addr[SHARED.if1] == addr[SHARED.if2]
    assert int(IPv6Address(addr[SHARED.if1])) & ((1 << 64) - 1) == iid
    assert (d["delivered"], d["lost"]) == (SHARED.total, 0)
    on_if2 = {e.fields["n"]: e.t_ms for e in delivered if e.node == SHARED.if2}
    assert on_if2 == {**{n: SHARED.via_mag2(n) for n in range(SHARED.n_direct, SHARED.total)},
                      **{n: SHARED.cached_at_if2
                         for n in range(SHARED.n_if1, SHARED.n_direct)}}
    # IF2 owns the address: no fallback, no host-model note
    assert not [e for e in events if "falls back" in e.note or "weak host" in e.note]


# -- the MAG's delivery rule: IF1 moves onto MAG2, next to IF2 -------------------------------

MOVE = scenario_file("move-onto-sibling")


@pytest.mark.parametrize("mode", MODES)
def test_packets_go_to_the_interface_that_owns_their_address(mode: str) -> None:
    mn = MOVE.mns[0]
    if1, if2 = (f"{mn.id}/{i.name}" for i in mn.interfaces)
    _, mag2 = MOVE.mags
    flow, fault = MOVE.flows[0], MOVE.faults[0].at_ms
    period = 1000.0 / flow.rate_pps
    d_cn, d2 = link_delay(MOVE, "CN", "LMA"), link_delay(MOVE, "LMA", "MAG2")
    handoff = fault + mag2.access_delay_ms + d2  # the HI=3 PBU at the LMA: 1006
    n_first = math.ceil((handoff - flow.start_ms - d_cn) / period)  # 50, at the LMA at 1010
    at_mag2 = flow.start_ms + n_first * period + d_cn + d2
    assert at_mag2 >= handoff + d2  # MAG2 holds IF1's binding (the PBA) by then
    total = int((flow.stop_ms - flow.start_ms) / period)
    events, _, _ = trace_of(MOVE, mode=mode)
    after = {e.fields["n"]: (e.node, e.t_ms) for e in data_events(events, "deliver")
             if e.fields["n"] >= n_first}
    assert after == {n: (if1, flow.start_ms + n * period + d_cn + d2 + mag2.access_delay_ms)
                     for n in range(n_first, total)}
    sends = [e for e in data_events(events, "send") if e.node == mag2.name]
    assert {e.peer for e in sends} == {if1}
    if mode == "ft":  # IF1 and IF2 share the HNP on MAG2: the owner rule chose IF1
        assert {e.fields["ref"] for e in sends} == {OWNER_REF}
        assert all("the interface that owns its destination address" in e.note for e in sends)
    else:  # each interface has its own HNP: nothing to choose
        assert {e.fields["ref"] for e in sends} == {"RFC 5213 §6.10.5"}
    assert not [e for e in data_events(events, "deliver") if e.node == if2]


# -- uplink: the source address after the failover ---------------------------------------

UP = scenario_file("uplink-switch")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("addressing", ["per-interface", "shared"])
def test_uplink_source_address_after_the_failover(mode: str, addressing: str) -> None:
    mn = replace(UP.mns[0], addressing=addressing)
    sc = UP.with_changes(mns=(mn,))
    if1, if2 = (f"{mn.id}/{i.name}" for i in mn.interfaces)
    flow, fault = sc.flows[0], sc.faults[0].at_ms
    _, mag2 = sc.mags
    period = 1000.0 / flow.rate_pps
    d2, d_cn = link_delay(sc, "LMA", "MAG2"), link_delay(sc, "CN", "LMA")
    n_first = math.ceil((fault - flow.start_ms) / period)  # 50: the first tick after the break
    t_first = flow.start_ms + n_first * period  # 1005
    events, metrics, _ = trace_of(sc, mode=mode)
    addr = _addresses(events)
    sends = {e.fields["n"]: e for e in data_events(events, "send") if e.node in (if1, if2)}
    assert {n for n, e in sends.items() if e.node == if1} == set(range(n_first))
    first = sends[n_first]
    assert (first.node, first.t_ms, first.fields["src"]) == (if2, t_first, addr[if2])
    at_cn = {e.fields["n"]: e for e in data_events(events, "deliver") if e.node == "CN"}
    assert at_cn[n_first].t_ms == t_first + mag2.access_delay_ms + d2 + d_cn
    assert at_cn[n_first].fields["src"] == addr[if2]
    assert at_cn[0].fields["src"] == addr[if1]
    notes = [e for e in sends.values() if "taking over from mn1/IF1" in e.note]
    assert notes == [first]
    same = mode == "ft" and addressing == "shared"  # one HNP and one identifier
    assert (addr[if1] == addr[if2]) is same
    if same:
        assert f"its source address stays {addr[if2]}" in first.note
    else:
        assert f"changes from {addr[if1]} to {addr[if2]}" in first.note
    assert metrics.to_dict()["lost"] == 0


# -- the property ----------------------------------------------------------------------------

BASE = load_scenario("figure1")
MN_ID = BASE.mns[0].id
UPLINK = replace(BASE.flows[0], src=MN_ID, dst="CN", rate_pps=50.0, start_ms=300.0,
                 stop_ms=2700.0, size_bytes=200)
SETTINGS = settings(max_examples=int(os.environ.get("PMIPVIZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _faults():
    one = st.builds(
        lambda t, action, itf, mag: Fault(float(t), action, f"{MN_ID}/{itf}",
                                          mag if action == "move" else None),
        st.integers(0, 2800), st.sampled_from(["break", "restore", "move"]),
        st.sampled_from(["IF1", "IF2"]), st.sampled_from(["MAG1", "MAG2"]))
    return st.lists(one, max_size=8)


@SETTINGS
@given(_faults(), st.sampled_from(MODES), st.sampled_from(["per-interface", "shared"]),
       st.booleans())
def test_a_strong_host_never_accepts_another_interfaces_address(schedule, mode, addressing,
                                                                uplink) -> None:
    mn = replace(BASE.mns[0], host="strong", addressing=addressing)
    sc = BASE.with_changes(mns=(mn,), faults=tuple(sorted(schedule, key=lambda f: f.at_ms)),
                           flows=(*BASE.flows, UPLINK) if uplink else BASE.flows)
    events, metrics, _ = trace_of(sc, mode=mode)
    address: dict[str, str | None] = {}  # the interface's address at each event
    wrong = 0
    for e in events:
        if e.kind == "state" and e.fields["table"] == "iface" and e.fields["after"]:
            address[e.node] = e.fields["after"]["address"]
        elif e.msg == "DATA" and e.node in address:  # at an MN interface
            if e.kind == "deliver":
                assert e.fields["dst"] == address[e.node], e
            elif e.kind == "drop" and e.fields["reason"] == Reason.WRONG_INTERFACE:
                assert e.fields["dst"] != address[e.node], e
                wrong += 1
    d = metrics.to_dict()
    assert d["lost_by_reason"].get("wrong_interface", 0) == wrong
    assert d["sent"] == d["delivered"] + d["lost"] + d["queued"]


# -- the lesson: the narration panel and the quiz know the new loss ------------------------


def test_lesson_explains_wrong_interface() -> None:
    events, _, _ = trace_of(STRONG.sc)
    drop = next(e for e in data_events(events, "drop") if e.fields["reason"] == "wrong_interface")
    n = narrate(drop, "ft")
    assert "The MN is a strong host" in n.sentence and n.reference == "RFC 1122 §3.3.4.2"
    asked = [q for q in questions(events, STRONG.sc, "ft") if q.at == drop.i]
    assert len(asked) == 1
    assert "strong host (RFC 1122 §3.3.4.2)" in asked[0].choices[asked[0].answer]
