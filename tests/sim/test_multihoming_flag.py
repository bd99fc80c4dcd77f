"""Issue 10 item 2: the draft's M flag means something (§3.1), a single-homed MN's
de-registration follows RFC 5213 §5.3.5 in ft mode as well, and a MAG serving two
interfaces of one MN delivers locally.

Three scenarios written for it (tests/sim/scenarios/), every expected time the sum of
the scenario's delays, in both modes:
- single-homed: one interface on MAG1, broken at 1000 ms;
- move-onto-sibling: figure1's MN, IF1 moved at 1000 ms onto MAG2, where IF2 is;
- same-mag: IF1 and IF2 both on MAG1 (access delay 8 ms), IF1 broken at 1000 ms.
"""

from __future__ import annotations

from typing import Any

import pytest

from pmipviz.protocol.constants import MIN_DELAY_BEFORE_BCE_DELETE_MS
from pmipviz.sim.trace import TraceEvent
from tests.sim.traces import (
    bce_events,
    data_events,
    link_delay,
    scenario_file,
    trace_of,
)

MODES = ("ft", "rfc5213")


# -- a single-homed MN: RFC 5213 §5.3.5 in both modes --------------------------------------

SINGLE = scenario_file("single-homed")
S_MAG = SINGLE.mags[0]
S_FAULT = SINGLE.faults[0].at_ms
S_FLOW = SINGLE.flows[0]
S_D1 = link_delay(SINGLE, "LMA", "MAG1")
S_DCN = link_delay(SINGLE, "CN", "LMA")
S_DEREG = S_FAULT + S_MAG.detection_ms + S_D1  # the DeReg PBU reaches the LMA: 1025
S_PBA = S_DEREG + S_D1  # its PBA reaches MAG1: 1030


def _at_mag(n: int) -> float:
    """When packet ``n`` of the flow reaches MAG1 (CN -> LMA -> MAG1)."""
    return S_FLOW.start_ms + n * 1000.0 / S_FLOW.rate_pps + S_DCN + S_D1


@pytest.fixture(scope="module", params=MODES)
def single(request: pytest.FixtureRequest) -> tuple[str, list[TraceEvent]]:
    events, _, _ = trace_of(SINGLE, mode=request.param)
    return request.param, events


def test_single_homed_dereg_is_held_then_deleted(single) -> None:
    mode, events = single
    key = "mn3@example.org#1"
    dereg = [e for e in bce_events(events, key=key) if e.fields["after"]
             and e.fields["after"]["state"] == "dereg-hold"]
    assert [e.t_ms for e in dereg] == [S_DEREG]
    f = dereg[0].fields
    assert f["ref"] == "RFC 5213 §5.3.5"
    if mode == "ft":  # M=0: not the draft's keep-with-S=0 (cause "dereg", state "kept")
        assert f["cause"] == "dereg_hold"
        assert (f["after"]["m"], f["after"]["s"]) == (0, 0)
        assert "M=0" in dereg[0].note and "§5.3.5" in dereg[0].note
    else:
        assert f["cause"] == "dereg"
    assert not [e for e in bce_events(events) if e.fields["after"]
                and e.fields["after"]["state"] == "kept"]
    deleted = bce_events(events, key=key, cause="delete")
    assert [e.t_ms for e in deleted] == [S_DEREG + MIN_DELAY_BEFORE_BCE_DELETE_MS]  # 11025


def test_single_homed_losses_are_named_by_hand(single) -> None:
    mode, events = single
    n_total = int((S_FLOW.stop_ms - S_FLOW.start_ms) * S_FLOW.rate_pps / 1000)  # 100
    # n reaches MAG1 at 515 + 10 n, IF1 1 ms later: n <= 48 arrives before the break
    last_ok = max(n for n in range(n_total) if _at_mag(n) + S_MAG.access_delay_ms <= S_FAULT)
    assert last_ok == 48
    assert sorted(e.fields["n"] for e in data_events(events, "deliver")) == list(range(last_ok + 1))
    drops = {e.fields["n"]: (e.t_ms, e.node, e.fields["reason"])
             for e in data_events(events, "drop")}
    assert sorted(drops) == list(range(last_ok + 1, n_total))
    # the packets that reach MAG1 after the break and before the PBA: 49, 50, 51
    at_mag = [n for n in range(n_total) if S_FAULT < _at_mag(n) <= S_PBA]
    assert at_mag == [49, 50, 51]
    for n in at_mag:
        if mode == "ft":  # cached (step 2), flushed at the PBA, dropped by the held entry
            assert drops[n] == (S_PBA + S_D1, "LMA", "dereg_hold")  # 1035, not no_binding
        else:
            assert drops[n] == (_at_mag(n), "MAG1", "link_down")
    for n in range(at_mag[-1] + 1, n_total):  # reach the LMA while the entry is held
        assert drops[n] == (_at_mag(n) - S_D1, "LMA", "dereg_hold")


# -- M flips when an interface moves onto its sibling's MAG ----------------------------

MOVE = scenario_file("move-onto-sibling")
M_MN = MOVE.mns[0]
M_FAULT = MOVE.faults[0].at_ms
M_D2 = link_delay(MOVE, "LMA", "MAG2")
M_MAG1, M_MAG2 = MOVE.mags


@pytest.fixture(scope="module", params=MODES)
def move(request: pytest.FixtureRequest) -> tuple[str, list[TraceEvent]]:
    events, _, _ = trace_of(MOVE, mode=request.param)
    return request.param, events


def test_m_flips_to_1_then_to_0_when_if1_joins_if2_on_mag2(move) -> None:
    mode, events = move
    flips = [(e.t_ms, e.fields["key"], e.fields["before"]["m"], e.fields["after"]["m"])
             for e in bce_events(events, cause="multihoming")]
    if mode == "rfc5213":  # no M flag in RFC 5213
        assert flips == []
        assert {e.fields["after"]["m"] for e in bce_events(events) if e.fields["after"]} == {None}
        return
    if2_pbu = M_MN.interfaces[1].attach_ms + M_MAG2.access_delay_ms + M_D2  # 106
    handoff = M_FAULT + M_MAG2.access_delay_ms + M_D2  # the HI=3 PBU at the LMA: 1006
    assert flips == [(if2_pbu, "mn1@example.org#1", 0, 1),
                     (handoff, "mn1@example.org#1", 1, 0),
                     (handoff, "mn1@example.org#2", 1, 0)]
    at_handoff = [e for e in bce_events(events) if e.t_ms == handoff]
    assert [e.fields["cause"] for e in at_handoff] == ["handoff", "multihoming", "multihoming"]
    for e in at_handoff[1:]:
        assert e.fields["ref"] == "draft §3.1"
        assert e.fields["after"]["mag"] == "MAG2"
        assert "M=0" in e.note
    # every entry of the MN carries the same M after every bce event
    entries: dict[str, dict[str, Any]] = {}
    for e in bce_events(events):
        if e.fields["after"] is None:
            entries.pop(e.fields["key"], None)
        else:
            entries[e.fields["key"]] = e.fields["after"]
        mags = {row["proxy_coa"] for row in entries.values()}
        if e.fields["cause"] != "multihoming" and e.fields["cause"] != "handoff":
            assert {row["m"] for row in entries.values()} <= {1 if len(mags) > 1 else 0}


# -- two interfaces on one MAG ---------------------------------------------------------------

SAME = scenario_file("same-mag")
Q_MAG = SAME.mags[0]
Q_FAULT = SAME.faults[0].at_ms
Q_FLOW = SAME.flows[0]
Q_D1 = link_delay(SAME, "LMA", "MAG1")
Q_DCN = link_delay(SAME, "CN", "LMA")
Q_DEREG = Q_FAULT + Q_MAG.detection_ms + Q_D1  # 1025


@pytest.fixture(scope="module", params=MODES)
def same(request: pytest.FixtureRequest) -> tuple[str, list[TraceEvent]]:
    events, _, _ = trace_of(SAME, mode=request.param)
    return request.param, events


def test_two_interfaces_on_one_mag(same) -> None:
    mode, events = same
    mn = SAME.mns[0].id
    n_total = int((Q_FLOW.stop_ms - Q_FLOW.start_ms) * Q_FLOW.rate_pps / 1000)  # 200
    # n=48 reaches MAG1 at 500 + 480 + 10 + 5 = 995 and is on IF1's link (8 ms) at the break
    n_link = 48
    at_mag = Q_FLOW.start_ms + n_link * 1000.0 / Q_FLOW.rate_pps + Q_DCN + Q_D1
    assert at_mag < Q_FAULT < at_mag + Q_MAG.access_delay_ms
    due = at_mag + Q_MAG.access_delay_ms  # 1003: it was on the link when IF1 broke
    dereg = [e for e in bce_events(events, key=f"{mn}#1") if e.fields["after"]
             and e.fields["after"]["state"] == "dereg-hold"]
    assert [e.t_ms for e in dereg] == [Q_DEREG]
    assert bce_events(events, cause="multihoming") == []  # both entries from MAG1: M stays 0
    # issue 10 item 4: n=48 is lost with IF1's link, in both modes (it no longer comes
    # back to MAG1)
    lost = {e.fields["n"]: (e.t_ms, e.node, e.fields["reason"])
            for e in data_events(events, "drop")}
    assert lost[n_link] == (due, f"{mn}/IF1", "link_down")
    if mode == "rfc5213":  # IF1's own prefix: its packets are lost
        assert dereg[0].fields["cause"] == "dereg"
        assert len(data_events(events, "deliver")) == n_link
        return
    assert dereg[0].fields["cause"] == "dereg_hold"
    assert {e.fields["after"]["m"] for e in bce_events(events) if e.fields["after"]} == {0}
    # MAG1 sends the next packets, from its tunnel, to IF2 at once (no cache, no hairpin
    # through the LMA): n=49 reaches MAG1 10 ms after n=48
    nxt = at_mag + 1000.0 / Q_FLOW.rate_pps
    local = [e for e in data_events(events, "send") if e.fields["n"] == n_link + 1
             and e.node == "MAG1"]
    assert [(e.t_ms, e.peer) for e in local] == [(nxt, f"{mn}/IF2")]
    delivered = [e for e in data_events(events, "deliver") if e.fields["n"] == n_link + 1]
    assert [(e.t_ms, e.node) for e in delivered] == [(nxt + Q_MAG.access_delay_ms,
                                                      f"{mn}/IF2")]
    assert not [e for e in events if e.kind == "buffer"]
    # and MAG1's notes say so: no "caches them" when a sibling takes the packets
    mag_notes = [e.note for e in events if e.kind == "state" and e.node == "MAG1"
                 and e.fields["table"] == "bul" and e.fields["cause"] in ("link_down", "detect")]
    assert len(mag_notes) == 2
    assert "instead of caching them" in mag_notes[0] and "nothing to cache" in mag_notes[1]
    assert all("caches them" not in n and "keeps caching" not in n and "mn1/IF2" in n
               for n in mag_notes)
    assert list(lost) == [n_link]
    assert len(data_events(events, "deliver")) == n_total - 1
    # the LMA moves the MN's traffic to IF2's entry (same MAG), then deletes IF1's
    routes = [e for e in events if e.kind == "state" and e.fields["table"] == "route"
              and e.t_ms == Q_DEREG]
    assert [r.fields["after"]["entry"] for r in routes] == [f"{mn}#2"]
    assert "to its other entry via MAG1" in routes[0].note
    assert [e.t_ms for e in bce_events(events, key=f"{mn}#1", cause="delete")] == \
        [Q_DEREG + MIN_DELAY_BEFORE_BCE_DELETE_MS]
