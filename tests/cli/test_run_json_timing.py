"""`run --json` keeps its run-to-run values apart (issue 11, defect 5): ``timing``
holds the wall-clock values, so that two runs of the same scenario and seed compare
equal once ``timing`` and its legacy top-level copies are dropped."""

from __future__ import annotations

import json

from pmipviz.cli import main
from pmipviz.sim.metrics import RUN_TO_RUN


def _run_json(capsys, *args: str) -> dict:
    assert main(["run", "figure1", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_timing_holds_the_run_to_run_values_and_the_old_keys_stay(capsys) -> None:
    doc = _run_json(capsys)
    assert set(doc["timing"]) == {"wall_s", "events_per_s"}
    assert doc["timing"]["wall_s"] == doc["wall_s"] > 0
    assert doc["timing"]["events_per_s"] == doc["events_per_s"] > 0
    assert list(doc)[-1] == "timing"
    assert set(RUN_TO_RUN) == {"timing", "wall_s", "events_per_s"}


def test_two_runs_compare_equal_without_the_run_to_run_values(capsys) -> None:
    first, second = _run_json(capsys), _run_json(capsys)
    for key in RUN_TO_RUN:
        first.pop(key)
        second.pop(key)
    assert first == second
    assert first["delivered"] == 200
