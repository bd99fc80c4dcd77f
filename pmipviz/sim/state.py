"""The state shown at one point of the trace, folded from the events alone.

Every change is journalled, so stepping back is an undo of the last event, not a
re-run; a snapshot (compressed) lets the Simulation keep journals for recent events
only. The UI reads this; it never asks the protocol machines."""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass, field
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent

_MISSING = object()


@dataclass
class CacheInfo:
    """One MAG's cache: occupancy and counters."""

    capacity: int
    occupancy: int = 0
    cached_in: int = 0
    flushed: int = 0
    dropped: int = 0
    peak: int = 0


@dataclass
class FlowInfo:
    """One flow's counters at this point."""

    src: str
    dst: str
    sent: int = 0
    delivered: int = 0
    lost: int = 0
    reordered: int = 0
    max_n: int = -1


@dataclass
class StateView:
    """Tables at the current event: BCE rows, BULs, routes, tunnels, interfaces,
    caches and flows; ``changed`` names what the last event touched."""

    scenario: Scenario
    t_ms: float = 0.0
    index: int = 0  # events applied
    bce: dict[str, dict[str, Any]] = field(default_factory=dict)
    bul: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tunnels: dict[str, dict[str, Any]] = field(default_factory=dict)
    ifaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    caches: dict[str, CacheInfo] = field(default_factory=dict)
    flows: list[FlowInfo] = field(default_factory=list)
    lost_by_reason: dict[str, int] = field(default_factory=dict)
    changed: set[tuple[str, str]] = field(default_factory=set)  # (table, key)
    changed_fields: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    last: TraceEvent | None = None

    def __post_init__(self) -> None:
        for m in self.scenario.mags:
            self.caches[m.name] = CacheInfo(m.buffer_packets)
        self.flows = [FlowInfo(f.src, f.dst) for f in self.scenario.flows]
        for mn in self.scenario.mns:
            for itf in mn.interfaces:
                key = str(IfaceKey(mn.id, itf.name))
                self.ifaces[key] = {"mn_id": mn.id, "interface": itf.name, "mag": None,
                                    "up": False, "hnp": [], "address": None, "broken": False}

    # -- snapshots -------------------------------------------------------------------

    _SNAPSHOT = ("t_ms", "index", "bce", "bul", "routes", "tunnels", "ifaces", "caches",
                 "flows", "lost_by_reason", "changed", "changed_fields")

    def snapshot(self) -> bytes:
        """Everything but the scenario and ``last`` (the event at ``index - 1``),
        pickled and compressed."""
        state = {name: getattr(self, name) for name in self._SNAPSHOT}
        return zlib.compress(pickle.dumps(state, pickle.HIGHEST_PROTOCOL), 6)

    def restore(self, snapshot: bytes, last: TraceEvent | None) -> None:
        """Become the state a ``snapshot`` recorded, in place; ``last`` is its last event."""
        for name, value in pickle.loads(zlib.decompress(snapshot)).items():
            setattr(self, name, value)
        self.last = last

    # -- journalled mutation ------------------------------------------------------

    def _set(self, journal: list[tuple[Any, Any, Any]], obj: Any, key: Any, value: Any) -> None:
        if isinstance(obj, dict):
            journal.append((obj, key, obj.get(key, _MISSING)))
            if value is _MISSING:
                obj.pop(key, None)
            else:
                obj[key] = value
        else:
            journal.append((obj, key, getattr(obj, key)))
            setattr(obj, key, value)

    def apply(self, ev: TraceEvent) -> list[tuple[Any, Any, Any]]:
        """Apply one event; return the journal that undoes it."""
        j: list[tuple[Any, Any, Any]] = []
        self._set(j, self, "t_ms", ev.t_ms)
        self._set(j, self, "index", ev.i + 1)
        self._set(j, self, "last", ev)
        self._set(j, self, "changed", set())
        self._set(j, self, "changed_fields", {})
        f = ev.fields
        if ev.kind == "state":
            self._state(j, f)
        elif ev.msg == "DATA":
            self._data(j, ev)
        return j

    def undo(self, journal: list[tuple[Any, Any, Any]]) -> None:
        """Revert one ``apply``."""
        for obj, key, old in reversed(journal):
            if isinstance(obj, dict):
                if old is _MISSING:
                    obj.pop(key, None)
                else:
                    obj[key] = old
            else:
                setattr(obj, key, old)

    # -- folding --------------------------------------------------------------------

    def _state(self, j: list[tuple[Any, Any, Any]], f: dict[str, Any]) -> None:
        table = {"bce": self.bce, "bul": self.bul, "route": self.routes,
                 "tunnel": self.tunnels, "iface": self.ifaces}.get(f["table"])
        if table is None:
            return
        key = f["key"]
        after = f["after"]
        if after is None:
            self._set(j, table, key, _MISSING)
        else:
            row = dict(after)
            if f["table"] == "bce":
                row["interface"] = f.get("interface")
            self._set(j, table, key, row)
        before = f["before"] or {}
        changed = {k for k in (after or {}) if before.get(k) != (after or {}).get(k)}
        self.changed.add((f["table"], key))
        self.changed_fields[(f["table"], key)] = changed if before else set(after or ())

    def _data(self, j: list[tuple[Any, Any, Any]], ev: TraceEvent) -> None:
        f = ev.fields
        flow = self.flows[f["flow"]]
        if ev.kind == "send" and f["hop"] == 0:
            self._set(j, flow, "sent", flow.sent + 1)
        elif ev.kind == "deliver":
            self._set(j, flow, "delivered", flow.delivered + 1)
            if f["n"] < flow.max_n:
                self._set(j, flow, "reordered", flow.reordered + 1)
            else:
                self._set(j, flow, "max_n", f["n"])
        elif ev.kind == "drop":
            self._set(j, flow, "lost", flow.lost + 1)
            reason = f["reason"]
            self._set(j, self.lost_by_reason, reason, self.lost_by_reason.get(reason, 0) + 1)
            cache = self.caches.get(ev.node)
            if cache is not None and reason == "buffer_overflow":
                self._set(j, cache, "dropped", cache.dropped + 1)
        elif ev.kind == "buffer":
            cache = self.caches[ev.node]
            self._set(j, cache, "occupancy", f["occupancy"])
            if f["op"] == "in":
                self._set(j, cache, "cached_in", cache.cached_in + 1)
                if f["occupancy"] > cache.peak:
                    self._set(j, cache, "peak", f["occupancy"])
            else:
                self._set(j, cache, "flushed", cache.flushed + 1)
            self.changed.add(("cache", ev.node))
