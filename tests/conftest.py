"""Fixtures shared by every layer's tests.

- the environment: NO_COLOR, TEXTUAL_THEME and TEXTUAL_FILTERS are unset for every
  test (they change how the TUI renders, and snapshots compare SVG text);
- ``lines_run``: work measured by counting the Python lines a call executes, not by
  timing it (used by the scaling tests of protocol, scenario and export);
- the outside tools some tests drive (``plantuml``, ``chromium``, ``node``, Node.js
  scripts under ``tests/js`` with ``node_json``): a test that asks for one is
  skipped when it is not installed, or fails with ``PMIPVIZ_REQUIRE_TOOLS=1`` (CI
  sets it after ``.ci/install-system-deps``).

Each layer's own fixtures are in its ``conftest.py`` (``tests/ui``, ``tests/wire``).
Helpers that are plain functions used inside other helpers, hypothesis strategies
or module-level constants stay modules of their layer's package (a fixture can
reach none of those): ``tests/sim/traces.py``, ``tests/sim/storm_checks.py``,
``tests/protocol/pbu_factory.py``, ``tests/protocol/pump.py``, ``tests/serve/server.py``,
``tests/wire/pcap_reader.py``, ``tests/ui/pilot_app.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
INSTALL_HINT = "run .ci/install-system-deps"


@pytest.fixture(autouse=True)
def _plain_textual_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR, TEXTUAL_THEME and TEXTUAL_FILTERS change Textual's output."""
    for name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_FILTERS"):
        monkeypatch.delenv(name, raising=False)


# -- work by counting ----------------------------------------------------------------------


def _lines_run(fn: Callable[[], object]) -> int:
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return count


@pytest.fixture(scope="session")
def lines_run() -> Callable[[Callable[[], object]], int]:
    """``lines_run(fn)``: how many Python lines ``fn()`` executes (every frame,
    comprehensions included), a measure of work that does not depend on the
    machine's speed or load."""
    return _lines_run


# -- outside tools -------------------------------------------------------------------------


def require(what: str, ok: bool) -> None:
    """Skip (or fail, with PMIPVIZ_REQUIRE_TOOLS=1) when ``what`` is not installed."""
    if ok:
        return
    message = f"{what} is not installed ({INSTALL_HINT})"
    if os.environ.get("PMIPVIZ_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def require_tool() -> Callable[[str, bool], None]:
    """``require_tool(what, ok)``: skip (fail under PMIPVIZ_REQUIRE_TOOLS=1) unless ok."""
    return require


@pytest.fixture(scope="session")
def plantuml() -> str:
    """The plantuml command."""
    path = shutil.which("plantuml")
    require("plantuml", path is not None)
    assert path is not None
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium (``PMIPVIZ_CHROMIUM`` names another)."""
    path = os.environ.get("PMIPVIZ_CHROMIUM", "/usr/bin/chromium")
    require(path, os.access(path, os.X_OK))
    return path


@dataclass(frozen=True)
class Node:
    """Node.js with the npm packages of tests/js (Mermaid's parser, playwright-core)."""

    path: str
    js_dir: Path

    def script(self, name: str) -> list[str]:
        """The command line running ``tests/js/NAME`` (run it with cwd=js_dir)."""
        return [self.path, str(self.js_dir / name)]


@pytest.fixture(scope="session")
def node(chromium: str) -> Node:
    """Node.js, the npm packages of tests/js and Debian's chromium (the scripts
    drive it through Playwright)."""
    path = shutil.which("node")
    require("node", path is not None)
    require("npm packages of tests/js (npm ci)",
            (JS_DIR / "node_modules" / "playwright-core").is_dir()
            and (JS_DIR / "node_modules" / "mermaid").is_dir())
    assert path is not None
    return Node(path, JS_DIR)


@pytest.fixture(scope="session")
def node_json(node: Node) -> Callable[..., Any]:
    """``node_json(script, *args)``: run ``node tests/js/SCRIPT ARGS`` and return the
    JSON it prints."""
    def run(script: str, *args: str, timeout: float = 120) -> Any:
        proc = subprocess.run([*node.script(script), *args], capture_output=True, text=True,
                              timeout=timeout, cwd=node.js_dir, check=False)
        assert proc.returncode == 0, f"{script} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        return json.loads(proc.stdout)

    return run
