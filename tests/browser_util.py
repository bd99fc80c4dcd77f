"""Node.js helpers under tests/js (Mermaid's parser, Playwright driving Debian's
chromium) and the check that the tools they need are installed.

Missing tools skip the tests that need them, unless ``PMIPVIZ_REQUIRE_TOOLS=1``
(set it in CI, after ``.ci/install-system-deps``), which turns the skip into a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")
CHROMIUM = os.environ.get("PMIPVIZ_CHROMIUM", "/usr/bin/chromium")
PLANTUML = shutil.which("plantuml")
INSTALL_HINT = "run .ci/install-system-deps"


def require(what: str, ok: bool) -> None:
    """Skip (or fail, with PMIPVIZ_REQUIRE_TOOLS=1) when ``what`` is not installed."""
    if ok:
        return
    message = f"{what} is not installed ({INSTALL_HINT})"
    if os.environ.get("PMIPVIZ_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_browser() -> None:
    """Node.js, the npm packages of tests/js and Debian's chromium."""
    require("node", NODE is not None)
    require("npm packages of tests/js (npm ci)",
            (JS_DIR / "node_modules" / "playwright-core").is_dir()
            and (JS_DIR / "node_modules" / "mermaid").is_dir())
    require(CHROMIUM, os.access(CHROMIUM, os.X_OK))


def require_plantuml() -> None:
    require("plantuml", PLANTUML is not None)


def node_json(script: str, *args: str, timeout: float = 120) -> Any:
    """Run ``node tests/js/SCRIPT ARGS`` and return the JSON it prints."""
    assert NODE is not None
    proc = subprocess.run([NODE, str(JS_DIR / script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=JS_DIR, check=False)
    assert proc.returncode == 0, f"{script} failed ({proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout)
