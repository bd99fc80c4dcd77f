"""Characters that must not come from a scenario file: terminal controls and the
invisible formatting characters that reorder or hide what is displayed.

Scenario text (names, ids, titles) is printed to terminals and drawn in the TUI, so
C0 and C1 controls and DEL (escape sequences, carriage returns), the Unicode
bidirectional controls (which can make ``MAG1`` display as something else) and the
line/paragraph separators are refused when a file is loaded; a description may hold
newlines and tabs.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_OTHERS = "\x7f-\x9f" + BIDI_CONTROLS + "\u2028\u2029"  # DEL, C1, bidi, separators
_UNSAFE_RE = re.compile(f"[\x00-\x1f{_OTHERS}]")
_UNSAFE_MULTILINE_RE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # \t and \n allowed


def first_unsafe(text: str, *, multiline: bool = False) -> int | None:
    """The index of the first character ``text`` must not hold, or None.
    ``multiline`` allows newline and tab."""
    match = (_UNSAFE_MULTILINE_RE if multiline else _UNSAFE_RE).search(text)
    return None if match is None else match.start()


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``, ``U+001B (a control character)``."""
    name = unicodedata.name(char, "") or "a control character"
    return f"U+{ord(char):04X} ({name})"


def printable(text: str) -> str:
    """``text`` with every unsafe character shown as an escape (``\\x1b``, ``\\u202e``),
    for messages that quote what a file holds."""
    return _UNSAFE_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
