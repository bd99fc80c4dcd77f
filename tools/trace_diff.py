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

Issue 10 item 5 changed three values in every trace on purpose (``undo_issue10_5``):
the Link-local Address option of PBUs and PBAs and the BCE's ``link_local`` (the LMA
now generates one per mobility session, RFC 5213 §6.8, where each MAG sent and the
LMA stored the MAG's own), the RA's IPv6 source (the session's link-local address),
and the BCE's ``timestamp`` (the LMA's time of reception, §5.1, where it was the PBU's
Timestamp, now kept as ``pbu_timestamp``). ``scenario_hash`` puts the old values back,
each computed from the event itself (the MAG's own fe80::a:<n>, the entry's
``pbu_timestamp``), and strips the rows' new keys (``router`` on interface rows,
``link_local`` on BUL rows), so that the baseline keeps pinning everything else; the
new values are pinned by ``tests/sim/test_link_local.py``.
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


# Keys issue 10 item 5 added inside the rows of state events, by table.
ADDED_ROW = {"iface": frozenset({"router"}), "bul": frozenset({"link_local"})}
_ISSUE10_5_MSGS = frozenset({"PBU", "PBA"})


def undo_issue10_5(d: dict[str, Any], mag_ll: dict[str, str]) -> dict[str, Any]:
    """The event with issue 10 item 5's values as they were before it (see the module
    docstring); ``mag_ll``: each MAG's name -> its own link-local address."""
    fields = d.get("fields") or {}
    msg = d.get("msg")
    if msg in _ISSUE10_5_MSGS and "link_local" in fields:
        mag = d["node"] if d["node"] in mag_ll else d["peer"]
        return {**d, "fields": {**fields, "link_local": mag_ll[mag]}}
    if msg == "RA" and "ip_src" in fields:
        return {**d, "fields": {**fields, "ip_src": mag_ll[d["node"]]}}
    table = fields.get("table")
    if d.get("kind") != "state" or table not in ("bce", "iface", "bul"):
        return d
    rows = {}
    for side in ("before", "after"):
        row = fields.get(side)
        if not row:
            continue
        row = dict(row)
        if table == "bce":
            if "pbu_timestamp" in row:
                row["link_local"] = mag_ll[row["mag"]]
                row["timestamp"] = row.pop("pbu_timestamp")
        else:
            for k in ADDED_ROW[table]:
                row.pop(k, None)
        rows[side] = row
    return {**d, "fields": {**fields, **rows}}
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
    """The stripped trace hash of a shipped scenario run headless in ``mode`` (issue 10
    item 5's values put back, ``undo_issue10_5``); the notes written by ``describe``
    (default: ``as_issue_9``, item 3's notes worded as issue 9 did)."""
    from pmipviz.scenario import load_scenario
    from pmipviz.sim.addressing import mag_link_local
    from pmipviz.sim.headless import run

    if describe is None:
        describe = as_issue_9
    scenario = load_scenario(name)
    mag_ll = {m.name: str(mag_link_local(i)) for i, m in enumerate(scenario.mags)}
    h = hashlib.sha256()

    def sink(ev: Any) -> None:
        d = undo_issue10_5(ev.to_dict(), mag_ll)
        h.update(json.dumps(strip_added(d), separators=(", ", ": ")).encode())
        h.update(b"\n")

    run(scenario, mode=mode, sinks=[sink], describe=describe)
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
