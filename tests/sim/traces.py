"""Running a scenario headless in a test, keeping its trace.

A module, not a fixture: storm_checks, hypothesis tests and module-scoped fixtures
of other layers (lesson, wire) call it too."""

from __future__ import annotations

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.trace import TraceEvent
from pmipviz.sim.world import World


def trace_of(scenario: str | Scenario, sinks=(), **kw
             ) -> tuple[list[TraceEvent], Metrics, World]:
    """The events, metrics and world of a headless run (``kw`` as ``headless.run``)."""
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    events: list[TraceEvent] = []
    kw.setdefault("describe", describe)  # the notes, as the CLI writes them
    metrics, world = run(sc, sinks=[events.append, *sinks], **kw)
    return events, metrics, world
