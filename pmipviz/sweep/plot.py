"""``sweep --plot FILE --x PATH --y METRIC``: the request checked before anything runs,
then the rows grouped into the lines of the figure (``export.study_figure`` draws it)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from pmipviz.sweep.errors import SweepError
from pmipviz.sweep.grid import Study, format_value

PLOT_FORMATS = ("svg", "png", "pdf")
DEFAULT_Y = "lost"
_INTERRUPTION = "interruption_ms"
_UPLINK_INTERRUPTION = "uplink_interruption_ms"


@dataclass(frozen=True)
class PlotRequest:
    """A checked ``--plot``: the file, its format, the x parameter, the y column (and
    the name the user gave it)."""

    path: str
    fmt: str
    x: str
    y: str
    y_shown: str


def check_plot(plot: str | None, x: str | None, y: str | None, study: Study,
               metrics: Sequence[str]) -> PlotRequest | None:
    """The ``--plot`` request of a sweep, or None; a SweepError names what is wrong."""
    if plot is None:
        for option, value in (("--x", x), ("--y", y)):
            if value is not None:
                raise SweepError(f"{option} {value}: only with --plot FILE")
        return None
    ext = os.path.splitext(plot)[1].lower().lstrip(".")
    if ext not in PLOT_FORMATS:
        shown = f"extension .{ext}" if ext else "no extension"
        raise SweepError(f"--plot {plot}: {shown}; use .svg, .png or .pdf")
    varied = [p.path for p in study.params]
    if not varied:
        raise SweepError("--plot needs a --vary parameter for the x axis")
    x = varied[0] if x is None else x
    if x not in varied:
        raise SweepError(f"--x {x}: not a varied parameter (varied: {', '.join(varied)})")
    param = study.params[varied.index(x)]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in param.values):
        raise SweepError(f"--x {x}: its values are not numbers "
                         f"({', '.join(format_value(v) for v in param.values)})")
    y_shown = DEFAULT_Y if y is None else y
    return PlotRequest(plot, ext, x, _metric_column(y_shown, metrics), y_shown)


def _metric_column(y: str, metrics: Sequence[str]) -> str:
    """The column ``--y`` names: a metric column, or ``interruption_ms`` (the first
    handover's) / ``interruption_ms[i]`` as the summary shows them, and so
    ``uplink_interruption_ms`` when the sweep has that column."""
    known = [m for m in metrics if not m.startswith("handovers[")]
    for name in (_INTERRUPTION, _UPLINK_INTERRUPTION):
        handovers = [m for m in metrics if m.startswith("handovers[") and m.endswith(f".{name}")]
        if y in metrics:
            return y
        if y == name and handovers:
            return handovers[0]
        if y.startswith(name + "[") and y.endswith("]"):
            column = f"handovers[{y[len(name) + 1:-1]}].{name}"
            if column in handovers:
                return column
        if handovers:
            known.append(name if len(handovers) == 1 else f"{name}[0..{len(handovers) - 1}]")
    raise SweepError(f"--y {y}: not a metric of this sweep (one of: {', '.join(known)})")


def plot_columns(request: PlotRequest | None) -> list[str]:
    """The columns of each row the figure reads (besides the parameters, seed, mode)."""
    return [] if request is None else [request.y]


def draw(request: PlotRequest, study: Study, rows: Sequence[dict[str, Any]],
         out: BinaryIO) -> None:
    """The figure of ``rows`` to ``out``: ``request.y`` against ``request.x``, a line per
    mode and value of the other parameters, the mean across seeds with their range."""
    from pmipviz.export.study_figure import StudyLine, draw_study

    # the other parameters that vary (one with a single value is in the title)
    others = [p.path for p in study.params if p.path != request.x and len(p.values) > 1]
    fixed = " ".join(f"{p.path}={format_value(p.values[0])}" for p in study.params
                     if p.path != request.x and len(p.values) == 1)
    samples: dict[tuple[str, str], dict[float, list[float]]] = {}
    groups: list[str] = []
    for row in rows:
        group = " ".join(f"{k}={format_value(row[k])}" for k in others)
        if group not in groups:
            groups.append(group)
        value = row[request.y]
        by_x = samples.setdefault((row["mode"], group), {})
        xs = by_x.setdefault(float(row[request.x]), [])
        if value is not None:
            xs.append(float(value))
    lines = []
    for mode in study.modes:
        for group in groups:
            points = sorted((x, v) for x, v in samples.get((mode, group), {}).items() if v)
            if not points:
                continue  # e.g. no interruption at all in rfc5213: no delivery after it
            lines.append(StudyLine(
                mode, group, tuple(x for x, _ in points),
                tuple(sum(v) / len(v) for _, v in points),
                tuple(min(v) for _, v in points), tuple(max(v) for _, v in points)))
    seeds = len(study.seeds)
    spread = "mean across seeds" if seeds == 1 else \
        f"mean across {seeds} seeds; band: minimum to maximum"
    if fixed:
        spread = f"{fixed} · {spread}"
    draw_study(lines, groups=groups, modes=study.modes,
               title=f"{study.base.title}: {request.y_shown}", subtitle=spread,
               xlabel=request.x, ylabel=_label(request.y_shown), fmt=request.fmt, out=out)


def _label(metric: str) -> str:
    """The y axis's label: the metric with its unit (the ``_ms`` ones carry theirs)."""
    if metric.endswith("_ms") or "_ms[" in metric:
        return metric
    return f"{metric} (events)" if metric == "events" else f"{metric} (packets)"
