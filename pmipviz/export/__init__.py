"""Exports and views shared by the TUI and the command line (no textual here)."""

from pmipviz.export.ladder import (
    Column,
    LadderBuilder,
    LadderRow,
    build_rows,
    columns,
    control_label,
    focus_of,
)

__all__ = ["Column", "LadderBuilder", "LadderRow", "build_rows", "columns", "control_label",
           "focus_of"]
