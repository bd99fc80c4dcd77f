"""The state machines as tables (issue 9, item 7): the BUL and BCE transition tables,
the one function that applies them, and timers with named fields."""

from __future__ import annotations

import ast
import dataclasses
from enum import StrEnum
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pmipviz
from pmipviz.protocol.binding_cache import Bce, Outcome
from pmipviz.protocol.mag import BulEntry
from pmipviz.protocol.state_tables import (
    BCE,
    BUL,
    BceState,
    BulState,
    InvalidTransition,
    Transitions,
)
from pmipviz.protocol.timers import (
    DeleteTimer,
    DetectTimer,
    ExpireTimer,
    ReregTimer,
    RetxTimer,
    WaitTimer,
)
from pmipviz.protocol.vocab import Cause
from pmipviz.scenario import load_scenario
from pmipviz.scenario.loader import shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent
from tests.protocol.pbu_factory import MAG1, make_lma

MACHINES: dict[str, Transitions[Any]] = {"bul": BUL, "bce-rfc5213": BCE["rfc5213"],
                                         "bce-ft": BCE["ft"]}
STATES: dict[str, type[StrEnum]] = {"bul": BulState, "bce-rfc5213": BceState,
                                    "bce-ft": BceState}


def _bul_entry(state: BulState) -> BulEntry:
    return BulEntry(key="mn1@example.org/IF1", mn_id="mn1@example.org", lli=b"\x02", att=4,
                    state=state)


def _bce(state: BceState) -> Bce:
    return Bce(key="mn1@example.org#1", mn_id="mn1@example.org", mn_lli=b"\x02", att=4,
               hnps=(), proxy_coa=MAG1, mag="MAG1", tunnel="Tunnel1",
               link_local=IPv6Address("fe80::1"), lifetime_s=40, registered_ms=0.0, seq=1,
               timestamp=0, hi=1, created=1, state=state)


def _entry(machine: str, state: Any) -> Any:
    return _bul_entry(state) if machine == "bul" else _bce(state)


ALLOWED = [(m, state, cause, target) for m, t in MACHINES.items()
           for state, row in t.table.items() for cause, target in row.items()]


# -- the tables --------------------------------------------------------------------------


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_every_state_has_a_row_and_every_target_is_a_state(machine: str) -> None:
    t = MACHINES[machine]
    assert set(t.table) == set(STATES[machine])
    assert {target for row in t.table.values() for target in row.values()} <= set(t.table)
    assert t.initial in t.table


def test_the_tables_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        BUL.table[BulState.REJECTED] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        BUL.table[BulState.REJECTED][Cause.ATTACH] = BulState.REGISTERING  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUL.initial = BulState.REGISTERED  # type: ignore[misc]


def test_the_entries_start_in_their_tables_initial_state() -> None:
    assert _fields(BulEntry)["state"].default is BUL.initial is BulState.REGISTERING
    assert _fields(Bce)["state"].default is BceState.ACTIVE
    assert {t.initial for t in BCE.values()} == {BceState.ACTIVE}


def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def test_the_rfc_and_the_draft_de_register_differently() -> None:
    assert BCE["rfc5213"].next_state(BceState.ACTIVE, Cause.DEREG) is BceState.DEREG_HOLD
    assert BCE["ft"].next_state(BceState.ACTIVE, Cause.DEREG) is BceState.KEPT
    assert BCE["rfc5213"].table[BceState.KEPT] == {}  # not a state of RFC 5213
    # issue 10 item 2: ft holds an entry as RFC 5213 §5.3.5 does when the MN is not
    # multihomed (M=0), on its own cause; a multihomed MN's entry is kept (draft §3.1)
    assert BCE["ft"].next_state(BceState.ACTIVE, Cause.DEREG_HOLD) is BceState.DEREG_HOLD
    assert BCE["ft"].next_state(BceState.DEREG_HOLD, Cause.REVIVE) is BceState.ACTIVE
    assert BCE["ft"].next_state(BceState.DEREG_HOLD, Cause.DEREG) is None
    assert BCE["ft"].next_state(BceState.KEPT, Cause.DEREG_HOLD) is None
    assert BCE["rfc5213"].next_state(BceState.ACTIVE, Cause.DEREG_HOLD) is None


def test_the_states_serialise_to_the_trace_strings() -> None:
    assert [s.value for s in BulState] == ["registering", "registered", "deregistering",
                                           "rejected"]
    assert [s.value for s in BceState] == ["active", "dereg-hold", "kept"]
    assert [o.value for o in Outcome] == ["new", "update", "reject", "ignore", "wait"]
    assert _bce(BceState.DEREG_HOLD).row()["state"] == "dereg-hold"
    assert _bul_entry(BulState.REGISTERED).row()["state"] == "registered"


# -- the transition function -------------------------------------------------------------


@pytest.mark.parametrize(("machine", "state", "cause", "target"), ALLOWED)
def test_every_allowed_transition_moves_the_entry(machine: str, state: Any, cause: Cause,
                                                  target: Any) -> None:
    entry = _entry(machine, state)
    assert MACHINES[machine].fire(entry, cause) is target
    assert entry.state is target


@given(st.sampled_from(sorted(MACHINES)), st.data())
def test_any_other_pair_raises_and_leaves_the_state(machine: str, data: st.DataObject) -> None:
    t = MACHINES[machine]
    state = data.draw(st.sampled_from(list(STATES[machine])))
    cause = data.draw(st.sampled_from(list(Cause)))
    entry = _entry(machine, state)
    if cause in t.table[state]:
        t.fire(entry, cause)
        assert entry.state is t.table[state][cause]
        return
    with pytest.raises(InvalidTransition) as err:
        t.fire(entry, cause)
    assert entry.state is state
    assert (err.value.current, err.value.cause, err.value.key) == (state, cause, entry.key)
    message = str(err.value)
    assert repr(state.value) in message and repr(cause.value) in message
    assert entry.key in message and t.machine in message


def test_the_error_names_what_the_state_allows() -> None:
    entry = _bul_entry(BulState.REGISTERING)
    with pytest.raises(InvalidTransition, match=r"allows: registered, retry, rejected, giveup"):
        BUL.fire(entry, Cause.REREG)
    gone = _bul_entry(BulState.DEREGISTERING)
    with pytest.raises(InvalidTransition, match=r"'deregistering'.*'registered'.*allows: none"):
        BUL.fire(gone, Cause.REGISTERED)
    assert gone.state is BulState.DEREGISTERING


@given(st.sampled_from(sorted(MACHINES)), st.lists(st.sampled_from(list(Cause)), max_size=30))
def test_a_walk_follows_the_table_and_survives_refusals(machine: str,
                                                        causes: list[Cause]) -> None:
    t = MACHINES[machine]
    entry = _entry(machine, t.initial)
    expected = t.initial
    for cause in causes:
        nxt = t.table[expected].get(cause)
        if nxt is None:
            with pytest.raises(InvalidTransition):
                t.fire(entry, cause)
        else:
            t.fire(entry, cause)
            expected = nxt
        assert entry.state is expected


def test_an_lma_in_each_mode_uses_its_own_table() -> None:
    for mode in ("rfc5213", "ft"):
        assert make_lma(mode).transitions is BCE[mode]


# -- the table is the only place a state changes ----------------------------------------


def _state_assignments(tree: ast.AST) -> list[tuple[str, int]]:
    """(enclosing function, line) of every ``x.state = ...`` / ``setattr(x, "state", ...)``."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, func: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            func = node.name
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Attribute) and t.attr == "state":
                    found.append((func, node.lineno))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "setattr" and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == "state"):
            found.append((func, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, func)

    visit(tree, "")
    return found


def test_only_the_transition_function_assigns_a_state() -> None:
    root = Path(pmipviz.__file__).parent / "protocol"
    where = {str(path.relative_to(root)): _state_assignments(ast.parse(path.read_text()))
             for path in sorted(root.rglob("*.py"))}
    where = {k: v for k, v in where.items() if v}
    assert list(where) == ["state_tables.py"], where
    assert [func for func, _ in where["state_tables.py"]] == ["fire"]


def test_the_lint_finds_an_assignment() -> None:
    source = "def f(e):\n    e.state = 'x'\n    e.a.state += 1\n    setattr(e, 'state', 2)\n"
    assert _state_assignments(ast.parse(source)) == [("f", 2), ("f", 3), ("f", 4)]


def _state_events(name: str, mode: str) -> list[TraceEvent]:
    out: list[TraceEvent] = []

    def keep(ev: TraceEvent) -> None:
        if ev.kind == "state" and ev.fields["table"] in ("bul", "bce"):
            out.append(ev)

    run(load_scenario(name), mode=mode, sinks=[keep])
    return out


@pytest.mark.parametrize("name", [name for name, _ in shipped_scenarios()])
def test_every_state_change_in_the_shipped_traces_is_in_the_table(name: str) -> None:
    """Read back from the trace: each change of a row's ``state`` is the table's
    transition on the event's ``cause``, and the states are the enums' values."""
    seen = 0
    for mode in ("ft", "rfc5213"):
        for ev in _state_events(name, mode):
            f = ev.fields
            table = BUL if f["table"] == "bul" else BCE[mode]
            rows = [r for r in (f["before"], f["after"]) if r is not None]
            assert all(r["state"] in table.table for r in rows), ev
            assert all(type(r["state"]) is str for r in rows), ev  # plain: pickled small
            if len(rows) < 2 or rows[0]["state"] == rows[1]["state"]:
                continue
            assert table.next_state(rows[0]["state"], Cause(f["cause"])) == rows[1]["state"], ev
            seen += 1
    assert seen > 0


# -- timers ------------------------------------------------------------------------------

TIMERS = (RetxTimer, ReregTimer, DetectTimer, ExpireTimer, DeleteTimer, WaitTimer)


@pytest.mark.parametrize("cls", TIMERS)
def test_timers_are_frozen_slotted_dataclasses_with_named_fields(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert names[0] == "key"
    timer = cls(*(["k"] + [1] * (len(names) - 1)))
    assert not hasattr(timer, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        timer.key = "other"
    assert timer == cls(*(["k"] + [1] * (len(names) - 1)))  # equal by value, hashable
    assert hash(timer) == hash(cls(*(["k"] + [1] * (len(names) - 1))))


def test_timer_fields_say_what_they_are() -> None:
    assert [f.name for f in dataclasses.fields(RetxTimer)] == ["key", "seq"]
    assert [f.name for f in dataclasses.fields(ReregTimer)] == ["key", "registered_ms"]
