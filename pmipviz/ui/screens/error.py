"""A scenario that could not be opened: the same one-line message the CLI prints."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ErrorScreen(ModalScreen[None]):
    """The message, and what is still on screen; esc, enter or q closes it."""

    DEFAULT_CSS = """
    ErrorScreen { align: center middle; background: $background 60%; }
    #error-box { width: 90; max-width: 100%; height: auto; max-height: 100%;
                 border: round $error; background: $surface; padding: 0 1; }
    #error-message { color: $error; text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "close", priority=True),
    ]

    def __init__(self, title: str, message: str, still: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.still = still

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "esc to close"
            yield Static(self.message, id="error-message", markup=False)
            yield Static(self.still, id="error-still", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
