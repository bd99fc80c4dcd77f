"""Core benchmark: the `campus` scenario headless against a raw simpy loop, in the
same process. Prints events/s, raw ops/s, their ratio and peak RSS.

Run: make bench   (or .venv/bin/python benchmarks/bench_core.py [--repeat N])
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Generator

import simpy

from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run


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


def pmipviz_campus() -> tuple[float, int]:
    """Trace events/s of a headless campus run (metrics folded, nothing stored)."""
    scenario = load_scenario("campus")
    start = time.perf_counter()
    metrics, _ = run(scenario)
    wall = time.perf_counter() - start
    return metrics.events / wall, metrics.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    ours, events = max(pmipviz_campus() for _ in range(args.repeat))
    raw = max(raw_simpy(events) for _ in range(args.repeat))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"campus: {events} trace events")
    print(f"pmipviz events/s : {ours:12,.0f}")
    print(f"raw simpy ops/s  : {raw:12,.0f}")
    print(f"ratio            : {ours / raw:12.2f}   (target >= 0.3, goal >= 0.6)")
    print(f"peak RSS         : {rss_mb:12.0f} MB (target < 500)")


if __name__ == "__main__":
    main()
