"""The ``sweep`` subcommand's arguments: a light module, imported by every ``pmipviz``
start (the sweep itself, ``command``, is imported only when it runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_parser(sub: argparse._SubParsersAction[Any],
               until: Callable[[str], float]) -> None:
    """The ``sweep`` subcommand's arguments (``until`` parses ``--until`` as ``run``)."""
    sweep = sub.add_parser(
        "sweep", help="run a scenario over a grid of parameters, seeds and modes",
        description="Run SCENARIO at every point of the --vary grid, for every seed and mode, "
        "on all local cores (or a Dask cluster); write one row per run and print a summary.")
    sweep.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    sweep.add_argument("--vary", action="append", default=[], metavar="PATH=VALUES",
                       help="a parameter and its values, e.g. mag.detection_ms=5,20,50 or "
                       "link[LMA-MAG1].loss=0:0.1:0.02 (an inclusive range); repeatable")
    sweep.add_argument("--seeds", metavar="SEEDS",
                       help="seeds, e.g. 1-20 or 1,2,5 (default: the scenario's seed)")
    sweep.add_argument("--mode", metavar="MODES",
                       help="modes, e.g. ft,rfc5213 (default: the scenario's mode)")
    sweep.add_argument("--until", type=until, metavar="MS",
                       help="stop each run at this simulated time (default: its duration)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers, metavar="N",
                       help="local worker processes (default: all cores)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a Dask distributed cluster, e.g. tcp://HOST:8786")
    sweep.add_argument("-o", "--output", metavar="FILE.csv|FILE.jsonl|FILE.parquet",
                       help="write one row per run here, in a fixed order (.parquet needs "
                       "pmipviz[parquet])")
    sweep.add_argument("--resume", action="store_true",
                       help="keep the rows already in the output file and run the rest")
    sweep.add_argument("--no-summary", action="store_true",
                       help="do not print the summary table")
    sweep.add_argument("--plot", metavar="FILE.svg|png|pdf",
                       help="draw the study: --y against --x, a line per mode and value of "
                       "the other parameters, the spread across seeds as a band")
    sweep.add_argument("--x", metavar="PATH",
                       help="the varied parameter along the x axis (default: the first --vary)")
    sweep.add_argument("--y", metavar="METRIC",
                       help="the metric column drawn, e.g. lost, max_gap_ms, interruption_ms "
                       "(default: lost)")


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1024:
        raise argparse.ArgumentTypeError(f"expected a number of workers in 1..1024, got {text!r}")
    return int(text)
