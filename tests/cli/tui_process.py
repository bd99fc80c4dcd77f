"""``pmipviz`` (the TUI) run in a real process on Textual's headless driver, with a
test hook run once the screen is up (to quit, to raise, to answer a lesson...)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

HEADLESS = "textual.drivers.headless_driver:HeadlessDriver"

# run `pmipviz ARGV` with `on_mount` followed, once the screen is up, by HOOK
SCRIPT = """
import sys
from pmipviz.cli import main
from pmipviz.ui.app import PmipvizApp

mounted = PmipvizApp.on_mount

def on_mount(self):
    mounted(self)
    self.call_after_refresh(lambda: hook(self))

def hook(app):
{hook}

PmipvizApp.on_mount = on_mount
{prelude}
sys.exit(main({argv!r}))
"""


def run_tui(hook: str, prelude: str = "", argv: Sequence[str] = ("figure1",),
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``pmipviz ARGV`` with ``hook`` (the body of ``hook(app)``) and ``prelude`` (code
    run before ``main``), in a clean environment for Textual."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_FILTERS")}
    env["TEXTUAL_DRIVER"] = HEADLESS
    code = SCRIPT.format(hook=textwrap.indent(hook, "    "), prelude=prelude,
                         argv=list(argv))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=False, cwd=cwd)
