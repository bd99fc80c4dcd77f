"""Check that a new trace differs from an old one only by additions.

    python tools/trace_diff.py OLD.jsonl NEW.jsonl

Exits 0 when every event of OLD is in NEW at the same position with every key and
value unchanged (NEW may add keys at the top level or in ``fields``, never events);
exits 1 with the first difference otherwise, 2 on unreadable input.

``python tools/trace_diff.py --hash SCENARIO MODE`` prints the SHA-256 of the trace of
a shipped scenario, with the fields added by issue 9 stripped (what the baseline test
compares against the trace before those fields existed): ``noop`` on faults; ``case``,
``shared_hnp``, ``mn_id`` and ``interface`` on state events; ``ref`` (the rule that
governs an event) on any event; and issue 10's ``carrier`` on BCE state events. The
notes are written by ``lesson.sentences``, as the CLI writes them, so the hash pins their
text too, except a downlink flow's first packet's and the LMA's route notes, which
issue 10 item 3 extended: they are worded as issue 9 did (``as_issue_9``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

# The fields issue 9 added to state, fault and buffer events. ``interface`` was
# already on BCE state events and on fault events.
ADDED_STATE = frozenset({"case", "shared_hnp", "mn_id", "interface", "ref"})
ADDED_BCE = frozenset({"case", "shared_hnp", "mn_id", "ref"})
# issue 10 item 3: ``carrier`` on BCE state events, the key of the entry carrying the
# MN's traffic once the LMA has processed the input (``Lma.elect_carrier``)
ADDED_BCE |= {"carrier"}
ADDED_FAULT = frozenset({"noop", "ref"})
# ``to`` on a buffer ``out`` event: where the packet goes (the LMA, step 6, or an
# interface); the step tagger reads it.
ADDED_BUFFER = frozenset({"to", "ref"})
# ``ref`` (the rule that governs an event) is on every event a protocol machine's
# action produced (a state, buffer or DATA drop event, the send of a PBU / PBA / RA /
# forwarded DATA packet), and on some the world produces for the LMA and the MAGs; no
# event had a ``ref`` before, so it is stripped from every kind.
ADDED_ANY = frozenset({"ref"})


def as_issue_9(note: Any) -> str:
    """The sentence of ``note`` (``lesson.sentences.describe``) as issue 9 wrote it.
    Issue 10 item 3 gave a downlink flow's first packet sent its own note
    (``SimWhy.CN_FIRST``: which interface the flow is addressed to, for good, and by
    which rule); it is worded here as any other packet's ``CN_SENDS``, and the rule it
    appended to the LMA's route notes (``sentences.CARRIER_RULE``) is cut off, as the
    added fields are stripped, so that the baseline still proves everything else
    unchanged.
    (tests/sim/test_carrier.py pins the new note's text.)"""
    from pmipviz.lesson.sentences import CARRIER_RULE, describe
    from pmipviz.protocol.why import Why
    from pmipviz.sim.why import SimWhy

    if note[0] == SimWhy.CN_FIRST:
        cn, n, mn_id = note[1:4]
        return describe((SimWhy.CN_SENDS, cn, n, mn_id))
    if note[0] in (Why.ROUTE, Why.REROUTE):  # item 3 appended the carrier rule
        return describe(note).removesuffix(CARRIER_RULE)
    return describe(note)


def strip_added(d: dict[str, Any]) -> dict[str, Any]:
    """The event as the baseline wrote it: the fields added since removed."""
    kind = d.get("kind")
    fields = d.get("fields") or {}
    if kind == "fault":
        drop = ADDED_FAULT
    elif kind == "buffer":
        drop = ADDED_BUFFER
    elif kind == "state":
        drop = ADDED_BCE if fields.get("table") == "bce" else ADDED_STATE
    else:
        drop = ADDED_ANY
    if drop & fields.keys():
        d = {**d, "fields": {k: v for k, v in fields.items() if k not in drop}}
    return d


def additions_only(old: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]]) -> str | None:
    """None if ``new`` only adds keys to ``old``; otherwise the first difference."""
    old_it, new_it = iter(old), iter(new)
    for n, a in enumerate(old_it):
        b = next(new_it, None)
        if b is None:
            return f"event {n} of the old trace is missing from the new one"
        why = _covers(a, b, f"event {n}")
        if why:
            return why
    extra = next(new_it, None)
    if extra is not None:
        return f"the new trace has an extra event {extra.get('i', '?')}"
    return None


def _covers(a: Any, b: Any, where: str, loose: bool = True) -> str | None:
    """None if ``b`` equals ``a`` except for keys added to the event or to its
    ``fields`` (``loose``); anything deeper must be equal."""
    if isinstance(a, dict) and isinstance(b, dict) and loose:
        for k, v in a.items():
            if k not in b:
                return f"{where}: key {k!r} is missing"
            why = _covers(v, b[k], f"{where}.{k}", loose=k == "fields")
            if why:
                return why
        return None
    if a != b or type(a) is not type(b):
        return f"{where}: {a!r} became {b!r}"
    return None


def trace_hash(events: Iterable[dict[str, Any]]) -> str:
    """SHA-256 of the JSON lines of ``events`` (added fields stripped)."""
    h = hashlib.sha256()
    for d in events:
        h.update(json.dumps(strip_added(d), separators=(", ", ": ")).encode())
        h.update(b"\n")
    return h.hexdigest()


def scenario_hash(name: str, mode: str, describe: Any = None) -> str:
    """The stripped trace hash of a shipped scenario run headless in ``mode``; the notes
    written by ``describe`` (default: ``lesson.sentences.describe``)."""
    from pmipviz.scenario import load_scenario
    from pmipviz.sim.headless import run

    if describe is None:
        describe = as_issue_9

    h = hashlib.sha256()

    def sink(ev: Any) -> None:
        h.update(json.dumps(strip_added(ev.to_dict()), separators=(", ", ": ")).encode())
        h.update(b"\n")

    run(load_scenario(name), mode=mode, sinks=[sink], describe=describe)
    return h.hexdigest()


def _read(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--hash":
        print(scenario_hash(argv[1], argv[2]))
        return 0
    if len(argv) != 2:
        print("usage: trace_diff.py OLD.jsonl NEW.jsonl", file=sys.stderr)
        return 2
    try:
        why = additions_only(_read(argv[0]), _read(argv[1]))
    except (OSError, ValueError) as e:
        print(f"trace_diff: {e}", file=sys.stderr)
        return 2
    if why:
        print(f"trace_diff: {why}")
        return 1
    print("trace_diff: additions only")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
