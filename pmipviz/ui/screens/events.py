"""``e``: the event list (Packet Tracer's Event List): every event of the run so far
in a table, filtered by a preset (signalling, problems), by the selected MN and by
the words typed; enter on a row goes there.

The list is built from the newest event backwards and stops after ``CAP`` matching
rows, so that a big run (campus: ~70k events) never builds more rows than that; a
note says when earlier matches are left out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from pmipviz.protocol.keys import short_mn, short_node
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.palette import class_style, styles
from pmipviz.ui.session import event_class, event_label

CAP = 500  # rows built at most: the latest matches before the cursor

def is_signalling(ev: TraceEvent) -> bool:
    """A PBU, DeReg PBU, PBA (accepted or not), RS or RA on the wire."""
    return ev.kind in ("send", "recv") and ev.msg in ("PBU", "PBA", "RS", "RA")


def is_problem(ev: TraceEvent) -> bool:
    """What a teacher looks for first: a drop, a rejected PBA, a fault."""
    return ev.kind in ("drop", "fault") or (ev.msg == "PBA" and event_class(ev) == "PBA_REJECT")


# (name, what it keeps); ``p`` cycles through them in this order
PRESETS: tuple[tuple[str, Callable[[TraceEvent], bool] | None], ...] = (
    ("all events", None),
    ("signalling (PBU, PBA, RS, RA)", is_signalling),
    ("problems (drops, rejected PBAs, faults)", is_problem),
)


def haystack(ev: TraceEvent) -> str:
    """The text the typed words are looked for in: node, peer, label, class, step."""
    step = f"({ev.step})" if ev.step is not None else ""
    return " ".join((ev.node, short_node(ev.node), ev.peer or "",
                     short_node(ev.peer) if ev.peer else "", event_label(ev),
                     event_class(ev), ev.kind, step)).lower()


@dataclass
class Filter:
    """Which events the list shows: a preset, one MN's events, typed words (all must
    appear in the event's node, peer, label or class; case does not matter)."""

    preset: int = 0
    mn_only: bool = False
    words: tuple[str, ...] = ()

    def describe(self, mn: str | None) -> str:
        parts = [PRESETS[self.preset][0]]
        if self.mn_only and mn is not None:
            parts.append(f"of {short_mn(mn)}")
        if self.words:
            parts.append("matching " + " ".join(repr(w) for w in self.words))
        return " ".join(parts)


class EventListScreen(ModalScreen[int | None]):
    """The event list; dismissed with the event number to go to (the cursor after
    that event, as the header counts), or None.

    ``concerns(i)`` tells whether event ``i`` is the selected MN's (the ladder's
    rule); None when the scenario has one MN."""

    DEFAULT_CSS = """
    EventListScreen { align: center middle; background: $background 60%; }
    #events-box { width: 100%; height: 100%; border: round $accent; background: $surface;
                  padding: 0 1; }
    #events-note { height: auto; color: $text-muted; }
    #events-filter { margin: 0 0 1 0; }
    #events-table { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", priority=True),
        Binding("p", "preset", "preset"),
        Binding("m", "mn_only", "MN only"),
        Binding("slash", "find", "filter text"),
    ]

    def __init__(self, trace: Sequence[TraceEvent], cursor: int, mn: str | None = None,
                 concerns: Callable[[int], bool] | None = None,
                 flt: Filter | None = None) -> None:
        super().__init__()
        self.trace = trace
        self.cursor = min(cursor, len(trace))
        self.mn = mn
        self.concerns = concerns
        self.filter = flt or Filter()
        self.shown: list[int] = []  # event indices of the rows, oldest first
        self.more = False  # earlier matches were left out (CAP)
        self.rows_built = 0  # every row ever added, for the tests' bound
        self._hay: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="events-box") as box:
            box.border_title = "Event list"
            keys = "enter go there · p preset · / filter text · esc close"
            if self.concerns is not None and self.mn is not None:
                keys = keys.replace(" · /", f" · m only {short_mn(self.mn)} · /")
            box.border_subtitle = keys
            yield Static("", id="events-note", markup=False)
            yield Input(" ".join(self.filter.words), placeholder="filter: type a node or "
                        "message (e.g. MAG1 PBA), enter", id="events-filter", compact=True)
            table: DataTable[Text | str] = DataTable(id="events-table", cursor_type="row")
            yield table

    def on_mount(self) -> None:
        self.refill()
        self.query_one(DataTable).focus()

    # -- filtering --------------------------------------------------------------------

    def matches(self, i: int) -> bool:
        """Event ``i`` passes the filter."""
        ev = self.trace[i]
        keep = PRESETS[self.filter.preset][1]
        if keep is not None and not keep(ev):
            return False
        if self.filter.mn_only and self.concerns is not None and not self.concerns(i):
            return False
        if self.filter.words:
            hay = self._hay.get(i)
            if hay is None:
                hay = self._hay[i] = haystack(ev)
            return all(w in hay for w in self.filter.words)
        return True

    def select(self) -> list[int]:
        """The latest ``CAP`` matching events before the cursor, oldest first."""
        found: list[int] = []
        self.more = False
        for i in range(self.cursor - 1, -1, -1):
            if self.matches(i):
                if len(found) == CAP:
                    self.more = True
                    break
                found.append(i)
        found.reverse()
        return found

    def refill(self) -> None:
        """Rebuild the rows for the current filter; the cursor on the newest row."""
        self.shown = self.select()
        table = self.query_one(DataTable)
        table.clear(columns=True)  # the columns as wide as the rows shown need
        table.add_columns("#", "t ms", "step", "node", "peer", "event")
        table.add_rows(self._row(i) for i in self.shown)
        self.rows_built += len(self.shown)
        if self.shown:
            table.move_cursor(row=len(self.shown) - 1, animate=False)
        self.query_one("#events-note", Static).update(self._note())

    def _row(self, i: int) -> tuple[Text | str, ...]:
        ev = self.trace[i]
        style = class_style(event_class(ev))
        return (Text(str(i + 1), style=styles().time, justify="right"),
                Text(f"{ev.t_ms:.1f}", style=styles().time, justify="right"),
                Text(f"({ev.step})", style=styles().step) if ev.step is not None else "",
                short_node(ev.node), short_node(ev.peer) if ev.peer else "",
                Text(event_label(ev), style=style))

    def _note(self) -> str:
        what = self.filter.describe(self.mn if self.concerns is not None else None)
        if self.cursor == 0:
            return "No event yet: step (→) first; the list shows the run so far."
        if not self.shown:
            return f"No event so far ({self.cursor}) is one of: {what}."
        if self.more:
            return (f"{what}: the latest {len(self.shown)} before event {self.cursor} "
                    f"(earlier ones left out: narrow the filter, p / m / text)")
        return f"{what}: {len(self.shown)} of the {self.cursor} events so far"

    # -- actions -----------------------------------------------------------------------

    def action_preset(self) -> None:
        self.filter.preset = (self.filter.preset + 1) % len(PRESETS)
        self.refill()

    def action_mn_only(self) -> None:
        if self.concerns is None:
            return
        self.filter.mn_only = not self.filter.mn_only
        self.refill()

    def action_find(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.filter.words = tuple(event.value.lower().split())
        self.refill()
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.shown):
            self.dismiss(self.shown[event.cursor_row] + 1)

    def action_close(self) -> None:
        self.dismiss(None)
