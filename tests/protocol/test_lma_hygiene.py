"""Issue 10 item 5, the LMA's RFC 5213 hygiene, as plain function calls: the P flag and
status 152 in §5.3.1, the §5.5 comparison behind 157, an entry held after
de-registration whose lifetime ends first, and a tunnel the LMA has torn down."""

from __future__ import annotations

from pmipviz.lesson.sentences import describe
from pmipviz.protocol.actions import Drop, SendPba, StateChange
from pmipviz.protocol.constants import Status
from pmipviz.protocol.messages import DataPacket
from pmipviz.protocol.timers import DeleteTimer, ExpireTimer
from pmipviz.protocol.vocab import Reason
from pmipviz.protocol.why import Why
from tests.protocol.pbu_factory import LLI2, MAG1, MAG2, ROGUE, make_lma, pbu

MN = "mn1@example.org"


def _only_pba(actions: list) -> SendPba:
    (send,) = [a for a in actions if isinstance(a, SendPba)]
    return send


# -- §5.3.1: the P flag, and 152 in its place -------------------------------------------

def test_a_bu_without_the_p_flag_is_a_home_registration_refused_with_131() -> None:
    """Not a PBU (§5.3.1 step 1, §8.1): a Mobile IPv6 home registration, refused by an
    LMA that is no Mobile IPv6 home agent (RFC 6275 §10.3.1) before any PMIPv6 check:
    even without an MN-ID (which would be 160) or from a rogue sender (154)."""
    lma = make_lma(known={MN})
    for kw, src in (({}, MAG1), ({"mn": None}, MAG1), ({}, ROGUE)):
        send = _only_pba(lma.handle_pbu(pbu(0.0, p=False, **kw), src, 0.0))
        assert send.pba.status == Status.HOME_REGISTRATION_NOT_SUPPORTED == 131
        assert send.ref == "RFC 6275 §10.3.1"
        assert send.pba.p is False  # P=1 in a PBA only if the PBU had it (§8.2)
        assert send.why[3] == (Why.REJECT_NOT_PROXY,)
    assert len(lma.cache) == 0
    assert "Mobile IPv6 home registration" in describe(send.why)


def test_152_is_an_mn_known_but_not_authorized_for_pmipv6_service() -> None:
    lma = make_lma(known={MN, "mn2@example.org"}, unauthorized=frozenset({MN}))
    send = _only_pba(lma.handle_pbu(pbu(0.0), MAG1, 0.0))
    assert send.pba.status == Status.PROXY_REG_NOT_ENABLED == 152
    assert send.ref == "RFC 5213 §5.3.1"
    assert send.why[3] == (Why.REJECT_NO_SERVICE, MN)
    assert "not enable network-based mobility" in describe(send.why)
    # another MN of the same policy store is served
    assert _only_pba(lma.handle_pbu(pbu(0.0, mn="mn2@example.org"), MAG1, 0.0)).pba.status == 0
    assert [b.mn_id for b in lma.cache.entries.values()] == ["mn2@example.org"]


def test_152_comes_after_the_mag_and_mn_checks_and_before_the_timestamp() -> None:
    """§5.3.1: the MAG's authorization (154), then the MN's (153 unknown, 152 no
    service), then §5.5 (156)."""
    lma = make_lma(known={MN}, unauthorized=frozenset({MN, "ghost@example.org"}))
    status = [_only_pba(lma.handle_pbu(pbu(0.0, **kw), src, 0.0)).pba.status
              for kw, src in (({}, ROGUE), ({"mn": "ghost@example.org"}, MAG1),
                              ({"ts_offset_ms": 301.0}, MAG1))]
    assert status == [154, 153, 152]


# -- §5.5: a timestamp equal to the last accepted one is not newer ---------------------------

def test_a_timestamp_equal_to_the_last_accepted_is_157() -> None:
    lma = make_lma()
    hnp = _only_pba(lma.handle_pbu(pbu(0.0), MAG1, 0.0)).pba.hnps[0]
    assert _only_pba(lma.handle_pbu(pbu(200.0, seq=2, hnps=(hnp,), hi=5), MAG1,
                                    205.0)).pba.status == 0
    # the same PBU timestamp (sent at 200 ms) again, received at 250 ms
    same = _only_pba(lma.handle_pbu(pbu(200.0, seq=3, hnps=(hnp,), hi=5), MAG1, 250.0))
    assert same.pba.status == Status.TIMESTAMP_LOWER_THAN_PREV_ACCEPTED == 157
    assert same.why[3] == (Why.REJECT_SAME,) and same.ref == "RFC 5213 §5.5"
    assert "not newer" in describe(same.why)
    # one §8.8 tick later (1/65536 s, 0.015 ms; 1 ms is 65 ticks) is newer: accepted
    later = _only_pba(lma.handle_pbu(pbu(201.0, seq=4, hnps=(hnp,), hi=5), MAG1, 251.0))
    assert later.pba.status == 0


# -- an entry held after de-registration whose lifetime ends first ------------------------------

def test_a_held_entry_is_removed_at_its_lifetime_when_that_comes_first() -> None:
    """Registered at 0 with a lifetime of 4 s (expires 0 + 4000 = 4000 ms);
    de-registered at 1000: MinDelayBeforeBCEDelete would hold it to 1000 + 10000 =
    11000 ms. It goes at 4000, and the hold's timer then finds nothing."""
    lma = make_lma()
    hnp = _only_pba(lma.handle_pbu(pbu(0.0, lifetime=4), MAG1, 0.0)).pba.hnps[0]
    (key,) = lma.cache.entries
    dereg = lma.handle_pbu(pbu(1000.0, seq=2, hnps=(hnp,), hi=4, lifetime=0), MAG1, 1000.0)
    assert lma.cache.entries[key].state == "dereg-hold"
    assert lma.route(hnp.network_address + 1) == (None, "dereg_hold")
    assert lma.on_timer(ExpireTimer(key), 3999.0) == []
    gone = lma.on_timer(ExpireTimer(key), 4000.0)
    (change,) = [a for a in gone if isinstance(a, StateChange) and a.table == "bce"]
    assert change.cause == "expire" and change.after is None and change.ref == "RFC 5213 §5.3.5"
    assert change.why == (Why.DELETE_HOLD_EXPIRE, key, 4)
    assert "ended before MinDelayBeforeBCEDelete" in describe(change.why)
    assert len(lma.cache) == 0 and lma.route(hnp.network_address + 1) == (None, "no_binding")
    assert any(isinstance(a, StateChange) and a.table == "tunnel" and a.after is None
               for a in gone)  # its tunnel goes with it
    assert [t for t in dereg if getattr(t, "delay_ms", None) == 10_000.0]
    assert lma.on_timer(DeleteTimer(key), 11_000.0) == []


def test_a_held_entry_whose_hold_ends_first_is_deleted_by_the_hold() -> None:
    lma = make_lma()
    hnp = _only_pba(lma.handle_pbu(pbu(0.0), MAG1, 0.0)).pba.hnps[0]  # expires at 40000
    (key,) = lma.cache.entries
    lma.handle_pbu(pbu(1000.0, seq=2, hnps=(hnp,), hi=4, lifetime=0), MAG1, 1000.0)
    deleted = lma.on_timer(DeleteTimer(key), 11_000.0)
    assert [a.cause for a in deleted if isinstance(a, StateChange) and a.table == "bce"] == \
        ["delete"]
    assert lma.on_timer(ExpireTimer(key), 40_000.0) == []


# -- §5.3.4 / §5.6.1: a tunnel the LMA has torn down ------------------------------------------

def test_a_packet_up_a_torn_down_tunnel_is_dropped_not_forwarded() -> None:
    lma = make_lma()
    hnp = _only_pba(lma.handle_pbu(pbu(0.0), MAG1, 0.0)).pba.hnps[0]
    assert lma.tunnel_up("MAG1") and not lma.tunnel_up("MAG2")
    moved = lma.handle_pbu(pbu(50.0, seq=2, hnps=(hnp,), hi=3), MAG2, 50.0)  # §5.3.4
    downs = [a.key for a in moved if isinstance(a, StateChange) and a.table == "tunnel"
             and a.after is None]
    assert downs == ["Tunnel1"]
    assert not lma.tunnel_up("MAG1") and lma.tunnel_up("MAG2")
    packet = DataPacket(pid=1, flow=0, n=7, src=hnp.network_address + 1,
                        dst=hnp.network_address + 1, size=100, sent_ms=60.0)
    drop = lma.tunnel_drop(packet, "MAG1")
    assert isinstance(drop, Drop) and drop.reason == Reason.TUNNEL_DOWN == "tunnel_down"
    assert drop.ref == "RFC 5213 §5.6.1" and drop.why == (Why.DATA_NO_TUNNEL, 7, "MAG1",
                                                          "Tunnel1")
    assert "torn down" in describe(drop.why)
    # a second MN on MAG1 keeps the tunnel up
    lma.handle_pbu(pbu(70.0, mn="mn2@example.org", lli=LLI2), MAG1, 70.0)
    assert lma.tunnel_up("MAG1")
