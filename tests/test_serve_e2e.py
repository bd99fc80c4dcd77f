"""``pmipviz serve`` end to end in a real headless browser (Debian chromium driven by
playwright-core, tests/js/serve_e2e.mjs): the app draws, ``n`` steps it, and closing
the tab ends the app's process."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from browser_util import JS_DIR, NODE, require_browser

APP_ARGV_TAIL = ["-m", "pmipviz", "figure1"]
TIMEOUT_S = 45.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in time")


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


def app_processes(server_pid: int) -> list[int]:
    """The descendants of the server that run ``python -m pmipviz figure1``."""
    tree, found, todo = _children(), [], [server_pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            todo.append(child)
            if _cmdline(child)[1:] == APP_ARGV_TAIL:
                found.append(child)
    return found


class _Lines:
    """The JSON lines a helper prints, read by a thread so waits can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)
        self.queue.put(None)

    def expect(self, stage: str, deadline: float) -> dict[str, Any]:
        while True:
            try:
                line = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {stage!r} from the browser in time") from None
            if line is None:
                raise AssertionError(f"the browser helper ended before {stage!r}")
            msg: dict[str, Any] = json.loads(line)
            if msg["stage"] == "error":
                raise AssertionError(f"browser: {msg['error']}\n{msg.get('screen', '')}")
            if msg["stage"] == stage:
                return msg


def _wait_until(predicate: Any, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def _stop(proc: subprocess.Popen[Any] | None, group: bool = False) -> None:
    if proc is None or proc.poll() is not None:
        return
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(timeout=10)


def test_the_app_runs_in_a_browser_tab_and_ends_with_it(tmp_path: Path) -> None:
    require_browser()
    assert NODE is not None
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + TIMEOUT_S
    log = (tmp_path / "server.log").open("wb")
    server: subprocess.Popen[bytes] | None = None
    browser: subprocess.Popen[str] | None = None
    try:
        server = subprocess.Popen([sys.executable, "-m", "pmipviz", "serve", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_http(url, server, deadline)
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert app_processes(server.pid) == []  # no tab, no app
        browser = subprocess.Popen([NODE, str(JS_DIR / "serve_e2e.mjs"), url], cwd=JS_DIR,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert browser.stdin is not None and browser.stdout is not None
        lines = _Lines(browser.stdout)
        drawn = lines.expect("drawn", deadline)["screen"]
        assert "LMA" in drawn and "event 0/" in drawn and "Figure 1" in drawn
        apps = app_processes(server.pid)
        assert len(apps) == 1, apps  # one app process for the one tab
        stepped = lines.expect("stepped", deadline)["screen"]
        assert "event 1/" in stepped
        assert app_processes(server.pid) == apps
        browser.stdin.write("close\n")
        browser.stdin.flush()
        lines.expect("closed", deadline)
        assert _wait_until(lambda: not app_processes(server.pid), deadline), \
            "the app process outlived its tab"
        assert server.poll() is None  # the server keeps serving
        browser.stdin.write("quit\n")
        browser.stdin.flush()
        assert browser.wait(timeout=max(1.0, deadline - time.monotonic())) == 0
    except AssertionError:
        log.flush()
        print((tmp_path / "server.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        _stop(browser)
        _stop(server, group=True)
        log.close()
