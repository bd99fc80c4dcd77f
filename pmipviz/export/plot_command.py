"""``pmipviz plot``: check the request, run the scenario headless (once per mode) with a
:class:`~pmipviz.export.plot_data.PlotFold` as its only extra sink, and draw the figure."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

from pmipviz.export.plot_data import PlotFold, default_mn, flow_owners, plot_fold
from pmipviz.scenario.model import MODES, Scenario

KINDS = ("delivery", "occupancy")
_HEADINGS = {"ft": "ft: draft-jiang-netext-ft-pmip-00", "rfc5213": "rfc5213: RFC 5213"}


class PlotError(Exception):
    """A request that cannot be drawn; one line naming what is wrong."""


def figure_format(path: str) -> str:
    """``svg``, ``png`` or ``pdf`` from the output's extension."""
    from pmipviz.export.plot_figure import FORMATS

    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in FORMATS:
        shown = f"extension .{ext}" if ext else "no extension"
        raise PlotError(f"{path}: {shown}; use .svg, .png or .pdf")
    return ext


def check(scenario: Scenario, *, kind: str, mn: str | None, from_ms: float,
          until_ms: float | None, output: str) -> tuple[str | None, float, str]:
    """Validate a request before anything runs: (the MN, the end of the window, the format)."""
    if kind not in KINDS:
        raise PlotError(f"unknown kind {kind!r}; use delivery or occupancy")
    fmt = figure_format(output)
    end = scenario.duration_ms if until_ms is None else until_ms
    if from_ms >= end:
        what = f"--until {end:g}" if until_ms is not None else \
            f"the scenario's duration_ms {end:g}"
        raise PlotError(f"--from {from_ms:g} is not before {what}")
    ids = [m.id for m in scenario.mns]
    if mn is not None and mn not in ids:
        raise PlotError(f"{scenario.name}: no mobile node {mn!r} (the scenario has "
                        f"{', '.join(ids) or 'none'})")
    owners = flow_owners(scenario)
    if mn is None:
        mn = default_mn(scenario)
        if mn is None and kind == "delivery":
            raise PlotError(f"{scenario.name}: no flow to plot (the scenario has no [[flow]])")
    elif kind == "delivery" and mn not in owners:
        raise PlotError(f"{scenario.name}: mobile node {mn!r} has no flow to plot")
    return mn, end, fmt


def plot(scenario: Scenario, *, kind: str, mode: str | None, mn: str | None, from_ms: float,
         until_ms: float | None, output: str,
         open_output: Callable[[str], BinaryIO]) -> None:
    """Check, run and draw; the figure goes to ``open_output(output)``."""
    from pmipviz.export.plot_figure import Panel, draw
    from pmipviz.sim.headless import run

    mn, end, fmt = check(scenario, kind=kind, mn=mn, from_ms=from_ms, until_ms=until_ms,
                         output=output)
    stream = open_output(output)
    modes = MODES if mode == "both" else (mode or scenario.mode,)
    panels: list[Panel] = []
    for m in modes:
        fold: PlotFold = plot_fold(scenario, mn, from_ms=from_ms, until_ms=end)
        run(scenario, mode=m, until_ms=end, sinks=[fold])
        panels.append((_HEADINGS.get(m, m), fold.delivery() if kind == "delivery"
                       else fold.occupancy()))
    what = "deliveries" if kind == "delivery" else "MAG cache occupancy"
    subject = "" if mn is None else f" · {mn}" if kind == "delivery" else f" · markers: {mn}"
    draw(panels, title=f"{scenario.title}: {what}{subject}", fmt=fmt, out=stream)
