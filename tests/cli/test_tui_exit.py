"""The exit code of ``pmipviz`` (the TUI) in a real process: 0 after a quit, 1 and
one line on stderr naming the error when the app ends with an exception. The app
runs on Textual's headless driver; a test hook patches it to quit or to raise."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

HEADLESS = "textual.drivers.headless_driver:HeadlessDriver"

# run `pmipviz figure1` with `on_mount` followed, once the screen is up, by HOOK
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
sys.exit(main(["figure1"]))
"""


def run_tui(hook: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_FILTERS")}
    env["TEXTUAL_DRIVER"] = HEADLESS
    code = SCRIPT.format(hook=textwrap.indent(hook, "    "), prelude=prelude)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_a_quit_exits_0() -> None:
    done = run_tui("app.action_quit_main()")
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr


KEY_RAISES = """
def boom():
    raise ValueError("from a key")
app.action_step = boom
app.simulate_key("n")
"""
RUN_RAISES = """
def run(self):
    raise RuntimeError("out of App.run")
PmipvizApp.run = run
"""


@pytest.mark.parametrize(("hook", "prelude", "named"), [
    ("raise KeyError(0)", "", "KeyError: 0"),
    ("raise RuntimeError('two\\nlines')", "", "RuntimeError: two lines"),
    (KEY_RAISES, "", "ValueError: from a key"),  # in a key's action
    ("pass", RUN_RAISES, "RuntimeError: out of App.run"),  # not caught by Textual
])
def test_an_exception_exits_1_with_one_line(hook: str, prelude: str, named: str) -> None:
    done = run_tui(hook, prelude)
    assert done.returncode == 1, done.stderr
    ours = [line for line in done.stderr.splitlines() if line.startswith("pmipviz:")]
    assert ours == [f"pmipviz: internal error: the TUI stopped on {named} "
                    "(a bug; please report it)"], done.stderr
    assert done.stderr.rstrip().endswith(ours[0])  # after Textual's traceback
