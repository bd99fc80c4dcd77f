"""Memory that does not grow with the run: the headless duplicate check keeps a
window bounded by the packets outstanding, and the TUI's history (trace and step
back) stays compact while stepping back stays exact (what the screen shows then:
tests/ui/test_history.py)."""

from __future__ import annotations

import copy
import gc
import random
from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import DeliveryWindow, Metrics
from pmipviz.sim.simulation import (
    CHECKPOINT_EVENTS,
    SNAPSHOT_BYTES_PER_EVENT,
    Simulation,
    UserAction,
)
from pmipviz.sim.state import StateView
from pmipviz.sim.trace import TraceEvent
from pmipviz.sim.tracestore import TraceStore

FIGURE1 = load_scenario("figure1")

# -- headless: the delivery window ------------------------------------------------


@dataclass
class _SetFlow:
    """The old set-based fold of one flow (the reference)."""

    delivered: int = 0
    duplicated: int = 0
    reordered: int = 0
    lost: int = 0
    max_n: int = -1
    seen: set[int] = field(default_factory=set)

    def deliver(self, n: int) -> None:
        if n in self.seen:
            self.duplicated += 1
        else:
            self.seen.add(n)
            self.delivered += 1
        if n < self.max_n:
            self.reordered += 1
        self.max_n = max(self.max_n, n)

    def drop(self, n: int) -> None:
        self.lost += 1


def _data(i: int, kind: str, n: int) -> TraceEvent:
    fields = {"flow": 0, "n": n, "cached": False, "src": "a", "dst": "b", "size": 1,
              "pid": n, "hop": 2}
    if kind == "drop":
        fields["reason"] = "link_loss"
    return TraceEvent(i, float(i), kind, "mn1@example.org/IF1", "MAG1", "DATA", fields,
                      None, "")


# each packet number's fate: delivered k times (k > 1: duplicates), dropped, or still
# outstanding at the end; a packet is never copied, so a dropped one is never delivered
FATES = st.one_of(st.integers(1, 3), st.just("drop"), st.just("outstanding"))


@st.composite
def fates_in_any_order(draw: st.DrawFn) -> list[tuple[str, int]]:
    fates = draw(st.lists(FATES, max_size=40))
    events: list[tuple[str, int]] = []
    for n, fate in enumerate(fates):
        if fate == "drop":
            events.append(("drop", n))
        elif isinstance(fate, int):
            events.extend(("deliver", n) for _ in range(fate))
    return draw(st.permutations(events))


@settings(max_examples=300, deadline=None)
@given(fates_in_any_order())
def test_the_window_counts_exactly_like_the_set_of_every_delivered_number(events) -> None:
    metrics = Metrics(FIGURE1, "ft", 1)
    ref = _SetFlow()
    for i, (kind, n) in enumerate(events):
        metrics(_data(i, kind, n))
        getattr(ref, kind)(n)
    fs = metrics.flows[0]
    assert (fs.delivered, fs.duplicated, fs.reordered, fs.lost) == \
        (ref.delivered, ref.duplicated, ref.reordered, ref.lost)
    assert metrics.delivered == ref.delivered


def test_a_drop_after_a_delivery_and_a_delivery_after_a_drop_above_the_window() -> None:
    w = DeliveryWindow()
    w.drop(1)  # 0 still outstanding: 1 stays in the window
    assert w.deliver(1) is False  # not in the model, but counted like the set would
    assert w.deliver(1) is True
    w.drop(1)  # a drop does not unmark a delivered number
    assert w.deliver(0) is False and w.low == 2 and len(w) == 0


def test_a_million_deliveries_with_loss_and_reordering_keep_the_window_small() -> None:
    w = DeliveryWindow()
    rng = random.Random(8)
    outstanding: list[int] = []  # lost packets whose drop is reported a bit later
    peak = 0
    n = 0
    while n < 1_000_000:
        if rng.random() < 0.01:  # reordered: n+1 arrives before n
            assert w.deliver(n + 1) is False
            assert w.deliver(n) is False
            n += 2
        elif rng.random() < 0.01:  # lost; its drop comes 50 packets later
            outstanding.append(n)
            n += 1
        else:
            assert w.deliver(n) is False
            n += 1
        while outstanding and outstanding[0] < n - 50:
            w.drop(outstanding.pop(0))
        peak = max(peak, len(w))
    for lost in outstanding:
        w.drop(lost)
    assert w.low == n and len(w) == 0
    assert peak <= 60  # what was delivered after the oldest packet in flight


def test_a_run_with_link_loss_leaves_nothing_in_the_window() -> None:
    metrics, _ = run(load_scenario("lossy-signaling"))
    fs = metrics.flows[0]
    assert metrics.queued == 0 and fs.delivered > 20
    assert metrics.lost_by_reason["link_loss"] > 10
    assert len(fs.seen) == 0 and fs.seen.low == fs.sent


def test_the_step_tagger_forgets_packets_lost_after_the_lma() -> None:
    """ft mode: the step chosen at the LMA for a packet of a multihomed MN is kept until
    the packet is delivered or dropped, never for the rest of the run."""
    sc = load_scenario("figure1")
    lossy = tuple(replace(link, loss=0.2) for link in sc.links)
    metrics, world = run(sc.with_changes(links=lossy), mode="ft")
    assert metrics.lost_by_reason.get("link_loss", 0) > 10 and metrics.queued == 0
    assert world.steps is not None and world.steps.held == 0


# -- TUI: the compressed trace and the checkpointed step back ------------------------


def _small() -> Simulation:
    """A figure1 Simulation with tiny trace blocks, two of them decoded at a time, and
    a snapshot every 40 events, so that it crosses many of each."""
    return Simulation(FIGURE1, trace=TraceStore(64, 2), checkpoint_events=40)


def view_state(sim: Simulation) -> dict[str, object]:
    """Everything the screen shows from the state view, and the event at the cursor."""
    v = sim.state()
    state = {name: copy.deepcopy(getattr(v, name)) for name in StateView._SNAPSHOT}
    state["last"] = None if v.last is None else v.last.to_json()
    state["cursor"] = sim.cursor
    return state


def reference_states(scenario: Scenario, mode: str, actions: tuple[UserAction, ...],
                     ) -> tuple[list[dict[str, object]], list[str]]:
    """The view after every event of a fresh simulation stepped forward only, and its
    trace as JSON lines."""
    ref = Simulation(scenario, mode, actions=actions, checkpoint_events=1 << 30)
    states = [view_state(ref)]
    while ref.step() is not None:
        states.append(view_state(ref))
    return states, [e.to_json() for e in ref.trace]


def check_back_and_forth(sim: Simulation, seed: int) -> None:
    states, lines = reference_states(sim.scenario, sim.mode, tuple(sim.actions))
    sim.seek(len(states) + 10)
    assert sim.cursor == len(states) - 1 and sim.complete
    assert [e.to_json() for e in sim.trace] == lines
    for k in range(sim.cursor, -1, -1):  # back to every k, one event at a time
        assert view_state(sim) == states[k], k
        sim.back()
    rng = random.Random(seed)
    for _ in range(60):  # and seeks both ways
        k = rng.randrange(len(states))
        sim.seek(k)
        assert view_state(sim) == states[k], k
        assert sim.current is None or sim.current.to_json() == lines[k - 1]
    # a snapshot is taken after checkpoint_events events, or later when the last one is
    # large (at most SNAPSHOT_BYTES_PER_EVENT bytes a journalled event: _checkpoint)
    largest = max(len(s) for s in sim._snapshots.values())
    assert sim.journal_length <= max(sim.checkpoint_events,
                                     largest // SNAPSHOT_BYTES_PER_EVENT)


def test_stepping_back_over_snapshots_is_exact() -> None:
    sim = _small()
    sim.run_to_end()
    assert sim.total > 1000  # many trace blocks and snapshots
    check_back_and_forth(sim, 1)
    assert len(sim.snapshot_positions) > 20


def test_stepping_back_is_exact_across_user_faults_and_a_mode_switch() -> None:
    sim = _small()
    sim.run_to_end()
    key = f"{FIGURE1.mns[0].id}/IF2"
    sim.seek(700)
    sim.toggle_interface(key)  # break, before the end of the known trace
    sim.seek(sim.cursor + 150)
    sim.toggle_interface(key)  # restore
    sim.run_to_end()
    assert [a.fault.action for a in sim.actions] == ["break", "restore"]
    check_back_and_forth(sim, 2)
    sim.seek(900)
    other = sim.with_mode("rfc5213")
    assert other.trace.block == 64 and other.checkpoint_events == 40
    check_back_and_forth(other, 3)


def test_a_fault_injected_behind_the_head_drops_the_snapshots_after_it() -> None:
    sim = _small()
    sim.run_to_end()
    sim.seek(sim.total)
    assert sim.snapshot_positions[-1] > 600
    sim.seek(600)
    sim.toggle_interface(f"{FIGURE1.mns[0].id}/IF2")
    assert sim.snapshot_positions[-1] <= 600
    sim.run_to_end()
    check_back_and_forth(sim, 4)


def test_the_trace_store_reads_like_a_list() -> None:
    sim = Simulation(FIGURE1)
    sim.run_to_end()
    plain = list(sim.trace)
    store = TraceStore(10, 1)
    for ev in plain:
        store.append(ev)
    dump = [e.to_json() for e in plain]
    assert len(store) == len(plain) and [e.to_json() for e in store] == dump
    assert [e.to_json() for e in store[5:37]] == dump[5:37]
    assert store[-1].to_json() == dump[-1] and store[123].to_json() == dump[123]
    assert store.compressed_bytes < 100 * len(plain)  # about 25 bytes an event
    try:
        store[len(plain)]
    except IndexError:
        pass
    else:
        raise AssertionError("no IndexError past the end")


def test_the_history_holds_a_few_bytes_an_event() -> None:
    """Over the first 3 s of campus stepped to the end: the trace is compressed, the
    journals stop at the latest snapshot, and the snapshots are a few bytes an event."""
    campus = load_scenario("campus").with_changes(duration_ms=3000.0)
    sim = Simulation(campus, prefetch=4096)
    while sim.step() is not None:
        pass
    events = sim.total
    assert events > 20_000
    assert sim.journal_length < CHECKPOINT_EVENTS
    assert sim.trace.compressed_bytes / events < 60
    assert sim.snapshot_bytes / events < SNAPSHOT_BYTES_PER_EVENT
    assert sim.trace.decoded_blocks <= sim.trace.cached_blocks
    del sim
    gc.collect()  # the world's cycles now, not in a later test or at the worker's exit
