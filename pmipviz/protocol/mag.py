"""The MAG as a sans-I/O machine (RFC 5213 §6, draft §3.2): attachment, the
Binding Update List, re-registration, failure detection, de-registration,
PBU retransmission, and the draft's cache of undeliverable packets."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.protocol.actions import (
    Action,
    Cache,
    Drop,
    Forward,
    SendPbu,
    SendRa,
    StartTimer,
    StateChange,
    Uncache,
)
from pmipviz.protocol.constants import (
    INITIAL_BINDACK_TIMEOUT_MS,
    MAX_BINDACK_TIMEOUT_MS,
    REREGISTER_FRACTION,
    SIM_EPOCH_S,
    HandoffIndicator,
    Status,
)
from pmipviz.protocol.keys import BulKey, IfaceKey
from pmipviz.protocol.messages import DataPacket, Pba, Pbu, RouterAdvertisement
from pmipviz.protocol.options import (
    ALL_ZERO_ADDRESS,
    ALL_ZERO_PREFIX,
    AttOption,
    HiOption,
    HnpOption,
    LinkLocalOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
    address_text,
)
from pmipviz.protocol.state_tables import BUL, BulState
from pmipviz.protocol.timers import DetectTimer, ReregTimer, RetxTimer, Timer
from pmipviz.protocol.vocab import Cause, Reason
from pmipviz.protocol.why import Note, Why

STEP6 = "draft §3.2 step 6"  # the flush of the cache up the tunnel
FORWARD_REF = "RFC 5213 §6.10.5"  # the MAG's forwarding between tunnel and access link
# issue 10 item 1: a packet goes to the interface that owns its destination address (the
# MAG resolves the address on its access links, RFC 4861 §7.2) when that interface is
# attached here and up; only when none is, to another interface of the MN in the prefix
OWNER_REF = "RFC 4861 §7.2"
_LOW64 = (1 << 64) - 1  # an address's interface identifier

# States the code tests for, named once. The data path (_route, uplink) compares with
# globals, by identity (a state is always a member: only the table assigns one): an
# enum's class attribute costs ~150 ns more per lookup (Python 3.11), ``is`` less than ==.
_REJECTED = BulState.REJECTED
_FORWARDS_UP = (BulState.REGISTERED, BulState.REGISTERING)  # reverse-tunnels (§6.10.5)
# the per-packet notes' words as globals: a member read from its enum class goes
# through EnumType.__getattr__'s slow hook (CPython 3.11: ~15 times a global's cost)
_FORWARD = Why.FORWARD
_FORWARD_OWNER = Why.FORWARD_OWNER
_REVERSE_TUNNEL = Why.REVERSE_TUNNEL
_AWAITING_PBA = (BulState.REGISTERING, BulState.DEREGISTERING)  # a PBU is out
_ANSWERED = (*_AWAITING_PBA, BulState.REGISTERED)  # a PBA to its last PBU is taken


def reregister_delay(lifetime_s: int) -> float:
    """When to re-register (§6.9.1.3): at 80% of the lifetime, or earlier so that two
    INITIAL_BINDACK_TIMEOUTs still fit before it ends (never before half of it)."""
    lifetime_ms = lifetime_s * 1000.0
    margin = max(lifetime_ms * (1 - REREGISTER_FRACTION), 2 * INITIAL_BINDACK_TIMEOUT_MS)
    return max(lifetime_ms - margin, lifetime_ms / 2)


@dataclass
class MagConfig:
    """Configuration of one MAG."""

    name: str
    address: IPv6Address
    lma_address: IPv6Address
    link_local: IPv6Address
    mode: str = "ft"
    lifetime_s: int = 40
    detection_ms: float = 20.0
    buffer_packets: int = 64
    omit_options: tuple[str, ...] = ()
    clock_offset_ms: float = 0.0


@dataclass
class BulEntry:
    """One Binding Update List entry (§6.1): an attached MN interface."""

    key: str  # "mn-id/IF"
    mn_id: str
    lli: bytes
    att: int
    state: BulState = BUL.initial  # changed only by its table (state_tables.BUL)
    hnps: tuple[IPv6Network, ...] = ()
    seq: int = 0
    reg_seq: int = -1  # the sequence number of its last registration (lifetime > 0) PBU
    hi: int = 1
    lifetime_s: int = 0
    registered_ms: float = 0.0
    attempt: int = 0
    link_up: bool = True
    detected: bool = False
    status: int | None = None
    # the link-local address the MAG uses on this access link: the session's, adopted
    # from the PBA (§6.9.1.2, §6.8); None until a PBA gave one
    link_local: IPv6Address | None = None
    # the interface identifier of the interface's address (issue 10 item 1: learnt from
    # the attachment, RFC 4861 §7.2 / RFC 4862; None: unknown, then the entry is taken
    # as owning every address in its prefixes)
    iid: int | None = None
    # the access link (an interface key) the session is delivered on when it is not the
    # entry's own interface: a session handed over to another interface of the MN with
    # HI=2 (issue 10 item 7, ``Mag.claim``); "" for every other entry
    link: str = ""

    def row(self) -> dict[str, Any]:
        row = {
            "mn_id": self.mn_id,
            "interface": IfaceKey.parse(self.key).name,
            "state": self.state.value,  # a plain str: snapshots pickle it small
            "hnp": [address_text(p) for p in self.hnps],
            "seq": self.seq,
            "hi": self.hi,
            "lifetime_s": self.lifetime_s,
            "link_up": self.link_up,
            "status": self.status,
            "link_local": address_text(self.link_local) if self.link_local else None,
        }
        if self.link:  # only a handed-over session's row has it (other traces unchanged)
            row["link"] = IfaceKey.parse(self.link).name
        return row


@dataclass
class _Cached:
    packet: DataPacket
    prefix: int  # the destination's /64 as an int
    iface: str


def _p64(prefix: IPv6Network) -> int:
    return int(prefix.network_address) >> 64


@dataclass
class Mag:
    """Host-independent MAG logic: call the handlers, carry out the returned actions."""

    config: MagConfig
    bul: dict[str, BulEntry] = field(default_factory=dict)
    cache: deque[_Cached] = field(default_factory=deque)
    redirect: set[int] = field(default_factory=set)  # ft: /64s (as ints) sent back up
    _by_prefix: dict[int, list[str]] = field(default_factory=dict)  # /64 (int) -> BUL keys
    _by_seq: dict[int, set[str]] = field(default_factory=dict)  # seq -> keys last sent with it
    _rank: dict[str, int] = field(default_factory=dict)  # BUL key -> when it joined the BUL
    _added: int = 0
    _seq: int = 0
    _last_ts: dict[str, int] = field(default_factory=dict)  # MN-ID -> last Timestamp sent
    # interface key -> the BUL keys of the sessions handed over onto its access link
    _carried: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.config.name

    # -- signalling ---------------------------------------------------------

    def _pbu(self, entry: BulEntry, lifetime_s: int, hi: int, now: float) -> Pbu:
        self._seq = (self._seq + 1) & 0xFFFF
        self._set_seq(entry, self._seq)
        entry.hi = hi
        omit = self.config.omit_options
        opts: list[Option] = []
        if "mn_id" not in omit:
            opts.append(MnIdOption(entry.mn_id))
        if "hnp" not in omit:
            opts.extend(HnpOption(p) for p in (entry.hnps or (ALL_ZERO_PREFIX,)))
        if "hi" not in omit:
            opts.append(HiOption(hi))
        if "att" not in omit:
            opts.append(AttOption(entry.att))
        opts.append(MnLliOption(entry.lli))
        # §6.8, §6.9.1.1: ALL_ZERO asks the LMA for the session's link-local address
        # (an initial attach, a handoff onto this MAG); once adopted, it is sent back
        opts.append(LinkLocalOption(entry.link_local or ALL_ZERO_ADDRESS))
        clock_s = SIM_EPOCH_S + (now + self.config.clock_offset_ms) / 1000.0
        # §5.5: each PBU for an MN carries a timestamp newer than the last; the 48.16
        # clock ticks every 15 µs, so two PBUs in the same simulated instant (an
        # interface re-attached at once) would tie: the later one is one tick newer.
        stamp = TimestampOption.from_seconds(clock_s).value
        last = self._last_ts.get(entry.mn_id)
        if last is not None and stamp <= last:
            stamp = last + 1
        self._last_ts[entry.mn_id] = stamp
        opts.append(TimestampOption(stamp))
        return Pbu(seq=self._seq, lifetime_s=lifetime_s, options=tuple(opts), a=True, p=True)

    def _set_seq(self, entry: BulEntry, seq: int) -> None:
        """Give ``entry`` the sequence number of its new PBU, and index it by that number."""
        keys = self._by_seq.get(entry.seq)
        if keys is not None:
            keys.discard(entry.key)
            if not keys:
                del self._by_seq[entry.seq]
        entry.seq = seq
        self._by_seq.setdefault(seq, set()).add(entry.key)

    def _waiting(self, seq: int) -> BulEntry | None:
        """The BUL entry a PBA with ``seq`` answers: the first (in BUL order) whose last
        PBU had that number and that still waits for or holds a binding. An index lookup,
        so that a MAG with many interfaces does not scan its BUL per PBA; when 16-bit
        wrap-around gave several entries the same number, the one that joined the BUL
        first is answered, without a scan."""
        found = [e for k in self._by_seq.get(seq, ()) if (e := self.bul.get(k)) is not None
                 and e.seq == seq and e.state in _ANSWERED]
        if len(found) <= 1:
            return found[0] if found else None
        return min(found, key=lambda e: self._rank[e.key])

    def _send(self, entry: BulEntry, lifetime_s: int, hi: int, now: float, why: Note,
              ref: str, retx: bool = False) -> list[Action]:
        pbu = self._pbu(entry, lifetime_s, hi, now)
        if lifetime_s > 0:
            entry.reg_seq = pbu.seq
        timeout = INITIAL_BINDACK_TIMEOUT_MS * (2 ** entry.attempt)
        return [SendPbu(pbu, why, ref, retx), StartTimer(RetxTimer(entry.key, pbu.seq), timeout)]

    def _bul_change(self, entry: BulEntry, before: dict[str, Any] | None, why: Note,
                    ref: str, cause: str, removed: bool = False) -> StateChange:
        after = None if removed else entry.row()
        return StateChange("bul", BulKey.text(self.name, entry.key), before, after, why, ref,
                           cause)

    def attach(self, key: str, mn_id: str, lli: bytes, att: int, now: float,
               hi: int = HandoffIndicator.NEW_INTERFACE, iid: int | None = None
               ) -> list[Action]:
        """An MN interface attached (its RS arrived): register it with the LMA.
        ``iid``: the interface identifier of its address (which packets it owns).

        Packets cached for it are delivered down the link again. An interface that
        comes back to a MAG it had left (a move back, HI=3) is registered again,
        since the LMA may have moved its binding; one that was only briefly
        unreachable here gets an RA."""
        entry = self.bul.get(key)
        out: list[Action] = []
        if entry is not None and entry.state == BulState.REGISTERED and not entry.detected:
            if iid is not None:
                entry.iid = iid
            returning = not entry.link_up
            entry.link_up = True
            out += self._release_cache(key)
            if not (returning and hi == HandoffIndicator.BETWEEN_MAGS):
                return [*out, SendRa(key, RouterAdvertisement(mn_id, IfaceKey.parse(key).name,
                                                              entry.hnps,
                                                              source=self._router(entry)),
                                     (Why.RA_AGAIN, self.name, key), "RFC 5213 §6.9.1.2")]
            row = entry.row()
            BUL.fire(entry, Cause.ATTACH)
            return [*out, self._bul_change(entry, row, (Why.BUL_BACK, self.name, key),
                                           "RFC 5213 §6.9.1.1", "attach"),
                    *self._send(entry, self.config.lifetime_s, hi, now,
                                (Why.PBU_BACK, self.name, key, hi), "RFC 5213 §6.9.1.1")]
        out += self._release_cache(key)
        before = entry.row() if entry else None
        entry = self._join(BulEntry(key=key, mn_id=mn_id, lli=lli, att=att, iid=iid))
        change = self._bul_change(entry, before, (Why.BUL_ADD, self.name, key),
                                  "RFC 5213 §6.1", "attach")
        return [*out, change, *self._send(entry, self.config.lifetime_s, hi, now,
                                          (Why.PBU_ATTACH, self.name, key, hi),
                                          "RFC 5213 §6.9.1.1")]

    def claim(self, key: str, link: str, mn_id: str, lli: bytes, att: int,
              hnps: tuple[IPv6Network, ...], now: float, iid: int | None = None
              ) -> list[Action]:
        """RFC 5213 §5.4.1 (issue 10 item 7, ``rfc5213_handoff = "hi2"``): the MN
        re-attaches the prefixes ``hnps`` of its lost interface ``key`` on its interface
        ``link``, attached here. A new BUL entry for that session, delivered on
        ``link``'s access link, is registered with HI=2 (handoff between two interfaces
        of the MN), the session's HNPs and ``link``'s MN LL-ID and ATT: the LMA finds the
        entry by HNP and updates it (§5.4.1.1 case 5b). ``iid``: the interface identifier
        of the lost interface's address, which the MN keeps on ``link``. Nothing is
        done when this MAG holds a session under ``key`` already (the lost interface's
        own, e.g. it was attached here too): stated in the README."""
        if key in self.bul:
            return []
        entry = self._join(BulEntry(key=key, mn_id=mn_id, lli=lli, att=att, iid=iid,
                                    hnps=hnps, link=link))
        self._carried.setdefault(link, []).append(key)
        change = self._bul_change(entry, None, (Why.BUL_CLAIM, self.name, key, link, hnps),
                                  "RFC 5213 §5.4.1", "attach")
        return [change, *self._send(entry, self.config.lifetime_s,
                                    HandoffIndicator.BETWEEN_INTERFACES, now,
                                    (Why.PBU_CLAIM, self.name, key, link, hnps),
                                    "RFC 5213 §5.4.1")]

    def _join(self, entry: BulEntry) -> BulEntry:
        """Put ``entry`` in the BUL (replacing one under its key) and rank it last, the
        order ``_waiting`` answers in."""
        self.bul[entry.key] = entry
        self._added += 1
        self._rank[entry.key] = self._added
        return entry

    def _release_cache(self, key: str) -> list[Action]:
        """Deliver the packets cached for interface ``key`` down its link, which is up."""
        return self._uncache(lambda item: item.iface == key, key)

    def _uncache(self, matches: Callable[[_Cached], bool],
                 dest: str | Callable[[_Cached], str]) -> list[Action]:
        """Take the matching packets out of the cache, in order, and send them to
        ``dest`` (or where ``dest(item)`` says, per packet): the LMA (draft step 6) or
        down to an MN interface."""
        keep: deque[_Cached] = deque()
        out: list[Action] = []
        occupancy = len(self.cache)
        cap = self.config.buffer_packets
        for item in self.cache:
            if not matches(item):
                keep.append(item)
                continue
            to = dest if isinstance(dest, str) else dest(item)
            pkt = item.packet
            pkt.cached = True
            occupancy -= 1
            if to == "LMA":
                pkt.sent_up_by += (self.name,)
                out.append(Uncache(pkt, occupancy, cap,
                                   (Why.UNCACHE_UP, self.name, pkt.n, occupancy, cap), STEP6))
                out.append(Forward(pkt, "LMA", (Why.FORWARD_CACHED_UP, self.name, pkt.n),
                                   STEP6))
            else:
                out.append(Uncache(pkt, occupancy, cap,
                                   (Why.UNCACHE_DOWN, self.name, pkt.n, to, occupancy, cap),
                                   "draft §3.2", to=to))
                out.append(Forward(pkt, to, (Why.FORWARD_CACHED_DOWN, self.name, pkt.n, to),
                                   "draft §3.2"))
        self.cache = keep
        return out

    def on_pba(self, pba: Pba, now: float) -> list[Action]:
        """A PBA from the LMA: match it to the BUL entry waiting for that sequence number."""
        entry = self._waiting(pba.seq)
        if entry is None:
            late = next((e for e in self.bul.values() if e.reg_seq == pba.seq
                         and e.state == BulState.DEREGISTERING), None)
            if late is not None and pba.accepted and pba.nonzero_hnps:
                return [self._late_registration(late, pba)]
            return [self._ignore_pba(pba)]
        before = entry.row()
        entry.attempt = 0
        if not pba.accepted and entry.state == BulState.DEREGISTERING:
            return self._remove(entry, before, now, (Why.REMOVE_REFUSED, pba.status))
        if not pba.accepted and pba.status == Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX \
                and entry.hnps:
            # §6.9.1.2: do not ask for that prefix again; ask for a new one (ALL_ZERO)
            BUL.fire(entry, Cause.RETRY)
            entry.hnps = ()
            return [self._bul_change(entry, before, (Why.BUL_RETRY, self.name, entry.key),
                                     "RFC 5213 §6.9.1.2", "retry"),
                    *self._send(entry, self.config.lifetime_s, HandoffIndicator.NEW_INTERFACE,
                                now, (Why.PBU_ALL_ZERO, self.name, entry.key),
                                "RFC 5213 §6.9.1.2")]
        if not pba.accepted:
            BUL.fire(entry, Cause.REJECTED)
            entry.status = pba.status
            return [self._bul_change(entry, before,
                                     (Why.BUL_REJECTED, self.name, entry.key, pba.status),
                                     "RFC 5213 §6.9.1.2", "rejected")]
        if entry.state == BulState.DEREGISTERING:
            return self._remove(entry, before, now, (Why.REMOVE_CONFIRMED,))
        BUL.fire(entry, Cause.REGISTERED)
        entry.status = pba.status
        entry.hnps = pba.nonzero_hnps
        entry.lifetime_s = pba.lifetime_s
        entry.registered_ms = now
        lla = pba.link_local
        if lla is not None and lla != ALL_ZERO_ADDRESS:  # §6.9.1.2: adopt a NON_ZERO one
            entry.link_local = lla
        self._index(entry)
        actions: list[Action] = [
            self._bul_change(entry, before, (Why.BUL_REGISTERED, self.name, entry.key,
                                             entry.hnps), "RFC 5213 §6.9.1.2", "registered"),
            SendRa(entry.link or entry.key,
                   RouterAdvertisement(entry.mn_id, IfaceKey.parse(entry.key).name,
                                       entry.hnps, source=self._router(entry)),
                   (Why.RA_REGISTERED, self.name, entry.link or entry.key, entry.hnps),
                   "RFC 5213 §6.9.1.2"),
        ]
        if entry.lifetime_s > 0:
            actions.append(StartTimer(ReregTimer(entry.key, now),
                                      reregister_delay(entry.lifetime_s)))
        return actions

    def _router(self, entry: BulEntry) -> IPv6Address:
        """The RA's source on the entry's access link: the session's link-local address
        adopted from the PBA (§6.8), else the MAG's own."""
        return entry.link_local or self.config.link_local

    def _index(self, entry: BulEntry) -> None:
        """Route the entry's prefixes to it (packets down the tunnel find it by prefix)."""
        for p in entry.hnps:
            keys = self._by_prefix.setdefault(_p64(p), [])
            if entry.key not in keys:
                keys.append(entry.key)
            self.redirect.discard(_p64(p))

    def _late_registration(self, entry: BulEntry, pba: Pba) -> StateChange:
        """The PBA to a registration arrives after the interface began to de-register
        (it failed meanwhile): the LMA routes the MN's prefix here until the DeReg PBU
        reaches it, so the MAG learns the prefix, to handle what comes like the packets
        of any interface that is down (cached, then sent back up, in ft mode)."""
        before = entry.row()
        entry.hnps = pba.nonzero_hnps
        self._index(entry)
        ft = self.config.mode == "ft"
        return self._bul_change(entry, before,
                                (Why.LATE_PBA, self.name, entry.key, entry.hnps, ft),
                                "draft §3.2" if ft else "RFC 5213 §6.9.1.4", "late_pba")

    def _ignore_pba(self, pba: Pba) -> StateChange:
        """A PBA that no PBU waits for. ft: if it accepts a registration (of an entry
        removed since, e.g. after a DeReg timeout shorter than the round trip), the LMA
        routes its prefixes here for now: what comes for them is sent back up once."""
        orphans: tuple[IPv6Network, ...] = ()
        if self.config.mode == "ft" and pba.accepted and pba.lifetime_s > 0:
            orphans = tuple(p for p in pba.nonzero_hnps if not self._by_prefix.get(_p64(p)))
            self.redirect.update(_p64(p) for p in orphans)
        return StateChange("mag", self.name, None, None,
                           (Why.IGNORE_PBA, self.name, pba.seq, orphans),
                           "RFC 5213 §6.9.1.2", "ignore")

    def _remove(self, entry: BulEntry, before: dict[str, Any], now: float,
                why: Note) -> list[Action]:
        del self.bul[entry.key]
        if entry.link:
            self._carried[entry.link].remove(entry.key)
        self._by_seq.get(entry.seq, set()).discard(entry.key)
        self._rank.pop(entry.key, None)
        orphans = []
        for p in entry.hnps:
            keys = self._by_prefix.get(_p64(p), [])
            if entry.key in keys:
                keys.remove(entry.key)
            if not keys:
                self._by_prefix.pop(_p64(p), None)
                orphans.append(_p64(p))
        actions: list[Action] = [self._bul_change(
            entry, before, (Why.BUL_REMOVE, self.name, entry.key, why), "RFC 5213 §6.9.1.4",
            "removed", removed=True)]
        if self.config.mode == "ft":
            self.redirect.update(orphans)
            actions.extend(self._flush_up(entry))
        return actions

    def _flush_up(self, entry: BulEntry) -> list[Action]:
        """Draft step 6: send the packets cached for this MN up the tunnel to the LMA."""
        prefixes = {_p64(p) for p in entry.hnps}
        key = entry.key

        def dest(item: _Cached) -> str:
            # per packet: the interface up here that owns its address, else a sibling
            # in its prefix (issue 10 item 1), else up the tunnel (draft step 6)
            return self._up_sibling(item.prefix, key, item.packet.dst_int & _LOW64) or "LMA"

        return self._uncache(lambda item: item.prefix in prefixes or item.iface == key, dest)

    def _up_sibling(self, prefix: int, but: str, iid: int | None = None) -> str | None:
        """ft: another interface bound here to the /64 ``prefix`` (the MN's shared HNP)
        whose link is up, other than ``but``: a second interface of the same MN on this
        MAG, which takes its sibling's packets locally rather than through the LMA. The
        one that owns the address with interface identifier ``iid``, if one does (issue
        10 item 1, the rule of ``_route``); else the first."""
        first = None
        for k in self._by_prefix.get(prefix, ()):
            e = self.bul.get(k)
            if k != but and e is not None and e.link_up and e.state is not _REJECTED:
                if iid is None or e.iid is None or e.iid == iid:
                    return k
                if first is None:
                    first = k
        return first

    def on_timer(self, timer: Timer, now: float) -> list[Action]:
        """A retransmission, re-registration or detection timer; stale ones (and the
        LMA's) do nothing."""
        key = timer.key
        entry = self.bul.get(key)
        if entry is None:
            return []
        if isinstance(timer, RetxTimer) and entry.seq == timer.seq \
                and entry.state in _AWAITING_PBA:
            return self._retransmit(entry, now)
        if isinstance(timer, ReregTimer) and entry.state == BulState.REGISTERED \
                and entry.registered_ms == timer.registered_ms:
            before = entry.row()
            BUL.fire(entry, Cause.REREG)
            return [self._bul_change(entry, before, (Why.BUL_REREG, self.name, key),
                                     "RFC 5213 §6.9.1.3", "rereg"),
                    *self._send(entry, self.config.lifetime_s, HandoffIndicator.NOT_CHANGED, now,
                                (Why.PBU_REREG, self.name, key), "RFC 5213 §6.9.1.3")]
        if isinstance(timer, DetectTimer) and not entry.link_up and not entry.detected:
            return self._detect(entry, now)
        return []

    def _retransmit(self, entry: BulEntry, now: float) -> list[Action]:
        before = entry.row()
        if entry.state == BulState.DEREGISTERING:  # §6.9.1.4: no retransmission of the DeReg
            return self._remove(entry, before, now,
                                (Why.REMOVE_TIMEOUT, INITIAL_BINDACK_TIMEOUT_MS))
        entry.attempt += 1
        timeout = INITIAL_BINDACK_TIMEOUT_MS * (2 ** entry.attempt)
        if timeout > MAX_BINDACK_TIMEOUT_MS:
            BUL.fire(entry, Cause.GIVEUP)
            entry.status = None
            return [self._bul_change(entry, before,
                                     (Why.BUL_GIVEUP, self.name, entry.key, entry.attempt),
                                     "RFC 6275 §11.8", "giveup")]
        return self._send(entry, self.config.lifetime_s, entry.hi, now,
                          (Why.PBU_RETX, self.name, entry.key, timeout / 2), "RFC 6275 §11.8",
                          retx=True)

    def _detect(self, entry: BulEntry, now: float) -> list[Action]:
        """The failure of an attached interface is noticed: de-register it (§6.9.1.4)."""
        before = entry.row()
        entry.detected = True
        if entry.state == BulState.REJECTED:
            return self._remove(entry, before, now, (Why.REMOVE_GONE,))
        BUL.fire(entry, Cause.DETECT)
        entry.attempt = 0
        ft = self.config.mode == "ft"
        note: Note = (Why.BUL_DETECT, self.name, entry.key, ft)
        sibling = self._sibling_up(entry)
        if sibling is not None:
            note = (*note, sibling)
        return [self._bul_change(entry, before, note,
                                 "draft §3.2 step 2" if ft else "RFC 5213 §6.9.1.4",
                                 "detect"),
                *self._send(entry, 0, HandoffIndicator.UNKNOWN, now,
                            (Why.PBU_DEREG, self.name, entry.key), "RFC 5213 §6.9.1.4")]

    # -- link layer -----------------------------------------------------------

    def link_down(self, key: str, now: float) -> list[Action]:
        """The access link to an MN interface failed (noticed after detection_ms); the
        sessions handed over onto that link (HI=2) fail with it."""
        out = self._link_down_entry(key)
        for k in self._carried.get(key, ()):
            out += self._link_down_entry(k)
        return out

    def _link_down_entry(self, key: str) -> list[Action]:
        entry = self.bul.get(key)
        if entry is None:
            return []
        before = entry.row()
        entry.link_up = False
        ft = self.config.mode == "ft"
        why: Note = (Why.LINK_DOWN, self.name, key, ft, self.config.detection_ms)
        sibling = self._sibling_up(entry)
        if sibling is not None:
            why = (*why, sibling)
        if entry.link:  # a session handed over with HI=2: it fails with its new link
            why = (Why.LINK_DOWN_CARRIED, self.name, key, entry.link, self.config.detection_ms)
        return [self._bul_change(entry, before, why,
                                 "draft §3.2 step 2" if ft else "RFC 5213 §6.9.1.4",
                                 "link_down"),
                StartTimer(DetectTimer(key), self.config.detection_ms)]

    def _sibling_up(self, entry: BulEntry) -> str | None:
        """ft: another interface of ``entry``'s MN bound here to its prefix with its link
        up (issue 10 item 2: it takes the MN's packets, so nothing is cached)."""
        if self.config.mode != "ft" or not entry.hnps:
            return None
        return self._up_sibling(_p64(entry.hnps[0]), entry.key)

    def link_up(self, key: str, now: float) -> list[Action]:
        """The access link came back before the failure was detected: deliver the cache
        (and the sessions handed over onto it come back with it)."""
        out = self._link_up_entry(key)
        for k in self._carried.get(key, ()):
            out += self._link_up_entry(k)
        return out

    def _link_up_entry(self, key: str) -> list[Action]:
        entry = self.bul.get(key)
        if entry is None or entry.detected:
            return []
        before = entry.row()
        entry.link_up = True
        return [self._bul_change(entry, before, (Why.LINK_UP, self.name, key),
                                 "draft §3.2" if self.config.mode == "ft"
                                 else "RFC 5213 §6.9.1.4", "link_up"),
                *self._release_cache(key)]

    # -- data plane -------------------------------------------------------------

    def downlink(self, packet: DataPacket, now: float) -> list[Action]:
        """A packet for an MN came down the tunnel."""
        return self._route(packet)

    def _route(self, packet: DataPacket) -> list[Action]:
        """Forward a packet for an MN to an interface with a binding here whose link is
        up; cache it under one whose link is down (ft); otherwise it has no binding here.

        Which interface (issue 10 item 1): the one that owns the destination address
        (its interface identifier, compared as an int) when it is attached here and up;
        only when none is, another interface of the MN bound to the prefix (the
        fallback, narrated). A packet cached or dropped is kept under the owner's entry
        when the owner is here, else under the first."""
        prefix = packet.p64
        keys = self._by_prefix.get(prefix)
        if not keys:
            return self._no_binding(packet)
        iid = packet.dst_int & _LOW64
        bul = self.bul
        first: BulEntry | None = None  # the entry to cache under
        sibling: BulEntry | None = None  # the first non-owner that is up
        for k in keys:
            e = bul.get(k)
            if e is None or e.state is _REJECTED:
                continue
            owner = e.iid is None or e.iid == iid
            if e.link_up:
                if owner:
                    to = e.link or k  # a session handed over (HI=2): its new link
                    if len(keys) == 1:  # the only interface here: no choice was made
                        return [Forward(packet, to, (_FORWARD, self.name, packet.n, to),
                                        FORWARD_REF)]
                    return [Forward(packet, to, (_FORWARD_OWNER, self.name, packet.n, to),
                                    OWNER_REF)]
                if sibling is None:
                    sibling = e
            if first is None or (owner and first.iid is not None and first.iid != iid):
                first = e
        if first is None:
            return self._no_binding(packet)
        if sibling is not None:
            owner_key = first.key if first.iid is None or first.iid == iid else None
            return [Forward(packet, sibling.key,
                            (Why.FORWARD_SIBLING, self.name, packet.n, sibling.key, owner_key,
                             packet.dst_text), FORWARD_REF)]
        if self.config.mode != "ft":
            return self._link_down(packet, first.key)
        return self._cache(packet, first.key, prefix)

    def _link_down(self, packet: DataPacket, key: str) -> list[Action]:
        """rfc5213: a packet for interface ``key``, whose link is down, is lost."""
        return [Drop(packet, Reason.LINK_DOWN, (Why.DROP_LINK_DOWN, self.name, packet.n, key),
                     "RFC 5213 §6.10.5")]

    def _no_binding(self, packet: DataPacket) -> list[Action]:
        """No interface here can take the packet. ft: a MAG that served its prefix sends
        it back up its tunnel, once, so that the LMA can route it to another MAG (if this
        MAG already sent it back, the LMA's route is stale: it is dropped rather than
        looping). (A packet on an access link that breaks is lost with it, issue 10 item
        4: none comes back from a link, so none is routed here again.)"""
        served = packet.p64 in self.redirect
        if self.config.mode != "ft" or not served:
            return [Drop(packet, Reason.NO_BINDING,
                         (Why.DROP_NO_BINDING, self.name, packet.dst, packet.n),
                         "RFC 5213 §6.10.5")]
        if self.name in packet.sent_up_by:
            return [Drop(packet, Reason.NO_BINDING, (Why.DROP_LOOP, self.name, packet.n),
                         "draft §3.2")]
        packet.cached = True
        packet.sent_up_by += (self.name,)
        return [Forward(packet, "LMA", (Why.SEND_BACK_UP, self.name, packet.n), STEP6)]

    def _cache(self, packet: DataPacket, key: str, prefix: int) -> list[Action]:
        """ft: keep a packet for interface ``key`` (draft step 2), or drop it when full."""
        cap = self.config.buffer_packets
        if len(self.cache) >= cap:
            return [Drop(packet, Reason.BUFFER_OVERFLOW, (Why.CACHE_FULL, self.name, cap, packet.n),
                         "draft §3.2 step 2")]
        self.cache.append(_Cached(packet, prefix, key))
        occupancy = len(self.cache)
        return [Cache(packet, occupancy, cap,
                      (Why.CACHE, self.name, key, packet.n, occupancy, cap),
                      "draft §3.2 step 2")]

    def uplink(self, packet: DataPacket, key: str) -> list[Action]:
        """A packet from an attached MN interface: reverse-tunnel it to the LMA (§6.10.5)."""
        entry = self.bul.get(key)
        if entry is None or entry.state not in _FORWARDS_UP:
            return [Drop(packet, Reason.NO_BINDING,
                         (Why.UPLINK_NO_BINDING, self.name, key, packet.n), "RFC 5213 §6.10.5")]
        return [Forward(packet, "LMA", (_REVERSE_TUNNEL, self.name, packet.n), FORWARD_REF)]
