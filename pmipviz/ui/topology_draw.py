"""Draws the topology graph and the state at the cursor onto a Canvas.

Two layouts: a Figure-1-like picture (CN over the LMA over a row of MAGs, the
selected MN's interfaces under them) when the MAGs fit side by side, else a tree
(one MAG per line, attachment counts, the selected MN's interfaces under their
MAG) that scrolls. Textual-free."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
from rich.style import Style

from pmipviz.protocol.constants import att_label
from pmipviz.protocol.keys import IfaceKey, short_mn
from pmipviz.sim.state import StateView
from pmipviz.ui.canvas import Canvas
from pmipviz.ui.palette import class_style, styles
from pmipviz.ui.topology_graph import (
    Attachment,
    attachment,
    interfaces_of,
    nodes_of,
    tunnel_state,
)

MIN_SLOT = 11  # columns a MAG needs in the side-by-side layout
PICTURE_HEIGHT = 14  # rows the full picture and its caption need


@dataclass(frozen=True)
class PathHint:
    """The current event as the topology shows it: an edge (src -> dst) or a node."""

    src: str | None = None
    dst: str | None = None
    msg_class: str | None = None
    label: str = ""


@dataclass
class DrawInput:
    """Everything one drawing depends on."""

    graph: nx.Graph
    view: StateView
    mn: str | None
    hint: PathHint
    width: int
    up: Counter[str] = field(default_factory=Counter)
    down: Counter[str] = field(default_factory=Counter)
    height: int = 0  # rows available; a small height gives the compact picture


def node_name(g: nx.Graph, node: str | None) -> str:
    """A short display name of a graph node ("mn1/IF1" for an interface)."""
    if node is None:
        return "?"
    if node in g and g.nodes[node]["kind"] == "iface":
        return IfaceKey(g.nodes[node]["mn"], g.nodes[node]["label"]).short
    if node in g and g.nodes[node]["kind"] == "mn":
        return str(g.nodes[node]["label"])
    return node


def fits_side_by_side(g: nx.Graph, width: int) -> bool:
    """True when every MAG gets a slot of ``MIN_SLOT`` columns."""
    return len(nodes_of(g, "mag")) * MIN_SLOT <= width


def draw(inp: DrawInput) -> Canvas:
    """The topology picture for this state."""
    if fits_side_by_side(inp.graph, inp.width):
        picture = _Picture(inp)
        canvas = picture.draw()
        compact = picture.top == 0  # no room for the caption
    else:
        canvas = _Tree(inp).draw()
        compact = False
    if inp.hint.dst is not None:
        _heavy(canvas, class_style(inp.hint.msg_class, bold=True))
    if not compact:
        _caption(canvas, inp)
    return canvas


_HEAVY = str.maketrans("│─┌┐└┘├┤┬┴┼┆╭╮╰╯", "┃━┏┓┗┛┣┫┳┻╋┇┏┓┗┛")


def _heavy(c: Canvas, hot: Style) -> None:
    """Draw the highlighted path in heavy lines (visible without colour)."""
    for y in range(c.height):
        row, srow = c.chars[y], c.styles[y]
        for x, style in enumerate(srow):
            if style == hot:
                row[x] = row[x].translate(_HEAVY)


def _on_edge(hint: PathHint, a: str, b: str) -> bool:
    return {hint.src, hint.dst} == {a, b}


def _caption(c: Canvas, inp: DrawInput) -> None:
    """Two lines under the picture: what the current event moves, or does."""
    hint, g = inp.hint, inp.graph
    y = c.height + 1
    p = styles()
    if hint.src is None:
        c.put(1, y, "paused at the start: press → to step", p.dim)
        return
    style = class_style(hint.msg_class, bold=True)
    text_style = p.base
    if hint.msg_class == "FAULT":  # the note names the interface and the MAG already
        head, text_style = "", style
    elif hint.dst is not None:
        head = f"▶ {node_name(g, hint.src)} → {node_name(g, hint.dst)} "
    elif hint.label.startswith(node_name(g, hint.src)):  # the label names it already
        head = "● "
    else:
        head = f"● {node_name(g, hint.src)}: "
    c.put(1, y, head, style)
    first, rest = _wrap(hint.label, c.width - 2 - len(head))
    c.put(1 + len(head), y, first, text_style)
    room = c.width - 2
    if rest:
        c.put(1, y + 1, rest if len(rest) <= room else rest[: room - 1] + "…", text_style)


def _wrap(text: str, width: int) -> tuple[str, str]:
    """Split ``text`` at a space so that the first part fits ``width``."""
    if len(text) <= width:
        return text, ""
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        return "", text
    return text[:cut], text[cut + 1:]


class _Drawing:
    """What both layouts share: the input, the canvas and the highlight styles."""

    def __init__(self, inp: DrawInput) -> None:
        self.inp = inp
        self.g = inp.graph
        self.c = Canvas(inp.width)
        self.hint = inp.hint
        self.p = styles()  # the theme of this drawing

    def hl(self, a: str, b: str, base: Style) -> Style:
        """The style of the edge a-b: the message's when it is on the current path."""
        return class_style(self.hint.msg_class, bold=True) if _on_edge(self.hint, a, b) else base

    def node_style(self, node: str) -> Style:
        """A node, reversed in the message's colour when the current event is its own."""
        if self.hint.src == node and self.hint.dst is None:
            return class_style(self.hint.msg_class, bold=True) + Style(reverse=True)
        return self.p.node


class _Picture(_Drawing):
    """CN over LMA over a row of MAGs, the selected MN under them."""

    def __init__(self, inp: DrawInput) -> None:
        super().__init__(inp)
        self.top = 0 if 0 < inp.height < PICTURE_HEIGHT else 2  # the LMA's row


    def slots(self, n: int) -> list[int]:
        w = self.c.width
        return [round((i + 0.5) * w / n) for i in range(n)]

    def draw(self) -> Canvas:
        g, c = self.g, self.c
        lma = nodes_of(g, "lma")[0]
        mags = nodes_of(g, "mag")
        cns = nodes_of(g, "cn")
        lx = c.width // 2
        top = self.top
        if top:  # CNs over the LMA
            cxs = self.slots(len(cns)) if len(cns) > 1 else [lx]
            for cn, x in zip(cns, cxs, strict=True):
                c.centre(x, 0, cn, self.node_style(cn))
            self.bus(lx, top, cxs, cns, 0, lma, "link")
            if len(cns) == 1 and g.has_edge(cns[0], lma):
                c.put(lx + 2, 1, f"{g.edges[cns[0], lma]['delay_ms']:g} ms", self.p.dim)
        else:  # compact: the CNs left of the LMA
            x = lx - len(lma) // 2 - 1
            for cn in reversed(cns):
                c.put(x - 3, 0, "───", self.hl(lma, cn, self.p.up))
                x -= 4 + len(cn)
                c.put(x + 1, 0, cn, self.node_style(cn))
        c.centre(lx, top, lma, self.node_style(lma))
        # tunnels to the MAGs
        mxs = self.slots(len(mags))
        self.bus(lx, top, mxs, mags, top + 3, lma, "tunnel")
        view = self.inp.view
        for mag, x in zip(mags, mxs, strict=True):
            name, up = tunnel_state(g, mag, view.tunnels)
            style = self.hl(lma, mag, self.p.up if up else self.p.dim)
            c.put(x + 1, top + 2, name if up else "no tunnel", style if up else self.p.dim)
            cache = view.caches.get(mag)
            occ = f" {cache.occupancy}/{cache.capacity}" if cache is not None else ""
            x0 = c.centre(x, top + 3, mag + occ, self.p.node)
            c.put(x0, top + 3, mag, self.node_style(mag))
            if cache is not None:
                busy = class_style("BUFFER", bold=True) if cache.occupancy else self.p.dim
                c.put(x0 + len(mag) + 1, top + 3, occ.strip(), busy)
        self.interfaces(dict(zip(mags, mxs, strict=True)))
        return c

    def bus(self, px: int, py: int, xs: list[int], nodes: list[str], cy: int, parent: str,
            kind: str) -> None:
        """Connect the parent at (px, py) with children at (x, cy): a bus on the row
        next to the parent, then verticals to the children's row."""
        c, g, view = self.c, self.g, self.inp.view
        down = cy > py
        y = py + 1 if down else py - 1
        lo, hi = min([px, *xs]), max([px, *xs])
        for x in range(lo, hi + 1):
            style = self.p.lane
            for node, cx in zip(nodes, xs, strict=True):
                if min(px, cx) <= x <= max(px, cx):
                    if _on_edge(self.hint, parent, node):
                        style = self.hl(parent, node, style)
                        break
                    live = kind == "link" or tunnel_state(g, node, view.tunnels)[1]
                    if live and style is self.p.lane:
                        style = self.p.up
            arms = [False, False, x > lo, x < hi]
            if x == px:
                arms[0 if down else 1] = True
            if x in xs:
                arms[1 if down else 0] = True
            c.put(x, y, _box(arms), style)
        for node, cx in zip(nodes, xs, strict=True):
            live = kind == "link" or tunnel_state(g, node, view.tunnels)[1]
            style = self.hl(parent, node, self.p.up if live else self.p.dim)
            for yy in range(min(y, cy) + 1, max(y, cy)):
                c.put(cx, yy, "│" if live else "┆", style)

    def interfaces(self, mag_x: dict[str, int]) -> None:
        """The selected MN: its interfaces under their MAGs and the MN below them."""
        g, c, inp, top = self.g, self.c, self.inp, self.top
        if len(nodes_of(g, "mn")) > 1:
            for mag, x in mag_x.items():
                if inp.up[mag] or inp.down[mag]:
                    text = f"{inp.up[mag]} if" + (f" {inp.down[mag]}✕" if inp.down[mag] else "")
                    c.put(x + 2, top + 5, text, self.p.dim)
        if inp.mn is None:
            return
        atts = [attachment(g, k, inp.view.ifaces) for k in interfaces_of(g, inp.mn)]
        by_mag: dict[str, list[Attachment]] = {}
        for a in atts:
            by_mag.setdefault(a.mag, []).append(a)
        spread = max(5, min(9, c.width // (2 * max(1, len(mag_x)))))
        xs: list[int] = []
        for mag, group in by_mag.items():
            mx = mag_x[mag]
            gxs = [mx + round((j - (len(group) - 1) / 2) * spread) for j in range(len(group))]
            xs.extend(gxs)
            styles = [self.hl(mag, a.key, self.link_style(a)) for a in group]
            lo, hi = min([mx, *gxs]), max([mx, *gxs])
            for x in range(lo, hi + 1):
                style = styles[min(range(len(gxs)), key=lambda j: abs(gxs[j] - x))]
                arms = [x == mx, x in gxs, x > lo, x < hi]
                if lo == hi:
                    arms = [True, True, False, False]
                c.put(x, top + 4, _box(arms), style)
            for a, x, style in zip(group, gxs, styles, strict=True):
                if not a.attached:
                    c.put(x, top + 4, "┆", style)
                    c.put(x, top + 5, "┆", style)
                elif a.up:
                    c.put(x, top + 5, "│", style)
                else:
                    c.put(x, top + 5, "✕", self.p.down)
                if a.attached and not a.up:
                    lstyle = self.p.down
                elif not a.attached:
                    lstyle = self.p.dim
                else:
                    lstyle = self.node_style(a.key)
                c.centre(x, top + 6, f"{a.name} {att_label(a.att)}", lstyle)
        mx = (min(xs) + max(xs)) // 2
        lo, hi = min(xs), max(xs)
        for x in range(lo, hi + 1):
            arms = [x in xs, x == mx, x > lo, x < hi]
            if lo == hi:
                arms = [True, True, False, False]
            c.put(x, top + 7, _box(arms), self.p.lane)
        c.centre(mx, top + 8, short_mn(inp.mn), self.node_style(inp.mn))

    def link_style(self, a: Attachment) -> Style:
        if not a.attached:
            return self.p.dim
        return self.p.up if a.up else self.p.down


class _Tree(_Drawing):
    """One line per MAG under the LMA; scrolls for big scenarios."""


    def draw(self) -> Canvas:
        g, c, inp = self.g, self.c, self.inp
        view = inp.view
        lma = nodes_of(g, "lma")[0]
        c.put(1, 0, lma, self.node_style(lma))
        x = 2 + len(lma)
        for cn in nodes_of(g, "cn"):
            c.put(x, 0, "── ", self.hl(lma, cn, self.p.up))
            c.put(x + 3, 0, cn, self.node_style(cn))
            x += 4 + len(cn)
        c.put(1, 1, "│", self.p.lane)
        c.put(3, 1, f"{len(view.bce)} BCE", self.p.dim)
        mine = self.mine()
        # the MAGs of the selected MN first, so that it shows without scrolling
        hosts = {a.mag for a in mine}
        mags = sorted(nodes_of(g, "mag"), key=lambda m: m not in hosts)
        width = max(len(m) for m in mags)
        infos = {mag: self.counts(mag, mags) for mag in mags}
        occs = {mag: f"{cache.occupancy}/{cache.capacity}" for mag in mags
                if (cache := view.caches.get(mag)) is not None}
        tw = self.tunnel_width(mags, width + 1 + max(len(i) for i in infos.values())
                               + max((len(o) + 1 for o in occs.values()), default=0))
        y = 2
        for k, mag in enumerate(mags):
            last = k == len(mags) - 1
            name, up = tunnel_state(g, mag, view.tunnels)
            style = self.hl(lma, mag, self.p.up if up else self.p.dim)
            c.put(1, y, "└─" if last else "├─", self.p.lane)
            c.put(3, y, (f"{name:─<{tw}}─ " if tw else "─ ") if up else "┄" * (tw + 1), style)
            mx = 5 + tw
            c.put(mx, y, mag, self.node_style(mag))
            info_x = mx + width + 1
            c.put(info_x, y, infos[mag], self.p.dim)
            if mag in occs:  # right after the widest count, so that "0/64" is whole
                busy = class_style("BUFFER") if view.caches[mag].occupancy else self.p.dim
                c.put(info_x + max(len(i) for i in infos.values()) + 1, y, occs[mag], busy)
            y += 1
            here = [a for a in mine if a.mag == mag]
            for j, a in enumerate(here):
                if not last:
                    c.put(1, y, "│", self.p.lane)
                branch = "└─ " if j == len(here) - 1 else "├─ "
                if not a.attached:
                    lstyle = self.p.dim
                elif a.up:
                    lstyle = self.p.up
                else:
                    lstyle = self.p.down
                c.put(mx, y, branch, self.hl(mag, a.key, lstyle))
                mark = " ✕" if a.attached and not a.up else ""
                label = f"{a.name} {att_label(a.att)} {short_mn(IfaceKey.parse(a.key).mn_id)}{mark}"
                lstyle = (self.p.down if mark else self.node_style(a.key) if a.attached
                          else self.p.dim)
                c.put(mx + 3, y, label, lstyle)
                y += 1
        return c

    def counts(self, mag: str, mags: list[str]) -> str:
        """"12 if 1✕": the MAG's attached interfaces (and broken ones), the numbers
        right-aligned to the scenario's widest, the ✕ counts in their own column."""
        up, down = self.inp.up, self.inp.down
        uw = max(len(str(up[m])) for m in mags)
        dw = max((len(str(down[m])) for m in mags if down[m]), default=0)
        text = f"{up[mag]:>{uw}} if"
        if dw:
            text += f" {down[mag]:>{dw}}✕" if down[mag] else " " * (dw + 2)
        return text

    def tunnel_width(self, mags: list[str], rest: int) -> int:
        """Columns for the tunnel names on a MAG's line, whose ``rest`` (the MAG, its
        counts and cache occupancy) needs ``rest`` columns after them: the longest
        name, or none (a plain line; the Binding Cache's Tunnel column names them)
        when the names would push the occupancy out of sight."""
        tw = max(len(self.g.nodes[m]["tunnel"]) for m in mags)
        return tw if 5 + tw + rest <= self.c.width else 0

    def mine(self) -> list[Attachment]:
        inp = self.inp
        if inp.mn is None:
            return []
        return [attachment(self.g, k, inp.view.ifaces) for k in interfaces_of(self.g, inp.mn)]


def _box(arms: list[bool]) -> str:
    """The box-drawing character with these arms (up, down, left, right)."""
    table = {
        (True, True, False, False): "│", (False, False, True, True): "─",
        (False, True, False, True): "┌", (False, True, True, False): "┐",
        (True, False, False, True): "└", (True, False, True, False): "┘",
        (True, True, False, True): "├", (True, True, True, False): "┤",
        (False, True, True, True): "┬", (True, False, True, True): "┴",
        (True, True, True, True): "┼", (True, False, False, False): "│",
        (False, True, False, False): "│", (False, False, True, False): "─",
        (False, False, False, True): "─", (False, False, False, False): " ",
    }
    return table[(arms[0], arms[1], arms[2], arms[3])]


