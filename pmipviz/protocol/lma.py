"""The LMA as a sans-I/O machine: PBUs in, PBAs and state changes out (RFC 5213 §5,
draft-jiang-netext-ft-pmip-00 §3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv6Address, IPv6Network

from pmipviz.protocol.actions import Action, Drop, Forward, SendPba, StartTimer, StateChange
from pmipviz.protocol.binding_cache import ZERO_LLI, Bce, BindingCache, Lookup, Outcome
from pmipviz.protocol.constants import (
    MAX_DELAY_BEFORE_NEW_BCE_ASSIGN_MS,
    MIN_DELAY_BEFORE_BCE_DELETE_MS,
    SIM_EPOCH_S,
    TIMESTAMP_VALIDITY_WINDOW_MS,
    Status,
)
from pmipviz.protocol.keys import wait_key
from pmipviz.protocol.messages import DataPacket, Pba, Pbu
from pmipviz.protocol.options import (
    ALL_ZERO_PREFIX,
    AttOption,
    HiOption,
    HnpOption,
    LinkLocalOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
)
from pmipviz.protocol.state_tables import BCE, BceState
from pmipviz.protocol.timers import DeleteTimer, ExpireTimer, Timer, WaitTimer
from pmipviz.protocol.vocab import Cause, Reason
from pmipviz.protocol.why import Note, Why

_DEREG_HOLD = BceState.DEREG_HOLD  # route_p64 compares by identity with a global (fast)
# a member read from its enum class goes through EnumType.__getattr__'s slow hook
# (CPython 3.11: ~15 times a global's cost); the per-packet note reads a global
_DATA_TUNNEL = Why.DATA_TUNNEL
_EXPIRES = (BceState.ACTIVE, BceState.KEPT, BceState.DEREG_HOLD)  # lifetime can end
_DATA_REF = "RFC 5213 §5.6.2"  # forwarding: packets for an MN's prefix go down its tunnel
_HOLD_REF = "RFC 5213 §5.3.5"  # no forwarding during MinDelayBeforeBCEDelete
SESSION_LINK_LOCAL_IID = 0x5213 << 32  # fe80::5213:0:<n>, see ``session_link_local``


def session_link_local(order: int) -> IPv6Address:
    """The link-local address the LMA generates for a new mobility session (RFC 5213
    §5.1, §6.8): fe80::5213:0:<n>, ``n`` the entry's creation number (unique among the
    LMA's sessions). Every MAG that serves the session adopts it from the PBA
    (§6.9.1.2), so the MN sees one default router however often it is handed over. Its
    interface identifier cannot collide with an MN's, formed from a MAC address as a
    modified EUI-64 (it has ff:fe in the middle), nor with the MAGs' own (fe80::a:<n>)."""
    return IPv6Address((0xFE80 << 112) | SESSION_LINK_LOCAL_IID | (order & 0xFFFFFFFF))


def reception_time(now: float) -> int:
    """§5.1: the LMA's time of day ``now`` (simulated ms), as a §8.8 48.16 value."""
    return TimestampOption.from_seconds(SIM_EPOCH_S + now / 1000.0).value


@dataclass
class LmaConfig:
    """Policy and configuration of the LMA."""

    mode: str  # "ft" or "rfc5213"
    address: IPv6Address
    prefix_pool: IPv6Network
    mags: dict[IPv6Address, str]  # authorized MAGs (Proxy-CoA -> name)
    known_mns: set[str] | None = None  # policy store; None = any MN-ID
    # in the policy store but not authorized for PMIPv6 service (§5.3.1: PBA 152)
    unauthorized_mns: set[str] = field(default_factory=set)
    lifetime_s: int = 40
    tunnels: dict[str, str] = field(default_factory=dict)  # MAG name -> tunnel name
    min_delay_before_bce_delete_ms: float = MIN_DELAY_BEFORE_BCE_DELETE_MS
    max_delay_before_new_bce_assign_ms: float = MAX_DELAY_BEFORE_NEW_BCE_ASSIGN_MS
    timestamp_window_ms: float = TIMESTAMP_VALIDITY_WINDOW_MS


@dataclass
class _Pending:
    pbu: Pbu
    src: IPv6Address


class Lma:
    """Processes PBUs in the §5.3.1 order and routes the MNs' prefixes."""

    def __init__(self, config: LmaConfig) -> None:
        self.config = config
        self.mode = config.mode
        self.transitions = BCE[config.mode]  # the Binding Cache's table for this mode
        self.cache = BindingCache()
        # MN-ID -> the key of the entry carrying its traffic (``elect_carrier``'s answer):
        # in ft the LMA routes the MN's shared HNP through it; in rfc5213 (each HNP
        # routed by its own entry) it is the entry a new flow to the MN is addressed to
        self.active: dict[str, str] = {}
        self.shared_hnp: dict[str, IPv6Network] = {}  # ft: one HNP per MN
        self.pending: dict[str, _Pending] = {}  # §5.4.1.2-4 waits, by BCE key
        self.owner: dict[IPv6Network, str] = {}  # every prefix ever assigned -> its MN
        self._next_prefix = 0
        self._pool_size = 1 << (64 - config.prefix_pool.prefixlen)
        self._tunnel_users: dict[str, int] = {}

    # -- PBU processing (§5.3.1) ------------------------------------------

    def handle_pbu(self, pbu: Pbu, src: IPv6Address, now: float) -> list[Action]:
        """Process one PBU received from ``src`` at ``now`` (ms)."""
        status, why, ref = self._check(pbu, src, now)
        if status:
            return [self._reject(pbu, src, status, why, ref)]
        if self.mode == "ft":
            lookup = self.cache.lookup_ft(pbu, src, self.shared_hnp.get(pbu.mn_id or ""))
        else:
            lookup = self.cache.lookup_rfc5213(pbu, src)
        return self._with_carrier(self._apply(lookup, pbu, src, now))

    # -- which entry carries the traffic ------------------------------------------

    def available(self, bce: Bce) -> bool:
        """The entry may carry its MN's traffic: S=1 in ft (draft §3.1: "available, or
        in use"); in rfc5213, which has no S flag, not de-registered (§5.3.5)."""
        if self.mode == "ft":
            return bce.s == 1
        return bce.state is BceState.ACTIVE

    def elect_carrier(self, mn_id: str) -> Bce | None:
        """THE rule for which entry carries an MN's traffic (the draft and RFC 5213 are
        silent; pmipviz's choice): the entry carrying it now, as long as it is
        ``available`` (sticky: a newer or restored entry does not take the traffic
        back); else the MN's oldest available entry (the first registered); None when
        no entry is available. Asked after every change to the MN's entries
        (``_route_after_change``); ``carrier`` reads its last answer."""
        entries = self.cache.entries
        current = self.active.get(mn_id)
        bce = entries.get(current) if current else None
        if bce is not None and self.available(bce):
            return bce
        candidates = [b for b in self.cache.for_mn(mn_id) if self.available(b)]
        return min(candidates, key=lambda b: b.created) if candidates else None

    def carrier(self, mn_id: str) -> Bce | None:
        """The entry carrying ``mn_id``'s traffic now (``elect_carrier``'s last answer):
        in ft the one the LMA routes the MN's shared HNP through (RFC 5213 §5.6.2); in
        rfc5213, where each HNP is routed by its own entry, the one a new flow to the
        MN is addressed to."""
        key = self.active.get(mn_id)
        return self.cache.entries.get(key) if key else None

    def _with_carrier(self, actions: list[Action]) -> list[Action]:
        """Every BCE ``state`` change names the entry carrying its MN's traffic once the
        input (a PBU, a timer) is processed: the fact the Binding Cache pane marks."""
        for a in actions:
            if type(a) is StateChange and a.table == "bce":
                row = a.after or a.before or {}
                a.carrier = self.active.get(row.get("mn_id", ""))
        return actions

    def _check(self, pbu: Pbu, src: IPv6Address, now: float) -> tuple[int, Note, str]:
        """Steps 4-11 of §5.3.1: the rejections, in the RFC's order; (status, why, ref),
        status 0 when the PBU passes. A BU without the P flag is not a PBU at all
        (§5.3.1 step 1, §8.1): a Mobile IPv6 home registration, which this LMA, not a
        Mobile IPv6 home agent, refuses with 131 before any PMIPv6 check."""
        if not pbu.p:
            return (Status.HOME_REGISTRATION_NOT_SUPPORTED, (Why.REJECT_NOT_PROXY,),
                    "RFC 6275 §10.3.1")
        if pbu.mn_id is None:
            return Status.MISSING_MN_IDENTIFIER_OPTION, (Why.REJECT_NO_MN_ID,), "RFC 5213 §5.3.1"
        for cls, name in ((MnIdOption, "MN-ID"), (HiOption, "Handoff Indicator"),
                          (AttOption, "Access Technology Type"), (MnLliOption, "MN LL-ID"),
                          (TimestampOption, "Timestamp"), (LinkLocalOption, "Link-local")):
            if pbu.count(cls) > 1:
                return Status.REASON_UNSPECIFIED, (Why.REJECT_TWICE, name), "RFC 5213 §8.1"
        if src not in self.config.mags:
            return (Status.MAG_NOT_AUTHORIZED_FOR_PROXY_REG, (Why.REJECT_NOT_MAG, src),
                    "RFC 5213 §5.3.1")
        known = self.config.known_mns
        if known is not None and pbu.mn_id not in known:
            return (Status.NOT_LMA_FOR_THIS_MOBILE_NODE, (Why.REJECT_UNKNOWN_MN, pbu.mn_id),
                    "RFC 5213 §5.3.1")
        if pbu.mn_id in self.config.unauthorized_mns:
            return (Status.PROXY_REG_NOT_ENABLED, (Why.REJECT_NO_SERVICE, pbu.mn_id),
                    "RFC 5213 §5.3.1")
        ts = pbu.timestamp
        if ts is None:
            return Status.TIMESTAMP_MISMATCH, (Why.REJECT_NO_TIMESTAMP,), "RFC 5213 §5.5"
        lma_clock_s = SIM_EPOCH_S + now / 1000.0
        skew_ms = abs(ts.seconds - lma_clock_s) * 1000.0
        if skew_ms > self.config.timestamp_window_ms:
            return (Status.TIMESTAMP_MISMATCH,
                    (Why.REJECT_CLOCK, skew_ms, self.config.timestamp_window_ms),
                    "RFC 5213 §5.5")
        if not pbu.has_hnp_option:
            return (Status.MISSING_HOME_NETWORK_PREFIX_OPTION, (Why.REJECT_NO_HNP,),
                    "RFC 5213 §5.3.1")
        if pbu.hi is None:
            return Status.MISSING_HANDOFF_INDICATOR_OPTION, (Why.REJECT_NO_HI,), "RFC 5213 §5.3.1"
        if pbu.att is None:
            return Status.MISSING_ACCESS_TECH_TYPE_OPTION, (Why.REJECT_NO_ATT,), "RFC 5213 §5.3.1"
        return 0, (), ""

    def _apply(self, lookup: Lookup, pbu: Pbu, src: IPv6Address, now: float) -> list[Action]:
        mag = self.config.mags[src]
        if lookup.outcome == Outcome.REJECT:
            return [self._reject(pbu, src, lookup.status, (Why.REJECT_LOOKUP, lookup.case),
                                 "RFC 5213 §5.4.1")]
        if lookup.outcome == Outcome.IGNORE:
            return [StateChange("lma", "ignored", None, None,
                                (Why.IGNORE_LOOKUP, mag, pbu.mn_id, lookup.case),
                                "RFC 5213 §5.4.1", Cause.IGNORE,
                                case=lookup.case, mn=(pbu.mn_id or "", pbu.mn_lli))]
        if lookup.outcome == Outcome.WAIT:
            assert lookup.bce is not None
            self.pending[lookup.bce.key] = _Pending(pbu, src)
            deadline = now + self.config.max_delay_before_new_bce_assign_ms
            return [
                StateChange("lma", wait_key(lookup.bce.key), None, {"until_ms": deadline},
                            (Why.WAIT, mag, pbu.mn_id), "RFC 5213 §5.4.1.2",
                            Cause.WAIT, case=lookup.case, mn=(pbu.mn_id or "", pbu.mn_lli)),
                StartTimer(WaitTimer(lookup.bce.key),
                           self.config.max_delay_before_new_bce_assign_ms),
            ]
        ts = pbu.timestamp.value if pbu.timestamp else 0
        if lookup.outcome == Outcome.UPDATE:
            assert lookup.bce is not None
            if pbu.is_dereg and src != lookup.bce.proxy_coa:  # §5.3.5, before any check
                return self._deregister(lookup.bce, pbu, src, now)
            # §5.5: compared with the Timestamp of the last accepted PBU (the entry's
            # §5.1 timestamp is the LMA's time of reception); an equal one is not newer
            last = lookup.bce.pbu_timestamp
            if ts and ts <= last:
                older = (Why.REJECT_OLDER,) if ts < last else (Why.REJECT_SAME,)
                return [self._reject(pbu, src, Status.TIMESTAMP_LOWER_THAN_PREV_ACCEPTED,
                                     older, "RFC 5213 §5.5")]
            if pbu.is_dereg:
                return self._deregister(lookup.bce, pbu, src, now)
            return self._update(lookup.bce, pbu, src, now, lookup.case)
        return self._create(pbu, src, now, lookup.case)

    # -- outcomes ---------------------------------------------------------

    def _allocate(self, mn_id: str, requested: tuple[IPv6Network, ...]) -> tuple[IPv6Network, ...]:
        if self.mode == "ft" and mn_id in self.shared_hnp:
            return (self.shared_hnp[mn_id],)
        if requested:
            # a prefix this LMA assigned to this MN before (its entry has since been
            # deleted) may be given back; any other is refused (155)
            in_use = {p for b in self.cache.entries.values() for p in b.hnps}
            if all(self.owner.get(p) == mn_id and p not in in_use for p in requested):
                return requested
            raise PermissionError(requested)
        if self._next_prefix >= self._pool_size:
            raise OverflowError("prefix pool exhausted")
        base = int(self.config.prefix_pool.network_address) + (self._next_prefix << 64)
        self._next_prefix += 1
        hnp = IPv6Network((base, 64))
        self.owner[hnp] = mn_id
        if self.mode == "ft":
            self.shared_hnp[mn_id] = hnp
        return (hnp,)

    def _shared(self, bce: Bce) -> bool:
        """The entry carries its MN's one shared HNP (the draft's §3.2; ft only)."""
        return self.shared_hnp.get(bce.mn_id) in bce.hnps

    def _create(self, pbu: Pbu, src: IPv6Address, now: float, case: str) -> list[Action]:
        mn_id = pbu.mn_id or ""
        mag = self.config.mags[src]
        try:
            hnps = self._allocate(mn_id, pbu.nonzero_hnps)
        except OverflowError:
            return [self._reject(pbu, src, Status.INSUFFICIENT_RESOURCES, (Why.REJECT_POOL,),
                                 "RFC 5213 §5.3.2")]
        except PermissionError as err:
            return [self._reject(pbu, src, Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX,
                                 (Why.REJECT_PREFIX, err.args[0], mn_id), "RFC 5213 §5.3.2")]
        key, order = self.cache.new_key(mn_id)
        lifetime = min(pbu.lifetime_s, self.config.lifetime_s)
        bce = Bce(
            key=key, mn_id=mn_id, mn_lli=pbu.mn_lli or ZERO_LLI, att=pbu.att or 0, hnps=hnps,
            proxy_coa=src, mag=mag, tunnel=self.config.tunnels.get(mag, f"tunnel-{mag}"),
            link_local=session_link_local(order), lifetime_s=lifetime,
            registered_ms=now, seq=pbu.seq,
            timestamp=reception_time(now) if pbu.timestamp else 0,
            hi=pbu.hi or 0, created=order,
            pbu_timestamp=pbu.timestamp.value if pbu.timestamp else 0,
        )
        actions: list[Action] = []
        if self.mode == "ft":
            bce.s = 1
            bce.m = self._m_of(mn_id, src)
            actions.extend(self._recompute_m(mn_id, src))  # the siblings' flips, first
        self.cache.add(bce)
        actions.extend(self._tunnel_ref(mag, +1))
        ft = self.mode == "ft"
        actions.append(StateChange(
            "bce", key, None, bce.row(), (Why.CREATE, mn_id, mag, ft, case),
            "draft §3.2" if ft else "RFC 5213 §5.3.2", Cause.REGISTER, case=case,
            shared_hnp=self._shared(bce)))
        actions.extend(self._route_after_change(mn_id, now))
        actions.append(self._accept(pbu, src, bce, (Why.ACCEPT_NEW,)))
        actions.append(StartTimer(ExpireTimer(key), bce.lifetime_s * 1000.0))
        return actions

    def _update(self, bce: Bce, pbu: Pbu, src: IPv6Address, now: float,
                case: str) -> list[Action]:
        before = bce.row()
        actions: list[Action] = []
        old_mag = bce.mag
        mag = self.config.mags[src]
        revived = bce.state == BceState.DEREG_HOLD
        if old_mag != mag:
            actions.extend(self._tunnel_ref(old_mag, -1))
            actions.extend(self._tunnel_ref(mag, +1))
        bce.proxy_coa = src
        bce.mag = mag
        bce.tunnel = self.config.tunnels.get(mag, f"tunnel-{mag}")
        bce.att = pbu.att or bce.att
        bce.mn_lli = pbu.mn_lli or bce.mn_lli
        # bce.link_local stays: the LMA generated it for the session (§5.1, §6.8); the
        # PBA gives it to the new MAG (an ALL_ZERO option in a handoff PBU asks for it)
        bce.lifetime_s = min(pbu.lifetime_s, self.config.lifetime_s)
        bce.registered_ms = now
        bce.seq = pbu.seq
        bce.timestamp = reception_time(now) if pbu.timestamp else 0  # §5.1
        bce.pbu_timestamp = pbu.timestamp.value if pbu.timestamp else 0  # for §5.5
        bce.hi = pbu.hi or 0
        bce.delete_ms = None
        restored = False
        if self.mode == "ft":
            restored = bce.s == 0
            bce.s = 1
        why: Note
        if revived:
            why, ref = (Why.UPDATE_REVIVE,), "RFC 5213 §5.3.5"
        elif restored:
            why, ref = (Why.UPDATE_RESTORE,), "draft §3.1"
        elif old_mag != mag:
            why, ref = (Why.UPDATE_HANDOFF, old_mag), "RFC 5213 §5.3.4"
        else:
            why, ref = (Why.UPDATE_REREG,), "RFC 5213 §5.3.3"
        cause = Cause.REVIVE if revived else Cause.RESTORE if restored else (
            Cause.HANDOFF if old_mag != mag else Cause.REREG)
        self.transitions.fire(bce, cause)  # -> active
        actions.append(StateChange("bce", bce.key, before, bce.row(),
                                   (Why.UPDATE, bce.mn_id, mag, why, case), ref, cause,
                                   case=case, shared_hnp=self._shared(bce)))
        if old_mag != mag:
            actions.extend(self._recompute_m(bce.mn_id))
        actions.extend(self._route_after_change(bce.mn_id, now))
        actions.append(self._accept(pbu, src, bce, why))
        actions.append(StartTimer(ExpireTimer(bce.key), bce.lifetime_s * 1000.0))
        return actions

    def _deregister(self, bce: Bce, pbu: Pbu, src: IPv6Address, now: float) -> list[Action]:
        mag = self.config.mags[src]
        if src != bce.proxy_coa:
            return [StateChange("lma", "ignored", None, None,
                                (Why.IGNORE_DEREG, mag, bce.mn_id, bce.mag), "RFC 5213 §5.3.5",
                                Cause.IGNORE, mn=(bce.mn_id, pbu.mn_lli))]
        before = bce.row()
        actions: list[Action] = []
        if self.mode == "ft" and (bce.state is _DEREG_HOLD
                                  or (bce.m != 1 and bce.state is BceState.ACTIVE)):
            return self._hold_single(bce, pbu, src, now)
        if self.mode == "ft":
            self.transitions.fire(bce, Cause.DEREG)  # -> kept, until its lifetime ends
            bce.s = 0
            actions.append(StateChange(
                "bce", bce.key, before, bce.row(), (Why.DEREG_KEPT, bce.mn_id, mag),
                "draft §3.2 step 4", Cause.DEREG, shared_hnp=self._shared(bce)))
            actions.extend(self._route_after_change(bce.mn_id, now))
            actions.append(self._accept(pbu, src, bce, (Why.ACCEPT_DEREG_KEPT,), lifetime=0))
        else:
            self.transitions.fire(bce, Cause.DEREG)  # -> dereg-hold
            bce.delete_ms = now + self.config.min_delay_before_bce_delete_ms
            actions.append(StateChange(
                "bce", bce.key, before, bce.row(),
                (Why.DEREG_HOLD, bce.mn_id, mag, self.config.min_delay_before_bce_delete_ms),
                "RFC 5213 §5.3.5", Cause.DEREG, shared_hnp=self._shared(bce)))
            actions.extend(self._route_after_change(bce.mn_id, now))  # rfc5213: no event
            actions.append(self._accept(pbu, src, bce, (Why.ACCEPT_DEREG,), lifetime=0))
            actions.append(StartTimer(DeleteTimer(bce.key),
                                      self.config.min_delay_before_bce_delete_ms))
        waiting = self.pending.pop(bce.key, None)
        if waiting is not None:
            actions.extend(self._update(bce, waiting.pbu, waiting.src, now, "5.4.1.2-4"))
        return actions

    def _hold_single(self, bce: Bce, pbu: Pbu, src: IPv6Address, now: float) -> list[Action]:
        """ft, M=0 (every entry of the MN comes from one MAG): the draft's scheme (S=0,
        entry kept, traffic to a sibling via another MAG) does not apply; the entry is
        held MinDelayBeforeBCEDelete with S=0 (RFC 5213 §5.3.5), the MN's traffic goes
        to a sibling with S=1 if it has one, else it is dropped, and the entry deleted."""
        before = bce.row()
        mag = self.config.mags[src]
        hold_ms = self.config.min_delay_before_bce_delete_ms
        self.transitions.fire(bce, Cause.DEREG_HOLD)  # -> dereg-hold
        bce.s = 0
        bce.delete_ms = now + hold_ms
        actions: list[Action] = [StateChange(
            "bce", bce.key, before, bce.row(), (Why.DEREG_SINGLE, bce.mn_id, mag, hold_ms),
            "RFC 5213 §5.3.5", Cause.DEREG_HOLD, shared_hnp=self._shared(bce))]
        actions.extend(self._route_after_change(bce.mn_id, now))
        actions.append(self._accept(pbu, src, bce, (Why.ACCEPT_DEREG,), lifetime=0))
        actions.append(StartTimer(DeleteTimer(bce.key), hold_ms))
        waiting = self.pending.pop(bce.key, None)
        if waiting is not None:
            actions.extend(self._update(bce, waiting.pbu, waiting.src, now, "5.4.1.2-4"))
        return actions

    def _m_of(self, mn_id: str, src: IPv6Address | None = None) -> int:
        """The draft's M (§3.1): 1 when the MN's entries (and ``src``, the Proxy-CoA of
        an entry about to be created) come from at least two different MAGs."""
        coas = {b.proxy_coa for b in self.cache.for_mn(mn_id)}
        if src is not None:
            coas.add(src)
        return 1 if len(coas) > 1 else 0

    def _recompute_m(self, mn_id: str, src: IPv6Address | None = None) -> list[Action]:
        """ft: set M on every entry of the MN again; a ``state`` event per entry whose M
        flips (to 1 or to 0), after a create, an update that moved an entry to another
        MAG, or a delete."""
        if self.mode != "ft":
            return []
        m = self._m_of(mn_id, src)
        actions: list[Action] = []
        for b in self.cache.for_mn(mn_id):
            if b.m != m:
                before = b.row()
                b.m = m
                actions.append(StateChange(
                    "bce", b.key, before, b.row(),
                    (Why.MULTIHOMING if m else Why.SINGLE_HOMED, b.mn_id, b.mag),
                    "draft §3.1", Cause.MULTIHOMING, shared_hnp=self._shared(b)))
        return actions

    def _delete(self, bce: Bce, why: Note, ref: str, cause: str, now: float) -> list[Action]:
        self.cache.remove(bce.key)
        actions: list[Action] = [StateChange("bce", bce.key, bce.row(), None, why, ref, cause,
                                             shared_hnp=self._shared(bce))]
        actions.extend(self._recompute_m(bce.mn_id))
        actions.extend(self._tunnel_ref(bce.mag, -1))
        actions.extend(self._route_after_change(bce.mn_id, now))
        return actions

    # -- timers -------------------------------------------------------------

    def on_timer(self, timer: Timer, now: float) -> list[Action]:
        """A timer the LMA asked for fired; stale timers (and the MAGs') do nothing."""
        return self._with_carrier(self._on_timer(timer, now))

    def _on_timer(self, timer: Timer, now: float) -> list[Action]:
        key = timer.key
        bce = self.cache.entries.get(key)
        if isinstance(timer, ExpireTimer) and bce is not None and bce.state in _EXPIRES:
            if now >= bce.expires_ms:
                if bce.state is _DEREG_HOLD:  # its lifetime ends before the hold does
                    return self._delete(bce, (Why.DELETE_HOLD_EXPIRE, key, bce.lifetime_s),
                                        "RFC 5213 §5.3.5", "expire", now)
                return self._delete(bce, (Why.DELETE_EXPIRE, key, bce.lifetime_s),
                                    "RFC 5213 §5.3.3", "expire", now)
        elif isinstance(timer, DeleteTimer) and bce is not None and bce.state == _DEREG_HOLD:
            if bce.delete_ms is not None and now >= bce.delete_ms:
                return self._delete(bce, (Why.DELETE_HOLD, key), "RFC 5213 §5.3.5", "delete",
                                    now)
        elif isinstance(timer, WaitTimer) and key in self.pending:
            waiting = self.pending.pop(key)
            return self._create(waiting.pbu, waiting.src, now, "5.4.1.2-4 timeout")
        return []

    # -- forwarding ---------------------------------------------------------

    def data(self, packet: DataPacket) -> Forward | Drop:
        """A DATA packet for an MN reached the LMA (from a CN, or up a tunnel): a
        ``Forward`` to the MAG of the entry that carries its prefix (down that entry's
        tunnel), or a ``Drop`` with the route's reason (RFC 5213 §5.6.2, §5.3.5).
        Always exactly one action, so it is returned alone, not in a list: the world
        calls this for every packet to an MN (the hot path), which is why ``route_p64``
        is written out here again, deliberately (one call less per packet)."""
        bce: Bce | None = None
        reason = "no_binding"
        keys = self.cache.keys_for_p64(packet.p64)
        if keys:
            entries = self.cache.entries
            if self.mode == "ft":
                key = self.active.get(entries[keys[0]].mn_id)
                if key:
                    bce = entries.get(key)
                if bce is None and any(entries[k].state is _DEREG_HOLD for k in keys):
                    reason = "dereg_hold"  # ft, M=0: held as in RFC 5213 §5.3.5
            else:
                bce = entries[keys[0]]
                if bce.state is _DEREG_HOLD:
                    bce, reason = None, "dereg_hold"
        if bce is None:
            return Drop(packet, reason, (Why.DATA_DROP, packet.n, packet.dst, reason),
                        _HOLD_REF if reason == Reason.DEREG_HOLD else _DATA_REF)
        return Forward(packet, bce.mag,
                       (_DATA_TUNNEL, packet.cached, packet.n, bce.mag, bce.tunnel),
                       _DATA_REF)

    def tunnel_up(self, mag: str) -> bool:
        """The LMA's tunnel to ``mag`` is up: at least one entry uses it (§5.6.1)."""
        return self._tunnel_users.get(mag, 0) > 0

    def tunnel_drop(self, packet: DataPacket, mag: str) -> Drop:
        """A packet came up the tunnel from ``mag`` after the LMA tore it down (§5.3.4,
        §5.6.1: no entry uses it, so no route or tunnel state is left for it): dropped,
        not forwarded. The data plane asks ``tunnel_up`` first."""
        name = self.config.tunnels.get(mag, f"tunnel-{mag}")
        return Drop(packet, Reason.TUNNEL_DOWN, (Why.DATA_NO_TUNNEL, packet.n, mag, name),
                    "RFC 5213 §5.6.1")

    def route(self, dst: IPv6Address) -> tuple[Bce | None, str]:
        """Which entry carries traffic to ``dst``; (None, reason) when it must be dropped."""
        return self.route_p64(int(dst) >> 64)

    def route_p64(self, p64: int) -> tuple[Bce | None, str]:
        """``route`` by the destination's /64 as an int: the decision ``data`` makes
        (and writes out again, for speed; tests/test_lma.py ties the two)."""
        keys = self.cache.keys_for_p64(p64)
        if not keys:
            return None, "no_binding"
        entries = self.cache.entries
        if self.mode == "ft":
            key = self.active.get(entries[keys[0]].mn_id)
            bce = entries.get(key) if key else None
            if bce is None:
                if any(entries[k].state is _DEREG_HOLD for k in keys):
                    return None, "dereg_hold"
                return None, "no_binding"
            return bce, ""
        bce = entries[keys[0]]
        if bce.state is _DEREG_HOLD:
            return None, "dereg_hold"
        return bce, ""

    def _route_after_change(self, mn_id: str, now: float) -> Iterable[Action]:
        """Ask ``elect_carrier`` again after a change to the MN's entries. ft: the LMA
        re-routes the MN's HNP at once when the carrier changes (a ``route`` event);
        rfc5213: the carrier is only recorded (each HNP is routed by its own entry)."""
        current = self.active.get(mn_id)
        bce = self.cache.entries.get(current) if current else None
        new = self.elect_carrier(mn_id)
        if self.mode != "ft":
            if new is None:
                self.active.pop(mn_id, None)
            else:
                self.active[mn_id] = new.key
            return []
        if new is not None and new is bce:
            return []
        before = {"via": bce.mag, "entry": bce.key} if bce else None
        if new is None:
            self.active.pop(mn_id, None)
            if before is None:
                return []
            return [StateChange("route", mn_id, before, None, (Why.ROUTE_NONE, mn_id),
                                "draft §3.2", "route")]
        self.active[mn_id] = new.key
        after = {"via": new.mag, "entry": new.key}
        if before is None:
            return [StateChange("route", mn_id, before, after,
                                (Why.ROUTE, mn_id, new.tunnel, new.mag), "RFC 5213 §5.6.2",
                                "route")]
        return [StateChange("route", mn_id, before, after,
                            (Why.REROUTE, mn_id, before["via"], new.mag), "draft §3.2",
                            "route")]

    def _tunnel_ref(self, mag: str, delta: int) -> list[Action]:
        users = self._tunnel_users.get(mag, 0)
        self._tunnel_users[mag] = users + delta
        name = self.config.tunnels.get(mag, f"tunnel-{mag}")
        if users == 0 and delta > 0:
            return [StateChange("tunnel", name, None, {"mag": mag, "up": True},
                                (Why.TUNNEL_UP, name, mag), "RFC 5213 §5.6.1", "tunnel")]
        if users + delta == 0 and delta < 0:
            return [StateChange("tunnel", name, {"mag": mag, "up": True}, None,
                                (Why.TUNNEL_DOWN, name), "RFC 5213 §5.6.1", "tunnel")]
        return []

    # -- PBA construction (§5.3.6) -----------------------------------------

    def _pba_options(self, pbu: Pbu, hnps: tuple[IPv6Network, ...],
                     link_local: IPv6Address | None = None) -> tuple[Option, ...]:
        """The PBA's options (§5.3.6). ``link_local``: the session's link-local address
        (accepted PBU, §6.8), sent in place of the PBU's value (ALL_ZERO: "give me the
        session's"); None (a rejection) copies the PBU's option."""
        opts: list[Option] = [MnIdOption(pbu.mn_id or "")]
        opts.extend(HnpOption(p) for p in hnps)
        opts.append(HiOption(pbu.hi or 0))
        opts.append(AttOption(pbu.att or 0))
        if pbu.mn_lli is not None:
            opts.append(MnLliOption(pbu.mn_lli))
        if pbu.link_local is not None:
            opts.append(LinkLocalOption(link_local or pbu.link_local))
        if pbu.timestamp is not None:
            opts.append(pbu.timestamp)
        return tuple(opts)

    def _accept(self, pbu: Pbu, src: IPv6Address, bce: Bce, why: Note,
                lifetime: int | None = None) -> SendPba:
        life = bce.lifetime_s if lifetime is None else lifetime
        pba = Pba(status=0, seq=pbu.seq, lifetime_s=life, p=pbu.p,
                  options=self._pba_options(pbu, bce.hnps, bce.link_local))
        return SendPba(src, pba, (Why.PBA_ACCEPT, why, bce.mag, bce.mn_id, bce.hnps),
                       "RFC 5213 §5.3.6")

    def _reject(self, pbu: Pbu, src: IPv6Address, status: int, why: Note,
                ref: str) -> SendPba:
        """A PBA with ``status``; ``ref``: the rule that rejects the PBU."""
        hnps = pbu.hnps or (ALL_ZERO_PREFIX,)
        pba = Pba(status=status, seq=pbu.seq, lifetime_s=0, p=pbu.p,
                  options=self._pba_options(pbu, hnps))
        mag = self.config.mags.get(src, str(src))
        return SendPba(src, pba, (Why.PBA_REJECT, mag, status, why), ref)
