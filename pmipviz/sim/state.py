"""The state shown at one point of the trace, folded from the events alone.

Every change is journalled, so stepping back is an undo of the last event, not a
re-run; a snapshot (compressed) lets the Simulation keep journals for recent events
only. The UI reads this; it never asks the protocol machines.

The flow and cache counters are the metrics' own fold (``Counters``), so the screen
shows the numbers of ``run --json`` at every event."""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass, field
from typing import Any

from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario.model import Scenario
from pmipviz.sim.counters import CacheCounters, Counters, FlowCounters
from pmipviz.sim.trace import TraceEvent

_MISSING = object()
_COUNTERS = object()  # journal key: the entry is undone by ``Counters.undo``


@dataclass
class StateView:
    """Tables at the current event: BCE rows, BULs, routes, tunnels, interfaces,
    and the DATA counters (``caches``, ``flows``, ``lost_by_reason``: the metrics'
    fold); ``changed`` names what the last event touched."""

    scenario: Scenario
    t_ms: float = 0.0
    index: int = 0  # events applied
    bce: dict[str, dict[str, Any]] = field(default_factory=dict)
    bul: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tunnels: dict[str, dict[str, Any]] = field(default_factory=dict)
    ifaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    # MN-ID -> the key of the BCE entry carrying its traffic (the ``carrier`` field of
    # the BCE state events: ``Lma.elect_carrier``); absent when none does
    carriers: dict[str, str] = field(default_factory=dict)
    counters: Counters = field(init=False)
    changed: set[tuple[str, str]] = field(default_factory=set)  # (table, key)
    changed_fields: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    last: TraceEvent | None = None

    def __post_init__(self) -> None:
        self.counters = Counters(self.scenario)
        for mn in self.scenario.mns:
            for itf in mn.interfaces:
                key = str(IfaceKey(mn.id, itf.name))
                self.ifaces[key] = {"mn_id": mn.id, "interface": itf.name, "mag": None,
                                    "up": False, "hnp": [], "address": None, "broken": False}

    @property
    def caches(self) -> dict[str, CacheCounters]:
        """Each MAG's cache counters, by MAG name."""
        return self.counters.caches

    @property
    def flows(self) -> list[FlowCounters]:
        """Each flow's counters, in the scenario's order (delivered: once a packet)."""
        return self.counters.flows

    @property
    def lost_by_reason(self) -> dict[str, int]:
        """DATA packets lost so far, by reason."""
        return self.counters.lost_by_reason

    # -- snapshots -------------------------------------------------------------------

    _SNAPSHOT = ("t_ms", "index", "bce", "bul", "routes", "tunnels", "ifaces", "counters",
                 "changed", "changed_fields", "carriers")

    def snapshot(self) -> bytes:
        """Everything but the scenario and ``last`` (the event at ``index - 1``),
        pickled and compressed; the counters as plain values (``Counters.dump``)."""
        state = {name: getattr(self, name) for name in self._SNAPSHOT}
        state["counters"] = self.counters.dump()
        return zlib.compress(pickle.dumps(state, pickle.HIGHEST_PROTOCOL), 6)

    def restore(self, snapshot: bytes, last: TraceEvent | None) -> None:
        """Become the state a ``snapshot`` recorded, in place; ``last`` is its last event."""
        state = pickle.loads(zlib.decompress(snapshot))
        self.counters.load(state.pop("counters"))
        for name, value in state.items():
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
            saved = self.counters.fold_undoable(ev)
            if saved is not None:
                j.append((self.counters, _COUNTERS, saved))
            if ev.kind == "buffer":
                self.changed.add(("cache", ev.node))
        return j

    def undo(self, journal: list[tuple[Any, Any, Any]]) -> None:
        """Revert one ``apply``."""
        for obj, key, old in reversed(journal):
            if key is _COUNTERS:
                obj.undo(old)
            elif isinstance(obj, dict):
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
        if "carrier" in f:  # a BCE event: the entry carrying its MN's traffic now
            self._carrier(j, f.get("mn_id") or "", f["carrier"])

    def _carrier(self, j: list[tuple[Any, Any, Any]], mn_id: str, new: str | None) -> None:
        """The MN's carrier is ``new`` now; the rows it leaves and joins are changed
        (``carrier``: the pane marks the row)."""
        old = self.carriers.get(mn_id)
        if new == old:
            return
        self._set(j, self.carriers, mn_id, _MISSING if new is None else new)
        for k in (old, new):
            if k is not None:
                self.changed.add(("bce", k))
                self.changed_fields.setdefault(("bce", k), set()).add("carrier")
