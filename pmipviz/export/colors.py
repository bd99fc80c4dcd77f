"""One colour per message class, shared by every ladder export (and the UI).

The hex values are those of the TUI's palette, chosen for a dark background on
a projector; the SVG and PlantUML exports draw on the same dark background so
the colours read the same everywhere. Every class also has a name for legends,
so nothing depends on colour alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pmipviz.export.ladder import MSG_CLASSES

# msg_class (pmipviz.export.ladder.MSG_CLASSES) -> colour
CLASS_COLORS: dict[str, str] = {
    "PBU": "#00d7ff",
    "DEREG": "#ff8700",
    "PBA": "#5fd75f",
    "PBA_REJECT": "#ff5faf",
    "RS": "#af87ff",
    "RA": "#af87ff",
    "DATA": "#87afd7",
    "DATA_CACHED": "#ffd75f",
    "DROP": "#ff5f5f",
    "STATE": "#e4e4e4",
    "BUFFER": "#ffd75f",
    "FAULT": "#ff5f5f",
}

# msg_class -> the words a legend shows
CLASS_NAMES: dict[str, str] = {
    "PBU": "PBU",
    "DEREG": "DeReg PBU",
    "PBA": "PBA",
    "PBA_REJECT": "PBA (rejected)",
    "RS": "RS",
    "RA": "RA",
    "DATA": "DATA",
    "DATA_CACHED": "cached DATA",
    "DROP": "drop",
    "STATE": "state change",
    "BUFFER": "MAG cache",
    "FAULT": "fault",
}

# the diagram around the messages (dark theme)
BACKGROUND = "#1c1c1c"
FOREGROUND = "#e4e4e4"
LANE = "#6c6c6c"
BOX = "#303030"
BOX_BORDER = "#8a8a8a"
STEP = "#ffaf00"
TIME = "#8a8a8a"
DEFAULT = "#c0c0c0"

assert set(CLASS_COLORS) == set(MSG_CLASSES) == set(CLASS_NAMES)


def class_color(msg_class: str | None) -> str:
    """The colour of a message class (``DEFAULT`` for an unknown one)."""
    return CLASS_COLORS.get(msg_class or "", DEFAULT)


# light theme (projectors in bright rooms, printed handouts): the same classes, darker
# tones that keep a contrast of at least 4.5:1 on white (tests/export/test_themes.py)
LIGHT_CLASS_COLORS: dict[str, str] = {
    "PBU": "#005f87",
    "DEREG": "#af5f00",
    "PBA": "#007700",
    "PBA_REJECT": "#af0060",
    "RS": "#5f00af",
    "RA": "#5f00af",
    "DATA": "#4a5d75",
    "DATA_CACHED": "#7a5a00",
    "DROP": "#c00000",
    "STATE": "#303030",
    "BUFFER": "#7a5a00",
    "FAULT": "#c00000",
}


@dataclass(frozen=True)
class Theme:
    """The colours of one ladder export theme (SVG, PlantUML; Mermaid picks its own)."""

    name: str
    classes: Mapping[str, str]
    background: str
    foreground: str
    lane: str
    box: str
    box_border: str
    step: str
    time: str
    default: str

    def color(self, msg_class: str | None) -> str:
        """The colour of a message class (``default`` for an unknown one)."""
        return self.classes.get(msg_class or "", self.default)


DARK = Theme("dark", CLASS_COLORS, BACKGROUND, FOREGROUND, LANE, BOX, BOX_BORDER, STEP, TIME,
             DEFAULT)
LIGHT = Theme("light", LIGHT_CLASS_COLORS, "#ffffff", "#1c1c1c", "#9e9e9e", "#f0f0f0",
              "#5f5f5f", "#9a4f00", "#595959", "#444444")
THEMES: dict[str, Theme] = {"dark": DARK, "light": LIGHT}

assert set(LIGHT_CLASS_COLORS) == set(CLASS_COLORS)
