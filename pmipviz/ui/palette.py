"""One colour and one glyph per message class, shared by the topology and the ladder,
and the colours of everything else the TUI draws, in a dark and a light theme.

Widgets read :func:`styles` when they render (never at import), so switching the
theme (``T``, ``--theme``) and refreshing the panes recolours everything. The dark
theme's colours are chosen for a dark terminal on a projector; the light theme's
come from the light ladder exports (``pmipviz.export.colors.LIGHT``), so a slide
and the screen agree, and each reads on white (tests/ui/test_theme.py computes the
WCAG contrast of every one). Every class also has a label or glyph so nothing
depends on colour alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from textual.theme import Theme as TextualTheme

from pmipviz.export.colors import CLASS_COLORS, LIGHT, LIGHT_CLASS_COLORS

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


@dataclass(frozen=True)
class PlotColors:
    """The delivery plot's colours (``d``), hex strings for textual-plot."""

    sent: str
    delivered: str
    cached: str
    reordered: str
    lost: tuple[str, ...]  # one per loss reason, in turn
    markers: Mapping[str, str]  # fault, dereg, pba, flush
    mags: tuple[str, ...]  # one per MAG's occupancy line
    outage: str
    text: str
    dim: str


@dataclass(frozen=True)
class UiTheme:
    """The colours of one TUI theme; ``textual`` names the Textual theme it goes with."""

    name: str
    textual: str
    classes: Mapping[str, str]  # msg_class -> colour
    background: str  # the panes' background (Textual's $surface and $background)
    base: Style  # ordinary text
    dim: Style  # secondary text
    lane: Style  # lifelines, tree lines
    node: Style  # node names
    up: Style
    down: Style
    step: Style  # Figure 1 step numbers
    time: Style
    current_bg: Style  # the ladder row of the current event
    selected_bg: Style  # the ladder row the user selected
    changed: Style  # a Binding Cache cell that just changed
    key: Style  # a key's name in help and hints, section titles
    note: Style  # references (RFC sections), secondary notes
    end: Style  # "end of the run"
    caution: Style  # paused, reordered, the other mode's contrast
    muted: Style  # separators of the status line, field names
    good: Style  # playing, FT mode, a right answer
    rfc: Style  # RFC 5213 mode
    badge: Style  # the lesson badge of the status line
    tag: Style  # the status line's scenario tag
    plot: PlotColors

    def class_color(self, msg_class: str | None) -> str | None:
        """The colour of a message class (None for an unknown one)."""
        return self.classes.get(msg_class or "")


DARK = UiTheme(
    name="dark", textual="textual-dark", classes=CLASS_COLORS, background="#1e1e1e",
    base=Style(color="#c0c0c0"),
    dim=Style(color="#6c6c6c"),
    lane=Style(color="#585858"),
    node=Style(color="#ffffff", bold=True),
    up=Style(color="#5faf5f"),
    down=Style(color="#ff5f5f", bold=True),
    step=Style(color="#ffaf00", bold=True),
    time=Style(color="#8a8a8a"),
    current_bg=Style(bgcolor="#303a4a"),
    selected_bg=Style(bgcolor="#005f87"),
    changed=Style(color="#000000", bgcolor="#ffd75f", bold=True),
    key=Style(color="#5fafd7", bold=True),
    note=Style(color="#87afd7"),
    end=Style(color="#ff8787", bold=True),
    caution=Style(color="#ffd75f"),
    muted=Style(color="#8a8a8a"),
    good=Style(color="#5fd75f", bold=True),
    rfc=Style(color="#ff8700", bold=True),
    badge=Style(color="#000000", bgcolor="#ffaf00", bold=True),
    tag=Style(color="#000000", bgcolor="#5fafd7", bold=True),
    plot=PlotColors(
        sent="#8a8a8a", delivered="#5fafff", cached="#ffaf00", reordered="#ff87ff",
        lost=("#ff5f5f", "#ffff5f", "#d787ff", "#5fd7d7", "#ff875f", "#afff5f", "#ffffff"),
        markers={"fault": "#ff5f5f", "dereg": "#87afff", "pba": "#5fd75f", "flush": "#ffaf00"},
        mags=("#5fafff", "#ffaf00", "#5fd75f", "#ff87ff", "#5fd7d7", "#ff5f5f", "#ffffff"),
        outage="#ff5f5f", text="#c0c0c0", dim="#6c6c6c"),
)

# the light export's colours (export.colors.LIGHT) on white: text >= 4.5:1, lifelines
# >= 3:1 (WCAG's level for graphics), text on the highlighted rows >= 3:1 (bold)
LIGHT_UI = UiTheme(
    name="light", textual="pmipviz-light", classes=LIGHT_CLASS_COLORS,
    background=LIGHT.background,
    base=Style(color=LIGHT.default),
    dim=Style(color="#666666"),
    lane=Style(color="#8a8a8a"),  # the export's #9e9e9e is 2.7:1 on white
    node=Style(color=LIGHT.foreground, bold=True),
    up=Style(color=LIGHT.classes["PBA"]),
    down=Style(color=LIGHT.classes["DROP"], bold=True),
    step=Style(color=LIGHT.step, bold=True),
    time=Style(color=LIGHT.time),
    current_bg=Style(bgcolor="#e6eef7"),
    selected_bg=Style(bgcolor="#bcd8ee"),
    changed=Style(color="#000000", bgcolor="#ffd75f", bold=True),
    key=Style(color=LIGHT.classes["PBU"], bold=True),
    note=Style(color=LIGHT.classes["DATA"]),
    end=Style(color=LIGHT.classes["DROP"], bold=True),
    caution=Style(color=LIGHT.classes["DATA_CACHED"]),
    muted=Style(color=LIGHT.time),
    good=Style(color=LIGHT.classes["PBA"], bold=True),
    rfc=Style(color=LIGHT.step, bold=True),  # DEREG's is 4.1:1 on the status line's grey
    badge=Style(color="#000000", bgcolor="#ffaf00", bold=True),
    tag=Style(color="#000000", bgcolor="#87c3e6", bold=True),
    plot=PlotColors(
        sent=LIGHT.time, delivered=LIGHT.classes["PBU"], cached=LIGHT.step,
        reordered=LIGHT.classes["PBA_REJECT"],
        lost=("#c00000", "#7a5a00", "#5f00af", "#006b6b", "#af5f00", "#3d6b00", "#1c1c1c"),
        markers={"fault": "#c00000", "dereg": "#1f4fbf", "pba": "#007700", "flush": "#9a4f00"},
        mags=("#005f87", "#9a4f00", "#007700", "#af0060", "#006b6b", "#c00000", "#1c1c1c"),
        outage="#c00000", text=LIGHT.default, dim="#666666"),
)

# the Textual theme of the light one: white panes (the light exports' background), so
# that the colours above read as computed; textual-light's panes are grey (#d8d8d8)
LIGHT_TEXTUAL = TextualTheme(
    name="pmipviz-light", dark=False, primary="#005f87", secondary="#0178d4",
    accent="#9a4f00", warning="#9a4f00", error="#c00000", success="#007700",
    foreground=LIGHT.foreground, background=LIGHT.background, surface=LIGHT.background,
    panel="#f0f0f0", variables={"footer-key-foreground": "#005f87"},
)

THEMES: dict[str, UiTheme] = {"dark": DARK, "light": LIGHT_UI}

_current = DARK


def styles() -> UiTheme:
    """The theme the TUI draws with now (read it when rendering, not at import)."""
    return _current


def use(name: str) -> UiTheme:
    """Draw with theme ``name`` ("dark" or "light") from now on; the app refreshes."""
    global _current
    _current = THEMES[name]
    return _current


def class_style(msg_class: str | None, bold: bool = False) -> Style:
    """The style of a message class in the current theme (``base`` for an unknown one)."""
    theme = styles()
    colour = theme.class_color(msg_class)
    if colour is None:
        return theme.base
    return Style(color=colour, bold=bold)


def class_line(msg_class: str | None) -> str:
    """The horizontal line character of an arrow of this class."""
    return CLASS_LINES.get(msg_class or "", "─")


def class_mark(msg_class: str | None) -> str:
    """The glyph of a local action of this class."""
    return CLASS_MARKS.get(msg_class or "", "●")
