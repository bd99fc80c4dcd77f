"""The ladder as plain text, drawn like the draft's Figure 1: one lifeline per
column, arrows with their label on the line above, notes beside the lifeline,
the time and the draft's step ``(n)`` in a left margin. Unicode box drawing by
default, pure ASCII on request; no line is wider than ``width`` (labels that do
not fit are cut with an ellipsis)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.ladder import LadderRow

TIME_W = 7  # "1020.0" right-aligned
STEP_W = 3  # "(3)"
MARGIN = TIME_W + 1 + STEP_W + 2  # the first character right of the margin
MIN_GAP = 6  # the narrowest distance between two lifelines


@dataclass(frozen=True)
class Glyphs:
    """The characters a ladder is drawn with."""

    lane: str
    tail_right: str  # at the source of an arrow going right
    tail_left: str
    head_right: str
    head_left: str
    lost: str
    lines: dict[str, str]  # msg_class -> line character
    line: str
    marks: dict[str, str]  # msg_class -> note mark
    box: str  # top-left, top-right, bottom-left, bottom-right, horizontal, vertical, tee
    ellipsis: str


UNICODE = Glyphs("│", "├", "┤", "▶", "◀", "✕", {"DATA": "┄", "DATA_CACHED": "═"}, "─",
                 {"STATE": "●", "BUFFER": "■", "FAULT": "✕", "DROP": "✕"}, "┌┐└┘─│┬", "…")
ASCII = Glyphs("|", "|", "|", ">", "<", "x", {"DATA": ".", "DATA_CACHED": "="}, "-",
               {"STATE": "*", "BUFFER": "#", "FAULT": "X", "DROP": "X"}, "++++-|+", "...")

_ASCII_WORDS = {"×": "x", "✕": "X", "→": "->", "←": "<-", "■": "#", "…": "...", "·": "-",
                "–": "-", "—": "-", "≤": "<=", "≥": ">="}


def to_ascii(text: str) -> str:
    """``text`` in pure ASCII: known symbols spelled out, accents dropped, the rest ``?``."""
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_WORDS:
            out.append(_ASCII_WORDS[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if c.isascii() and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


def cut(text: str, room: int, ellipsis: str = "…") -> str:
    """``text`` shortened to ``room`` characters, ending with ``ellipsis`` when cut."""
    if len(text) <= room:
        return text
    if room <= len(ellipsis):
        return text[:max(room, 0)]
    return text[: room - len(ellipsis)] + ellipsis


class _Canvas:
    """Lines of a fixed width, written into character by character."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[list[str]] = []

    def new_line(self) -> list[str]:
        line = [" "] * self.width
        self.lines.append(line)
        return line

    def put(self, line: list[str], x: int, text: str) -> None:
        for k, ch in enumerate(text):
            if 0 <= x + k < self.width:
                line[x + k] = ch

    def text(self) -> str:
        return "".join("".join(line).rstrip() + "\n" for line in self.lines)


class TextLadder:
    """Draws one diagram; ``render()`` returns the text."""

    def __init__(self, diagram: LadderDiagram, *, ascii_only: bool = False,
                 width: int = 100) -> None:
        self.d = diagram
        self.g = ASCII if ascii_only else UNICODE
        self.ascii_only = ascii_only
        n = max(1, len(diagram.columns))
        gap = max(MIN_GAP, (width - MARGIN) // n)
        self.x = {name: MARGIN + gap * i + gap // 2 for i, name in enumerate(diagram.columns)}
        self.gap = gap
        self.width = max([width, *(x + 2 for x in self.x.values())])
        self.canvas = _Canvas(self.width)

    def _t(self, text: str) -> str:
        return to_ascii(text) if self.ascii_only else text

    def _cut(self, text: str, room: int) -> str:
        return cut(text, room, self.g.ellipsis)

    def _lanes(self) -> list[str]:
        line = self.canvas.new_line()
        for x in self.x.values():
            line[x] = self.g.lane
        return line

    def _margin(self, line: list[str], row: LadderRow) -> None:
        self.canvas.put(line, 0, f"{row.t_ms:>{TIME_W}.1f}")
        if row.step is not None:
            self.canvas.put(line, TIME_W + 1, f"({row.step})")

    # -- parts ------------------------------------------------------------------------

    def header(self) -> None:
        c, g = self.canvas, self.g
        c.put(c.new_line(), 0, self._cut(self._t(self.d.caption), self.width))
        c.new_line()
        top, name_line, bottom = c.new_line(), c.new_line(), c.new_line()
        c.put(name_line, 0, f"{'t ms':>{TIME_W}} {'step':>{STEP_W + 1}}")
        for col, x in self.x.items():
            name = self._cut(self._t(col), max(1, self.gap - 5))
            inner = len(name) + 2
            left = x - (inner + 1) // 2
            c.put(top, left, g.box[0] + g.box[4] * inner + g.box[1])
            c.put(name_line, left, f"{g.box[5]} {name} {g.box[5]}")
            c.put(bottom, left, g.box[2] + g.box[4] * inner + g.box[3])
            bottom[x] = g.box[6]

    def arrow(self, row: LadderRow) -> None:
        xa, xb = self.x[row.src], self.x[row.dst or row.src]
        label = self._t(row.label)
        lo, hi = sorted((xa, xb))
        room = self.width - MARGIN
        label = self._cut(label, room)
        start = (lo + hi + 1) // 2 - len(label) // 2
        start = max(MARGIN, min(start, self.width - len(label)))
        self.canvas.put(self._lanes(), start, label)
        line = self._lanes()
        self._margin(line, row)
        g = self.g
        stroke = g.lines.get(row.msg_class, g.line)
        self.canvas.put(line, lo + 1, stroke * (hi - lo - 1))
        lost = row.lost and row.msg_class not in ("DATA", "DATA_CACHED")
        if xb > xa:
            line[xa] = g.tail_right
            line[xb - 1] = g.lost if lost else g.head_right
        else:
            line[xa] = g.tail_left
            line[xb + 1] = g.lost if lost else g.head_left

    def note(self, row: LadderRow) -> None:
        line = self._lanes()
        self._margin(line, row)
        x = self.x[row.src]
        mark = self.g.marks.get(row.msg_class, self.g.marks["STATE"])
        label = row.label
        if row.kind == "drop" and label.startswith("✕ "):
            label = label[2:]  # the mark is the cross
        line[x] = mark
        start, text = self._beside(x, self._t(label))
        self.canvas.put(line, start, text)

    def _beside(self, x: int, text: str) -> tuple[int, str]:
        """Where a note goes: right of its lifeline if it fits, else left, else cut."""
        right, left = self.width - (x + 2), x - 1 - MARGIN
        if len(text) <= right:
            return x + 2, text
        if len(text) <= left:
            return x - 1 - len(text), text
        if right >= left:
            return x + 2, self._cut(text, right)
        text = self._cut(text, left)
        return x - 1 - len(text), text

    def footer(self) -> None:
        self._lanes()
        g = self.g
        legend = (f"{g.line} signalling  {g.lines['DATA']} DATA  {g.lines['DATA_CACHED']} "
                  f"cached DATA  {g.marks['STATE']} state  {g.marks['BUFFER']} MAG cache  "
                  f"{g.marks['FAULT']} fault, drop, lost  (n) Figure 1 step")
        self.canvas.put(self.canvas.new_line(), 0, self._cut(legend, self.width))

    def render(self) -> str:
        self.header()
        for row in self.d.rows:
            arrow = row.kind == "arrow" and row.dst is not None and row.dst != row.src
            (self.arrow if arrow else self.note)(row)
        self.footer()
        return self.canvas.text()


def render_text(diagram: LadderDiagram, *, ascii_only: bool = False, width: int = 100) -> str:
    """The ladder as text lines no wider than ``width`` (more only if the columns need it)."""
    return TextLadder(diagram, ascii_only=ascii_only, width=width).render()
