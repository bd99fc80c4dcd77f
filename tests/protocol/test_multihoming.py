"""Issue 10 item 2 at the level of the protocol machines: M recomputed on a delete, a
held (M=0) entry in ft mode revived by a PBU, and a MAG flushing its cache down to a
sibling interface up on it instead of up the tunnel."""

from __future__ import annotations

from pmipviz.protocol.actions import Forward, StateChange, Uncache
from pmipviz.protocol.constants import HandoffIndicator
from pmipviz.protocol.state_tables import BceState
from pmipviz.protocol.timers import DetectTimer, ExpireTimer
from tests.protocol.pump import LMA, Pump, of_type, two_mags_one_lma
from tests.protocol.test_figure1 import ATT, IF1, IF2, LLI1, LLI2, MN, entry, packet, registered


def _attach(pump: Pump, mag: str, key: str, lli: bytes, now: float) -> None:
    pump.pump(mag, pump.mags[mag].attach(key, MN, lli, ATT, now,
                                         HandoffIndicator.NEW_INTERFACE), now)


def test_m_flips_to_0_on_the_sibling_when_an_entry_is_deleted() -> None:
    pump, _, _ = registered("ft")
    e1, e2 = entry(pump, "MAG1"), entry(pump, "MAG2")
    assert (e1.m, e2.m) == (1, 1)
    actions = pump.lma.on_timer(ExpireTimer(e2.key), e2.expires_ms)
    changes = [a for a in actions if isinstance(a, StateChange) and a.table == "bce"]
    assert [(c.key, c.cause) for c in changes] == [(e2.key, "expire"), (e1.key, "multihoming")]
    flip = changes[1]
    assert flip.before is not None and flip.after is not None
    assert (flip.before["m"], flip.after["m"], flip.ref) == (1, 0, "draft §3.1")
    assert e1.m == 0


def test_rfc5213_entries_have_no_m_flag_and_no_flip() -> None:
    pump, first, second = registered("rfc5213")
    assert not [a for _, a in of_type(first + second, StateChange) if a.cause == "multihoming"]
    assert entry(pump, "MAG1").m is entry(pump, "MAG2").m is None


def test_ft_single_homed_dereg_holds_and_a_pbu_revives_it() -> None:
    pump = two_mags_one_lma("ft")
    _attach(pump, "MAG1", IF1, LLI1, 0.0)
    e1 = entry(pump, "MAG1")
    assert e1.m == 0
    pump.down.add(IF1)
    pump.pump("MAG1", pump.mags["MAG1"].link_down(IF1, 100.0), 100.0)
    steps = pump.deliver(pump.fire("MAG1", DetectTimer), 120.0)  # the DeReg PBU at the LMA
    held = [a for n, a in of_type(steps, StateChange) if n == LMA and a.table == "bce"]
    assert [(a.cause, a.ref) for a in held] == [("dereg_hold", "RFC 5213 §5.3.5")]
    assert (e1.state, e1.s, e1.delete_ms) == (BceState.DEREG_HOLD, 0, 120.0 + 10_000.0)
    assert pump.lma.route(pump.lma.shared_hnp[MN].network_address + 5) == (None, "dereg_hold")
    # the interface comes back on MAG2 during the hold (HI=3): the entry is revived
    pump.down.discard(IF1)
    steps = pump.pump("MAG2", pump.mags["MAG2"].attach(
        IF1, MN, LLI1, ATT, 500.0, HandoffIndicator.BETWEEN_MAGS), 500.0)
    revived = [a for n, a in of_type(steps, StateChange) if n == LMA and a.table == "bce"]
    assert [a.cause for a in revived] == ["revive"]
    assert (e1.state, e1.s, e1.m, e1.mag) == (BceState.ACTIVE, 1, 0, "MAG2")


def test_a_mag_flushes_its_cache_down_to_a_sibling_interface_up_on_it() -> None:
    pump = two_mags_one_lma("ft")
    _attach(pump, "MAG1", IF1, LLI1, 0.0)
    _attach(pump, "MAG1", IF2, LLI2, 10.0)
    assert (entry_m := {b.m for b in pump.lma.cache.for_mn(MN)}) == {0}, entry_m
    mag1, hnp = pump.mags["MAG1"], pump.lma.shared_hnp[MN]
    # both links down: a packet from the tunnel is cached (under IF1)
    pump.down.update({IF1, IF2})
    pump.pump("MAG1", mag1.link_down(IF1, 100.0), 100.0)
    pump.pump("MAG1", mag1.link_down(IF2, 101.0), 101.0)
    pump.pump(LMA, pump.lma_data(packet(7, hnp)), 105.0)
    assert [c.iface for c in mag1.cache] == [IF1]
    # IF2's link comes back before its failure is detected; IF1's is declared failed
    pump.down.discard(IF2)
    pump.pump("MAG1", mag1.link_up(IF2, 110.0), 110.0)
    timer, due = next((t, d) for n, t, d in pump.timers
                      if n == "MAG1" and isinstance(t, DetectTimer) and t.key == IF1)
    pump.timers.remove(("MAG1", timer, due))
    steps = pump.pump("MAG1", mag1.on_timer(timer, due), due)
    # the PBA removes IF1's binding: the cache goes down to IF2, not up to the LMA
    out = [a for n, a in of_type(steps, Uncache) if n == "MAG1"]
    assert [(a.packet.n, a.to) for a in out] == [(7, IF2)]
    assert [(n, a.to) for n, a in of_type(steps, Forward) if a.packet.n == 7] == [
        ("MAG1", IF2)]
    assert [(k, p.n) for k, p in pump.delivered if p.n == 7] == [(IF2, 7)]
    # MAG1 never sent a packet down a link it knew was down (issue 10 item 4: nothing
    # comes back from an access link any more)
    assert pump.lost == []
