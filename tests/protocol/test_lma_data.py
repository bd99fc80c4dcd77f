"""The LMA's data-plane handler (``Lma.data``): one ``Forward`` down the tunnel of the
entry that routes the packet's prefix, or one ``Drop`` with the route's reason and
rule. It writes ``route_p64`` out again for speed, so here the two must agree in every
state a prefix can be in, in both modes."""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network

from pmipviz.protocol.actions import Drop, Forward
from pmipviz.protocol.lma import Lma
from pmipviz.protocol.messages import DataPacket
from pmipviz.protocol.why import Why
from tests.protocol.pbu_factory import LLI2, MAG1, MAG2, make_lma, pbu

CN = IPv6Address("2001:db8:cafe::1")


def _packet(n: int, dst: IPv6Address) -> DataPacket:
    return DataPacket(n, 0, n, CN, dst, 100, 0.0)


def _agrees(lma: Lma, dst: IPv6Address) -> Forward | Drop:
    """``data`` says what ``route`` says; the action it returned."""
    action = lma.data(_packet(7, dst))
    bce, reason = lma.route(dst)
    if bce is None:
        assert isinstance(action, Drop) and action.reason == reason
        assert action.why == (Why.DATA_DROP, 7, dst, reason)
    else:
        assert isinstance(action, Forward) and action.to == bce.mag
        assert action.why == (Why.DATA_TUNNEL, False, 7, bce.mag, bce.tunnel)
        assert action.ref == "RFC 5213 §5.6.2"
    return action


def _hnp(lma: Lma) -> IPv6Network:
    return next(iter(lma.cache.entries.values())).hnps[0]


def test_rfc5213_forward_hold_and_no_binding() -> None:
    lma = make_lma()
    stranger = IPv6Address("2001:db8:999::1")
    assert isinstance(_agrees(lma, stranger), Drop)  # nothing registered
    lma.handle_pbu(pbu(0.0), MAG1, 0.0)
    addr = _hnp(lma).network_address + 5
    assert isinstance(_agrees(lma, addr), Forward)
    assert isinstance(_agrees(lma, stranger), Drop)
    lma.handle_pbu(pbu(100.0, seq=2, hnps=(_hnp(lma),), hi=4, lifetime=0), MAG1, 100.0)
    held = _agrees(lma, addr)
    assert isinstance(held, Drop) and held.reason == "dereg_hold"
    assert held.ref == "RFC 5213 §5.3.5"  # MinDelayBeforeBCEDelete


def test_ft_follows_the_entry_with_s1_then_drops() -> None:
    lma = make_lma("ft")
    lma.handle_pbu(pbu(0.0), MAG1, 0.0)
    lma.handle_pbu(pbu(10.0, seq=2, lli=LLI2, att=8), MAG2, 10.0)
    hnp = _hnp(lma)
    addr = hnp.network_address + 5
    first = _agrees(lma, addr)
    assert isinstance(first, Forward) and first.to == "MAG1"
    lma.handle_pbu(pbu(100.0, seq=3, hnps=(hnp,), hi=4, lifetime=0), MAG1, 100.0)
    moved = _agrees(lma, addr)
    assert isinstance(moved, Forward) and moved.to == "MAG2"
    lma.handle_pbu(pbu(200.0, seq=4, hnps=(hnp,), hi=4, lifetime=0, lli=LLI2, att=8), MAG2,
                   200.0)
    gone = _agrees(lma, addr)
    assert isinstance(gone, Drop) and gone.reason == "no_binding"
    assert gone.ref == "RFC 5213 §5.6.2"


def test_a_cached_packet_says_so() -> None:
    lma = make_lma()
    lma.handle_pbu(pbu(0.0), MAG1, 0.0)
    pkt = _packet(3, _hnp(lma).network_address + 5)
    pkt.cached = True
    action = lma.data(pkt)
    assert isinstance(action, Forward) and action.why[1] is True
