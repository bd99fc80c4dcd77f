"""Best-effort line numbers for key paths such as ``mn[0].interfaces[1].att``.

tomllib reports no positions, so this module scans the TOML text itself: it
blanks out strings and comments, follows table headers (counting ``[[array]]``
instances) and looks for ``key =`` in the right table instance; for an index
into an inline array it finds the line where that element starts. When the
key itself is not found it falls back to the table's header line, and gives
None only when nothing fits. It never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Part = tuple[str, int | None]  # ("mag", 1) for mag[1], ("title", None) for title

_PART_RE = re.compile(r"(.*?)\[(\d+)\]")


@dataclass
class _Line:
    number: int  # 1-based
    raw: str  # the line as written
    code: str  # the line with string contents and comments blanked out
    value_start: bool  # not inside a multi-line string or an open array/table


@dataclass
class _Section:
    path: tuple[Part, ...]
    header: int | None  # line of the [header], None for the root table
    lines: list[_Line] = field(default_factory=list)


def locate_line(text: str, key: str) -> int | None:
    """The 1-based line of ``key`` (a dotted path with [i] indices) in ``text``."""
    try:
        return _locate(text, parse_path(key))
    except Exception:  # a locator bug must never hide the real error
        return None


def parse_path(key: str) -> list[Part]:
    """Split ``"mn[0].interfaces[1].att"`` into ``[("mn", 0), ("interfaces", 1), ("att", None)]``.

    Unknown keys quoted in the file may contain dots; they split here too (best effort).
    """
    parts: list[Part] = []
    for piece in key.split("."):
        match = _PART_RE.fullmatch(piece)
        if match:
            parts.append((match.group(1), int(match.group(2))))
        elif piece:
            parts.append((piece, None))
    return parts


def _locate(text: str, parts: list[Part]) -> int | None:
    if not parts:
        return None
    sections = _sections(text)
    candidates = [s for s in sections if _is_prefix(s.path, parts)]
    candidates.sort(key=lambda s: -len(s.path))  # stable: file order among equals
    for section in candidates:
        rest = parts[len(section.path) :]
        if not rest:
            if section.header is not None:
                return section.header
            continue
        found = _find_key(section.lines, rest)
        if found is not None:
            return found
    for section in candidates:
        if section.header is not None:
            return section.header
    return None


def _is_prefix(path: tuple[Part, ...], parts: list[Part]) -> bool:
    if len(path) > len(parts):
        return False
    for (name, index), (want_name, want_index) in zip(path, parts, strict=False):
        if name != want_name or (want_index is not None and index != want_index):
            return False
    return True


def _sections(text: str) -> list[_Section]:
    """Split the text into tables, each with its resolved path."""
    root = _Section(path=(), header=None)
    sections = [root]
    current = root
    counts: dict[tuple[tuple[Part, ...], str], int] = {}
    in_string: str | None = None
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        at_start = in_string is None and depth == 0
        code, in_string, new_depth = _blank(raw, in_string, depth)
        stripped = code.strip()
        if at_start and stripped.startswith("[") and stripped.endswith("]"):
            is_array = stripped.startswith("[[") and stripped.endswith("]]")
            start = code.index("[") + (2 if is_array else 1)
            end = code.rindex("]") - (1 if is_array else 0)
            names = _split_key(raw[start:end])
            current = _Section(path=_resolve(names, is_array, counts), header=number)
            sections.append(current)
            depth = 0
            continue
        depth = new_depth
        current.lines.append(_Line(number, raw, code, at_start))
    return sections


def _resolve(
    names: list[str], is_array: bool, counts: dict[tuple[tuple[Part, ...], str], int]
) -> tuple[Part, ...]:
    """Turn a header's dotted names into a path with array indices."""
    path: tuple[Part, ...] = ()
    for i, name in enumerate(names):
        slot = (path, name)
        if is_array and i == len(names) - 1:
            index = counts.get(slot, 0)
            counts[slot] = index + 1
            path += ((name, index),)
        elif slot in counts:
            path += ((name, counts[slot] - 1),)
        else:
            path += ((name, None),)
    return path


def _split_key(key: str) -> list[str]:
    """``'a . "b" '`` -> ``["a", "b"]`` (quoted dots are not handled)."""
    return [p.strip().strip("\"'") for p in key.split(".")]


def _blank(line: str, in_string: str | None, depth: int) -> tuple[str, str | None, int]:
    """Blank string contents (keeping quotes) and comments; track brackets.

    ``in_string`` is the open multi-line string delimiter carried over lines.
    """
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if in_string is not None:
            if line.startswith(in_string, i):
                out.append(in_string)
                i += 3
                in_string = None
            else:
                skip = 2 if ch == "\\" and in_string == '"""' else 1
                out.append("_" * len(line[i : i + skip]))
                i += skip
            continue
        if ch == "#":
            out.append(" " * (n - i))
            break
        if ch in "\"'":
            if line.startswith(ch * 3, i):
                in_string = ch * 3
                out.append(in_string)
                i += 3
                continue
            j = i + 1
            while j < n and line[j] != ch:
                j += 2 if ch == '"' and line[j] == "\\" else 1
            j = min(j, n - 1)
            out.append(ch + "_" * (j - i - 1) + line[j] if j > i else ch)
            i = j + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(depth - 1, 0)
        out.append(ch)
        i += 1
    return "".join(out), in_string, depth


def _find_key(lines: list[_Line], rest: list[Part]) -> int | None:
    """The line of ``rest`` (a path relative to the table) among ``lines``."""
    names = [name for name, _ in rest]
    for pos, line in enumerate(lines):
        if not line.value_start or "=" not in line.code:
            continue
        eq = line.code.index("=")
        lhs = _split_key(line.raw[:eq])
        common = min(len(lhs), len(names))
        if common == 0 or lhs[:common] != names[:common]:
            continue
        index = rest[common - 1][1]
        if index is None or common < len(lhs):
            return line.number
        element = _find_element(lines[pos:], eq + 1, index)
        return element if element is not None else line.number
    return None


def _find_element(lines: list[_Line], column: int, index: int) -> int | None:
    """The line where element ``index`` of the array value starting at ``column`` starts."""
    depth = 0
    count = -1
    expecting = False
    for k, line in enumerate(lines):
        for ch in line.code[column if k == 0 else 0 :]:
            if depth == 1 and expecting and ch not in " \t,]":
                count += 1
                expecting = False
                if count == index:
                    return line.number
            if ch in "[{":
                depth += 1
                expecting = expecting or (depth == 1 and ch == "[")
            elif ch in "]}":
                depth -= 1
                if depth <= 0:
                    return None
            elif ch == "," and depth == 1:
                expecting = True
    return None
