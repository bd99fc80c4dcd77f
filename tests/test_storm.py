"""The fault storm: random valid scenarios, run in both modes, checked for

- conservation, per flow and in total: every packet sent is delivered (to its own
  destination), dropped with a documented reason, or still queued, and ends at most
  once; ``queued`` agrees with the world's own count (links + MAG caches); the
  metrics' counters agree with the trace; ``lost_by_reason`` sums to ``lost``;
- trace order: ``i`` = 0..n-1, times never go back;
- determinism: two runs give byte-identical JSON-lines traces;
- drain: after the last attachment, fault and flow stop, and enough time for every
  timer (lifetimes, MinDelayBeforeBCEDelete, the PBU back-off), ``queued`` is 0;
- in ft mode, no loss for a flow whose preconditions hold (``no_loss_preconditions``).

Scenarios are TOML text built by a hypothesis strategy and loaded through the real
loader (so they are valid by its rules). ``make test`` runs a few derandomized
examples; ``make storm`` runs thousands (PMIPVIZ_STORM_EXAMPLES, and
PMIPVIZ_STORM_SEED for another sample than the fixed one). A failing example is
printed as its scenario file.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st

from pmipviz.protocol.constants import (
    INITIAL_BINDACK_TIMEOUT_MS,
    MAX_BINDACK_TIMEOUT_MS,
    MIN_DELAY_BEFORE_BCE_DELETE_MS,
)
from pmipviz.scenario import Scenario, parse_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import JsonlSink, TraceEvent

STORM_EXAMPLES = int(os.environ.get("PMIPVIZ_STORM_EXAMPLES", "0"))
STORM_SEED = os.environ.get("PMIPVIZ_STORM_SEED")
REASONS = {"link_down", "dereg_hold", "no_binding", "buffer_overflow", "link_loss",
           "no_address", "ttl"}
LARGE_CACHE = 100_000  # more than any generated scenario sends
ATTS = ("virtual", "ieee802.3", "ieee802.11", "3gpp-eutran")


def storm(examples: int) -> Any:
    """Settings for a storm test: ``examples`` in ``make test``, or the storm's count;
    derandomized (the same sample every time) unless PMIPVIZ_STORM_SEED is set."""
    configured = settings(
        max_examples=STORM_EXAMPLES or examples, deadline=None,
        derandomize=STORM_SEED is None, database=None, print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.large_base_example])

    def wrap(test: Any) -> Any:
        test = configured(test)
        return seed(int(STORM_SEED))(test) if STORM_SEED is not None else test
    return wrap


# -- the scenarios ----------------------------------------------------------------

@st.composite
def scenario_text(draw: st.DrawFn, clean: bool | None = None) -> str:
    """A random valid scenario as TOML. ``clean``: no link loss, large caches, short
    delays, and interface IF1 of every MN attaches at 0 and never fails, so that the
    ft no-loss preconditions can hold; None: drawn."""
    if clean is None:
        clean = draw(st.booleans())
    n_mags = draw(st.integers(2, 6))
    n_cns = draw(st.integers(1, 2))
    n_mns = draw(st.integers(1, 3))
    lifetime = draw(st.sampled_from([4, 8, 12, 40]))
    processing = draw(st.sampled_from([0, 0, 0, 0.5, 2]))
    delays = st.sampled_from([0, 0.5, 1, 2, 5, 10, 20]) if clean else \
        st.sampled_from([0, 0.5, 1, 2, 5, 10, 20, 300, 700])
    losses = st.just(0.0) if clean else st.sampled_from([0.0, 0.0, 0.0, 0.05, 0.2, 0.5])
    caches = st.just(LARGE_CACHE) if clean else st.sampled_from([0, 1, 2, 4, 8, LARGE_CACHE])
    out = [f'[scenario]\ntitle = "storm"\nmode = "ft"\nseed = {draw(st.integers(0, 999))}\n'
           f"duration_ms = 1000\nprocessing_ms = {processing}\n",
           '[lma]\nname = "LMA"\naddress = "2001:db8:ffff::1"\n'
           f'prefix_pool = "2001:db8:100::/40"\nlifetime_s = {lifetime}\n']
    mags = [f"MAG{i + 1}" for i in range(n_mags)]
    for i, mag in enumerate(mags):
        out.append(f'[[mag]]\nname = "{mag}"\naddress = "2001:db8:ffff::1{i + 1}"\n'
                   f"access_delay_ms = {draw(delays)}\n"
                   f"detection_ms = {draw(st.sampled_from([0, 1, 5, 20, 50]))}\n"
                   f"buffer_packets = {draw(caches)}\n")
    cns = [f"CN{j + 1}" for j in range(n_cns)]
    for j, cn in enumerate(cns):
        out.append(f'[[cn]]\nname = "{cn}"\naddress = "2001:db8:cafe::{j + 1}"\n')
    interfaces: list[str] = []
    mns = [f"mn{m + 1}@storm.example" for m in range(n_mns)]
    for m, mn in enumerate(mns):
        rows = []
        for k in range(draw(st.integers(1, 4))):
            attach = 0 if clean and k == 0 else draw(st.sampled_from([0, 0, 50, 300, 800]))
            rows.append(f'  {{ name = "IF{k + 1}", mag = "{draw(st.sampled_from(mags))}", '
                        f'att = "{draw(st.sampled_from(ATTS))}", '
                        f'lli = "02:00:00:00:{m + 1:02x}:{k + 1:02x}", attach_ms = {attach} }},')
            if not (clean and k == 0):
                interfaces.append(f"{mn}/IF{k + 1}")
        out.append(f'[[mn]]\nid = "{mn}"\ninterfaces = [\n' + "\n".join(rows) + "\n]\n")
    for node in (*mags, *cns):
        out.append(f'[[link]]\nbetween = ["LMA", "{node}"]\ndelay_ms = {draw(delays)}\n'
                   f"loss = {draw(losses)}\n")
    for _ in range(draw(st.integers(1, 3))):
        mn, cn = draw(st.sampled_from(mns)), draw(st.sampled_from(cns))
        src, dst = (cn, mn) if draw(st.booleans()) else (mn, cn)
        start = draw(st.sampled_from([200, 500, 1000]) if clean
                     else st.sampled_from([0, 100, 500, 1000]))
        length = draw(st.sampled_from([20, 300, 1000, 1500]))
        out.append(f'[[flow]]\nfrom = "{src}"\nto = "{dst}"\n'
                   f"rate_pps = {draw(st.sampled_from([10, 50, 100, 200]))}\n"
                   f"start_ms = {start}\nstop_ms = {start + length}\nsize_bytes = 100\n")
    if interfaces:
        for _ in range(draw(st.integers(0, 10))):
            action = draw(st.sampled_from(["break", "restore", "move"]))
            extra = f'to_mag = "{draw(st.sampled_from(mags))}"\n' if action == "move" else ""
            at = draw(st.integers(0, 300)) * 10 + draw(st.sampled_from([0, 0, 1, 5]))
            out.append(f'[[fault]]\nat_ms = {at}\naction = "{action}"\n'
                       f'interface = "{draw(st.sampled_from(interfaces))}"\n{extra}')
    return "\n".join(out)


def drain_until(sc: Scenario) -> float:
    """When a run is over: the last attachment, fault or flow stop, then long enough
    for the PBU back-off to give up, MinDelayBeforeBCEDelete, two lifetimes, and the
    slowest path a packet can take through every MAG's cache."""
    last = max([f.at_ms for f in sc.faults] + [f.stop_ms for f in sc.flows]
               + [i.attach_ms for mn in sc.mns for i in mn.interfaces])
    backoff, t = 0.0, INITIAL_BINDACK_TIMEOUT_MS
    while t <= MAX_BINDACK_TIMEOUT_MS:
        backoff, t = backoff + t, t * 2
    slowest_visit = (max(m.detection_ms + m.access_delay_ms for m in sc.mags)
                     + INITIAL_BINDACK_TIMEOUT_MS + 2 * max(ln.delay_ms for ln in sc.links)
                     + 4 * sc.processing_ms)
    return (last + backoff + MIN_DELAY_BEFORE_BCE_DELETE_MS + 2 * sc.lma.lifetime_s * 1000
            + len(sc.mags) * slowest_visit)


# -- the checks -----------------------------------------------------------------

class _Sha:
    """A text stream that only hashes what is written."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def write(self, text: str) -> int:
        self.h.update(text.encode())
        return len(text)


@dataclass
class TraceCheck:
    """A sink that checks order and one fate per packet as the trace streams by, and
    keeps what the no-loss preconditions need."""

    scenario: Scenario
    i: int = 0
    t_ms: float = 0.0
    sent: Counter[int] = field(default_factory=Counter)  # per flow
    delivered: Counter[int] = field(default_factory=Counter)
    lost: Counter[int] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    open: dict[int, int] = field(default_factory=dict)  # pid -> flow, not ended yet
    addressed: dict[str, float] = field(default_factory=dict)  # iface -> first address
    uplink_sends: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    buffer_events: int = 0

    def __call__(self, ev: TraceEvent) -> None:
        assert ev.i == self.i, (ev.i, self.i)
        assert ev.t_ms >= self.t_ms, (ev.i, ev.t_ms, self.t_ms)
        self.i += 1
        self.t_ms = ev.t_ms
        if ev.kind == "state" and ev.fields.get("table") == "iface" \
                and ev.fields.get("cause") == "address":
            self.addressed.setdefault(ev.node, ev.t_ms)
        if ev.msg != "DATA":
            return
        f = ev.fields
        pid, flow = f["pid"], f["flow"]
        if ev.kind == "send" and f["hop"] == 0:
            assert pid not in self.open, f"pid {pid} sent twice"
            self.open[pid] = flow
            self.sent[flow] += 1
            if "/" in ev.node:
                self.uplink_sends.setdefault((flow, ev.node), []).append(ev.t_ms)
        elif ev.kind in ("deliver", "drop"):
            assert self.open.pop(pid, None) == flow, f"pid {pid} ends twice or never began"
            if ev.kind == "deliver":
                spec = self.scenario.flows[flow]
                assert ev.node == spec.dst or ev.node.startswith(spec.dst + "/"), ev
                self.delivered[flow] += 1
            else:
                assert f["reason"] in REASONS, f["reason"]
                self.reasons[f["reason"]] += 1
                self.lost[flow] += 1
        elif ev.kind == "buffer":
            self.buffer_events += 1


def run_checked(sc: Scenario, mode: str) -> TraceCheck:
    """Run ``sc`` twice in ``mode`` to its drain time and check every invariant."""
    until = drain_until(sc)
    check, sha = TraceCheck(sc), _Sha()
    metrics, world = run(sc, mode=mode, until_ms=until, sinks=[check, JsonlSink(sha)])
    again = _Sha()
    run(sc, mode=mode, until_ms=until, sinks=[JsonlSink(again)])
    assert sha.h.digest() == again.h.digest(), "two runs gave different traces"
    d = metrics.to_dict()
    queued = Counter(check.open.values())
    for k, flow in enumerate(d["flows"]):
        assert check.sent[k] == check.delivered[k] + check.lost[k] + queued[k]
        assert (flow["sent"], flow["delivered"], flow["lost"]) == \
            (check.sent[k], check.delivered[k], check.lost[k])
    assert d["sent"] == d["delivered"] + d["lost"] + d["queued"]
    assert d["queued"] == len(check.open) == world.queued()
    assert d["lost_by_reason"] == dict(sorted(check.reasons.items()))
    assert sum(d["lost_by_reason"].values()) == d["lost"]
    assert d["duplicated"] == 0
    assert d["queued"] == 0, f"stuck after draining to {until} ms: {sorted(check.open)[:10]}"
    if mode == "rfc5213":
        assert check.buffer_events == 0 and "buffer_overflow" not in check.reasons
    else:
        assert "dereg_hold" not in check.reasons
    return check


def no_loss_preconditions(sc: Scenario, check: TraceCheck, k: int) -> bool:
    """Whether ft mode must deliver every packet of flow ``k``. In the model:

    1. no link loss on any link, and every MAG's cache holds every packet sent
       (buffer_packets >= the packets of all flows);
    2. the MN has an interface that no fault names and that has its address (its RA
       arrived) before the flow's start_ms: the LMA then always has an entry with S=1
       for the MN, and the MN always has an interface to send from;
    3. MN -> CN only: no packet of the flow is on the access link (or waiting for
       processing) of an interface of the MN at the moment that interface breaks or
       moves, i.e. none sent on it in [at_ms - access_delay_ms - processing_ms, at_ms];
       such a packet reaches a MAG that may already have de-registered the interface
       and is dropped (no_binding). A CN -> MN packet on a breaking access link is not
       lost: it comes back to the MAG, which caches it or sends it back up.

    The scenarios carry none of the teaching knobs (unauthorized MAGs, omitted
    options, clock offsets, unknown MNs), which refuse registrations on purpose."""
    total = sum(check.sent.values())
    if any(ln.loss > 0 for ln in sc.links) or any(m.buffer_packets < total for m in sc.mags):
        return False
    spec = sc.flows[k]
    downlink = spec.src in {c.name for c in sc.cns}
    mn = sc.mn(spec.dst if downlink else spec.src)
    named = {f.interface for f in sc.faults}
    keys = [f"{mn.id}/{i.name}" for i in mn.interfaces]
    if not any(key not in named and check.addressed.get(key, spec.start_ms) < spec.start_ms
               for key in keys):
        return False
    if downlink:
        return True
    window = max(m.access_delay_ms for m in sc.mags) + sc.processing_ms
    for fault in sc.faults:
        if fault.action in ("break", "move") and fault.interface in keys:
            sends = check.uplink_sends.get((k, fault.interface), [])
            if any(fault.at_ms - window <= t <= fault.at_ms for t in sends):
                return False
    return True


def check_both_modes(text: str) -> list[bool]:
    """Run both modes; in ft, assert no loss where the preconditions hold. Returns,
    per flow, whether they held."""
    note(text)
    sc = parse_scenario(text, file="<storm>", name="storm")
    run_checked(sc, "rfc5213")
    check = run_checked(sc, "ft")
    held = [no_loss_preconditions(sc, check, k) for k in range(len(sc.flows))]
    for k, ok in enumerate(held):
        if ok:
            assert check.lost[k] == 0, (k, dict(check.reasons))
    return held


@storm(examples=4)
@given(scenario_text())
def test_storm(text: str) -> None:
    check_both_modes(text)


@storm(examples=4)
@given(scenario_text(clean=True))
def test_storm_clean_ft_loses_nothing_under_the_preconditions(text: str) -> None:
    held = check_both_modes(text)
    # IF1 of every MN attaches at 0 and never fails: a CN -> MN flow always qualifies
    sc = parse_scenario(text)
    cns = {c.name for c in sc.cns}
    assert all(ok for ok, f in zip(held, sc.flows, strict=True) if f.src in cns)
