"""``pmipviz serve`` without a browser: the per-tab command, loopback by default,
the public URL, the limits (terminal size, origins, sessions) and one-line errors
before anything is served."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from pmipviz.cli import SUBCOMMANDS, build_parser, main
from pmipviz.scenario import shipped_dir
from pmipviz.serve import app_argv, default_public_url, is_loopback
from pmipviz.serve.limits import (
    DEFAULT_MAX_SESSIONS,
    MAX_SIZE,
    MIN_SIZE,
    allowed_origins,
    clamp_size,
    origin_of,
)


def test_export_and_serve_are_subcommands_not_scenarios() -> None:
    assert {"export", "serve"} <= set(SUBCOMMANDS)
    args = build_parser().parse_args(["serve"])
    assert (args.scenario, args.host, args.port, args.public_url, args.max_sessions) == (
        "figure1", "127.0.0.1", 8000, None, DEFAULT_MAX_SESSIONS)
    assert build_parser().parse_args(["serve", "--max-sessions", "40"]).max_sessions == 40


def test_app_argv_is_this_python_running_the_tui_of_one_tab() -> None:
    assert app_argv("figure1") == [sys.executable, "-m", "pmipviz.serve.child", "figure1"]


def test_app_argv_makes_a_scenario_file_absolute(tmp_path: Path, monkeypatch) -> None:
    scenario = tmp_path / "my scenario.toml"
    scenario.write_text((shipped_dir() / "figure1.toml").read_text(encoding="utf-8"),
                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert app_argv("my scenario.toml") == [sys.executable, "-m", "pmipviz.serve.child",
                                            str(scenario.resolve())]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.0.2.7", False),
    ("example.org", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_default_public_url(monkeypatch) -> None:
    assert default_public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert default_public_url("::1", 8080) == "http://[::1]:8080"
    monkeypatch.setattr(socket, "getfqdn", lambda: "teacher.example")
    assert default_public_url("0.0.0.0", 80) == "http://teacher.example:80"
    assert default_public_url("::", 80) == "http://teacher.example:80"


@pytest.mark.parametrize(("args", "fragment"), [
    (["serve", "nosuch"], "no shipped scenario 'nosuch'"),
    (["serve", "--port", "0"], "port in 1..65535"),
    (["serve", "--port", "http"], "expected a port number"),
    (["serve", "--max-sessions", "0"], "expected a number of sessions in 1..1000, got '0'"),
    (["serve", "--max-sessions", "-3"], "expected a number of sessions in 1..1000"),
    (["serve", "--max-sessions", "1e3"], "expected a number of sessions in 1..1000"),
    (["serve", "--max-sessions", "1001"], "expected a number of sessions in 1..1000"),
    (["serve", "--public-url", "teacher.example:8000"],
     "--public-url 'teacher.example:8000': expected http://HOST[:PORT]"),
    (["serve", "--public-url", "ftp://teacher.example"], "expected http://HOST[:PORT]"),
])
def test_bad_input_is_one_line_exit_2(args: list[str], fragment: str, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_a_busy_port_is_one_line_exit_2_and_other_hosts_warn(capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"pmipviz: cannot listen on 127.0.0.1:{port}: ")
        assert err.count("\n") == 1
        assert main(["serve", "--host", "0.0.0.0", "--port", str(port),
                     "--public-url", "http://teacher.example:8000"]) == 2
        warning, error = capsys.readouterr().err.splitlines()
        assert warning.startswith("pmipviz: warning: listening on 0.0.0.0:")
        assert "http://teacher.example:8000" in warning and "cannot listen" in error


@pytest.mark.parametrize(("asked", "given"), [
    ((80, 24), (80, 24)), ((20000, 20000), MAX_SIZE), ((0, -5), MIN_SIZE),
    (("120", "40"), (120, 40)), ((10**100, 1.5), (MAX_SIZE[0], MIN_SIZE[1])),
    (("wide", None), (80, 24)), ((True, float("inf")), (80, 24)), (([1], {}), (80, 24)),
    ((float("nan"), "1e9"), (80, 24)),
])
def test_the_terminal_size_is_clamped_whatever_the_browser_sends(asked, given) -> None:
    assert clamp_size(*asked) == given


@pytest.mark.parametrize(("url", "origin"), [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("HTTP://Teacher.Example:80/pmipviz/", "http://teacher.example"),
    ("https://teacher.example:443", "https://teacher.example"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("teacher.example:8000", None), ("ftp://teacher.example", None), ("null", None),
    ("", None), ("http://host:99999", None),
])
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_allowed_origins_are_the_public_url_and_the_served_host() -> None:
    loopback = {"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"}
    assert allowed_origins("127.0.0.1", 8000, "http://127.0.0.1:8000") == loopback
    assert allowed_origins("::1", 8000, "http://[::1]:8000") == loopback
    assert allowed_origins("0.0.0.0", 8000, "http://teacher.example:8000") == {
        "http://teacher.example:8000", *loopback}
    assert allowed_origins("192.0.2.7", 80, "https://pmip.example/") == {
        "http://192.0.2.7", "https://pmip.example"}
