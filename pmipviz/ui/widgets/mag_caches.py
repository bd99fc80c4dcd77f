"""The MAGs' caches (occupancy bar, cached-in, flushed, overflow drops) and the
flows' counters (sent, delivered, lost, reordered): the metrics' own counters
(``pmipviz.sim.counters``), so "delivered" counts a packet once, as ``run --json``."""

from __future__ import annotations

from rich.segment import Segment

from pmipviz.protocol.keys import short_mn
from pmipviz.sim.state import StateView
from pmipviz.ui.palette import class_style, styles
from pmipviz.ui.widgets.lines_view import LinesView

_EIGHTHS = " ▏▎▍▌▋▊▉█"
MAX_BAR = 32
MAX_FLOW_LINES = 6  # more flows than this: the selected MN's flows and a total


def bar(value: int, capacity: int, width: int) -> str:
    """A bar of ``width`` cells filled ``value / capacity`` (eighth blocks)."""
    if width <= 0:
        return ""
    frac = 0.0 if capacity <= 0 else min(1.0, value / capacity)
    eighths = round(frac * width * 8)
    if value > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return text + "░" * (width - len(text))


def cache_lines(view: StateView, mn: str | None, width: int) -> list[list[Segment]]:
    """One line per MAG, then the flows; every line fits ``width`` when it can.
    ``overflow N`` counts the packets a full cache had to drop (not every drop)."""
    p = styles()
    out: list[list[Segment]] = []
    name_w = max((len(m) for m in view.caches), default=4)
    for name, c in view.caches.items():
        nums = f" {c.occupancy:>2}/{c.capacity:<3} in {c.cached_in:<3} out {c.flushed:<3} "
        over = f"overflow {c.dropped}"
        if name_w + 1 + 4 + len(nums) + len(over) > width:
            nums = f" {c.occupancy}/{c.capacity} in {c.cached_in} out {c.flushed} "
        bar_w = max(4, min(MAX_BAR, width - name_w - 1 - len(nums) - len(over)))
        busy = class_style("BUFFER", bold=True) if c.occupancy else p.dim
        out.append([
            Segment(f"{name:<{name_w}} ", p.node),
            Segment(bar(c.occupancy, c.capacity, bar_w), busy),
            Segment(nums, p.base),
            Segment(over, p.down if c.dropped else p.dim),
        ])
    flows = view.flows
    if not flows:
        return out
    rows: list[tuple[str, int, int, int, int]] = []
    shown = list(flows)
    if len(flows) > MAX_FLOW_LINES:
        shown = [f for f in flows if mn in (f.src, f.dst)]
        rows.append((f"all {len(flows)} flows", sum(f.sent for f in flows),
                     sum(f.delivered for f in flows), sum(f.lost for f in flows),
                     sum(f.reordered for f in flows)))
    rows += [(f"{short_mn(f.src)}→{short_mn(f.dst)}", f.sent, f.delivered, f.lost,
              f.reordered) for f in shown]
    out += flow_lines(rows, width)
    if view.lost_by_reason:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(view.lost_by_reason.items()))
        out.append([Segment("lost: ", p.down), Segment(reasons, p.down)])
    return out


# (sent, delivered, lost, reordered) labels: the first layout that fits is used
FLOW_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("sent", "delivered", "lost", "reord"),
    ("sent", "dlv", "lost", "reord"),
)


def flow_lines(rows: list[tuple[str, int, int, int, int]],
               width: int) -> list[list[Segment]]:
    """One line per flow (label, sent, delivered, lost, reordered), in aligned
    columns; the short words (``dlv``) and tight columns when ``width`` is small, so
    that the lost count stays visible."""
    if not rows:
        return []
    label_w = max(len(r[0]) for r in rows)
    digits = [max(len(str(r[k])) for r in rows) for k in range(1, 5)]
    layouts = [(words, max(13, label_w), [max(d, 4) for d in digits]) for words in FLOW_WORDS]
    layouts.append((FLOW_WORDS[-1], label_w, digits))
    for words, lw, nw in layouts:
        length = lw + sum(len(w) + 2 + n for w, n in zip(words, nw, strict=True))
        if length <= width:
            break
    p = styles()
    out = []
    for label, sent, delivered, lost, reordered in rows:
        out.append([
            Segment(f"{label:<{lw}} ", p.node),
            Segment(f"{words[0]} {sent:<{nw[0]}} ", p.base),
            Segment(f"{words[1]} {delivered:<{nw[1]}} ", p.up if delivered else p.base),
            Segment(f"{words[2]} {lost:<{nw[2]}} ", p.down if lost else p.base),
            Segment(f"{words[3]} {reordered}",
                    p.caution if reordered else p.base),
        ])
    return out


class MagCachesView(LinesView):
    """The caches and flows at the cursor."""

    def show(self, view: StateView, mn: str | None) -> None:
        width = max(30, self.content_width() or 60)
        self.set_lines(cache_lines(view, mn, width), width)
        self._last = (view, mn)

    def on_resize(self) -> None:
        last = getattr(self, "_last", None)
        if last is not None:
            self.show(*last)
