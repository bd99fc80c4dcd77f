"""The storm's checks, shared by test_storm.py and test_properties.py:
run a scenario to its drain time (twice, for determinism) and check conservation per
flow, trace order, one fate per packet, drain to ``queued == 0``, and the ft no-loss
preconditions."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pmipviz.protocol.constants import (
    INITIAL_BINDACK_TIMEOUT_MS,
    MAX_BINDACK_TIMEOUT_MS,
    MIN_DELAY_BEFORE_BCE_DELETE_MS,
)
from pmipviz.scenario import Scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import JsonlSink, TraceEvent

REASONS = {"link_down", "dereg_hold", "no_binding", "buffer_overflow", "link_loss",
           "no_address", "ttl", "tunnel_down"}


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
    # (flow, iface) -> times a MAG sent one of the flow's packets down to that interface
    access_sends: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    buffer_events: int = 0
    held: set[str] = field(default_factory=set)  # BCE keys in dereg-hold now
    held_ever: bool = False

    def __call__(self, ev: TraceEvent) -> None:
        assert ev.i == self.i, (ev.i, self.i)
        assert ev.t_ms >= self.t_ms, (ev.i, ev.t_ms, self.t_ms)
        self.i += 1
        self.t_ms = ev.t_ms
        if ev.kind == "state" and ev.fields.get("table") == "iface" \
                and ev.fields.get("cause") == "address":
            self.addressed.setdefault(ev.node, ev.t_ms)
        if ev.kind == "state" and ev.fields.get("table") == "bce":
            self._bce(ev.fields)
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
        elif ev.kind == "send" and ev.peer is not None and "/" in ev.peer:
            self.access_sends.setdefault((flow, ev.peer), []).append(ev.t_ms)
        elif ev.kind in ("deliver", "drop"):
            assert self.open.pop(pid, None) == flow, f"pid {pid} ends twice or never began"
            if ev.kind == "drop" and f["reason"] == "dereg_hold":
                assert self.held, f"pid {pid} dropped as dereg_hold with no entry held"
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

    def _bce(self, f: dict[str, Any]) -> None:
        """Track the entries held after a de-registration (RFC 5213 §5.3.5); in ft mode
        only an MN that is not multihomed (M=0) has one (issue 10 item 2)."""
        after, key = f["after"], f["key"]
        if after is not None and after["state"] == "dereg-hold":
            if key not in self.held and after["s"] is not None:  # ft: a new hold
                assert f["cause"] == "dereg_hold" and after["m"] == 0, f
            self.held.add(key)
            self.held_ever = True
        else:
            self.held.discard(key)


def run_checked(sc: Scenario, mode: str, twice: bool = True) -> TraceCheck:
    """Run ``sc`` in ``mode`` to its drain time and check every invariant; ``twice``:
    run it again and compare the JSON-lines traces byte for byte."""
    until = drain_until(sc)
    check, sha = TraceCheck(sc), _Sha()
    metrics, world = run(sc, mode=mode, until_ms=until, sinks=[check, JsonlSink(sha)])
    if twice:
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
    else:  # ft: only a single-homed MN's (M=0) entry is held, as RFC 5213 §5.3.5
        assert "dereg_hold" not in check.reasons or check.held_ever
    return check


def no_loss_preconditions(sc: Scenario, check: TraceCheck, k: int) -> bool:
    """Whether ft mode must deliver every packet of flow ``k``. In the model:

    1. no link loss on any link, and every MAG's cache holds every packet sent
       (buffer_packets >= the packets of all flows);
    2. the MN has an interface that no fault names and that has its address (its RA
       arrived) before the flow's start_ms: the LMA then always has an entry with S=1
       for the MN, and the MN always has an interface to send from;
    3. no packet of the flow is on the access link of an interface of the MN at the
       moment that interface breaks or moves, i.e. none sent on it in
       [at_ms - access_delay_ms, at_ms]: such a packet is lost with the link
       (``link_down``, issue 10 item 4), in both directions. MN -> CN, also none
       waiting for processing at the MAG (``processing_ms`` more): it reaches a MAG
       that may already have de-registered the interface and is dropped (no_binding).
       (A CN -> MN packet that has crossed the link is the MN's: a break while the MN
       processes it does not undo that.)
    4. MN -> CN only: the MN notices a broken interface at once (its ``detection_ms``
       is 0), or none of its interfaces breaks.

    The scenarios carry none of the teaching knobs (unauthorized MAGs, omitted
    options, clock offsets, unknown MNs), which refuse registrations on purpose."""
    total = sum(check.sent.values())
    if any(ln.loss > 0 for ln in sc.links) or any(m.buffer_packets < total for m in sc.mags):
        return False
    if any(not m.authorized or m.omit_options or m.clock_offset_ms for m in sc.mags) \
            or not all(mn.known for mn in sc.mns):
        return False
    spec = sc.flows[k]
    downlink = spec.src in {c.name for c in sc.cns}
    mn = sc.mn(spec.dst if downlink else spec.src)
    named = {f.interface for f in sc.faults}
    keys = [f"{mn.id}/{i.name}" for i in mn.interfaces]
    if not any(key not in named and check.addressed.get(key, spec.start_ms) < spec.start_ms
               for key in keys):
        return False
    if not downlink and mn.detection_ms > 0 and any(
            f.action == "break" and f.interface in keys for f in sc.faults):
        return False  # 4. it sends out of a broken interface until it notices (item 4)
    return not on_a_link_that_breaks(sc, check, k)


def on_a_link_that_breaks(sc: Scenario, check: TraceCheck, k: int) -> bool:
    """Precondition 3 of ``no_loss_preconditions`` fails: a packet of flow ``k`` may be
    on the access link of an interface of its MN (or, MN -> CN, waiting for processing
    at the MAG) when a break or a move of that interface takes it off the link."""
    spec = sc.flows[k]
    downlink = spec.src in {c.name for c in sc.cns}
    mn = sc.mn(spec.dst if downlink else spec.src)
    keys = [f"{mn.id}/{i.name}" for i in mn.interfaces]
    window = max(m.access_delay_ms for m in sc.mags) + (0 if downlink else sc.processing_ms)
    on_link = check.access_sends if downlink else check.uplink_sends
    for fault in sc.faults:
        if fault.action in ("break", "move") and fault.interface in keys:
            sends = on_link.get((k, fault.interface), [])
            if any(fault.at_ms - window <= t <= fault.at_ms for t in sends):
                return True
    return False
