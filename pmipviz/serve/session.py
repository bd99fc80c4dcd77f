"""One browser tab's app process, owned for its whole life (textual-serve 1.1.3's
``AppService``, with the process handling replaced).

textual-serve starts each app with ``create_subprocess_shell`` in the server's own
process group and, when the tab goes, asks it to quit and waits for its stdout to end.
An app that does not quit (stdout no longer read, a busy loop) then runs forever, and
survives the server. Here each app runs without a shell in a process group of its own;
ending a session asks it to quit, then signals the group: SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from textual_serve.app_service import AppService

from pmipviz.serve.limits import clamp_size

PARENT_ENV = "PMIPVIZ_SERVE_PARENT"
"""Set for the app: the server's pid (the app dies with it, see pmipviz.serve.child)."""

GRACE_S = 2.0
"""How long an app gets to quit after the quit message, then after SIGTERM."""


def _ignore_gone_client(send: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    """``send`` that drops what a closed websocket cannot take, so the app's output is
    still read (and the app never blocks on a full pipe) while it quits."""

    async def safe(data: Any) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await send(data)

    return safe


class Session(AppService):
    """The app process of one websocket (targets textual-serve 1.1.3)."""

    def __init__(self, argv: Sequence[str], *, write_bytes: Callable[[bytes], Awaitable[None]],
                 write_str: Callable[[str], Awaitable[None]],
                 close: Callable[[], Awaitable[object]], **kwargs: Any) -> None:
        async def close_client() -> None:
            await close()

        super().__init__(shlex.join(argv), write_bytes=_ignore_gone_client(write_bytes),
                         write_str=_ignore_gone_client(write_str), close=close_client, **kwargs)
        self.argv = list(argv)
        self._ending: asyncio.Task[None] | None = None

    async def _open_app_process(self, width: int = 80,
                                height: int = 24) -> asyncio.subprocess.Process:
        """Start the app without a shell, as the leader of a new session/process group."""
        width, height = clamp_size(width, height)
        environment = self._build_environment(width=width, height=height)
        environment[PARENT_ENV] = str(os.getpid())
        pipe = asyncio.subprocess.PIPE
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=pipe, stdout=pipe, stderr=pipe, env=environment,
            start_new_session=True)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def set_terminal_size(self, width: int, height: int) -> None:
        """Resizes from the browser are clamped like the first size."""
        await super().set_terminal_size(*clamp_size(width, height))

    async def stop(self) -> None:
        """End the app (idempotent, safe to call concurrently): ask it to quit, give it
        ``GRACE_S``, then SIGTERM its process group, ``GRACE_S`` again, then SIGKILL."""
        if self._ending is None:
            self._ending = asyncio.create_task(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        process = self._process
        if self._task is not None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            await self.send_meta({"type": "quit"})
        if process is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), GRACE_S)
                if process.returncode is not None:
                    break
                # the leader is not reaped yet, so its group id cannot have been reused
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            await process.wait()
        if self._task is not None:  # reads the app's output to its end, then returns
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), GRACE_S)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

