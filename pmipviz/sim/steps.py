"""Tags the events that illustrate the draft's Figure 1 with its steps (1)-(8).

Only in ``ft`` mode and only for multihomed MNs (two interfaces or more). A
handover context starts when one of the MN's interfaces breaks or moves:
(1) data down the old tunnel, (2) the old MAG caching / detecting, (3) the DeReg
PBU, (4) the LMA's BCE update, (5) the PBA, (6) the flush up the tunnel,
(7) the cached data forwarded to the new MAG and the MN, (8) new data on the
new path once the cached data has gone ahead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmipviz.protocol.actions import Cache, StateChange, Uncache
from pmipviz.protocol.keys import BulKey
from pmipviz.protocol.messages import DataPacket, Pba, Pbu
from pmipviz.scenario.model import Fault

if TYPE_CHECKING:
    from pmipviz.sim.world import Iface, World


@dataclass
class _Handover:
    iface: str
    old_mag: str | None
    stage: int = 0
    eight: bool = False  # step 8 may start: cached data went ahead (or there was none)

    def tag(self, step: int) -> int:
        self.stage = max(self.stage, step)
        if step == 7:
            self.eight = True
        return step


class StepTagger:
    """Decides the ``step`` of each event as the world emits it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.multihomed = {mn for mn, ifs in world.mn_ifaces.items() if len(ifs) >= 2}
        self.ho: dict[str, _Handover] = {}
        self._decided: dict[int, int | None] = {}  # pid -> step chosen at the LMA
        # per flow: the MN whose Figure 1 story its packets tell (downlink, multihomed)
        self._flow_mn = [f.mn_id if f.downlink and f.mn_id in self.multihomed else None
                         for f in world.flows]

    def _mn_of(self, pkt: DataPacket) -> str | None:
        return self._flow_mn[pkt.flow]

    def fault(self, iface: Iface, fault: Fault) -> int | None:
        """A Figure 1 story starts when an interface of an MN the LMA knows as
        multihomed (an entry with M=1) breaks or moves."""
        if iface.mn_id in self.multihomed and fault.action in ("break", "move"):
            if any(b.m == 1 for b in self.world.lma.cache.for_mn(iface.mn_id)):
                self.ho[iface.mn_id] = _Handover(iface.key, iface.mag)
            else:
                self.ho.pop(iface.mn_id, None)
        return None

    def _down_step(self, mn: str, mag: str, pkt: DataPacket) -> int | None:
        ho = self.ho.get(mn)
        if ho is None:
            return 1
        if pkt.cached:
            return ho.tag(7)
        if ho.stage < 4:
            return ho.tag(1) if ho.stage < 1 else 1
        if mag != ho.old_mag and ho.eight:
            return ho.tag(8)
        return None

    def data(self, src: str, dst: str, pkt: DataPacket) -> int | None:
        mn = self._mn_of(pkt)
        if mn is None:
            return None
        w = self.world
        if src == w.lma_name and dst in w.mags:
            step = self._down_step(mn, dst, pkt)
            self._decided[pkt.pid] = step
            return step
        if src in w.mags and dst == w.lma_name:
            ho = self.ho.get(mn)
            if ho is not None and pkt.cached and src == ho.old_mag:
                return ho.tag(6)
            return None
        if src in w.mags and dst in w.ifaces:
            return self._decided.get(pkt.pid, self._down_step(mn, src, pkt))
        return None

    def deliver(self, node: str, peer: str, pkt: DataPacket) -> int | None:
        if node not in self.world.ifaces:
            return None
        mn = self._mn_of(pkt)
        if mn is None:
            return None
        if pkt.pid in self._decided:
            return self._decided.pop(pkt.pid)
        return self._down_step(mn, peer, pkt)

    def forget(self, pkt: DataPacket) -> None:
        """A dropped packet is never delivered: its decided step is not needed any more."""
        self._decided.pop(pkt.pid, None)

    def buffer(self, node: str, action: Cache | Uncache) -> int | None:
        mn = self._mn_of(action.packet)
        ho = self.ho.get(mn) if mn else None
        if ho is None or node != ho.old_mag:
            return None
        if isinstance(action, Cache):
            return ho.tag(2)
        return ho.tag(6) if action.to == "LMA" else None

    def state(self, node: str, sc: StateChange) -> int | None:
        if sc.table == "bul" and sc.cause == "detect":
            mn = BulKey.parse(sc.key).iface.mn_id
            ho = self.ho.get(mn)
            if ho is not None and node == ho.old_mag:
                return ho.tag(2)
        elif sc.table in ("bce", "route") and sc.cause in ("dereg", "route"):
            row = sc.after or sc.before or {}
            mn_key = row.get("mn_id") if sc.table == "bce" else sc.key
            ho = self.ho.get(str(mn_key))
            if ho is not None and ho.stage >= 3 and ho.stage <= 4:
                return ho.tag(4)
        return None

    def pbu(self, mag: str, pbu: Pbu) -> int | None:
        ho = self.ho.get(pbu.mn_id or "")
        if ho is not None and pbu.is_dereg and mag == ho.old_mag:
            return ho.tag(3)
        return None

    def pba(self, mag: str, pba: Pba) -> int | None:
        ho = self.ho.get(pba.mn_id or "")
        if ho is None or pba.lifetime_s != 0 or mag != ho.old_mag or not pba.accepted:
            return None
        step = ho.tag(5)
        old = self.world.mags[mag]
        prefixes = {int(p.network_address) >> 64 for p in pba.nonzero_hnps}
        if not any(c.packet.p64 in prefixes for c in old.cache):
            ho.eight = True
        return step
