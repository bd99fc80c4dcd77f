"""A MAG and an LMA wired together without simpy: a pump that carries the actions one
machine returned to the other machine's handler at a given ``now``.

The model is aioquic's ``client_and_server()`` / ``roundtrip()``: no clock, no links,
no delays. ``deliver`` carries one hop and returns what the receivers returned;
``pump`` repeats until quiet. Every step is ``(node, action)``: the node whose handler
returned the action. Timers are only noted (``timers``, due at the time the handler
returned them plus their delay); a test fires one with ``fire``. A packet that reaches
the LMA goes to its data-plane handler (``Lma.data``, as in the world): a ``Forward``
to the MAG of the routed entry, or a ``Drop`` with the route's reason. A packet sent to
an MN interface in ``down`` is lost on the link (``lost``, as the world loses a packet
on an access link that breaks: issue 10 item 4); any other interface receives it
(``delivered``). The MN host (RS, RA) is not modelled: ``SendRa`` goes nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv6Address, IPv6Network
from typing import TypeVar

from pmipviz.protocol.actions import (
    Action,
    Forward,
    SendPba,
    SendPbu,
    StartTimer,
)
from pmipviz.protocol.lma import Lma, LmaConfig
from pmipviz.protocol.mag import Mag, MagConfig
from pmipviz.protocol.messages import DataPacket
from pmipviz.protocol.timers import Timer

LMA = "LMA"
LMA_ADDRESS = IPv6Address("2001:db8:ffff::1")
MAG_ADDRESS = {"MAG1": IPv6Address("2001:db8:ffff::11"), "MAG2": IPv6Address("2001:db8:ffff::12")}
CN = IPv6Address("2001:db8:cafe::1")

Step = tuple[str, Action]
A = TypeVar("A", bound=Action)


@dataclass
class Pump:
    """One LMA and its MAGs; what reached an MN interface and the timers asked for."""

    lma: Lma
    mags: dict[str, Mag]
    down: set[str] = field(default_factory=set)  # MN interfaces whose access link is down
    delivered: list[tuple[str, DataPacket]] = field(default_factory=list)  # (iface, packet)
    lost: list[tuple[str, DataPacket]] = field(default_factory=list)  # sent to a down iface
    timers: list[tuple[str, Timer, float]] = field(default_factory=list)

    def _mag_at(self, address: IPv6Address) -> Mag:
        return next(m for m in self.mags.values() if m.config.address == address)

    def lma_data(self, packet: DataPacket) -> list[Action]:
        """A packet reached the LMA (from a CN or up a tunnel): the LMA's answer (one
        action), as a list like every other handler's."""
        return [self.lma.data(packet)]

    def _receive(self, node: str, action: Action, now: float) -> list[Step]:
        """Hand one action of ``node`` to its receiver; what the receiver returned."""
        if isinstance(action, SendPbu):
            src = self.mags[node].config.address
            return self.returned(LMA, self.lma.handle_pbu(action.pbu, src, now), now)
        if isinstance(action, SendPba):
            mag = self._mag_at(action.dst)
            return self.returned(mag.name, mag.on_pba(action.pba, now), now)
        if isinstance(action, Forward):
            if action.to == LMA:
                return self.returned(LMA, self.lma_data(action.packet), now)
            if action.to in self.mags:
                return self.returned(action.to, self.mags[action.to].downlink(action.packet,
                                                                              now), now)
            if action.to in self.down:  # lost on the link (a MAG never sends down one
                self.lost.append((action.to, action.packet))  # it knows is down)
                return []
            self.delivered.append((action.to, action.packet))
            return []
        # StartTimer (noted when returned), SendRa (the MN host is not modelled),
        # StateChange, Cache, Uncache, Drop: nothing receives them
        return []

    def returned(self, node: str, actions: list[Action], now: float) -> list[Step]:
        """``node``'s handler returned ``actions`` at ``now``: note its timers (due
        ``now + delay_ms``) and tag each action with the node."""
        for a in actions:
            if isinstance(a, StartTimer):
                self.timers.append((node, a.timer, now + a.delay_ms))
        return [(node, a) for a in actions]

    def deliver(self, steps: list[Step], now: float) -> list[Step]:
        """One hop: carry out every step at ``now``; the steps the receivers returned."""
        out: list[Step] = []
        for node, action in steps:
            out.extend(self._receive(node, action, now))
        return out

    def pump(self, node: str, actions: list[Action], now: float) -> list[Step]:
        """``node`` returned ``actions``: deliver hop after hop until quiet. Every step,
        the given ones first, in the order the machines returned them."""
        steps = self.returned(node, actions, now)
        everything = list(steps)
        while steps:
            steps = self.deliver(steps, now)
            everything.extend(steps)
        return everything

    def due(self, node: str, kind: type[Timer]) -> tuple[Timer, float]:
        """The oldest pending timer of type ``kind`` of ``node``, and its due time."""
        return next((timer, due) for n, timer, due in self.timers
                    if n == node and isinstance(timer, kind))

    def fire(self, node: str, kind: type[Timer]) -> list[Step]:
        """Fire the oldest pending ``kind`` timer of ``node`` at its due time; what the
        machine returned (not yet delivered: pass it to ``deliver``)."""
        timer, due = self.due(node, kind)
        self.timers.remove((node, timer, due))
        machine = self.lma if node == LMA else self.mags[node]
        return self.returned(node, machine.on_timer(timer, due), due)


def two_mags_one_lma(mode: str = "ft", lifetime_s: int = 40) -> Pump:
    """The draft's §3.2 network: MAG1 and MAG2 with a tunnel each to one LMA."""
    lma = Lma(LmaConfig(mode=mode, address=LMA_ADDRESS,
                        prefix_pool=IPv6Network("2001:db8:100::/40"),
                        mags={a: n for n, a in MAG_ADDRESS.items()}, lifetime_s=lifetime_s,
                        tunnels={"MAG1": "Tunnel1", "MAG2": "Tunnel2"}))
    mags = {name: Mag(MagConfig(name=name, address=address, lma_address=LMA_ADDRESS,
                                link_local=IPv6Address(f"fe80::a:{i}"), mode=mode,
                                lifetime_s=lifetime_s))
            for i, (name, address) in enumerate(MAG_ADDRESS.items(), start=1)}
    return Pump(lma, mags)


def of_type(steps: list[Step], kind: type[A]) -> list[tuple[str, A]]:
    """The steps whose action is a ``kind``."""
    return [(n, a) for n, a in steps if isinstance(a, kind)]


def only(steps: list[Step], kind: type[A]) -> A:
    """The one action of type ``kind`` among the steps (fails if there are more or none)."""
    found = of_type(steps, kind)
    assert len(found) == 1, shape(steps)
    return found[0][1]


def shape(steps: list[Step]) -> list[tuple[str, str]]:
    """(node, action type name) per step: the exchange as a readable list."""
    return [(n, type(a).__name__) for n, a in steps]
