"""The ladder as an SVG sequence diagram, drawn element by element with
``xml.etree`` (so every text is escaped): participant boxes, dashed lifelines,
arrows with heads (a cross for a lost message), labels, notes for local actions,
the time and the draft's step ``(n)`` in left columns, one colour per message
class from ``colors`` and a legend. The canvas is sized to fit its content."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from pmipviz.export import colors
from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.ladder import MSG_CLASSES, LadderRow

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
FONT_PX = 12
CHAR_W = 7.3  # the advance of one character of FONT at FONT_PX (a little generous)
PAD = 16
TIME_W = 56  # "1020.0"
STEP_W = 36  # "(3)"
MIN_GAP, MAX_GAP = 110, 360  # distance between two lifelines
ARROW_H, NOTE_H = 34, 28  # row heights
BOX_H = 28  # participant boxes
DATA_CLASSES = ("DATA", "DATA_CACHED")


def text_width(text: str) -> float:
    """The estimated width of ``text`` in pixels."""
    return len(text) * CHAR_W


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


class SvgLadder:
    """Draws one diagram; ``render()`` returns the SVG document."""

    def __init__(self, diagram: LadderDiagram, theme: colors.Theme = colors.DARK) -> None:
        self.d = diagram
        self.t = theme
        self.gap = self._gap()
        first = PAD + TIME_W + STEP_W + 8 + self._first_half()
        self.x = {name: first + k * self.gap for k, name in enumerate(diagram.columns)}
        self.root = ET.Element("svg", {"xmlns": SVG_NS, "version": "1.1",
                                       "font-family": FONT, "font-size": str(FONT_PX)})
        self.right = max((x + self._box_w(name) / 2 for name, x in self.x.items()),
                         default=first) + PAD
        self.y = PAD

    # -- geometry -----------------------------------------------------------------------

    def _index(self, name: str) -> int:
        return self.d.columns.index(name)

    def _gap(self) -> float:
        """The lifeline distance that fits every arrow label and participant name."""
        need = float(MIN_GAP)
        for name in self.d.columns:
            need = max(need, text_width(name) + 30)
        for row in self.d.rows:
            if _is_arrow(row):
                span = abs(self._index(row.dst or row.src) - self._index(row.src))
                need = max(need, (text_width(row.label) + 28) / max(span, 1))
        return min(float(math.ceil(need)), MAX_GAP)

    @staticmethod
    def _box_w(name: str) -> float:
        return max(60.0, text_width(name) + 20)

    def _first_half(self) -> float:
        names = self.d.columns
        return self._box_w(names[0]) / 2 if names else 30.0

    # -- elements -------------------------------------------------------------------------

    def _el(self, parent: ET.Element, tag: str, text: str | None = None,
            **attrs: str | float) -> ET.Element:
        el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"):
                                         (_n(v) if isinstance(v, float | int) else v)
                                         for k, v in attrs.items()})
        if text is not None:
            el.text = text
        return el

    def _text(self, parent: ET.Element, x: float, y: float, text: str, color: str,
              anchor: str = "start", **attrs: str | float) -> ET.Element:
        return self._el(parent, "text", text, x=x, y=y, fill=color, text_anchor=anchor, **attrs)

    def _defs(self) -> None:
        defs = self._el(self.root, "defs")
        for cls in MSG_CLASSES:
            marker = self._el(defs, "marker", id=f"head-{cls}", viewBox="0 0 10 10", refX=9,
                              refY=5, markerWidth=8, markerHeight=8, orient="auto-start-reverse",
                              markerUnits="userSpaceOnUse")
            self._el(marker, "path", d="M0,0 L10,5 L0,10 z", fill=self.t.color(cls))

    # -- parts ----------------------------------------------------------------------------

    def _header(self) -> None:
        self._text(self.root, PAD, self.y + 14, self.d.caption, self.t.foreground,
                   font_size=FONT_PX + 2, font_weight="bold")
        self.y += 30
        self._boxes(self.y)
        self.y += BOX_H + 18
        g = self._el(self.root, "g", class_="columns")
        self._text(g, PAD + TIME_W, self.y - 6, "t ms", self.t.time, "end")
        self._text(g, PAD + TIME_W + STEP_W / 2 + 4, self.y - 6, "step", self.t.step, "middle")

    def _boxes(self, top: float) -> None:
        g = self._el(self.root, "g", class_="participants")
        for name, x in self.x.items():
            w = self._box_w(name)
            self._el(g, "rect", x=x - w / 2, y=top, width=w, height=BOX_H, rx=3,
                     fill=self.t.box, stroke=self.t.box_border)
            self._text(g, x, top + BOX_H / 2 + 4, name, self.t.foreground, "middle",
                       font_weight="bold")

    def _lifelines(self, top: float, bottom: float) -> None:
        g = self._el(self.root, "g", class_="lifelines")
        self.root.remove(g)
        self.root.insert(2, g)  # under everything but the title and the defs
        for x in self.x.values():
            self._el(g, "line", x1=x, y1=top, x2=x, y2=bottom, stroke=self.t.lane,
                     stroke_dasharray="4 4")

    def _row_group(self, row: LadderRow, height: float) -> ET.Element:
        g = self._el(self.root, "g", class_=f"row {row.kind}", data_class=row.msg_class)
        span = (f"{row.t_ms:.1f}" if row.t_end_ms == row.t_ms
                else f"{row.t_ms:.1f}-{row.t_end_ms:.1f}")
        events = len(row.events)
        self._el(g, "title", f"t={span} ms · {events} event{'s' if events != 1 else ''}")
        base = self.y + height - 8
        self._text(g, PAD + TIME_W, base, f"{row.t_ms:.1f}", self.t.time, "end")
        if row.step is not None:
            self._text(g, PAD + TIME_W + STEP_W / 2 + 4, base, f"({row.step})", self.t.step,
                       "middle", font_weight="bold")
        return g

    def _label(self, g: ET.Element, cx: float, base: float, text: str, color: str) -> None:
        w = text_width(text) + 8
        left = max(PAD + TIME_W + STEP_W + 8, cx - w / 2)
        self.right = max(self.right, left + w + PAD)
        self._el(g, "rect", x=left, y=base - FONT_PX, width=w, height=FONT_PX + 4,
                 fill=self.t.background, fill_opacity="0.85")
        self._text(g, left + w / 2, base, text, color, "middle")

    def arrow(self, row: LadderRow) -> None:
        g = self._row_group(row, ARROW_H)
        color = self.t.color(row.msg_class)
        xa, xb = self.x[row.src], self.x[row.dst or row.src]
        self._label(g, (xa + xb) / 2, self.y + 13, row.label, color)
        y = self.y + ARROW_H - 10
        lost = row.lost and row.msg_class not in DATA_CLASSES
        sign = 1 if xb > xa else -1
        end = xb - sign * (0.25 * abs(xb - xa) if lost else 1)
        attrs: dict[str, str | float] = {"stroke": color, "stroke-width": 1.5}
        if row.msg_class == "DATA":
            attrs["stroke-dasharray"] = "6 3"
        elif row.msg_class == "DATA_CACHED":
            attrs["stroke-width"] = 3
        if not lost:
            attrs["marker-end"] = f"url(#head-{row.msg_class})"
        line = self._el(g, "line", x1=xa, y1=y, x2=end, y2=y)
        for k, v in attrs.items():
            line.set(k, _n(v) if isinstance(v, float | int) else v)
        if lost:
            self._cross(g, end, y, color, 5)
        self.y += ARROW_H

    def note(self, row: LadderRow) -> None:
        g = self._row_group(row, NOTE_H)
        color = self.t.color(row.msg_class)
        x = self.x[row.src]
        cy = self.y + NOTE_H / 2 + 1
        if row.kind in ("fault", "drop"):
            self._cross(g, x, cy, color, 5)
        elif row.msg_class == "BUFFER":
            self._el(g, "rect", x=x - 5, y=cy - 5, width=10, height=10, fill=color)
        else:
            self._el(g, "circle", cx=x, cy=cy, r=4.5, fill=color)
        w = text_width(row.label) + 12
        self._el(g, "rect", x=x + 10, y=cy - 10, width=w, height=20, rx=3, fill=self.t.box,
                 stroke=color, stroke_width=1)
        self._text(g, x + 16, cy + 4, row.label, color)
        self.right = max(self.right, x + 10 + w + PAD)
        self.y += NOTE_H

    def _cross(self, g: ET.Element, x: float, y: float, color: str, r: float) -> None:
        for dy in (-r, r):
            self._el(g, "line", x1=x - r, y1=y - dy, x2=x + r, y2=y + dy, stroke=color,
                     stroke_width=2.5)

    def _legend(self) -> None:
        present = [c for c in MSG_CLASSES if any(r.msg_class == c for r in self.d.rows)]
        g = self._el(self.root, "g", class_="legend")
        self._text(g, PAD, self.y + 12, "legend", self.t.foreground, font_weight="bold")
        x, y = PAD + 64.0, self.y
        limit = max(self.right, 640.0)
        for cls in present:
            name = colors.CLASS_NAMES[cls]
            w = 30 + text_width(name) + 18
            if x + w > limit - PAD:
                x, y = PAD + 64.0, y + 20
            color = self.t.color(cls)
            self._el(g, "rect", x=x, y=y + 3, width=20, height=10, rx=2, fill=color)
            self._text(g, x + 26, y + 12, name, color)
            x += w
        self.right = max(self.right, limit)
        self.y = y + 20

    def render(self) -> str:
        self._el(self.root, "title", self.d.caption)
        self._defs()
        self._header()
        top = self.y - 18
        for row in self.d.rows:
            (self.arrow if _is_arrow(row) else self.note)(row)
        self.y += 10
        self._lifelines(top, self.y)
        self._boxes(self.y)
        self.y += BOX_H + 20
        self._legend()
        height = self.y + PAD
        width = self.right
        self.root.set("width", _n(width))
        self.root.set("height", _n(height))
        self.root.set("viewBox", f"0 0 {_n(width)} {_n(height)}")
        background = ET.Element("rect", {"width": "100%", "height": "100%",
                                         "fill": self.t.background})
        self.root.insert(2, background)
        ET.indent(self.root, space=" ")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                + ET.tostring(self.root, encoding="unicode") + "\n")


def _is_arrow(row: LadderRow) -> bool:
    return row.kind == "arrow" and row.dst is not None and row.dst != row.src


def render_svg(diagram: LadderDiagram, theme: colors.Theme = colors.DARK) -> str:
    """The ladder as a standalone SVG document, in ``theme``'s colours."""
    return SvgLadder(diagram, theme).render()
