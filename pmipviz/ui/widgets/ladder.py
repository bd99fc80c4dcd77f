"""The ladder pane: Figure 1 drawn as the trace grows. One column per entity,
arrows for messages, notes for local actions, the draft's steps (1)-(8) in a
margin, runs of DATA in one row. The rows come from ``pmipviz.export.ladder``."""

from __future__ import annotations

import re
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
from pmipviz.ui.palette import class_line, class_mark, class_style, styles

TIME_W = 7
STEP_W = 3
MIN_LABEL = 14  # the label column never gets narrower than this
MAX_LABEL = 44  # nor wider: past this the lifelines get the room
MIN_LANE = 5  # columns between two lifelines
CACHE_BAR = 4  # cache squares a label keeps before a "+"
WIDE = 120  # a ladder this wide (a big terminal) has longer labels:
WIDE_LABEL = 52  # up to this many cells (45% of the width)
WIDE_BAR = 16  # and cache bars of up to this many squares

# the glyph of a fault row, by the fault's action (help legend: LEGEND)
FAULT_MARKS: dict[str, str] = {
    "break": "✕",
    "restore": "↺",
    "move": "↷",
    "none": "○",  # a break or restore that changes nothing
}


class LadderGeometry:
    """Where the time, step, label and each column go for a given width: the
    lifelines get what they need, the label column the rest (up to MAX_LABEL)."""

    def __init__(self, names: Sequence[str], width: int) -> None:
        self.width = max(width, 30)
        self.names = list(names)
        n = max(1, len(self.names))
        lane = max(MIN_LANE, max((len(name) + 1 for name in self.names), default=0))
        fixed = TIME_W + 1 + STEP_W + 1 + 1
        most = MAX_LABEL if self.width < WIDE else min(WIDE_LABEL, self.width * 45 // 100)
        self.label_w = max(MIN_LABEL, min(most, self.width - fixed - n * lane))
        self.left = fixed + self.label_w
        lanes = max(n * 4, self.width - self.left)
        self.width = max(self.width, self.left + lanes)
        step = lanes // n
        start = self.left + (lanes - step * n) // 2 + step // 2
        self.x = {name: start + i * step for i, name in enumerate(self.names)}


_CACHE_BAR_RE = re.compile(r"\[■+\+? (\d+)/(\d+)\]")
_TAIL_RE = re.compile(r" (\[[^\[\]]*\]|\([^()]*\))$")


def fit_label(label: str, width: int) -> str:
    """``label`` in ``width`` cells: a cache bar keeps at most CACHE_BAR squares (WIDE_BAR
    in a label as wide as a big terminal gives), and a trailing ``[...]`` or ``(...)``
    (the cache count, the losses) survives the cut."""
    squares = CACHE_BAR if width <= MAX_LABEL else WIDE_BAR

    def short_bar(m: re.Match[str]) -> str:
        occ = int(m.group(1))
        return f"[{'■' * min(occ, squares)}{'+' if occ > squares else ''} {occ}/{m.group(2)}]"

    label = _CACHE_BAR_RE.sub(short_bar, label)
    if len(label) <= width:
        return label
    tail = _TAIL_RE.search(label)
    if tail is not None and width - len(tail.group(0)) >= 6:
        head = label[: tail.start()]
        return head[: width - len(tail.group(0)) - 1] + "…" + tail.group(0)
    return label[: width - 1] + "…"


def fault_action(events: Sequence[TraceEvent]) -> str | None:
    """The action of the fault among a fault row's events ("none" when it changes
    nothing); None when the row has no fault event."""
    for ev in events:
        if ev.kind == "fault":
            if ev.fields.get("noop"):
                return "none"
            return str(ev.fields.get("action"))
    return None


def fault_action_of_label(label: str) -> str:
    """The fault action as ``pmipviz.export.ladder.fault_label`` words it."""
    if "no change" in label:
        return "none"
    if "restored" in label:
        return "restore"
    if " moves" in label:
        return "move"
    return "break"


def render_row(geo: LadderGeometry, row: LadderRow, label: str,
               action: str | None = None) -> Canvas:
    """One ladder row as a one-line canvas (no background). ``action`` is the fault's
    (break, restore, move, none) for a fault row, else read from its label."""
    p = styles()
    c = Canvas(geo.width, 1)
    c.put(0, 0, f"{row.t_ms:>{TIME_W}.1f}", p.time)
    if row.step is not None:
        c.put(TIME_W + 1, 0, f"({row.step})", p.step)
    style = class_style(row.msg_class, bold=row.msg_class not in ("DATA",))
    c.put(TIME_W + STEP_W + 2, 0, fit_label(label, geo.label_w), style)
    for x in geo.x.values():
        c.put(x, 0, "│", p.lane)
    xa = geo.x.get(row.src)
    xb = geo.x.get(row.dst) if row.dst is not None else None
    if row.kind == "arrow" and xa is not None and xb is not None and xa != xb:
        right = xb > xa
        line = class_line(row.msg_class)
        lo, hi = sorted((xa, xb))
        c.put(lo + 1, 0, line * (hi - lo - 1), style)
        c.put(xa, 0, "├" if right else "┤", style)
        head = "▶" if right else "◀"
        # a rejected PBA ends in ✕ as the help legend says (not colour alone), and so
        # does a control message lost on the way
        rejected = row.msg_class == "PBA_REJECT"
        if rejected or (row.lost and row.msg_class not in ("DATA", "DATA_CACHED")):
            head = "✕"
        c.put(xb - 1 if right else xb + 1, 0, head, style)
    elif xa is not None:
        if row.kind == "fault":
            mark = FAULT_MARKS.get(action or fault_action_of_label(row.label), "✕")
        elif row.kind == "drop":
            mark = "✕"
        else:
            mark = class_mark(row.msg_class)
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
        self._trace: Sequence[TraceEvent] = ()

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
        self._trace = trace
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
                return Strip([Segment(text, styles().dim)]).adjust_cell_length(width).apply_style(
                    base)
            return Strip.blank(width, base)
        geo = self.geometry()
        label = self.builder.label_upto(index, self.cursor)
        state = "sel" if index == self.selected else "cur" if index == self.current else ""
        key = (index, label, state, geo.width, width, base, styles().name)
        strip = self._cache.get(key)
        if strip is None:
            row = self.row(index)
            action = None
            if row.kind == "fault":
                trace = self._trace
                action = fault_action([trace[i] for i in row.events if i < len(trace)])
            c = render_row(geo, row, label, action)
            theme = styles()
            bg = theme.selected_bg if state == "sel" else theme.current_bg if state == "cur" \
                else None
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
        p = styles()
        c = Canvas(geo.width, 1)
        c.put(0, 0, f"{'t ms':>{TIME_W}}", p.dim)
        c.put(TIME_W + 1, 0, "st", p.dim)
        c.put(TIME_W + STEP_W + 2, 0, "event", p.dim)
        for name, x in geo.x.items():
            c.centre(x, 0, name, p.node)
        return Strip(c.segments(0)).crop_extend(0, width, self._base).apply_style(
            self._base + Style(underline=True))


def _count_below(firsts: list[int], cursor: int) -> int:
    """How many rows start before ``cursor`` (``firsts`` is increasing)."""
    from bisect import bisect_left

    return bisect_left(firsts, cursor)
