"""The command palette, guarded against crashes of Textual 8.2.8's palette when
keys arrive in bursts (a terminal read, a fast typist, a paste). Textual is pinned,
so these are targeted workarounds, each with its upstream cause:

1. ``pageup``/``pagedown`` before the list is laid out: ``OptionList._update_lines``
   returns early while the list has no height (Textualize/textual#5794) and the
   palette's list has none until the next layout after its first results;
   ``OptionList._move_page`` then reads ``_index_to_line[highlighted]`` unguarded
   and raises ``KeyError`` (``ctrl+p`` then ``pagedown`` in one burst; the same
   crash is reported against ``Select`` in kagan-sh/kagan-legacy#31). Such a page
   key is dropped: the list is not on screen yet, there is no page to move by.
2. Messages handled after the palette closed or was covered: ``enter enter``
   selects twice before the first selection is handled, and each handling calls
   ``dismiss()``, which pops whatever screen is on top (textual#2575: dismiss does
   not check that its screen is the top one) — the second pops the screen under
   the palette or the palette the command opened ("Select MN"), or raises
   ``ScreenStackError`` — and runs the command twice (a palette popped while its
   search runs also ended in ``NoMatches`` in the mashing). A selection reaching
   a palette that is no longer the active screen is dropped.
3. A second ``ctrl+p`` while a palette is open below another screen (the play
   timer asks a lesson question over it): Textual checks only the top screen and
   pushed a second palette with the same id (``DuplicateIds``).
4. A palette opened after the app began to exit (``q`` then ``ctrl+p`` in one
   burst), or searching while it exits: the search worker queried a list already
   removed by the shutdown (``NoMatches``, a traceback instead of a clean quit).
   No palette opens once the app is exiting, and exiting stops their searches.
5. A palette dismissed while its search worker runs (text typed, then ``escape`` or
   a selection, in one burst): the worker goes on for a moment after the palette's
   widgets are removed, and its next batch of results or its "busy" flag queried
   them (``NoMatches`` from ``_watch__list_visible``/``_watch__show_busy``; the
   palette batches results by wall time, so only on a loaded machine). Results
   and flags for a palette whose widgets are gone are dropped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from textual.app import App
from textual.command import CommandList, CommandListItem, CommandPalette, SimpleProvider
from textual.message import Message
from textual.theme import ThemeProvider
from textual.widget import AwaitMount
from textual.widgets import Button, Input, OptionList

PAGE_ACTIONS = frozenset({"page_up", "page_down"})
# what runs a command and dismisses the palette
SELECTIONS = (Input.Submitted, OptionList.OptionSelected, Button.Pressed)


def laid_out(commands: CommandList) -> bool:
    """Whether the highlighted command has a line yet (always true with none)."""
    highlighted = commands.highlighted
    return highlighted is None or highlighted in commands._index_to_line


class GuardedCommandPalette(CommandPalette):
    """Textual's palette, minus the crashes of bursts of keys (module docstring)."""

    def _action_command_list(self, action: str) -> None:
        if action in PAGE_ACTIONS and not laid_out(self.query_one(CommandList)):
            return  # textual#5794: no lines yet, _move_page would raise KeyError
        super()._action_command_list(action)

    def widgets_present(self) -> bool:
        """Whether the palette's list, input and busy indicator are still mounted."""
        return all(len(self.query(selector)) > 0
                   for selector in ("CommandList", "#--input", "LoadingIndicator"))

    def _refresh_command_list(self, command_list: CommandList, commands: list[Any],
                              clear_current: bool) -> None:
        if not command_list.is_attached:
            return  # guard 5: the palette closed while its search ran
        super()._refresh_command_list(command_list, commands, clear_current)

    def _watch__list_visible(self) -> None:
        if self.widgets_present():
            super()._watch__list_visible()  # else guard 5: the widgets are gone

    async def _watch__show_busy(self) -> None:
        if self.widgets_present():
            await super()._watch__show_busy()  # else guard 5

    def _start_no_matches_countdown(self, search_value: str) -> None:
        if self.widgets_present():
            super()._start_no_matches_countdown(search_value)  # else guard 5

    def stale(self, message: Message) -> bool:
        """A selection for a palette no longer on top (guard 2)."""
        return isinstance(message, SELECTIONS) and not self.is_active

    async def _on_message(self, message: Message) -> None:
        if self.stale(message):
            return
        await super()._on_message(message)


class PaletteApp(App[None]):
    """An App whose every palette (ctrl+p, ``search_commands``, the theme picker)
    is a :class:`GuardedCommandPalette`, and none opens once the app is exiting."""

    exiting = False

    def exit(self, result: None = None, return_code: int = 0,
             message: RenderableType | None = None) -> None:
        """Exit; stop the palettes' searches first (guard 4 of the module docstring)."""
        self.exiting = True
        for screen in self.screen_stack:
            if isinstance(screen, CommandPalette):
                screen._cancel_gather_commands()
        super().exit(result, return_code, message)

    def open_palette(self, palette: GuardedCommandPalette) -> AwaitMount | None:
        """Push ``palette`` unless the app is exiting."""
        if self.exiting:
            return None
        return self.push_screen(palette)

    def action_command_palette(self) -> None:
        """Open the palette, unless one is open already, on top or below another
        screen (guard 3 of the module docstring)."""
        if self.use_command_palette and not any(isinstance(screen, CommandPalette)
                                                for screen in self.screen_stack):
            self.open_palette(GuardedCommandPalette(id="--command-palette"))

    def search_commands(self, commands: Sequence[CommandListItem],
                        placeholder: str = "Search for commands…") -> AwaitMount:
        # a provider instance where Textual's types say a class, as App.search_commands
        provider: Any = SimpleProvider(self.screen, list(commands))
        palette = GuardedCommandPalette(providers=[provider], placeholder=placeholder)
        return self.open_palette(palette) or AwaitMount(self.screen, [])

    def search_themes(self) -> None:
        self.open_palette(GuardedCommandPalette(providers=[ThemeProvider],
                                                placeholder="Search for themes…"))
