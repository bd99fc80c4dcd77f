"""The run's milestones: the events a teacher stops at when walking through it.

A milestone is an event that starts something a class should look at: an interface
attached (it has its address), a fault, the first event of each Figure 1 step of a
handover (cached data forwarded to the new MAG, step 7, is one of them), a DeReg PBU,
a PBA that ends a de-registration or rejects a PBU, a PBU sent again, a Binding Cache
entry changing state, a MAG flushing its cache, the first packet a flow delivers (and
the first on a new path), the start of a loss and a lost signalling message.

Decided from the trace's fields alone (``kind``, ``msg``, ``fields``, ``step``) and
the scenario's flows, never from a ``note``. :class:`MilestoneFold` is a fold: give it
every event in order; :func:`milestones` folds a whole trace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pmipviz.export.ladder import state_label
from pmipviz.protocol.keys import IfaceKey, short_node
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent


@dataclass(frozen=True, slots=True)
class Milestone:
    """Event ``at`` of the trace (the cursor after it is ``at + 1``) is a milestone."""

    at: int
    t_ms: float
    kind: str  # step attach fault dereg pba retx bce ignore flush first path loss signal
    label: str
    mn_id: str | None = None
    step: int | None = None


def short(node: str | None) -> str:
    """``mn1/IF1`` for ``mn1@example.org/IF1``; other names as they are; ``?`` for none."""
    return short_node(node) if node else "?"


def _control(msg: str, f: dict[str, Any]) -> str:
    if msg == "PBU":
        return "DeReg PBU" if f.get("lifetime_s") == 0 else f"PBU HI={f.get('hi', '?')}"
    if msg == "PBA":
        status = f.get("status", 0)
        return f"PBA status {status}"
    return msg


def describe_event(ev: TraceEvent) -> str:
    """A short sentence of what ``ev`` does, from its fields."""
    f = ev.fields
    node, peer = short(ev.node), short(ev.peer)
    if ev.kind == "fault":
        what = {"break": "breaks", "restore": "is restored",
                "move": f"moves to {f.get('to_mag')}"}.get(str(f.get("action")), "changes")
        return f"{short(str(f.get('interface') or ev.node))} {what}" + \
            (" (no change)" if f.get("noop") else "")
    if ev.msg == "DATA":
        cached = "cached " if f.get("cached") else ""
        n = f.get("n")
        if ev.kind == "buffer":
            return f"{node} caches DATA n={n}" if f.get("op") == "in" else \
                f"{node} flushes its cache up the tunnel, DATA n={n} first"
        if ev.kind == "deliver":
            return f"{node} receives {cached}DATA n={n}"
        if ev.kind == "drop":
            return f"{node} drops DATA n={n} ({f.get('reason', '?')})"
        return f"{node} {'sends' if ev.kind == 'send' else 'gets'} {cached}DATA n={n} " \
            f"{'to' if ev.kind == 'send' else 'from'} {peer}"
    if ev.msg is not None and ev.kind in ("send", "recv", "drop"):
        label = _control(ev.msg, f)
        if ev.kind == "drop":
            return f"{label} lost at {node} ({f.get('reason', '?')})"
        return f"{node} sends {label} to {peer}" if ev.kind == "send" else \
            f"{node} gets {label} from {peer}"
    if ev.kind == "state":
        return _state(ev.node, f)
    return f"{node}: {ev.kind}"


def _state(node: str, f: dict[str, Any]) -> str:
    table, after = f.get("table"), f.get("after") or {}
    where = f.get("interface") or short(str(f.get("key", "")))
    if table == "bce":
        if not after:
            return f"LMA deletes the BCE entry of {where}"
        flags = f" M={after['m']} S={after['s']}" if after.get("s") is not None else ""
        return f"LMA: BCE entry of {where} {after.get('state')} via {after.get('mag')}{flags}"
    if table == "iface" and after.get("address"):
        return f"{short(node)} attached via {after.get('mag')}: address {after['address']}"
    if table == "route":
        return f"LMA routes the MN via {after['via']}" if after.get("via") else \
            "LMA has no route to the MN"
    if table == "bul":
        return f"{short(node)}: BUL {where} {after.get('state', 'removed')}"
    return f"{short(node)} {state_label(f) or table}"


# what a milestone's label adds to the event's sentence
_AFTER = {"first": ": the flow's first packet", "path": ": the first on the new path",
          "loss": ": packets are being lost", "retx": " (retransmission)"}


class MilestoneFold:
    """``check(i, ev)`` for every event in order: its milestone, or None."""

    def __init__(self, scenario: Scenario) -> None:
        mns = frozenset(mn.id for mn in scenario.mns)
        # per flow: the MN it goes to (``to`` may name an MN or one of its interfaces)
        self._flow_mn = [dst if (dst := f.dst.split("/", 1)[0]) in mns else None
                         for f in scenario.flows]
        self._stage: dict[str | None, int] = {}  # MN -> the highest step shown
        self._path: dict[int, tuple[str, str | None]] = {}  # flow -> (interface, MAG)
        self._dropping: dict[int, str] = {}  # flow -> the reason it is losing packets
        self._caching: set[str] = set()  # MAGs whose latest buffer event was ``in``

    def mn_of(self, ev: TraceEvent) -> str | None:
        """The MN an event is about, from its fields (None: not one MN's)."""
        f = ev.fields
        mn = f.get("mn_id")
        if mn:
            return str(mn)
        if ev.msg == "DATA" and isinstance(f.get("flow"), int) and \
                f["flow"] < len(self._flow_mn):
            return self._flow_mn[f["flow"]]
        where = str(f.get("interface") or ev.node)
        return IfaceKey.parse(where).mn_id if IfaceKey.is_key(where) else None

    def check(self, i: int, ev: TraceEvent) -> Milestone | None:
        """The milestone event ``i`` is, or None; updates the fold."""
        mn = self.mn_of(ev)
        kind = self._kind(ev, mn)
        step = ev.step
        if step is not None and step > self._stage.get(mn, 0):
            self._stage[mn] = step  # the first event of a step of this MN's handover
            return Milestone(i, ev.t_ms, "step", f"({step}) {describe_event(ev)}", mn, step)
        if kind is None:
            return None
        label = describe_event(ev) + _AFTER.get(kind, "")
        return Milestone(i, ev.t_ms, kind, label, mn, step)

    def _kind(self, ev: TraceEvent, mn: str | None) -> str | None:
        f, kind, msg = ev.fields, ev.kind, ev.msg
        if kind == "fault":
            if not f.get("noop") and f.get("action") in ("break", "move"):
                self._stage[mn] = min(self._stage.get(mn, 0), 1)  # a new handover
            return "fault"
        if msg == "DATA":
            return self._data(ev)
        if kind == "state":
            return self._state_kind(f)
        if kind == "drop":
            return "signal"
        if kind != "send":
            return None
        if msg == "PBU":
            if f.get("lifetime_s") == 0:
                return "dereg"
            return "retx" if f.get("retransmission") else None
        if msg == "PBA":
            status = f.get("status", 0)
            if (isinstance(status, int) and status >= 128) or f.get("lifetime_s") == 0:
                return "pba"
        return None

    @staticmethod
    def _state_kind(f: dict[str, Any]) -> str | None:
        table, before, after = f.get("table"), f.get("before"), f.get("after")
        if table == "iface":
            return "attach" if f.get("cause") == "address" and (after or {}).get("address") \
                else None
        if table == "bce" and before and (
                not after or any(after.get(k) != before.get(k) for k in ("state", "mag"))):
            return "bce"
        if table in ("lma", "mag"):
            return "ignore"  # a node ignores a message (a late PBA, a stale DeReg)
        return None

    def _data(self, ev: TraceEvent) -> str | None:
        f, kind = ev.fields, ev.kind
        flow = f.get("flow")
        if kind == "buffer":
            if f.get("op") == "in":
                self._caching.add(ev.node)
                return None
            if ev.node in self._caching:
                self._caching.discard(ev.node)
                return "flush"
            return None
        if not isinstance(flow, int):
            return None
        if kind == "drop":
            reason = str(f.get("reason"))
            if self._dropping.get(flow) == reason:
                return None  # lost the same way as before: the same loss goes on
            self._dropping[flow] = reason
            return "loss"
        if kind == "deliver":
            last = self._path.get(flow)
            self._path[flow] = (ev.node, ev.peer)
            if last == (ev.node, ev.peer):
                return None
            return "first" if last is None else "path"
        return None


def milestones(trace: Iterable[TraceEvent], scenario: Scenario,
               mn_id: str | None = None) -> list[Milestone]:
    """The milestones of ``trace``; with ``mn_id``, only that MN's (and those of no
    MN in particular)."""
    fold = MilestoneFold(scenario)
    found = (fold.check(i, ev) for i, ev in enumerate(trace))
    return [m for m in found if m is not None and (mn_id is None or m.mn_id in (None, mn_id))]
