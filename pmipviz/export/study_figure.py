"""Draws a parameter study (``pmipviz sweep --plot``) with matplotlib: a metric against
one varied parameter, a panel per mode (each with its own y scale: RFC 5213 may lose ten
times what ft does), a line per value of the other parameters, the mean across seeds as
the line and their spread (minimum to maximum) as a band. The data comes in plain
(``StudyLine``), so this module knows nothing of sweeps.

matplotlib is imported inside :func:`draw_study` only, with the deterministic settings of
``plot_figure`` (fixed SVG hash salt, glyphs as paths, no date)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from pmipviz.export.plot_figure import _METADATA, _RC, FORMATS

# Okabe-Ito, as plot_figure: a colour per line (value of the other parameters)
_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#F0E442")
_STYLES = ("-", "--", ":", "-.")  # a line style per mode
_MARKERS = ("o", "s", "^", "D")


@dataclass(frozen=True)
class StudyLine:
    """One line of the figure: a mode at one value of the other parameters (``group``,
    e.g. ``mag.buffer_packets=4``; empty when only one parameter varies); per x, the
    mean, minimum and maximum of the metric across seeds."""

    mode: str
    group: str
    xs: tuple[float, ...]
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


def y_top(lines: Sequence[StudyLine], mode: str) -> float:
    """The top of ``mode``'s y axis (which starts at 0): 8% above its highest mean or band
    value, so that no marker is cut at the frame (1 when every value is 0)."""
    top = max((v for line in lines if line.mode == mode for v in (*line.high, *line.mean)),
              default=0.0)
    return top * 1.08 if top > 0 else 1.0


def draw_study(lines: Sequence[StudyLine], *, groups: Sequence[str], modes: Sequence[str],
               title: str, subtitle: str, xlabel: str, ylabel: str, fmt: str,
               out: BinaryIO) -> None:
    """Draw ``lines`` in a panel per mode, side by side, sharing the x axis (a colour per
    group, the same in every panel; a line style and marker per mode) and write ``fmt``
    (``svg``, ``png`` or ``pdf``) to ``out``."""
    import matplotlib
    from matplotlib.figure import Figure

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.0 * len(modes) + 1.0, 5.5), layout="constrained")
        axes = fig.subplots(1, len(modes), sharex=True, squeeze=False)[0, :]
        for m, (ax, mode) in enumerate(zip(axes, modes, strict=True)):
            for line in (line for line in lines if line.mode == mode):
                g = groups.index(line.group)
                colour = _COLORS[g % len(_COLORS)]
                # the first lines widest: a line drawn over an equal one leaves it showing
                wide = (len(groups) - 1 - g) / max(len(groups) - 1, 1)
                if any(lo != hi for lo, hi in zip(line.low, line.high, strict=True)):
                    ax.fill_between(line.xs, line.low, line.high, color=colour, alpha=0.12,
                                    linewidth=0, zorder=1)
                ax.plot(line.xs, line.mean, color=colour, linestyle=_STYLES[m % len(_STYLES)],
                        marker=_MARKERS[m % len(_MARKERS)], markersize=6 + 5 * wide,
                        linewidth=1.5 + 3 * wide,
                        label=line.group or mode, zorder=3)
            ax.set_title(mode, loc="left", fontweight="bold")
            ax.set_xlabel(xlabel)
            ax.set_ylim(bottom=0, top=y_top(lines, mode))
            if ax.get_legend_handles_labels()[0]:
                ax.legend(loc="best", framealpha=0.9)
            else:
                ax.text(0.5, 0.5, f"no value in {mode}", transform=ax.transAxes,
                        ha="center", va="center", color="#666666")
        axes[0].set_ylabel(ylabel)
        fig.suptitle(f"{title}\n{subtitle}", fontsize=13)
        fig.savefig(out, format=fmt, dpi=150, metadata=_METADATA[fmt])
