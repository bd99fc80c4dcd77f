"""Sweep benchmark: runs per second of a figure1 study through the sweep's own executor
seam (the process pool of ``pmipviz sweep``), with 1 worker and with all cores, in one
invocation; the speed-up against 0.8 x N (issue 12's target). The pool's start-up is
included, as a user sees it; the rows are checked to be identical.

Run: .venv/bin/python benchmarks/bench_sweep.py [--points 40] [--seeds 5] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from pmipviz.sweep.execute import batches, in_order, local_executor
from pmipviz.sweep.grid import build_study
from pmipviz.sweep.runs import run_batch


def timed(study: Any, workers: int) -> tuple[float, list[dict[str, Any]]]:
    """Seconds to run every run of ``study`` on ``workers`` processes, and the rows."""
    jobs = batches([(study.scenarios[r.point], r.mode, r.seed, study.until_ms)
                    for r in study.runs], workers)
    start = time.perf_counter()
    with local_executor(workers) as pool:
        rows = [row for batch in in_order(pool, run_batch, jobs, window=4 * workers)
                for row in batch]
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=40, help="detection delays (1 ms apart)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="the many-worker case (default: all cores)")
    args = parser.parse_args()
    study = build_study("figure1", [f"mag.detection_ms=1:{args.points}:1"],
                        tuple(range(1, args.seeds + 1)), ("ft", "rfc5213"))
    runs = len(study.runs)
    print(f"figure1, {runs} runs ({args.points} points x {args.seeds} seeds x 2 modes), "
          f"{os.cpu_count()} cores")
    one_s, one_rows = timed(study, 1)
    many_s, many_rows = timed(study, args.workers)
    assert one_rows == many_rows, "the rows differ with the number of workers"
    speedup = one_s / many_s
    print(f"  1 worker : {runs / one_s:8.1f} runs/s ({one_s:.2f} s)")
    print(f"  {args.workers} workers: {runs / many_s:8.1f} runs/s ({many_s:.2f} s)")
    print(f"  speed-up {speedup:.2f} on {args.workers} workers "
          f"({speedup / args.workers:.2f} x N; target >= 0.8 x N)")


if __name__ == "__main__":
    main()
