"""The trace vocabulary (issue 9): added fields only, and the facts they carry.

The hashes below are the SHA-256 of each shipped scenario's trace, in both modes, made
by the code before the fields ``noop``, ``case``, ``shared_hnp``, ``mn_id``,
``interface`` (on state events other than BCE ones) and ``ref`` existed, and before
the notes moved from the protocol machines and the world to ``lesson.sentences``. The
current trace with those fields stripped must hash the same: the trace changed only by
additions, and the notes not at all.

Issue 10 changes behaviour on purpose. A (scenario, mode) pair whose trace it changed
leaves ``BASELINE`` for ``CHANGED_BY_ISSUE_10``, with the item that changed it and why;
the baseline keeps proving issue 9's claim for every pair left in it. figure1 may leave
it only for added fields and notes: its timeline is pinned on its own
(``FIGURE1_TIMELINE``) and never changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pmipviz.export.ladder import fault_label
from pmipviz.lesson.narration import narrate
from pmipviz.lesson.sentences import describe
from pmipviz.protocol.vocab import Kind, Msg, Reason
from pmipviz.scenario import Scenario, load_scenario
from pmipviz.scenario.model import Fault
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.trace import TraceEvent, event_from_dict
from pmipviz.ui.session import fault_ifaces
from pmipviz.ui.widgets.ladder import fault_action

TOOL = Path(__file__).resolve().parents[2] / "tools" / "trace_diff.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trace_diff", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


trace_diff = _tool()

BASELINE = {  # (scenario, mode): SHA-256
    ('bad-mag', 'ft'): '506341630ab676437759d9cc912350469f973efd0a35928d5f6b767549ce02d7',
    ('bad-mag', 'rfc5213'): 'a43effbc35eff370a9b669255c68699516c4e768f1567d1825f6b078f6396c4c',
}


# A shipped scenario whose file changed after issue 9: its old hash cannot be reproduced.
CHANGED_SCENARIO_FILE = {  # (scenario, mode): (why, issue 9's hash)
    ("lossy-signaling", "ft"): (
        "issue 11 defect 5: seed 5 and 6 s, so that a lost PBA and then a lost PBU show "
        "the back-off (retransmissions at 1001 and 3001 ms)",
        "4d403ebcca8f4ea1d2566856da534f010d88283c09cdbf0a414a3f60d430f417"),
    ("lossy-signaling", "rfc5213"): (
        "issue 11 defect 5, as in ft",
        "2bababebdff912fa20f3819a9b69b1435e5c72d5bf103d23d1e39c9cfe367761"),
}


CHANGED_BY_ISSUE_10 = {  # (scenario, mode): (issue 10 item, why), issue 9's hash
    ('move', 'ft'): (
        '5 (RFC 5213 §5.3.4/§5.6.1)',
        'the LMA tears Tunnel1 down at the HI=3 handoff (mn2 was its only user); the '
        'two packets MAG1 cached and sends up Tunnel1 at 2020 ms are dropped at the '
        'LMA (tunnel_down) instead of being forwarded to MAG2',
        'cdbe2906ba504cfec7ade3db189a8ff78762247a1a081bf0e702986c98f48fd0'),
    ('move', 'rfc5213'): (
        '5 (RFC 5213 §6.8, §6.9.1.2)',
        'notes only: the RA an interface receives from its new MAG after a HI=3 '
        "handoff says that its default router stays the same (the session's "
        'link-local address); with that note worded as before, the trace hashes as '
        "issue 9's (values item 5 changed put back by trace_diff.undo_issue10_5)",
        '0c19151e3fb33bd013e5faf7e8ccf5c86d28fea2f38e467b3a2a5a9647774449'),
    ('campus', 'ft'): (
        "1 (the MAG's delivery rule, the host model) and 5 (RFC 5213 §6.8, §6.9.1.2);"
        ' 4 (a link that breaks loses what is on it)',
        'notes only: the RA an interface receives from its new MAG after a HI=3 '
        "handoff says that its default router stays the same (the session's "
        'link-local address; values item 5 changed put back by '
        'trace_diff.undo_issue10_5); as figure1 ft, per MN, MAG forwards of packets '
        "for IF1's address to IF2 say the fallback rule applied, and each IF2's first"
        ' deliver of one the weak host model. Item 4: two CN2 packets are due at '
        'their MN at the very instant its IF1 breaks (t_a == t_break): flow 67 n=13 '
        "on MAG8's link to mn68/IF1 at 2900 ms and flow 167 n=29 on MAG12's link to "
        'mn168/IF1 at 4600 ms; each was handed back to its MAG, cached and flushed '
        'via the LMA to IF2 (delivered at 2960 / 4659 ms); now each is lost on the '
        'link (drop link_down at the interface, 14 events fewer: 9898 of 9900 '
        "delivered; those two handovers' first_new_path_ms move to 2999 / 4701 ms); "
        'and the note of the interface going down (IFACE_DOWN) now says when the MN '
        'notices it: "... is down; the MN notices at once (detection_ms = 0)" at '
        'every break',
        '2e19be5a90861ddd6499f08bdb5ae143d3b88e528f09b329a35a58dea839dc58'),
    ('campus', 'rfc5213'): (
        '5 (RFC 5213 §6.8, §6.9.1.2); 4 (a link that breaks loses what is on it)',
        'notes only: the RA an interface receives from its new MAG after a HI=3 '
        "handoff says that its default router stays the same (the session's "
        'link-local address); with those 10 notes worded as before, the trace hashes '
        "as issue 9's (values item 5 changed put back by trace_diff.undo_issue10_5). "
        'Item 4: the same two packets (mn68/IF1 n=13 at 2900 ms, mn168/IF1 n=29 at '
        '4600 ms) were dropped by the MAG as link_down after coming back from the '
        'link; now they are dropped link_down on the link (node: the interface, peer:'
        ' the MAG, note "was on the access link"): same counts, same times; and the '
        'note of the interface going down (IFACE_DOWN) now says when the MN notices '
        'it: "... is down; the MN notices at once (detection_ms = 0)" at every break',
        '223137f2c7e70ed6cd53f5e1b689f267946150ecf033ed2ac0badfcbede6eb13'),
    ('figure1', 'ft'): (
        "1 (the MAG's delivery rule, the host model); 4 (narration only)",
        "after the failover MAG2 forwards the 151 packets for IF1's address to IF2 by"
        " the fallback rule, and its note says so; IF2's first deliver of one says "
        'IF2 accepts it as a weak host (RFC 1122 §3.3.4.2). Notes only: every event, '
        'time and field is as before. Item 4: the note of the interface going down '
        '(IFACE_DOWN) now says when the MN notices it: "... is down; the MN notices '
        'at once (detection_ms = 0)" (IF1 at 1000 ms); no event, time or fate '
        "changes: FIGURE1_TIMELINE is unchanged (no packet is on IF1's 1 ms access "
        'link at 1000 ms)',
        '5a4b64ac1c2b1cacfcd62dd784d2a84e111b4aa966d8a180022e4e2f41bd4208'),
    ('restore', 'ft'): (
        "1 (the MAG's delivery rule, the host model); 4 (narration only)",
        "as figure1 ft: MAG2's forwards of the 151 packets for IF1's address to IF2 "
        "say the fallback rule applied, and IF2's first deliver of one the weak host "
        'model. Notes only. Item 4: the note of the interface going down (IFACE_DOWN)'
        ' now says when the MN notices it: "... is down; the MN notices at once '
        '(detection_ms = 0)" (IF1 at 1000 ms); nothing else changes',
        '83c04b10df41c6b0f2ff57643a3476ea99c3e5fe2869d9fcc04c6c511fafbbac'),
    ('both-fail', 'ft'): (
        "1 (the MAG's delivery rule, the host model); 4 (narration only)",
        "as figure1 ft: MAG2's forwards of the 50 packets for IF1's address to IF2 "
        "say the fallback rule applied, and IF2's first deliver of one the weak host "
        'model. Notes only. Item 4: the note of the interface going down (IFACE_DOWN)'
        ' now says when the MN notices it: "... is down; the MN notices at once '
        '(detection_ms = 0)" (IF1 at 1000 ms, IF2 at 1500 ms); nothing else changes',
        '01bc096a31846bbd14336947d9774d6d17ffc08aeaef312334ad5b8f14cec4f0'),
    ('figure1', 'rfc5213'): (
        '4 (narration only)',
        'the note of the interface going down (IFACE_DOWN) now says when the MN '
        'notices it: "... is down; the MN notices at once (detection_ms = 0)" (IF1 at'
        ' 1000 ms); no event, time or fate changes: FIGURE1_TIMELINE is unchanged',
        'a2d56be695d4bc3e7ce68642caec26e55d1986cec92a1b17fde48e8be68ca918'),
    ('restore', 'rfc5213'): (
        '4 (narration only)',
        'the note of the interface going down (IFACE_DOWN) now says when the MN '
        'notices it: "... is down; the MN notices at once (detection_ms = 0)" (IF1 at'
        ' 1000 ms); nothing else changes',
        'c4ab06cb09600ffe3850780affbd517b54fb790c7ba0cac50812d9583666c710'),
    ('both-fail', 'rfc5213'): (
        '4 (narration only)',
        'the note of the interface going down (IFACE_DOWN) now says when the MN '
        'notices it: "... is down; the MN notices at once (detection_ms = 0)" (IF1 at'
        ' 1000 ms, IF2 at 1500 ms); nothing else changes',
        '135d06509598d4a85e624ca137ccf43cbec74d998b47a04680b8bdd4330082ce'),
}


@pytest.mark.parametrize(("name", "mode"), sorted(BASELINE))
def test_trace_changed_only_by_additions(name: str, mode: str) -> None:
    assert trace_diff.scenario_hash(name, mode) == BASELINE[(name, mode)]


# figure1's timeline: every event's index, time, kind, nodes, message, Figure 1 step and
# the facts that say what happened to what (flow, n, reason, op, table, cause, action),
# as made by the code at the end of issue 9. Issue 10 may add fields to figure1's events
# and reword or extend their notes (e.g. the host model at the first packet IF2 gets
# for IF1's address), which moves figure1 to ``CHANGED_BY_ISSUE_10``; its timeline never.
FIGURE1_TIMELINE = {
    "ft": ("5883161d2b28cf9a805ab24addc89453b76b3c6585c52aa0708e4d8978f0eeb0", 1259),
    "rfc5213": ("d5bd53ed54c7a3fe08a5c3f277051e13969272aec2db07d48610a2a519378d36", 791),
}
_TIMELINE_FACTS = ("flow", "n", "reason", "op", "table", "cause", "action")


def timeline_hash(name: str, mode: str) -> tuple[str, int]:
    """SHA-256 of the run's timeline (see ``FIGURE1_TIMELINE``) and its event count."""
    out: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[out.append])
    rows = [[ev.i, ev.t_ms, ev.kind, ev.node, ev.peer, ev.msg, ev.step,
             *[ev.fields.get(k) for k in _TIMELINE_FACTS]] for ev in out]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest(), len(rows)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_figure1_timeline_never_changes(mode: str) -> None:
    assert timeline_hash("figure1", mode) == FIGURE1_TIMELINE[mode]


def test_figure1_in_both_modes_is_pinned() -> None:
    pairs = {("figure1", "ft"), ("figure1", "rfc5213")}
    assert pairs <= set(BASELINE) | set(CHANGED_BY_ISSUE_10)


@pytest.mark.parametrize(("name", "mode"), sorted(CHANGED_BY_ISSUE_10))
def test_deliberately_changed_traces_did_change(name: str, mode: str) -> None:
    """A pair listed as changed by issue 10 must really differ from issue 9's trace
    (else it belongs back in ``BASELINE``)."""
    assert trace_diff.scenario_hash(name, mode) != CHANGED_BY_ISSUE_10[(name, mode)][2]


@pytest.mark.parametrize(("name", "mode"), sorted(CHANGED_SCENARIO_FILE))
def test_changed_scenario_files_did_change(name: str, mode: str) -> None:
    assert trace_diff.scenario_hash(name, mode) != CHANGED_SCENARIO_FILE[(name, mode)][1]


def test_every_shipped_pair_is_pinned_or_accounted_for() -> None:
    shipped = {p.stem for p in (TOOL.parents[1] / "scenarios").glob("*.toml")}
    known = {name for name, _ in (*BASELINE, *CHANGED_BY_ISSUE_10, *CHANGED_SCENARIO_FILE)}
    assert {"figure1", "move", "restore", "both-fail", "bad-mag", "lossy-signaling",
            "campus"} <= known <= shipped


def _events(name: str, mode: str) -> list[TraceEvent]:
    out: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[out.append], describe=describe)
    return out


def test_vocab_serialises_to_the_plain_strings() -> None:
    assert Kind.STATE == "state" and Msg.PBU == "PBU" and Reason.LINK_LOSS == "link_loss"
    assert json.dumps({"kind": Kind.FAULT, "reason": Reason.TTL}) == \
        '{"kind": "fault", "reason": "ttl"}'
    assert f"{Msg.RA}" == "RA"


def _ev(**fields: Any) -> dict[str, Any]:
    return {"i": 0, "t_ms": 0.0, "kind": "state", "node": "LMA", "peer": None, "msg": None,
            "fields": fields, "step": None, "note": "x"}


def test_additions_only_accepts_new_keys_and_rejects_changes() -> None:
    old = [_ev(table="bce", key="a", before={"s": 1})]
    assert trace_diff.additions_only(old, [{**_ev(table="bce", key="a", before={"s": 1},
                                                   case="5.4.1.1-5a"), "ref": "x"}]) is None
    assert "became" in trace_diff.additions_only(old, [_ev(table="bce", key="b",
                                                             before={"s": 1})])
    # inside a row, a new key is a change, not an addition
    assert trace_diff.additions_only(old, [_ev(table="bce", key="a",
                                                before={"s": 1, "m": 0})]) is not None
    assert "missing" in trace_diff.additions_only(old, [])
    assert "extra" in trace_diff.additions_only(old, old + old)
    two = [_ev(key="a"), _ev(key="b")]
    assert trace_diff.additions_only(two, two[::-1]) is not None  # reordered
    assert trace_diff.additions_only([{**_ev(), "note": "x"}],
                                     [{**_ev(), "note": "y"}]) is not None


def test_trace_diff_cli(tmp_path: Path) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(json.dumps(_ev(key="a")) + "\n")
    new.write_text(json.dumps(_ev(key="a", mn_id="mn1")) + "\n")
    ok = subprocess.run([sys.executable, str(TOOL), str(old), str(new)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout
    bad = subprocess.run([sys.executable, str(TOOL), str(new), str(old)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "mn_id" in bad.stdout
    missing = subprocess.run([sys.executable, str(TOOL), str(old), str(tmp_path / "no")],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_fault_events_say_whether_they_change_nothing() -> None:
    base = load_scenario("figure1")
    if1, if2 = "mn1@example.org/IF1", "mn1@example.org/IF2"
    extra = (Fault(1500, "break", if1), Fault(1600, "restore", if2),
             Fault(1700, "move", if2, "MAG2"), Fault(1800, "move", if2, "MAG1"))
    sc = replace(base, faults=tuple(sorted((*base.faults, *extra), key=lambda f: f.at_ms)))
    faults: list[TraceEvent] = []
    run(sc, sinks=[lambda ev: faults.append(ev) if ev.kind == "fault" else None],
        describe=describe)
    noop = [(ev.fields["action"], ev.fields["noop"]) for ev in faults]
    assert noop == [("break", False), ("break", True), ("restore", True), ("move", True),
                    ("move", False)]
    for ev in faults:
        assert ev.fields["noop"] == ("changes nothing" in ev.note)


def test_state_events_name_the_mn_interface() -> None:
    evs = [ev for ev in _events("figure1", "ft") if ev.kind == "state"]
    for ev in evs:
        f = ev.fields
        if f["table"] in ("bce", "bul", "iface"):
            assert f["mn_id"] == "mn1@example.org", ev
            assert f["interface"] in ("IF1", "IF2"), ev
        if f["table"] == "bce":
            assert "case" in f and isinstance(f["shared_hnp"], bool)
    registers = [ev for ev in evs if ev.fields["table"] == "bce"
                 and ev.fields["cause"] == "register"]
    assert registers
    for ev in registers:
        assert ev.fields["case"] and f"case {ev.fields['case']}" in ev.note
        assert ev.fields["shared_hnp"] is True
    rfc = [ev for ev in _events("figure1", "rfc5213") if ev.kind == "state"
           and ev.fields["table"] == "bce"]
    assert rfc and not any(ev.fields["shared_hnp"] for ev in rfc)


# -- consumers read the facts, not the notes ------------------------------------------

def _reworded(ev: TraceEvent, note: str) -> TraceEvent:
    return TraceEvent(ev.i, ev.t_ms, ev.kind, ev.node, ev.peer, ev.msg, ev.fields, ev.step,
                      note)


def _noop_scenario() -> Scenario:
    base = load_scenario("figure1")
    if1, if2 = "mn1@example.org/IF1", "mn1@example.org/IF2"
    extra = (Fault(1500, "break", if1), Fault(1600, "restore", if2), Fault(2500, "break", if2))
    return replace(base, faults=tuple(sorted((*base.faults, *extra), key=lambda f: f.at_ms)))


def test_metrics_do_not_depend_on_the_fault_notes() -> None:
    sc = _noop_scenario()
    evs: list[TraceEvent] = []
    metrics, _ = run(sc, sinks=[evs.append])
    assert len(metrics.handovers) == 2  # the two real breaks, not the no-ops
    again = Metrics(sc, sc.mode, sc.seed)
    for ev in evs:  # every fault reworded so that the old test on "nothing" misfires
        again(_reworded(ev, "nothing to see here") if ev.kind == "fault" else ev)
    assert [h.row() for h in again.handovers] == [h.row() for h in metrics.handovers]


def test_ladder_labels_read_noop() -> None:
    real = _ev(action="break", interface="mn1@example.org/IF1", noop=False)
    noop = _ev(action="break", interface="mn1@example.org/IF1", noop=True)
    real["kind"] = noop["kind"] = "fault"
    real_ev = _reworded(event_from_dict(real), "IF1 breaks: this changes nothing at all")
    noop_ev = _reworded(event_from_dict(noop), "IF1 is down already")
    assert fault_label(real_ev.fields) == "IF1 breaks ✕"
    assert fault_label(noop_ev.fields) == "IF1 break: no change"
    assert fault_action([real_ev]) == "break"
    assert fault_action([noop_ev]) == "none"
    ifaces = {"mn1@example.org/IF1": {"up": True}}
    assert fault_ifaces([real_ev], 1, ifaces) == {"mn1@example.org/IF1": {"up": False}}
    assert fault_ifaces([noop_ev], 1, ifaces) is None
    assert narrate(real_ev, "rfc5213").contrast  # what ft would have done
    assert not narrate(noop_ev, "rfc5213").contrast


def test_narration_reads_case_and_shared_hnp_from_fields() -> None:
    d = _ev(table="bce", key="mn1#1", cause="register", before=None,
            after={"mn_id": "mn1"}, case="5.4.1.3-1", shared_hnp=True)
    ev = _reworded(event_from_dict(d), "LMA creates an entry")
    n = narrate(ev, "ft")
    assert "(case 5.4.1.3-1)" in n.reference
    assert "RFC 5213 §5.2" in n.contrast
    d["fields"]["shared_hnp"] = False
    assert narrate(_reworded(event_from_dict(d), "with the MN's shared HNP"), "ft").contrast == ""
    ignore = _ev(table="lma", key="ignored", cause="ignore", before=None, after=None)
    assert narrate(_reworded(event_from_dict(ignore), "§5.4.1"), "rfc5213").reference \
        .endswith("§5.3.5")
    ignore["fields"]["case"] = "5.4.1.3-1"
    assert narrate(_reworded(event_from_dict(ignore), "§5.3.5"), "rfc5213").reference \
        .endswith("§5.4.1")
