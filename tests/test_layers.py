"""Layering: the protocol core imports neither simpy nor textual; only ui/ imports textual."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "pmipviz"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_protocol_is_sans_io() -> None:
    for path in (PKG / "protocol").rglob("*.py"):
        assert not imports_of(path) & {"simpy", "textual", "scapy", "rich"}, path


def test_only_ui_imports_textual() -> None:
    for path in PKG.rglob("*.py"):
        if "ui" in path.relative_to(PKG).parts:
            continue
        assert "textual" not in imports_of(path), path
