"""Every feature can be found (issue 11, "Done when"): each key binding of the app and
each of its command palette entries is in the help screen; an entry the palette alone
offers is named, by its palette title, in the help's ctrl+p line; the features issue 11
added are in the footer or the palette."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.pilot import Pilot

from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.screens.help import KEYS
from tests.ui.pilot_app import PilotApp, footer_text
from tests.ui.test_lesson import dereg_question, letter, open_question

# how the help writes a key the bindings name
KEY_NAMES = {"right": "→", "left": "←", "question_mark": "?", "plus": "+", "minus": "-",
             "equals_sign": "+", "right_square_bracket": "]", "left_square_bracket": "[",
             "enter": "enter", "space": "space", "less_than_sign": "<",
             "greater_than_sign": ">"}


def help_keys() -> set[str]:
    """The keys in the help's first column, one by one ("s / S" -> s, S; "1-9" -> 1..9)."""
    keys: set[str] = set()
    for column, _ in KEYS:
        for key in re.split(r" / | or |, ", column):
            if re.fullmatch(r"\d-\d", key):
                keys |= {str(k) for k in range(int(key[0]), int(key[2]) + 1)}
            else:
                keys.add(key)
    return keys


def palette_line() -> str:
    return dict(KEYS)["ctrl+p"]


def own_commands(app: PmipvizApp) -> dict[str, str]:
    """The app's palette entries (title -> help), without Textual's own."""
    textual = {c.title for c in App.get_system_commands(app, app.screen)}
    return {c.title: c.help for c in app.get_system_commands(app.screen)
            if c.title not in textual}


def test_every_key_binding_is_in_the_help() -> None:
    keys = help_keys()
    for binding in PmipvizApp.BINDINGS:
        for key in binding.key.split(","):  # type: ignore[union-attr]
            assert KEY_NAMES.get(key, key) in keys, (key, binding)


@pytest.mark.app("figure1", lesson=True)
async def test_every_palette_entry_is_in_the_help(app: PilotApp, pilot: Pilot) -> None:
    q = dereg_question(app)  # one answer, so that "Save lesson results" is offered
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer), "enter")
    await pilot.pause()
    commands = own_commands(app)
    assert "Save lesson results" in commands
    keys, line = help_keys(), palette_line()
    for title, what in commands.items():
        key = re.match(r"(.+?)(?: or (\S+))?: ", what)
        if key is None:  # the palette's alone: named in the help's ctrl+p line
            assert title in line, (title, line)
        else:
            assert {k for k in key.groups() if k} <= keys, (title, what)


async def test_the_features_of_issue_11_are_in_the_footer_or_the_palette(
        app: PilotApp, pilot: Pilot) -> None:
    footer = await footer_text(pilot)
    titles = set(own_commands(app))
    for title in ("Event list", "Go to a time", "Next fault", "Previous fault",
                  "Next milestone", "Previous milestone", "Open scenario file", "Inspect",
                  "Export screenshot", "Delivery plot"):
        assert title in titles, title
    assert "s milestone" in footer and "⏎ inspect" in footer


async def test_every_key_binding_has_a_palette_entry(app: PilotApp) -> None:
    """What a key does, the palette does too: ``[`` / ``]`` as "Select MN", ``q`` as
    Textual's "Quit"."""
    done = {getattr(getattr(c.callback, "func", c.callback), "__name__", "")
            for c in app.get_system_commands(app.screen)}
    elsewhere = {"next_mn", "prev_mn", "quit_main", "quit"}
    for binding in PmipvizApp.BINDINGS:
        action = binding.action.split("(")[0]  # type: ignore[union-attr]
        assert action in elsewhere or f"action_{action}" in done, binding
    assert "_pick_mn" in done
