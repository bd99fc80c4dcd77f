"""The MAG as plain function calls: attachment, PBA, retransmission, detection,
de-registration, and the draft's cache."""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network

from pmipviz.protocol.actions import (
    Cache,
    Drop,
    Forward,
    SendPbu,
    SendRa,
    StartTimer,
    Uncache,
)
from pmipviz.protocol.mag import Mag, MagConfig
from pmipviz.protocol.messages import DataPacket, Pba
from pmipviz.protocol.options import HnpOption, MnIdOption
from pmipviz.protocol.state_tables import BulState
from pmipviz.protocol.timers import (
    DeleteTimer,
    DetectTimer,
    ExpireTimer,
    ReregTimer,
    RetxTimer,
    WaitTimer,
)

KEY = "mn1@example.org/IF1"
LLI = bytes.fromhex("020000000101")
HNP = IPv6Network("2001:db8:100::/64")


def make_mag(mode: str = "ft", buffer: int = 2) -> Mag:
    return Mag(MagConfig(name="MAG1", address=IPv6Address("2001:db8:ffff::11"),
                         lma_address=IPv6Address("2001:db8:ffff::1"),
                         link_local=IPv6Address("fe80::a:1"), mode=mode, buffer_packets=buffer))


def sent_pbu(actions):
    return next(a.pbu for a in actions if isinstance(a, SendPbu))


def accept(mag: Mag, seq: int, now: float, lifetime: int = 40):
    pba = Pba(status=0, seq=seq, lifetime_s=lifetime,
              options=(MnIdOption("mn1@example.org"), HnpOption(HNP)))
    return mag.on_pba(pba, now)


def registered(mode: str = "ft", buffer: int = 2) -> Mag:
    mag = make_mag(mode, buffer)
    pbu = sent_pbu(mag.attach(KEY, "mn1@example.org", LLI, 4, 0.0))
    accept(mag, pbu.seq, 10.0)
    return mag


def packet(n: int) -> DataPacket:
    return DataPacket(n, 0, n, IPv6Address("2001:db8:cafe::1"), HNP.network_address + 5, 100,
                      0.0)


def test_attach_sends_a_pbu_with_p_a_hi1_and_every_option() -> None:
    actions = make_mag().attach(KEY, "mn1@example.org", LLI, 4, 0.0)
    pbu = sent_pbu(actions)
    assert pbu.p and pbu.a and pbu.hi == 1 and pbu.att == 4 and pbu.mn_lli == LLI
    assert pbu.mn_id == "mn1@example.org" and pbu.timestamp is not None
    assert pbu.has_hnp_option and not pbu.nonzero_hnps  # ALL_ZERO: "assign one"
    assert any(isinstance(a, StartTimer) and a.delay_ms == 1000.0 for a in actions)


def test_pba_registers_and_advertises_the_prefix() -> None:
    mag = make_mag()
    pbu = sent_pbu(mag.attach(KEY, "mn1@example.org", LLI, 4, 0.0))
    actions = accept(mag, pbu.seq, 10.0)
    ra = next(a.ra for a in actions if isinstance(a, SendRa))
    assert ra.hnps == (HNP,)
    assert mag.bul[KEY].state == "registered"
    rereg = next(a for a in actions if isinstance(a, StartTimer))
    assert rereg.delay_ms == 32_000.0  # 80% of 40 s
    again = mag.on_timer(rereg.timer, 32_010.0)
    assert sent_pbu(again).hi == 5 and sent_pbu(again).hnps == (HNP,)


def test_retransmission_backs_off_and_gives_up() -> None:
    mag = make_mag()
    actions = mag.attach(KEY, "mn1@example.org", LLI, 4, 0.0)
    delays, seqs = [], []
    now = 0.0
    while True:
        timer = next((a for a in actions if isinstance(a, StartTimer)), None)
        if timer is None:
            break
        delays.append(timer.delay_ms)
        now += timer.delay_ms
        actions = mag.on_timer(timer.timer, now)
        seqs += [a.pbu.seq for a in actions if isinstance(a, SendPbu)]
    assert delays == [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0]
    assert len(set(seqs)) == len(seqs)  # every retransmission has a new sequence number
    assert mag.bul[KEY].state == "rejected"


def test_failure_is_detected_after_detection_ms_then_dereg_hi4() -> None:
    mag = registered()
    actions = mag.link_down(KEY, 1000.0)
    timer = next(a for a in actions if isinstance(a, StartTimer))
    assert timer.delay_ms == 20.0
    dereg = sent_pbu(mag.on_timer(timer.timer, 1020.0))
    assert dereg.lifetime_s == 0 and dereg.hi == 4 and dereg.hnps == (HNP,)


def test_ft_caches_until_full_then_overflows_and_flushes_after_the_pba() -> None:
    mag = registered("ft", buffer=2)
    mag.link_down(KEY, 1000.0)
    results = [mag.downlink(packet(n), 1001.0 + n)[0] for n in range(3)]
    assert [type(r) for r in results] == [Cache, Cache, Drop]
    assert results[2].reason == "buffer_overflow"  # type: ignore[union-attr]
    dereg = sent_pbu(mag.on_timer(DetectTimer(KEY), 1020.0))
    actions = accept(mag, dereg.seq, 1030.0, lifetime=0)
    out = [a for a in actions if isinstance(a, Uncache | Forward)]
    assert [type(a) for a in out] == [Uncache, Forward, Uncache, Forward]
    assert all(a.to == "LMA" and a.packet.cached for a in out if isinstance(a, Forward))
    assert [a.occupancy for a in out if isinstance(a, Uncache)] == [1, 0]
    assert KEY not in mag.bul and len(mag.cache) == 0
    # later packets for that prefix are sent back up, never lost at MAG1
    late = mag.downlink(packet(9), 1040.0)
    assert isinstance(late[0], Forward) and late[0].to == "LMA"


def test_rfc5213_drops_what_it_cannot_deliver() -> None:
    mag = registered("rfc5213")
    mag.link_down(KEY, 1000.0)
    (drop,) = mag.downlink(packet(1), 1001.0)
    assert isinstance(drop, Drop) and drop.reason == "link_down"


def test_dereg_without_pba_removes_the_binding_after_the_timeout() -> None:
    mag = registered("ft")
    mag.link_down(KEY, 1000.0)
    mag.downlink(packet(1), 1001.0)
    actions = mag.on_timer(DetectTimer(KEY), 1020.0)
    timer = next(a for a in actions if isinstance(a, StartTimer))
    out = mag.on_timer(timer.timer, 2020.0)  # INITIAL_BINDACK_TIMEOUT, no retransmission
    assert not any(isinstance(a, SendPbu) for a in out)
    assert any(isinstance(a, Forward) and a.packet.cached for a in out)
    assert KEY not in mag.bul


def test_link_back_before_detection_delivers_the_cache() -> None:
    mag = registered("ft")
    mag.link_down(KEY, 1000.0)
    mag.downlink(packet(1), 1001.0)
    actions = mag.link_up(KEY, 1010.0)
    fwd = [a for a in actions if isinstance(a, Forward)]
    assert [a.to for a in fwd] == [KEY]
    assert mag.on_timer(DetectTimer(KEY), 1020.0) == []


def test_no_binding_is_dropped() -> None:
    (drop,) = make_mag().downlink(packet(1), 0.0)
    assert isinstance(drop, Drop) and drop.reason == "no_binding"


# -- timers: named fields, dispatched by type, stale ones do nothing ------------------------

def _timers(actions: list) -> list:
    return [a.timer for a in actions if isinstance(a, StartTimer)]


def test_stale_timers_do_nothing() -> None:
    mag = make_mag()
    first = mag.attach(KEY, "mn1@example.org", LLI, 4, 0.0)
    (retx,) = _timers(first)
    assert retx == RetxTimer(KEY, sent_pbu(first).seq)
    (retx2,) = _timers(mag.on_timer(retx, 1000.0))  # the retransmission has a new number
    assert retx2.key == KEY and retx2.seq != retx.seq
    assert mag.on_timer(retx, 3000.0) == []  # stale: its PBU was superseded
    (rereg,) = _timers(accept(mag, retx2.seq, 1010.0))
    assert rereg == ReregTimer(KEY, registered_ms=1010.0)
    assert mag.on_timer(retx2, 3010.0) == []  # stale: the entry is registered
    assert mag.on_timer(ReregTimer(KEY, 5.0), 40_000.0) == []  # another registration's
    assert mag.on_timer(DetectTimer(KEY), 40_000.0) == []  # the link is up
    assert mag.bul[KEY].state is BulState.REGISTERED
    assert sent_pbu(mag.on_timer(rereg, 33_010.0)).hi == 5
    assert mag.bul[KEY].state is BulState.REGISTERING


def test_the_lmas_timers_do_nothing_at_a_mag() -> None:
    mag = registered()
    mag.link_down(KEY, 1000.0)
    for timer in (ExpireTimer(KEY), DeleteTimer(KEY), WaitTimer(KEY)):
        assert mag.on_timer(timer, 1020.0) == []
    assert not mag.bul[KEY].detected and mag.bul[KEY].state is BulState.REGISTERED
