"""``g``: ask for a simulated time and go there."""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def parse_time(text: str) -> float | None:
    """The time typed (``1000``, ``1020.5``, ``1000 ms``), or None when it is not one."""
    text = text.strip().removesuffix("ms").strip()
    try:
        t = float(text)
    except ValueError:
        return None
    return t if math.isfinite(t) and t >= 0 else None


class GotoScreen(ModalScreen[float | None]):
    """A one-line prompt: enter goes to the time typed, esc cancels."""

    DEFAULT_CSS = """
    GotoScreen { align: center middle; background: $background 60%; }
    #goto-box { width: 60; max-width: 100%; height: auto; border: round $accent;
                background: $surface; padding: 0 1; }
    #goto-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", priority=True),
    ]

    def __init__(self, now_ms: float, end_ms: float | None) -> None:
        super().__init__()
        self.now_ms = now_ms
        self.end_ms = end_ms

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box") as box:
            box.border_title = "Go to a time"
            box.border_subtitle = "enter go · esc cancel"
            until = f"0 to {self.end_ms:.1f} ms" if self.end_ms is not None else "from 0 ms"
            yield Static(f"Simulated time in ms ({until}; now {self.now_ms:.1f}):")
            yield Input(placeholder="e.g. 1000", id="goto-input")
            yield Static("", id="goto-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        t = parse_time(event.value)
        if t is None:
            self.query_one("#goto-error", Static).update(
                f"not a time: {event.value!r} (type a number of ms, e.g. 1000)")
            return
        self.dismiss(t)

    def action_cancel(self) -> None:
        self.dismiss(None)
