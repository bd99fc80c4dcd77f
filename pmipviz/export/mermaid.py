"""The ladder as a Mermaid ``sequenceDiagram``: participants in column order,
solid arrows for signalling, dotted ones for DATA, ``-x`` for lost messages,
notes for local actions, the draft's step ``(n)`` at the start of each text."""

from __future__ import annotations

import re

from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.ladder import LadderRow

# words Mermaid's sequence grammar reads as keywords when used as a participant id
_KEYWORDS = frozenset({
    "participant", "actor", "as", "note", "over", "left", "right", "of", "loop", "alt", "else",
    "opt", "par", "and", "rect", "end", "critical", "option", "break", "box", "create",
    "destroy", "activate", "deactivate", "autonumber", "title", "links", "link", "properties",
    "details", "sequencediagram", "accTitle", "acctitle", "accdescr",
})
# characters that end a statement, start an entity or a comment, or are read as markup
_ENTITIES = {"#": "#35;", ";": "#59;", "%": "#37;", "<": "#lt;", ">": "#gt;", "\n": " "}


def escape(text: str) -> str:
    """``text`` safe as a Mermaid message, note or participant label."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text).strip() or " "


def participant_ids(names: tuple[str, ...]) -> dict[str, str]:
    """A Mermaid-safe, unique id for every column name (``MAG1`` stays ``MAG1``)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"\W", "_", name, flags=re.ASCII) or "P"
        if base[0].isdigit() or base.lower() in _KEYWORDS or base.startswith("_"):
            base = "P_" + base.lstrip("_")
        pid, k = base, 2
        while pid in used:
            pid, k = f"{base}_{k}", k + 1
        used.add(pid)
        ids[name] = pid
    return ids


def _text(row: LadderRow) -> str:
    step = f"({row.step}) " if row.step is not None else ""
    return escape(step + row.label)


def _statement(row: LadderRow, ids: dict[str, str]) -> str:
    src = ids[row.src]
    if row.kind == "arrow" and row.dst is not None and row.dst != row.src:
        data = row.msg_class in ("DATA", "DATA_CACHED")
        lost = row.lost and not data
        arrow = ("--" if data else "-") + ("x" if lost else ">>")
        return f"    {src}{arrow}{ids[row.dst]}: {_text(row)}"
    return f"    Note over {src}: {_text(row)}"


# Mermaid's own themes for ours: its renderer picks the colours
MERMAID_THEMES = {"dark": "dark", "light": "default"}


def render_mermaid(diagram: LadderDiagram, theme: str | None = None) -> str:
    """The Mermaid source of the ladder; with ``theme`` (dark, light) an init directive
    asks the renderer for its matching theme (without one, the viewer's own applies)."""
    ids = participant_ids(diagram.columns)
    lines = ["sequenceDiagram", f"    title {escape(diagram.caption)}"]
    if theme is not None:
        lines.insert(0, f"%%{{init: {{'theme': '{MERMAID_THEMES[theme]}'}}}}%%")
    for name in diagram.columns:
        pid = ids[name]
        lines.append(f"    participant {pid}" if pid == name
                     else f"    participant {pid} as {escape(name)}")
    for row in diagram.rows:
        lines.append(f"    %% t={row.t_ms:.1f} ms")
        lines.append(_statement(row, ids))
    return "\n".join(lines) + "\n"
