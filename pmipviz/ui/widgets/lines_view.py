"""A scrollable Line-API view of pre-rendered lines that repaints only the lines
that changed."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LinesView(ScrollView):
    """Holds one list of segments per line; ``set_lines`` diffs and refreshes."""

    DEFAULT_CSS = """
    LinesView { overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[list[Segment]] = []
        self._width = 0
        self._strips: dict[int, Strip] = {}
        self._strip_key: tuple[int, int, object] = (0, 0, None)
        self._base = Style()

    def content_width(self) -> int:
        """The width lines should be drawn for."""
        return self.scrollable_content_region.width or self.size.width

    def set_lines(self, lines: list[list[Segment]], width: int) -> None:
        """Replace the content; only lines that differ are repainted."""
        old = self._lines
        self._lines = lines
        if len(lines) != len(old) or width != self._width:
            self._width = width
            self._strips.clear()
            self.virtual_size = Size(width, len(lines))
            self._scroll_update(self.virtual_size)  # scrollbars follow (as TextArea does)
            self.refresh()
            return
        for y, (a, b) in enumerate(zip(old, lines, strict=True)):
            if a != b:
                self._strips.pop(y, None)
                self.refresh_line(y)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # computed once per paint, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_offset.y)
        width = self.size.width
        base = self._base
        key = (width, int(self.scroll_offset.x), base)
        if key != self._strip_key:
            self._strips.clear()
            self._strip_key = key
        strip = self._strips.get(index)
        if strip is None:
            if 0 <= index < len(self._lines):
                strip = Strip(self._lines[index])
            else:
                strip = Strip.blank(width)
            x = int(self.scroll_offset.x)
            strip = strip.crop_extend(x, x + width, base).apply_style(base)
            self._strips[index] = strip
        return strip
