"""The exit code of ``pmipviz`` (the TUI) in a real process: 0 after a quit, 1 and
one line on stderr naming the error when the app ends with an exception. The app
runs on Textual's headless driver; a test hook patches it to quit or to raise."""

from __future__ import annotations

import pytest

from tests.cli.tui_process import run_tui


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
