"""What every ladder export draws: the columns and rows of one MN's ladder,
built from a headless run by the same ``LadderBuilder`` the TUI uses."""

from __future__ import annotations

from dataclasses import dataclass

from pmipviz.export.ladder import LadderBuilder, LadderRow
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent


@dataclass(frozen=True)
class LadderDiagram:
    """A finished ladder: ``columns`` left to right, ``rows`` top to bottom; ``until_ms``
    is where the run was asked to stop, ``end_ms`` the time of its last event."""

    title: str
    scenario: str
    mode: str
    mn: str | None
    until_ms: float
    columns: tuple[str, ...]
    rows: tuple[LadderRow, ...]
    end_ms: float | None = None
    from_ms: float = 0.0  # rows before it are left out (the run still starts at 0)

    @property
    def caption(self) -> str:
        """One line naming what is drawn: title, mode, MN and the span of the run (to its
        last event, else to where it was asked to stop)."""
        parts = [self.title, f"mode {self.mode}"]
        if self.mn:
            parts.append(self.mn)
        end = self.until_ms if self.end_ms is None else self.end_ms
        parts.append(f"{self.from_ms:g}-{end:g} ms")
        return " · ".join(parts)


def build_ladder(scenario: Scenario, *, mode: str | None = None, until_ms: float | None = None,
                 focus_mn: str | None = None, from_ms: float = 0.0) -> LadderDiagram:
    """Run ``scenario`` headless and build the ladder of ``focus_mn`` (default: the first MN),
    keeping the rows from ``from_ms`` on (the run itself starts at 0, so the state the
    window opens on is the real one; a row keeps its first event's time).

    Raises ``ValueError`` for an MN that is not in the scenario, or a window that is empty
    (``from_ms`` not before the end, or after the run's last event)."""
    from pmipviz.sim.headless import run

    builder = LadderBuilder(scenario, focus_mn)
    mode = mode or scenario.mode
    end = scenario.duration_ms if until_ms is None else until_ms
    if from_ms >= end:
        what = f"--until {end:g}" if until_ms is not None else \
            f"the scenario's duration ({end:g} ms)"
        raise ValueError(f"--from {from_ms:g} is not before {what}")

    last = [0.0]

    def sink(event: TraceEvent) -> None:
        last[0] = event.t_ms
        builder.feed(event)

    run(scenario, mode=mode, until_ms=end, sinks=[sink])
    if from_ms > last[0]:  # else an empty ladder captioned e.g. "2600-2506 ms"
        raise ValueError(f"--from {from_ms:g} is after the run's last event "
                         f"({last[0]:g} ms)")
    rows = tuple(r for r in builder.rows if r.t_ms >= from_ms)
    return LadderDiagram(scenario.title, scenario.name, mode, builder.focus, end,
                         tuple(c.name for c in builder.columns), rows, last[0], from_ms)
