"""Memory benchmark: what a run keeps, measured with tracemalloc (Python allocations,
not the OS's view).

- Headless: the peak traced memory of ``run`` (metrics folded, nothing stored) for
  figure1 with one flow of ``--packets`` packets and with a tenth of them; the
  difference over the extra packets delivered is the memory per delivered packet
  (0 when nothing grows with the run).
- TUI core: a ``Simulation`` of campus stepped to the end, as the TUI does: traced
  memory per event, and the parts that grow with the run (the compressed trace, the
  view's snapshots) apart from the constant ones (the world, the decoded blocks, the
  journals since the latest snapshot).

Run: make bench   (or .venv/bin/python benchmarks/bench_memory.py [--packets N]; the
default 1,000,000 takes minutes under tracemalloc, --packets 100000 a minute)
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from dataclasses import replace

from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.simulation import Simulation

RATE_PPS = 1000.0


def one_flow(packets: int) -> Scenario:
    """figure1 (IF1 breaks at 1000 ms, the stream moves to IF2) with one downlink
    flow of ``packets`` packets at 1000/s and 1% loss on the LMA-MAG2 link."""
    sc = load_scenario("figure1")
    flow = replace(sc.flows[0], rate_pps=RATE_PPS, start_ms=500.0,
                   stop_ms=500.0 + packets * 1000.0 / RATE_PPS)
    links = tuple(replace(ln, loss=0.01) if {ln.a, ln.b} == {"LMA", "MAG2"} else ln
                  for ln in sc.links)
    return sc.with_changes(flows=(flow,), links=links, duration_ms=flow.stop_ms + 1000.0)


def headless_peak(packets: int) -> tuple[int, int, int, float, int, int]:
    """(peak traced bytes, delivered, lost, wall s, numbers in the delivery windows,
    step tags left behind) of one headless run."""
    sc = one_flow(packets)
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    metrics, world = run(sc)
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    window = sum(len(f.seen) for f in metrics.flows)
    # ft mode tags the packets of a multihomed MN at the LMA and forgets the tag on
    # delivery: a packet lost after the LMA leaves its tag behind (see README)
    tags = world.steps.held if world.steps is not None else 0
    return peak, metrics.delivered, metrics.lost, wall, window, tags


def tui_core() -> None:
    """Campus stepped to the end in a Simulation, traced memory per event."""
    campus = load_scenario("campus")
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sim = Simulation(campus, prefetch=4096)
    start = time.perf_counter()
    while sim.step() is not None:
        pass
    forward = time.perf_counter() - start
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    events = sim.total
    trace = sim.trace.compressed_bytes
    snaps = sum(len(s) for s in sim._snapshots.values())
    start = time.perf_counter()
    sim.seek(0)
    sim.seek(events)
    round_trip = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(2 * sim.checkpoint_events):
        sim.back()
    back = (time.perf_counter() - start) / (2 * sim.checkpoint_events)
    print(f"TUI core, campus: {events:,} events stepped to the end in {forward:.1f} s")
    print(f"  traced memory held   {held / 1e6:6.1f} MB   {held / events:6.0f} B/event")
    print(f"  of which grows with the run: compressed trace {trace / events:4.1f} B/event, "
          f"view snapshots {snaps / events:4.1f} B/event ({len(sim._snapshots)} of them)")
    print(f"  seek 0 and back to the end {round_trip * 1000:.0f} ms; "
          f"stepping back one event {back * 1e6:.0f} us on average")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000,
                        help="packets of the big headless flow (the small one: a tenth)")
    args = parser.parse_args()
    small_n, big_n = args.packets // 10, args.packets
    small = headless_peak(small_n)
    big = headless_peak(big_n)
    for n, (peak, delivered, lost, wall, window, tags) in ((small_n, small), (big_n, big)):
        print(f"headless, one flow of {n:>9,} packets: peak traced {peak / 1e6:6.2f} MB "
              f"(delivered {delivered:,}, lost {lost:,}; {wall:.1f} s under tracemalloc)")
        print(f"  left at the end: {window} numbers in the delivery window, {tags:,} step "
              f"tags of lost packets")
    per_packet = (big[0] - small[0]) / max(1, big[1] - small[1])
    print(f"  bytes per delivered packet (peak difference / extra deliveries): "
          f"{per_packet:.3f}")
    tui_core()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
