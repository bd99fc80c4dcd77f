"""The inspector: every field of one trace event, laid out by section, and its
bytes as a hex dump when the event is a packet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from pmipviz.protocol.constants import HI_NAMES, att_label
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.palette import class_style, styles
from pmipviz.ui.session import event_class, event_label

if TYPE_CHECKING:
    from pmipviz.wire.dissect import Field

BYTES_PER_LINE = 16  # as pmipviz.wire.dissect (importing pmipviz.wire imports scapy)

# PBU / PBA flag letters (RFC 5213 §8.1, §8.2; RFC 6275 §6.1.7)
FLAG_NAMES = {
    "A": "Acknowledge", "H": "Home registration", "L": "Link-local compatibility",
    "K": "Key management mobility capability", "M": "MAP registration",
    "R": "Mobile router", "P": "Proxy registration",
}
PBU_FLAGS = "AHLKMRP"
PBA_FLAGS = "KRP"
OPTION_NAMES = {
    8: "Mobile Node Identifier (RFC 4283)", 22: "Home Network Prefix (§8.3)",
    23: "Handoff Indicator (§8.4)", 24: "Access Technology Type (§8.5)",
    25: "Mobile Node Link-layer Identifier (§8.6)", 26: "Link-local Address (§8.7)",
    27: "Timestamp (§8.8)",
}
HIGHLIGHT = "bold reverse"  # the selected field's octets in the dump
_SHOWN = {"seq", "lifetime_s", "flags", "status", "status_name", "options", "mn_id", "hnp",
          "hi", "att", "mn_lli", "link_local", "timestamp", "ip_src", "ip_dst", "table", "key",
          "cause", "before", "after"}


def _section(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style=styles().key, box=None,
                  show_header=False, padding=(0, 1), expand=False)
    table.add_column(style=styles().muted, no_wrap=True)
    table.add_column(overflow="fold")
    return table


def _option_value(otype: int, f: dict[str, Any], hnp_index: int) -> str:
    if otype == 8:
        return str(f.get("mn_id"))
    if otype == 22:
        hnps = f.get("hnp") or []
        return str(hnps[hnp_index]) if hnp_index < len(hnps) else "?"
    if otype == 23:
        hi = f.get("hi")
        return f"{hi} ({HI_NAMES.get(hi, '?')})" if isinstance(hi, int) else str(hi)
    if otype == 24:
        att = f.get("att")
        return f"{att} ({att_label(att)})" if isinstance(att, int) else str(att)
    if otype == 25:
        return str(f.get("mn_lli"))
    if otype == 26:
        return str(f.get("link_local"))
    if otype == 27:
        return _timestamp(f.get("timestamp"))
    return "?"


def _timestamp(raw: object) -> str:
    """A §8.8 timestamp as UTC time and raw hex (``wire.dissect``, imported only when
    inspecting: it loads scapy)."""
    from pmipviz.wire.dissect import timestamp_text

    return timestamp_text(raw)


def event_number(index: int) -> int:
    """The 1-based number a human sees for trace index ``index``: the header's
    ``event N/M`` counts the events applied, so the last applied one is N."""
    return index + 1


def travel(ev: TraceEvent) -> str:
    """Who sent to whom: ``node → peer`` for a send, ``peer → node`` for what arrives
    (recv, deliver, drop); just the node when there is no other end."""
    if ev.peer is None or ev.peer == ev.node:
        return ev.node
    if ev.kind in ("recv", "deliver", "drop"):
        return f"{ev.peer} → {ev.node}"
    return f"{ev.node} → {ev.peer}"


def row_events_text(events: Sequence[int]) -> str:
    """"2 events (326..336)" when contiguous, else "2 events: 326 and 336" (1-based)."""
    numbers = [event_number(i) for i in events]
    first, last = numbers[0], numbers[-1]
    if last - first + 1 == len(numbers):
        return f"this ladder row stands for {len(numbers)} events ({first}..{last})"
    if len(numbers) <= 6:
        listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {last}"
        return f"this ladder row stands for {len(numbers)} events: {listed}"
    return f"this ladder row stands for {len(numbers)} events, from {first} to {last}"


def dissect_event(ev: TraceEvent) -> tuple[bytes, tuple[Field, ...], str]:
    """The packet's bytes, its layers and why there are none (see
    :func:`pmipviz.wire.dissect.dissect_event`)."""
    from pmipviz.wire.dissect import dissect_event as dissect  # imports scapy: only here

    return dissect(ev)


def event_table(ev: TraceEvent) -> Table:
    """The simulation's own facts about the event: number, time, node, note, step."""
    head = _section("Event")
    head.add_row("event", str(event_number(ev.i)))  # as the header counts
    # the same event in a --trace file, whose "i" counts from 0: said, not left to guess
    head.add_row("--trace i", Text(f"{ev.i} (from 0)", style=styles().dim))
    head.add_row("time", f"{ev.t_ms:.3f} ms")
    head.add_row("kind", ev.kind)
    head.add_row("node", Text(travel(ev)))  # names from the file: never markup
    head.add_row("message", Text(event_label(ev), style=class_style(event_class(ev), True)))
    if ev.step is not None:
        head.add_row("Figure 1", Text(f"step ({ev.step})", style=styles().step))
    head.add_row("note", Text(ev.note))
    return head


def layer_table(layer: Field) -> Table:
    """One protocol layer of a dissection as a section: each field with its value
    and its octets (``@40+2``); an option's Type, Length and value indented under it."""
    table = _section(layer.label)
    table.add_column(style=styles().dim, no_wrap=True)

    def add(field: Field, depth: int) -> None:
        table.add_row("  " * depth + field.name, Text(field.value),
                      f"@{field.offset}+{field.length}")
        for child in field.children:
            add(child, depth + 1)

    for child in layer.children:
        add(child, 0)
    if not layer.children:
        table.add_row(layer.name, Text(layer.value), f"@{layer.offset}+{layer.length}")
    return table


def field_tables(ev: TraceEvent) -> list[Table]:
    """The event's fields, by section: the Event, then for a packet its layers in wire
    order (outer IPv6, IPv6, Mobility Header, each option; ICMPv6; UDP and data),
    then anything not placed ("Fields" / "Other fields")."""
    _raw, layers, _why = dissect_event(ev)
    out = [event_table(ev)]
    out += [layer_table(layer) for layer in layers] if layers else summary_tables(ev)
    if ev.kind == "state":
        out.append(_state_table(ev.fields))
    other = other_table(ev)
    if other is not None:
        out.append(other)
    return out


def summary_tables(ev: TraceEvent) -> list[Table]:
    """Sections of an event that has no bytes (a drop, a delivery): the Mobility
    Header, its options and the addresses, read from the trace fields."""
    f = ev.fields
    out: list[Table] = []
    if ev.msg in ("PBU", "PBA") and ev.kind != "state":
        mh = _section("Mobility Header (" + ("PBU, type 5" if ev.msg == "PBU" else
                                             "PBA, type 6") + ")")
        mh.add_row("sequence", str(f.get("seq")))
        if ev.msg == "PBA":
            mh.add_row("status", f"{f.get('status')} {f.get('status_name', '')}")
        flags = Text()
        for letter in PBU_FLAGS if ev.msg == "PBU" else PBA_FLAGS:
            on = letter in str(f.get("flags", ""))
            flags.append(f"{letter}={int(on)} ", style="bold" if on else styles().dim)
        mh.add_row("flags", flags)
        for letter in str(f.get("flags", "")):
            mh.add_row("", Text(f"{letter}: {FLAG_NAMES.get(letter, '?')}", style=styles().dim))
        lifetime = f.get("lifetime_s")
        units = f"{lifetime // 4} units of 4 s" if isinstance(lifetime, int) else "?"
        mh.add_row("lifetime", f"{lifetime} s" + (" (de-registration)" if lifetime == 0 else
                                                   f" ({units} on the wire)"))
        out.append(mh)
        opts = _section("Mobility options")
        hnp_i = 0
        for otype in f.get("options") or []:
            opts.add_row(f"{otype}", Text(OPTION_NAMES.get(otype, "?"), style="bold"))
            opts.add_row("", Text(_option_value(otype, f, hnp_i)))
            if otype == 22:
                hnp_i += 1
        out.append(opts)
    if "ip_src" in f or "tunnel_src" in f:
        ip = _section("IPv6")
        if "tunnel_src" in f:
            ip.add_row("outer", f"{f['tunnel_src']} → {f['tunnel_dst']} (tunnel)")
        if "ip_src" in f:
            ip.add_row("src", str(f["ip_src"]))
            ip.add_row("dst", str(f["ip_dst"]))
        out.append(ip)
    return out


def other_table(ev: TraceEvent) -> Table | None:
    """The trace fields no other section shows (``ref`` is left out: the narration
    pane cites the event's rule already)."""
    f = ev.fields
    rest = {k: v for k, v in f.items() if k not in _SHOWN and k not in ("tunnel_src",
                                                                           "tunnel_dst", "ref")}
    if ev.msg not in ("PBU", "PBA"):
        rest.update({k: f[k] for k in ("mn_id", "hnp", "hi", "att") if k in f})
    if not rest:
        return None
    other = _section("Fields" if ev.msg in ("DATA", "RS", "RA", None) else "Other fields")
    for k, v in rest.items():
        other.add_row(k, Text(_fmt(v)))
    return other


_TIMESTAMP_KEYS = frozenset({"timestamp", "pbu_timestamp"})


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    return str(value)


def _state_table(f: dict[str, Any]) -> Table:
    title = f"State change: {f.get('table')} {f.get('key')} ({f.get('cause')})"
    table = Table(title=Text(title, style=styles().key), title_justify="left", box=None,
                  padding=(0, 1))
    table.add_column("field", style=styles().muted, no_wrap=True)
    table.add_column("before", overflow="fold")
    table.add_column("after", overflow="fold")
    before = f.get("before") or {}
    after = f.get("after") or {}
    for k in dict.fromkeys([*before, *after]):
        b, a = before.get(k, "—"), after.get(k, "—")
        style = styles().changed if b != a else None
        # a BCE's §5.1 timestamp (the LMA's time of reception) and the accepted PBU's
        # Timestamp (§5.5) read as times, as in the Timestamp option
        fmt = _timestamp if k in _TIMESTAMP_KEYS else _fmt
        table.add_row(k, Text(fmt(b)), Text(fmt(a), style=style or ""))
    if not before:
        table.caption = "new entry"
    elif not after:
        table.caption = "entry removed"
    return table


def span_text(field: Field | None, total: int) -> str:
    """The status line over the dump: ``bytes 40-47 (8) of 152 · Sequence``."""
    if field is None:
        return f"{total} bytes"
    return (f"bytes {field.offset}-{field.end - 1} ({field.length}) of {total} · "
            f"{field.name}")


def dump_text(raw: bytes, field: Field | None = None) -> Text:
    """The hex dump of ``raw`` (as ``hexdump -C``) with ``field``'s octets in
    :data:`HIGHLIGHT`, in the hex and the ASCII columns alike."""
    lo, hi = (field.offset, field.end) if field is not None else (0, 0)
    text = Text()
    text.append(span_text(field, len(raw)) + "\n", style="bold")
    width = BYTES_PER_LINE * 3 - 1
    for start in range(0, len(raw), BYTES_PER_LINE):
        chunk = raw[start:start + BYTES_PER_LINE]
        text.append(f"{start:04x}  ", style=styles().dim)
        for i, b in enumerate(chunk):
            at = start + i
            text.append(f"{b:02x}", style=HIGHLIGHT if lo <= at < hi else "")
            if i + 1 < len(chunk):
                text.append(" ", style=HIGHLIGHT if lo <= at and at + 1 < hi else "")
        text.append(" " * (width - (len(chunk) * 3 - 1)) + "  |", style=styles().dim)
        for i, b in enumerate(chunk):
            char = chr(b) if 0x20 <= b < 0x7F else "."
            text.append(char, style=HIGHLIGHT if lo <= start + i < hi else styles().dim)
        text.append("|\n", style=styles().dim)
    return text


def hex_text(ev: TraceEvent, field: Field | None = None) -> Text:
    """The hex dump of the event's packet (``field``'s octets highlighted), or why
    there is none."""
    raw, _layers, why = dissect_event(ev)
    if not raw:
        why = why or f"a {ev.kind} event is not a packet"
        return Text(f"no bytes for this event\n({why})", style=styles().dim)
    return dump_text(raw, field)


class InspectorScreen(ModalScreen[None]):
    """Wireshark's packet details over its bytes: the event's facts and its packet's
    fields in protocol order (a tree: ``↑``/``↓`` select a field, ``←``/``→`` fold),
    the hex dump below with the selected field's octets highlighted. Events without
    bytes: their fields on the left, why there are no bytes on the right."""

    AUTO_FOCUS = ""  # on_mount focuses, without scrolling the Event section away
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "close", priority=True),
        Binding("left", "fold", "fold", show=False),
        Binding("right", "unfold", "unfold", show=False),
    ]

    def __init__(self, event: TraceEvent, row_events: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.event = event
        self.row_events = row_events
        self.raw, self.packet_layers, self.why = dissect_event(event)
        self.selected: Field | None = None  # the field whose octets are highlighted

    @property
    def span(self) -> tuple[int, int] | None:
        """``(offset, length)`` of the highlighted octets, None when nothing is."""
        return None if self.selected is None else (self.selected.offset,
                                                   self.selected.length)

    def compose(self) -> ComposeResult:
        ev = self.event
        hexdump = dump_text(self.raw) if self.raw else hex_text(ev)
        classes = "-nobytes" if not self.raw else "-packet" if self.packet_layers else ""
        with Horizontal(id="inspector-box", classes=classes) as box:
            box.border_title = Text(f"Inspector · event {event_number(ev.i)} · "
                                    f"{event_label(ev)}")  # not markup: it holds names
            box.border_subtitle = ("↑↓ field · ←→ fold · esc to close" if self.packet_layers
                                   else "esc to close")
            with VerticalScroll(id="inspector-fields") as left:
                left.can_focus = not self.packet_layers  # else the tree takes the keys
                if self.packet_layers:
                    yield Static(event_table(ev), classes="inspector-section")
                    yield self._tree()
                    if ev.kind == "state":
                        yield Static(_state_table(ev.fields), classes="inspector-section")
                    other = other_table(ev)
                    if other is not None:
                        yield Static(other, classes="inspector-section")
                else:
                    for table in field_tables(ev):
                        yield Static(table, classes="inspector-section")
                if len(self.row_events) > 1:
                    yield Static(Text(row_events_text(self.row_events), style=styles().dim))
            with VerticalScroll(id="inspector-bytes") as right:
                right.border_title = "bytes"
                yield Static(hexdump, id="hexdump")

    def _tree(self) -> Tree[Field]:
        tree: Tree[Field] = Tree("packet", id="inspector-tree")
        tree.show_root = False
        tree.auto_expand = False  # a click selects; ← / → fold and unfold

        def add(parent: TreeNode[Field], field: Field, depth: int) -> None:
            label = Text(field.label, style="bold" if depth == 0 else "")
            if field.children:
                node = parent.add(label, data=field, expand=True)
                for child in field.children:
                    add(node, child, depth + 1)
            else:
                parent.add_leaf(label, data=field)

        for layer in self.packet_layers:
            add(tree.root, layer, 0)
        return tree

    def on_mount(self) -> None:
        if self.packet_layers:
            self.query_one(Tree).focus(scroll_visible=False)  # the Event section stays
        else:
            self.query_one("#inspector-fields").focus(scroll_visible=False)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, message: Tree.NodeHighlighted[Field]) -> None:
        self.select(message.node.data)
        line = message.node.line
        self.call_after_refresh(self._show_line, line)

    def select(self, field: Field | None) -> None:
        """Highlight ``field``'s octets in the dump and bring them into view."""
        self.selected = field
        if self.raw:  # the bytes of the open packet: not encoded again at each key
            self.query_one("#hexdump", Static).update(dump_text(self.raw, field))
        if field is not None:
            first = 1 + field.offset // BYTES_PER_LINE  # line 0 is the status line
            last = 1 + (field.end - 1) // BYTES_PER_LINE
            pane = self.query_one("#inspector-bytes", VerticalScroll)
            rows = min(last - first + 1, max(1, pane.scrollable_content_region.height))
            pane.scroll_to_region(Region(0, first, 1, rows), animate=False, immediate=True)

    def _show_line(self, line: int) -> None:
        """Scroll the fields pane so the tree's cursor line is visible. (Called after a
        refresh: a burst of keys may have closed the inspector meanwhile, its widgets
        gone; then there is nothing to scroll.)"""
        trees = self.query(Tree)
        panes = self.query("#inspector-fields")
        if line < 0 or not trees or not panes:
            return
        tree = trees.first()
        pane = panes.first(VerticalScroll)
        pane.scroll_to_region(Region(0, tree.virtual_region.y + line, 1, 1), animate=False,
                              immediate=True)

    def action_fold(self) -> None:
        """←: fold the selected branch, or go up to its parent."""
        if not self.packet_layers:
            return
        tree: Tree[Field] = self.query_one(Tree)
        node = tree.cursor_node
        if node is None:
            return
        if node.children and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not tree.root:
            tree.move_cursor(node.parent)

    def action_unfold(self) -> None:
        """→: unfold the selected branch."""
        if not self.packet_layers:
            return
        node = self.query_one(Tree).cursor_node
        if node is not None and node.children:
            node.expand()
