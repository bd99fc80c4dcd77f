"""Draws plot data (``export.plot_data``) as a figure with matplotlib, for slides and papers.

matplotlib is imported inside :func:`draw` only, so nothing else pays for it, and only
its object API (``Figure``, no pyplot): no GUI backend is ever chosen; SVG, PNG and PDF
each use their own non-interactive renderer. The SVG is deterministic: a fixed hash salt
for its ids, glyphs as paths, no date and a fixed creator in its metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from pmipviz.export.plot_data import DeliveryData, Marker, OccupancyData

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FORMATS = ("svg", "png", "pdf")

# Okabe-Ito: told apart by colour-blind readers and in greyscale print (with the shapes)
_SENT = "#999999"
_DELIVERED = "#0072B2"
_CACHED = "#E69F00"
_REORDERED = "#CC79A7"
_LOST = ("#D55E00", "#000000", "#56B4E9", "#009E73", "#F0E442", "#882255", "#117733")
_LOST_SHAPES = ("x", "+", "1", "X", "P", "2", "*")
_MARKER_STYLE = {  # kind -> (colour, line style)
    "fault": ("#D55E00", "-"),
    "dereg": ("#0072B2", "--"),
    "pba": ("#009E73", "--"),
    "flush": ("#E69F00", ":"),
}
_MAG_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
_OUTAGE = "#D55E00"

_RC: dict[Any, Any] = {  # keys typed loosely: matplotlib types them as Literals
    "svg.hashsalt": "pmipviz",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs everywhere
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 13,
    "legend.fontsize": 10,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
_METADATA = {
    "svg": {"Creator": "pmipviz", "Date": None},
    "png": {"Software": "pmipviz"},
    "pdf": {"Creator": "pmipviz", "Producer": "pmipviz", "CreationDate": None},
}

Panel = tuple[str, DeliveryData | OccupancyData]
"""A panel's heading (the mode it shows) and its data."""


def draw(panels: Sequence[Panel], *, title: str, fmt: str, out: BinaryIO) -> None:
    """Draw ``panels`` stacked, sharing the time axis, under ``title``; write ``fmt``
    (``svg``, ``png`` or ``pdf``) to ``out``."""
    import matplotlib
    from matplotlib.figure import Figure

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(11.0, 4.2 + 3.4 * len(panels)), layout="constrained")
        axes = fig.subplots(len(panels), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for ax, (heading, data) in zip(axes, panels, strict=True):
            if isinstance(data, DeliveryData):
                _delivery(ax, data)
            else:
                _occupancy(ax, data)
            ax.set_title(heading, loc="left", fontweight="bold")
            ax.set_xlim(data.from_ms, data.until_ms)
        peaks = [d.peak for _, d in panels if isinstance(d, OccupancyData)]
        if peaks:  # the panels share the y axis: room for the highest
            axes[0].set_ylim(bottom=-0.2, top=max(*peaks, 1) * 1.25 + 0.5)
        axes[-1].set_xlabel("simulated time (ms)")
        fig.suptitle(title, fontsize=14)
        fig.savefig(out, format=fmt, dpi=150, metadata=_METADATA[fmt])


def _delivery(ax: Axes, data: DeliveryData) -> None:
    ax.scatter([p.t_ms for p in data.sent], [p.n for p in data.sent], s=22,
               facecolors="none", edgecolors=_SENT, linewidths=0.8, label="sent", zorder=2)
    plain = [p for p in data.delivered if not p.cached]
    cached = [p for p in data.delivered if p.cached]
    reordered = [p for p in data.delivered if p.reordered]
    ax.scatter([p.t_ms for p in plain], [p.n for p in plain], s=10, color=_DELIVERED,
               label="delivered", zorder=3)
    if cached:
        ax.scatter([p.t_ms for p in cached], [p.n for p in cached], s=28, marker="D",
                   color=_CACHED, edgecolors="black", linewidths=0.5,
                   label="delivered from a MAG cache", zorder=4)
    if reordered:
        ax.scatter([p.t_ms for p in reordered], [p.n for p in reordered], s=90,
                   facecolors="none", edgecolors=_REORDERED, linewidths=1.4,
                   label="delivered out of order", zorder=5)
    for i, reason in enumerate(data.lost_reasons):
        lost = [p for p in data.lost if (p.reason or "unknown") == reason]
        ax.scatter([p.t_ms for p in lost], [p.n for p in lost], s=30,
                   marker=_LOST_SHAPES[i % len(_LOST_SHAPES)], color=_LOST[i % len(_LOST)],
                   linewidths=1.2, label=f"lost: {reason} ({len(lost)})", zorder=4)
    ax.set_ylabel("packet number (per flow)")
    _markers(ax, data.markers, data.from_ms, data.until_ms)
    if data.outage is not None:
        _outage(ax, data)
    if data.sent or data.delivered or data.lost:
        ax.legend(loc="lower right", framealpha=0.9)


def _outage(ax: Axes, data: DeliveryData) -> None:
    """Shade the outage and label its length with a double arrow near the top."""
    from matplotlib.transforms import blended_transform_factory

    outage = data.outage
    assert outage is not None
    ax.axvspan(outage.start_ms, outage.end_ms, color=_OUTAGE, alpha=0.12, zorder=0, lw=0)
    top = blended_transform_factory(ax.transData, ax.transAxes)
    ax.annotate("", xy=(outage.start_ms, 0.60), xytext=(outage.end_ms, 0.60), xycoords=top,
                textcoords=top, arrowprops={"arrowstyle": "<->", "color": _OUTAGE, "lw": 1.5},
                zorder=6)
    middle = (outage.start_ms + outage.end_ms) / 2
    ax.annotate(outage.label, xy=(middle, 0.60), xycoords=top, xytext=(0, 5),
                textcoords="offset points", ha="center", va="bottom", color=_OUTAGE,
                fontweight="bold", fontsize=12, zorder=7,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9})


def _markers(ax: Axes, markers: Sequence[Marker], start: float, end: float) -> None:
    """A vertical line per marker, labelled at the top; labels of close markers are
    moved apart sideways so none covers another."""
    from matplotlib.transforms import blended_transform_factory

    top = blended_transform_factory(ax.transData, ax.transAxes)
    close = (end - start) / 80 if end > start else 0.0
    previous: float | None = None
    shift = 0
    for marker in markers:
        colour, style = _MARKER_STYLE[marker.kind]
        ax.axvline(marker.t_ms, color=colour, linestyle=style, linewidth=1.3, zorder=1)
        shift = shift + 1 if previous is not None and marker.t_ms - previous <= close else 0
        previous = marker.t_ms
        ax.annotate(marker.label, xy=(marker.t_ms, 0.98), xycoords=top,
                    xytext=(-3 + 13 * shift, 0), textcoords="offset points", rotation=90,
                    ha="right" if shift == 0 else "left", va="top", color=colour,
                    fontsize=10, fontweight="bold")


def _occupancy(ax: Axes, data: OccupancyData) -> None:
    from matplotlib.ticker import MaxNLocator

    capacity = dict(data.capacity)
    for i, (mag, steps) in enumerate(data.series):
        colour = _MAG_COLORS[i % len(_MAG_COLORS)]
        ax.step([t for t, _ in steps], [n for _, n in steps], where="post", linewidth=2,
                color=colour, label=f"{mag} (capacity {capacity.get(mag, '?')} packets)")
        full = capacity.get(mag)
        if full is not None and 0 < full <= max(data.peak, 1) * 1.25:  # a cache that filled
            ax.axhline(full, color=colour, linestyle=":", linewidth=1.5, zorder=1)
            ax.annotate(f"{mag} full", xy=(data.until_ms, full), xytext=(-4, 3),
                        textcoords="offset points", ha="right", va="bottom", color=colour,
                        fontsize=10)
    ax.set_ylabel("packets in the MAG's cache")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _markers(ax, data.markers, data.from_ms, data.until_ms)
    if data.series:
        ax.legend(loc="upper right", framealpha=0.9)
