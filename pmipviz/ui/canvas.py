"""A character grid with a style per cell, drawn into and read out as Rich segments.

Textual-free so the drawing code can be tested with plain strings."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from pmipviz.ui.palette import styles

# box-drawing junctions: which arms (up, down, left, right) each character has
_ARMS: dict[str, tuple[bool, bool, bool, bool]] = {
    "│": (True, True, False, False),
    "─": (False, False, True, True),
    "┌": (False, True, False, True),
    "┐": (False, True, True, False),
    "└": (True, False, False, True),
    "┘": (True, False, True, False),
    "├": (True, True, False, True),
    "┤": (True, True, True, False),
    "┬": (False, True, True, True),
    "┴": (True, False, True, True),
    "┼": (True, True, True, True),
}
_FROM_ARMS = {arms: ch for ch, arms in _ARMS.items()}


class Canvas:
    """``width`` x ``height`` cells of (character, style); grows downwards on demand."""

    def __init__(self, width: int, height: int = 0, style: Style | None = None) -> None:
        self.width = max(1, width)
        self.style = styles().base if style is None else style
        self.chars: list[list[str]] = []
        self.styles: list[list[Style]] = []
        self.ensure(height)

    @property
    def height(self) -> int:
        return len(self.chars)

    def ensure(self, height: int) -> None:
        """Grow to at least ``height`` rows."""
        while len(self.chars) < height:
            self.chars.append([" "] * self.width)
            self.styles.append([self.style] * self.width)

    def put(self, x: int, y: int, text: str, style: Style | None = None) -> None:
        """Write ``text`` at (x, y), clipped to the width."""
        if y < 0:
            return
        self.ensure(y + 1)
        row, srow = self.chars[y], self.styles[y]
        for i, ch in enumerate(text):
            cx = x + i
            if 0 <= cx < self.width:
                row[cx] = ch
                srow[cx] = style or self.style

    def join(self, x: int, y: int, ch: str, style: Style | None = None) -> None:
        """Write a box-drawing character, merging its arms with what is already there."""
        if not 0 <= x < self.width or y < 0:
            return
        self.ensure(y + 1)
        old = _ARMS.get(self.chars[y][x])
        new = _ARMS.get(ch)
        if old and new:
            merged = tuple(a or b for a, b in zip(old, new, strict=True))
            ch = _FROM_ARMS.get(merged, ch)  # type: ignore[arg-type]
        self.put(x, y, ch, style)

    def hline(self, x0: int, x1: int, y: int, style: Style | None = None,
              ch: str = "─") -> None:
        """A horizontal line from x0 to x1 inclusive (either order)."""
        lo, hi = sorted((x0, x1))
        for x in range(lo, hi + 1):
            if ch == "─":
                self.join(x, y, ch, style)
            else:
                self.put(x, y, ch, style)

    def vline(self, x: int, y0: int, y1: int, style: Style | None = None,
              ch: str = "│") -> None:
        """A vertical line from y0 to y1 inclusive (either order)."""
        lo, hi = sorted((y0, y1))
        for y in range(lo, hi + 1):
            if ch == "│":
                self.join(x, y, ch, style)
            else:
                self.put(x, y, ch, style)

    def centre(self, cx: int, y: int, text: str, style: Style | None = None) -> int:
        """Write ``text`` centred on column ``cx``; returns its first column."""
        x = cx - len(text) // 2
        x = max(0, min(x, self.width - len(text)))
        self.put(x, y, text, style)
        return x

    def text(self, y: int) -> str:
        """Row ``y`` as plain text (for tests)."""
        return "".join(self.chars[y]) if y < self.height else " " * self.width

    def segments(self, y: int) -> list[Segment]:
        """Row ``y`` as Rich segments, runs of one style merged."""
        if y >= self.height:
            return [Segment(" " * self.width, self.style)]
        row, srow = self.chars[y], self.styles[y]
        out: list[Segment] = []
        start = 0
        for x in range(1, self.width + 1):
            if x == self.width or srow[x] != srow[start]:
                out.append(Segment("".join(row[start:x]), srow[start]))
                start = x
        return out
