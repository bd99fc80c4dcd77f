"""Running a scenario headless in a test, keeping its trace.

A module, not a fixture: storm_checks, hypothesis tests and module-scoped fixtures
of other layers (lesson, wire) call it too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


# -- the scenarios written for single tests, and what the tests pick out of a trace -------

SCENARIOS = Path(__file__).parent / "scenarios"


def scenario_file(name: str) -> Scenario:
    """A scenario written for a test: ``tests/sim/scenarios/NAME.toml``."""
    return load_scenario(SCENARIOS / f"{name}.toml")


def link_delay(sc: Scenario, a: str, b: str) -> float:
    """The delay of the wired link between ``a`` and ``b``."""
    return next(ln.delay_ms for ln in sc.links if {ln.a, ln.b} == {a, b})


def bce_events(events: list[TraceEvent], **match: Any) -> list[TraceEvent]:
    """The ``bce`` state events whose fields match."""
    return [e for e in events if e.kind == "state" and e.fields["table"] == "bce"
            and all(e.fields.get(k) == v for k, v in match.items())]


def data_events(events: list[TraceEvent], kind: str, **match: Any) -> list[TraceEvent]:
    """The DATA events of ``kind`` whose fields (or ``node`` / ``peer``) match."""
    return [e for e in events if e.msg == "DATA" and e.kind == kind
            and all((e.fields.get(k) if k not in ("node", "peer") else getattr(e, k)) == v
                    for k, v in match.items())]
