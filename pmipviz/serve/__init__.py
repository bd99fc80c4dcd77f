"""``pmipviz serve``: the TUI in web browsers with textual-serve.

Every browser tab gets its own app process (``python -m pmipviz.serve.child
SCENARIO``), which ends when the tab closes or stops answering, and with the server.
The server listens on loopback unless ``--host`` says otherwise, and then warns:
anyone who can reach the port can start apps (at most ``--max-sessions`` at once)."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from pmipviz.scenario.model import Scenario
from pmipviz.serve.limits import DEFAULT_MAX_SESSIONS, WILDCARDS, origin_of


class ServeError(Exception):
    """The server could not start (one line, exit 2)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_argv(scenario_arg: str, theme: str = "dark") -> list[str]:
    """The command run per tab: this Python, ``-m pmipviz.serve.child SCENARIO`` (a
    shipped scenario by name, a file by its absolute path), ``--theme light`` if asked."""
    target = scenario_arg
    if Path(scenario_arg).is_file():
        target = str(Path(scenario_arg).resolve())
    options = ["--theme", theme] if theme != "dark" else []
    return [sys.executable, "-m", "pmipviz.serve.child", target, *options]


def network_name() -> str:
    """A name or address other machines may reach this one at (for wildcard binds)."""
    name = socket.getfqdn()
    if not (is_loopback(name) or name.startswith("localhost")):
        return name
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # picks the outgoing interface; sends nothing
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def default_public_url(host: str, port: int) -> str:
    """The URL browsers reach the server at (and the page's websocket URL is built on)."""
    name = host.strip("[]")
    if name in WILDCARDS:
        name = network_name()
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"


def _check_port(host: str, port: int) -> None:
    """Fail early, with one line, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise ServeError(f"cannot listen on {host}: {err.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise ServeError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def serve(scenario_arg: str, scenario: Scenario, *, host: str = "127.0.0.1", port: int = 8000,
          public_url: str | None = None, max_sessions: int = DEFAULT_MAX_SESSIONS,
          theme: str = "dark") -> int:
    """Serve the TUI of ``scenario`` until interrupted; returns the exit code."""
    from pmipviz.serve.server import GuardedServer

    url = public_url or default_public_url(host, port)
    if origin_of(url) is None:
        raise ServeError(f"--public-url {url!r}: expected http://HOST[:PORT] or https://...")
    if not is_loopback(host):
        print(f"pmipviz: warning: listening on {host}:{port}, not loopback: anyone who can "
              f"reach it can start the app; browsers open {url}", file=sys.stderr)
    _check_port(host, port)
    server = GuardedServer(app_argv(scenario_arg, theme), host=host, port=port,
                           title=f"pmipviz · {scenario.title}", public_url=url,
                           max_sessions=max_sessions)
    server.serve()
    return 0
