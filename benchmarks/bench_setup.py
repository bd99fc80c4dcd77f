"""Set-up benchmark: a generated campus-like scenario of N MNs (two interfaces each on
12 MAGs, a flow per MN, a fault per 5 MNs) is parsed and checked, then the World is
built (every attachment, flow start and fault scheduled). Prints the time per MN at
two sizes: equal figures mean linear set-up. Also the size of the file against the
10 MiB limit.

Run: .venv/bin/python benchmarks/bench_setup.py [--sizes 10000 20000]
"""

from __future__ import annotations

import argparse
import gc
import time

from pmipviz.scenario import parse_scenario
from pmipviz.scenario.limits import MAX_FILE_BYTES
from pmipviz.sim.world import World

MAGS = 12


def generate(mns: int) -> str:
    """The TOML text of a campus-like scenario with ``mns`` mobile nodes."""
    out = ['[scenario]\ntitle = "Set-up benchmark"\nduration_ms = 8000\n\n[lma]\nname = "LMA"\n'
           'address = "2001:db8:ffff::1"\nprefix_pool = "2001:db8::/32"\n']
    for m in range(MAGS):
        out.append(f'\n[[mag]]\nname = "MAG{m + 1}"\naddress = "2001:db8:ffff::{0x100 + m:x}"\n')
    out.append('\n[[cn]]\nname = "CN"\naddress = "2001:db8:cafe::1"\n')
    for i in range(mns):
        lli = f"{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}"
        out.append(
            f'\n[[mn]]\nid = "mn{i + 1}@campus.example"\ninterfaces = [\n'
            f'  {{ name = "IF1", mag = "MAG{i % MAGS + 1}", att = "ieee802.11", '
            f'lli = "02:00:01:{lli}", attach_ms = {i % 1000} }},\n'
            f'  {{ name = "IF2", mag = "MAG{(i + 1) % MAGS + 1}", att = "3gpp-eutran", '
            f'lli = "02:00:02:{lli}", attach_ms = {500 + i % 1000} }},\n]\n')
    for m in range(MAGS):
        out.append(f'\n[[link]]\nbetween = ["LMA", "MAG{m + 1}"]\ndelay_ms = 5\n')
    out.append('\n[[link]]\nbetween = ["CN", "LMA"]\ndelay_ms = 10\n')
    for i in range(mns):
        out.append(f'\n[[flow]]\nfrom = "CN"\nto = "mn{i + 1}@campus.example"\nrate_pps = 1\n'
                   "start_ms = 1500\nstop_ms = 6500\n")
    for i in range(0, mns, 5):
        out.append(f'\n[[fault]]\nat_ms = {2000 + i % 4000}\naction = "break"\n'
                   f'interface = "mn{i + 1}@campus.example/IF1"\n')
    return "".join(out)


def measure(mns: int) -> tuple[int, float, float]:
    """(file bytes, seconds to parse and check, seconds to build the World)."""
    text = generate(mns)
    gc.collect()
    start = time.perf_counter()
    scenario = parse_scenario(text, file="bench.toml")
    loaded = time.perf_counter()
    World(scenario)
    built = time.perf_counter()
    return len(text.encode()), loaded - start, built - loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(10_000, 20_000),
                        metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    rows = []
    for mns in args.sizes:
        size, load_s, world_s = measure(mns)
        rows.append((mns, size, load_s, world_s))
        print(f"{mns:>7,} MNs  {size / 1e6:5.1f} MB ({size / MAX_FILE_BYTES:4.0%} of the limit)"
              f"  load {load_s:6.2f} s ({load_s / mns * 1e6:4.0f} µs/MN)"
              f"  set-up {world_s:6.2f} s ({world_s / mns * 1e6:4.0f} µs/MN)")
    (small, _, l1, w1), (large, _, l2, w2) = rows
    print(f"per-MN time, {large:,} vs {small:,} MNs: load x{(l2 / large) / (l1 / small):.2f}, "
          f"set-up x{(w2 / large) / (w1 / small):.2f} (1.0 = linear, 2.0 = quadratic)")


if __name__ == "__main__":
    main()
