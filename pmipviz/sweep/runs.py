"""One run of a sweep, metrics only, as the flat metric columns of its row; and the
batch of runs a worker takes at once (the function every executor is given)."""

from __future__ import annotations

from typing import Any

from pmipviz.protocol.vocab import Reason
from pmipviz.scenario.model import Scenario
from pmipviz.sim.headless import run

REASONS = tuple(r.value for r in Reason)
HANDOVER_KEYS = ("interruption_ms", "lost", "reordered")  # the columns of each handover


def handover_count(scenario: Scenario) -> int:
    """How many handovers a run of ``scenario`` can have (its break and move faults):
    the number of ``handovers[i]`` columns."""
    return sum(f.action in ("break", "move") for f in scenario.faults)


def metric_columns(scenario: Scenario) -> list[str]:
    """The metric columns of a row, in order, for the base scenario of a sweep (the
    MAGs and faults, so the columns, are the same at every point)."""
    return [
        "sent", "delivered", "lost", "queued",
        *(f"lost_by_reason.{r}" for r in REASONS),
        "reordered", "duplicated", "max_gap_ms", "peak_cache",
        *(f"buffer_peak.{m.name}" for m in scenario.mags),
        *(f"handovers[{i}].{key}" for i in range(handover_count(scenario))
          for key in HANDOVER_KEYS),
        "events",
    ]


def metric_kind(column: str) -> type:
    """The type of a metric column's values (a typed output's schema, fixed whatever the
    values): float for the times, ``max_gap_ms`` and each handover's ``interruption_ms``,
    int for the counts (an empty cell is a null of that type)."""
    times = column == "max_gap_ms" or (column.startswith("handovers[")
                                       and column.endswith(".interruption_ms"))
    return float if times else int


def run_metrics(scenario: Scenario, mode: str, seed: int,
                until_ms: float | None) -> dict[str, Any]:
    """One headless run (metrics only: no sentences, no sink, no trace kept, no step
    tagged, no DATA field the metrics do not read: ``MetricsOnlyWorld``) as the metric
    columns of its row; ``run --json`` has the same numbers."""
    metrics, _world = run(scenario, mode=mode, seed=seed, until_ms=until_ms,
                          metrics_only=True)
    doc = metrics.to_dict()
    lost = doc["lost_by_reason"]
    gaps = [f["max_gap_ms"] for f in doc["flows"]]
    peaks = doc["buffer_peak"]
    row: dict[str, Any] = {key: doc[key] for key in ("sent", "delivered", "lost", "queued")}
    row.update({f"lost_by_reason.{r}": lost.get(r, 0) for r in REASONS})
    row["reordered"] = doc["reordered"]
    row["duplicated"] = doc["duplicated"]
    row["max_gap_ms"] = max(gaps) if gaps else None
    row["peak_cache"] = max(peaks.values()) if peaks else 0
    row.update({f"buffer_peak.{name}": n for name, n in peaks.items()})
    handovers = doc["handovers"]
    for i in range(handover_count(scenario)):
        for key in HANDOVER_KEYS:
            row[f"handovers[{i}].{key}"] = handovers[i][key] if i < len(handovers) else None
    row["events"] = doc["events"]
    return row


Batch = list[tuple[Scenario, str, int, "float | None"]]


def run_batch(batch: Batch) -> list[dict[str, Any]]:
    """The metric columns of each run of ``batch`` (scenario, mode, seed, until), in
    order: what a worker (a process of the pool, a Dask worker) computes."""
    return [run_metrics(scenario, mode, seed, until) for scenario, mode, seed, until in batch]


def ignore_sigint() -> None:
    """A pool worker's initializer: Ctrl-C stops the sweep in the parent, which keeps the
    rows finished so far; the workers finish their batch or are shut down."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
