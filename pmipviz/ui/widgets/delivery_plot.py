"""The delivery plot pane (``d`` swaps it for the ladder): for the selected MN's
flows, packet number against time (sent, delivered, from a MAG cache, out of
order, lost by reason), the handover markers and the outage; below it each MAG's
cache occupancy. The data is ``export.plot_data.PlotFold`` (what ``pmipviz plot``
draws with matplotlib), fed the events up to the cursor only, so the plot grows as
the user steps and shrinks when they step back.

Drawn with textual-plot (``PlotWidget``, pinned at 0.10.1). ``MarkedPlot`` adds what
the widget lacks, through the pinned version's canvases: the marker tags above the
plot, the outage's double arrow and its label, the time axis's unit, whole-number
ticks for the drawn height, the losses and cached packets drawn over the marker lines.
Nothing here reads the wall clock: the axes are set from the data, or from the time
window the app's zoom keys chose (``ui.time_window``; the widget's own pan and zoom
are off)."""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual_hires_canvas import Canvas, HiResMode, TextAlign
from textual_plot import NumericAxisFormatter, PlotWidget

from pmipviz.export.plot_data import (
    DeliveryData,
    Marker,
    OccupancyData,
    Outage,
    PacketMark,
    PlotFold,
    delivery_data,
    flow_intervals,
    plot_fold,
)
from pmipviz.protocol.keys import short_mn
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.palette import PlotColors, styles
from pmipviz.ui.time_window import (
    Window,
    caption,
    followed,
    handover_window,
    panned,
    time_ticks,
    zoomed,
)

# the figure's meaning in the TUI theme's colours (palette.PlotColors; plot_figure's
# are for paper), read when drawing
LOST_GLYPHS = ("x", "+", "*", "#", "%", "&", "@")


def _colors() -> PlotColors:
    return styles().plot


def marker_tag(marker: Marker) -> str:
    """What stands above a marker's line: its step number, else a short name."""
    if marker.step is not None:
        return f"({marker.step})"
    return {"fault": "✕", "dereg": "D", "pba": "A", "flush": "F"}[marker.kind]


def tag_columns(columns: Sequence[int], widths: Sequence[int], right: int) -> list[int]:
    """Where each tag starts: at its line's column, moved right past the tag before it
    so that none covers another (markers close in time share a column); then all
    moved left as far as needed to end before column ``right``."""
    out: list[int] = []
    free = -1
    for x, w in zip(columns, widths, strict=True):
        start = max(x, free)
        out.append(start)
        free = start + w + 1
    over = free - 1 - right
    if over > 0 and out:
        over = min(over, out[0])
        out = [x - over for x in out]
    return out


def steps_xy(steps: Sequence[tuple[float, int]]) -> tuple[list[float], list[float]]:
    """A step function's corners: each value held until the next time."""
    xs: list[float] = []
    ys: list[float] = []
    for k, (t, n) in enumerate(steps):
        if k:
            xs.append(t)
            ys.append(ys[-1])
        xs.append(t)
        ys.append(n)
    return xs, ys


def nice_end(end: float) -> float:
    """``end`` rounded up to the time axis's next tick, so the last tick ends the axis."""
    ticks = NumericAxisFormatter().get_ticks(0.0, end)
    if len(ticks) < 2:
        return end
    step = ticks[1] - ticks[0]
    return float(math.ceil(end / step - 1e-9) * step)


def int_ticks(top: float, rows: int, bottom: float = 0.0) -> list[float]:
    """Whole-number ticks from ``bottom`` to at most ``top``, about one every other row."""
    most = max(2, rows // 2 + 1)
    step = 1
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if (top - bottom) / step <= most:
            break
    first = math.ceil(max(bottom, 0.0) / step) * step
    return [float(v) for v in range(first, int(top) + 1, step)]


@dataclass(frozen=True)
class Tag:
    """A marker's line and tag, as drawn."""

    t_ms: float
    text: str
    color: str


class MarkedPlot(PlotWidget):
    """A ``PlotWidget`` with tags above its vertical lines, an outage arrow with its
    label, and the x axis's unit under the tick labels. Not focusable: the app's keys
    drive the simulation; its axes follow the data or the time window the app sets
    (``zoom``), never its own pan and zoom."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, allow_pan_and_zoom=False)
        self.tags: list[Tag] = []
        self.on_top: list[tuple[float, float, str, str]] = []  # x, y, glyph, colour
        self.outage: tuple[float, float, str] | None = None  # start, end, label
        self.unit = ""
        self.int_top: float | None = None  # whole-number y ticks up to this, if set
        self.int_bottom = 0.0  # and from this
        self.zoom: Window | None = None  # a zoomed time window: ticks that fit its width

    def _render_plot(self) -> None:
        if self.int_top is not None:  # whole-number ticks for the height drawn now
            self.set_yticks(int_ticks(self.int_top, self._scale_rectangle.height,
                                      self.int_bottom))
        self.set_xticks(None if self.zoom is None else
                        time_ticks(self.zoom, self._scale_rectangle.width))
        super()._render_plot()
        if self._scale_rectangle.width <= 0:
            return
        self._render_tags()
        canvas = self.query_one("#plot", Canvas)
        for x, y, glyph, colour in self.on_top:  # over the marker lines
            canvas.set_pixel(*self.get_pixel_from_coordinate(x, y), char=glyph, style=colour)
        self._render_outage()

    def _render_tags(self) -> None:
        if self.margin_top < 1:
            return
        top = self.query_one("#margin-top", Canvas)
        top.reset()  # the widget writes its y label there but never clears it
        self._render_y_label()
        columns = [self.get_pixel_from_coordinate(t.t_ms, 0)[0] + self.margin_left
                   for t in self.tags]
        starts = tag_columns(columns, [len(t.text) for t in self.tags], top.size.width)
        for tag, x in zip(self.tags, starts, strict=True):
            top.write_text(x, self.margin_top - 1, f"[bold {tag.color}]{tag.text}")

    def _render_outage(self) -> None:
        """A double arrow from the outage's start to its end on the lowest row, with
        its label inside when it fits, else just after it (packet numbers grow with
        time: right of the outage's start, below the packets of its time, nothing is
        drawn)."""
        if self.outage is None:
            return
        start, end, label = self.outage
        if end < self._x_min or start >= self._x_max:
            return  # outside a zoomed window
        canvas = self.query_one("#plot", Canvas)
        # cut at a zoomed window's edges, without an arrow head there
        x0, _ = self.get_pixel_from_coordinate(max(start, self._x_min), 0)
        x1, _ = self.get_pixel_from_coordinate(end, 0)
        if end > self._x_max:
            x1 = self._scale_rectangle.right - 1
        y = max(1, self._scale_rectangle.bottom - 1)
        outage = _colors().outage
        text = f"[bold {outage}]{label}"
        if x1 - x0 >= 2:
            canvas.draw_line(x0, y, x1, y, style=outage, char="─")
            canvas.set_pixel(x0, y, "◀" if start >= self._x_min else "─", style=outage)
            canvas.set_pixel(x1, y, "▶" if end <= self._x_max else "─", style=outage)
        else:
            canvas.set_pixel(x0, y, "↔", style=outage)
        width = len(label)
        if x1 - x0 >= width + 4:
            left = (x0 + x1 - width) // 2
            canvas.write_text(left - 1, y, f"[{outage}] {text} ", TextAlign.LEFT)
        elif max(x0, x1) + 2 + width <= self._scale_rectangle.right:
            canvas.write_text(max(x0, x1) + 2, y, text, TextAlign.LEFT)
        else:
            canvas.write_text(max(1, x0 - width - 1), y, text, TextAlign.LEFT)

    def _render_x_label(self) -> None:
        """The unit right-aligned under the tick labels (the widget puts its label on
        the third margin row, which a two-row margin does not have)."""
        if not self.unit or self.margin_bottom < 2:
            return
        margin = self.query_one("#margin-bottom", Canvas)
        canvas = self.query_one("#plot", Canvas)
        margin.write_text(self.margin_left + canvas.size.width - 1, 1,
                          f"[{_colors().dim}]{self.unit}", TextAlign.RIGHT)


CHECKPOINT = 2048  # events between two copies of the fold kept for stepping back


class PlotFeed:
    """A ``PlotFold`` of one MN kept at the cursor: fed forward event by event; when
    the cursor goes back (the fold is forward only), fed again from the last copy
    kept at or before it (one every CHECKPOINT events)."""

    def __init__(self, scenario: Scenario, mn: str | None) -> None:
        self.scenario = scenario
        self.mn = mn
        self.fold: PlotFold = plot_fold(scenario, mn)
        self.fed = 0
        self._kept: dict[int, PlotFold] = {0: copy.deepcopy(self.fold)}
        intervals = flow_intervals(scenario)
        self.interval_ms = max((intervals[f] for f in self.fold.flows), default=0.0)

    def follow(self, trace: Sequence[TraceEvent], cursor: int) -> bool:
        """Bring the fold to ``cursor`` events; whether anything changed."""
        if cursor == self.fed:
            return False
        if cursor < self.fed:
            self.fed = max(k for k in self._kept if k <= cursor)
            self.fold = copy.deepcopy(self._kept[self.fed])
        fold = self.fold
        kept = self._kept
        for k in range(self.fed, cursor):
            fold(trace[k])
            if (k + 1) % CHECKPOINT == 0 and k + 1 not in kept:
                kept[k + 1] = copy.deepcopy(fold)
        self.fed = cursor
        return True


Part = tuple[str, str]
"""An entry of a key: its text and colour."""


def key_lines(rows: Sequence[Sequence[Part]], width: int) -> list[Text]:
    """The key's rows laid out in ``width`` cells: each row's parts two spaces apart,
    a part that does not fit begins a new line (a part is never split)."""
    lines: list[Text] = []
    for row in rows:
        line = Text()
        for text, colour in row:
            if line.cell_len and line.cell_len + 2 + len(text) > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append(text, style=colour)
        lines.append(line)
    return lines


class KeyLines(Widget):
    """The parts of a key, wrapped between parts to the widget's width."""

    DEFAULT_CSS = """
    KeyLines {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[list[Part]] = []

    def show(self, rows: list[list[Part]]) -> None:
        """Show ``rows`` (a line each, wrapped between parts when too long)."""
        if rows != self.rows:
            self.rows = rows
            self.refresh(layout=True)

    @property
    def plain(self) -> str:
        """The key as text, unwrapped (for tests)."""
        return "\n".join("  ".join(text for text, _ in row) for row in self.rows)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(key_lines(self.rows, width)))

    def render(self) -> Text:
        return Text("\n").join(key_lines(self.rows, self.content_size.width))


def until_now(outage: Outage | None, now_ms: float) -> Outage | None:
    """An open outage ends, on screen, at the cursor's time (the fold runs it to the
    last expected arrival of the packets sent so far, which may be ahead of now)."""
    if outage is None or not outage.open or outage.end_ms <= now_ms:
        return outage
    return Outage(outage.start_ms, max(outage.start_ms, now_ms), open=True)


def is_outage(outage: Outage | None, interval_ms: float) -> bool:
    """Whether the longest gap is an outage: longer than the flows' sending interval
    (before a fault the longest gap is just the time between two packets)."""
    return outage is not None and outage.duration_ms > interval_ms + 1e-9


def delivery_key(data: DeliveryData, compact: bool = False,
                 interval_ms: float = 0.0) -> list[list[Part]]:
    """The legend of the delivery plot, with counts; the markers with their times,
    the outage measured (when it is longer than ``interval_ms``, the flows' longest
    sending interval). ``compact``: shorter words, for 80 columns."""
    cached = sum(p.cached for p in data.delivered)
    reordered = sum(p.reordered for p in data.delivered)
    colors = _colors()
    parts = [(f"· sent {len(data.sent)}", _colors().sent),
             (f"• delivered {len(data.delivered)}", _colors().delivered),
             (f"◆ {'cached' if compact else 'from a cache'} {cached}", _colors().cached),
             (f"○ {'reordered' if compact else 'out of order'} {reordered}", colors.reordered)]
    for i, reason in enumerate(data.lost_reasons):
        count = sum((p.reason or "unknown") == reason for p in data.lost)
        lost = "" if compact else "lost: "
        parts.append((f"{LOST_GLYPHS[i % len(LOST_GLYPHS)]} {lost}{reason} {count}",
                      colors.lost[i % len(colors.lost)]))
    if not data.lost:
        parts.append(("lost 0", _colors().dim))
    marks: list[Part] = []
    for m in data.markers:
        name = m.label.removeprefix(f"({m.step}) ")
        if compact:
            name = {"DeReg PBU": "DeReg"}.get(name, name.split(" ")[-1])
        marks.append((f"│{marker_tag(m)} {name} {m.t_ms:g}", _colors().markers[m.kind]))
    o = data.outage
    if o is not None and is_outage(o, interval_ms):
        span = "" if compact else f" ({o.start_ms:g}–{o.end_ms:g} ms)"
        marks.append((f"◀▶ {o.label}{span}", _colors().outage))
    return [parts, marks or [("no fault yet", _colors().dim)]]


def occupancy_key(data: OccupancyData, compact: bool = False) -> list[list[Part]]:
    """The legend of the occupancy plot: each MAG's colour and capacity, the peak."""
    capacity = dict(data.capacity)
    colors = _colors()
    parts = [("cached packets:" if compact else "packets in the MAGs' caches:", colors.text)]
    parts += [(f"━ {mag}" + ("" if compact else f" (of {capacity.get(mag, '?')})"),
               colors.mags[i % len(colors.mags)]) for i, (mag, _) in enumerate(data.series)]
    parts.append((f"peak {data.peak}", colors.text))
    return [parts]


class DeliveryPlotView(Vertical):
    """The pane: a key, the delivery plot, the occupancy key, the occupancy plot."""

    DEFAULT_CSS = """
    DeliveryPlotView {
        height: 1fr;
    }
    DeliveryPlotView > #delivery-plot {
        height: 2fr;
        min-height: 6;
    }
    DeliveryPlotView > #occupancy-plot {
        height: 1fr;
        min-height: 4;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed: PlotFeed | None = None
        self.mode = ""
        self.delivery: DeliveryData | None = None
        self.occupancy: OccupancyData | None = None
        self._seen: tuple[object, ...] = ()  # what the plots were last drawn from
        self._drawn: tuple[DeliveryData, OccupancyData, float] | None = None
        self.zoom: Window | None = None  # the time window; None: the whole run so far
        self.now_ms = 0.0
        self._before: float | None = None  # the cursor's time at the last follow
        self._run_ms = 0.0  # the scenario's duration
        self._caption = ""

    def compose(self) -> ComposeResult:
        yield KeyLines(id="delivery-key")
        yield MarkedPlot(id="delivery-plot")
        yield KeyLines(id="occupancy-key")
        yield MarkedPlot(id="occupancy-plot")

    def on_mount(self) -> None:
        delivery = self.query_one("#delivery-plot", MarkedPlot)
        # the two plots share the time axis: its tick labels and unit under the lower one
        delivery.margin_top, delivery.margin_bottom, delivery.margin_left = 1, 0, 6
        delivery.set_ylabel("packet")
        occupancy = self.query_one("#occupancy-plot", MarkedPlot)
        occupancy.margin_top, occupancy.margin_bottom, occupancy.margin_left = 0, 2, 6
        occupancy.unit = "time (ms)"

    @property
    def compact(self) -> bool:
        """Shorter keys when the app is narrow (80 columns)."""
        return self.app.size.width < 110  # the app's -narrow breakpoint

    def reset(self, scenario: Scenario, mn: str | None, mode: str) -> None:
        """Start again for ``mn`` in a new run (a mode switch, another MN, a reset)."""
        self.feed = PlotFeed(scenario, mn)
        self.mode = mode
        self._seen = ()
        # the zoom stays (the other mode, another MN, a reset: the same times); the
        # cursor's jump is not a step out of the window
        self._before = None
        self._run_ms = scenario.duration_ms

    def follow(self, trace: Sequence[TraceEvent], cursor: int, now_ms: float,
               force: bool = False, ended: bool = False) -> None:
        """Show the events up to ``cursor`` (at ``now_ms``; ``ended``: the whole run,
        when an open outage runs, as in ``pmipviz plot``, to the last expected arrival)."""
        feed = self.feed
        if feed is None or not (feed.follow(trace, cursor) or force):
            return
        self.delivery = feed.fold.delivery()
        self.occupancy = feed.fold.occupancy()
        mn = short_mn(feed.mn) if feed.mn else "no MN"
        flows = len(feed.fold.flows)
        self.border_title = f"Delivery plot · MN {mn} · {self.mode}"
        self._caption = f"{flows} flow{'s' * (flows != 1)} · t={now_ms:g} ms · "
        end = nice_end(max(now_ms, self.delivery.until_ms, 100.0))
        self.now_ms = now_ms
        if self.zoom is not None:
            self.zoom = followed(self.zoom, self._before, now_ms, self.run_end(end))
        self._before = now_ms
        self._subtitle(end)
        drawn = dataclasses.replace(self.delivery,
                                    outage=until_now(self.delivery.outage,
                                                     math.inf if ended else now_ms))
        seen = (feed.fed if force else -1, end, self.compact, self.mode, drawn.outage,
                len(drawn.sent), len(drawn.delivered), len(drawn.lost), len(drawn.markers),
                tuple(len(steps) for _, steps in self.occupancy.series), self.zoom)
        if seen == self._seen:
            return  # another MN's event: nothing of this plot moved
        self._seen = seen
        self._drawn = (drawn, self.occupancy, end)
        self._draw_delivery(drawn, end)
        self._draw_occupancy(self.occupancy, end)

    def _subtitle(self, end: float) -> None:
        zoom = "" if self.zoom is None else caption(self.zoom, self.run_end(end)) + " · "
        self.border_subtitle = f"{self._caption}{zoom}d ladder"

    def run_end(self, end: float) -> float:
        """The run's last time a window may show: the scenario's duration, or the
        whole-run axis's end ``end`` when later."""
        return max(self._run_ms, end)

    # -- the time window (the app's zoom keys) --------------------------------------

    def _whole(self) -> Window:
        end = self._drawn[2] if self._drawn is not None else nice_end(max(self.now_ms, 100.0))
        return Window(0.0, end)

    def _set_zoom(self, window: Window | None) -> None:
        if window != self.zoom:
            self.zoom = window
            self._subtitle(self._whole().hi)
            self._redraw()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (``factor`` > 1) or out, centred on the cursor's time when the window
        shows it, else on the window's middle (a window away from the cursor, e.g. the
        handover seen from the end of the run, is looked at more closely)."""
        whole = self._whole()
        current = self.zoom or whole
        centre = self.now_ms if current.contains(self.now_ms) else \
            (current.lo + current.hi) / 2
        self._set_zoom(zoomed(current, factor, centre, whole, self.run_end(whole.hi)))

    def pan(self, direction: int) -> None:
        """Half a window earlier (-1) or later (+1); nothing for the whole run."""
        if self.zoom is not None:
            self._set_zoom(panned(self.zoom, direction, self.run_end(self._whole().hi)))

    def whole(self) -> None:
        """Back to the whole run so far."""
        self._set_zoom(None)

    def zoom_to_handover(self, trace: Sequence[TraceEvent]) -> bool:
        """The window around the first handover of the MN in ``trace`` (every event
        known, the cursor's future too); False when it has no fault."""
        feed = self.feed
        if feed is None or feed.mn is None:
            return False
        data = delivery_data(trace, feed.scenario, feed.mn)
        window = handover_window(data, feed.interval_ms, self.run_end(self._whole().hi))
        if window is None:
            return False
        self._set_zoom(window)
        return True

    def on_resize(self) -> None:
        """Draw again for the new size: the key's wording, the occupancy's ticks."""
        if self._drawn is not None:
            self.call_after_refresh(self._redraw)

    def restyle(self) -> None:
        """Draw again in the current theme's colours (a theme switch)."""
        self._redraw()

    def _redraw(self) -> None:
        if self._drawn is not None and self.is_attached:
            delivery, occupancy, end = self._drawn
            self._draw_delivery(delivery, end)
            self._draw_occupancy(occupancy, end)

    def _draw_delivery(self, data: DeliveryData, end: float) -> None:
        interval = self.feed.interval_ms if self.feed is not None else 0.0
        self.query_one("#delivery-key", KeyLines).show(
            delivery_key(data, self.compact, interval))
        plot = self.query_one("#delivery-plot", MarkedPlot)
        plot.clear()
        zoom = plot.zoom = self.zoom
        sent, delivered, lost = (inside(marks, zoom)
                                 for marks in (data.sent, data.delivered, data.lost))
        markers = [m for m in data.markers if zoom is None or _shown(m.t_ms, zoom)]
        numbers = [p.n for p in (*sent, *delivered, *lost)]
        top = max(numbers, default=0)
        if zoom is None:
            plot.set_xlimits(0.0, end)
            plot.set_ylimits(0.0, max(top, 1) * 1.05)
            plot.int_top, plot.int_bottom = max(top, 1) * 1.05, 0.0
        else:  # the packets of the window fill the height
            bottom = min(numbers, default=0)
            pad = max(1.0, (top - bottom) * 0.1)
            low, high = max(bottom - 2 * pad, -pad), max(top, 1) + pad
            plot.set_xlimits(zoom.lo, zoom.hi)
            plot.set_ylimits(low, high)
            plot.int_top, plot.int_bottom = high, low
        _scatter(plot, sent, _colors().sent)
        _scatter(plot, [p for p in delivered if not p.cached and not p.reordered],
                 _colors().delivered)
        # the losses, cached and reordered packets come in the handover, at the marker
        # lines: drawn over them (the widget draws its lines over its datasets)
        reasons = {r: i for i, r in enumerate(data.lost_reasons)}
        colors = _colors()
        plot.on_top = [(p.t_ms, p.n, LOST_GLYPHS[i % len(LOST_GLYPHS)],
                        colors.lost[i % len(colors.lost)])
                       for p in lost for i in [reasons[p.reason or "unknown"]]]
        plot.on_top += [(p.t_ms, p.n, "○", colors.reordered) for p in delivered
                        if p.reordered]
        plot.on_top += [(p.t_ms, p.n, "◆", colors.cached) for p in delivered if p.cached]
        _vlines(plot, markers)
        o = data.outage
        plot.outage = (o.start_ms, o.end_ms, o.label) if o is not None and is_outage(
            o, interval) else None

    def _draw_occupancy(self, data: OccupancyData, end: float) -> None:
        self.query_one("#occupancy-key", KeyLines).show(occupancy_key(data, self.compact))
        plot = self.query_one("#occupancy-plot", MarkedPlot)
        plot.clear()
        top = max(data.peak, 1) * 1.25
        zoom = plot.zoom = self.zoom
        plot.set_xlimits(*((0.0, end) if zoom is None else (zoom.lo, zoom.hi)))
        plot.set_ylimits(0.0, top)  # an empty cache: on the axis
        plot.int_top = top
        for i, (_, steps) in enumerate(data.series):
            xs, ys = steps_xy(steps if zoom is None else clip_steps(steps, zoom))
            plot.plot(xs, ys, line_style=_colors().mags[i % len(_colors().mags)],
                      hires_mode=HiResMode.BRAILLE)
        # no marker lines: they would cover the short rise and fall of a cache (the
        # delivery plot above, on the same time axis, has them)


def _shown(t_ms: float, zoom: Window) -> bool:
    """Whether a mark at ``t_ms`` is drawn in ``zoom``: at its right edge a mark
    would land on the axis, so only up to just before it."""
    return zoom.lo <= t_ms < zoom.hi


def inside(marks: Sequence[PacketMark], zoom: Window | None) -> Sequence[PacketMark]:
    """The marks a window shows (all of them for the whole run)."""
    return marks if zoom is None else [p for p in marks if _shown(p.t_ms, zoom)]


def clip_steps(steps: Sequence[tuple[float, int]],
               zoom: Window) -> list[tuple[float, int]]:
    """A step function cut to ``zoom``: the value held at its start, the changes
    inside, the value held to its end when the function goes on after it."""
    held = [n for t, n in steps if t < zoom.lo]
    out = [(zoom.lo, held[-1])] if held else []
    out += [(t, n) for t, n in steps if zoom.lo <= t <= zoom.hi]
    later = [n for t, n in steps if t > zoom.hi]
    if later and out:
        out.append((zoom.hi, out[-1][1]))
    return out


def _scatter(plot: MarkedPlot, marks: Sequence[PacketMark], colour: str) -> None:
    if marks:
        plot.scatter([p.t_ms for p in marks], [p.n for p in marks], marker_style=colour,
                     hires_mode=HiResMode.BRAILLE)


def _vlines(plot: MarkedPlot, markers: Sequence[Marker]) -> None:
    for m in markers:
        plot.add_v_line(m.t_ms, line_style=_colors().markers[m.kind])
    plot.tags = [Tag(m.t_ms, marker_tag(m), _colors().markers[m.kind]) for m in markers]
