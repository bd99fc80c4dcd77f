"""Issue 10 item 1, the MAG's delivery rule as plain function calls: a packet goes to the
interface that owns its destination address when that one is attached and up; only when
none is, to another interface of the MN in the prefix (and the note says which rule)."""

from __future__ import annotations

from ipaddress import IPv6Address

from pmipviz.protocol.actions import Forward, Uncache
from pmipviz.protocol.mag import FORWARD_REF, OWNER_REF, Mag
from pmipviz.protocol.messages import DataPacket
from pmipviz.protocol.why import Why
from tests.protocol.test_mag import HNP, accept, make_mag, sent_pbu

MN = "mn1@example.org"
IF1, IF2 = f"{MN}/IF1", f"{MN}/IF2"
IID1, IID2 = 0x0000_00FF_FE00_0101, 0x0000_00FF_FE00_0102


def two_on_one_mag(buffer: int = 8) -> Mag:
    """IF1 then IF2 of one MN attached to MAG1, both registered with the shared HNP."""
    mag = make_mag("ft", buffer)
    for key, iid, lli in ((IF1, IID1, "020000000101"), (IF2, IID2, "020000000102")):
        pbu = sent_pbu(mag.attach(key, MN, bytes.fromhex(lli), 4, 0.0, iid=iid))
        accept(mag, pbu.seq, 10.0)
    return mag


def to(iid: int, n: int = 1) -> DataPacket:
    return DataPacket(n, 0, n, IPv6Address("2001:db8:cafe::1"),
                      IPv6Address(int(HNP.network_address) | iid), 100, 0.0)


def forwards(actions: list) -> list[tuple[str, str, str]]:
    return [(a.to, a.why[0], a.ref) for a in actions if isinstance(a, Forward)]


def test_each_packet_goes_to_its_owner() -> None:
    mag = two_on_one_mag()
    assert forwards(mag.downlink(to(IID1), 20.0)) == [(IF1, Why.FORWARD_OWNER, OWNER_REF)]
    assert forwards(mag.downlink(to(IID2), 20.0)) == [(IF2, Why.FORWARD_OWNER, OWNER_REF)]


def test_fallback_to_a_sibling_when_the_owner_is_down_or_absent() -> None:
    mag = two_on_one_mag()
    mag.link_down(IF2, 30.0)
    (a,) = [a for a in mag.downlink(to(IID2), 31.0) if isinstance(a, Forward)]
    assert (a.to, a.why[0], a.ref) == (IF1, Why.FORWARD_SIBLING, FORWARD_REF)
    assert a.why[4] == IF2  # the owner, down
    # an address no interface here owns: the fallback, with no owner to name
    (b,) = [a for a in mag.downlink(to(0x99), 31.0) if isinstance(a, Forward)]
    assert (b.to, b.why[0], b.why[4]) == (IF1, Why.FORWARD_SIBLING, None)


def test_alone_on_its_mag_the_owner_gets_the_plain_note() -> None:
    mag = make_mag("ft")
    accept(mag, sent_pbu(mag.attach(IF1, MN, bytes.fromhex("020000000101"), 4, 0.0,
                                    iid=IID1)).seq, 10.0)
    assert forwards(mag.downlink(to(IID1), 20.0)) == [(IF1, Why.FORWARD, FORWARD_REF)]


def test_a_flushed_cache_goes_to_each_packets_owner() -> None:
    """IF1 and IF2 down, packets for both cached; IF2 comes back, IF1 is removed: its
    packets go to IF2 (the sibling), and so do IF2's own."""
    mag = two_on_one_mag()
    mag.link_down(IF1, 30.0)
    mag.link_down(IF2, 30.0)
    mag.downlink(to(IID1, 1), 31.0)
    mag.downlink(to(IID2, 2), 31.0)
    assert [c.iface for c in mag.cache] == [IF1, IF2]  # each under its owner's entry
    out = mag.link_up(IF2, 32.0)
    assert [(a.to, a.packet.n) for a in out if isinstance(a, Uncache)] == [(IF2, 2)]
    entry = mag.bul[IF1]
    flushed = mag._flush_up(entry)
    assert [(a.to, a.packet.n) for a in flushed if isinstance(a, Forward)] == [(IF2, 1)]
