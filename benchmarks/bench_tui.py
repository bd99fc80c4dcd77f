"""TUI benchmark: pmipviz against a bare Textual app, headless at 120x40, in one process.

For each app: the wall time from constructing the App to its first frame, and the
CPU time per step (a batch of ``n`` presses, then wait for idle; ``time.process_time``).
Prints the ratios to the bare app (Header + Static + Footer whose ``n`` updates the
Static) and checks them against the targets: first frame within 4x and per-step CPU
within 8x for figure1; 10x / 8x for campus.

    .venv/bin/python benchmarks/bench_tui.py [--steps N] [--repeat R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from pmipviz.scenario import load_scenario
from pmipviz.ui.app import PmipvizApp

SIZE = (120, 40)


class BareApp(App[None]):
    """The baseline: Header + Static + Footer; ``n`` updates the Static."""

    BINDINGS = [("n", "bump", "bump")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("0", id="counter")
        yield Footer()

    def action_bump(self) -> None:
        self.count += 1
        self.query_one("#counter", Static).update(str(self.count))


@dataclass
class Result:
    first_frame_s: float
    step_cpu_s: float


async def measure(make: Callable[[], App[None]], steps: int,
                  prepare: Callable[[App[None]], None] | None = None) -> Result:
    """First frame (wall) and CPU per ``n`` press of one app."""
    t0 = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        if prepare is not None:
            prepare(app)
            await pilot.pause()
        c0 = time.process_time()
        await pilot.press(*["n"] * steps)
        await pilot.pause()
        cpu = (time.process_time() - c0) / steps
    return Result(first, cpu)


def best(results: list[Result]) -> Result:
    return Result(min(r.first_frame_s for r in results),
                  statistics.median(r.step_cpu_s for r in results))


def run(steps: int, repeat: int) -> int:
    load_scenario("campus")  # warm the loader and imports outside the timings
    cases: list[tuple[str, Callable[[], App[None]], Callable[[App[None]], None] | None,
                      float, float]] = [
        ("figure1", lambda: PmipvizApp("figure1"),
         lambda a: a.seek(300), 4.0, 8.0),  # type: ignore[attr-defined]
        ("campus", lambda: PmipvizApp("campus"),
         lambda a: a.run_until(2500), 10.0, 8.0),  # type: ignore[attr-defined]
    ]
    asyncio.run(measure(BareApp, 10))  # warm-up
    asyncio.run(measure(lambda: PmipvizApp("figure1"), 10))
    bare = best([asyncio.run(measure(BareApp, steps)) for _ in range(repeat)])
    print(f"bare app       first frame {bare.first_frame_s * 1000:7.1f} ms   "
          f"cpu/step {bare.step_cpu_s * 1000:6.2f} ms")
    failed = False
    for name, make, prepare, frame_target, step_target in cases:
        r = best([asyncio.run(measure(make, steps, prepare)) for _ in range(repeat)])
        frame_ratio = r.first_frame_s / bare.first_frame_s
        step_ratio = r.step_cpu_s / bare.step_cpu_s
        ok = frame_ratio <= frame_target and step_ratio <= step_target
        failed |= not ok
        print(f"pmipviz {name:<7} first frame {r.first_frame_s * 1000:7.1f} ms "
              f"({frame_ratio:4.1f}x, target {frame_target:g}x)   "
              f"cpu/step {r.step_cpu_s * 1000:6.2f} ms ({step_ratio:4.1f}x, "
              f"target {step_target:g}x)   {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="presses of n per batch")
    parser.add_argument("--repeat", type=int, default=3, help="runs per app (best of)")
    args = parser.parse_args()
    return run(args.steps, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
