"""The app the UI tests drive: ``PmipvizApp`` without the wall clock.

Two things in a running Textual app move with real time, and a loaded machine
moves them at a different point of a test than an idle one: the play timer and
the toasts (Textual forgets a toast when its timeout expires). ``PilotApp`` takes
both out of the clock's hands, through public Textual API only:

- the play timer is created paused and never started: ``tick()`` fires it, once,
  when the test says so;
- every toast raised is kept, in order, in ``toasts``.

This is a module, not part of ``conftest.py``, because tests subclass the app
(``test_mash.MashApp``) and name ``SIZE``, and a conftest is not for importing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.timer import Timer

from pmipviz.ui import app as app_module
from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.widgets.delivery_plot import DeliveryPlotView
from pmipviz.ui.widgets.footer import FittingFooter
from pmipviz.ui.widgets.status_line import StatusLine

SIZE = (120, 40)  # the terminal of every UI test unless it says otherwise


class PilotApp(PmipvizApp):
    """The TUI as a user sees it, with its play timer fired by the test and its
    toasts recorded."""

    # Textual reads a relative CSS_PATH next to the module of the class: ours is not
    CSS_PATH = Path(app_module.__file__).parent / PmipvizApp.CSS_PATH  # type: ignore[operator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.toasts: list[str] = []

    def set_interval(self, *args: Any, **kwargs: Any) -> Timer:
        """Every app-level timer (the play timer) starts paused and stays so."""
        kwargs["pause"] = True
        return super().set_interval(*args, **kwargs)

    def tick(self) -> None:
        """One tick of the play timer, as the timer would fire it while playing."""
        self._tick()

    def notify(self, message: str, **kwargs: Any) -> None:
        self.toasts.append(message)
        super().notify(message, **kwargs)

    @property
    def header(self) -> str:
        """The header (status) line as plain text."""
        return self.query_one(StatusLine).plain


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until the app is idle and its workers (the command palette's search) are
    done: a pause alone can return, on a loaded machine, before a worker has."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def footer_text(pilot: Pilot[Any]) -> str:
    """The footer's keys once it has some: Textual recomposes the footer when the
    bindings change, which on a loaded machine can still be under way after the first
    pause (its keys removed, the new ones not mounted). Waits a bounded number of
    turns of the event loop, not wall-clock time."""
    footer = pilot.app.query_one(FittingFooter)
    for _ in range(200):
        text = footer.shown_text
        if text:
            return text
        await pilot.pause()
    return footer.shown_text


def plot_of(app: PmipvizApp) -> DeliveryPlotView:
    """The app's delivery plot, which exists once ``d`` (or ``z``) has shown it."""
    view = app.plot_view
    assert view is not None
    return view
