"""Issue 10 item 7 in a study: ``--vary scenario.rfc5213_handoff=none,hi2`` with
``--mode ft,rfc5213`` puts the three behaviours of one failure side by side (ft; rfc5213
without a handoff, the baseline; rfc5213 with the HI=2 handoff)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmipviz.cli import main
from pmipviz.sweep import SweepError
from pmipviz.sweep.grid import build_study
from pmipviz.sweep.params import parse_vary, resolve
from pmipviz.sweep.parquet import value_kind


def test_the_key_is_a_word_parameter() -> None:
    data = {"scenario": {"rfc5213_handoff": "none"}}
    assert [t.key for t in resolve("scenario.rfc5213_handoff", data)] == ["rfc5213_handoff"]
    p = parse_vary("scenario.rfc5213_handoff=none, hi2", data)
    assert p.values == ("none", "hi2")
    assert value_kind(p.values) is str
    with pytest.raises(SweepError, match="'hi3' is not one of: none, hi2"):
        parse_vary("scenario.rfc5213_handoff=none,hi3", data)
    with pytest.raises(SweepError, match="listed twice"):
        parse_vary("scenario.rfc5213_handoff=hi2,hi2", data)


def test_points_carry_the_setting() -> None:
    study = build_study("figure1", ["scenario.rfc5213_handoff=none,hi2"], (1,),
                        ("ft", "rfc5213"))
    assert [s.rfc5213_handoff for s in study.scenarios] == ["none", "hi2"]


def test_a_study_compares_the_three_behaviours(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "rows.csv"
    assert main(["sweep", "figure1", "--vary", "scenario.rfc5213_handoff=none,hi2",
                 "--mode", "ft,rfc5213", "--workers", "1", "--no-summary",
                 "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    got = {(r["scenario.rfc5213_handoff"], r["mode"]):
           (r["lost"], r["handovers[0].interruption_ms"]) for r in rows}
    assert got == {
        ("none", "ft"): ("0", "36.0"), ("hi2", "ft"): ("0", "36.0"),  # ft ignores it
        ("none", "rfc5213"): ("151", ""),  # the baseline: no new path, lost to the end
        ("hi2", "rfc5213"): ("1", "16.0"),  # HI=2: n=49 lost at MAG1, IF2 from 1016 ms
    }
