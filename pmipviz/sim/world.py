"""The simpy world: nodes wrap the protocol machines, links carry messages with
delay and seeded loss, flows send CBR data, faults break / restore / move
interfaces. Every step is reported as one TraceEvent to the sinks."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv6Address, IPv6Network
from typing import Any

import simpy

from pmipviz.protocol.actions import (
    Action,
    Cache,
    Drop,
    Forward,
    SendPba,
    SendPbu,
    SendRa,
    StartTimer,
    StateChange,
    Uncache,
)
from pmipviz.protocol.constants import HandoffIndicator
from pmipviz.protocol.lma import Lma, LmaConfig
from pmipviz.protocol.mag import Mag, MagConfig
from pmipviz.protocol.messages import (
    DataPacket,
    Pbu,
    RouterAdvertisement,
    RouterSolicitation,
    address_text,
)
from pmipviz.protocol.timers import Timer
from pmipviz.protocol.vocab import Cause, FaultAction, Kind, Msg, Reason, Table
from pmipviz.protocol.why import Note
from pmipviz.scenario.model import Fault, Flow, Scenario
from pmipviz.sim.addressing import address_in, link_local, mag_link_local, mag_lli
from pmipviz.sim.steps import tagger_for
from pmipviz.sim.trace import Describe, TraceEvent
from pmipviz.sim.why import SimWhy

Sink = Callable[[TraceEvent], None]
HOP_LIMIT = 64


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

    key: str
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

    def row(self) -> dict[str, Any]:
        return {
            "mn_id": self.mn_id,
            "interface": self.name,
            "mag": self.mag,
            "up": self.up,
            "hnp": [address_text(p) for p in self.hnps],
            "address": address_text(self.address) if self.address else None,
            "broken": self.broken,
        }


@dataclass
class FlowState:
    """Run-time state of one CBR flow."""

    index: int
    spec: Flow
    downlink: bool  # CN -> MN
    mn_id: str
    cn: str
    interval_ms: float
    n: int = 0
    dst: IPv6Address | None = None  # downlink: fixed at the first packet
    addr_cache: tuple[Any, tuple[int, int, str, str]] | None = None


class World:
    """Builds the network of a scenario and runs it on a simpy Environment."""

    def __init__(self, scenario: Scenario, mode: str | None = None, seed: int | None = None,
                 sinks: Iterable[Sink] = (), schedule_faults: bool = True,
                 describe: Describe | None = None) -> None:
        self.scenario = scenario
        self.describe = describe  # writes the notes (lesson.sentences), when one is read
        self.mode = mode or scenario.mode
        self.seed = scenario.seed if seed is None else seed
        self.env = simpy.Environment(initial_time=0.0)
        self.sinks: list[Sink] = list(sinks)
        self.count = 0
        self.inflight = 0
        self._pid = 0
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
        for mn in scenario.mns:
            for k, itf in enumerate(mn.interfaces):
                iface = Iface(f"{mn.id}/{itf.name}", mn.id, itf.name, itf.lli, itf.att, itf.mag,
                              order=k)
                self.ifaces[iface.key] = iface
                self.mn_ifaces.setdefault(mn.id, []).append(iface)
        self.flows = [self._flow_state(i, f) for i, f in enumerate(scenario.flows)]
        self.steps = tagger_for(scenario, self.mode)  # Figure 1 steps, folded from the trace
        self._tag = self.steps.step if self.steps is not None else None
        self._handlers = self._handler_table()
        self._attach_ms: dict[str, float] = {}
        self._schedule(scenario, schedule_faults)

    # -- set-up -------------------------------------------------------------

    def _flow_state(self, index: int, flow: Flow) -> FlowState:
        downlink = flow.src in self.cn_addr
        mn_id, cn = (flow.dst, flow.src) if downlink else (flow.src, flow.dst)
        return FlowState(index, flow, downlink, mn_id, cn, 1000.0 / flow.rate_pps)

    def _schedule(self, scenario: Scenario, schedule_faults: bool) -> None:
        # linear: the specs are walked in the order self.ifaces was built from them
        for mn in scenario.mns:
            for spec in mn.interfaces:
                iface = self.ifaces[f"{mn.id}/{spec.name}"]
                self._attach_ms[iface.key] = spec.attach_ms
                self.at(spec.attach_ms, self._attach_initial, iface)
        for flow in self.flows:
            if flow.spec.start_ms < flow.spec.stop_ms:
                self.at(flow.spec.start_ms, self._flow_tick, flow)
        if schedule_faults:
            for fault in scenario.faults:
                self.at(fault.at_ms, self.apply_fault, fault)

    def at(self, t_ms: float, fn: Callable[..., None], *args: Any) -> None:
        """Call ``fn(*args)`` at absolute simulated time ``t_ms`` (scheduled from now)."""
        self.after(t_ms - self.env.now, fn, *args)

    def after(self, delay_ms: float, fn: Callable[..., None], *args: Any) -> None:
        """Call ``fn(*args)`` after ``delay_ms``."""
        ev = self.env.timeout(delay_ms)
        ev.callbacks.append(lambda _e: fn(*args))

    def _after_event(self, delay_ms: float, fn: Callable[[Any], None]) -> None:
        """Call ``fn(event)`` after ``delay_ms`` (the hot path: no extra closure)."""
        self.env.timeout(delay_ms).callbacks.append(fn)

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

    @property
    def now(self) -> float:
        return float(self.env.now)

    # -- transmission -------------------------------------------------------

    def _link(self, a: str, b: str) -> Link:
        return self.links[(a, b)]

    def transmit(self, src: str, dst: str, delay: float, link: Link | None, msg: str,
                 fields: dict[str, Any], note: str | Note,
                 arrive: Callable[[], None],
                 recv_kind: str | None = "recv", recv_note: Note = (),
                 ref: str | None = None) -> None:
        """Emit ``send`` now and ``recv`` (or a ``drop``) after the link delay. ``ref``
        (the rule a protocol machine sent it by) goes on the ``send`` only."""
        self.emit("send", src, dst, msg, fields if ref is None else {**fields, "ref": ref},
                  note)
        lost = link is not None and link.lost()

        def done(_event: Any) -> None:
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

        self._after_event(delay, done)

    # -- action execution ------------------------------------------------------

    def run_actions(self, node: str, actions: list[Action]) -> None:
        """Carry out what a protocol machine asked for."""
        for a in actions:
            self._handlers[type(a)](node, a)

    def _handler_table(self) -> dict[type, Callable[[str, Any], None]]:
        return {
            StateChange: self._state,
            SendPbu: self._send_pbu,
            SendPba: lambda _node, a: self._send_pba(a),
            SendRa: self._send_ra,
            StartTimer: lambda node, a: self.after(a.delay_ms, self._fire, node, a.timer),
            Forward: self._forward,
            Cache: self._buffer,
            Uncache: self._buffer,
            Drop: lambda node, a: self._drop(node, a.packet, a.reason, a.why, a.ref),
        }

    def _fire(self, node: str, timer: Timer) -> None:
        if node == self.lma_name:
            self.run_actions(node, self.lma.on_timer(timer, self.now))
        else:
            self.run_actions(node, self.mags[node].on_timer(timer, self.now))

    def _state(self, node: str, a: StateChange) -> None:
        fields: dict[str, Any] = {"table": a.table, "key": a.key, "cause": a.cause,
                                  "before": a.before, "after": a.after}
        table = a.table
        if table == Table.BCE:
            row = a.after or a.before or {}
            mn_id = row.get("mn_id", "")
            fields["interface"] = self._iface_of(mn_id, row.get("mn_lli", ""))
            fields["mn_id"] = mn_id
            fields["case"] = a.case
            fields["shared_hnp"] = bool(a.shared_hnp)
        elif table == Table.BUL:
            iface = self.ifaces.get(a.key.partition(":")[2])
            if iface is not None:
                fields["mn_id"], fields["interface"] = iface.mn_id, iface.name
        elif table == Table.LMA:
            fields["case"] = a.case
            if a.mn is not None:
                mn_id, lli = a.mn
                fields["mn_id"] = mn_id
                fields["interface"] = self._iface_of(mn_id, lli.hex(":") if lli else "")
        elif table == Table.ROUTE:
            fields["mn_id"] = a.key
        fields["ref"] = a.ref
        self.emit(Kind.STATE, node, None, None, fields, a.why)

    def _iface_of(self, mn_id: str, lli_hex: str) -> str | None:
        for iface in self.mn_ifaces.get(mn_id, ()):
            if iface.lli.hex(":") == lli_hex:
                return iface.name
        return None

    def _send_pbu(self, mag: str, a: SendPbu) -> None:
        src, dst = self.mag_addr[mag], self.scenario.lma.address
        fields = a.pbu.to_fields()
        fields["ip_src"], fields["ip_dst"] = address_text(src), address_text(dst)
        if a.retransmission:
            fields["retransmission"] = True
        pbu = a.pbu
        self.transmit(mag, self.lma_name, self._link(mag, self.lma_name).delay_ms,
                      self._link(mag, self.lma_name), Msg.PBU, fields, a.why,
                      lambda: self._lma_pbu(pbu, src),
                      recv_note=(SimWhy.RECV_PBU, mag, pbu.is_dereg, pbu.seq, pbu.hi),
                      ref=a.ref)

    def _lma_pbu(self, pbu: Pbu, src: IPv6Address) -> None:
        self.run_actions(self.lma_name, self.lma.handle_pbu(pbu, src, self.now))

    def _send_pba(self, a: SendPba) -> None:
        mag = self.addr_mag.get(a.dst)
        if mag is None:
            return
        fields = a.pba.to_fields()
        fields["ip_src"] = address_text(self.scenario.lma.address)
        fields["ip_dst"] = address_text(a.dst)
        pba = a.pba
        self.transmit(self.lma_name, mag, self._link(mag, self.lma_name).delay_ms,
                      self._link(mag, self.lma_name), Msg.PBA, fields, a.why,
                      lambda: self.run_actions(mag, self.mags[mag].on_pba(pba, self.now)),
                      recv_note=(SimWhy.RECV_PBA, mag, pba.seq, pba.status), ref=a.ref)

    def _send_ra(self, mag: str, a: SendRa) -> None:
        iface = self.ifaces[a.interface]
        fields = a.ra.to_fields()
        fields["ip_src"] = address_text(mag_link_local(self.mag_index[mag]))
        fields["ip_dst"] = address_text(link_local(iface.lli))
        fields["mag_lli"] = mag_lli(self.mag_index[mag]).hex(":")
        ra = a.ra
        self.transmit(mag, iface.key, self.access_delay[mag], None, Msg.RA, fields, a.why,
                      lambda: self._mn_ra(iface, mag, ra), recv_kind=None, ref=a.ref)

    def _mn_ra(self, iface: Iface, mag: str, ra: RouterAdvertisement) -> None:
        if not iface.up or iface.mag != mag:
            self.emit(Kind.DROP, iface.key, mag, Msg.RA,
                      {**ra.to_fields(), "reason": Reason.LINK_DOWN},
                      (SimWhy.RA_LOST, mag, iface.key))
            return
        before = iface.row()
        iface.hnps = ra.hnps
        iface.address = address_in(ra.hnps[0], iface.lli) if ra.hnps else None
        self.emit(Kind.RECV, iface.key, mag, Msg.RA, ra.to_fields(),
                  (SimWhy.RA_RECV, iface.key, iface.address, ra.hnps))
        self.emit(Kind.STATE, iface.key, None, None,
                  {"table": Table.IFACE, "key": iface.key, "cause": Cause.ADDRESS,
                   "before": before, "after": iface.row(), "mn_id": iface.mn_id,
                   "interface": iface.name, "ref": "RFC 4862 §5.5.3"},
                  (SimWhy.ADDRESS, iface.key, iface.address))

    # -- interfaces and faults ----------------------------------------------------

    def _set_iface(self, iface: Iface, note: Note, cause: str, **changes: Any) -> None:
        before = iface.row()
        for k, v in changes.items():
            setattr(iface, k, v)
        self.emit(Kind.STATE, iface.key, None, None,
                  {"table": Table.IFACE, "key": iface.key, "cause": cause, "before": before,
                   "after": iface.row(), "mn_id": iface.mn_id, "interface": iface.name}, note)

    def _attach_initial(self, iface: Iface) -> None:
        if iface.mag is not None:  # a move before attach_ms attached it already
            return
        if iface.broken:
            self.emit(Kind.FAULT, iface.key, iface.home_mag, None,
                      {"action": FaultAction.ATTACH, "interface": iface.key, "to_mag": None,
                       "mag": None, "noop": False},
                      (SimWhy.WAITS_FOR_RESTORE, iface.key, iface.home_mag))
            return
        self._attach(iface, iface.home_mag, HandoffIndicator.NEW_INTERFACE)

    def _attach(self, iface: Iface, mag: str, hi: int, again: bool = False) -> None:
        self._set_iface(iface, (SimWhy.ATTACH, iface.key, mag, again), "attach", mag=mag,
                        up=True)
        fields = RouterSolicitation(iface.mn_id, iface.name, iface.lli).to_fields()
        fields["ip_src"] = address_text(link_local(iface.lli))
        fields["ip_dst"] = "ff02::2"
        self.transmit(iface.key, mag, self.access_delay[mag], None, Msg.RS, fields,
                      (SimWhy.RS, iface.key, mag), lambda: self._mag_rs(iface, mag, hi))

    def _mag_rs(self, iface: Iface, mag: str, hi: int) -> None:
        if not iface.up or iface.mag != mag:
            return
        self.run_actions(mag, self.mags[mag].attach(iface.key, iface.mn_id, iface.lli,
                                                    iface.att, self.now, hi))

    def apply_fault(self, fault: Fault) -> None:
        """Break, restore or move an interface now."""
        iface = self.ifaces[fault.interface]
        fields: dict[str, Any] = {"action": fault.action, "interface": fault.interface,
                                  "to_mag": fault.to_mag, "mag": iface.mag, "noop": False}
        key = iface.key
        if fault.action == FaultAction.BREAK:
            if not iface.up and iface.mag is None and not iface.broken:
                self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                          (SimWhy.BREAK_EARLY, key))
                self._set_iface(iface, (SimWhy.IFACE_BROKEN, key), "break", broken=True)
                return
            if not iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                          (SimWhy.ALREADY_DOWN, key))
                return
            self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                      (SimWhy.BREAKS, key, iface.mag))
            mag = iface.mag
            assert mag is not None
            self._set_iface(iface, (SimWhy.IFACE_DOWN, key), "break", up=False)
            self.run_actions(mag, self.mags[mag].link_down(iface.key, self.now))
        elif fault.action == FaultAction.RESTORE:
            if iface.broken and iface.mag is None:
                self._set_iface(iface, (SimWhy.IFACE_REPAIRED, key), "restore", broken=False)
                if self.now >= self._attach_ms[iface.key]:
                    self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                              (SimWhy.REPAIRED_ATTACHES, key, iface.home_mag))
                    self._attach(iface, iface.home_mag, HandoffIndicator.NEW_INTERFACE)
                else:
                    self.emit(Kind.FAULT, iface.key, iface.home_mag, None, fields,
                              (SimWhy.REPAIRED_EARLY, key))
                return
            if iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, iface.mag, None, fields,
                          (SimWhy.ALREADY_UP, key))
                return
            mag = iface.mag or iface.home_mag
            self.emit(Kind.FAULT, iface.key, mag, None, fields, (SimWhy.COMES_BACK, key, mag))
            self.run_actions(mag, self.mags[mag].link_up(iface.key, self.now))
            self._attach(iface, mag, HandoffIndicator.NEW_INTERFACE, again=True)
        else:
            to_mag = fault.to_mag or iface.home_mag
            old = iface.mag
            if old == to_mag and iface.up:
                fields["noop"] = True
                self.emit(Kind.FAULT, iface.key, old, None, fields,
                          (SimWhy.ALREADY_ON, key, to_mag))
                return
            self.emit(Kind.FAULT, iface.key, to_mag, None, fields,
                      (SimWhy.MOVES, key, old, to_mag))
            if old is not None and iface.up:
                self._set_iface(iface, (SimWhy.IFACE_LEAVES, key, old), "detach", up=False)
                self.run_actions(old, self.mags[old].link_down(iface.key, self.now))
            self._attach(iface, to_mag, HandoffIndicator.BETWEEN_MAGS)

    # -- data plane ------------------------------------------------------------

    def _flow_tick(self, flow: FlowState) -> None:
        spec = flow.spec
        t_next = spec.start_ms + (flow.n + 1) * flow.interval_ms
        self._originate(flow)
        if t_next < spec.stop_ms:
            self.after(t_next - self.env.now, self._flow_tick, flow)

    def _new_packet(self, flow: FlowState, src: IPv6Address, dst: IPv6Address) -> DataPacket:
        self._pid += 1
        key = (src, dst)
        if flow.addr_cache is None or flow.addr_cache[0] != key:
            dst_int = int(dst)
            flow.addr_cache = (key, (dst_int, dst_int >> 64, address_text(src),
                                     address_text(dst)))
        dst_int, p64, src_text, dst_text = flow.addr_cache[1]
        pkt = DataPacket(self._pid, flow.index, flow.n, src, dst, flow.spec.size_bytes,
                         self.env.now, False, [], dst_int, p64, src_text, dst_text)
        flow.n += 1
        return pkt

    def active_iface(self, mn_id: str) -> Iface | None:
        """The MN's interface in use: the first one that is up with an address."""
        for iface in self.mn_ifaces[mn_id]:
            if iface.up and iface.address is not None:
                return iface
        return None

    def _originate(self, flow: FlowState) -> None:
        if flow.downlink:
            cn = flow.cn
            if flow.dst is None:
                active = self.active_iface(flow.mn_id)
                flow.dst = active.address if active else None
            dst = flow.dst
            pkt = self._new_packet(flow, self.cn_addr[cn], dst or IPv6Address("::"))
            if dst is None:
                self._sent_and_dropped(cn, pkt, Reason.NO_ADDRESS,
                                       (SimWhy.NO_ADDRESS, cn, flow.mn_id))
                return
            self._hop(cn, self.lma_name, pkt, (SimWhy.CN_SENDS, cn, pkt.n, flow.mn_id),
                      lambda: self._lma_data(pkt))
        else:
            active = self.active_iface(flow.mn_id)
            src = active.address if active and active.address else IPv6Address("::")
            pkt = self._new_packet(flow, src, self.cn_addr[flow.cn])
            if active is None or active.mag is None:
                node = self.mn_ifaces[flow.mn_id][0].key
                self._sent_and_dropped(node, pkt, Reason.LINK_DOWN,
                                       (SimWhy.NO_IFACE, flow.mn_id, pkt.n))
                return
            mag = active.mag
            self._hop(active.key, mag, pkt, (SimWhy.MN_SENDS, active.key, pkt.n, flow.cn),
                      lambda: self._mag_uplink(pkt, mag, active.key))

    def _sent_and_dropped(self, node: str, pkt: DataPacket, reason: str, note: Note) -> None:
        fields = self._data_fields(pkt)
        self.emit("send", node, None, "DATA", fields, note)
        self._drop(node, pkt, reason, note)

    def _data_fields(self, pkt: DataPacket, tunnel: tuple[str, str] | None = None
                     ) -> dict[str, Any]:
        f = pkt.to_fields()
        f["hop"] = len(pkt.hops)
        if tunnel is not None:
            f["tunnel_src"] = address_text(self._addr(tunnel[0]))
            f["tunnel_dst"] = address_text(self._addr(tunnel[1]))
        return f

    def _addr(self, node: str) -> IPv6Address:
        if node == self.lma_name:
            return self.scenario.lma.address
        return self.mag_addr[node]

    def _hop(self, src: str, dst: str, pkt: DataPacket, note: Note,
             arrive: Callable[[], None],
             tunnel: bool = False, final: bool = False, ref: str | None = None) -> None:
        """One DATA hop (the hot path); on an access link to an MN the arrival is a
        ``deliver``, emitted by ``arrive``. ``ref`` (a protocol machine's ``Forward``)
        goes on the ``send`` only."""
        hops = pkt.hops
        if len(hops) >= HOP_LIMIT:
            self._drop(src, pkt, Reason.TTL, (SimWhy.TTL, src, pkt.n, HOP_LIMIT), "RFC 8200 §3")
            return
        fields = pkt.to_fields()
        fields["hop"] = len(hops)
        if tunnel:
            fields["tunnel_src"] = self._node_text[src]
            fields["tunnel_dst"] = self._node_text[dst]
        hops.append(src)
        link = self.links.get((src, dst))
        if link is not None:
            delay = link.delay_ms
        else:  # an access link: its delay is the MAG's
            delay = self.access_delay[src] if src in self.access_delay else self.access_delay[dst]
        sent = fields
        if ref is not None:  # the recv (the same dict on the hot path) does not get it
            sent = fields if final else dict(fields)
            sent["ref"] = ref
        step = self.emit("send", src, dst, "DATA", sent, note).step
        self.inflight += 1
        lost = link is not None and link.lost()
        arrival = _DataArrival(self, src, dst, pkt, fields, arrive, step, final, lost)
        self.env.timeout(delay).callbacks.append(arrival)

    def _lma_data(self, pkt: DataPacket) -> None:
        cn = self.int_cn.get(pkt.dst_int)
        if cn is not None:
            self._hop(self.lma_name, cn, pkt, (SimWhy.LMA_TO_CN, pkt.n, cn),
                      lambda: self._deliver(cn, self.lma_name, pkt), final=True)
            return
        bce, reason = self.lma.route_p64(pkt.p64)
        if bce is None:
            self._drop(self.lma_name, pkt, reason, (SimWhy.LMA_DROP, pkt.n, pkt.dst, reason),
                       "RFC 5213 §5.3.5" if reason == Reason.DEREG_HOLD else "RFC 5213 §5.6.2")
            return
        mag = bce.mag
        self._hop(self.lma_name, mag, pkt, (SimWhy.LMA_TUNNEL, pkt.cached, pkt.n, mag, bce.tunnel),
                  lambda: self._mag_downlink(pkt, mag), tunnel=True)

    def _mag_downlink(self, pkt: DataPacket, mag: str) -> None:
        self.run_actions(mag, self.mags[mag].downlink(pkt, self.now))

    def _mag_uplink(self, pkt: DataPacket, mag: str, key: str) -> None:
        self.run_actions(mag, self.mags[mag].uplink(pkt, key))

    def _forward(self, node: str, a: Forward) -> None:
        pkt = a.packet
        if a.to == "LMA":
            self._hop(node, self.lma_name, pkt, a.why,
                      lambda: self._lma_data(pkt), tunnel=True, ref=a.ref)
            return
        iface = self.ifaces[a.to]
        self._hop(node, iface.key, pkt, a.why, lambda: self._access_arrival(pkt, node, iface),
                  final=True, ref=a.ref)

    def _access_arrival(self, pkt: DataPacket, mag: str, iface: Iface) -> None:
        if iface.up and iface.mag == mag:
            self._deliver(iface.key, mag, pkt)
            return
        self.run_actions(mag, self.mags[mag].undeliverable(pkt, iface.key))

    def _deliver(self, node: str, peer: str, pkt: DataPacket) -> None:
        self.emit("deliver", node, peer, "DATA", self._data_fields(pkt),
                  (SimWhy.DELIVER, node, pkt.n, pkt.flow, pkt.cached))

    def _buffer(self, node: str, a: Cache | Uncache) -> None:
        fields = self._data_fields(a.packet)
        fields["op"] = "in" if isinstance(a, Cache) else "out"
        fields["occupancy"] = a.occupancy
        fields["capacity"] = a.capacity
        fields["ref"] = a.ref
        if isinstance(a, Uncache):  # where it goes: the LMA (draft step 6) or an interface
            fields["to"] = self.lma_name if a.to == "LMA" else a.to
        self.emit("buffer", node, None, "DATA", fields, a.why)

    def _drop(self, node: str, pkt: DataPacket, reason: str, note: str | Note,
              ref: str | None = None) -> None:
        fields = self._data_fields(pkt)
        fields["reason"] = reason
        if ref is not None:
            fields["ref"] = ref
        self.emit("drop", node, None, "DATA", fields, note)

    # -- accounting ------------------------------------------------------------------

    def queued(self) -> int:
        """DATA packets still on a link or in a MAG cache (counted from the world itself)."""
        return self.inflight + sum(len(m.cache) for m in self.mags.values())


class _DataArrival:
    """What happens when a DATA hop arrives: ``recv`` (or a link-loss ``drop``), then
    the receiving node's handler."""

    __slots__ = ("arrive", "dst", "fields", "final", "lost", "pkt", "src", "step", "world")

    def __init__(self, world: World, src: str, dst: str, pkt: DataPacket,
                 fields: dict[str, Any], arrive: Callable[[], None], step: int | None,
                 final: bool, lost: bool) -> None:
        self.world = world
        self.src = src
        self.dst = dst
        self.pkt = pkt
        self.fields = fields
        self.arrive = arrive
        self.step = step
        self.final = final
        self.lost = lost

    def __call__(self, _event: Any) -> None:
        world = self.world
        if self.lost:
            world.inflight -= 1
            link = world.links[(self.src, self.dst)]
            f = dict(self.fields)
            f["reason"] = Reason.LINK_LOSS
            world.emit("drop", self.dst, self.src, "DATA", f,
                       (SimWhy.LINK_LOSS, "DATA", self.src, self.dst, link.loss))
            return
        if not self.final:
            world.emit_recv(self.src, self.dst, self.fields,
                            (SimWhy.RECV_DATA, self.dst, self.pkt.n, self.src), self.step)
        if world._processing > 0:  # queued at the node until it is processed
            world.after(world._processing, self._processed)
        else:
            world.inflight -= 1
            self.arrive()

    def _processed(self) -> None:
        self.world.inflight -= 1
        self.arrive()

