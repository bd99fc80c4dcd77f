"""Flows: constant-bit-rate DATA from a CN to an MN or back. Each tick makes one
packet and gives it its first hop; ``dataplane`` carries it from there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.protocol.messages import DataPacket, address_text
from pmipviz.protocol.vocab import Reason
from pmipviz.protocol.why import Note
from pmipviz.scenario.model import Flow, Scenario
from pmipviz.sim.dataplane import DataPlane
from pmipviz.sim.network import Iface, schedule
from pmipviz.sim.why import SimWhy

# the per-packet notes' words as globals: a member read from its enum class goes
# through EnumType.__getattr__'s slow hook (CPython 3.11: ~15 times a global's cost)
_CN_SENDS = SimWhy.CN_SENDS
_MN_SENDS = SimWhy.MN_SENDS


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
    sender: str | None = None  # uplink: the interface that sent the last packet (issue 10)
    sender_src: str = ""  # and the source address it sent it from
    tick: _Tick | None = None  # its clock's next tick on the simpy queue (``Flows``)


class Flows(DataPlane):
    """The scenario's flows: their clock, their packets, each packet's first hop."""

    def _init_flows(self, scenario: Scenario) -> None:
        self._pid = 0
        self.flows = [self._flow_state(i, f) for i, f in enumerate(scenario.flows)]

    def _flow_state(self, index: int, flow: Flow) -> FlowState:
        downlink = flow.src in self.cn_addr
        mn_id, cn = (flow.dst, flow.src) if downlink else (flow.src, flow.dst)
        return FlowState(index, flow, downlink, mn_id, cn, 1000.0 / flow.rate_pps)

    def _flow_tick(self, flow: FlowState) -> None:
        spec = flow.spec
        t_next = spec.start_ms + (flow.n + 1) * flow.interval_ms
        self._originate(flow)
        if t_next < spec.stop_ms:  # ``after(t_next - now, _flow_tick, flow)``, cheaper
            tick = flow.tick
            if tick is None:
                tick = flow.tick = _Tick(self, flow)
            tick.callbacks = _TICKED
            env = self.env
            schedule(env, t_next - env._now, tick)

    def _new_packet(self, flow: FlowState, src: IPv6Address, dst: IPv6Address) -> DataPacket:
        self._pid += 1
        key = (src, dst)
        if flow.addr_cache is None or flow.addr_cache[0] != key:
            dst_int = int(dst)
            flow.addr_cache = (key, (dst_int, dst_int >> 64, address_text(src),
                                     address_text(dst)))
        dst_int, p64, src_text, dst_text = flow.addr_cache[1]
        pkt = DataPacket(self._pid, flow.index, flow.n, src, dst, flow.spec.size_bytes,
                         self.env._now, False, [], dst_int, p64, src_text, dst_text)
        flow.n += 1
        return pkt

    def _first_downlink(self, flow: FlowState) -> None:
        """A downlink flow's packet while it has no destination: the destination is
        taken now, for the rest of the flow: the address of the interface the flow
        names (``to = "mn-id/IF"``), else of the interface whose entry carries the MN's
        traffic (``Lma.elect_carrier``'s rule). Until that interface has an address the
        packet is dropped (``no_address``) and the next one tries again."""
        cn = flow.cn
        carrier = self.lma.carrier(flow.mn_id)
        carrying = self.iface_by_lli(carrier.mn_id, carrier.mn_lli) if carrier else None
        named = flow.spec.to_iface
        iface: Iface | None = carrying
        if named is not None:
            iface = self.ifaces[str(IfaceKey(flow.mn_id, named))]
        dst = iface.address if iface is not None else None
        pkt = self._new_packet(flow, self.cn_addr[cn], dst or IPv6Address("::"))
        if iface is None or dst is None:
            note: Note = ((SimWhy.NO_ADDRESS_IFACE, cn, iface.key) if named and iface else
                          (SimWhy.NO_ADDRESS, cn, flow.mn_id))
            self._sent_and_dropped(cn, pkt, Reason.NO_ADDRESS, note)
            return
        flow.dst = dst
        self._hop(cn, self.lma_name, pkt,
                  (SimWhy.CN_FIRST, cn, pkt.n, flow.mn_id, iface.key, address_text(dst),
                   str(IfaceKey(carrier.mn_id, carrying.name if carrying else "?"))
                   if carrier else None, carrier.mag if carrier else None,
                   named is not None, self.mode == "ft"),
                  self._lma_data)

    def _originate(self, flow: FlowState) -> None:
        """One packet of the flow and its first hop: CN to the LMA, or MN to its MAG."""
        if flow.downlink:
            cn = flow.cn
            dst = flow.dst
            if dst is None:
                self._first_downlink(flow)
                return
            pkt = self._new_packet(flow, self.cn_addr[cn], dst)
            self._hop(cn, self.lma_name, pkt, (_CN_SENDS, cn, pkt.n, flow.mn_id),
                      self._lma_data)
        else:
            # the MN's choice: an interface down that it has not noticed yet still counts
            active = self.uplink_iface(flow.mn_id)
            src = active.address if active and active.address else IPv6Address("::")
            pkt = self._new_packet(flow, src, self.cn_addr[flow.cn])
            if active is None or active.mag is None:
                node = self.mn_ifaces[flow.mn_id][0].key
                self._sent_and_dropped(node, pkt, Reason.LINK_DOWN,
                                       (SimWhy.NO_IFACE, flow.mn_id, pkt.n))
                return
            if not active.up:  # out of a broken link the MN has not noticed (issue 10 item 4)
                self._sent_and_dropped(active.key, pkt, Reason.LINK_DOWN,
                                       (SimWhy.UPLINK_UNNOTICED, active.key, pkt.n,
                                        active.cut_ms, self.mn_detection[flow.mn_id]))
                return
            mag = active.mag
            key = active.key
            note: Note = (_MN_SENDS, key, pkt.n, flow.cn)
            if flow.sender != key:  # issue 10 item 1: the source address after a switch
                src_text = pkt.src_text
                if flow.sender is not None:
                    shared = self.scenario.mn(flow.mn_id).addressing == "shared"
                    note = (SimWhy.MN_SOURCE, key, pkt.n, flow.cn, flow.sender,
                            flow.sender_src, src_text, shared)
                flow.sender = key
                flow.sender_src = src_text
            self._hop(key, mag, pkt, note, self._mag_uplink)


class _Tick:
    """A flow's next tick, on simpy's queue itself (``network.schedule``): one object
    per flow, put back on the queue at each tick (a flow has one tick pending)."""

    __slots__ = ("callbacks", "flow", "world")
    _ok = True  # what Environment.step checks after the callbacks

    def __init__(self, world: Flows, flow: FlowState) -> None:
        self.world = world
        self.flow = flow
        self.callbacks: tuple[Callable[[_Tick], None], ...] | None = _TICKED

    def fire(self) -> None:
        self.world._flow_tick(self.flow)


_TICKED = (_Tick.fire,)  # what Environment.step calls with a tick
