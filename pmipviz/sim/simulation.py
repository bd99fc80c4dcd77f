"""A steppable simulation for the TUI: step forward and back one trace event,
inject faults at the current time, switch mode at the same point.

Memory: the trace is kept compressed (``TraceStore``); the state view keeps undo
journals only back to its latest checkpoint, a compressed snapshot taken every
``CHECKPOINT_EVENTS`` events (more when the snapshot is big). Stepping back past a
checkpoint restores the one before and re-applies the events up to the target:
the view is folded from the trace alone, so it is the same state, exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmipviz.scenario.model import Fault, Scenario
from pmipviz.sim.state import StateView
from pmipviz.sim.trace import Describe, TraceEvent
from pmipviz.sim.tracestore import TraceStore
from pmipviz.sim.world import World

CHECKPOINT_EVENTS = 2048  # at least this many events between two snapshots of the view
SNAPSHOT_BYTES_PER_EVENT = 16  # and at most this many snapshot bytes per event


@dataclass(frozen=True)
class UserAction:
    """A fault the user injected after ``after`` trace events, at ``t_ms``."""

    after: int
    t_ms: float
    fault: Fault


class Simulation:
    """Keeps the trace in memory; ``cursor`` is the number of events applied (0..total).

    Same scenario + mode + seed + user actions => the same trace, byte for byte."""

    def __init__(self, scenario: Scenario, mode: str | None = None, seed: int | None = None,
                 actions: tuple[UserAction, ...] = (), prefetch: int = 0,
                 checkpoint_events: int | None = None,
                 trace: TraceStore | None = None, describe: Describe | None = None) -> None:
        self.scenario = scenario
        self.describe = describe  # writes the notes (lesson.sentences)
        self.mode = mode or scenario.mode
        self.seed = scenario.seed if seed is None else seed
        self.actions: list[UserAction] = list(actions)
        self.trace: TraceStore = TraceStore() if trace is None else trace
        self.world = World(scenario, mode=self.mode, seed=self.seed, sinks=[self.trace.append],
                           describe=describe)
        self.view = StateView(scenario)
        self.checkpoint_events = (CHECKPOINT_EVENTS if checkpoint_events is None
                                  else checkpoint_events)
        # snapshots of the view by cursor; journals undo the events applied since the
        # latest one, ``_base`` (cursor == _base + len(_journal))
        self._snapshots: dict[int, bytes] = {0: self.view.snapshot()}
        self._base = 0
        self._journal: list[list[tuple[Any, Any, Any]]] = []
        self.cursor = 0
        self._pending = sorted(self.actions, key=lambda a: a.after)
        self.prefetch = prefetch
        self._fill(prefetch)

    # -- generation -------------------------------------------------------------

    @property
    def complete(self) -> bool:
        """True once the run has reached its duration (no more events will come)."""
        if self._pending:
            return False
        nxt = self.world.env.peek()
        return nxt > self.scenario.duration_ms

    @property
    def total(self) -> int:
        """Events known so far (the whole run once ``complete``)."""
        return len(self.trace)

    @property
    def snapshot_positions(self) -> list[int]:
        """The cursors at which the view is snapshotted, in order."""
        return sorted(self._snapshots)

    @property
    def snapshot_bytes(self) -> int:
        """What the snapshots hold, in bytes."""
        return sum(map(len, self._snapshots.values()))

    @property
    def journal_length(self) -> int:
        """Events applied since the latest snapshot (``back`` undoes them one by one)."""
        return len(self._journal)

    def _fill(self, count: int) -> None:
        """Generate until at least ``count`` events exist or the run is over."""
        env = self.world.env
        while True:
            # user actions due at this point come first, even at the boundary
            if self._pending and self._pending[0].after <= len(self.trace):
                self.world.apply_fault(self._pending.pop(0).fault)
                continue
            if len(self.trace) >= count or env.peek() > self.scenario.duration_ms:
                break
            env.step()

    def run_to_end(self) -> None:
        """Generate the whole run (the cursor does not move)."""
        self._fill(1 << 62)

    # -- moving the cursor -----------------------------------------------------------

    def step(self) -> TraceEvent | None:
        """Apply the next event; None at the end of the run."""
        if self.cursor >= len(self.trace):
            self._fill(self.cursor + 1 + self.prefetch)
            if self.cursor >= len(self.trace):
                return None
        ev = self.trace[self.cursor]
        self._journal.append(self.view.apply(ev))
        self.cursor += 1
        self._checkpoint()
        return ev

    def _checkpoint(self) -> None:
        """At a snapshot (or once enough events have passed since the last one:
        take it), drop the journals: the snapshot replaces them."""
        cursor = self.cursor
        if cursor not in self._snapshots:
            size = len(self._snapshots[self._base])
            if len(self._journal) < max(self.checkpoint_events,
                                        size // SNAPSHOT_BYTES_PER_EVENT):
                return
            self._snapshots[cursor] = self.view.snapshot()
        self._base = cursor
        self._journal.clear()

    def back(self) -> TraceEvent | None:
        """Undo the last applied event; returns it, None at the start."""
        if self.cursor == 0:
            return None
        if self._journal:
            self.cursor -= 1
            self.view.undo(self._journal.pop())
        else:
            self._restore(self.cursor - 1)
        return self.trace[self.cursor]

    def _restore(self, index: int) -> None:
        """Put the view at ``index`` events applied: the nearest snapshot at or before
        it, then the events after it applied again (journalled)."""
        at = max(at for at in self._snapshots if at <= index)  # a few hundred at most
        self.view.restore(self._snapshots[at], self.trace[at - 1] if at else None)
        self.cursor = self._base = at
        self._journal.clear()
        while self.cursor < index:
            self.step()

    def seek(self, index: int) -> None:
        """Move the cursor to ``index`` events applied."""
        index = max(0, index)
        if self.cursor - index > len(self._journal):
            self._restore(index)
        while self.cursor > index:
            self.back()
        while self.cursor < index and self.step() is not None:
            pass

    def run(self, until_ms: float) -> None:
        """Step while the next event happens at or before ``until_ms``."""
        while True:
            if self.cursor >= len(self.trace):
                self._fill(self.cursor + 1 + self.prefetch)
                if self.cursor >= len(self.trace):
                    return
            if self.trace[self.cursor].t_ms > until_ms:
                return
            self.step()

    @property
    def now(self) -> float:
        """Simulated time at the cursor."""
        return self.view.t_ms

    @property
    def current(self) -> TraceEvent | None:
        return self.trace[self.cursor - 1] if self.cursor else None

    def state(self) -> StateView:
        return self.view

    # -- user faults -----------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Apply ``fault`` at the current simulated time; the future is recomputed."""
        fault = Fault(self.now, fault.action, fault.interface, fault.to_mag)
        at_head = (self.cursor == len(self.trace) and self.world.now == self.now
                   and not self._pending_at_or_before(self.cursor))
        if at_head:
            self.actions.append(UserAction(self.cursor, self.now, fault))
            self.world.apply_fault(fault)
            return
        # actions at the cursor itself happened before this one: keep them
        kept = [a for a in self.actions if a.after <= self.cursor]
        rebuilt = Simulation(self.scenario, self.mode, self.seed, tuple(kept),
                             checkpoint_events=self.checkpoint_events,
                             trace=TraceStore(self.trace.block, self.trace.cached_blocks),
                             describe=self.describe)
        rebuilt._fill(self.cursor)
        action = UserAction(len(rebuilt.trace), self.now, fault)
        rebuilt.actions.append(action)
        rebuilt.world.apply_fault(fault)
        # adopt the rebuilt future; the past (and so the view) is identical, and so
        # are the snapshots up to the cursor
        self.trace.adopt(rebuilt.trace)
        rebuilt.world.sinks = [self.trace.append]
        for at in [at for at in self._snapshots if at > self.cursor]:
            del self._snapshots[at]
        self.world = rebuilt.world
        self.actions = rebuilt.actions
        self._pending = rebuilt._pending

    def _pending_at_or_before(self, index: int) -> bool:
        return any(a.after <= index for a in self._pending)

    def toggle_interface(self, key: str) -> Fault:
        """Break the interface if it is up at the cursor, else restore it."""
        row = self.view.ifaces.get(key, {})
        # up, or not attached yet (and not already broken): break it; else restore it
        down = row.get("broken") or (not row.get("up") and row.get("mag") is not None)
        fault = Fault(self.now, "restore" if down else "break", key)
        self.inject(fault)
        return fault

    def faults_so_far(self) -> tuple[Fault, ...]:
        """The scenario's faults plus the user's, as timed faults (for a mode switch)."""
        user = tuple(a.fault for a in self.actions)
        return tuple(sorted(self.scenario.faults + user, key=lambda f: f.at_ms))

    def with_mode(self, mode: str) -> Simulation:
        """The same scenario and faults in another mode, at the same simulated time."""
        scenario = self.scenario.with_changes(faults=self.faults_so_far())
        other = Simulation(scenario, mode, self.seed, prefetch=self.prefetch,
                           checkpoint_events=self.checkpoint_events,
                           trace=TraceStore(self.trace.block, self.trace.cached_blocks),
                           describe=self.describe)
        other.run(self.now)
        return other
