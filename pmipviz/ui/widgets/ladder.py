"""The ladder pane: Figure 1 drawn as the trace grows. One column per entity,
arrows for messages, notes for local actions, the draft's steps (1)-(8) in a
margin, runs of DATA in one row. The rows come from ``pmipviz.export.ladder``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pmipviz.export.ladder import LadderBuilder, LadderRow
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.canvas import Canvas
from pmipviz.ui.palette import (
    CURRENT_BG,
    DIM,
    LANE,
    NODE,
    SELECTED_BG,
    STEP,
    TIME,
    class_line,
    class_mark,
    class_style,
)

TIME_W = 7
STEP_W = 3


class LadderGeometry:
    """Where the time, step, label and each column go for a given width."""

    def __init__(self, names: Sequence[str], width: int) -> None:
        self.width = max(width, 30)
        self.names = list(names)
        n = max(1, len(self.names))
        self.label_w = max(14, min(32, self.width - TIME_W - STEP_W - 5 - n * 5))
        self.left = TIME_W + 1 + STEP_W + 1 + self.label_w + 1
        lanes = max(n * 4, self.width - self.left)
        self.width = max(self.width, self.left + lanes)
        step = lanes // n
        start = self.left + (lanes - step * n) // 2 + step // 2
        self.x = {name: start + i * step for i, name in enumerate(self.names)}


def render_row(geo: LadderGeometry, row: LadderRow, label: str) -> Canvas:
    """One ladder row as a one-line canvas (no background)."""
    c = Canvas(geo.width, 1)
    c.put(0, 0, f"{row.t_ms:>{TIME_W}.1f}", TIME)
    if row.step is not None:
        c.put(TIME_W + 1, 0, f"({row.step})", STEP)
    style = class_style(row.msg_class, bold=row.msg_class not in ("DATA",))
    text = label if len(label) <= geo.label_w else label[: geo.label_w - 1] + "…"
    c.put(TIME_W + STEP_W + 2, 0, text, style)
    for x in geo.x.values():
        c.put(x, 0, "│", LANE)
    xa = geo.x.get(row.src)
    xb = geo.x.get(row.dst) if row.dst is not None else None
    if row.kind == "arrow" and xa is not None and xb is not None and xa != xb:
        right = xb > xa
        line = class_line(row.msg_class)
        lo, hi = sorted((xa, xb))
        c.put(lo + 1, 0, line * (hi - lo - 1), style)
        c.put(xa, 0, "├" if right else "┤", style)
        head = "▶" if right else "◀"
        if row.lost and row.msg_class not in ("DATA", "DATA_CACHED"):
            head = "✕"
        c.put(xb - 1 if right else xb + 1, 0, head, style)
    elif xa is not None:
        mark = "✕" if row.kind in ("fault", "drop") else class_mark(row.msg_class)
        c.put(xa, 0, mark, style)
    return c


class LadderView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows the rows up to the cursor; the current row is highlighted, ``up`` /
    ``down`` select another row for the inspector, ``escape`` follows again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "select(-1)", "row up", show=False),
        Binding("down", "select(1)", "row down", show=False),
        Binding("pageup", "select(-10)", show=False),
        Binding("pagedown", "select(10)", show=False),
        Binding("home", "select_at(0)", show=False),
        Binding("escape", "follow", "follow", show=False),
    ]

    DEFAULT_CSS = """
    LadderView { overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.builder: LadderBuilder | None = None
        self.fed = 0
        self.cursor = 0
        self.shown_rows = 0  # rows whose first event is before the cursor
        self.current: int | None = None
        self.selected: int | None = None
        self._firsts: list[int] = []
        self._geo: LadderGeometry | None = None
        self._cache: dict[tuple[object, ...], Strip] = {}
        self._base = Style()

    # -- model --------------------------------------------------------------------

    def reset(self, scenario: Scenario, focus_mn: str | None) -> None:
        """A new builder (new simulation, new focus MN or a changed future)."""
        self.builder = LadderBuilder(scenario, focus_mn)
        self.fed = 0
        self._firsts = []
        self.shown_rows = 0
        self.current = None
        self.selected = None
        self._geo = None
        self._cache.clear()

    @property
    def row_count(self) -> int:
        return len(self._firsts)

    def row(self, index: int) -> LadderRow:
        assert self.builder is not None
        return self.builder.row(index)

    def follow(self, trace: Sequence[TraceEvent], cursor: int, jump: bool = False) -> None:
        """Show the ladder at ``cursor`` events applied; repaint what changed."""
        builder = self.builder
        if builder is None:
            return
        old_cursor, old_shown, old_current = self.cursor, self.shown_rows, self.current
        ncols = len(builder.columns)
        while self.fed < cursor:
            builder.feed(trace[self.fed])
            self.fed += 1
        while len(self._firsts) < len(builder):
            self._firsts.append(builder.row(len(self._firsts)).first)
        if len(builder.columns) != ncols:
            self._geo = None
            jump = True
        self.cursor = cursor
        self.shown_rows = _count_below(self._firsts, cursor)
        self.current = builder.row_of(cursor - 1) if cursor else None
        self.selected = None
        height = self.shown_rows + 1
        if self.virtual_size.height != height:
            self.virtual_size = Size(self.virtual_size.width, height)
            self._scroll_update(self.virtual_size)
        if jump or self._geo is None:
            self.refresh()
        else:
            dirty = {old_current, self.current}
            lo, hi = sorted((old_cursor, cursor))
            for i in range(lo, hi):
                dirty.add(builder.row_of(i))
            dirty.update(range(min(old_shown, self.shown_rows), max(old_shown, self.shown_rows)))
            for r in dirty:
                if r is not None:
                    self.refresh_lines(r + 1)
        target = self.shown_rows - 1  # the newest row: the ladder grows downwards
        self.call_after_refresh(self._scroll_to_row, target)

    def _scroll_to_row(self, index: int) -> None:
        if index < 0:
            return
        view_h = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + view_h:
            self.scroll_to(y=index - view_h + 1, animate=False, immediate=True)

    # -- selection ------------------------------------------------------------------

    def selected_event(self) -> int | None:
        """The first event of the selected row, else None."""
        if self.selected is None:
            return None
        return self.row(self.selected).first

    def action_select(self, delta: int) -> None:
        if self.shown_rows == 0:
            return
        start = self.selected if self.selected is not None else (
            self.current if self.current is not None else self.shown_rows - 1)
        self._select(max(0, min(self.shown_rows - 1, start + delta)))

    def on_resize(self) -> None:
        self._geo = None
        self.refresh()
        target = self.shown_rows - 1  # the newest row: the ladder grows downwards
        self.call_after_refresh(self._scroll_to_row, target)

    def action_select_at(self, index: int) -> None:
        if self.shown_rows:
            self._select(max(0, min(self.shown_rows - 1, index)))

    def action_follow(self) -> None:
        old = self.selected
        self.selected = None
        if old is not None:
            self.refresh_lines(old + 1)

    def _select(self, index: int) -> None:
        old = self.selected
        self.selected = index
        for r in (old, index):
            if r is not None:
                self.refresh_lines(r + 1)
        self._scroll_to_row(index)

    def on_click(self, event: Click) -> None:
        y = event.y
        if y <= 0:
            return
        index = int(self.scroll_offset.y) + y - 1
        if 0 <= index < self.shown_rows:
            self._select(index)

    # -- rendering ------------------------------------------------------------------

    def geometry(self) -> LadderGeometry:
        width = self.scrollable_content_region.width or self.size.width
        if self._geo is None or self._geo.width != max(width, 30):
            names = [c.name for c in self.builder.columns] if self.builder is not None else []
            self._geo = LadderGeometry(names, width)
            self._cache.clear()
        return self._geo

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # computed once per paint, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._base
        if y == 0:
            return self._header(width)
        index = int(self.scroll_offset.y) + y - 1
        if self.builder is None or index >= self.shown_rows:
            if index == 0 and self.shown_rows == 0:
                text = " press → (or n) to step through the trace"
                return Strip([Segment(text, DIM)]).adjust_cell_length(width).apply_style(base)
            return Strip.blank(width, base)
        geo = self.geometry()
        label = self.builder.label_upto(index, self.cursor)
        state = "sel" if index == self.selected else "cur" if index == self.current else ""
        key = (index, label, state, geo.width, width, base)
        strip = self._cache.get(key)
        if strip is None:
            c = render_row(geo, self.row(index), label)
            bg = SELECTED_BG if state == "sel" else CURRENT_BG if state == "cur" else None
            segs = c.segments(0)
            if bg is not None:
                segs = [Segment(s.text, (s.style or Style()) + bg) for s in segs]
            strip = Strip(segs).crop_extend(0, width, bg or base).apply_style(base)
            if len(self._cache) > 2048:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        geo = self.geometry()
        c = Canvas(geo.width, 1)
        c.put(0, 0, f"{'t ms':>{TIME_W}}", DIM)
        c.put(TIME_W + 1, 0, "st", DIM)
        c.put(TIME_W + STEP_W + 2, 0, "event", DIM)
        for name, x in geo.x.items():
            c.centre(x, 0, name, NODE)
        return Strip(c.segments(0)).crop_extend(0, width, self._base).apply_style(
            self._base + Style(underline=True))


def _count_below(firsts: list[int], cursor: int) -> int:
    """How many rows start before ``cursor`` (``firsts`` is increasing)."""
    from bisect import bisect_left

    return bisect_left(firsts, cursor)
