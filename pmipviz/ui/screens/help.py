"""The help screen: the keys and how to read the panes."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmipviz.ui.palette import styles

KEYS: tuple[tuple[str, str], ...] = (
    ("space", "play / pause"),
    ("→ or n", "step forward one event"),
    ("← or b", "step back one event"),
    ("j", "jump over data forwarding to the next control event"),
    ("s / S", "next / previous milestone: a Figure 1 step, an attach, a fault, the DeReg "
              "PBU, the PBA, the flush, cached data forwarded, the first packet on a new "
              "path, a loss; after the last one, the end of the run"),
    ("f / F", "next / previous fault (break, restore, move)"),
    ("g", "go to a time: type the simulated time in ms (e.g. 1000), enter"),
    ("1-9", "break / restore interface k of the selected MN"),
    ("[ / ]", "select the previous / next MN (also ctrl+p → Select MN)"),
    ("m", "switch mode FT (draft) ↔ RFC 5213 at the same point"),
    ("d", "delivery plot of the selected MN in place of the ladder, or back"),
    ("z", "delivery plot zoomed to the handover: from just before the fault to just after "
          "the first packet on the new path"),
    ("i / o", "delivery plot: zoom the time axis in / out by 2 around the current event"),
    ("< / >", "delivery plot: pan half a window earlier / later"),
    ("0", "delivery plot: the whole run again"),
    ("e", "event list: every event so far (time, node, message, step); p preset "
          "(signalling, problems), m the selected MN only, / filter text; enter goes there"),
    ("l", "lesson mode: stop before each step that matters and ask a question"),
    ("a-d or 1-4", "in a question: answer; enter / space / n: continue; esc: skip"),
    ("r", "reset to the start"),
    ("+ / -", "faster / slower"),
    ("↑ / ↓", "select a ladder row (esc: follow the current event)"),
    ("enter", "inspect the selected ladder row or the current event"),
    ("↑ / ↓, ← / →", "in the inspector: select a field, its bytes light up in the hex dump; "
                     "fold / unfold a header or option"),
    ("T", "theme: dark ↔ light (for projectors in bright rooms; also --theme light)"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name, and these only there: Select MN, "
               "Open scenario (a shipped one), Open scenario file (a .toml here), Save "
               "lesson results (once a question is answered), Export screenshot (SVG)"),
    ("q / ctrl+q", "quit"),
)

# (colour class, the name a reader sees, glyphs, what it means)
LEGEND: tuple[tuple[str, str, str, str], ...] = (
    ("PBU", "PBU", "──▶", "Proxy Binding Update (HI=1 new interface, HI=5 re-registration)"),
    ("DEREG", "DeReg PBU", "──▶", "lifetime 0, HI=4"),
    ("PBA", "PBA", "──▶", "Proxy Binding Acknowledgement (status 0 accepted)"),
    ("PBA_REJECT", "PBA refused", "──✕", "PBA with a rejection status (≥128)"),
    ("RS", "RS / RA", "──▶", "Router Solicitation / Router Advertisement"),
    ("DATA", "DATA", "┄┄▶", "data packets (runs aggregated: DATA ×12 n=5..16)"),
    ("DATA_CACHED", "cached DATA", "══▶", "data that went through a MAG cache"),
    ("STATE", "state", "●", "a local action: Binding Cache, route, tunnel change"),
    ("BUFFER", "cache", "■", "the MAG caches or flushes packets"),
    ("FAULT", "fault", "✕", "an interface breaks, or a packet is dropped"),
    ("FAULT", "fault", "↺ ↷", "an interface is restored / moves to another MAG"),
    ("FAULT", "fault", "○", "a break or restore that changes nothing"),
)


def help_text() -> Table:
    """The keys table and the legend."""
    outer = Table.grid(padding=(0, 0))
    keys = Table(title="Keys", title_justify="left", box=None, show_header=False,
                 title_style="bold")
    keys.add_column(style=styles().key, no_wrap=True)
    keys.add_column()
    for key, what in KEYS:
        keys.add_row(key, what)
    legend = Table(title="Ladder and topology", title_justify="left", box=None,
                   show_header=False, title_style="bold")
    legend.add_column(no_wrap=True)
    legend.add_column(no_wrap=True)
    legend.add_column()
    previous = None
    for cls, label, glyph, what in LEGEND:
        style = styles().classes[cls]
        name = "" if label == previous else label  # the name once, then its other glyphs
        previous = label
        legend.add_row(Text(name, style=f"bold {style}"), Text(glyph, style=style), what)
    notes = Text()
    notes.append("\nBinding Cache: ", style="bold")
    notes.append("one row per interface. M=1: the MN is multihomed (draft §3.1). S=1: the "
                 "entry may carry traffic; S=0: its interface failed (draft §3.2). In RFC 5213 "
                 "mode M and S are '-' and State shows ")
    notes.append("dereg-hold", style=styles().down)
    notes.append(" while the LMA drops the MN's traffic (§5.3.5). State ")
    notes.append("in use", style=styles().up)
    notes.append(": the entry carrying the MN's traffic now (S=1 is \"available, or in use\"; "
                 "the oldest available entry, kept until it goes S=0). Changed cells are ")
    notes.append("highlighted", style=styles().changed)
    notes.append(".\nTopology: ")
    notes.append("│ up", style=styles().up)
    notes.append(", ")
    notes.append("✕ broken", style=styles().down)
    notes.append(", ┆ not attached / no tunnel. Steps (1)-(8) of Figure 1 are in the ")
    notes.append("(n)", style=styles().step)
    notes.append(" margin of the ladder.")
    outer.add_row(keys)
    outer.add_row(Text(""))
    outer.add_row(legend)
    outer.add_row(notes)
    return outer


class HelpScreen(ModalScreen[None]):
    """Keys and legend; any of escape, q, ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter", "dismiss", "close", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "pmipviz help"
            box.border_subtitle = "esc to close"
            yield Static(help_text(), id="help-text")
