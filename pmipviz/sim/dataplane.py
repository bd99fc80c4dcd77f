"""The data plane: the path a DATA packet takes, top-down in this file.

A flow (``flows``) makes the packet and gives it its first hop; from there:

1. ``_hop``: one link. ``send`` now; after the link's delay ``_DataArrival`` emits the
   ``recv`` (or a link-loss ``drop``) and, after the node's processing time, calls the
   next node's handler;
2. at the LMA, ``_lma_data``: a packet for a CN leaves the domain (its arrival is the
   ``deliver``); any other goes to the LMA machine's ``data``, which answers a
   ``Forward`` down the tunnel of the MN's entry (the next ``_hop``) or a ``Drop``;
3. at a MAG, ``_mag_downlink`` (out of its tunnel) or ``_mag_uplink`` (from an MN):
   the MAG machine answers ``Forward`` (``_forward``: up the tunnel, or down an
   access link), ``Cache`` / ``Uncache`` (``_buffer``) or ``Drop``
   (``_drop``);
4. on an access link, ``_access_arrival``: ``deliver`` to the MN interface. A packet on
   an access link when a break or a move takes its interface off the link is lost
   there (``link_down``, ``_cut_off``): each hop on an access link records the link's
   generation (``Iface.gen``, bumped by the fault) and compares it when it arrives.

This is the hot path (almost every event is DATA): see the notes on ``_hop`` and
``_DataArrival`` for what is written out twice on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmipviz.protocol.actions import Cache, Drop, Forward, Uncache
from pmipviz.protocol.messages import DataPacket
from pmipviz.protocol.vocab import Reason
from pmipviz.protocol.why import Note
from pmipviz.sim.network import Iface, Network, schedule
from pmipviz.sim.why import SimWhy

HOP_LIMIT = 64
Arrive = Callable[[DataPacket, str, str], None]
"""What a hop's arrival calls: the next node's handler, given the packet and the
hop's ``src`` and ``dst`` (a bound method: no closure per hop)."""
# a link that breaks loses what is on it: the draft's problem statement ("the traffic
# packets are lost"); its cache (§3.2 step 2) holds only what the MAG still has
LINK_CUT_REF = "draft §1"
# the per-packet notes' words as globals: a member read from its enum class goes
# through EnumType.__getattr__'s slow hook (CPython 3.11: ~15 times a global's cost)
_LMA_TO_CN = SimWhy.LMA_TO_CN
_DELIVER = SimWhy.DELIVER
_RECV_DATA = SimWhy.RECV_DATA


class DataPlane(Network):
    """Carries DATA packets hop by hop and executes Forward, Cache, Uncache and Drop."""

    def _hop(self, src: str, dst: str, pkt: DataPacket, note: Note, arrive: Arrive,
             tunnel: bool = False, final: bool = False, ref: str | None = None) -> None:
        """One DATA hop; on arrival, ``arrive(pkt, src, dst)``. On an access link to an
        MN (and from the LMA to a CN) the arrival is a ``deliver`` (``final``), emitted
        by ``arrive``. ``ref`` (a protocol
        machine's ``Forward``) goes on the ``send`` only.

        Deliberate duplicates, for speed: this is ``Network.transmit`` unrolled for DATA
        (no closure per packet: the arrival is a slotted ``_DataArrival``), its fields
        are ``_data_fields`` written out inline, and ``Link.lost`` is inlined."""
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
        on: Iface | None = None  # the MN interface at the end of an access link
        if link is not None:
            delay = link.delay_ms
        elif src in self.access_delay:  # down an access link: its delay is the MAG's
            delay = self.access_delay[src]
            on = self.ifaces[dst]
        else:  # up an access link
            delay = self.access_delay[dst]
            on = self.ifaces[src]
        sent = fields
        if ref is not None:  # the recv (the same dict on the hot path) does not get it
            sent = fields if final else dict(fields)
            sent["ref"] = ref
        step = self.emit("send", src, dst, "DATA", sent, note).step
        self.inflight += 1
        # Link.lost, inlined: a method call per wired hop costs more than the test
        lost = link is not None and link.loss > 0.0 and link.rng.random() < link.loss
        schedule(self.env, delay, _DataArrival(self, src, dst, pkt, fields, arrive, step, final,
                                               lost, on, on.gen if on is not None else 0))

    def _lma_tunnel_data(self, pkt: DataPacket, mag: str, lma: str) -> None:
        """A packet came up the tunnel from ``mag`` to the LMA; one that came up a tunnel
        the LMA has torn down is dropped (``tunnel_down``)."""
        if not self.lma.tunnel_up(mag):
            self._drop_action(self.lma_name, self.lma.tunnel_drop(pkt, mag))
            return
        self._lma_data(pkt, mag, lma)

    def _lma_data(self, pkt: DataPacket, src: str, lma: str) -> None:
        """A packet reached the LMA (from ``src``: a CN, or a MAG's tunnel)."""
        cn = self.int_cn.get(pkt.dst_int)
        if cn is not None:  # out of the PMIPv6 domain: plain routing, not the LMA machine's
            self._hop(lma, cn, pkt, (_LMA_TO_CN, pkt.n, cn), self._deliver, final=True)
            return
        a = self.lma.data(pkt)
        if isinstance(a, Forward):  # down the tunnel to the MAG ``a.to``
            # no ref on this send (see vocab.Kind: a dict copy per packet on the hot
            # path, for a ref that is always the same)
            self._hop(lma, a.to, pkt, a.why, self._mag_downlink, tunnel=True)
        else:
            self._drop_action(lma, a)

    def _mag_downlink(self, pkt: DataPacket, lma: str, mag: str) -> None:
        """A packet came out of ``mag``'s tunnel."""
        # env._now: the clock without World.now's two property calls (see Network.emit)
        self.run_actions(mag, self.mags[mag].downlink(pkt, self.env._now))

    def _mag_uplink(self, pkt: DataPacket, key: str, mag: str) -> None:
        """An MN interface's packet reached ``mag``."""
        self.run_actions(mag, self.mags[mag].uplink(pkt, key))

    def _forward(self, node: str, a: Forward) -> None:
        """A MAG sends a packet on: up its tunnel, or down an access link. (The LMA's
        ``Forward`` down a tunnel is carried out in ``_lma_data``.)"""
        to = a.to
        if to == "LMA":
            self._hop(node, self.lma_name, a.packet, a.why, self._lma_tunnel_data, tunnel=True,
                      ref=a.ref)
            return
        self._hop(node, to, a.packet, a.why, self._access_arrival, final=True, ref=a.ref)

    def _access_arrival(self, pkt: DataPacket, mag: str, key: str) -> None:
        """A packet reached the MN end of ``mag``'s access link. It was on the link from
        its send to its arrival with no break or move of ``iface`` in between (one in
        between loses it: ``_DataArrival``), and a MAG sends down a link only while it
        sees it up: so the interface is there, and the packet has reached the MN (a
        break while the MN processes it, ``processing_ms``, does not undo that). A packet
        for another interface's address goes to ``_foreign`` (the host model)."""
        iface = self.ifaces[key]
        if pkt.dst_int != iface.addr_int:  # another interface's address (issue 10)
            self._foreign(pkt, mag, iface)
            return
        self._deliver(pkt, mag, key)

    def _cut_off(self, src: str, dst: str, fields: dict[str, Any], iface: Iface) -> None:
        """A DATA packet was on the access link between ``src`` and ``dst`` when a break
        or a move took ``iface`` off it: it is lost with the link (issue 10 item 4)."""
        f = dict(fields)
        f["reason"] = Reason.LINK_DOWN
        f["ref"] = LINK_CUT_REF
        self.emit("drop", dst, src, "DATA", f,
                  (SimWhy.ON_CUT_LINK, f["n"], src, dst, iface.key, iface.cut_by,
                   iface.cut_ms))

    def _foreign(self, pkt: DataPacket, mag: str, iface: Iface) -> None:
        """A packet for an address ``iface`` does not own (issue 10 item 1, RFC 1122
        §3.3.4.2): a strong host drops it (``wrong_interface``); a weak host accepts it,
        and the first one for each such address on the interface says so. An address
        the interface took over from a lost one (HI=2, issue 10 item 7) is its own."""
        if pkt.dst_int in iface.adopted:
            self._deliver(pkt, mag, iface.key)
            return
        first = pkt.dst_int not in iface.foreign_seen
        if first:
            iface.foreign_seen.add(pkt.dst_int)
        if iface.strong or first:
            owner = next((i.key for i in self.mn_ifaces[iface.mn_id]
                          if i.addr_int == pkt.dst_int), None)
        if iface.strong:
            self._drop(iface.key, pkt, Reason.WRONG_INTERFACE,
                       (SimWhy.WRONG_INTERFACE, iface.key, pkt.n, owner, pkt.dst_text, first),
                       "RFC 1122 §3.3.4.2")
            return
        if first:
            self._deliver(pkt, mag, iface.key,
                          (SimWhy.DELIVER_FOREIGN, iface.key, pkt.n, pkt.flow, pkt.cached,
                           owner, pkt.dst_text))
            return
        self._deliver(pkt, mag, iface.key)

    def _deliver(self, pkt: DataPacket, peer: str, node: str, note: Note | None = None
                 ) -> None:
        """The packet reached its destination ``node`` (an MN interface or a CN) from
        ``peer`` (an arrival's handler, like the others: packet, src, dst)."""
        fields = pkt.to_fields()  # _data_fields, inlined (one per packet delivered)
        fields["hop"] = len(pkt.hops)
        self.emit("deliver", node, peer, "DATA", fields,
                  note or (_DELIVER, node, pkt.n, pkt.flow, pkt.cached))

    def _buffer(self, node: str, a: Cache | Uncache) -> None:
        """A MAG put a packet in its cache or took one out (ft)."""
        fields = self._data_fields(a.packet)
        fields["op"] = "in" if isinstance(a, Cache) else "out"
        fields["occupancy"] = a.occupancy
        fields["capacity"] = a.capacity
        fields["ref"] = a.ref
        if isinstance(a, Uncache):  # where it goes: the LMA (draft step 6) or an interface
            fields["to"] = self.lma_name if a.to == "LMA" else a.to
        self.emit("buffer", node, None, "DATA", fields, a.why)

    def _drop_action(self, node: str, a: Drop) -> None:
        """A machine drops a packet."""
        self._drop(node, a.packet, a.reason, a.why, a.ref)

    def _drop(self, node: str, pkt: DataPacket, reason: str, note: str | Note,
              ref: str | None = None) -> None:
        fields = self._data_fields(pkt)
        fields["reason"] = reason
        if ref is not None:
            fields["ref"] = ref
        self.emit("drop", node, None, "DATA", fields, note)

    def _sent_and_dropped(self, node: str, pkt: DataPacket, reason: str, note: Note) -> None:
        """A packet that could not leave its source: its ``send`` and its ``drop``."""
        fields = self._data_fields(pkt)
        self.emit("send", node, None, "DATA", fields, note)
        self._drop(node, pkt, reason, note)

    def _data_fields(self, pkt: DataPacket) -> dict[str, Any]:
        f = pkt.to_fields()
        f["hop"] = len(pkt.hops)
        return f

    def queued(self) -> int:
        """DATA packets still on a link or in a MAG cache (counted from the world itself)."""
        return self.inflight + sum(len(m.cache) for m in self.mags.values())


class _DataArrival:
    """What happens when a DATA hop arrives: ``recv`` (or a link-loss ``drop``), then
    the receiving node's handler. (The link-loss ``drop`` is ``Network.transmit``'s,
    written again here on purpose: a slotted object per hop, not a closure.)"""

    __slots__ = ("arrive", "callbacks", "dst", "fields", "final", "gen", "iface", "lost", "pkt",
                 "src", "step", "world")
    _ok = True  # scheduled on simpy's queue itself (``network.schedule``)

    def __init__(self, world: DataPlane, src: str, dst: str, pkt: DataPacket,
                 fields: dict[str, Any], arrive: Arrive, step: int | None,
                 final: bool, lost: bool, iface: Iface | None, gen: int) -> None:
        self.world = world
        self.src = src
        self.dst = dst
        self.pkt = pkt
        self.fields = fields
        self.arrive = arrive
        self.step = step
        self.final = final
        self.lost = lost
        self.iface = iface  # an access hop: its MN interface, and its link's generation
        self.gen = gen
        self.callbacks: tuple[Callable[[_DataArrival], None], ...] | None = _ARRIVED

    def arrived(self) -> None:
        world = self.world
        if self.lost:
            world.inflight -= 1
            link = world.links[(self.src, self.dst)]
            f = dict(self.fields)
            f["reason"] = Reason.LINK_LOSS
            world.emit("drop", self.dst, self.src, "DATA", f,
                       (SimWhy.LINK_LOSS, "DATA", self.src, self.dst, link.loss))
            return
        iface = self.iface
        if iface is not None and iface.gen != self.gen:  # the link broke under it
            world.inflight -= 1
            world._cut_off(self.src, self.dst, self.fields, iface)
            return
        if not self.final:
            world.emit_recv(self.src, self.dst, self.fields,
                            (_RECV_DATA, self.dst, self.pkt.n, self.src), self.step)
        if world._processing > 0:  # queued at the node until it is processed
            world.after(world._processing, self._processed)
        else:
            world.inflight -= 1
            self.arrive(self.pkt, self.src, self.dst)

    def _processed(self) -> None:
        self.world.inflight -= 1
        self.arrive(self.pkt, self.src, self.dst)


_ARRIVED = (_DataArrival.arrived,)  # what Environment.step calls with each arrival


class MetricsOnlyDataPlane(DataPlane):
    """The DATA path of a run whose only sink is the metrics (a sweep's). Its sends, hop
    arrivals and deliveries are still counted as trace events, when they happen (by the
    world, ``Network.count``, and by the metrics, whose handovers compare event counts),
    but no ``TraceEvent`` is built for them: a ``send`` and a hop's ``recv`` fold nothing
    but a packet leaving its source (``Metrics.data_sent_first``), a ``deliver`` is
    folded directly (``Metrics.data_delivered``); the rarer DATA events (drops, cache operations) go
    through ``emit`` with only the fields the metrics fold reads (flow, n, hop, and the
    event's own). No step is tagged. ``DataPlane._hop``, ``_DataArrival`` and
    ``_deliver`` written again without the rest, deliberately: a run with a trace pays
    nothing for this (no test on its path); ``tests/sim/test_metrics_only.py`` checks
    the metrics are the same."""

    metrics_only = True

    def _hop(self, src: str, dst: str, pkt: DataPacket, note: Note, arrive: Arrive,
             tunnel: bool = False, final: bool = False, ref: str | None = None) -> None:
        hops = pkt.hops
        hop = len(hops)
        if hop >= HOP_LIMIT:
            self._drop(src, pkt, Reason.TTL, (SimWhy.TTL, src, pkt.n, HOP_LIMIT), "RFC 8200 §3")
            return
        hops.append(src)
        link = self.links.get((src, dst))
        on: Iface | None = None
        if link is not None:
            delay = link.delay_ms
        elif src in self.access_delay:  # down an access link: its delay is the MAG's
            delay = self.access_delay[src]
            on = self.ifaces[dst]
        else:  # up an access link
            delay = self.access_delay[dst]
            on = self.ifaces[src]
        # the send: counted by the world and the metrics (its only sink); a packet
        # leaving its source is folded
        self.count += 1
        metrics: Any = self.sinks[0]  # a Metrics (not imported here: it is the world's sink)
        if hop == 0:
            metrics.data_sent_first(pkt.flow, pkt.n, src, dst)
        else:
            metrics.events += 1
        self.inflight += 1
        lost = link is not None and link.loss > 0.0 and link.rng.random() < link.loss
        schedule(self.env, delay, _LeanArrival(self, src, dst, pkt, hop, arrive, final, lost,
                                               on, on.gen if on is not None else 0))

    def _deliver(self, pkt: DataPacket, peer: str, node: str, note: Note | None = None
                 ) -> None:
        self.count += 1
        self.sinks[0].data_delivered(  # type: ignore[attr-defined]
            pkt.flow, pkt.n, self.env._now, node, peer)

    def _data_fields(self, pkt: DataPacket) -> dict[str, Any]:
        return {"flow": pkt.flow, "n": pkt.n, "hop": len(pkt.hops)}


class _LeanArrival:
    """``_DataArrival`` of a metrics-only run: the ``recv`` is only counted."""

    __slots__ = ("arrive", "callbacks", "dst", "final", "gen", "hop", "iface", "lost", "pkt",
                 "src", "world")
    _ok = True  # scheduled on simpy's queue itself (``network.schedule``)

    def __init__(self, world: MetricsOnlyDataPlane, src: str, dst: str, pkt: DataPacket,
                 hop: int, arrive: Arrive, final: bool, lost: bool,
                 iface: Iface | None, gen: int) -> None:
        self.world = world
        self.src = src
        self.dst = dst
        self.pkt = pkt
        self.hop = hop
        self.arrive = arrive
        self.final = final
        self.lost = lost
        self.iface = iface
        self.gen = gen
        self.callbacks: tuple[Callable[[_LeanArrival], None], ...] | None = _LEAN_ARRIVED

    def arrived(self) -> None:
        world = self.world
        if self.lost or (self.iface is not None and self.iface.gen != self.gen):
            self._lost()
            return
        if not self.final:
            world.count += 1  # the recv: counted, folds nothing
            world.sinks[0].events += 1  # type: ignore[attr-defined]
        if world._processing > 0:  # queued at the node until it is processed
            world.after(world._processing, self._processed)
        else:
            world.inflight -= 1
            self.arrive(self.pkt, self.src, self.dst)

    def _lost(self) -> None:
        """Lost on the link (its loss, or a break under it): ``_DataArrival``'s drops."""
        world = self.world
        world.inflight -= 1
        fields: dict[str, Any] = {"flow": self.pkt.flow, "n": self.pkt.n, "hop": self.hop}
        if self.lost:
            link = world.links[(self.src, self.dst)]
            fields["reason"] = Reason.LINK_LOSS
            world.emit("drop", self.dst, self.src, "DATA", fields,
                       (SimWhy.LINK_LOSS, "DATA", self.src, self.dst, link.loss))
            return
        assert self.iface is not None
        world._cut_off(self.src, self.dst, fields, self.iface)

    def _processed(self) -> None:
        self.world.inflight -= 1
        self.arrive(self.pkt, self.src, self.dst)


_LEAN_ARRIVED = (_LeanArrival.arrived,)
