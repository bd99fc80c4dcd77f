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

    @property
    def caption(self) -> str:
        """One line naming what is drawn: title, mode, MN and the span of the run (to its
        last event, else to where it was asked to stop)."""
        parts = [self.title, f"mode {self.mode}"]
        if self.mn:
            parts.append(self.mn)
        parts.append(f"0-{self.until_ms if self.end_ms is None else self.end_ms:g} ms")
        return " · ".join(parts)


def build_ladder(scenario: Scenario, *, mode: str | None = None, until_ms: float | None = None,
                 focus_mn: str | None = None) -> LadderDiagram:
    """Run ``scenario`` headless and build the ladder of ``focus_mn`` (default: the first MN).

    Raises ``ValueError`` for an MN that is not in the scenario."""
    from pmipviz.sim.headless import run

    builder = LadderBuilder(scenario, focus_mn)
    mode = mode or scenario.mode
    end = scenario.duration_ms if until_ms is None else until_ms

    last = [0.0]

    def sink(event: TraceEvent) -> None:
        last[0] = event.t_ms
        builder.feed(event)

    run(scenario, mode=mode, until_ms=end, sinks=[sink])
    return LadderDiagram(scenario.title, scenario.name, mode, builder.focus, end,
                         tuple(c.name for c in builder.columns), tuple(builder.rows), last[0])
