"""``pmipviz serve`` end to end in a real headless browser (Debian chromium driven by
playwright-core, tests/js/serve_e2e.mjs): the app draws, ``n`` steps it, "Export
screenshot" downloads the SVG (nothing written on the server), no request leaves
127.0.0.1, and closing the tab ends the app's process."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from .server import TIMEOUT_S, start_server, stop, wait_until


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


def _local_only(requested: list[str], port: int) -> None:
    """Every URL the browser asked for is this server's, on 127.0.0.1."""
    assert requested
    foreign = [url for url in requested
               if not url.startswith((f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/"))]
    assert foreign == [], foreign


def test_the_app_runs_in_a_browser_tab_and_ends_with_it(tmp_path: Path, node) -> None:
    deadline = time.monotonic() + 2 * TIMEOUT_S
    server = start_server(tmp_path)
    browser: subprocess.Popen[str] | None = None
    try:
        url, port = server.url, server.port
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        assert "googleapis" not in page and "RobotoMono-VariableFont" in page
        assert server.apps() == []  # no tab, no app
        browser = subprocess.Popen([*node.script("serve_e2e.mjs"), url], cwd=node.js_dir,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert browser.stdin is not None and browser.stdout is not None
        lines = _Lines(browser.stdout)
        drawn = lines.expect("drawn", deadline)
        assert "LMA" in drawn["screen"] and "event 0/" in drawn["screen"]
        assert "Figure 1" in drawn["screen"]
        _local_only(drawn["requested"], port)
        assert any("/static/fonts/RobotoMono" in u for u in drawn["requested"])  # used, local
        apps = server.apps()
        assert len(apps) == 1, apps  # one app process for the one tab
        stepped = lines.expect("stepped", deadline)["screen"]
        assert "event 1/" in stepped
        assert server.apps() == apps
        shot = lines.expect("screenshot", deadline)
        assert shot["disposition"] == "attachment; filename=pmipviz-figure1-ft-1.svg"
        assert shot["head"].lstrip().startswith("<svg")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["server.log"]  # nothing saved
        browser.stdin.write("close\n")
        browser.stdin.flush()
        _local_only(lines.expect("closed", deadline)["requested"], port)
        assert wait_until(lambda: not server.apps()), "the app process outlived its tab"
        assert server.proc.poll() is None  # the server keeps serving
        browser.stdin.write("quit\n")
        browser.stdin.flush()
        assert browser.wait(timeout=max(1.0, deadline - time.monotonic())) == 0
    except AssertionError:
        print(server.log()[-3000:])
        raise
    finally:
        stop(browser)
        server.close()
