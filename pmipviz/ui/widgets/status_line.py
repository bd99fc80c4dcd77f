"""The header line: scenario title, mode, lesson score, simulated time,
``event N/M``, play state and speed."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from pmipviz.ui.palette import styles

MODE_LABELS = {"ft": "FT (draft)", "rfc5213": "RFC 5213"}


MODE_SHORT = {"ft": "FT", "rfc5213": "RFC 5213"}
LEVELS = 6  # how far ``_tail`` shortens


def _tail(mode: str, t_ms: float, cursor: int, total: int, complete: bool, playing: bool,
          speed: float, lesson: str | None, level: int) -> Text:
    """Everything after the title, shorter at each ``level`` (0-6): the speed goes
    first, then the word "mode", the "(draft)", the play state's word, then "event"
    becomes "ev"; the time and the counter always stay."""
    p = styles()
    tail = Text(no_wrap=True)
    if level < 3:
        tail.append("· mode " if level < 2 else "· ", style=p.muted)
        tail.append(MODE_LABELS.get(mode, mode),
                    style=p.good if mode == "ft" else p.rfc)
    else:
        tail.append("· ", style=p.muted)
        tail.append(MODE_SHORT.get(mode, mode),
                    style=p.good if mode == "ft" else p.rfc)
    if lesson is not None:
        tail.append(" · ", style=p.muted)
        tail.append(f"lesson {lesson}", style=p.badge)
    tail.append(f" · t={t_ms:.1f} ms · ", style=p.muted)
    tail.append(f"{'event' if level < 6 else 'ev'} {cursor}/{total}{'' if complete else '+'}",
                style="bold")
    tail.append(" · ", style=p.muted)
    if complete and cursor >= total and not playing:
        tail.append("■ end of run" if level < 5 else "■ end", style=p.end)
    elif level < 4:
        tail.append("▶ playing" if playing else "❚❚ paused",
                    style=p.good if playing else p.caution + Style(bold=True))
    else:
        tail.append("▶" if playing else "❚❚",
                    style=p.good if playing else p.caution + Style(bold=True))
    if level < 1:
        tail.append(f" · {speed:g} ev/s", style=p.muted)
    return tail


def status_text(title: str, mode: str, t_ms: float, cursor: int, total: int, complete: bool,
                playing: bool, speed: float, width: int = 200,
                lesson: str | None = None) -> Text:
    """The one-line status. The title stays whole if it can: the rest is shortened
    first (``_tail``), the title cut only when even the shortest rest leaves no room.
    ``lesson`` is the score (``2/5``) while lesson mode is on."""
    tag = " pmipviz "
    # the app's tag goes first, then the rest is shortened level by level
    for with_tag, level in [(True, 0), *((False, n) for n in range(LEVELS + 1))]:
        tail = _tail(mode, t_ms, cursor, total, complete, playing, speed, lesson, level)
        if len(tag) * with_tag + len(title) + 4 + len(tail) <= width:
            break
    # else: no room for the whole title: the shortest rest, and as much title as fits
    text = Text(no_wrap=True, overflow="ellipsis")
    room = width - len(tail) - 2
    if with_tag:
        text.append(tag, style=styles().tag)
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
