"""Fixtures of the UI tests: one app, started for the test.

``app`` is the TUI on figure1 (FT), a ``PilotApp`` (see ``pilot_app.py``: no play
timer or toast depends on the wall clock). Mark a test to start it otherwise::

    @pytest.mark.app("bad-mag", mode="rfc5213", lesson=True, size=(80, 24))

(the arguments of ``PmipvizApp``, and ``size``, the terminal: 120x40 unless given).

An ``async def`` test that takes ``app`` runs with the app already started
(``App.run_test``) and settled (one ``pilot.pause()``); ``pilot`` drives it. The
coroutine is run by ``pytest_pyfunc_call`` below, so no async plugin is needed.

The snapshot tests (``snap_compare``, pytest-textual-snapshot) start their app
themselves; their SVGs are in ``__snapshots__/<test module>/``.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.pilot_app import SIZE, PilotApp


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "app(scenario='figure1', *, size=(120, 40), mode=None, lesson=False): "
        "how the UI tests' app fixture starts the TUI")


def _marked(node: pytest.Item) -> tuple[tuple[Any, ...], dict[str, Any]]:
    marker = node.get_closest_marker("app")
    return (marker.args, dict(marker.kwargs)) if marker else ((), {})


@pytest.fixture
def app(request: pytest.FixtureRequest) -> PilotApp:
    """The TUI under test (started by the runner below in an async test)."""
    args, kwargs = _marked(request.node)
    kwargs.pop("size", None)
    return PilotApp(*args, **kwargs)


@pytest.fixture
def pilot(app: PilotApp) -> Pilot[None]:
    """Presses keys, resizes and waits for the running ``app``."""
    return Pilot(app)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test; with ``app`` among its arguments, inside
    ``app.run_test`` at the marked size."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in inspect.signature(test).parameters}

    async def run() -> None:
        app = kwargs.get("app")
        if not isinstance(app, PilotApp):
            await test(**kwargs)
            return
        size = _marked(pyfuncitem)[1].get("size", SIZE)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await test(**kwargs)

    asyncio.run(run())
    return True
