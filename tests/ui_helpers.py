"""Shared by the UI pilot tests: the terminal size, a sync wrapper for async test
bodies (no async pytest plugin needed) and the header text."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.widgets.status_line import StatusLine

SIZE = (120, 40)


def sync(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test body with asyncio.run (its parameters stay visible to
    pytest, for fixtures and parametrize)."""
    @functools.wraps(fn)
    def test(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return test


def header(app: PmipvizApp) -> str:
    """The header line as plain text."""
    return app.query_one(StatusLine).plain
