"""Tags the events that illustrate the draft's Figure 1 with its steps (1)-(8).

Only in ``ft`` mode and only for multihomed MNs (two interfaces or more). A
handover context starts when one of the MN's interfaces breaks or moves:
(1) data down the old tunnel, (2) the old MAG caching / detecting, (3) the DeReg
PBU, (4) the LMA's BCE update, (5) the PBA, (6) the flush up the tunnel,
(7) the cached data forwarded to the new MAG and the MN, (8) new data on the
new path once the cached data has gone ahead.

The tagger is a fold over the trace: ``StepTagger.step`` is given every event in
order and returns its step, decided from the events before it and from the scenario's
names alone (which node is the LMA, a MAG, an MN interface; which flows go down to a
multihomed MN). What it needs of the protocol's state it folds from the events
themselves: the M flags from the ``after`` rows of ``bce`` state events, the MAGs'
caches from ``buffer`` events, where an interface was from the ``mag`` of its fault.
It never reads a live protocol object nor a ``note``, so :func:`retag` gives a trace
read back from a file the steps the live run gave it.

It lives in ``sim/`` and the world calls it from ``World.emit``: every event must
carry its step before any sink sees it (the JSON-lines file, the TUI's trace), and
sim/ may not import lesson/. A tagger installed as a sink by a higher layer would
leave a world built without it untagged; here every world in ``ft`` mode tags. One
shortcut on the hot path: a DATA hop's ``recv`` has its send's step and changes
nothing in the fold, so ``World.emit_recv`` passes that step without asking (a third
of all events); the tagger gives a ``recv`` read back from a file the same step.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent

_ZERO = IPv6Address("::")
StepFn = Callable[[str, str, "str | None", "str | None", dict[str, Any]], "int | None"]


@dataclass(slots=True)
class _Handover:
    old_mag: str | None  # where the interface was when it broke or moved
    stage: int = 0
    eight: bool = False  # step 8 may start: cached data went ahead (or there was none)

    def tag(self, step: int) -> int:
        self.stage = max(self.stage, step)
        if step == 7:
            self.eight = True
        return step

    def down(self, mag: str | None, cached: bool) -> int | None:
        """The step of a packet of the MN on its way down at (or to) ``mag``."""
        if cached:
            return self.tag(7)
        if self.stage < 4:
            return self.tag(1) if self.stage < 1 else 1
        if mag != self.old_mag and self.eight:
            return self.tag(8)
        return None


class StepTagger:
    """Decides the ``step`` of each event from the events before it (a fold)."""

    def __init__(self, scenario: Scenario) -> None:
        self.lma = scenario.lma.name
        self.mags = frozenset(m.name for m in scenario.mags)
        self.iface_mn = {f"{mn.id}/{itf.name}": mn.id
                         for mn in scenario.mns for itf in mn.interfaces}
        multihomed = {mn.id for mn in scenario.mns if len(mn.interfaces) >= 2}
        self.multihomed = frozenset(multihomed)
        cns = {c.name for c in scenario.cns}
        # per flow: the MN whose Figure 1 story its packets tell (downlink, multihomed)
        self._flow_mn = [f.dst if f.src in cns and f.dst in multihomed else None
                         for f in scenario.flows]
        self.ho: dict[str, _Handover] = {}
        # pid -> the step of the packet's latest tunnel hop: chosen at the LMA (or step 6
        # on its way back up); kept until the packet is delivered or dropped
        self._decided: dict[int, int | None] = {}
        self._m1: dict[str, set[str]] = {}  # mn -> keys of its BCE entries with M=1
        self._cache: dict[str, dict[int, str]] = {}  # MAG -> pid -> dst of what it holds
        self._ctrl: dict[tuple[str, str, str], deque[int | None]] = {}  # PBU/PBA in flight
        self.step: StepFn = self._fold()
        """The step of the next event of the trace, given as its parts (``kind``,
        ``node``, ``peer``, ``msg``, ``fields``: the world asks before the event exists)."""

    @property
    def held(self) -> int:
        """Packets whose step is kept until they are delivered or dropped."""
        return len(self._decided)

    def tag(self, ev: TraceEvent) -> int | None:
        """The step of ``ev``, the next event of the trace."""
        return self.step(ev.kind, ev.node, ev.peer, ev.msg, ev.fields)

    def _fold(self) -> StepFn:
        """The fold's step function. Its DATA branches run for almost every event of a
        run: they are written out in line, on the closure's variables rather than on
        attributes (fewer bytecodes on the world's hot path)."""
        lma, mags, ifaces, flow_mn = self.lma, self.mags, self.iface_mn, self._flow_mn
        stories, decided = self.ho, self._decided

        def step(kind: str, node: str, peer: str | None, msg: str | None,
                 fields: dict[str, Any]) -> int | None:
            if msg != "DATA":
                if kind == "state":
                    return self._state(node, fields)
                if kind == "fault":
                    self._fault(fields)
                    return None
                if msg == "PBU" or msg == "PBA":
                    return self._control(kind, node, peer or "", msg, fields)
                return None
            mn = flow_mn[fields["flow"]]
            if mn is None:
                if kind == "buffer":
                    self._fold_cache(node, fields)
                return None
            if kind == "send":
                if node == lma:  # down the tunnel: the step is decided here
                    if peer not in mags:
                        return None
                    step = 1 if mn not in stories else stories[mn].down(peer, fields["cached"])
                    decided[fields["pid"]] = step
                    return step
                if node not in mags:
                    return None
                if peer in ifaces:  # to the MN: decided at the LMA
                    step = 1 if mn not in stories else stories[mn].down(node, fields["cached"])
                    return decided.get(fields["pid"], step)
                if peer == lma:  # up the tunnel: step 6 for the old MAG's cache
                    ho = stories.get(mn)
                    step = (ho.tag(6) if ho is not None and fields["cached"]
                            and node == ho.old_mag else None)
                    decided[fields["pid"]] = step  # until the LMA sends it down
                    return step
                return None
            if kind == "deliver":
                if node not in ifaces:
                    return None
                step = decided.pop(fields["pid"], 0)  # 0: none decided
                if step != 0:
                    return step
                return 1 if mn not in stories else stories[mn].down(peer, fields["cached"])
            if kind == "recv":
                return self._arrival(node, peer, fields["pid"])
            if kind == "drop":
                pid = fields["pid"]
                step = (self._arrival(node, peer, pid) if fields["reason"] == "link_loss"
                        else None)
                decided.pop(pid, None)
                return step
            if kind == "buffer":
                return self._buffer(mn, node, fields)
            return None

        return step

    def _control(self, kind: str, node: str, peer: str, msg: str,
                 fields: dict[str, Any]) -> int | None:
        """A PBU's or a PBA's step: decided at its send, the same at its arrival."""
        if kind == "send":
            step = self._pbu(node, fields) if msg == "PBU" else self._pba(peer, fields)
            self._ctrl.setdefault((node, peer, msg), deque()).append(step)
            return step
        # its recv or its loss on the link: links are FIFO (one delay each)
        return self._ctrl[(peer, node, msg)].popleft()

    # -- DATA ------------------------------------------------------------------

    def _arrival(self, node: str, peer: str | None, pid: int) -> int | None:
        """The step of a hop's arrival (or loss): its send's. It changes nothing in
        the fold (``World.emit_recv`` relies on it and does not ask)."""
        if (peer == self.lma and node in self.mags) or (node == self.lma and peer in self.mags):
            return self._decided.get(pid)
        return None

    def _fold_cache(self, mag: str, fields: dict[str, Any]) -> None:
        held = self._cache.setdefault(mag, {})
        if fields["op"] == "in":
            held[fields["pid"]] = fields["dst"]
        else:
            held.pop(fields["pid"], None)

    def _buffer(self, mn: str, node: str, fields: dict[str, Any]) -> int | None:
        self._fold_cache(node, fields)
        ho = self.ho.get(mn)
        if ho is None or node != ho.old_mag:
            return None
        if fields["op"] == "in":
            return ho.tag(2)
        return ho.tag(6) if fields.get("to") == self.lma else None

    # -- control -----------------------------------------------------------------

    def _fault(self, fields: dict[str, Any]) -> None:
        """A Figure 1 story starts when an interface of an MN the LMA knows as
        multihomed (an entry with M=1) breaks while attached, or moves."""
        action = fields["action"]
        if fields.get("noop") or not (action == "move" or
                                      (action == "break" and fields["mag"] is not None)):
            return
        mn = self.iface_mn[fields["interface"]]
        if mn not in self.multihomed:
            return
        if self._m1.get(mn):
            self.ho[mn] = _Handover(fields["mag"])
        else:
            self.ho.pop(mn, None)

    def _state(self, node: str, fields: dict[str, Any]) -> int | None:
        table, cause = fields["table"], fields["cause"]
        if table == "bce":
            self._fold_m(fields)
        if table == "bul" and cause == "detect":
            ho = self.ho.get(fields.get("mn_id") or "")
            if ho is not None and node == ho.old_mag:
                return ho.tag(2)
        elif (table == "bce" or table == "route") and (cause == "dereg" or cause == "route"):
            ho = self.ho.get(str(fields["mn_id"]))
            if ho is not None and 3 <= ho.stage <= 4:
                return ho.tag(4)
        return None

    def _fold_m(self, fields: dict[str, Any]) -> None:
        after = fields["after"]
        row = after or fields["before"] or {}
        keys = self._m1.setdefault(row.get("mn_id", ""), set())
        if after is not None and after.get("m") == 1:
            keys.add(fields["key"])
        else:
            keys.discard(fields["key"])

    def _pbu(self, mag: str, fields: dict[str, Any]) -> int | None:
        ho = self.ho.get(fields.get("mn_id") or "")
        if ho is not None and fields["lifetime_s"] == 0 and mag == ho.old_mag:
            return ho.tag(3)
        return None

    def _pba(self, mag: str | None, fields: dict[str, Any]) -> int | None:
        ho = self.ho.get(fields.get("mn_id") or "")
        if (ho is None or mag is None or fields["lifetime_s"] != 0 or mag != ho.old_mag
                or fields["status"] >= 128):
            return None
        step = ho.tag(5)
        prefixes = {int(net.network_address) >> 64
                    for net in map(IPv6Network, fields.get("hnp", ()))
                    if net.network_address != _ZERO}
        held = self._cache.get(mag, {}).values()
        if not any(int(IPv6Address(dst)) >> 64 in prefixes for dst in held):
            ho.eight = True
        return step


def tagger_for(scenario: Scenario, mode: str) -> StepTagger | None:
    """The tagger of a run in ``mode`` (only ``ft`` runs have Figure 1 steps)."""
    return StepTagger(scenario) if mode == "ft" else None


def retag(events: Iterable[TraceEvent], scenario: Scenario, mode: str
          ) -> Iterator[int | None]:
    """The steps of a trace read back (e.g. with ``event_from_dict``), in order, folded
    from its events alone: the same steps the live run gave them."""
    tagger = tagger_for(scenario, mode)
    for ev in events:
        yield None if tagger is None else tagger.tag(ev)
