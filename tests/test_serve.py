"""``pmipviz serve`` without a browser: the per-tab command, loopback by default,
the public URL, and one-line errors before anything is served."""

from __future__ import annotations

import shlex
import socket
import sys
from pathlib import Path

import pytest

from pmipviz.cli import SUBCOMMANDS, build_parser, main
from pmipviz.scenario import shipped_dir
from pmipviz.serve import app_command, default_public_url, is_loopback


def test_export_and_serve_are_subcommands_not_scenarios() -> None:
    assert {"export", "serve"} <= set(SUBCOMMANDS)
    args = build_parser().parse_args(["serve"])
    assert (args.scenario, args.host, args.port, args.public_url) == ("figure1", "127.0.0.1",
                                                                      8000, None)


def test_app_command_is_this_python_running_the_tui() -> None:
    assert app_command("figure1") == shlex.join([sys.executable, "-m", "pmipviz", "figure1"])


def test_app_command_makes_a_scenario_file_absolute(tmp_path: Path, monkeypatch) -> None:
    scenario = tmp_path / "my scenario.toml"
    scenario.write_text((shipped_dir() / "figure1.toml").read_text(encoding="utf-8"),
                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert shlex.split(app_command("my scenario.toml")) == [sys.executable, "-m", "pmipviz",
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
