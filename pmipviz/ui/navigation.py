"""Where the navigation keys go: the run's milestones (``s`` / ``S``), its faults
(``f`` / ``F``), a simulated time (``g``). Textual-free."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from pmipviz.lesson.milestones import Milestone, MilestoneFold
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.trace import TraceEvent


def index_at_time(trace: Sequence[TraceEvent], t_ms: float) -> int:
    """The cursor with every event at or before ``t_ms`` applied (and none after)."""
    return bisect_right(range(len(trace)), t_ms, key=lambda i: trace[i].t_ms)


def previous_fault(trace: Sequence[TraceEvent], cursor: int) -> int | None:
    """The trace index of the last fault before the current event (``cursor - 1``)."""
    for i in range(min(cursor, len(trace)) - 2, -1, -1):
        if trace[i].kind == "fault":
            return i
    return None


def next_fault(trace: Sequence[TraceEvent], cursor: int) -> int | None:
    """The trace index of the first fault not applied yet (among the known events)."""
    for i in range(cursor, len(trace)):
        if trace[i].kind == "fault":
            return i
    return None


class Milestones:
    """The milestones of the app's run, folded as far as the trace has been asked
    about. A new run (reset, mode switch, a fault injected: the trace after the cursor
    changes) folds again from the start."""

    def __init__(self) -> None:
        self._sim: Simulation | None = None
        self._actions = -1
        self._fold: MilestoneFold | None = None
        self._found: list[Milestone] = []
        self._scanned = 0

    def _ensure(self, sim: Simulation, upto: int) -> None:
        """Fold the events up to index ``upto`` (excluded), as far as they exist."""
        if sim is not self._sim or len(sim.actions) != self._actions or self._fold is None:
            self._sim, self._actions = sim, len(sim.actions)
            self._fold, self._found, self._scanned = MilestoneFold(sim.scenario), [], 0
        trace, fold = sim.trace, self._fold
        end = min(upto, len(trace))
        for i in range(self._scanned, end):
            found = fold.check(i, trace[i])
            if found is not None:
                self._found.append(found)
        self._scanned = max(self._scanned, end)

    def _mine(self, mn_id: str | None) -> list[Milestone]:
        return [m for m in self._found if mn_id is None or m.mn_id in (None, mn_id)]

    def at(self, sim: Simulation, index: int, mn_id: str | None = None) -> Milestone | None:
        """The milestone event ``index`` is (of ``mn_id``, or of no MN), else None."""
        self._ensure(sim, index + 1)
        for m in reversed(self._found):
            if m.at < index:
                return None
            if m.at == index and (mn_id is None or m.mn_id in (None, mn_id)):
                return m
        return None

    def previous(self, sim: Simulation, mn_id: str | None = None) -> Milestone | None:
        """The last milestone before the current event (None: go to the start)."""
        self._ensure(sim, sim.cursor)
        before = [m for m in self._mine(mn_id) if m.at + 1 < sim.cursor]
        return before[-1] if before else None

    def numbered(self, sim: Simulation, index: int,
                 mn_id: str | None = None) -> tuple[int, int] | None:
        """(k, n): event ``index`` is milestone k of the n known so far, or None."""
        self._ensure(sim, len(sim.trace) if sim.complete else index + 1)
        mine = self._mine(mn_id)
        for k, m in enumerate(mine, start=1):
            if m.at == index:
                return k, len(mine)
        return None
