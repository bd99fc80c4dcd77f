"""The ladder as plain text, drawn like the draft's Figure 1 and the TUI's ladder:
one lifeline per column, one line per row with its time, the draft's step ``(n)``
and its label in a left column, the arrow or the note's mark on the lifelines. No
label covers or touches a lifeline. Unicode box drawing by default, pure ASCII on
request; no line is wider than ``width`` (labels that do not fit are cut with an
ellipsis)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.ladder import LadderRow

TIME_W = 7  # "1020.0" right-aligned
STEP_W = 3  # "(3)"
MARGIN = TIME_W + 1 + STEP_W + 2  # the first character right of the margin: the label
MIN_GAP = 6  # the narrowest distance between two lifelines
MIN_LABEL = 16  # the narrowest label column


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
    """Draws one diagram; ``render()`` returns the text.

    Like the TUI's ladder: one line per row, the time, the step and the label on the
    left, the lifelines on the right, so that no label ever covers or touches a
    lifeline. The label column is as wide as the longest label (up to what the width
    leaves after the lifelines); the lifelines get the rest."""

    def __init__(self, diagram: LadderDiagram, *, ascii_only: bool = False,
                 width: int = 100) -> None:
        self.d = diagram
        self.g = ASCII if ascii_only else UNICODE
        self.ascii_only = ascii_only
        n = max(1, len(diagram.columns))
        names = [self._t(c) for c in diagram.columns]
        gap = max(MIN_GAP, *(len(name) + 4 for name in names)) if names else MIN_GAP
        longest = max((len(self._t(r.label)) for r in diagram.rows), default=0)
        room = width - MARGIN - n * gap
        self.label_w = max(MIN_LABEL, min(longest + 2, room))
        lanes = max(n * gap, width - MARGIN - self.label_w)
        gap = lanes // n
        left = MARGIN + self.label_w
        self.x = {name: left + gap * i + gap // 2 for i, name in enumerate(diagram.columns)}
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

    def _row_line(self, row: LadderRow) -> list[str]:
        """A new line with the lifelines, the time, the step and the label."""
        line = self._lanes()
        self.canvas.put(line, 0, f"{row.t_ms:>{TIME_W}.1f}")
        if row.step is not None:
            self.canvas.put(line, TIME_W + 1, f"({row.step})")
        self.canvas.put(line, MARGIN, self._cut(self._t(row.label), self.label_w - 2))
        return line

    # -- parts ------------------------------------------------------------------------

    def header(self) -> None:
        c, g = self.canvas, self.g
        c.put(c.new_line(), 0, self._cut(self._t(self.d.caption), self.width))
        c.new_line()
        top, name_line, bottom = c.new_line(), c.new_line(), c.new_line()
        c.put(name_line, 0, f"{'t ms':>{TIME_W}} {'step':>{STEP_W + 1}} event")
        for col, x in self.x.items():
            name = self._cut(self._t(col), max(1, self.gap - 4))
            inner = len(name) + 2
            left = x - (inner + 1) // 2
            c.put(top, left, g.box[0] + g.box[4] * inner + g.box[1])
            c.put(name_line, left, f"{g.box[5]} {name} {g.box[5]}")
            c.put(bottom, left, g.box[2] + g.box[4] * inner + g.box[3])
            bottom[x] = g.box[6]

    def arrow(self, row: LadderRow) -> None:
        xa, xb = self.x[row.src], self.x[row.dst or row.src]
        line = self._row_line(row)
        lo, hi = sorted((xa, xb))
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
        line = self._row_line(row)
        line[self.x[row.src]] = self.g.marks.get(row.msg_class, self.g.marks["STATE"])

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
