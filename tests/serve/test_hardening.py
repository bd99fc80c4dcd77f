"""``pmipviz serve`` against a hostile or careless classroom, with real processes: pages
of other origins are refused before any app starts, sessions are capped, terminal
sizes clamped, an app whose client vanished (browser killed, network gone) ends, and
stopping the server, however, ends every app."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from .server import (
    GONE_TIMEOUT_S,
    TIMEOUT_S,
    Clients,
    Served,
    alive,
    cpu_seconds,
    descendants,
    environ,
    get,
    handshake,
    screen_extent,
    start_server,
    stop,
    wait_until,
)

MAX_SESSIONS = 2


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that leave it running: at most two sessions."""
    server = start_server(tmp_path_factory.mktemp("serve"), "--max-sessions", str(MAX_SESSIONS))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def clients() -> Iterator[Clients]:
    holder = Clients()
    try:
        yield holder
    finally:
        holder.close()


def _no_apps_left(served: Served) -> None:
    assert wait_until(lambda: not served.apps()), f"apps left: {served.apps()}"


@pytest.mark.parametrize("origin", [
    "http://evil.example", None, "null", "http://127.0.0.1.evil.example",
    "http://127.0.0.1:{port}.evil.example", "https://127.0.0.1:{port}", "http://127.0.0.1:1",
])
def test_a_page_from_another_origin_cannot_start_an_app(served: Served,
                                                       origin: str | None) -> None:
    if origin is not None:
        origin = origin.format(port=served.port)
    status, body, sock = handshake(served.port, origin)
    sock.close()
    assert status == 403, body
    assert f"open {served.origin}" in body
    assert served.apps() == []  # refused before any process started


def test_the_session_cap_refuses_the_next_tab_with_a_clear_message(served: Served,
                                                                   clients: Clients) -> None:
    ws_url = f"{served.url}ws?width=80&height=24"
    for _ in range(MAX_SESSIONS):
        clients.open(ws_url, served.origin)
    assert wait_until(lambda: len(served.apps()) == MAX_SESSIONS, TIMEOUT_S), served.apps()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        clients.open(ws_url, served.origin)
    assert refused.value.status == 503
    status, body, sock = handshake(served.port, served.origin)
    sock.close()
    assert status == 503 and f"all {MAX_SESSIONS} sessions are in use" in body
    status, page = get(served.url)
    assert status == 503 and f"all {MAX_SESSIONS} sessions are in use" in page
    assert len(served.apps()) == MAX_SESSIONS  # the refused ones started nothing
    clients.close_one(0)  # a tab closes: its slot is free again
    assert wait_until(lambda: get(served.url)[0] == 200), served.log()[-2000:]
    clients.open(ws_url, served.origin)
    clients.close()
    _no_apps_left(served)


def test_an_oversized_terminal_is_clamped(served: Served, clients: Clients) -> None:
    index = clients.open(f"{served.url}ws?width=20000&height=20000", served.origin)
    assert wait_until(lambda: len(served.apps()) == 1, TIMEOUT_S)
    (app,) = served.apps()
    env = environ(app)
    assert (env["COLUMNS"], env["ROWS"]) == ("500", "200")  # the size the app starts with
    assert wait_until(lambda: screen_extent(clients.text(index))[0] == 200, TIMEOUT_S)
    # what the browser says when it resizes is clamped the same way
    clients.send_json(index, ["resize", {"width": "wide", "height": None}])  # -> 80x24
    assert wait_until(lambda: "\x1b[24;" in clients.text(index).rpartition("\x1b[200;")[2],
                      TIMEOUT_S)
    drawn = clients.text(index).count("\x1b[200;")
    clients.send_json(index, ["resize", {"width": 10**9, "height": 10**9}])  # -> 500x200
    assert wait_until(lambda: clients.text(index).count("\x1b[200;") > drawn, TIMEOUT_S)
    rows, cols = screen_extent(clients.text(index))
    assert rows == 200 and cols <= 500
    rss_kb = int(next(line.split()[1] for line in Path(f"/proc/{app}/status").read_text()
                      .splitlines() if line.startswith("VmRSS:")))
    assert rss_kb < 400_000  # 20000x20000 took 3.1 GB
    clients.close()
    _no_apps_left(served)


def test_an_app_whose_client_stops_answering_ends(served: Served) -> None:
    """The network goes away: no FIN, no pong. The heartbeat notices."""
    status, body, sock = handshake(served.port, served.origin)
    try:
        assert status == 101, body
        assert wait_until(lambda: len(served.apps()) == 1, TIMEOUT_S)
        (app,) = served.apps()
        # the socket stays open, never read: the server's pings go unanswered
        assert wait_until(lambda: not alive(app), GONE_TIMEOUT_S), "the app outlived its client"
    finally:
        sock.close()
    assert served.proc.poll() is None


def _idle(pid: int) -> bool:
    """Under 10% of a core over one second."""
    before = cpu_seconds(pid)
    time.sleep(1.0)
    return cpu_seconds(pid) - before < 0.1


def test_an_app_ends_with_its_browser_killed_mid_session(served: Served, chromium: str) -> None:
    """Headless chromium (no node, no playwright) killed with SIGKILL: no close frame,
    the kernel just drops the connection."""
    with tempfile.TemporaryDirectory(prefix="pmipviz-chromium-") as profile:
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", served.url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            assert wait_until(lambda: len(served.apps()) == 1, TIMEOUT_S), served.log()[-2000:]
            (app,) = served.apps()
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait(timeout=TIMEOUT_S)
            assert wait_until(lambda: not alive(app)), "the app outlived its browser"
        finally:
            stop(browser, group=True)
    assert wait_until(lambda: _idle(served.proc.pid), GONE_TIMEOUT_S, every=0)
    assert served.apps() == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_server_ends_every_app(tmp_path: Path, clients: Clients,
                                            sig: signal.Signals) -> None:
    server = start_server(tmp_path)
    try:
        # an oversized terminal outlived SIGINT by 20-45 s
        query = "width=20000&height=20000" if sig == signal.SIGINT else "width=80&height=24"
        clients.open(f"{server.url}ws?{query}", server.origin)
        assert wait_until(lambda: len(server.apps()) == 1, TIMEOUT_S), server.log()[-2000:]
        everything = [server.proc.pid, *descendants(server.proc.pid)]
        if sig == signal.SIGTERM:  # an app that cannot quit (too busy, hung): SIGKILL it is
            os.kill(server.apps()[0], signal.SIGSTOP)
        os.kill(server.proc.pid, sig)  # the server alone, not its group
        returncode = server.proc.wait(timeout=TIMEOUT_S)
        assert returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 0), server.log()
        assert wait_until(lambda: not any(alive(pid) for pid in everything)), \
            [pid for pid in everything if alive(pid)]
    finally:
        server.close()
