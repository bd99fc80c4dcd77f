"""Prose in one place (issue 9, item 3): the protocol machines give causes, facts and
references; ``lesson.sentences`` writes the notes; a run nobody reads builds none."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from pmipviz.lesson.sentences import causes, describe
from pmipviz.protocol import actions
from pmipviz.protocol.why import Why
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent
from pmipviz.sim.why import SimWhy

PACKAGE = Path(__file__).resolve().parents[2] / "pmipviz"
# the protocol machines, and the world that emits the trace (its notes are facts too)
EMITTERS = ("protocol/mag.py", "protocol/lma.py", "protocol/binding_cache.py",
            "protocol/actions.py", "protocol/why.py", "sim/world.py", "sim/network.py",
            "sim/host.py", "sim/control.py", "sim/dataplane.py", "sim/flows.py",
            "sim/faults.py", "sim/why.py")
REF = re.compile(r"^(RFC \d+ §\d+(\.\d+)*|draft §\d+(\.\d+)*( step [1-8])?)$")
SMALL = ("figure1", "move", "restore", "both-fail", "bad-mag", "lossy-signaling")


def _prose(path: Path) -> list[str]:
    """The strings of ``path`` that read like a sentence: an f-string with a space in
    it, or a constant of four words or more that is not a reference. Docstrings and
    the messages of raised exceptions are not notes and are left out."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a docstring
        if isinstance(node, ast.Raise):
            skip.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if " " in text:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
            skip.update(id(v) for v in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and len(node.value.split()) >= 4 and not REF.match(node.value)):
            found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    return found


def test_the_protocol_machines_and_the_world_build_no_sentence() -> None:
    found = [hit for name in EMITTERS for hit in _prose(PACKAGE / name)]
    assert found == []


def test_the_prose_check_finds_a_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('def f(mag):\n    """A docstring is fine, however long it is."""\n'
                   '    return [f"{mag} sends a PBU", "LMA ignores a PBA here",\n'
                   '            "RFC 5213 §5.3.1", f"{mag}:key"]\n')
    assert len(_prose(bad)) == 2


def test_actions_carry_a_cause_and_a_reference_not_a_note() -> None:
    kinds = [c for c in vars(actions).values()
             if dataclasses.is_dataclass(c) and c.__module__ == actions.__name__]
    assert len(kinds) == 9
    for cls in kinds:
        names = {f.name for f in dataclasses.fields(cls)}
        assert "note" not in names, cls
        if cls is not actions.StartTimer:
            assert {"why", "ref"} <= names, cls


def test_every_cause_has_a_sentence() -> None:
    assert causes() == set(Why) | set(SimWhy)
    assert describe((Why.FORWARD, "MAG1", 7, "mn1@example.org/IF1")) == \
        "MAG1 forwards n=7 to mn1/IF1"
    nested = (Why.BUL_REMOVE, "MAG2", "mn1@example.org/IF2", (Why.REMOVE_TIMEOUT, 1000.0))
    assert describe(nested) == ("MAG2 removes mn1/IF2 from its Binding Update List: no PBA "
                                "came within INITIAL_BINDACK_TIMEOUT (1000 ms) (§6.9.1.4)")


def _events(name: str, mode: str) -> list[TraceEvent]:
    out: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[out.append], describe=describe)
    return out


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", SMALL)
def test_protocol_events_carry_a_reference(name: str, mode: str) -> None:
    """Every event a protocol machine's action made has a ``ref`` in the one format."""
    seen = 0
    for ev in _events(name, mode):
        f = ev.fields
        made_by_machine = ((ev.kind in ("state", "buffer") and f.get("table") != "iface")
                           or (ev.kind == "send" and ev.msg in ("PBU", "PBA", "RA")))
        if made_by_machine:
            assert REF.match(f.get("ref", "")), (ev, f.get("ref"))
            seen += 1
        if ev.kind == "recv":
            assert "ref" not in f  # the send's reference is not the receiver's
    assert seen >= 5


class _Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, note: tuple) -> str:
        self.calls += 1
        return describe(note)


def test_a_metrics_only_run_builds_no_sentence() -> None:
    spy = _Counting()
    metrics, _ = run(load_scenario("figure1"), describe=spy)
    assert metrics.events > 1000 and spy.calls == 0
    # a sink that reads the notes has them written by the same builder
    notes: list[str] = []
    run(load_scenario("figure1"), describe=spy, sinks=[lambda ev: notes.append(ev.note)])
    assert spy.calls > 0 and len(notes) == metrics.events


def test_without_a_builder_a_note_reads_as_its_facts() -> None:
    ev = TraceEvent(0, 0.0, "state", "MAG1", None, None, {}, None,
                    (Why.BUL_REMOVE, "MAG1", "mn1@x/IF1", (Why.REMOVE_GONE,)))
    assert ev.note == "mag.bul_remove MAG1 mn1@x/IF1 mag.remove.gone"
