"""A MAG with many interfaces: a PBA is matched to its BUL entry by an index, not a
scan of the BUL (which made registering N interfaces on one MAG O(N^2))."""

from __future__ import annotations

from pmipviz.protocol.mag import Mag
from pmipviz.protocol.messages import Pba
from pmipviz.protocol.options import HnpOption, MnIdOption
from pmipviz.protocol.why import Why
from tests.protocol.test_mag import HNP, make_mag, sent_pbu


def attach(mag: Mag, i: int) -> int:
    """Attach interface ``i`` (its own MN); the sequence number of its PBU."""
    lli = bytes.fromhex(f"0200{i:08x}")
    return sent_pbu(mag.attach(f"mn{i}@x/IF1", f"mn{i}@x", lli, 4, 0.0)).seq


def pba(seq: int, i: int) -> Pba:
    return Pba(status=0, seq=seq, lifetime_s=40, options=(MnIdOption(f"mn{i}@x"),
                                                          HnpOption(HNP)))


def test_matching_a_pba_does_not_grow_with_the_bul(lines_run) -> None:
    def work(n: int) -> int:
        mag = make_mag()
        seqs = [attach(mag, i) for i in range(n)]
        answer = pba(seqs[-1], n - 1)
        return lines_run(lambda: mag.on_pba(answer, 10.0))

    small, large = work(10), work(1000)
    assert large <= small + 5, (small, large)  # the scan cost ~1 line per entry


def test_a_pba_answers_the_first_entry_when_sequence_numbers_wrapped() -> None:
    """Two entries share a number only after 65,536 PBUs: the first in BUL order is
    answered, as the scan did."""
    mag = make_mag()
    first = attach(mag, 0)
    mag._seq = first - 1  # the 16-bit counter came round again
    assert attach(mag, 1) == first
    mag.on_pba(pba(first, 0), 10.0)
    assert mag.bul["mn0@x/IF1"].state == "registered"
    assert mag.bul["mn1@x/IF1"].state == "registering"


def test_a_removed_entry_is_not_answered() -> None:
    mag = make_mag()
    seq = attach(mag, 0)
    mag.on_pba(pba(seq, 0), 10.0)
    mag.link_down("mn0@x/IF1", 20.0)
    assert mag.bul["mn0@x/IF1"].seq == seq != 99  # an entry, with a number of its own
    actions = mag.on_pba(pba(99, 0), 30.0)
    assert actions[0].why[:3] == (Why.IGNORE_PBA, "MAG1", 99)  # type: ignore[union-attr]


def test_after_wrap_around_a_pba_is_still_matched_without_a_scan(lines_run) -> None:
    """Past 65,535 PBUs two entries can share a number (100,000 interfaces on one MAG
    do): picking the first of them must not scan the BUL either."""
    def work(n: int) -> int:
        mag = make_mag()
        seqs = [attach(mag, i) for i in range(n)]
        mag._seq = seqs[-1] - 1  # the 16-bit counter came round again
        assert attach(mag, n) == seqs[-1]  # the last two entries share a number
        answer = pba(seqs[-1], n - 1)
        return lines_run(lambda: mag.on_pba(answer, 10.0))

    small, large = work(10), work(1000)
    assert large <= small + 5, (small, large)
