"""The ladder model: one MN's trace events grouped into rows that read like the
draft's Figure 1 (draft-jiang-netext-ft-pmip-00 §3.2).

Shared by the TUI and the text / Mermaid / PlantUML / SVG exports, so nothing
here imports textual. Rows are built incrementally (``LadderBuilder.feed``) with
O(1) work per event: a ``send`` opens an arrow, its ``recv`` / ``deliver`` /
``drop`` joins that row, runs of DATA along one path share one row, and state
changes become notes only when they matter for the story.

The rows are in time order: a row aggregates only what nothing else came between.
Any other row closes (a control row, a fault, a note) or fences (a new aggregate)
the open aggregates, so no row counts a packet, a cache operation or a drop after a
row below it starts; only the DATA arrows and DATA drops of one stretch run side by
side, being the hops and fates of the same packets. Packet numbers are listed as the
row counts them, gaps shown (``packet_numbers``)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pmipviz.protocol.constants import status_name
from pmipviz.protocol.keys import BulKey, IfaceKey, bce_mn, waited_bce
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent

MSG_CLASSES = ("PBU", "DEREG", "PBA", "PBA_REJECT", "RS", "RA", "DATA", "DATA_CACHED",
               "DROP", "STATE", "BUFFER", "FAULT")
_BAR_WIDTH = 8  # cache squares shown before a "+"


# -- columns ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One vertical line of the ladder: its label, the trace nodes drawn on it and
    its kind (``iface``, ``mag``, ``lma``, ``cn`` or ``other``)."""

    name: str
    nodes: frozenset[str]
    kind: str


def focus_of(scenario: Scenario, focus_mn: str | None = None) -> str | None:
    """The MN a ladder follows: ``focus_mn`` if given, else the scenario's first MN."""
    if focus_mn is not None:
        if all(mn.id != focus_mn for mn in scenario.mns):
            raise ValueError(f"no mobile node {focus_mn!r} in scenario {scenario.name!r}")
        return focus_mn
    return scenario.mns[0].id if scenario.mns else None


def _mags_of(scenario: Scenario, mn_id: str | None) -> set[str]:
    if mn_id is None:
        return set()
    mags = {itf.mag for itf in scenario.mn(mn_id).interfaces}
    mags.update(f.to_mag for f in scenario.faults
                if f.action == "move" and f.to_mag and f.mn_id == mn_id)
    return mags


def columns(scenario: Scenario, focus_mn: str | None = None) -> list[Column]:
    """Columns in Figure 1's order: the MN's interfaces, its MAGs, the LMA, its CNs."""
    mn_id = focus_of(scenario, focus_mn)
    cols: list[Column] = []
    if mn_id is not None:
        cols += [Column(itf.name, frozenset({str(IfaceKey(mn_id, itf.name))}), "iface")
                 for itf in scenario.mn(mn_id).interfaces]
    used = _mags_of(scenario, mn_id)
    cols += [Column(m.name, frozenset({m.name}), "mag") for m in scenario.mags if m.name in used]
    cols.append(Column(scenario.lma.name, frozenset({scenario.lma.name}), "lma"))
    peers = {f.src for f in scenario.flows if f.dst == mn_id}
    peers |= {f.dst for f in scenario.flows if f.src == mn_id}
    cns = [c for c in scenario.cns if c.name in peers] or list(scenario.cns)
    cols += [Column(c.name, frozenset({c.name}), "cn") for c in cns]
    return cols


# -- rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderRow:
    """One ladder row: an arrow (a message, or a run of DATA), a note on one column,
    a fault or a drop. ``events`` are the indexes of every trace event it stands for."""

    first: int
    last: int
    t_ms: float
    t_end_ms: float
    kind: str
    src: str
    dst: str | None
    label: str
    msg_class: str
    step: int | None
    events: tuple[int, ...]
    count: int = 1
    lost: bool = False


class _Row:
    """The mutable row behind a LadderRow while the trace grows."""

    __slots__ = ("base", "cap", "data", "dst", "events", "flush_to", "items", "kind", "losses",
                 "memo", "msg_class", "reason", "src", "step", "t_end", "t_ms", "until",
                 "values")

    def __init__(self, kind: str, src: str, dst: str | None, msg_class: str, base: str,
                 t_ms: float) -> None:
        self.kind = kind
        self.src = src
        self.dst = dst
        self.msg_class = msg_class
        self.base = base  # the label of a control row, or the reason of a drop row
        self.t_ms = t_ms
        self.t_end = t_ms
        self.step: int | None = None
        self.events: list[int] = []
        self.items: list[int] = []  # event index of each counted packet / cache operation
        self.values: list[int] = []  # n of each counted packet (a cache's occupancy)
        self.memo: tuple[int, str] = (0, "")  # (items counted, their packet numbers)
        self.losses: list[int] = []  # event indexes of link losses
        self.cap = 0
        self.data = False  # DATA arrows and drops of DATA: the rows of a stretch of DATA
        self.until: float | None = None  # the latest time the row may still count an item
        self.flush_to: str | None = None
        self.reason = ""

    def add(self, i: int, t_ms: float, step: int | None) -> None:
        self.events.append(i)
        self.t_end = t_ms
        if step is not None and (self.step is None or step < self.step):
            self.step = step

    def item(self, i: int, value: int) -> None:
        self.items.append(i)
        self.values.append(value)

    def numbers(self, n: int) -> str:
        """The packet numbers of the first ``n`` items (memoised: a view asks for the
        same count again and again)."""
        if self.memo[0] != n or not self.memo[1]:
            self.memo = (n, packet_numbers(self.values[:n]))
        return self.memo[1]

    def label(self, cursor: int | None = None) -> str:
        """The label counting only events with index < ``cursor`` (all when None); a
        row not reached yet reads as its first packet."""
        lost = len(self.losses) if cursor is None else bisect_left(self.losses, cursor)
        if not self.items:
            return f"{self.base} ✕" if lost else self.base
        n = len(self.items) if cursor is None else max(1, bisect_left(self.items, cursor))
        if self.msg_class == "BUFFER":
            return _buffer_label(self, n)
        span = f"n={self.numbers(n)}"
        count = f"×{n} " if n > 1 else ""
        if self.kind == "drop":
            return f"✕ {self.base} {count}{span}"
        prefix = "cached DATA" if self.msg_class == "DATA_CACHED" else "DATA"
        return f"{prefix} {count}{span}" + (f" ({lost} lost ✕)" if lost else "")

    def freeze(self) -> LadderRow:
        return LadderRow(self.events[0], self.events[-1], self.t_ms, self.t_end, self.kind,
                         self.src, self.dst, self.label(), self.msg_class, self.step,
                         tuple(self.events), max(1, len(self.items)), bool(self.losses))


def packet_numbers(ns: Iterable[int], most: int = 3) -> str:
    """Sorted packet numbers as runs, gaps shown: ``3..5``, ``99..101,110``; past
    ``most`` runs the first two, ``…`` and the last (the row's ``×n`` gives the count)."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(ns)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    text = [f"{lo}" if lo == hi else f"{lo}..{hi}" for lo, hi in runs]
    if len(text) > most:
        text = [*text[:2], "…", text[-1]]
    return ",".join(text)


def _buffer_label(row: _Row, n: int) -> str:
    if row.base == "out":
        return f"flush {n} to {row.flush_to or 'LMA'}"
    occ = row.values[n - 1]
    bar = "■" * min(occ, _BAR_WIDTH) + ("+" if occ > _BAR_WIDTH else "")
    return f"caching data for MN [{bar} {occ}/{row.cap}]"


# -- labels -------------------------------------------------------------------------


def _short_status(code: Any) -> str:
    """The §8.9 name of a status; views truncate it to the room they have."""
    return status_name(int(code)) if isinstance(code, int) else str(code)


def control_label(msg: str, f: dict[str, Any]) -> tuple[str, str]:
    """(label, msg_class) of a control message from its trace fields."""
    hi = f.get("hi", "?")
    if msg == "PBU":
        if f.get("lifetime_s") == 0:
            label, cls = f"DeReg PBU lt=0 HI={hi}", "DEREG"
        else:
            label, cls = f"PBU HI={hi} seq {f.get('seq')}", "PBU"
        return (label + " (retx)" if f.get("retransmission") else label), cls
    if msg == "PBA":
        status = f.get("status", 0)
        if isinstance(status, int) and status >= 128:
            return f"PBA {status} {_short_status(status)}", "PBA_REJECT"
        return f"PBA status {status}", "PBA"
    if msg == "RA":
        hnps = f.get("hnp") or []
        return ("RA " + ", ".join(hnps)).rstrip(), "RA"
    return msg, msg


def state_label(f: dict[str, Any]) -> str | None:
    """A short note for a state change that matters for the story, else None (noise)."""
    table, cause = f.get("table"), f.get("cause")
    key = str(f.get("key", ""))
    before: dict[str, Any] = f.get("before") or {}
    after: dict[str, Any] = f.get("after") or {}
    if table == "bce":
        return _bce_label(str(f.get("interface") or key), str(cause), before, after)
    if table == "route":
        return f"route → {after['via']}" if after.get("via") else "route: none ✕"
    if table == "bul":
        name = BulKey.parse(key).iface.name
        return {"detect": f"{name} unreachable", "link_up": f"{name} link back",
                "giveup": f"gives up on {name}"}.get(str(cause))
    if table == "tunnel":
        return f"{key} up" if after else f"{key} down"
    if table == "lma":
        return "waits for the DeReg" if cause == "wait" else "ignores the DeReg PBU"
    if table == "mag":
        return "ignores the PBA"
    if table == "iface":
        if cause == "attach":
            return f"attach → {after.get('mag')}"
        adopted = [a for a in after.get("adopted") or () if a not in
                   (before.get("adopted") or ())]
        if cause == "address" and adopted:  # a lost interface's address (HI=2 handoff)
            return f"adopts {', '.join(adopted)}"
        if cause == "address" and after.get("address"):
            return f"addr {after['address']}"
    return None


def _bce_label(name: str, cause: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    row = after or before
    ft = row.get("s") is not None
    flags = f"M={row.get('m')} S={row.get('s')}" if ft else ""
    if cause == "register":
        return f"BCE created {name} " + (flags or " ".join(row.get("hnp") or []))
    if cause == "multihoming":
        return f"BCE {name}: M=1"
    if cause == "dereg":
        if ft:
            return f"BCE {name}: S=0 (M={row.get('m')})"
        return f"BCE {name} held, traffic dropped"
    if cause == "handoff":
        return f"BCE {name} → {row.get('mag')}"
    if cause == "restore":
        return f"BCE {name}: S=1"
    return {"rereg": f"BCE {name} refreshed", "revive": f"BCE {name} revived",
            "delete": f"BCE {name} deleted", "expire": f"BCE {name} expired"}.get(
        cause, f"BCE {name}: {cause}")


def fault_label(f: dict[str, Any]) -> str:
    """"IF1 breaks ✕", "IF1 restored", "IF1 moves → MAG2"."""
    name = IfaceKey.parse(str(f["interface"])).name
    action = f.get("action")
    if f.get("noop"):
        return f"{name} {action}: no change"
    if action == "break":
        return f"{name} breaks ✕"
    if action == "restore":
        return f"{name} restored"
    return f"{name} moves → {f.get('to_mag')}"


# -- the builder ------------------------------------------------------------------------


class LadderBuilder:
    """Grows the ladder of one MN as trace events are fed, in trace order."""

    def __init__(self, scenario: Scenario, focus_mn: str | None = None) -> None:
        self.scenario = scenario
        self.focus = focus_of(scenario, focus_mn)
        self.columns: list[Column] = columns(scenario, self.focus)
        self._col: dict[str, str] = {n: c.name for c in self.columns for n in c.nodes}
        self._flows = frozenset(i for i, fl in enumerate(scenario.flows)
                                if self.focus in (fl.src, fl.dst))
        self._lli_mn = {itf.lli.hex(":"): mn.id for mn in scenario.mns for itf in mn.interfaces}
        self._rows: list[_Row] = []
        self._frozen: list[LadderRow | None] = []
        self._row_of: dict[int, int] = {}
        self._open: dict[tuple[Any, ...], int] = {}  # open aggregates (DATA, drops, cache)
        self._inflight: dict[int, int] = {}  # pid -> row of the hop it is on
        self._unsent: dict[int, int] = {}  # pid -> event index of a send with no peer
        self._uncached: dict[int, int] = {}  # pid -> flush row waiting for its destination
        self._pending: dict[tuple[Any, ...], list[int]] = {}  # control sends awaiting recv
        self._ctx_row: int | None = None  # row of the latest control event of the MN
        self._ctx_mn: str | None = None  # MN of the latest control event (any MN)
        self._orphans: list[tuple[int, float]] = []
        self.version = 0  # bumped on every change, for views that cache

    # -- public ---------------------------------------------------------------

    @property
    def rows(self) -> list[LadderRow]:
        """The rows so far, in the order of their first event."""
        out: list[LadderRow] = []
        for idx, frozen in enumerate(self._frozen):
            if frozen is None:
                frozen = self._frozen[idx] = self._rows[idx].freeze()
            out.append(frozen)
        return out

    def row(self, index: int) -> LadderRow:
        """One row (cheaper than ``rows`` when only a few are shown)."""
        frozen = self._frozen[index]
        if frozen is None:
            frozen = self._frozen[index] = self._rows[index].freeze()
        return frozen

    def __len__(self) -> int:
        return len(self._rows)

    def row_of(self, event_index: int) -> int | None:
        """The row an event belongs to; None for events of other MNs."""
        return self._row_of.get(event_index)

    def label_upto(self, row: int, cursor: int) -> str:
        """The label of ``row`` counting only events with index < ``cursor`` (a row not
        reached yet reads as its first packet)."""
        r = self._rows[row]
        return r.label() if cursor > r.events[-1] else r.label(cursor)

    def feed_all(self, events: Iterable[TraceEvent]) -> None:
        """Feed several events in trace order."""
        for ev in events:
            self.feed(ev)

    def feed(self, ev: TraceEvent) -> int | None:
        """Add one event; returns the row it went to (None if it is not the MN's)."""
        if not self._concerns(ev):
            return None
        kind = ev.kind
        if kind == "send":
            self._send(ev)
        elif kind in ("recv", "deliver"):
            self._arrive(ev)
        elif kind == "drop":
            self._drop(ev)
        elif kind == "buffer":
            self._buffer(ev)
        elif kind == "fault":
            self._control_row(ev, "fault", self._column(ev.node), None, "FAULT",
                              fault_label(ev.fields))
        elif kind == "state":
            self._state(ev)
        else:
            self._absorb(ev)
        self.version += 1
        return self._row_of.get(ev.i)

    # -- which events are the MN's --------------------------------------------------

    def _concerns(self, ev: TraceEvent) -> bool:
        msg, f = ev.msg, ev.fields
        mn: str | None
        if msg == "DATA":
            return f.get("flow") in self._flows
        if msg in ("PBU", "PBA"):
            mn = f.get("mn_id") or self._lli_mn.get(f.get("mn_lli", ""))
            self._ctx_mn = mn
            return mn == self.focus
        if msg in ("RS", "RA"):
            return f.get("mn_id") == self.focus
        if ev.kind == "fault":
            return self._focus_iface(ev.node) is not None
        if ev.kind != "state":
            return False
        table, key = f.get("table"), str(f.get("key", ""))
        if table == "iface":
            return self._focus_iface(key) is not None
        if table == "bul":
            mn = BulKey.parse(key).iface.mn_id
        elif table == "bce":
            mn = (f.get("after") or f.get("before") or {}).get("mn_id")
        elif table == "route":
            mn = key
        elif table == "lma" and (waited := waited_bce(key)) is not None:
            mn = bce_mn(waited)
        else:  # tunnel / ignore: the MN whose PBU or entry caused it
            return self._ctx_mn == self.focus
        self._ctx_mn = mn
        return mn == self.focus

    # -- columns ---------------------------------------------------------------------------

    def _column(self, node: str | None) -> str:
        if node is None:
            return ""
        name = self._col.get(node)
        if name is None:
            name = self._add_column(node)
        return name

    def _focus_iface(self, node: str) -> str | None:
        """The interface's name when ``node`` is one of the focus MN's interfaces."""
        if not IfaceKey.is_key(node):
            return None
        key = IfaceKey.parse(node)
        return key.name if key.mn_id == self.focus else None

    def _add_column(self, node: str) -> str:
        """A node outside the scenario's plan (e.g. a MAG reached by a user's move)."""
        mags = [m.name for m in self.scenario.mags]
        cns = [c.name for c in self.scenario.cns]
        name = node
        iface = self._focus_iface(node)
        if iface is not None:
            kind, order, name = "iface", [], iface
        elif node in mags:
            kind, order = "mag", mags
        else:
            kind, order = ("cn", cns) if node in cns else ("other", [])
        same = [k for k, c in enumerate(self.columns) if c.kind == kind]
        rank = _rank(order, name)
        later = [k for k in same if _rank(order, self.columns[k].name) > rank]
        if later:
            pos = later[0]
        elif same:
            pos = same[-1] + 1
        elif kind == "mag":
            pos = next(k for k, c in enumerate(self.columns) if c.kind == "lma")
        else:
            pos = 0 if kind == "iface" else len(self.columns)
        self.columns.insert(pos, Column(name, frozenset({node}), kind))
        self._col[node] = name
        return name

    # -- row plumbing -------------------------------------------------------------------------

    def _new_row(self, ev: TraceEvent, kind: str, src: str, dst: str | None, msg_class: str,
                 base: str) -> int:
        idx = len(self._rows)
        row = _Row(kind, src, dst, msg_class, base, ev.t_ms)
        if self._orphans:
            row.t_ms = self._orphans[0][1]
            for i, t in self._orphans:
                row.add(i, t, None)
                self._row_of[i] = idx
            self._orphans.clear()
        self._rows.append(row)
        self._frozen.append(None)
        return idx

    def _join(self, idx: int, ev: TraceEvent) -> _Row:
        row = self._rows[idx]
        row.add(ev.i, ev.t_ms, ev.step)
        self._row_of[ev.i] = idx
        self._frozen[idx] = None
        return row

    def _control_row(self, ev: TraceEvent, kind: str, src: str, dst: str | None,
                     msg_class: str, label: str) -> int:
        """A control / note / fault row: it closes every open aggregate (DATA, drops,
        cache), so that no row above it counts anything after it."""
        self._open.clear()
        idx = self._new_row(ev, kind, src, dst, msg_class, label)
        self._join(idx, ev)
        self._ctx_row = idx
        return idx

    def _absorb(self, ev: TraceEvent) -> None:
        """Noise: the event joins the row of the MN's latest control event."""
        if self._ctx_row is None:
            self._orphans.append((ev.i, ev.t_ms))
        else:
            self._join(self._ctx_row, ev)

    def _aggregate(self, ev: TraceEvent, key: tuple[Any, ...], kind: str, src: str,
                   dst: str | None, msg_class: str, base: str, data: bool,
                   before: int | None = None) -> _Row:
        """The open row of ``key`` if it may still count an event at this time, else a
        new one. Rows run side by side only while they are all ``data`` (the hops and
        fates of one stretch of DATA) or within one instant (a flush): any other new row
        fences the open ones at its time, so the ladder stays in time order."""
        idx = self._open.get(key)
        if idx is not None:
            until = self._rows[idx].until
            if until is not None and ev.t_ms > until:
                idx = None
        if idx is None:
            for other in self._open.values():
                row = self._rows[other]
                if not (data and row.data) and (row.until is None or row.until > ev.t_ms):
                    row.until = ev.t_ms
            idx = self._open[key] = self._new_row(ev, kind, src, dst, msg_class, base)
            self._rows[idx].data = data
        if before is not None:  # an event of the same packet just before, e.g. its send
            self._rows[idx].add(before, ev.t_ms, None)
            self._row_of[before] = idx
        return self._join(idx, ev)

    # -- event kinds ------------------------------------------------------------------------------

    def _send(self, ev: TraceEvent) -> None:
        f = ev.fields
        if ev.msg != "DATA":
            label, cls = control_label(str(ev.msg), f)
            idx = self._control_row(ev, "arrow", self._column(ev.node), self._column(ev.peer),
                                    cls, label)
            self._pending.setdefault((ev.msg, ev.node, ev.peer, f.get("seq")), []).append(idx)
            return
        pid = int(f.get("pid", -1))
        if ev.peer is None:  # sent and dropped at once (no address / no interface)
            self._unsent[pid] = ev.i
            return
        src, dst = self._column(ev.node), self._column(ev.peer)
        cached = bool(f.get("cached"))
        flush = self._uncached.pop(pid, None)
        if flush is not None:
            self._rows[flush].flush_to = dst
            self._frozen[flush] = None
        row = self._aggregate(ev, ("data", src, dst, cached, ev.step), "arrow", src, dst,
                              "DATA_CACHED" if cached else "DATA", "DATA", True)
        row.item(ev.i, int(f.get("n", 0)))
        self._inflight[pid] = self._row_of[ev.i]

    def _arrive(self, ev: TraceEvent) -> None:
        if ev.msg == "DATA":
            idx = self._inflight.pop(int(ev.fields.get("pid", -1)), None)
        else:
            idx = self._matching_send(ev)
        if idx is None:
            self._absorb(ev)
            return
        self._join(idx, ev)
        if ev.msg != "DATA":
            self._ctx_row = idx

    def _matching_send(self, ev: TraceEvent) -> int | None:
        key = (ev.msg, ev.peer, ev.node, ev.fields.get("seq"))
        waiting = self._pending.get(key)
        if not waiting:
            return None
        idx = waiting.pop(0)
        if not waiting:
            del self._pending[key]
        return idx

    def _drop(self, ev: TraceEvent) -> None:
        f = ev.fields
        if ev.msg != "DATA":
            idx = self._matching_send(ev)
            if idx is None:
                self._control_row(ev, "drop", self._column(ev.node), None, "DROP",
                                  f"✕ {ev.msg} {f.get('reason', '')}".rstrip())
            else:
                self._join(idx, ev).losses.append(ev.i)
            return
        pid = int(f.get("pid", -1))
        reason = str(f.get("reason", "?"))
        if ev.peer is not None:  # lost on the link: the arrow of that very packet
            idx = self._inflight.pop(pid, None)
            if idx is not None:
                self._join(idx, ev).losses.append(ev.i)
                return
        self._inflight.pop(pid, None)
        col = self._column(ev.node)
        unsent = self._unsent.pop(pid, None)  # the send just before, with no peer: same row
        row = self._aggregate(ev, ("drop", col, reason), "drop", col, None, "DROP", reason, True,
                              unsent)
        row.item(ev.i, int(f.get("n", 0)))

    def _buffer(self, ev: TraceEvent) -> None:
        f = ev.fields
        op = "out" if f.get("op") == "out" else "in"
        col = self._column(ev.node)
        self._open.pop(("buffer", col, "in" if op == "out" else "out"), None)
        row = self._aggregate(ev, ("buffer", col, op), "note", col, None, "BUFFER", op, False)
        row.item(ev.i, int(f.get("occupancy", 0)))
        row.cap = int(f.get("capacity", 0))
        pid = int(f.get("pid", -1))
        self._inflight.pop(pid, None)
        if op == "out":
            self._uncached[pid] = self._row_of[ev.i]

    def _state(self, ev: TraceEvent) -> None:
        label = state_label(ev.fields)
        col = self._column(ev.node)
        if label is None or self._repeats_fault(ev, col):
            self._absorb(ev)
            return
        self._control_row(ev, "note", col, None, "STATE", label)

    def _repeats_fault(self, ev: TraceEvent, col: str) -> bool:
        """An attach right after the restore / move fault row of that interface."""
        f = ev.fields
        if f.get("table") != "iface" or f.get("cause") != "attach" or self._ctx_row is None:
            return False
        ctx = self._rows[self._ctx_row]
        return ctx.kind == "fault" and ctx.src == col and ctx.t_end == ev.t_ms


def _rank(order: list[str], name: str) -> int:
    """Position of ``name`` in ``order`` (unknown names last)."""
    return order.index(name) if name in order else len(order)


def build_rows(trace: Iterable[TraceEvent], scenario: Scenario,
               focus_mn: str | None = None) -> list[LadderRow]:
    """The ladder rows of a whole trace."""
    builder = LadderBuilder(scenario, focus_mn)
    builder.feed_all(trace)
    return builder.rows
