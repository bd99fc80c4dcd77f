"""``--theme dark|light`` of the TUI and of ``pmipviz serve`` (issue 11: a light theme
for projectors): a bad value is one line and exit 2; ``light`` reaches the app, and
each served tab's command line."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from pmipviz.cli import build_parser, main
from pmipviz.scenario import load_scenario
from pmipviz.serve import app_argv, serve
from tests.cli.tui_process import run_tui


@pytest.mark.parametrize("args", [
    ["figure1", "--theme", "purple"],
    ["tui", "figure1", "--theme", "Light"],
    ["serve", "--theme", "x"],
])
def test_a_bad_theme_is_one_line_exit_2(args: list[str], capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--theme: invalid choice" in err
    assert "'dark', 'light'" in err and "Traceback" not in err


def test_dark_is_the_default() -> None:
    parser = build_parser()
    assert parser.parse_args(["tui"]).theme == "dark"
    assert parser.parse_args(["serve"]).theme == "dark"
    assert parser.parse_args(["tui", "campus", "--theme", "light"]).theme == "light"


def test_the_tui_starts_in_the_light_theme() -> None:
    """``pmipviz figure1 --theme light`` in a real process: the app's Textual theme is
    the light one when the screen is up."""
    hook = "print('THEME', app.theme, file=sys.stderr)\napp.action_quit_main()"
    done = run_tui(hook, argv=("figure1", "--theme", "light"))
    assert done.returncode == 0, done.stderr
    assert "THEME pmipviz-light" in done.stderr.splitlines()


def test_serve_passes_the_theme_to_every_tab(monkeypatch) -> None:
    assert app_argv("figure1", "light") == [sys.executable, "-m", "pmipviz.serve.child",
                                            "figure1", "--theme", "light"]
    assert app_argv("figure1", "dark") == app_argv("figure1")
    started: list[list[str]] = []

    class Server:
        def __init__(self, argv: list[str], **_kwargs: Any) -> None:
            started.append(argv)

        def serve(self) -> None:
            pass

    monkeypatch.setattr("pmipviz.serve.server.GuardedServer", Server)
    assert serve("figure1", load_scenario("figure1"), port=0, theme="light") == 0
    (argv,) = started
    assert argv[-2:] == ["--theme", "light"]
    # what the child runs: `pmipviz figure1 --theme light`, the TUI in light
    assert build_parser().parse_args(["tui", *argv[4:]]).theme == "light"
