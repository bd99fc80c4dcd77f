"""textual-serve 1.1.3's ``Server`` with the guards a classroom network needs.

Overridden (for textual-serve 1.1.3; re-check on upgrade):

* ``handle_websocket``: refuses a foreign ``Origin`` (403) and a session over the cap
  (503) before any process starts, clamps the terminal size, pings every
  ``HEARTBEAT_S`` so a vanished client is noticed, and ends the app with
  :class:`~pmipviz.serve.session.Session` (process group, SIGTERM then SIGKILL);
* ``handle_index``: a plain "server full" page (503) when every session is taken;
* ``on_shutdown``: ends every app before the server exits;
* the page template (``templates/app_index.html``): no font from another host.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import shlex
from collections.abc import Sequence
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

from pmipviz.serve.downloads import PatientDownloadManager
from pmipviz.serve.limits import allowed_origins, clamp_size, origin_of
from pmipviz.serve.session import Session

log = logging.getLogger("textual-serve")

HEARTBEAT_S = 5.0
"""Websocket ping interval: a client that stops answering (network gone) is dropped
after about 1.5 times this."""

TEMPLATES = Path(__file__).resolve().parent / "templates"


class GuardedServer(Server):
    """Serves ``argv`` per browser tab, at most ``max_sessions`` at once, to pages
    of the served origins only."""

    def __init__(self, argv: Sequence[str], *, host: str, port: int, title: str,
                 public_url: str, max_sessions: int) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title=title,
                         public_url=public_url, templates_path=TEMPLATES)
        self.argv = list(argv)
        self.download_manager = PatientDownloadManager()  # before any app service exists
        self.max_sessions = max_sessions
        self.origins = allowed_origins(host, port, public_url)
        self.sessions: dict[Session, web.WebSocketResponse] = {}

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def _full_text(self) -> str:
        return (f"pmipviz: all {self.max_sessions} sessions are in use: close another tab "
                "or try again later")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The app's page, or a "server full" page when no session is free."""
        if self.full:
            text = html.escape(self._full_text())
            return web.Response(status=503, content_type="text/html", headers={"Retry-After": "30"},
                                text=f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
                                     f"<title>pmipviz: server full</title></head><body>"
                                     f"<p>{text}</p></body></html>\n")
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Also tell the template what it shows when a session is refused."""
        aiohttp_jinja2.get_env(app).globals.update(max_sessions=self.max_sessions,
                                                   public_url=self.public_url)
        await super().on_startup(app)
        self.console.print(f"At most {self.max_sessions} sessions; pages from "
                           f"{', '.join(sorted(self.origins))}")

    def refusal(self, request: web.Request) -> web.Response | None:
        """Why this websocket may not start an app (403, 503), or None."""
        origin = request.headers.get("Origin", "")
        if origin_of(origin) not in self.origins:
            log.warning("refused a session from origin %r", origin)
            return web.Response(status=403, text=f"pmipviz: pages from {origin or 'nowhere'!r} "
                                                 f"may not start an app: open {self.public_url}\n")
        if self.full:
            log.warning("refused a session: all %d in use", self.max_sessions)
            return web.Response(status=503, text=self._full_text() + "\n",
                                headers={"Retry-After": "30"})
        return None

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """Start one app for this websocket, unless refused; end it with the socket."""
        refused = self.refusal(request)
        if refused is not None:
            return refused
        width, height = clamp_size(request.query.get("width"), request.query.get("height"))
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
        session = Session(self.argv, write_bytes=websocket.send_bytes,
                          write_str=websocket.send_str, close=websocket.close,
                          download_manager=self.download_manager, debug=self.debug)
        self.sessions[session] = websocket  # the slot is taken before the first await
        try:
            await websocket.prepare(request)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except Exception as error:  # a bad message from the browser ends its own session
            log.warning("session ended: %r", error)
        finally:  # the app first: closing a socket whose peer is silent can take a while
            await session.stop()
            del self.sessions[session]
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """End every app (and close every websocket) before the server exits."""
        sessions = list(self.sessions.items())
        await asyncio.gather(*(session.stop() for session, _ws in sessions),
                             return_exceptions=True)
        for _session, websocket in sessions:
            with contextlib.suppress(Exception):
                await websocket.close()
