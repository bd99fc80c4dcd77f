"""The header line: scenario title, mode, lesson score, simulated time,
``event N/M``, play state and speed."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

MODE_LABELS = {"ft": "FT (draft)", "rfc5213": "RFC 5213"}


def status_text(title: str, mode: str, t_ms: float, cursor: int, total: int, complete: bool,
                playing: bool, speed: float, width: int = 200,
                lesson: str | None = None) -> Text:
    """The one-line status; the title is shortened first when ``width`` is tight.
    ``lesson`` is the score (``2/5``) while lesson mode is on."""
    tail = Text(no_wrap=True)
    tail.append("· mode ", style="#8a8a8a")
    tail.append(MODE_LABELS.get(mode, mode),
                style="bold #5fd75f" if mode == "ft" else "bold #ff8700")
    if lesson is not None:
        tail.append(" · ", style="#8a8a8a")
        tail.append(f"lesson {lesson}", style="bold #000000 on #ffaf00")
    tail.append(f" · t={t_ms:.1f} ms · ", style="#8a8a8a")
    tail.append(f"event {cursor}/{total}{'' if complete else '+'}", style="bold")
    tail.append(" · ", style="#8a8a8a")
    if complete and cursor >= total and not playing:
        tail.append("■ end of run", style="bold #ff8787")
    else:
        tail.append("▶ playing" if playing else "❚❚ paused",
                    style="bold #5fd75f" if playing else "bold #ffd75f")
    tail.append(f" · {speed:g} ev/s", style="#8a8a8a")
    text = Text(no_wrap=True, overflow="ellipsis")
    tag = " pmipviz "
    room = width - len(tail) - 2
    if room >= len(tag) + 12:
        text.append(tag, style="bold #000000 on #5fafd7")
        room -= len(tag)
    if room >= 6:
        short = title if len(title) + 2 <= room else title[: room - 3] + "…"
        text.append(f" {short} ", style="bold")
    text.append(tail)
    return text


class StatusLine(Widget):
    """A one-line header redrawn without layout. It keeps how to build its text for a
    width, so that it re-lays itself out when its own size changes (a terminal
    resize), not only on the next update."""

    DEFAULT_CSS = """
    StatusLine { height: 1; dock: top; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._make: Callable[[int], Text] | None = None

    def show(self, make: Callable[[int], Text]) -> None:
        """Show ``make(width)``, now and again after every resize."""
        self._make = make
        self._rebuild()

    def set(self, text: Text) -> None:
        """Show a fixed text (whatever the width)."""
        self.show(lambda _width: text)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _rebuild(self) -> None:
        if self._make is None:
            return
        text = self._make(self._width())
        if text.plain != self._text.plain or text.spans != self._text.spans:
            self._text = text
            self.refresh()

    def on_resize(self) -> None:
        self._rebuild()

    @property
    def plain(self) -> str:
        return self._text.plain

    def render(self) -> Text:
        return self._text
