"""Instructions (cachegrind) of one campus run, the process's imports and scenario load
subtracted: the measure that holds on a shared machine, where wall-clock time does not.

Each case runs in a process of its own under ``valgrind --tool=cachegrind
--cache-sim=no`` with ``PYTHONHASHSEED=0``; one more process does the imports and the
load alone, and its count is subtracted from each case's. The bare simpy loop (as many
timeouts as campus has trace events) is measured the same way, so the ratio is
instructions of the bare loop over instructions of the run (the wall-clock ratio of
``bench_core.py``, in instructions).

Run: .venv/bin/python benchmarks/count_instructions.py [metrics headless full bare]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SETUP = """
import os, sys
sys.path.insert(0, {root!r})
import simpy
from benchmarks.bench_core import raw_simpy
from pmipviz.lesson.sentences import describe
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import JsonlSink
from pmipviz.sweep.runs import run_metrics
scenario = load_scenario("campus")
"""

CASES = {
    "metrics": "row = run_metrics(scenario, scenario.mode, scenario.seed, None)\n",
    "headless": "m, _ = run(scenario)\n",
    "full": "out = open(os.devnull, 'w')\n"
            "m, _ = run(scenario, sinks=[JsonlSink(out)], describe=describe)\n",
    "bare": "raw_simpy({events})\n",
}


def instructions(code: str) -> int:
    """Instructions cachegrind counts for ``python -c code``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        proc = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
             sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"count_instructions: the run failed under valgrind:\n"
                             f"{proc.stderr[-2000:]}")
        match = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        if match is None:
            raise SystemExit(proc.stderr)
        return int(match.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help=f"of {', '.join(CASES)} (default: metrics headless bare)")
    args = parser.parse_args()
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}: the cases are {', '.join(CASES)}")
    if shutil.which("valgrind") is None:
        parser.exit(2, "count_instructions: valgrind is not installed\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    setup = SETUP.format(root=root)
    sys.path.insert(0, root)
    from pmipviz.scenario import load_scenario
    from pmipviz.sweep.runs import run_metrics

    scenario = load_scenario("campus")
    events = int(run_metrics(scenario, scenario.mode, scenario.seed, None)["events"])
    print(f"campus: {events} trace events (the bare loop makes as many timeouts)")
    base = instructions(setup)
    names = args.cases or ["metrics", "headless", "bare"]
    counts = {name: instructions(setup + CASES[name].format(events=events)) - base
              for name in names}
    bare = counts.get("bare")
    for name, n in counts.items():
        ratio = f"   ratio {bare / n:5.3f}" if bare and name != "bare" else ""
        print(f"{name:9s}: {n / 1e6:9,.1f} M instructions{ratio}")


if __name__ == "__main__":
    main()
