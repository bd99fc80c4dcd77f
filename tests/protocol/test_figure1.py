"""Figure 1 of draft-jiang-netext-ft-pmip-00 (§3.2) at the level of the protocol
machines: two MAGs and one LMA pumped by plain function calls, no simulator.

An MN has IF1 on MAG1 and IF2 on MAG2; IF1 fails. Each test walks the draft's steps
one hop at a time and checks the actions and the Binding Cache after each step; the
last test is the RFC 5213 contrast (no shared prefix, the entry held then deleted,
the packets dropped)."""

from __future__ import annotations

from ipaddress import IPv6Network

from pmipviz.protocol.actions import (
    Cache,
    Drop,
    Forward,
    SendPba,
    SendPbu,
    SendRa,
    StartTimer,
    StateChange,
    Uncache,
)
from pmipviz.protocol.binding_cache import Bce
from pmipviz.protocol.constants import HandoffIndicator
from pmipviz.protocol.messages import DataPacket, Pbu
from pmipviz.protocol.timers import DeleteTimer, DetectTimer
from tests.protocol.pump import (
    CN,
    LMA,
    MAG_ADDRESS,
    Pump,
    Step,
    of_type,
    only,
    shape,
    two_mags_one_lma,
)

MN = "mn1@example.org"
IF1, IF2 = f"{MN}/IF1", f"{MN}/IF2"
LLI1, LLI2 = bytes.fromhex("020000000101"), bytes.fromhex("020000000102")
ATT = 4


def attach(pump: Pump, mag: str, key: str, lli: bytes, now: float) -> list[Step]:
    """The interface's RS reached ``mag``: the PBU / PBA exchange, until quiet."""
    return pump.pump(mag, pump.mags[mag].attach(key, MN, lli, ATT, now,
                                                HandoffIndicator.NEW_INTERFACE), now)


def registered(mode: str) -> tuple[Pump, list[Step], list[Step]]:
    """IF1 registered through MAG1 at 0 ms, IF2 through MAG2 at 100 ms."""
    pump = two_mags_one_lma(mode)
    first = attach(pump, "MAG1", IF1, LLI1, 0.0)
    second = attach(pump, "MAG2", IF2, LLI2, 100.0)
    return pump, first, second


def entry(pump: Pump, mag: str) -> Bce:
    """The MN's Binding Cache entry through ``mag`` (exactly one)."""
    found = [b for b in pump.lma.cache.entries.values() if b.mn_id == MN and b.mag == mag]
    assert len(found) == 1, found
    return found[0]


def packet(n: int, hnp: IPv6Network) -> DataPacket:
    return DataPacket(n, 0, n, CN, hnp.network_address + 5, 100, 0.0)


def from_cn(pump: Pump, n: int, hnp: IPv6Network, now: float) -> list[Step]:
    """The CN's packet ``n`` reaches the LMA and goes as far as it can."""
    return pump.pump(LMA, pump.lma_data(packet(n, hnp)), now)


def exchange(mag: str, lma_changes: int) -> list[tuple[str, str]]:
    """The action types of an attach that registers: the MAG's BUL entry, PBU and
    retransmission timer; the LMA's ``lma_changes`` state changes, PBA and lifetime
    timer; the MAG's registered entry, RA and re-registration timer."""
    return [(mag, "StateChange"), (mag, "SendPbu"), (mag, "StartTimer"),
            *[(LMA, "StateChange")] * lma_changes,
            (LMA, "SendPba"), (LMA, "StartTimer"),
            (mag, "StateChange"), (mag, "SendRa"), (mag, "StartTimer")]


# -- before the failure ----------------------------------------------------------------

def test_both_interfaces_register_with_the_shared_hnp_and_m1_on_both_entries() -> None:
    pump, first, second = registered("ft")
    # LMA: tunnel, entry and route for IF1; M=1 on IF1's entry, tunnel and entry for IF2
    assert shape(first) == exchange("MAG1", 3) and shape(second) == exchange("MAG2", 3)
    assert [a.table for _, a in of_type(first, StateChange) if _ == LMA] == [
        "tunnel", "bce", "route"]
    assert [a.table for _, a in of_type(second, StateChange) if _ == LMA] == [
        "bce", "tunnel", "bce"]
    for steps in (first, second):
        pbu = only(steps, SendPbu)
        assert pbu.pbu.hi == HandoffIndicator.NEW_INTERFACE and pbu.pbu.lifetime_s == 40
        assert not pbu.pbu.nonzero_hnps  # ALL_ZERO: the LMA assigns the prefix
    hnp = pump.lma.shared_hnp[MN]
    pba1, pba2 = only(first, SendPba), only(second, SendPba)
    assert (pba1.dst, pba2.dst) == (MAG_ADDRESS["MAG1"], MAG_ADDRESS["MAG2"])
    for pba in (pba1.pba, pba2.pba):
        assert pba.status == 0 and pba.lifetime_s == 40 and pba.nonzero_hnps == (hnp,)
    # the second registration sets M=1 on IF1's entry: the same MN-ID from two MAGs
    m_flag = [a for _, a in of_type(second, StateChange) if a.table == "bce" and
              a.cause == "multihoming"]
    assert len(m_flag) == 1 and m_flag[0].before is not None and m_flag[0].after is not None
    assert (m_flag[0].before["m"], m_flag[0].after["m"], m_flag[0].after["mag"]) == (0, 1, "MAG1")
    e1, e2 = entry(pump, "MAG1"), entry(pump, "MAG2")
    assert e1.hnps == e2.hnps == (hnp,)
    assert (e1.m, e1.s, e1.state) == (1, 1, "active")
    assert (e2.m, e2.s, e2.state) == (1, 1, "active")
    assert (e1.tunnel, e2.tunnel) == ("Tunnel1", "Tunnel2")
    assert pump.lma.active[MN] == e1.key  # the first entry carries the traffic
    assert pump.mags["MAG1"].bul[IF1].state == pump.mags["MAG2"].bul[IF2].state == "registered"
    ras = [a for _, a in of_type(first + second, SendRa)]
    assert [(ra.interface, ra.ra.hnps) for ra in ras] == [(IF1, (hnp,)), (IF2, (hnp,))]


# -- Figure 1, steps 1-8 ----------------------------------------------------------------

def test_figure1_if1_fails_and_its_traffic_moves_to_if2_with_the_cache_flushed() -> None:
    pump, _, _ = registered("ft")
    hnp = pump.lma.shared_hnp[MN]
    e1, e2 = entry(pump, "MAG1"), entry(pump, "MAG2")
    mag1 = pump.mags["MAG1"]

    # (1) the CN's packets go to IF1 through Tunnel1 and MAG1
    steps = from_cn(pump, 1, hnp, 200.0)
    assert shape(steps) == [(LMA, "Forward"), ("MAG1", "Forward")]
    assert [(n, a.to) for n, a in of_type(steps, Forward)] == [(LMA, "MAG1"), ("MAG1", IF1)]
    assert [(k, p.n) for k, p in pump.delivered] == [(IF1, 1)]

    # IF1 breaks: MAG1 notes the link is down and will declare it after detection_ms
    pump.down.add(IF1)
    steps = pump.pump("MAG1", mag1.link_down(IF1, 300.0), 300.0)
    assert shape(steps) == [("MAG1", "StateChange"), ("MAG1", "StartTimer")]
    down = only(steps, StateChange)
    assert down.table == "bul" and down.cause == "link_down"
    assert down.after is not None and down.after["link_up"] is False
    timer = only(steps, StartTimer)
    assert timer.timer == DetectTimer(IF1) and timer.delay_ms == mag1.config.detection_ms == 20.0

    # (2) MAG1 cannot deliver the CN's next packet to IF1 and caches it
    steps = from_cn(pump, 2, hnp, 305.0)
    assert shape(steps) == [(LMA, "Forward"), ("MAG1", "Cache")]
    cached = only(steps, Cache)
    assert cached.packet.n == 2
    assert (cached.occupancy, cached.capacity) == (1, 64)
    assert [c.packet.n for c in mag1.cache] == [2]
    assert [p.n for _, p in pump.delivered] == [1]
    assert (e1.s, e1.state, e2.s) == (1, "active", 1)  # the LMA knows nothing yet

    # (3) MAG1 declares IF1 unreachable and sends the DeReg PBU: lifetime 0, HI=4
    dereg = pump.fire("MAG1", DetectTimer)
    assert shape(dereg) == [("MAG1", "StateChange"), ("MAG1", "SendPbu"), ("MAG1", "StartTimer")]
    detect = only(dereg, StateChange)
    assert detect.cause == "detect"
    assert detect.after is not None and detect.after["state"] == "deregistering"
    sent = only(dereg, SendPbu)
    pbu: Pbu = sent.pbu
    assert pbu.is_dereg and pbu.lifetime_s == 0 and pbu.hi == HandoffIndicator.UNKNOWN == 4
    assert pbu.mn_id == MN and pbu.mn_lli == LLI1 and pbu.nonzero_hnps == (hnp,)
    assert pbu.p and pbu.a
    assert [c.packet.n for c in mag1.cache] == [2]  # still cached until the PBA
    assert (e1.s, e1.state) == (1, "active")  # the PBU is not delivered yet

    # (4) the LMA sets S=0 on IF1's entry, keeps it, and re-routes to IF2's entry (S=1)
    answer = pump.deliver(dereg, 320.0)
    assert shape(answer) == [(LMA, "StateChange"), (LMA, "StateChange"), (LMA, "SendPba")]
    bce_change, route_change = (a for _, a in of_type(answer, StateChange))
    assert (bce_change.table, bce_change.key, bce_change.cause) == ("bce", e1.key, "dereg")
    assert bce_change.before is not None and bce_change.after is not None
    assert (bce_change.before["s"], bce_change.after["s"]) == (1, 0)
    assert bce_change.after["state"] == "kept" and bce_change.shared_hnp is True
    assert (route_change.table, route_change.key) == ("route", MN)
    assert route_change.before == {"via": "MAG1", "entry": e1.key}
    assert route_change.after == {"via": "MAG2", "entry": e2.key}
    assert e1.key in pump.lma.cache.entries  # kept, not deleted (unlike RFC 5213)
    assert (e1.s, e1.m, e1.state) == (0, 1, "kept")
    assert (e2.s, e2.m, e2.state) == (1, 1, "active")
    assert pump.lma.active[MN] == e2.key
    assert not [t for t in pump.timers if t[0] == LMA and isinstance(t[1], DeleteTimer)]

    # (5) the LMA answers MAG1 with a PBA: accepted, lifetime 0, same sequence number
    pba = only(answer, SendPba)
    assert pba.dst == MAG_ADDRESS["MAG1"]
    assert pba.pba.status == 0 and pba.pba.lifetime_s == 0 and pba.pba.seq == pbu.seq
    assert pba.pba.nonzero_hnps == (hnp,)

    # (8, early) the CN's packets sent now go through Tunnel2 to IF2 at once
    steps = from_cn(pump, 3, hnp, 321.0)
    assert [(n, a.to) for n, a in of_type(steps, Forward)] == [(LMA, "MAG2"), ("MAG2", IF2)]
    assert [(k, p.n) for k, p in pump.delivered][-1] == (IF2, 3)

    # (6) the PBA makes MAG1 drop IF1 from its BUL and flush its cache up Tunnel1
    flush = pump.deliver(answer, 330.0)
    assert shape(flush) == [("MAG1", "StateChange"), ("MAG1", "Uncache"), ("MAG1", "Forward")]
    removed = only(flush, StateChange)
    assert removed.cause == "removed"
    assert removed.after is None and IF1 not in mag1.bul
    out = only(flush, Uncache)
    assert (out.packet.n, out.occupancy, out.to) == (2, 0, LMA)
    up = only(flush, Forward)
    assert (up.packet.n, up.to) == (2, LMA)
    assert not mag1.cache

    # (7) the LMA sends the cached packet to MAG2, which delivers it to IF2
    rest = pump.pump("MAG1", [up], 330.0)[1:]
    assert [(n, a.to) for n, a in of_type(rest, Forward)] == [(LMA, "MAG2"), ("MAG2", IF2)]
    assert [(k, p.n) for k, p in pump.delivered] == [(IF1, 1), (IF2, 3), (IF2, 2)]
    flushed = pump.delivered[-1][1]
    assert flushed.cached and flushed.sent_up_by == ("MAG1",)
    assert not of_type(rest, Drop)


# -- the RFC 5213 contrast ---------------------------------------------------------------

def test_rfc5213_gives_each_interface_its_prefix_holds_then_deletes_and_drops() -> None:
    pump, first, second = registered("rfc5213")
    # LMA: tunnel and entry each time (no route table, no M flag: one session per prefix)
    assert shape(first) == exchange("MAG1", 2) and shape(second) == exchange("MAG2", 2)
    e1, e2 = entry(pump, "MAG1"), entry(pump, "MAG2")
    assert e1.hnps != e2.hnps and not pump.lma.shared_hnp
    assert (e1.m, e1.s, e2.m, e2.s) == (None, None, None, None)
    hnp1 = e1.hnps[0]
    mag1 = pump.mags["MAG1"]

    # IF1 breaks: what MAG1 cannot deliver is lost, not cached
    pump.down.add(IF1)
    pump.pump("MAG1", mag1.link_down(IF1, 300.0), 300.0)
    steps = from_cn(pump, 1, hnp1, 305.0)
    assert shape(steps) == [(LMA, "Forward"), ("MAG1", "Drop")]
    lost = only(steps, Drop)
    assert lost.reason == "link_down" and not mag1.cache

    # the same DeReg PBU (lifetime 0, HI=4) ...
    dereg = pump.fire("MAG1", DetectTimer)
    sent = only(dereg, SendPbu)
    assert sent.pbu.lifetime_s == 0 and sent.pbu.hi == 4
    # ... makes the LMA hold the entry for MinDelayBeforeBCEDelete, with no re-route
    answer = pump.deliver(dereg, 320.0)
    assert shape(answer) == [(LMA, "StateChange"), (LMA, "SendPba"), (LMA, "StartTimer")]
    hold = only(answer, StateChange)
    assert hold.table == "bce" and hold.cause == "dereg"
    assert hold.after is not None and hold.after["state"] == "dereg-hold"
    assert (e1.state, e1.s) == ("dereg-hold", None) and e2.state == "active"
    pba = only(answer, SendPba)
    assert pba.pba.status == 0 and pba.pba.lifetime_s == 0
    timer = only(answer, StartTimer)
    assert timer.timer == DeleteTimer(e1.key)
    assert timer.delay_ms == pump.lma.config.min_delay_before_bce_delete_ms == 10_000.0

    # MAG1 removes IF1 on the PBA and has nothing to flush
    flush = pump.deliver(answer, 330.0)
    assert shape(flush) == [("MAG1", "StateChange")] and IF1 not in mag1.bul

    # during the hold the LMA drops IF1's traffic; IF2 (its own prefix) is untouched
    steps = from_cn(pump, 2, hnp1, 400.0)
    assert shape(steps) == [(LMA, "Drop")]
    held = only(steps, Drop)
    assert held.reason == "dereg_hold"
    from_cn(pump, 3, e2.hnps[0], 400.0)
    assert pump.delivered[-1][0] == IF2 and pump.delivered[-1][1].n == 3

    # after the hold the entry and Tunnel1 are deleted; IF1's prefix has no binding
    assert pump.due(LMA, DeleteTimer) == (DeleteTimer(e1.key), 10_320.0)
    gone = pump.fire(LMA, DeleteTimer)
    assert [(a.table, a.cause) for _, a in of_type(gone, StateChange)] == [
        ("bce", "delete"), ("tunnel", "tunnel")]
    assert e1.key not in pump.lma.cache.entries and e2.key in pump.lma.cache.entries
    steps = from_cn(pump, 4, hnp1, 10_330.0)
    dropped = only(steps, Drop)
    assert dropped.reason == "no_binding"
    assert [p.n for k, p in pump.delivered if k == IF1] == []
