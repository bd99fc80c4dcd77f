"""Flows: constant-bit-rate DATA from a CN to an MN or back. Each tick makes one
packet and gives it its first hop; ``dataplane`` carries it from there."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import Any

from pmipviz.protocol.messages import DataPacket, address_text
from pmipviz.protocol.vocab import Reason
from pmipviz.scenario.model import Flow, Scenario
from pmipviz.sim.dataplane import DataPlane
from pmipviz.sim.why import SimWhy


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

    def _originate(self, flow: FlowState) -> None:
        """One packet of the flow and its first hop: CN to the LMA, or MN to its MAG."""
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
            self._hop(active.key, mag, pkt, (SimWhy.MN_SENDS, active.key, pkt.n, flow.cn),
                      lambda: self._mag_uplink(pkt, mag, active.key))
