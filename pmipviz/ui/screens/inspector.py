"""The inspector: every field of one trace event, laid out by section, and its
bytes as a hex dump when the event is a packet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmipviz.protocol.constants import HI_NAMES, att_label
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.palette import CHANGED, DIM, STEP, class_style
from pmipviz.ui.session import event_class, event_label

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
_SHOWN = {"seq", "lifetime_s", "flags", "status", "status_name", "options", "mn_id", "hnp",
          "hi", "att", "mn_lli", "link_local", "timestamp", "ip_src", "ip_dst", "table", "key",
          "cause", "before", "after"}


def _section(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold #5fafd7", box=None,
                  show_header=False, padding=(0, 1), expand=False)
    table.add_column(style="#8a8a8a", no_wrap=True)
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
    """A §8.8 timestamp (48-bit seconds, 16-bit 1/65536 s) as UTC time and raw hex."""
    if not isinstance(raw, int):
        return str(raw)
    seconds = (raw >> 16) + (raw & 0xFFFF) / 65536
    when = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{when:%Y-%m-%d %H:%M:%S}.{when.microsecond // 1000:03d} UTC (0x{raw:016x})"


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


def field_tables(ev: TraceEvent) -> list[Table]:
    """The event's fields, by section; anything not placed goes to "Other fields"."""
    f = ev.fields
    out: list[Table] = []
    head = _section("Event")
    head.add_row("event", str(event_number(ev.i)))  # as the header counts
    # the same event in a --trace file, whose "i" counts from 0: said, not left to guess
    head.add_row("--trace i", Text(f"{ev.i} (from 0)", style=DIM))
    head.add_row("time", f"{ev.t_ms:.3f} ms")
    head.add_row("kind", ev.kind)
    head.add_row("node", Text(travel(ev)))  # names from the file: never markup
    head.add_row("message", Text(event_label(ev), style=class_style(event_class(ev), True)))
    if ev.step is not None:
        head.add_row("Figure 1", Text(f"step ({ev.step})", style=STEP))
    head.add_row("note", Text(ev.note))
    out.append(head)
    if ev.msg in ("PBU", "PBA") and ev.kind != "state":
        mh = _section("Mobility Header (" + ("PBU, type 5" if ev.msg == "PBU" else
                                             "PBA, type 6") + ")")
        if ev.msg == "PBA":
            mh.add_row("status", f"{f.get('status')} {f.get('status_name', '')}")
        mh.add_row("sequence", str(f.get("seq")))
        flags = Text()
        for letter in PBU_FLAGS if ev.msg == "PBU" else PBA_FLAGS:
            on = letter in str(f.get("flags", ""))
            flags.append(f"{letter}={int(on)} ", style="bold" if on else DIM)
        mh.add_row("flags", flags)
        for letter in str(f.get("flags", "")):
            mh.add_row("", Text(f"{letter}: {FLAG_NAMES.get(letter, '?')}", style=DIM))
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
    if ev.kind == "state":
        out.append(_state_table(f))
    if "ip_src" in f or "tunnel_src" in f:
        ip = _section("IPv6")
        if "tunnel_src" in f:
            ip.add_row("outer", f"{f['tunnel_src']} → {f['tunnel_dst']} (tunnel)")
        if "ip_src" in f:
            ip.add_row("src", str(f["ip_src"]))
            ip.add_row("dst", str(f["ip_dst"]))
        out.append(ip)
    # ``ref`` is left out: the narration pane cites the event's rule already
    rest = {k: v for k, v in f.items() if k not in _SHOWN and k not in ("tunnel_src",
                                                                           "tunnel_dst", "ref")}
    if ev.msg not in ("PBU", "PBA"):
        rest.update({k: f[k] for k in ("mn_id", "hnp", "hi", "att") if k in f})
    if rest:
        other = _section("Fields" if ev.msg in ("DATA", "RS", "RA", None) else "Other fields")
        for k, v in rest.items():
            other.add_row(k, Text(_fmt(v)))
        out.append(other)
    return out


_TIMESTAMP_KEYS = frozenset({"timestamp", "pbu_timestamp"})


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    return str(value)


def _state_table(f: dict[str, Any]) -> Table:
    title = f"State change: {f.get('table')} {f.get('key')} ({f.get('cause')})"
    table = Table(title=Text(title, style="bold #5fafd7"), title_justify="left", box=None,
                  padding=(0, 1))
    table.add_column("field", style="#8a8a8a", no_wrap=True)
    table.add_column("before", overflow="fold")
    table.add_column("after", overflow="fold")
    before = f.get("before") or {}
    after = f.get("after") or {}
    for k in dict.fromkeys([*before, *after]):
        b, a = before.get(k, "—"), after.get(k, "—")
        style = CHANGED if b != a else None
        # a BCE's §5.1 timestamp (the LMA's time of reception) and the accepted PBU's
        # Timestamp (§5.5) read as times, as in the Timestamp option
        fmt = _timestamp if k in _TIMESTAMP_KEYS else _fmt
        table.add_row(k, Text(fmt(b)), Text(fmt(a), style=style or ""))
    if not before:
        table.caption = "new entry"
    elif not after:
        table.caption = "entry removed"
    return table


def hex_text(ev: TraceEvent) -> Text:
    """The hex dump of the event's packet, or why there is none."""
    from pmipviz.wire.hexdump import describe  # imports scapy: only when inspecting

    raw, lines = describe(ev)
    if not raw:
        why = lines[0] if lines else f"a {ev.kind} event is not a packet"
        return Text(f"no bytes for this event\n({why})", style=DIM)
    text = Text(f"{len(raw)} bytes\n", style="bold")
    for line in lines:
        text.append(line[:6], style=DIM)
        text.append(line[6:53])
        text.append(line[53:] + "\n", style=DIM)
    return text


class InspectorScreen(ModalScreen[None]):
    """Fields on the left, bytes on the right (stacked when narrow)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "close", priority=True),
    ]

    def __init__(self, event: TraceEvent, row_events: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.event = event
        self.row_events = row_events

    def compose(self) -> ComposeResult:
        ev = self.event
        hexdump = hex_text(ev)
        classes = "-nobytes" if hexdump.plain.startswith("no bytes") else ""
        with Horizontal(id="inspector-box", classes=classes) as box:
            box.border_title = Text(f"Inspector · event {event_number(ev.i)} · "
                                    f"{event_label(ev)}")  # not markup: it holds names
            box.border_subtitle = "esc to close"
            with VerticalScroll(id="inspector-fields"):
                for table in field_tables(ev):
                    yield Static(table, classes="inspector-section")
                if len(self.row_events) > 1:
                    yield Static(Text(row_events_text(self.row_events), style=DIM))
            with VerticalScroll(id="inspector-bytes") as right:
                right.border_title = "bytes"
                yield Static(hexdump, id="hexdump")
