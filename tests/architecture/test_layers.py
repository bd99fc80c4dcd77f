"""Layering: the import-linter contracts in pyproject.toml ([tool.importlinter]) hold,
and they fail on a wrong-way import; no module imports Textual's private modules."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "pmipviz"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` with the pyproject.toml in ``cwd``, on the pmipviz found there."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():  # not a venv layout: the script on PATH
        exe = Path(shutil.which("lint-imports") or "lint-imports")
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(exe), "--config", "pyproject.toml", "--no-cache", "--no-logo"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_layer_contracts_are_kept() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 kept, 0 broken" in run.stdout, run.stdout


# (file to edit, line to append, the contract it breaks)
WRONG_WAY = [
    ("protocol/mag.py", "import pmipviz.sim.trace", "layers:"),
    ("sim/world.py", "from pmipviz.ui import app", "layers:"),
    ("export/ladder.py", "from pmipviz.lesson import quiz", "layers:"),
    ("scenario/model.py", "import pmipviz.wire.pcap", "does not import wire"),
    ("serve/server.py", "import pmipviz.__main__", "layers:"),
    ("protocol/lma.py", "import pmipviz.outputs", "layers:"),
    ("export/svg.py", "from textual.widget import Widget", "only pmipviz.ui imports textual"),
    ("export/plot_figure.py", "import textual_plot", "only pmipviz.ui imports textual"),
    ("cli.py", "import scapy.all", "only pmipviz.wire imports scapy"),
    ("protocol/constants.py", "import simpy", "pmipviz.protocol imports neither"),
]


@pytest.mark.parametrize(("path", "line", "contract"), WRONG_WAY,
                         ids=[f"{p}:{w}" for p, w, _ in WRONG_WAY])
def test_a_wrong_way_import_breaks_a_contract(tmp_path: Path, path: str, line: str,
                                              contract: str) -> None:
    """The project's own config, on a copy of the package with one import added."""
    shutil.copytree(PKG, tmp_path / "pmipviz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "pmipviz" / path
    target.write_text(target.read_text() + f"\n{line}  # wrong way\n")
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert " broken." in run.stdout and " 0 broken." not in run.stdout, run.stdout
    broken = run.stdout[run.stdout.index("Broken contracts"):]
    assert contract in broken, broken
    assert f"pmipviz.{path.removesuffix('.py').replace('/', '.')}" in broken, broken


def test_a_new_subpackage_must_be_placed_in_a_layer(tmp_path: Path) -> None:
    shutil.copytree(PKG, tmp_path / "pmipviz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "pmipviz" / "extra.py").write_text('"""A module no layer names."""\n')
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "pmipviz.extra" in run.stdout + run.stderr


def private_textual_imports(path: Path) -> list[str]:
    """The Textual modules ``path`` imports through a private (``_``) part of their path."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found += [n for n in names if n.split(".")[0] == "textual"
                  and any(part.startswith("_") for part in n.split(".")[1:])]
    return found


def test_no_private_textual_imports() -> None:
    """import-linter sees external packages only by their top name: checked here."""
    files = [*PKG.rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "benchmarks").rglob("*.py")]
    assert {str(p.relative_to(ROOT)): private_textual_imports(p)
            for p in files if private_textual_imports(p)} == {}


def test_the_private_import_check_sees_one(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("from textual.widgets._footer import FooterKey\n"
                      "from textual.widgets import Footer\nimport textual._context\n")
    assert private_textual_imports(source) == ["textual.widgets._footer",
                                               "textual.widgets._footer.FooterKey",
                                               "textual._context"]
