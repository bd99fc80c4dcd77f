"""The LMA's Binding Cache: one row per entry, updated by row key, the cells the
current event changed highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv6Network
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from pmipviz.protocol.constants import att_label
from pmipviz.protocol.keys import short_mn
from pmipviz.scenario.model import Scenario
from pmipviz.sim.state import StateView
from pmipviz.ui.palette import styles

# column key, header, width (the table has no cell padding: widths include a gap);
# the widths a roomy table gives (more where the content needs it); a tight one sizes
# each column to its content (plan_columns)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mn", "MN-ID", 6),
    ("if", "IF", 4),
    ("coa", "Proxy-CoA", 10),
    ("m", "M", 2),
    ("s", "S", 2),
    ("state", "State", 11),
    ("hnp", "HNP", 21),
    ("att", "ATT", 5),
    ("hi", "HI", 3),
    ("life", "Life", 5),
    ("tunnel", "Tunnel", 8),  # the last column has no gap after it
)
WIDTHS = {key: width for key, _, width in COLUMNS}
HEADERS = {key: header for key, header, _ in COLUMNS}
# a narrow table: shorter headers first, then these columns go, in this order (the
# tunnel follows from the Proxy-CoA, the access type is in the topology)
SHORT_HEADERS = {"mn": "MN", "coa": "CoA"}
DROP_ORDER = ("tunnel", "att", "life", "hi")
STATE_W = max(len(s) for s in ("active", "dereg-hold", "kept", "in use")) + 1
ELLIPSIS = "…"

# BCE field -> column key
FIELD_COLUMN = {
    "mn_id": "mn", "interface": "if", "hnp": "hnp", "proxy_coa": "coa", "mag": "coa",
    "att": "att", "hi": "hi", "lifetime_s": "life", "m": "m", "s": "s", "tunnel": "tunnel",
    "state": "state",
    "carrier": "state",  # the entry carrying its MN's traffic shows "in use" there
}

IN_USE = "in use"  # the State of the entry carrying its MN's traffic (draft §3.1's S=1:
# "available, or in use"; ``StateView.carriers``)


def cell_values(row: dict[str, Any], ft: bool, carrying: bool = False) -> dict[str, str]:
    """The text of every column of one BCE row; ``carrying``: the entry carries its
    MN's traffic now (State reads ``in use`` instead of ``active``)."""
    hnp = ", ".join(row.get("hnp") or []) or "-"

    def flag(name: str) -> str:
        value = row.get(name)
        return "-" if not ft or value is None else str(value)

    return {
        "mn": short_mn(str(row.get("mn_id", "?"))),
        "if": str(row.get("interface") or "?"),
        "hnp": hnp,
        "coa": str(row.get("mag") or row.get("proxy_coa") or "-"),
        "att": att_label(row.get("att")),
        "hi": str(row.get("hi", "-")),
        "life": str(row.get("lifetime_s", "-")),
        "m": flag("m"),
        "s": flag("s"),
        "tunnel": str(row.get("tunnel") or "-"),
        "state": IN_USE if carrying and row.get("state") == "active" else
                 str(row.get("state") or "-"),
    }


def _value_style(column: str, text: str) -> Style | None:
    """S=0 and a held entry in red, S=1 in green (also readable as the digit)."""
    theme = styles()
    if column == "s":
        return {"0": theme.down, "1": theme.up}.get(text)
    if column == "state" and text == IN_USE:
        return theme.up
    if column == "state" and text not in ("active", "-"):
        return theme.down
    return None


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def prefix_head(pool: IPv6Network) -> str:
    """The leading groups every prefix of ``pool`` shares, as text
    (``2001:db8:100::/40`` -> ``2001:db8:``): what an abbreviated HNP leaves out."""
    groups = pool.network_address.exploded.split(":")[: pool.prefixlen // 16]
    if any(int(g, 16) == 0 for g in groups):  # "::" would hide a zero group
        return ""
    return "".join(f"{int(g, 16):x}:" for g in groups)


def abbreviate_hnp(text: str, head: str) -> str:
    """``2001:db8:100::/64`` -> ``…100::/64`` (each prefix of a list) when it starts
    with ``head``."""
    if not head:
        return text
    return ", ".join(ELLIPSIS + p[len(head):] if p.startswith(head) else p
                     for p in text.split(", "))


@dataclass(frozen=True)
class TablePlan:
    """Which columns the table shows, with which headers and widths, and whether the
    HNP is abbreviated."""

    columns: tuple[tuple[str, str, int], ...]
    short_hnp: bool

    @property
    def width(self) -> int:
        return sum(w for _, _, w in self.columns)


def plan_columns(content: dict[str, int], room: int | None, head: str) -> TablePlan:
    """Columns sized to ``content`` (the widest text of each column, header aside),
    fitted into ``room`` cells (None: no limit): the full table at COLUMNS' widths
    (wider where the content needs it) if it fits, else at its content's widths, else
    the HNP abbreviated, the short headers, then the columns of DROP_ORDER dropped."""
    def make(short_hnp: bool, short_headers: bool, dropped: tuple[str, ...],
             roomy: bool = False) -> TablePlan:
        keys = [k for k, _, _ in COLUMNS if k not in dropped]
        cols = []
        for key in keys:
            header = SHORT_HEADERS.get(key, HEADERS[key]) if short_headers else HEADERS[key]
            width = max(len(header), content.get(key, 1))
            if key == "hnp" and short_hnp:
                width = max(len(header), content.get("hnp_short", width))
            width += key != keys[-1]
            cols.append((key, header, max(width, WIDTHS[key]) if roomy else width))
        return TablePlan(tuple(cols), short_hnp)

    plans = [make(False, False, (), roomy=True), make(False, False, ()),
             make(bool(head), False, ()), make(bool(head), True, ())]
    plans += [make(bool(head), True, DROP_ORDER[: n + 1]) for n in range(len(DROP_ORDER))]
    if room is None:
        return plans[0]
    return next((p for p in plans if p.width <= room), plans[-1])


class BindingCacheTable(DataTable[Any]):
    """Mirrors ``StateView.bce``; ``sync`` touches only the given row keys. Its columns
    are sized to their content and fitted to the pane's width (``plan_columns``)."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, cell_padding=0, zebra_stripes=False)
        self.ft = True
        self._shown: dict[str, dict[str, tuple[str, bool]]] = {}
        self._hot: set[tuple[str, str]] = set()
        self._carrying: set[str] = set()  # the rows shown "in use"
        self._content: dict[str, int] = {}  # the widest text of each column
        self._head = ""  # what an abbreviated HNP leaves out
        self.plan = plan_columns({}, None, "")

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label, width in self.plan.columns:
            self.add_column(label, width=width, key=key)

    def _text(self, column: str, text: str) -> str:
        return abbreviate_hnp(text, self._head) if column == "hnp" and \
            self.plan.short_hnp else text

    def _cell(self, key: str, column: str, text: str, hot: bool) -> Text:
        widths = {k: w for k, _, w in self.plan.columns}
        width = widths[column] - (column != self.plan.columns[-1][0])
        text = self._text(column, text)
        shown = text if len(text) <= width else text[: width - 1] + ELLIPSIS
        style = styles().changed if hot else _value_style(column, text)
        return Text(shown, style=style or "", no_wrap=True, overflow="ellipsis")

    def _measure(self, values: dict[str, str]) -> bool:
        """Widen the columns' content to ``values``; True if one grew."""
        grew = False
        values = {**values, "hnp_short": abbreviate_hnp(values.get("hnp", ""), self._head)}
        for column, text in values.items():
            if len(text) > self._content.get(column, 0):
                self._content[column] = len(text)
                grew = True
        return grew

    def _room(self) -> int | None:
        """The cells the columns may take: the pane's width, less the scrollbar's when
        the rows need one (None before the first layout)."""
        width, height = self.size
        if not width:
            return None
        scrollbar = self.styles.scrollbar_size_vertical if len(self._shown) + 1 > height else 0
        return width - scrollbar

    def _replan(self) -> None:
        """Choose the columns again; rebuild the table if they changed."""
        plan = plan_columns(self._content, self._room(), self._head)
        if plan == self.plan:
            return
        self.plan = plan
        if not self.is_mounted:
            return
        self.clear(columns=True)
        self._add_columns()
        shown = [k for k, _, _ in plan.columns]
        for key in sorted(self._shown, key=_natural):
            cells = self._shown[key]
            self.add_row(*(self._cell(key, c, *cells[c]) for c in shown), key=key)
        if len(self._shown) > 1:
            self._sort()
        head = self._head if plan.short_hnp else ""
        self.border_subtitle = f"HNP {ELLIPSIS} = {head}" if head else ""

    def restyle(self) -> None:
        """Make every cell again in the current theme's colours (a theme switch)."""
        self.plan = TablePlan((), self.plan.short_hnp)  # unlike any real plan: rebuilt
        self._replan()

    def _sort(self) -> None:
        columns = [c for c in ("mn", "if") if c in {k for k, _, _ in self.plan.columns}]
        self.sort(*columns, key=lambda cells: tuple(_natural(str(c)) for c in cells))

    def on_resize(self) -> None:
        self._replan()

    def reveal(self, mn_id: str) -> None:
        """Scroll so that the first entry of ``mn_id`` is the top row."""
        keys = [k for k in self._shown if k.startswith(f"{mn_id}#")]
        if keys:
            index = self.get_row_index(min(keys, key=_natural))
            self.call_after_refresh(self.scroll_to, y=index, animate=False)

    def reset(self, ft: bool, scenario: Scenario | None = None) -> None:
        """Forget every row (a new simulation); ``scenario`` gives the widths its
        names need from the start (so that stepping rarely widens a column)."""
        self.ft = ft
        self.clear()
        self._shown.clear()
        self._hot.clear()
        self._carrying.clear()
        # "dereg-hold" is RFC 5213's (§5.3.5); the draft's rows are active/in use/kept
        self._content = {"state": len(IN_USE) if ft else STATE_W - 1}
        if scenario is not None:
            self._head = prefix_head(scenario.lma.prefix_pool)
            ifaces = [i for mn in scenario.mns for i in mn.interfaces]
            pool = scenario.lma.prefix_pool
            last = pool.network_address + ((max(len(scenario.mns), 1) - 1) << 64)
            self._measure({
                "mn": max((short_mn(mn.id) for mn in scenario.mns), key=len, default=""),
                "if": max((i.name for i in ifaces), key=len, default=""),
                "coa": max((m.name for m in scenario.mags), key=len, default=""),
                "tunnel": f"Tunnel{len(scenario.mags)}",
                "life": str(scenario.lma.lifetime_s),
                "att": max((att_label(i.att) for i in ifaces), key=len, default=""),
                "hnp": f"{last}/64",
            })
        self._replan()

    def sync(self, view: StateView, keys: Iterable[str] | None = None) -> None:
        """Bring the rows ``keys`` (all when None) and the highlights up to date."""
        hot = {(key, FIELD_COLUMN[f]) for (table, key), fields in view.changed_fields.items()
               if table == "bce" for f in fields if f in FIELD_COLUMN}
        todo = set(view.bce) | set(self._shown) if keys is None else set(keys)
        todo |= {k for k, _ in hot | self._hot}
        self._hot = hot
        carrying = set(view.carriers.values())
        todo |= carrying ^ self._carrying  # stepping back may move the marker too
        self._carrying = carrying
        added = False
        shown_columns = [k for k, _, _ in self.plan.columns]
        rows_before = len(self._shown)
        grew = False
        for key in sorted(todo, key=_natural):
            row = view.bce.get(key)
            if row is None:
                if key in self._shown:
                    del self._shown[key]
                    self.remove_row(key)
                continue
            values = cell_values(row, self.ft, key in carrying)
            grew |= self._measure(values)
            if key not in self._shown:
                cells = {c: (values[c], (key, c) in hot) for c, _, _ in COLUMNS}
                self._shown[key] = cells
                self.add_row(*(self._cell(key, c, *cells[c]) for c in shown_columns),
                             key=key)
                added = True
                continue
            shown = self._shown[key]
            for column, _, _ in COLUMNS:
                cell = (values[column], (key, column) in hot)
                if shown[column] != cell:
                    shown[column] = cell
                    if column in shown_columns:
                        self.update_cell(key, column, self._cell(key, column, *cell))
        if added and len(self._shown) > 1:
            self._sort()
        if grew or (len(self._shown) != rows_before and self._room() is not None):
            self._replan()
