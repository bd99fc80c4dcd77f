"""One colour and one glyph per message class, shared by the topology and the ladder.

Colours are chosen for a dark theme on a projector; every class also has a
label or glyph so nothing depends on colour alone."""

from __future__ import annotations

from rich.style import Style

from pmipviz.export.colors import CLASS_COLORS

# the line an arrow of this class is drawn with (distinguishable without colour)
CLASS_LINES: dict[str, str] = {
    "DATA": "┄",
    "DATA_CACHED": "═",
    "DROP": "╌",
}

# the glyph of a note (local action) of this class in the ladder
CLASS_MARKS: dict[str, str] = {
    "STATE": "●",
    "BUFFER": "■",
    "FAULT": "✕",
    "DROP": "✕",
}

BASE = Style(color="#c0c0c0")
DIM = Style(color="#6c6c6c")
LANE = Style(color="#585858")
NODE = Style(color="#ffffff", bold=True)
UP = Style(color="#5faf5f")
DOWN = Style(color="#ff5f5f", bold=True)
STEP = Style(color="#ffaf00", bold=True)
TIME = Style(color="#8a8a8a")
CURRENT_BG = Style(bgcolor="#303a4a")
SELECTED_BG = Style(bgcolor="#005f87")
CHANGED = Style(color="#000000", bgcolor="#ffd75f", bold=True)


def class_style(msg_class: str | None, bold: bool = False) -> Style:
    """The style of a message class (``BASE`` for an unknown one)."""
    colour = CLASS_COLORS.get(msg_class or "")
    if colour is None:
        return BASE
    return Style(color=colour, bold=bold)


def class_line(msg_class: str | None) -> str:
    """The horizontal line character of an arrow of this class."""
    return CLASS_LINES.get(msg_class or "", "─")


def class_mark(msg_class: str | None) -> str:
    """The glyph of a local action of this class."""
    return CLASS_MARKS.get(msg_class or "", "●")
