"""The delivery plot's time window (zoom and pan, README "Delivery plot"): where a
zoom, a pan, the cursor's moves and "Zoom to the handover" put it, its ticks and its
caption. Textual-free: plain arithmetic on simulated milliseconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pmipviz.export.plot_data import DeliveryData

MIN_WIDTH_MS = 10.0
"""No zoom below this: a window of 10 ms shows one packet of a 100 pps flow."""

NICE = (1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Window:
    """A time window ``lo..hi`` (ms)."""

    lo: float
    hi: float

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def contains(self, t_ms: float) -> bool:
        return self.lo <= t_ms <= self.hi


def placed(lo: float, width: float, run_end: float) -> Window:
    """A window of ``width`` starting at ``lo``, moved inside ``0..run_end``."""
    width = min(width, run_end)
    lo = min(max(lo, 0.0), run_end - width)
    return Window(lo, lo + width)


def zoomed(current: Window, factor: float, centre: float, whole: Window,
           run_end: float) -> Window | None:
    """``current`` made ``factor`` times narrower (``factor`` < 1: wider), centred on
    ``centre``, never narrower than MIN_WIDTH_MS; None (the whole run so far) once it
    would be as wide as ``whole``."""
    width = max(MIN_WIDTH_MS, current.width / factor)
    if width >= whole.width:
        return None
    return placed(centre - width / 2, width, run_end)


def panned(current: Window, direction: int, run_end: float) -> Window:
    """``current`` moved by half its width (``direction`` -1 earlier, +1 later),
    stopping at the run's edges."""
    return placed(current.lo + direction * current.width / 2, current.width, run_end)


def followed(current: Window, before: float | None, now: float, run_end: float) -> Window:
    """Where ``current`` goes when the cursor moves from ``before`` to ``now``: when
    the cursor was inside and has left it, on by half windows (as ``<``/``>``) until
    it is inside again; else it stays put (a window zoomed away from the cursor, e.g.
    to the handover before the run gets there, waits for the cursor)."""
    if before is None or not current.contains(before) or current.contains(now):
        return current
    half = current.width / 2
    if now > current.hi:
        moves = math.ceil((now - current.hi) / half - 1e-9)
    else:
        moves = -math.ceil((current.lo - now) / half - 1e-9)
    return placed(current.lo + moves * half, current.width, run_end)


def nice_step(span: float) -> float:
    """The largest of 1, 2, 5 x 10^k at most ``span`` (at least 0.1)."""
    if span <= 0.1:
        return 0.1
    power = 10.0 ** math.floor(math.log10(span))
    return max(step * power for step in NICE if step * power <= span + 1e-9)


def handover_span(data: DeliveryData) -> tuple[float, float] | None:
    """From the first fault (or the last delivery before it, where the outage begins)
    to the last of: the handover's markers (DeReg PBU, PBA, flush), the first packet
    delivered after the fault not from a cache (on the new path), the cached packets
    delivered; all before the next fault. None without a fault."""
    faults = [m.t_ms for m in data.markers if m.kind == "fault"]
    if not faults:
        return None
    t0 = faults[0]
    nxt = next((t for t in faults[1:] if t > t0), math.inf)
    ends = [m.t_ms for m in data.markers if t0 <= m.t_ms < nxt]
    after = [p for p in data.delivered if t0 < p.t_ms < nxt]
    first = next((p.t_ms for p in after if not p.cached), None)
    ends += [p.t_ms for p in after if p.cached] + ([first] if first is not None else [])
    start = t0
    before = [p.t_ms for p in data.delivered if p.t_ms <= t0]
    if before:
        start = before[-1]
    return start, max(ends)


def handover_window(data: DeliveryData, interval_ms: float, run_end: float) -> Window | None:
    """The handover (``handover_span``) with a margin each side of two sending
    intervals or a quarter of its length (whichever is more), its ends rounded out to
    a round number of ms; None without a fault."""
    span = handover_span(data)
    if span is None:
        return None
    start, end = span
    pad = max(2 * interval_ms, (end - start) / 4, MIN_WIDTH_MS / 2)
    lo, hi = start - pad, end + pad
    step = nice_step((hi - lo) / 5)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return placed(lo, max(hi - lo, MIN_WIDTH_MS), run_end)


def time_ticks(window: Window, columns: int) -> list[float]:
    """Round ticks inside ``window`` whose labels keep at least three blank columns
    between them in a plot ``columns`` wide."""
    width = max(len(f"{window.hi:.0f}"), len(f"{window.lo:.0f}")) + 3
    most = max(2, columns // width)
    step = nice_step(window.width / most)
    while window.width / step + 1 > most:
        step = nice_step(step * 2.5)  # the next of 1, 2, 5 x 10^k
    first = math.ceil(window.lo / step - 1e-9)
    last = math.floor(window.hi / step + 1e-9)
    return [round(k * step, 6) for k in range(first, last + 1)]


def ms(t: float) -> str:
    """A time in a caption: ``980``, ``1012.5``."""
    return f"{round(t, 1):g}"


def caption(window: Window, run_end: float) -> str:
    """``970–1070 ms · zoom ×30 · 0 whole``: the window, how much it magnifies the
    whole run, the key back."""
    factor = run_end / window.width
    shown = f"{round(factor)}" if factor >= 10 else f"{round(factor, 1):g}"
    return f"{ms(window.lo)}–{ms(window.hi)} ms · zoom ×{shown} · 0 whole"
