"""Hypothesis drives the LMA with arbitrary PBUs: it always answers with a PBA or
ignores the PBU on purpose, never raises, and its indexes stay consistent."""

from __future__ import annotations

import os
from ipaddress import IPv6Network

from hypothesis import given, settings
from hypothesis import strategies as st

from pmipviz.protocol.actions import SendPba, StateChange
from pmipviz.protocol.lma import Lma
from pmipviz.protocol.timers import DeleteTimer, ExpireTimer
from tests.protocol.pbu_factory import LLI1, LLI2, MAG1, MAG2, ROGUE, ZERO, make_lma, pbu

MNS = ["mn1@example.org", "mn2@example.org"]
PREFIXES = [ZERO, IPv6Network("2001:db8:100::/64"), IPv6Network("2001:db8:100:1::/64"),
            IPv6Network("2001:db8:1ff::/64")]

pbus = st.builds(
    lambda now, mn, hnps, hi, att, lli, life, off, src, seq: (
        pbu(now, mn=mn, hnps=hnps, hi=hi, att=att, lli=lli, lifetime=life, ts_offset_ms=off,
            seq=seq), src, now),
    st.floats(0, 5000), st.sampled_from([*MNS, None]),
    st.one_of(st.none(), st.lists(st.sampled_from(PREFIXES), min_size=1, max_size=2)
              .map(tuple)),
    st.one_of(st.none(), st.integers(0, 6)), st.one_of(st.none(), st.sampled_from([4, 8])),
    st.sampled_from([LLI1, LLI2, None]), st.sampled_from([0, 40]),
    st.sampled_from([0.0, 0.0, 400.0]), st.sampled_from([MAG1, MAG1, MAG2, ROGUE]),
    st.integers(0, 65535),
)


def check_indexes(lma: Lma) -> None:
    """Every entry is found by its MN and by each of its prefixes, and nothing else is
    (a stale index entry would name a key no longer in ``entries``: KeyError)."""
    cache = lma.cache
    for key, bce in cache.entries.items():
        assert key in [b.key for b in cache.for_mn(bce.mn_id)]
        for p in bce.hnps:
            assert key in [b.key for b in cache.for_prefix(p)]
    assert sum(len(cache.for_mn(mn)) for mn in MNS) == len(cache.entries)
    assert sum(len(cache.for_prefix(p)) for p in PREFIXES) == sum(
        len(b.hnps) for b in cache.entries.values())
    for mn, key in lma.active.items():
        assert cache.entries[key].mn_id == mn and lma.available(cache.entries[key])


@settings(max_examples=int(os.environ.get("PMIPVIZ_EXAMPLES", "150")), deadline=None)
@given(st.sampled_from(["ft", "rfc5213"]), st.lists(pbus, max_size=12))
def test_lma_survives_any_pbu_sequence(mode, sequence) -> None:
    lma = make_lma(mode)
    now = 0.0
    for p, src, t in sorted(sequence, key=lambda x: x[2]):
        now = t
        actions = lma.handle_pbu(p, src, now)
        pbas = [a for a in actions if isinstance(a, SendPba)]
        ignored = [a for a in actions if isinstance(a, StateChange) and a.cause in
                   ("ignore", "wait")]
        assert pbas or ignored, actions
        for a in pbas:
            assert a.pba.seq in (p.seq,) or a.pba.status == 0  # a waiting PBU may be answered
            assert a.pba.p == p.p
        check_indexes(lma)
    for key in list(lma.cache.entries):
        lma.on_timer(ExpireTimer(key), now + 1e9)
        lma.on_timer(DeleteTimer(key), now + 1e9)
    check_indexes(lma)
    assert len(lma.cache) == 0
