"""A sweep of a scenario with an uplink flow: each handover gets an
``uplink_interruption_ms`` column (the CN's deliveries), the summary and ``--y`` name it;
a downlink-only sweep's columns are what they were."""

from __future__ import annotations

import pytest

from pmipviz.scenario import load_scenario
from pmipviz.sweep.errors import SweepError
from pmipviz.sweep.plot import _metric_column
from pmipviz.sweep.runs import metric_columns, run_metrics
from pmipviz.sweep.summary import _label, summary_metrics
from tests.sim.traces import SCENARIOS


def test_uplink_scenario_rows_have_the_uplink_interruption() -> None:
    sc = load_scenario(SCENARIOS / "two-way-break.toml")
    columns = metric_columns(sc)
    assert columns[-3:] == ["handovers[0].reordered", "handovers[0].uplink_interruption_ms",
                            "events"]
    row = run_metrics(sc, "ft", 1, None)
    assert list(row) == columns
    assert row["handovers[0].interruption_ms"] == 36.0  # the downlink flow's, as figure1's
    assert row["handovers[0].uplink_interruption_ms"] == 21.0
    metrics = summary_metrics(columns)
    assert [_label(m, metrics) for m in metrics[-2:]] == ["interruption_ms",
                                                          "uplink_interruption_ms"]
    assert _metric_column("uplink_interruption_ms", columns) == \
        "handovers[0].uplink_interruption_ms"
    assert _metric_column("interruption_ms", columns) == "handovers[0].interruption_ms"


def test_downlink_sweep_columns_unchanged() -> None:
    columns = metric_columns(load_scenario("figure1"))
    assert [c for c in columns if c.startswith("handovers[")] == [
        "handovers[0].interruption_ms", "handovers[0].lost", "handovers[0].reordered"]


def test_unknown_y_lists_one_interruption_per_handover() -> None:
    """The list of known metrics used to count every handover column (interruption,
    lost, reordered) as a handover: figure1's one handover read ``interruption_ms[0..2]``."""
    with pytest.raises(SweepError) as err:
        _metric_column("bogus", metric_columns(load_scenario("figure1")))
    assert str(err.value).endswith("events, interruption_ms)")


def test_uplink_interruption_is_typed_as_a_time() -> None:
    """.parquet's schema: the uplink interruption is float64, as the downlink one."""
    from pmipviz.sweep.runs import metric_kind

    assert metric_kind("handovers[0].uplink_interruption_ms") is float
    assert metric_kind("handovers[0].interruption_ms") is float
    assert metric_kind("handovers[0].lost") is int
