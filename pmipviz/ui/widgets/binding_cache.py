"""The LMA's Binding Cache: one row per entry, updated by row key, the cells the
current event changed highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from pmipviz.protocol.constants import att_label
from pmipviz.protocol.keys import short_mn
from pmipviz.sim.state import StateView
from pmipviz.ui.palette import CHANGED, DOWN, UP

# column key, header, width (the table has no cell padding: widths include a gap)
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
    if column == "s":
        return {"0": DOWN, "1": UP}.get(text)
    if column == "state" and text == IN_USE:
        return UP
    if column == "state" and text not in ("active", "-"):
        return DOWN
    return None


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


class BindingCacheTable(DataTable[Any]):
    """Mirrors ``StateView.bce``; ``sync`` touches only the given row keys."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, cell_padding=0, zebra_stripes=False)
        self.ft = True
        self._shown: dict[str, dict[str, tuple[str, bool]]] = {}
        self._hot: set[tuple[str, str]] = set()
        self._carrying: set[str] = set()  # the rows shown "in use"

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, width=width, key=key)

    def _cell(self, key: str, column: str, text: str, hot: bool) -> Text:
        width = WIDTHS[column] - (column != COLUMNS[-1][0])
        shown = text if len(text) <= width else text[: width - 1] + "…"
        style = CHANGED if hot else _value_style(column, text)
        return Text(shown, style=style or "", no_wrap=True, overflow="ellipsis")

    def reveal(self, mn_id: str) -> None:
        """Scroll so that the first entry of ``mn_id`` is the top row."""
        keys = [k for k in self._shown if k.startswith(f"{mn_id}#")]
        if keys:
            index = self.get_row_index(min(keys, key=_natural))
            self.call_after_refresh(self.scroll_to, y=index, animate=False)

    def reset(self, ft: bool) -> None:
        """Forget every row (a new simulation)."""
        self.ft = ft
        self.clear()
        self._shown.clear()
        self._hot.clear()
        self._carrying.clear()

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
        for key in sorted(todo, key=_natural):
            row = view.bce.get(key)
            if row is None:
                if key in self._shown:
                    del self._shown[key]
                    self.remove_row(key)
                continue
            values = cell_values(row, self.ft, key in carrying)
            if key not in self._shown:
                cells = {c: (values[c], (key, c) in hot) for c, _, _ in COLUMNS}
                self._shown[key] = cells
                self.add_row(*(self._cell(key, c, *cells[c]) for c, _, _ in COLUMNS), key=key)
                added = True
                continue
            shown = self._shown[key]
            for column, _, _ in COLUMNS:
                cell = (values[column], (key, column) in hot)
                if shown[column] != cell:
                    shown[column] = cell
                    self.update_cell(key, column, self._cell(key, column, *cell))
        if added and len(self._shown) > 1:
            self.sort("mn", "if", key=lambda cells: tuple(_natural(str(c)) for c in cells))
