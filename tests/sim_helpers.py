"""Running scenarios in tests."""

from __future__ import annotations

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.trace import TraceEvent
from pmipviz.sim.world import World


def trace_of(scenario: str | Scenario, sinks=(), **kw
             ) -> tuple[list[TraceEvent], Metrics, World]:
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    events: list[TraceEvent] = []
    kw.setdefault("describe", describe)  # the notes, as the CLI writes them
    metrics, world = run(sc, sinks=[events.append, *sinks], **kw)
    return events, metrics, world


def link_delay(sc: Scenario, a: str, b: str) -> float:
    return next(ln.delay_ms for ln in sc.links if {ln.a, ln.b} == {a, b})
