"""The MAGs' caches (occupancy bar, cached-in, flushed, dropped) and the flows'
counters (sent, delivered, lost, reordered)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from pmipviz.sim.state import StateView
from pmipviz.ui.palette import BASE, DIM, DOWN, NODE, UP, class_style
from pmipviz.ui.topology_graph import short_mn
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
    """One line per MAG, then the flows."""
    out: list[list[Segment]] = []
    name_w = max((len(m) for m in view.caches), default=4)
    for name, c in view.caches.items():
        nums = f" {c.occupancy:>2}/{c.capacity:<3} in {c.cached_in:<3} out {c.flushed:<3} "
        drop = f"drop {c.dropped}"
        bar_w = max(4, min(MAX_BAR, width - name_w - 1 - len(nums) - len(drop)))
        busy = class_style("BUFFER", bold=True) if c.occupancy else DIM
        out.append([
            Segment(f"{name:<{name_w}} ", NODE),
            Segment(bar(c.occupancy, c.capacity, bar_w), busy),
            Segment(nums, BASE),
            Segment(drop, DOWN if c.dropped else DIM),
        ])
    flows = view.flows
    if not flows:
        return out
    shown = list(enumerate(flows))
    if len(flows) > MAX_FLOW_LINES:
        shown = [(i, f) for i, f in shown if mn in (f.src, f.dst)]
        sent = sum(f.sent for f in flows)
        delivered = sum(f.delivered for f in flows)
        lost = sum(f.lost for f in flows)
        reord = sum(f.reordered for f in flows)
        out.append(_flow_line(f"all {len(flows)} flows", sent, delivered, lost, reord))
    for _, f in shown:
        label = f"{short_mn(f.src)}→{short_mn(f.dst)}"
        out.append(_flow_line(label, f.sent, f.delivered, f.lost, f.reordered))
    if view.lost_by_reason:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(view.lost_by_reason.items()))
        out.append([Segment("lost: ", DOWN), Segment(reasons, DOWN)])
    return out


def _flow_line(label: str, sent: int, delivered: int, lost: int,
               reordered: int) -> list[Segment]:
    return [
        Segment(f"{label:<13} ", NODE),
        Segment(f"sent {sent:<4} ", BASE),
        Segment(f"delivered {delivered:<4} ", UP if delivered else BASE),
        Segment(f"lost {lost:<4} ", DOWN if lost else BASE),
        Segment(f"reord {reordered}", Style(color="#ffd75f") if reordered else BASE),
    ]


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
