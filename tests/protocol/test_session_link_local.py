"""Issue 10 item 5 in the LMA and the MAG as plain function calls: the session's
link-local address (RFC 5213 §5.1, §6.8, §6.9.1.2) and the §5.1 timestamp."""

from __future__ import annotations

from ipaddress import IPv6Address

import pytest

from pmipviz.protocol.actions import SendPba, SendPbu, SendRa
from pmipviz.protocol.constants import SIM_EPOCH_S, Status
from pmipviz.protocol.lma import reception_time, session_link_local
from pmipviz.protocol.mag import Mag, MagConfig
from pmipviz.protocol.messages import Pba
from pmipviz.protocol.options import ALL_ZERO_ADDRESS, LinkLocalOption, TimestampOption
from tests.protocol.pbu_factory import LLI2, MAG1, MAG2, make_lma, pbu

ZERO_LL = (LinkLocalOption(ALL_ZERO_ADDRESS),)


def _pba(actions: list) -> Pba:
    (send,) = [a for a in actions if isinstance(a, SendPba)]
    return send.pba


def test_session_link_local_is_fe80_5213_and_unique_per_session() -> None:
    assert session_link_local(1) == IPv6Address("fe80::5213:0:1")
    assert session_link_local(0x1234ABCD) == IPv6Address("fe80::5213:1234:abcd")
    assert len({session_link_local(n) for n in range(1, 1000)}) == 999
    assert all(session_link_local(n).is_link_local for n in (1, 2**32 - 1))


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_lma_generates_the_link_local_and_returns_it_to_every_mag(mode: str) -> None:
    """The initial PBU asks with ALL_ZERO; the LMA generates the session's address, stores
    it and answers with it; a handoff PBU (HI=3, ALL_ZERO, from MAG2) gets the same one,
    and so does a PBU carrying another (NON_ZERO) value: the session's is the LMA's."""
    lma = make_lma(mode)
    first = _pba(lma.handle_pbu(pbu(0.0, extra=ZERO_LL), MAG1, 0.0))
    (bce,) = lma.cache.entries.values()
    assert bce.link_local == session_link_local(bce.created) == first.link_local
    assert first.link_local != ALL_ZERO_ADDRESS
    hnps = bce.hnps
    moved = _pba(lma.handle_pbu(pbu(100.0, seq=1, hi=3, hnps=hnps, extra=ZERO_LL), MAG2,
                                100.0))
    assert moved.accepted and moved.link_local == first.link_local
    other = (LinkLocalOption(IPv6Address("fe80::a:9")),)
    again = _pba(lma.handle_pbu(pbu(200.0, seq=2, hi=5, hnps=hnps, extra=other), MAG2,
                                200.0))
    assert again.accepted and again.link_local == first.link_local == bce.link_local


def test_a_second_session_gets_another_link_local() -> None:
    lma = make_lma("rfc5213")
    a = _pba(lma.handle_pbu(pbu(0.0, extra=ZERO_LL), MAG1, 0.0))
    b = _pba(lma.handle_pbu(pbu(0.0, lli=LLI2, extra=ZERO_LL), MAG2, 0.0))
    assert a.link_local != b.link_local


def test_no_link_local_option_in_the_pbu_none_in_the_pba() -> None:
    """§5.3.6: the PBA carries the Link-local Address option only if the PBU did."""
    lma = make_lma("rfc5213")
    pba = _pba(lma.handle_pbu(pbu(0.0), MAG1, 0.0))
    assert pba.accepted and pba.link_local is None
    assert next(iter(lma.cache.entries.values())).link_local == session_link_local(1)


def test_a_rejection_copies_the_pbu_option() -> None:
    lma = make_lma("rfc5213", known={"mn1@example.org"})
    pba = _pba(lma.handle_pbu(pbu(0.0, mn="x@example.org", extra=ZERO_LL), MAG1, 0.0))
    assert pba.status == Status.NOT_LMA_FOR_THIS_MOBILE_NODE
    assert pba.link_local == ALL_ZERO_ADDRESS


def test_bce_timestamp_is_the_lma_time_of_reception() -> None:
    """§5.1: a PBU stamped at 10 ms that reaches the LMA at 17 ms: the entry's timestamp
    is 17 ms in the 48.16 format, the PBU's own (what §5.5 compares) 10 ms."""
    lma = make_lma("rfc5213")
    lma.handle_pbu(pbu(10.0), MAG1, 17.0)
    (bce,) = lma.cache.entries.values()
    assert bce.timestamp == reception_time(17.0) == \
        TimestampOption.from_seconds(SIM_EPOCH_S + 0.017).value
    assert bce.pbu_timestamp == TimestampOption.from_seconds(SIM_EPOCH_S + 0.010).value
    assert bce.row()["timestamp"] == bce.timestamp
    assert bce.row()["pbu_timestamp"] == bce.pbu_timestamp


def test_157_compares_with_the_accepted_pbus_timestamp_not_the_reception_time() -> None:
    """A PBU stamped 12 ms, after the accepted one (10 ms) but before the LMA received
    that one (17 ms), is newer: accepted. Then one stamped 12 ms again (equal to the last
    accepted) or 11 ms is not: 157."""
    lma = make_lma("rfc5213")
    lma.handle_pbu(pbu(10.0), MAG1, 17.0)
    hnps = next(iter(lma.cache.entries.values())).hnps
    newer = _pba(lma.handle_pbu(pbu(12.0, seq=2, hi=5, hnps=hnps), MAG1, 18.0))
    assert newer.accepted
    for stamp in (12.0, 11.0):
        old = _pba(lma.handle_pbu(pbu(stamp, seq=3, hi=5, hnps=hnps), MAG1, 19.0))
        assert old.status == Status.TIMESTAMP_LOWER_THAN_PREV_ACCEPTED


def _mag() -> Mag:
    return Mag(MagConfig(name="MAG1", address=MAG1, lma_address=IPv6Address("2001:db8:ffff::1"),
                         link_local=IPv6Address("fe80::a:1"), mode="rfc5213"))


def test_mag_asks_with_all_zero_adopts_the_pba_value_and_sends_its_ras_from_it() -> None:
    mag = _mag()
    key = "mn1@example.org/IF1"
    (send,) = [a for a in mag.attach(key, "mn1@example.org", bytes(6), 4, 0.0)
               if isinstance(a, SendPbu)]
    assert send.pbu.link_local == ALL_ZERO_ADDRESS
    lma = make_lma("rfc5213")
    pba = _pba(lma.handle_pbu(send.pbu, MAG1, 5.0))
    (ra,) = [a for a in mag.on_pba(pba, 10.0) if isinstance(a, SendRa)]
    assert ra.ra.source == pba.link_local == session_link_local(1)
    assert mag.bul[key].link_local == pba.link_local
    assert mag.bul[key].row()["link_local"] == "fe80::5213:0:1"
    # its next PBU (a re-registration) carries the adopted address
    assert mag._pbu(mag.bul[key], 40, 5, 20.0).link_local == pba.link_local


def test_mag_keeps_its_own_address_when_the_pba_has_none() -> None:
    """A PBA without the option (or with ALL_ZERO): nothing to adopt; the RA goes out
    from the MAG's own link-local address."""
    mag = _mag()
    key = "mn1@example.org/IF1"
    (send,) = [a for a in mag.attach(key, "mn1@example.org", bytes(6), 4, 0.0)
               if isinstance(a, SendPbu)]
    pba = Pba(status=0, seq=send.pbu.seq, lifetime_s=40,
              options=tuple(o for o in _pba(make_lma("rfc5213").handle_pbu(
                  send.pbu, MAG1, 5.0)).options if not isinstance(o, LinkLocalOption)))
    (ra,) = [a for a in mag.on_pba(pba, 10.0) if isinstance(a, SendRa)]
    assert ra.ra.source == IPv6Address("fe80::a:1") and mag.bul[key].link_local is None
