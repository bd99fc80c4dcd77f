"""Real ``pmipviz serve`` processes for the serve tests: start one on a free loopback
port, find its app processes in /proc, open websockets (raw, or held open by an
aiohttp client in a thread), and stop everything with bounded waits."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp

CHILD_ARGV_TAIL = ["-m", "pmipviz.serve.child", "figure1"]
TIMEOUT_S = 45.0
GONE_TIMEOUT_S = 25.0  # generous: the heartbeat (5 s, ~7.5 s to notice) plus two grace periods


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float = GONE_TIMEOUT_S,
               every: float = 0.1) -> bool:
    """Poll ``predicate`` until true or ``timeout`` (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


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


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")[:-1]


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            todo.append(child)
            found.append(child)
    return found


def app_processes(server_pid: int) -> list[int]:
    """The server's descendants that run a tab's app."""
    return [p for p in descendants(server_pid) if cmdline(p)[1:] == CHILD_ARGV_TAIL]


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[Any] | None, group: bool = False) -> None:
    """SIGTERM (the group), then SIGKILL, with bounded waits."""
    if proc is None or proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class Served:
    """A running ``pmipviz serve`` (in its own session, its working directory ``cwd``)."""

    proc: subprocess.Popen[bytes]
    port: int
    cwd: Path
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def apps(self) -> list[int]:
        return app_processes(self.proc.pid)

    def close(self) -> None:
        stop(self.proc, group=True)
        self._log.close()


def start_server(cwd: Path, *args: str) -> Served:
    """``pmipviz serve figure1 --port FREE ARGS`` in ``cwd``; returns once it answers."""
    port = free_port()
    log_path = cwd / "server.log"
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "pmipviz", "serve", "figure1",
                             "--port", str(port), *args],
                            cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    served = Served(proc, port, cwd, log_path, log)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{served.log()}")
        try:
            with urllib.request.urlopen(served.url, timeout=2) as resp:
                if resp.status == 200:
                    return served
        except OSError:
            time.sleep(0.1)
    served.close()
    raise AssertionError(f"{served.url} did not answer in time:\n{served.log()}")


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET (error statuses included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def handshake(port: int, origin: str | None, query: str = "width=80&height=24",
              ) -> tuple[int, str, socket.socket]:
    """A raw websocket upgrade of ``/ws?QUERY``: the status, the response text and the
    open socket (the caller closes it; nothing is read from it afterwards)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET /ws?{query} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 101:  # read the (short) body of a refusal
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(rest) < length and (chunk := sock.recv(4096)):
            rest += chunk
    return status, rest.decode(errors="replace"), sock


CURSOR = re.compile(r"\x1b\[(\d+);(\d+)H")


def screen_extent(output: str) -> tuple[int, int]:
    """The largest (row, column) the app moved the cursor to in ``output``."""
    moves = [(int(r), int(c)) for r, c in CURSOR.findall(output)]
    return (max((r for r, _ in moves), default=0), max((c for _, c in moves), default=0))


class Clients:
    """Websockets held open by an aiohttp client on a thread of its own, which answers
    pings and keeps what each app draws."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.session: aiohttp.ClientSession | None = None
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.output: list[bytearray] = []
        self.drains: list[asyncio.Future[None]] = []

    def _run(self, coro: Any, timeout: float = TIMEOUT_S) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def open(self, url: str, origin: str) -> int:
        """Open a websocket; its index, or raise ``aiohttp.WSServerHandshakeError``."""
        return int(self._run(self._open(url, origin)))

    async def _open(self, url: str, origin: str) -> int:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        ws = await self.session.ws_connect(url, origin=origin)
        self.sockets.append(ws)
        self.output.append(bytearray())
        index = len(self.sockets) - 1
        self.drains.append(asyncio.ensure_future(self._drain(index)))
        return index

    async def _drain(self, index: int) -> None:
        async for msg in self.sockets[index]:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.output[index] += msg.data

    def text(self, index: int) -> str:
        return self._run(self._text(index))  # type: ignore[no-any-return]

    async def _text(self, index: int) -> str:
        return bytes(self.output[index]).decode(errors="replace")

    def send_json(self, index: int, data: Any) -> None:
        self._run(self.sockets[index].send_json(data))

    def close_one(self, index: int) -> None:
        self._run(self.sockets[index].close())

    def close(self) -> None:
        """Close every websocket and stop the thread (once)."""
        if not self.thread.is_alive():
            return

        async def close_all() -> None:
            for ws in self.sockets:
                await ws.close()
            if self.session is not None:
                await self.session.close()
        try:
            self._run(close_all(), timeout=20)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
