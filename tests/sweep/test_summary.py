"""The summary's statistics across seeds."""

from __future__ import annotations

import pytest

from pmipviz.sweep.summary import stats, summarize


def test_stats_across_seeds() -> None:
    st = stats([4, None, 1, 3, 2, 10])
    assert st is not None
    assert (st.n, st.mean, st.med, st.min, st.max) == (5, 4.0, 3.0, 1.0, 10.0)
    assert st.p95 == pytest.approx(8.8)  # between the two largest: 4 + 0.8 * (10 - 4)
    assert stats([None, None]) is None
    one = stats([7])
    assert one is not None and one.p95 == one.med == 7.0


def test_grouped_by_point_with_each_mode() -> None:
    rows = [{"p": p, "seed": s, "mode": m, "lost": p * 10 + s + (m == "rfc5213") * 100}
            for p in (1, 2) for s in (1, 2, 3) for m in ("ft", "rfc5213")]
    out = summarize(rows, ["p"], ["ft", "rfc5213"], ["lost"])
    assert [(point, metric) for point, metric, _ in out] == [((1,), "lost"), ((2,), "lost")]
    by_mode = out[1][2]
    ft, rfc = by_mode["ft"], by_mode["rfc5213"]
    assert ft is not None and rfc is not None
    assert (ft.min, ft.max, rfc.mean) == (21.0, 23.0, 122.0)
