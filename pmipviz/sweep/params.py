"""``--vary PATH=VALUES``: which scenario keys a parameter sets, and to what values.

A path names a key of every item of a kind (``mag.detection_ms``, ``link.loss``), of
one item by name or index (``mag[MAG1].buffer_packets``, ``link[LMA-MAG1].loss``,
``fault[0].at_ms``, ``flow[0].rate_pps``), or of a single table (``scenario.duration_ms``,
``lma.lifetime_s``). Indexes count from 0, as in the scenario's error messages. Values
are a comma-separated list (``5,20,50``) or an inclusive range ``start:stop:step``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pmipviz.scenario.model import RFC5213_HANDOFFS
from pmipviz.sweep.errors import SweepError

# the keys a sweep may vary, by kind; names, addresses and references are not parameters
VARIABLE_KEYS: dict[str, tuple[str, ...]] = {
    "scenario": ("duration_ms", "processing_ms", "rfc5213_handoff"),
    "lma": ("lifetime_s",),
    "mag": ("access_delay_ms", "detection_ms", "buffer_packets", "clock_offset_ms",
            "authorized"),
    "link": ("delay_ms", "loss"),
    "flow": ("rate_pps", "start_ms", "stop_ms", "size_bytes"),
    "fault": ("at_ms",),
}
_SINGLE = ("scenario", "lma")  # one table each, no selector
_NAMED = {"mag": "name"}  # kinds whose items are selected by a name key too
_ELSEWHERE = {"seed": "--seeds", "mode": "--mode"}
# keys whose values are words, not numbers: the words they take (issue 10 item 7: a
# study compares the rfc5213 baseline with the HI=2 handoff, e.g. with --mode rfc5213)
WORD_KEYS: dict[str, tuple[str, ...]] = {"rfc5213_handoff": RFC5213_HANDOFFS}
MAX_VALUES = 10_000  # values of one parameter

_PATH_RE = re.compile(r"(?P<kind>[a-z_]+)(?:\[(?P<sel>[^\]]*)\])?\.(?P<key>[a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Target:
    """One key of one table of the scenario's TOML: ``(kind, index or None, key)``."""

    kind: str
    index: int | None
    key: str


@dataclass(frozen=True)
class Parameter:
    """One ``--vary``: its path as written, the keys it sets and its values."""

    path: str
    targets: tuple[Target, ...]
    values: tuple[Any, ...]


def parse_vary(text: str, data: dict[str, Any]) -> Parameter:
    """``PATH=VALUES`` resolved against the scenario's parsed TOML ``data``."""
    path, eq, values = text.partition("=")
    path = path.strip()
    if not eq or not path:
        raise SweepError(f"--vary {text!r}: expected PATH=VALUES, e.g. mag.detection_ms=5,20,50")
    targets = resolve(path, data)
    words = WORD_KEYS.get(targets[0].key)
    if words is not None:
        return Parameter(path, targets, parse_words(path, values, words))
    return Parameter(path, targets, parse_values(path, values))


def parse_words(path: str, text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """A comma-separated list of some of ``words`` (``none,hi2``), in the order given."""
    values = tuple(part.strip() for part in text.split(","))
    for v in values:
        if v not in words:
            raise SweepError(f"--vary {path}: {v!r} is not one of: {', '.join(words)}")
    if len(set(values)) != len(values):
        raise SweepError(f"--vary {path}: a value is listed twice in {text.strip()!r}")
    return values


def resolve(path: str, data: dict[str, Any]) -> tuple[Target, ...]:
    """The keys ``path`` names in ``data``; a SweepError names a bad path."""
    match = _PATH_RE.fullmatch(path)
    if match is None:
        raise SweepError(f"--vary {path}: not a parameter path (expected KIND.KEY or "
                         "KIND[NAME].KEY, e.g. mag.detection_ms or link[LMA-MAG1].loss)")
    kind, sel, key = match["kind"], match["sel"], match["key"]
    if kind not in VARIABLE_KEYS:
        raise SweepError(f"--vary {path}: unknown kind {kind!r} "
                         f"(expected one of: {', '.join(VARIABLE_KEYS)})")
    if key in _ELSEWHERE and kind == "scenario":
        raise SweepError(f"--vary {path}: use {_ELSEWHERE[key]} to vary the {key}")
    if key not in VARIABLE_KEYS[kind]:
        raise SweepError(f"--vary {path}: {kind}.{key} is not a parameter "
                         f"(expected one of: {', '.join(VARIABLE_KEYS[kind])})")
    if kind in _SINGLE:
        if sel is not None:
            raise SweepError(f"--vary {path}: [{kind}] is a single table, write {kind}.{key}")
        return (Target(kind, None, key),)
    items = data.get(kind, [])
    if not isinstance(items, list):
        items = []
    if sel is None:
        if not items:
            raise SweepError(f"--vary {path}: the scenario has no [[{kind}]]")
        return tuple(Target(kind, i, key) for i in range(len(items)))
    return (Target(kind, _select(path, kind, sel.strip(), items), key),)


def _select(path: str, kind: str, sel: str, items: list[Any]) -> int:
    """The index of the item ``sel`` names: an index, a MAG's name, a link's ``A-B``."""
    if sel.isdigit():
        if int(sel) >= len(items):
            raise SweepError(f"--vary {path}: no {kind}[{sel}] (the scenario has "
                             f"{len(items)} [[{kind}]], indexed from 0)")
        return int(sel)
    names = [_item_name(kind, item) for item in items]
    found = [i for i, name in enumerate(names) if sel in name]
    if not found:
        known = ", ".join(n[0] for n in names if n) or "none"
        raise SweepError(f"--vary {path}: no {kind} named {sel!r} (known: {known}; "
                         "or an index from 0)")
    return found[0]


def _item_name(kind: str, item: Any) -> tuple[str, ...]:
    """The names an item answers to (a link: both orders of its ends)."""
    if not isinstance(item, dict):
        return ()
    if kind in _NAMED and isinstance(item.get(_NAMED[kind]), str):
        return (item[_NAMED[kind]],)
    ends = item.get("between") if kind == "link" else None
    if isinstance(ends, list) and len(ends) == 2 and all(isinstance(e, str) for e in ends):
        return (f"{ends[0]}-{ends[1]}", f"{ends[1]}-{ends[0]}")
    return ()


def parse_values(path: str, text: str) -> tuple[Any, ...]:
    """A list ``a,b,c`` or an inclusive range ``start:stop:step`` of numbers (or
    ``true,false``). Whole numbers stay integers, so integer keys accept them."""
    text = text.strip()
    if not text:
        raise SweepError(f"--vary {path}: no values (expected a list like 5,20,50 or a "
                         "range start:stop:step)")
    if ":" in text:
        values = _range(path, text)
    else:
        values = tuple(_value(path, part.strip()) for part in text.split(","))
    if len(values) > MAX_VALUES:
        raise SweepError(f"--vary {path}: {len(values):,} values (at most {MAX_VALUES:,})")
    if len(set(map(repr, values))) != len(values):
        raise SweepError(f"--vary {path}: a value is listed twice in {text!r}")
    return values


def _value(path: str, part: str) -> Any:
    if part in ("true", "false"):
        return part == "true"
    number = _decimal(path, part)
    return int(number) if _is_int_text(part) else float(number)


def _decimal(path: str, part: str) -> Decimal:
    try:
        number = Decimal(part)
    except InvalidOperation:
        number = Decimal("NaN")
    if not part or not number.is_finite():
        raise SweepError(f"--vary {path}: {part!r} is not a number")
    return number


def _range(path: str, text: str) -> tuple[Any, ...]:
    parts = text.split(":")
    if len(parts) != 3:
        raise SweepError(f"--vary {path}: range {text!r}: expected start:stop:step")
    start, stop, step = (_decimal(path, p.strip()) for p in parts)
    if step <= 0:
        raise SweepError(f"--vary {path}: range {text!r}: the step must be > 0")
    if stop < start:
        raise SweepError(f"--vary {path}: range {text!r}: stop is before start")
    count = int((stop - start) / step) + 1
    if count > MAX_VALUES:
        raise SweepError(f"--vary {path}: range {text!r} has {count:,} values "
                         f"(at most {MAX_VALUES:,})")
    whole = all(_is_int_text(p.strip()) for p in parts)
    values = [start + i * step for i in range(count)]
    return tuple(int(v) if whole else float(v) for v in values)


def _is_int_text(part: str) -> bool:
    return part.lstrip("+-").isdigit()


def check_overlaps(params: list[Parameter]) -> None:
    """Refuse two parameters that set the same key (``mag.detection_ms`` and
    ``mag[MAG1].detection_ms``)."""
    seen: dict[Target, str] = {}
    for p in params:
        for t in p.targets:
            if t in seen:
                raise SweepError(f"--vary {p.path}: sets a key --vary {seen[t]} sets too")
            seen[t] = p.path


def apply(data: dict[str, Any], params: list[Parameter], point: tuple[Any, ...]) -> None:
    """Set every parameter's keys in ``data`` (a copy of the parsed TOML) to ``point``."""
    for p, value in zip(params, point, strict=True):
        for t in p.targets:
            table = data[t.kind] if t.index is None else data[t.kind][t.index]
            table[t.key] = value


def parse_seeds(text: str) -> tuple[int, ...]:
    """``1-20``, ``1,2,5`` or a mix (``1-5,10``): seeds >= 0, in the order given."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        lo, dash, hi = part.partition("-")
        if not (lo.isdigit() and (not dash or hi.isdigit())):
            raise SweepError(f"--seeds {text}: {part!r} is not a seed or a range like 1-20")
        first, last = int(lo), int(hi) if dash else int(lo)
        if last < first:
            raise SweepError(f"--seeds {text}: range {part!r} ends before it starts")
        if last - first >= MAX_VALUES or len(seeds) + last - first >= MAX_VALUES:
            raise SweepError(f"--seeds {text}: more than {MAX_VALUES:,} seeds")
        seeds.extend(range(first, last + 1))
    if len(set(seeds)) != len(seeds):
        raise SweepError(f"--seeds {text}: a seed is listed twice")
    return tuple(seeds)


def parse_modes(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """``ft,rfc5213``: modes in the order given."""
    modes = tuple(m.strip() for m in text.split(","))
    for m in modes:
        if m not in known:
            raise SweepError(f"--mode {text}: unknown mode {m!r} (expected some of: "
                             f"{', '.join(known)})")
    if len(set(modes)) != len(modes):
        raise SweepError(f"--mode {text}: a mode is listed twice")
    return modes
