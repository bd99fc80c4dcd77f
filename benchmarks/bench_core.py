"""Core benchmark: the `campus` scenario headless against a raw simpy loop, in the
same process. Prints events/s, raw ops/s, their ratio and peak RSS, for three kinds of
run: the full trace (notes written, JSON lines to /dev/null: ``run --trace``), a
headless run (metrics folded, Figure 1 steps tagged: ``run --json``) and metrics only
(no step tagged either: a run of ``pmipviz sweep``).

Run: make bench   (or .venv/bin/python benchmarks/bench_core.py [--repeat N]). On a shared
machine the wall-clock ratios swing; ``benchmarks/count_instructions.py`` (``make
bench-instructions``) gives the same ratios in instructions, which do not.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Generator

import simpy

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import Flow, Scenario, load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import JsonlSink
from pmipviz.sweep.runs import run_metrics


def raw_simpy(ops: int, processes: int = 200) -> float:
    """Ops/s of bare simpy: processes that each wait a timeout and count it."""
    env = simpy.Environment()
    done = [0]
    per = ops // processes

    def proc(offset: float) -> Generator[simpy.Event, None, None]:
        for _ in range(per):
            yield env.timeout(1.0 + offset)
            done[0] += 1

    for k in range(processes):
        env.process(proc(k / processes))
    start = time.perf_counter()
    env.run()
    return done[0] / (time.perf_counter() - start)


def raw_simpy_traffic(scenario: Scenario) -> tuple[float, int]:
    """Events/s of the campus traffic written directly in simpy: every flow a process,
    every packet a process that crosses CN-LMA, LMA-MAG and MAG-MN with the scenario's
    delays, recording one tuple per send and per arrival (no protocol, no faults)."""
    env = simpy.Environment()
    records: list[tuple[float, str, str, str]] = []
    delay = {frozenset((ln.a, ln.b)): ln.delay_ms for ln in scenario.links}
    access = {m.name: m.access_delay_ms for m in scenario.mags}
    home = {mn.id: mn.interfaces[0].mag for mn in scenario.mns}

    def packet(path: list[tuple[str, str, float]]) -> Generator[simpy.Event, None, None]:
        for a, b, d in path:
            records.append((env.now, "send", a, b))
            yield env.timeout(d)
            records.append((env.now, "recv", b, a))

    def flow(f: Flow) -> Generator[simpy.Event, None, None]:
        mag = home[f.dst]
        path = [(f.src, "LMA", delay[frozenset((f.src, "LMA"))]),
                ("LMA", mag, delay[frozenset(("LMA", mag))]), (mag, f.dst, access[mag])]
        yield env.timeout(f.start_ms)
        interval = 1000.0 / f.rate_pps
        t = f.start_ms
        while t < f.stop_ms:
            env.process(packet(path))
            yield env.timeout(interval)
            t += interval

    for f in scenario.flows:
        env.process(flow(f))
    start = time.perf_counter()
    env.run()
    return len(records) / (time.perf_counter() - start), len(records)


def pmipviz_campus() -> tuple[float, int]:
    """Trace events/s of a headless campus run (metrics folded, nothing stored)."""
    scenario = load_scenario("campus")
    start = time.perf_counter()
    metrics, _ = run(scenario)
    wall = time.perf_counter() - start
    return metrics.events / wall, metrics.events


def pmipviz_campus_metrics_only() -> float:
    """Trace events/s of campus run as a sweep runs it (``sweep.runs.run_metrics``)."""
    scenario = load_scenario("campus")
    start = time.perf_counter()
    row = run_metrics(scenario, scenario.mode, scenario.seed, None)
    return int(row["events"]) / (time.perf_counter() - start)


def pmipviz_campus_full_trace() -> float:
    """Trace events/s of campus with every note written and the JSON lines streamed to
    /dev/null (``run --trace``)."""
    scenario = load_scenario("campus")
    with open(os.devnull, "w", encoding="utf-8") as out:
        start = time.perf_counter()
        metrics, _ = run(scenario, sinks=[JsonlSink(out)], describe=describe)
        wall = time.perf_counter() - start
    return metrics.events / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    ours, events = max(pmipviz_campus() for _ in range(args.repeat))
    lean = max(pmipviz_campus_metrics_only() for _ in range(args.repeat))
    full = max(pmipviz_campus_full_trace() for _ in range(args.repeat))
    raw = max(raw_simpy(events) for _ in range(args.repeat))
    traffic, records = max(raw_simpy_traffic(load_scenario("campus"))
                           for _ in range(args.repeat))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"campus: {events} trace events")
    print(f"raw simpy timeout ops/s   : {raw:12,.0f}")
    print(f"pmipviz full trace        : {full:12,.0f}   ratio {full / raw:5.2f}")
    print(f"pmipviz headless (steps)  : {ours:12,.0f}   ratio {ours / raw:5.2f}")
    print(f"pmipviz metrics only      : {lean:12,.0f}   ratio {lean / raw:5.2f}"
          "   (a sweep's run; target 0.35; by instructions: count_instructions.py)")
    print(f"raw simpy campus traffic  : {traffic:12,.0f}   ratio {ours / traffic:5.2f}"
          f" headless, {lean / traffic:5.2f} metrics only   ({records} records)")
    print("targets: ratio >= 0.3 now, >= 0.6 later")
    print(f"peak RSS                  : {rss_mb:12.0f} MB (target < 500)")


if __name__ == "__main__":
    main()
