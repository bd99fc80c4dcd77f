"""Headless runs: the world with streaming sinks, nothing kept in memory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from pmipviz.scenario.model import Scenario
from pmipviz.sim.metrics import Metrics
from pmipviz.sim.trace import Describe, TraceEvent
from pmipviz.sim.world import MetricsOnlyWorld, World


def run(scenario: Scenario, *, mode: str | None = None, seed: int | None = None,
        until_ms: float | None = None, sinks: Iterable[Callable[[TraceEvent], None]] = (),
        progress: Callable[[float], None] | None = None,
        describe: Describe | None = None, metrics_only: bool = False
        ) -> tuple[Metrics, World]:
    """Run a scenario to ``until_ms`` (default: its duration); return metrics and the world.

    ``describe`` writes the events' notes when a sink reads them (``lesson.sentences``);
    without it, and for a run whose sinks read no note, no sentence is built.
    ``metrics_only`` (a sweep's runs; no other sink allowed): no Figure 1 step is tagged
    and a DATA hop's fields are only what the metrics read; the metrics are the same."""
    if metrics_only and (sinks or describe is not None):
        raise ValueError("metrics_only runs have no other sink and no describe")
    mode = mode or scenario.mode
    seed = scenario.seed if seed is None else seed
    metrics = Metrics(scenario, mode, seed)
    world = (MetricsOnlyWorld if metrics_only else World)(
        scenario, mode=mode, seed=seed, sinks=[metrics, *sinks], describe=describe)
    end = scenario.duration_ms if until_ms is None else until_ms
    start = time.perf_counter()
    if end <= 0:
        pass  # only what happens at time 0 (below)
    elif progress is None:
        world.env.run(until=end)
    else:
        chunk = max(end / 100.0, 1.0)
        t = 0.0
        while t < end:
            t = min(t + chunk, end)
            world.env.run(until=t)
            progress(t)
    # events scheduled exactly at `end` still belong to the run
    while world.env.peek() == end:
        world.env.step()
    metrics.wall_s = time.perf_counter() - start
    return metrics, world
