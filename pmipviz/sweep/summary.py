"""The summary of a sweep: for each parameter point and metric, the mean, median, 95th
percentile, minimum and maximum across seeds, the modes side by side."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SUMMARY_METRICS = ("lost", "reordered", "duplicated", "max_gap_ms", "peak_cache")
STATS = ("mean", "med", "p95", "min", "max")  # the median as "med": 80 columns


@dataclass(frozen=True)
class Stats:
    """Statistics of one metric over the seeds of one point and mode."""

    n: int
    mean: float
    med: float
    p95: float
    min: float
    max: float


def stats(values: Sequence[float | None]) -> Stats | None:
    """The statistics of the values that are not None (None when none is)."""
    xs = sorted(float(v) for v in values if v is not None)
    if not xs:
        return None
    return Stats(len(xs), statistics.fmean(xs), statistics.median(xs), p95(xs), xs[0], xs[-1])


def p95(sorted_xs: Sequence[float]) -> float:
    """The 95th percentile, interpolated between the closest ranks (as numpy's default)."""
    if len(sorted_xs) == 1:
        return sorted_xs[0]
    pos = 0.95 * (len(sorted_xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def summary_metrics(columns: Sequence[str]) -> list[str]:
    """The metrics the summary shows: the main counters and each handover's interruption."""
    return [*SUMMARY_METRICS, *(c for c in columns if c.startswith("handovers[") and c.endswith(
        (".interruption_ms", ".uplink_interruption_ms")))]


def summarize(rows: Sequence[dict[str, Any]], keys: Sequence[str], modes: Sequence[str],
              metrics: Sequence[str]) -> list[tuple[tuple[Any, ...], str, dict[str, Stats | None]]]:
    """``(point, metric, {mode: stats})`` for every point (in the rows' order) and metric."""
    groups: dict[tuple[Any, ...], dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        point = tuple(row[k] for k in keys)
        groups.setdefault(point, {}).setdefault(row["mode"], []).append(row)
    out = []
    for point, by_mode in groups.items():
        for metric in metrics:
            out.append((point, metric, {m: stats([r.get(metric) for r in by_mode.get(m, [])])
                                        for m in modes}))
    return out


def print_summary(rows: Sequence[dict[str, Any]], keys: Sequence[str], modes: Sequence[str],
                  columns: Sequence[str], title: str) -> None:
    """The summary on stdout: a line per parameter point, then a row per metric with the
    statistics of each mode side by side, the columns aligned from point to point (values
    from files are data, never markup)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    console.print(Text(title, style="bold"))
    metrics = summary_metrics(columns)
    groups: dict[tuple[Any, ...], list[list[str]]] = {}
    for point, metric, by_mode in summarize(rows, keys, modes, metrics):
        cells = [_label(metric, metrics)]
        for m in modes:
            st = by_mode[m]
            cells.extend(_num(None if st is None else getattr(st, s)) for s in STATS)
        groups.setdefault(point, []).append(cells)
    headers = ["metric", *(m if s == STATS[0] and len(m) > len(s) else s
                           for m in modes for s in STATS)]
    widths = [max([len(h), *(len(r[i]) for g in groups.values() for r in g)])
              for i, h in enumerate(headers)]
    for n, (point, group) in enumerate(groups.items()):
        where = " ".join(f"{k}={_show(v)}" for k, v in zip(keys, point, strict=True))
        table = Table(title=Text(where or "(no parameter)", style="bold"),
                      title_justify="left", box=None, header_style="bold", show_header=n == 0)
        table.add_column("\nmetric", min_width=widths[0])
        for i, (m, s) in enumerate(((m, s) for m in modes for s in STATS), start=1):
            table.add_column(f"{m}\n{s}" if s == STATS[0] else f"\n{s}", justify="right",
                             min_width=widths[i])
        for cells in group:
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def _label(metric: str, metrics: Sequence[str]) -> str:
    """A metric's name in the summary: ``interruption_ms`` (``[i]`` with several)."""
    if not metric.startswith("handovers["):
        return metric
    name = metric.rsplit(".", 1)[1]  # interruption_ms or uplink_interruption_ms
    several = sum(m.startswith("handovers[") and m.endswith(f".{name}") for m in metrics) > 1
    index = metric[len("handovers["):metric.index("]")]
    return f"{name}[{index}]" if several else name


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"
