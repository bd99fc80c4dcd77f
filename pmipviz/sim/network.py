"""The network a scenario describes, as the world runs it: the nodes (the LMA and MAG
machines, the MN interfaces), the links, the clock, the links carrying a message
(``transmit``) and the trace every step is reported to (``emit``).

The world's other responsibilities build on this base, one module each: the MN host
(``host``), control messages, timers and table changes (``control``), the data plane
(``dataplane``), flows (``flows``) and faults (``faults``); ``world`` puts them together."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from heapq import heappush
from ipaddress import IPv6Address, IPv6Network
from typing import TYPE_CHECKING, Any

import simpy

from pmipviz.protocol.actions import Action
from pmipviz.protocol.keys import IfaceKey
from pmipviz.protocol.lma import Lma, LmaConfig
from pmipviz.protocol.mag import Mag, MagConfig
from pmipviz.protocol.messages import address_text
from pmipviz.protocol.vocab import Reason
from pmipviz.protocol.why import Note
from pmipviz.scenario.model import Scenario
from pmipviz.sim.addressing import interface_id, mag_link_local
from pmipviz.sim.trace import Describe, TraceEvent
from pmipviz.sim.why import SimWhy

if TYPE_CHECKING:
    from pmipviz.sim.steps import StepFn, StepTagger

Sink = Callable[[TraceEvent], None]

# simpy's priority of a Timeout (``simpy.events.NORMAL``), for ``schedule``
_NORMAL = 1


def schedule(env: simpy.Environment, delay: float, event: Any) -> None:
    """Put ``event`` on simpy's queue to be processed ``delay`` after now, exactly as a
    ``Timeout(delay)`` would be (the same time, priority and insertion number, so the
    same order): ``Environment.schedule`` written out, without the Timeout. ``event``
    is any object with a ``callbacks`` slot holding what ``Environment.step`` calls
    with it, and ``_ok = True`` (the hot path's ``_Call`` and ``dataplane``'s
    arrivals: one object per scheduled step, no Timeout, no closure). simpy 4.1.2's
    internals (pinned), like ``env._now`` below."""
    queue: list[Any] = env._queue
    heappush(queue, (env._now + delay, _NORMAL, next(env._eid), event))


class _Call:
    """A call scheduled on the simpy queue (``Network.after``): ``fn(*args)``."""

    __slots__ = ("args", "callbacks", "fn")
    _ok = True  # what Environment.step checks after the callbacks

    def __init__(self, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.callbacks: tuple[Callable[[_Call], None], ...] | None = _CALL

    def run(self) -> None:
        self.fn(*self.args)


_CALL = (_Call.run,)  # every _Call's callbacks: Environment.step calls _Call.run(call)


@dataclass
class Link:
    """A wired link with a delay and a seeded loss probability."""

    a: str
    b: str
    delay_ms: float
    loss: float
    rng: random.Random

    def lost(self) -> bool:
        return self.loss > 0.0 and self.rng.random() < self.loss


@dataclass
class Iface:
    """Run-time state of one MN interface."""

    key: str  # str(IfaceKey(mn_id, name)): the interface's node name in the trace
    mn_id: str
    name: str
    lli: bytes
    att: int
    home_mag: str
    mag: str | None = None  # the MAG it is attached to
    up: bool = False
    hnps: tuple[IPv6Network, ...] = ()
    address: IPv6Address | None = None
    order: int = 0
    broken: bool = False  # broken before it ever attached: it waits for a restore
    attach_hi: int = 1  # the HI of the PBU its first attach triggers (scenario attach_hi)
    # its default router (RFC 4861 §6.3.4): the source of the last RA it took, and the
    # MAG that sent it (RFC 5213 §6.8: the same across a handoff)
    router: IPv6Address | None = None
    router_mag: str | None = None
    # issue 10 item 1: the interface identifier of its address (its own modified EUI-64,
    # or the MN's logical interface's when ``addressing = "shared"``), its address as an
    # int (-1: none; what the data plane compares), the MN's host model, and the other
    # interfaces' addresses it has already received a packet for (narrated once each)
    iid: int = 0
    addr_int: int = -1
    strong: bool = False
    foreign_seen: set[int] = field(default_factory=set)
    # issue 10 item 4: the access link's generation, bumped each time a break or a move
    # takes the interface off its link (a DATA hop on the link records it when it starts
    # and is lost if it changed when it arrives), with the time and the fault that did it
    gen: int = 0
    cut_ms: float = 0.0
    cut_by: str = ""
    # down, but the MN has not noticed yet (its detection_ms): its uplink still goes out
    # of this interface, and is lost
    unnoticed: bool = False
    # issue 10 item 7 (rfc5213_handoff = "hi2"): the addresses of lost interfaces it
    # took over (as ints), which it accepts as its own
    adopted: set[int] = field(default_factory=set)

    def row(self) -> dict[str, Any]:
        row = {
            "mn_id": self.mn_id,
            "interface": self.name,
            "mag": self.mag,
            "up": self.up,
            "hnp": [address_text(p) for p in self.hnps],
            "address": address_text(self.address) if self.address else None,
            "broken": self.broken,
            "router": address_text(self.router) if self.router else None,
        }
        if self.adopted:  # only after a HI=2 handoff (every other trace unchanged)
            row["adopted"] = [address_text(IPv6Address(a)) for a in sorted(self.adopted)]
        return row


class Network:
    """The scenario's nodes and links on a simpy Environment, and the trace."""

    steps: StepTagger | None  # the Figure 1 step tagger (ft mode), set by the World
    _tag: StepFn | None  # its ``step`` method (emit calls it per event), set with it
    _handlers: dict[type, Callable[[str, Any], None]]  # action type -> its executor
    # a run whose only sink is the metrics (a sweep's, ``world.MetricsOnlyWorld``): no
    # Figure 1 step. A class attribute, not one more instance one: a 30th instance
    # attribute made every run 2.4% slower (cachegrind instructions, CPython 3.11)
    metrics_only = False

    def __init__(self, scenario: Scenario, mode: str | None, seed: int | None,
                 sinks: Iterable[Sink], describe: Describe | None) -> None:
        self.scenario = scenario
        self.describe = describe  # writes the notes (lesson.sentences), when one is read
        self.mode = mode or scenario.mode
        self.seed = scenario.seed if seed is None else seed
        self.env = simpy.Environment(initial_time=0.0)
        self.sinks: list[Sink] = list(sinks)
        self.count = 0
        self.inflight = 0  # DATA packets on a link or waiting to be processed
        self.lma_name = scenario.lma.name
        self.cn_addr = {c.name: c.address for c in scenario.cns}
        self.int_cn = {int(c.address): c.name for c in scenario.cns}
        self.mag_addr = {m.name: m.address for m in scenario.mags}
        self.addr_mag = {m.address: m.name for m in scenario.mags}
        self.mag_index = {m.name: i for i, m in enumerate(scenario.mags)}
        self.access_delay = {m.name: m.access_delay_ms for m in scenario.mags}
        self.tunnels = {m.name: f"Tunnel{i + 1}" for i, m in enumerate(scenario.mags)}
        self.links: dict[tuple[str, str], Link] = {}
        for ln in scenario.links:
            rng = random.Random(f"{self.seed}/{'-'.join(sorted((ln.a, ln.b)))}")
            link = Link(ln.a, ln.b, ln.delay_ms, ln.loss, rng)
            self.links[(ln.a, ln.b)] = self.links[(ln.b, ln.a)] = link
        self._processing = scenario.processing_ms
        self._node_text = {m.name: address_text(m.address) for m in scenario.mags}
        self._node_text[scenario.lma.name] = address_text(scenario.lma.address)
        self.lma = Lma(LmaConfig(
            mode=self.mode, address=scenario.lma.address, prefix_pool=scenario.lma.prefix_pool,
            mags={m.address: m.name for m in scenario.mags if m.authorized},
            known_mns={mn.id for mn in scenario.mns if mn.known},
            unauthorized_mns={mn.id for mn in scenario.mns if not mn.authorized},
            lifetime_s=scenario.lma.lifetime_s, tunnels=self.tunnels))
        self.mags: dict[str, Mag] = {}
        for i, m in enumerate(scenario.mags):
            self.mags[m.name] = Mag(MagConfig(
                name=m.name, address=m.address, lma_address=scenario.lma.address,
                link_local=mag_link_local(i), mode=self.mode, lifetime_s=scenario.lma.lifetime_s,
                detection_ms=m.detection_ms, buffer_packets=m.buffer_packets,
                omit_options=m.omit_options, clock_offset_ms=m.clock_offset_ms))
        self.ifaces: dict[str, Iface] = {}
        self.mn_ifaces: dict[str, list[Iface]] = {}
        self._attach_ms: dict[str, float] = {}  # interface key -> its scenario attach time
        for mn in scenario.mns:
            for k, itf in enumerate(mn.interfaces):
                iface = Iface(str(IfaceKey(mn.id, itf.name)), mn.id, itf.name, itf.lli, itf.att,
                              itf.mag, order=k, attach_hi=itf.attach_hi)
                iface.iid = interface_id(mn.interfaces[0].lli if mn.addressing == "shared"
                                         else itf.lli)
                iface.strong = mn.host == "strong"
                self.ifaces[iface.key] = iface
                self.mn_ifaces.setdefault(mn.id, []).append(iface)
                self._attach_ms[iface.key] = itf.attach_ms
        # issue 10 item 4: how long each MN takes to notice that an interface went down
        self.mn_detection = {mn.id: mn.detection_ms for mn in scenario.mns}

    def iface_by_lli(self, mn_id: str, lli: bytes | None) -> Iface | None:
        """The MN's interface with link-layer identifier ``lli`` (an entry's MN-LL-Id)."""
        for iface in self.mn_ifaces.get(mn_id, ()):
            if iface.lli == lli:
                return iface
        return None

    def active_iface(self, mn_id: str) -> Iface | None:
        """The MN's interface in use: the first one that is up with an address."""
        for iface in self.mn_ifaces[mn_id]:
            if iface.up and iface.address is not None:
                return iface
        return None

    def uplink_iface(self, mn_id: str) -> Iface | None:
        """The interface the MN sends its uplink out of: the first one that is up with an
        address, as the MN sees it: one that went down less than the MN's
        ``detection_ms`` ago (``unnoticed``) still counts, and what goes out of it is
        lost (issue 10 item 4)."""
        for iface in self.mn_ifaces[mn_id]:
            if (iface.up or iface.unnoticed) and iface.address is not None:
                return iface
        return None

    # -- the clock --------------------------------------------------------------

    def at(self, t_ms: float, fn: Callable[..., None], *args: Any) -> None:
        """Call ``fn(*args)`` at absolute simulated time ``t_ms`` (scheduled from now)."""
        self.after(t_ms - self.env.now, fn, *args)

    def after(self, delay_ms: float, fn: Callable[..., None], *args: Any) -> None:
        """Call ``fn(*args)`` after ``delay_ms`` (in the order a Timeout would)."""
        schedule(self.env, delay_ms, _Call(fn, args))

    @property
    def now(self) -> float:
        return float(self.env.now)

    # -- the trace ----------------------------------------------------------

    def emit(self, kind: str, node: str, peer: str | None, msg: str | None,
             fields: dict[str, Any], note: str | Note) -> TraceEvent:
        """Report one step to every sink. ``kind`` and ``msg`` are words of
        ``protocol.vocab`` (``Kind``, ``Msg``); the DATA path passes them as plain string
        literals, deliberately: an exact ``str`` keeps CPython's fast string compares in
        every sink, and DATA is almost every event. The step tagger (ft mode) gives the
        event its Figure 1 step from the events before it."""
        tag = self._tag
        step = tag(kind, node, peer, msg, fields) if tag is not None else None
        # env._now: simpy 4.1.2's clock (pinned), read without the property call
        ev = TraceEvent(self.count, self.env._now, kind, node, peer, msg, fields, step, note,
                        self.describe)
        self.count += 1
        for sink in self.sinks:
            sink(ev)
        return ev

    def emit_recv(self, src: str, dst: str, fields: dict[str, Any],
                  note: Note, step: int | None) -> None:
        """A DATA hop's arrival, with its send's step (what the tagger would say: an
        arrival changes nothing in its fold, so it is not asked). The lines of ``emit``
        again, deliberately: a third of all events, without one more call."""
        ev = TraceEvent(self.count, self.env._now, "recv", dst, src, "DATA", fields, step, note,
                        self.describe)
        self.count += 1
        for sink in self.sinks:
            sink(ev)

    # -- the machines' actions and the links ------------------------------------------

    def run_actions(self, node: str, actions: list[Action]) -> None:
        """Carry out what a protocol machine asked for (``_handlers``: the World's table
        of executors, in ``control`` and ``dataplane``)."""
        for a in actions:
            self._handlers[type(a)](node, a)

    def _link(self, a: str, b: str) -> Link:
        return self.links[(a, b)]

    def transmit(self, src: str, dst: str, delay: float, link: Link | None, msg: str,
                 fields: dict[str, Any], note: str | Note,
                 arrive: Callable[[], None],
                 recv_kind: str | None = "recv", recv_note: Note = (),
                 ref: str | None = None) -> None:
        """Emit ``send`` now and ``recv`` (or a ``drop``) after the link delay, then call
        ``arrive`` (after the node's processing time). ``ref`` (the rule a protocol
        machine sent it by) goes on the ``send`` only. (A DATA packet's hop is
        ``dataplane.DataPlane._hop``, the same steps unrolled for the hot path.)"""
        self.emit("send", src, dst, msg, fields if ref is None else {**fields, "ref": ref},
                  note)
        lost = link is not None and link.lost()

        def done() -> None:
            if lost:
                f = dict(fields)
                f["reason"] = Reason.LINK_LOSS
                self.emit("drop", dst, src, msg, f,
                          (SimWhy.LINK_LOSS, msg, src, dst, link.loss if link else 0))
                return
            if recv_kind is not None:
                self.emit(recv_kind, dst, src, msg, fields,
                          recv_note or (SimWhy.RECV, dst, msg, src))
            if self._processing > 0:
                self.after(self._processing, arrive)
            else:
                arrive()

        self.after(delay, done)
