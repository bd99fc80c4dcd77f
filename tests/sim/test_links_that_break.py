"""Issue 10 item 4: links that break with packets on them, and the MN's own detection.

A DATA packet is on an access link from its send (t_s) to its arrival (t_a); a break,
or a move that takes the interface off that link, at t_b with t_s <= t_b <= t_a loses
it (``link_down``, at the receiving end, note "was on the access link"), in both
directions and both modes. Four scenarios written for it (tests/sim/scenarios/), every
expected time the sum of the scenario's delays:
- uplink-break: an uplink packet sent 5 ms before IF1 breaks on its 10 ms link;
- uplink-detection: the same with the MN noticing the failure 30 ms late;
- downlink-break: a downlink packet on IF1's 10 ms link at the break (and the edges);
- move-on-link: a move with a packet of each direction on the old link.
"""

from __future__ import annotations

import pytest

from pmipviz.lesson.narration import narrate
from pmipviz.scenario.model import Fault
from pmipviz.sim.trace import TraceEvent
from tests.sim.traces import data_events, link_delay, scenario_file, trace_of

MODES = ("ft", "rfc5213")
MN = "mn1@example.org"
IF1, IF2 = f"{MN}/IF1", f"{MN}/IF2"


def _cut(events: list[TraceEvent]) -> list[tuple[int, int, float, str, str | None]]:
    """The packets lost on an access link that broke: (flow, n, time, node, peer)."""
    return [(e.fields["flow"], e.fields["n"], e.t_ms, e.node, e.peer)
            for e in data_events(events, "drop") if "was on the access link" in e.note]


# -- uplink: a send 5 ms before the break on a 10 ms link ----------------------------

UP = scenario_file("uplink-break")
U_FLOW, U_FAULT = UP.flows[0], UP.faults[0].at_ms
U_ACCESS = {m.name: m.access_delay_ms for m in UP.mags}
U_IVL = 1000.0 / U_FLOW.rate_pps


def _sent(n: int) -> float:
    return U_FLOW.start_ms + n * U_IVL


@pytest.mark.parametrize("mode", MODES)
def test_an_uplink_packet_on_the_link_when_it_breaks_is_lost(mode: str) -> None:
    events, metrics, _ = trace_of(UP, mode=mode)
    # n=25, sent at 1000 on IF1's 10 ms link, is due at MAG1 at 1010; IF1 breaks at 1005
    n = int((U_FAULT - U_FLOW.start_ms) // U_IVL)
    assert _sent(n) < U_FAULT < _sent(n) + U_ACCESS["MAG1"]
    assert _cut(events) == [(0, n, _sent(n) + U_ACCESS["MAG1"], "MAG1", IF1)]
    (drop,) = data_events(events, "drop")
    assert drop.fields["reason"] == "link_down" and drop.fields["ref"] == "draft §1"
    assert f"broke at {U_FAULT:g} ms" in drop.note and "draft §1" in drop.note
    assert narrate(drop, mode).reference == "draft §1"
    # no recv at MAG1 for it, nothing reverse-tunnelled
    assert not [e for e in events if e.fields.get("n") == n and e.msg == "DATA"
                and e.kind == "recv"]
    # the MN notices at once (detection_ms = 0, said in the note): n+1 goes out of IF2
    (down,) = [e for e in events if e.kind == "state" and e.fields["table"] == "iface"
               and e.fields["cause"] == "break"]
    assert "the MN notices at once (detection_ms = 0)" in down.note
    first = data_events(events, "send", n=n + 1, hop=0)
    assert [(e.t_ms, e.node, e.peer) for e in first] == [(_sent(n + 1), IF2, "MAG2")]
    got = [e for e in data_events(events, "deliver") if e.fields["n"] == n + 1]
    path = U_ACCESS["MAG2"] + link_delay(UP, "LMA", "MAG2") + link_delay(UP, "LMA", "CN")
    assert [e.t_ms for e in got] == [_sent(n + 1) + path]
    d = metrics.to_dict()
    total = int((U_FLOW.stop_ms - U_FLOW.start_ms) / U_IVL)
    assert (d["sent"], d["delivered"], d["lost"], d["queued"]) == (total, total - 1, 1, 0)
    assert d["lost_by_reason"] == {"link_down": 1}


# -- the MN's own detection: detection_ms = 30 -------------------------------------------

DET = scenario_file("uplink-detection")
D_MS = DET.mns[0].detection_ms


@pytest.mark.parametrize("mode", MODES)
def test_until_the_mn_notices_its_uplink_goes_out_of_the_broken_interface(mode: str) -> None:
    assert D_MS == 30 and DET.faults == UP.faults and DET.flows == UP.flows
    events, metrics, _ = trace_of(DET, mode=mode)
    n = int((U_FAULT - U_FLOW.start_ms) // U_IVL)  # on the link at the break, as above
    noticed = U_FAULT + D_MS  # 1035
    blind = [k for k in range(n + 1, n + 10) if U_FAULT < _sent(k) < noticed]  # n=26
    assert blind == [n + 1]
    drops = [(e.fields["n"], e.t_ms, e.node, e.peer, e.fields["reason"])
             for e in data_events(events, "drop")]
    assert drops == [(n, _sent(n) + U_ACCESS["MAG1"], "MAG1", IF1, "link_down"),
                     *[(k, _sent(k), IF1, None, "link_down") for k in blind]]
    lost = [e for e in data_events(events, "drop") if e.fields["n"] in blind]
    assert all("has not noticed yet" in e.note and f"detection_ms = {D_MS:g}" in e.note
               for e in lost)
    (down,) = [e for e in events if e.kind == "state" and e.fields["table"] == "iface"
               and e.fields["cause"] == "break"]
    assert f"notices only after detection_ms = {D_MS:g} ms" in down.note
    (notice,) = [e for e in events if e.kind == "state" and e.fields["cause"] == "mn_detect"]
    assert (notice.t_ms, notice.node) == (noticed, IF1) and "notices" in notice.note
    after = blind[-1] + 1  # the first send after the MN noticed goes out of IF2
    first = data_events(events, "send", n=after, hop=0)
    assert [(e.t_ms, e.node) for e in first] == [(_sent(after), IF2)]
    d = metrics.to_dict()
    assert d["lost_by_reason"] == {"link_down": 1 + len(blind)} and d["queued"] == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_restore_before_the_mn_notices_ends_the_blind_time(mode: str) -> None:
    """IF1 restored at 1015, before the MN would notice (1035): n=26 at 1020 goes out of
    IF1 again (no mn_detect event), and is not lost as unnoticed."""
    sc = DET.with_changes(faults=(*DET.faults, Fault(U_FAULT + 10, "restore", IF1)))
    events, _, _ = trace_of(sc, mode=mode)
    assert not [e for e in events if e.kind == "state" and e.fields.get("cause") == "mn_detect"]
    assert not [e for e in data_events(events, "drop") if "has not noticed" in e.note]


# -- downlink: a packet on IF1's link at the break -------------------------------------

DOWN = scenario_file("downlink-break")
W_FLOW, W_FAULT = DOWN.flows[0], DOWN.faults[0].at_ms
W_ACCESS = DOWN.mags[0].access_delay_ms
W_IVL = 1000.0 / W_FLOW.rate_pps


def _at_mag1(n: int) -> float:
    return (W_FLOW.start_ms + n * W_IVL + link_delay(DOWN, "CN", "LMA")
            + link_delay(DOWN, "LMA", "MAG1"))


@pytest.mark.parametrize("mode", MODES)
def test_a_downlink_packet_on_the_link_when_it_breaks_is_lost(mode: str) -> None:
    events, metrics, _ = trace_of(DOWN, mode=mode)
    # n=50 reaches MAG1 at 480 + 500 + 15 = 995 and is on the link until 1005
    n = next(k for k in range(200) if _at_mag1(k) <= W_FAULT < _at_mag1(k) + W_ACCESS)
    assert (n, _at_mag1(n)) == (50, 995.0)
    assert _cut(events) == [(0, n, _at_mag1(n) + W_ACCESS, IF1, "MAG1")]
    # the one before it arrived (985 + 10 = 995 < 1000): delivered on IF1
    (prev,) = [e for e in data_events(events, "deliver") if e.fields["n"] == n - 1]
    assert (prev.t_ms, prev.node) == (_at_mag1(n - 1) + W_ACCESS, IF1)
    d = metrics.to_dict()
    if mode == "ft":  # the draft's scheme delivers the rest (cached, flushed via MAG2)
        assert (d["lost"], d["lost_by_reason"]) == (1, {"link_down": 1})
        assert d["delivered"] == d["sent"] - 1 and d["queued"] == 0
        # nothing comes back to MAG1 from the link: its cache holds only what it had
        cached = [e.fields["n"] for e in events if e.kind == "buffer"
                  and e.fields["op"] == "in"]
        assert n not in cached and cached and min(cached) == n + 1
    else:  # MAG1 drops IF1's packets itself after the break; one was lost on the link
        assert [e.node for e in data_events(events, "drop") if e.fields["n"] == n] == [IF1]
        assert d["queued"] == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("edge", "lost_on_link"), [
    ("arrives at the break", True),  # t_a == t_b: on the link, lost
    ("reaches MAG1 at the break", False),  # t_s would be t_b: MAG1 never sends it down
])
def test_the_edges_of_on_the_link(mode: str, edge: str, lost_on_link: bool) -> None:
    """A scenario's fault at a time comes before any other event at that time: a packet
    due at the MN at the very instant of the break is lost with the link, and one that
    reaches MAG1 at that instant is not sent down a link MAG1 knows is down."""
    n = 50
    at = _at_mag1(n) + W_ACCESS if lost_on_link else _at_mag1(n)
    sc = DOWN.with_changes(faults=(Fault(at, "break", IF1),))
    events, _, _ = trace_of(sc, mode=mode)
    cut = _cut(events)
    if lost_on_link:
        assert cut == [(0, n, at, IF1, "MAG1")]
    else:  # n-1 is due at the MN at that instant (10 ms apart, 10 ms link): lost
        assert _at_mag1(n - 1) + W_ACCESS == at and cut == [(0, n - 1, at, IF1, "MAG1")]
        assert not [e for e in data_events(events, "send") if e.fields["n"] == n
                    and e.peer == IF1]


# -- a move with packets on the old link -----------------------------------------------

MOVE = scenario_file("move-on-link")
M_FAULT = MOVE.faults[0].at_ms
M_ACCESS = MOVE.mags[0].access_delay_ms


@pytest.mark.parametrize("mode", MODES)
def test_a_move_loses_what_is_on_the_old_link(mode: str) -> None:
    events, metrics, _ = trace_of(MOVE, mode=mode)
    down, up = MOVE.flows
    d_cn, d_1 = link_delay(MOVE, "CN", "LMA"), link_delay(MOVE, "LMA", "MAG1")
    # downlink n=25: sent 980, at MAG1 995, on the link until 1005; uplink n=25: sent
    # 995 on IF1's link, due at MAG1 1005; IF1 moves to MAG2 at 1000
    n_down = next(k for k in range(100) if down.start_ms + k * 20 + d_cn + d_1 <= M_FAULT
                  < down.start_ms + k * 20 + d_cn + d_1 + M_ACCESS)
    n_up = next(k for k in range(100) if up.start_ms + k * 20 <= M_FAULT
                < up.start_ms + k * 20 + M_ACCESS)
    t_down = down.start_ms + n_down * 20 + d_cn + d_1 + M_ACCESS
    t_up = up.start_ms + n_up * 20 + M_ACCESS
    assert sorted(_cut(events)) == sorted([(0, n_down, t_down, IF1, "MAG1"),
                                           (1, n_up, t_up, "MAG1", IF1)])
    lost = [e for e in data_events(events, "drop") if "was on the access link" in e.note]
    assert all("moved to another MAG at 1000 ms" in e.note for e in lost)
    d = metrics.to_dict()
    assert (d["lost"], d["lost_by_reason"], d["queued"]) == (2, {"link_down": 2}, 0)
