"""The LMA as plain function calls: §5.3.1 rejections, §5.4.1 lookup cases,
§5.3.5 de-registration, and the draft's M/S flags."""

from __future__ import annotations

from ipaddress import IPv6Network

import pytest

from pmipviz.protocol.actions import SendPba, StartTimer, StateChange
from pmipviz.protocol.binding_cache import ZERO_LLI, Outcome
from pmipviz.protocol.constants import Status
from pmipviz.protocol.lma import Lma
from pmipviz.protocol.messages import Pba, Pbu
from pmipviz.protocol.options import HiOption, MnIdOption
from pmipviz.protocol.state_tables import BceState
from pmipviz.protocol.timers import (
    DeleteTimer,
    DetectTimer,
    ExpireTimer,
    ReregTimer,
    RetxTimer,
    WaitTimer,
)
from tests.protocol.pbu_factory import LLI1, LLI2, MAG1, MAG2, ROGUE, ZERO, make_lma, pbu


def pba_of(actions: list) -> Pba:
    sends = [a for a in actions if isinstance(a, SendPba)]
    assert len(sends) == 1, actions
    return sends[0].pba


def register(lma: Lma, now: float = 0.0, src=MAG1, **kw) -> Pba:
    return pba_of(lma.handle_pbu(pbu(now, **kw), src, now))


# -- §5.3.1 rejections, one per status --------------------------------------------------

@pytest.mark.parametrize(("kwargs", "src", "status"), [
    ({"mn": None}, MAG1, Status.MISSING_MN_IDENTIFIER_OPTION),
    ({"p": False}, MAG1, Status.HOME_REGISTRATION_NOT_SUPPORTED),
    ({}, ROGUE, Status.MAG_NOT_AUTHORIZED_FOR_PROXY_REG),
    ({"mn": "stranger@example.org"}, MAG1, Status.NOT_LMA_FOR_THIS_MOBILE_NODE),
    ({"ts_offset_ms": 301.0}, MAG1, Status.TIMESTAMP_MISMATCH),
    ({"ts_offset_ms": -301.0}, MAG1, Status.TIMESTAMP_MISMATCH),
    ({"timestamp": False}, MAG1, Status.TIMESTAMP_MISMATCH),
    ({"hnps": None}, MAG1, Status.MISSING_HOME_NETWORK_PREFIX_OPTION),
    ({"hi": None}, MAG1, Status.MISSING_HANDOFF_INDICATOR_OPTION),
    ({"att": None}, MAG1, Status.MISSING_ACCESS_TECH_TYPE_OPTION),
    ({"extra": (HiOption(1),)}, MAG1, Status.REASON_UNSPECIFIED),
])
def test_rejections_answer_with_the_status(kwargs, src, status) -> None:
    lma = make_lma(known={"mn1@example.org"})
    actions = lma.handle_pbu(pbu(1000.0, **kwargs), src, 1000.0)
    pba = pba_of(actions)
    assert pba.status == status
    assert not pba.accepted and pba.lifetime_s == 0
    assert len(lma.cache) == 0  # a rejection never changes state


def test_timestamp_inside_the_window_is_accepted() -> None:
    lma = make_lma()
    assert register(lma, 1000.0, ts_offset_ms=299.0).status == 0


def test_rejection_order_follows_5_3_1() -> None:
    # no MN-ID (160) is checked before the MAG's authorization (154) and the HNP (158)
    lma = make_lma()
    actions = lma.handle_pbu(pbu(0.0, mn=None, hnps=None), ROGUE, 0.0)
    assert pba_of(actions).status == Status.MISSING_MN_IDENTIFIER_OPTION
    actions = lma.handle_pbu(pbu(0.0, hnps=None, hi=None), ROGUE, 0.0)
    assert pba_of(actions).status == Status.MAG_NOT_AUTHORIZED_FOR_PROXY_REG
    actions = lma.handle_pbu(pbu(0.0, hnps=None, hi=None), MAG1, 0.0)
    assert pba_of(actions).status == Status.MISSING_HOME_NETWORK_PREFIX_OPTION


def test_rejected_pba_follows_5_3_6() -> None:
    lma = make_lma()
    pba = pba_of(lma.handle_pbu(pbu(0.0, mn=None, hnps=None), MAG1, 0.0))
    assert pba.mn_id == ""  # zero-length MN-ID when the PBU had none
    assert pba.hnps == (ZERO,)  # one ALL_ZERO HNP when the request had none
    assert pba.hi == 1 and pba.att == 4 and pba.p


# -- registration and the PBA ------------------------------------------------------------

def test_initial_registration_assigns_a_64_and_answers_every_option() -> None:
    lma = make_lma()
    actions = lma.handle_pbu(pbu(0.0, seq=7), MAG1, 0.0)
    pba = pba_of(actions)
    assert pba.status == 0 and pba.seq == 7 and pba.p and pba.lifetime_s == 40
    assert pba.hnps == (IPv6Network("2001:db8:100::/64"),)
    assert pba.mn_id == "mn1@example.org" and pba.mn_lli == LLI1 and pba.timestamp is not None
    bce = next(iter(lma.cache.entries.values()))
    assert bce.proxy_coa == MAG1 and bce.mag == "MAG1" and bce.tunnel == "Tunnel1"
    assert bce.m is None and bce.s is None  # no draft flags in rfc5213 mode
    assert any(isinstance(a, StartTimer) and a.timer == ExpireTimer(bce.key)
               and a.delay_ms == 40_000 for a in actions)
    assert any(isinstance(a, StateChange) and a.table == "tunnel" for a in actions)


def test_rfc5213_gives_each_interface_its_own_prefix() -> None:
    lma = make_lma()
    first = register(lma, 0.0)
    second = register(lma, 10.0, src=MAG2, seq=2, lli=LLI2, att=8)
    assert first.hnps != second.hnps
    assert len(lma.cache.for_mn("mn1@example.org")) == 2


def test_lifetime_expiry_deletes_the_entry() -> None:
    lma = make_lma()
    register(lma, 0.0)
    key = next(iter(lma.cache.entries))
    assert lma.on_timer(ExpireTimer(key), 39_999.0) == []
    actions = lma.on_timer(ExpireTimer(key), 40_000.0)
    assert any(isinstance(a, StateChange) and a.cause == "expire" for a in actions)
    assert len(lma.cache) == 0


# -- §5.4.1.1: a NON_ZERO HNP in the request -----------------------------------------------

def _registered() -> tuple[Lma, IPv6Network]:
    lma = make_lma()
    pba = register(lma, 0.0)
    return lma, pba.hnps[0]


def test_5_4_1_1_unknown_prefix_of_another_mn_is_155() -> None:
    lma, hnp = _registered()
    actions = lma.handle_pbu(pbu(5.0, mn="mn2@example.org", hnps=(hnp,), lli=LLI2), MAG2, 5.0)
    assert pba_of(actions).status == Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX


def test_5_4_1_1_prefix_set_mismatch_is_159() -> None:
    lma, hnp = _registered()
    other = IPv6Network("2001:db8:1ff::/64")
    actions = lma.handle_pbu(pbu(5.0, hnps=(hnp, other)), MAG1, 5.0)
    assert pba_of(actions).status == Status.BCE_PBU_PREFIX_SET_DO_NOT_MATCH


@pytest.mark.parametrize(("kwargs", "src", "case"), [
    ({"hi": 5}, MAG2, "5.4.1.1-5a"),  # LL-ID and ATT match
    ({"hi": 2, "lli": LLI2, "att": 8}, MAG2, "5.4.1.1-5b"),  # HI=2
    ({"hi": 5, "lli": LLI2}, MAG1, "5.4.1.1-5d"),  # same Proxy-CoA and ATT
])
def test_5_4_1_1_update_cases(kwargs, src, case) -> None:
    lma, hnp = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hnps=(hnp,), **kwargs), src)
    assert (lookup.outcome, lookup.case) == ("update", case)


def test_5_4_1_1_case_c_without_lli() -> None:
    lma = make_lma()
    pba = register(lma, 0.0, lli=None)
    bce = next(iter(lma.cache.entries.values()))
    assert bce.mn_lli == ZERO_LLI
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hnps=pba.hnps, lli=None, hi=3), MAG2)
    assert (lookup.outcome, lookup.case) == ("update", "5.4.1.1-5c")


def test_5_4_1_1_otherwise_a_new_session_and_unmatched_dereg_is_ignored() -> None:
    lma, hnp = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hnps=(hnp,), hi=1, lli=LLI2), MAG2)
    assert (lookup.outcome, lookup.case) == ("new", "5.4.1.1-6")
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hnps=(IPv6Network("2001:db8:1ff::/64"),)), MAG1)
    assert (lookup.outcome, lookup.case) == ("new", "5.4.1.1-2")
    dereg = pbu(5.0, hnps=(hnp,), hi=4, lli=LLI2, lifetime=0)
    assert lma.cache.lookup_rfc5213(dereg, MAG2).outcome == "ignore"
    assert lma.handle_pbu(dereg, MAG2, 5.0)[0].cause == "ignore"  # type: ignore[union-attr]


# -- §5.4.1.2: no HNP, an MN LL-ID ------------------------------------------------------------

def test_5_4_1_2_match_on_mn_id_att_and_lli_updates() -> None:
    lma, _ = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=3), MAG2)
    assert (lookup.outcome, lookup.case) == ("update", "5.4.1.2-1")


def test_5_4_1_2_hi2_with_exactly_one_entry_updates() -> None:
    lma, _ = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=2, lli=LLI2, att=8), MAG2)
    assert (lookup.outcome, lookup.case) == ("update", "5.4.1.2-3")


def test_5_4_1_2_hi4_waits_for_the_old_mag_then_updates() -> None:
    lma, hnp = _registered()
    (key,) = lma.cache.entries
    wait = lma.handle_pbu(pbu(5.0, seq=2, hi=4, lli=LLI2, att=8), MAG2, 5.0)
    assert [a.timer for a in wait if isinstance(a, StartTimer)] == [WaitTimer(key)]
    assert not any(isinstance(a, SendPba) for a in wait)
    # the old MAG de-registers: the waiting PBU becomes an update of the same entry
    actions = lma.handle_pbu(pbu(10.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 10.0)
    pbas = [a.pba for a in actions if isinstance(a, SendPba)]
    assert [p.seq for p in pbas] == [3, 2] and all(p.status == 0 for p in pbas)
    bce = next(iter(lma.cache.entries.values()))
    assert bce.mag == "MAG2" and bce.state == "active" and len(lma.cache) == 1


def test_5_4_1_2_hi4_timeout_creates_a_new_session() -> None:
    lma, _ = _registered()
    wait = lma.handle_pbu(pbu(5.0, seq=2, hi=4, lli=LLI2, att=8), MAG2, 5.0)
    timer = next(a for a in wait if isinstance(a, StartTimer))
    assert timer.delay_ms == 1500.0  # MaxDelayBeforeNewBCEAssign
    actions = lma.on_timer(timer.timer, 1505.0)
    assert pba_of(actions).status == 0
    assert len(lma.cache) == 2


def test_5_4_1_2_otherwise_new_session() -> None:
    lma, _ = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=1, lli=LLI2, att=8), MAG2)
    assert (lookup.outcome, lookup.case) == ("new", "5.4.1.2-5")


# -- §5.4.1.3: no HNP, no MN LL-ID --------------------------------------------------------------

@pytest.mark.parametrize("hi", [2, 3])
def test_5_4_1_3_one_entry_and_hi_2_or_3_updates(hi) -> None:
    lma, _ = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=hi, lli=None), MAG2)
    assert (lookup.outcome, lookup.case) == ("update", "5.4.1.3-2")


def test_5_4_1_3_hi4_waits_and_otherwise_new() -> None:
    lma, _ = _registered()
    assert lma.cache.lookup_rfc5213(pbu(5.0, hi=4, lli=None), MAG2).case == "5.4.1.3-3"
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=1, lli=None), MAG2)
    assert (lookup.outcome, lookup.case) == ("new", "5.4.1.3-4")


# -- §5.3.5 de-registration (rfc5213) ---------------------------------------------------------

def test_dereg_holds_the_entry_drops_traffic_then_deletes() -> None:
    lma, hnp = _registered()
    addr = hnp.network_address + 1
    assert lma.route(addr)[0] is not None
    actions = lma.handle_pbu(pbu(100.0, seq=2, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    assert pba_of(actions).status == 0 and pba_of(actions).lifetime_s == 0
    assert lma.route(addr) == (None, "dereg_hold")
    timer = next(a for a in actions if isinstance(a, StartTimer))
    assert timer.delay_ms == 10_000.0  # MinDelayBeforeBCEDelete
    deleted = lma.on_timer(timer.timer, 10_100.0)
    assert any(isinstance(a, StateChange) and a.cause == "delete" for a in deleted)
    assert lma.route(addr) == (None, "no_binding")


def test_valid_pbu_during_the_wait_revives_the_entry() -> None:
    lma, hnp = _registered()
    actions = lma.handle_pbu(pbu(100.0, seq=2, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    timer = next(a for a in actions if isinstance(a, StartTimer))
    revive = lma.handle_pbu(pbu(200.0, seq=3, hi=1), MAG1, 200.0)  # no HNP: §5.4.1.2
    assert pba_of(revive).hnps == (hnp,)
    assert any(isinstance(a, StateChange) and a.cause == "revive" for a in revive)
    assert lma.on_timer(timer.timer, 10_100.0) == []
    assert lma.route(hnp.network_address + 1)[0] is not None


def test_dereg_from_another_proxy_coa_is_ignored() -> None:
    lma, hnp = _registered()
    lma.handle_pbu(pbu(50.0, seq=2, hi=3), MAG2, 50.0)  # moved to MAG2
    actions = lma.handle_pbu(pbu(60.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 60.0)
    assert not any(isinstance(a, SendPba) for a in actions)
    assert next(iter(lma.cache.entries.values())).state == "active"


def test_older_timestamp_is_157() -> None:
    lma, hnp = _registered()
    lma.handle_pbu(pbu(200.0, seq=2, hnps=(hnp,), hi=5), MAG1, 200.0)
    stale = pbu(100.0, seq=3, hnps=(hnp,), hi=5)
    assert pba_of(lma.handle_pbu(stale, MAG1, 250.0)).status == \
        Status.TIMESTAMP_LOWER_THAN_PREV_ACCEPTED


# -- the draft (ft mode) -----------------------------------------------------------------------

def _ft_two_interfaces() -> tuple[Lma, IPv6Network]:
    lma = make_lma("ft")
    first = register(lma, 0.0)
    second = register(lma, 10.0, src=MAG2, seq=2, lli=LLI2, att=8)
    assert first.hnps == second.hnps  # one HNP shared by every interface
    return lma, first.hnps[0]


def test_ft_sets_m_when_the_same_mn_registers_from_another_mag() -> None:
    lma, _ = _ft_two_interfaces()
    entries = lma.cache.for_mn("mn1@example.org")
    assert [(b.m, b.s) for b in entries] == [(1, 1), (1, 1)]


def test_ft_single_interface_has_m_0() -> None:
    lma = make_lma("ft")
    register(lma, 0.0)
    (bce,) = lma.cache.entries.values()
    assert (bce.m, bce.s) == (0, 1)


def test_ft_dereg_sets_s0_keeps_the_entry_and_reroutes_at_once() -> None:
    lma, hnp = _ft_two_interfaces()
    addr = hnp.network_address + 1
    assert lma.route(addr)[0].mag == "MAG1"  # type: ignore[union-attr]
    actions = lma.handle_pbu(pbu(100.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    assert pba_of(actions).status == 0
    assert len(lma.cache) == 2
    entry1 = lma.cache.entries["mn1@example.org#1"]
    assert (entry1.m, entry1.s, entry1.state) == (1, 0, "kept")
    assert lma.route(addr)[0].mag == "MAG2"  # type: ignore[union-attr]
    assert [a.table for a in actions if isinstance(a, StateChange)] == ["bce", "route"]


def test_ft_restore_sets_s1_again_and_traffic_stays() -> None:
    lma, hnp = _ft_two_interfaces()
    lma.handle_pbu(pbu(100.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    actions = lma.handle_pbu(pbu(500.0, seq=4, hi=1), MAG1, 500.0)
    assert pba_of(actions).hnps == (hnp,)
    assert lma.cache.entries["mn1@example.org#1"].s == 1
    assert lma.cache.entries["mn1@example.org#1"].state == "active"
    assert lma.route(hnp.network_address + 1)[0].mag == "MAG2"  # type: ignore[union-attr]


def test_ft_no_entry_with_s1_left_drops_as_no_binding() -> None:
    lma, hnp = _ft_two_interfaces()
    lma.handle_pbu(pbu(100.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    lma.handle_pbu(pbu(200.0, seq=4, hnps=(hnp,), hi=4, lifetime=0, lli=LLI2, att=8), MAG2,
                   200.0)
    assert lma.route(hnp.network_address + 1) == (None, "no_binding")


def test_ft_hnp_of_another_mn_is_155() -> None:
    lma, hnp = _ft_two_interfaces()
    actions = lma.handle_pbu(pbu(5.0, mn="mn2@example.org", hnps=(hnp,), lli=LLI2), MAG2, 5.0)
    assert pba_of(actions).status == Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX


def test_malformed_pbu_fields_raise_a_precise_error() -> None:
    from pmipviz.protocol.errors import ProtocolError

    with pytest.raises(ProtocolError, match="lifetime 5 s is not a multiple of 4"):
        Pbu(seq=1, lifetime_s=5)
    with pytest.raises(ProtocolError, match="sequence number 70000"):
        Pbu(seq=70000, lifetime_s=4)
    with pytest.raises(ProtocolError, match="identifier longer than 254"):
        Pbu(seq=1, lifetime_s=4, options=(MnIdOption("x" * 300),))


def test_a_new_session_cannot_claim_an_unassigned_prefix() -> None:
    for mode in ("rfc5213", "ft"):
        lma = make_lma(mode)
        claim = IPv6Network("2001:db8:1ff::/64")
        pba = pba_of(lma.handle_pbu(pbu(0.0, hnps=(claim,)), MAG1, 0.0))
        assert pba.status == Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX
        assert pba.hnps == (claim,) and len(lma.cache) == 0


# -- timers: named fields, dispatched by type, stale ones do nothing ------------------------

def test_stale_timers_do_nothing() -> None:
    lma = make_lma()
    created = lma.handle_pbu(pbu(0.0), MAG1, 0.0)
    (key,) = lma.cache.entries
    assert [a.timer for a in created if isinstance(a, StartTimer)] == [ExpireTimer(key)]
    lma.handle_pbu(pbu(20_000.0, seq=2), MAG1, 20_000.0)  # re-registration
    assert lma.on_timer(ExpireTimer(key), 40_000.0) == []  # the lifetime was extended
    assert lma.on_timer(DeleteTimer(key), 1e9) == []  # not held after a DeReg
    assert lma.on_timer(WaitTimer(key), 1e9) == []  # no PBU waits
    for other in (RetxTimer(key, 2), ReregTimer(key, 0.0), DetectTimer(key)):  # the MAGs'
        assert lma.on_timer(other, 1e9) == []
    assert lma.cache.entries[key].state is BceState.ACTIVE
    assert lma.on_timer(ExpireTimer(key), 60_000.0) != []
    assert key not in lma.cache.entries


def test_lookup_outcomes_are_an_enum() -> None:
    lma, _ = _registered()
    lookup = lma.cache.lookup_rfc5213(pbu(5.0, hi=1, lli=LLI2, att=8), MAG2)
    assert lookup.outcome is Outcome.NEW and lookup.outcome == "new"
