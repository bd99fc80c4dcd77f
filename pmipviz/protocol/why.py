"""What the protocol machines say about an action: a cause and its facts, no sentence.

An action's ``why`` is a :data:`Note`: a tuple whose first item is a :class:`Why` and
whose other items are the few values a sentence needs (names, numbers, prefixes, a
nested :data:`Note` for a reason). ``pmipviz.lesson.sentences`` turns it into the
trace's ``note``; nothing in ``protocol/`` builds English. A plain tuple, not a
dataclass: it is built for every DATA packet a MAG forwards, and a tuple is the
cheapest object Python makes. The values must not change later (notes are formatted
lazily, when someone reads them): strings, numbers, tuples, addresses, never a
mutable protocol object.

Each member's docstring lists the values that follow it, in order. ``key`` is an MN
interface key (``mn-id/IF``), ``mag`` a MAG's name, ``n`` a packet's per-flow number.

``ref`` (on every action that becomes a trace event) names the rule that governs it,
in one format: ``"RFC 5213 §6.9.1.1"``, ``"RFC 6275 §11.8"``, ``"draft §3.2"`` or
``"draft §3.2 step 6"`` (draft-jiang-netext-ft-pmip-00; a step of its Figure 1).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

Note = tuple[Any, ...]
"""``(Why, value, ...)``: see :class:`Why` for the values of each cause."""


class Why(StrEnum):
    """The causes the MAG and the LMA give for their actions."""

    # -- MAG: attachment and registration ----------------------------------------
    RA_AGAIN = "mag.ra_again"
    """mag, key: an RS from an interface already registered is answered with an RA."""
    BUL_BACK = "mag.bul_back"
    """mag, key: an interface back from another MAG is registered again."""
    PBU_BACK = "mag.pbu_back"
    """mag, key, hi: the PBU for an interface back from another MAG."""
    BUL_ADD = "mag.bul_add"
    """mag, key: a new Binding Update List entry."""
    PBU_ATTACH = "mag.pbu_attach"
    """mag, key, hi: the PBU registering a newly attached interface."""
    LINK_DOWN_CARRIED = "mag.link_down_carried"
    """mag, key, link, detection_ms: ``link``'s access link is down, and with it the
    session of ``key`` it carries since a HI=2 handoff (issue 10 item 7)."""
    BUL_CLAIM = "mag.bul_claim"
    """mag, key, link, hnps: the MN re-attaches the lost interface ``key``'s prefixes on
    its interface ``link`` here: a BUL entry for that session (issue 10 item 7)."""
    PBU_CLAIM = "mag.pbu_claim"
    """mag, key, link, hnps: the HI=2 PBU handing the session over to ``link`` (§5.4.1)."""
    BUL_RETRY = "mag.bul_retry"
    """mag, key: the LMA refused the prefix (155); a new one is asked for."""
    PBU_ALL_ZERO = "mag.pbu_all_zero"
    """mag, key: the PBU asking for a new prefix (ALL_ZERO HNP)."""
    BUL_REJECTED = "mag.bul_rejected"
    """mag, key, status: the LMA rejected the interface."""
    BUL_REGISTERED = "mag.bul_registered"
    """mag, key, hnps: the interface is registered with these prefixes."""
    RA_REGISTERED = "mag.ra_registered"
    """mag, key, hnps: the RA advertising the prefixes of a new registration."""
    LATE_PBA = "mag.late_pba"
    """mag, key, hnps, ft: a registration's PBA came after de-registration began."""
    IGNORE_PBA = "mag.ignore_pba"
    """mag, seq, orphans: a PBA no PBU waits for; ``orphans``: the prefixes (ft) that
    the LMA routes here for now (empty when none)."""
    BUL_REREG = "mag.bul_rereg"
    """mag, key: re-registration before the lifetime ends."""
    PBU_REREG = "mag.pbu_rereg"
    """mag, key: the re-registration PBU (HI=5)."""
    BUL_GIVEUP = "mag.bul_giveup"
    """mag, key, attempts: no PBA after that many tries."""
    PBU_RETX = "mag.pbu_retx"
    """mag, key, waited_ms: the PBU is sent again after ``waited_ms`` without a PBA."""
    BUL_DETECT = "mag.bul_detect"
    """mag, key, ft[, sibling]: the interface is declared unreachable (ft: its packets
    cached; with ``sibling``, another interface of the MN up on this MAG, they go there)."""
    PBU_DEREG = "mag.pbu_dereg"
    """mag, key: the DeReg PBU (lifetime 0, HI=4)."""
    BUL_REMOVE = "mag.bul_remove"
    """mag, key, reason: the entry is removed; ``reason`` is a :data:`Note` of
    ``REMOVE_*``."""
    REMOVE_REFUSED = "mag.remove.refused"
    """status: the LMA refused the de-registration."""
    REMOVE_CONFIRMED = "mag.remove.confirmed"
    """(nothing): the PBA confirms the de-registration."""
    REMOVE_TIMEOUT = "mag.remove.timeout"
    """timeout_ms: no PBA to the DeReg PBU within INITIAL_BINDACK_TIMEOUT."""
    REMOVE_GONE = "mag.remove.gone"
    """(nothing): a rejected interface failed."""
    LINK_DOWN = "mag.link_down"
    """mag, key, ft, detection_ms[, sibling]: the access link to the interface failed
    (``sibling``: another interface of the MN up on this MAG, which takes its packets)."""
    LINK_UP = "mag.link_up"
    """mag, key: the access link is back before the failure was detected."""

    # -- MAG: data ---------------------------------------------------------------------
    UNCACHE_UP = "mag.uncache_up"
    """mag, n, occupancy, capacity: a cached packet leaves to go up the tunnel."""
    FORWARD_CACHED_UP = "mag.forward_cached_up"
    """mag, n: the cached packet goes up the tunnel to the LMA."""
    UNCACHE_DOWN = "mag.uncache_down"
    """mag, n, key, occupancy, capacity: a cached packet leaves for the interface."""
    FORWARD_CACHED_DOWN = "mag.forward_cached_down"
    """mag, n, key: the cached packet goes down to the interface."""
    FORWARD = "mag.forward"
    """mag, n, key: a packet from the tunnel goes down to the interface."""
    FORWARD_OWNER = "mag.forward_owner"
    """mag, n, key: a packet from the tunnel goes down to ``key``, the interface that owns
    its destination address, chosen among several of the MN's here (issue 10 item 1)."""
    FORWARD_SIBLING = "mag.forward_sibling"
    """mag, n, key, owner_key, dst: no interface attached here and up owns ``dst``
    (``owner_key``: the one here that does, down; None: none here), so the packet goes
    to ``key``, another interface of the MN in the same prefix (issue 10 item 1)."""
    DROP_LINK_DOWN = "mag.drop_link_down"
    """mag, n, key: rfc5213: the interface's link is down, the packet is lost."""
    DROP_NO_BINDING = "mag.drop_no_binding"
    """mag, dst, n: no binding for the destination."""
    DROP_LOOP = "mag.drop_loop"
    """mag, n: a packet this MAG sent up once comes back: dropped rather than looping."""
    SEND_BACK_UP = "mag.send_back_up"
    """mag, n: a packet for an MN this MAG no longer serves goes back up."""
    CACHE_FULL = "mag.cache_full"
    """mag, capacity, n: the cache is full."""
    CACHE = "mag.cache"
    """mag, key, n, occupancy, capacity: a packet is cached (draft step 2)."""
    UPLINK_NO_BINDING = "mag.uplink_no_binding"
    """mag, key, n: a packet from an interface with no binding."""
    REVERSE_TUNNEL = "mag.reverse_tunnel"
    """mag, n: a packet from the MN goes up the reverse tunnel."""

    # -- LMA ---------------------------------------------------------------------------
    PBA_ACCEPT = "lma.pba_accept"
    """why, mag, mn_id, hnps: the PBA accepting a PBU; ``why`` a :data:`Note` of
    ``ACCEPT_*`` or ``UPDATE_*``."""
    PBA_REJECT = "lma.pba_reject"
    """mag, status, why: the PBA rejecting a PBU; ``why`` a :data:`Note` of
    ``REJECT_*``."""
    IGNORE_LOOKUP = "lma.ignore_lookup"
    """mag, mn_id, case: a DeReg PBU with no matching session (§5.4.1)."""
    IGNORE_DEREG = "lma.ignore_dereg"
    """mag, mn_id, entry_mag: a DeReg PBU from a MAG that is not the entry's."""
    WAIT = "lma.wait"
    """mag, mn_id: a PBU (HI=4) held until the old MAG de-registers."""
    MULTIHOMING = "lma.multihoming"
    """mn_id, mag: M=1 on the entry via ``mag``."""
    SINGLE_HOMED = "lma.single_homed"
    """mn_id, mag: M=0 on the entry via ``mag``: the MN's entries all come from one MAG."""
    CREATE = "lma.create"
    """mn_id, mag, ft, case: a new Binding Cache entry."""
    UPDATE = "lma.update"
    """mn_id, mag, why, case: an entry updated; ``why`` a :data:`Note` of ``UPDATE_*``."""
    UPDATE_REVIVE = "lma.update.revive"
    """(nothing): a valid PBU during MinDelayBeforeBCEDelete."""
    UPDATE_RESTORE = "lma.update.restore"
    """(nothing): the interface is back, S=1."""
    UPDATE_HANDOFF = "lma.update.handoff"
    """old_mag: a handoff from ``old_mag``."""
    UPDATE_REREG = "lma.update.rereg"
    """(nothing): a re-registration."""
    ACCEPT_NEW = "lma.accept.new"
    """(nothing): a new mobility session."""
    ACCEPT_DEREG_KEPT = "lma.accept.dereg_kept"
    """(nothing): ft de-registration, S=0, entry kept."""
    ACCEPT_DEREG = "lma.accept.dereg"
    """(nothing): rfc5213 de-registration."""
    DEREG_KEPT = "lma.dereg_kept"
    """mn_id, mag: ft: S=0 on the entry via ``mag``, which is kept."""
    DEREG_HOLD = "lma.dereg_hold"
    """mn_id, mag, hold_ms: rfc5213: the entry is held, the traffic dropped."""
    DEREG_SINGLE = "lma.dereg_single"
    """mn_id, mag, hold_ms: ft, M=0: held as in RFC 5213 §5.3.5 (the draft's scheme is for
    an MN whose entries come from different MAGs)."""
    DELETE_EXPIRE = "lma.delete_expire"
    """key, lifetime_s: an entry's lifetime expired."""
    DELETE_HOLD = "lma.delete_hold"
    """key: the MinDelayBeforeBCEDelete hold is over."""
    DELETE_HOLD_EXPIRE = "lma.delete_hold_expire"
    """key, lifetime_s: an entry held after de-registration reached the end of its
    lifetime before MinDelayBeforeBCEDelete passed: removed then."""
    ROUTE_NONE = "lma.route_none"
    """mn_id: no entry with S=1 left."""
    ROUTE = "lma.route"
    """mn_id, tunnel, mag: the MN's prefix routed through a tunnel."""
    REROUTE = "lma.reroute"
    """mn_id, old_mag, mag: the MN's traffic re-routed at once."""
    TUNNEL_UP = "lma.tunnel_up"
    """tunnel, mag: a tunnel set up."""
    TUNNEL_DOWN = "lma.tunnel_down"
    """tunnel: a tunnel torn down."""
    DATA_TUNNEL = "lma.data_tunnel"
    """cached, n, mag, tunnel: a DATA packet for an MN sent down the tunnel of its entry."""
    DATA_NO_TUNNEL = "lma.data_no_tunnel"
    """n, mag, tunnel: a DATA packet came up ``tunnel`` from ``mag`` after the LMA tore
    that tunnel down (§5.6.1): dropped, not forwarded."""
    DATA_DROP = "lma.data_drop"
    """n, dst, reason: a DATA packet the LMA cannot route (a loss ``Reason``)."""

    # -- LMA: why a PBU is rejected (the PBA_REJECT's ``why``) ------------------------------
    REJECT_NO_MN_ID = "lma.reject.no_mn_id"
    """(nothing)"""
    REJECT_TWICE = "lma.reject.twice"
    """option: an option that appears twice."""
    REJECT_NOT_PROXY = "lma.reject.not_proxy"
    """(nothing): the P flag is not set: a Mobile IPv6 home registration (131)."""
    REJECT_NOT_MAG = "lma.reject.not_mag"
    """src: not an authorized MAG."""
    REJECT_UNKNOWN_MN = "lma.reject.unknown_mn"
    """mn_id: not in the policy store."""
    REJECT_NO_SERVICE = "lma.reject.no_service"
    """mn_id: in the policy store, but not authorized for PMIPv6 service (152)."""
    REJECT_NO_TIMESTAMP = "lma.reject.no_timestamp"
    """(nothing)"""
    REJECT_CLOCK = "lma.reject.clock"
    """skew_ms, window_ms: the timestamp is outside the validity window."""
    REJECT_NO_HNP = "lma.reject.no_hnp"
    """(nothing)"""
    REJECT_NO_HI = "lma.reject.no_hi"
    """(nothing)"""
    REJECT_NO_ATT = "lma.reject.no_att"
    """(nothing)"""
    REJECT_LOOKUP = "lma.reject.lookup"
    """case: the §5.4.1 lookup rejects the PBU."""
    REJECT_OLDER = "lma.reject.older"
    """(nothing): the timestamp is older than the one last accepted."""
    REJECT_SAME = "lma.reject.same"
    """(nothing): the timestamp equals the one last accepted: not newer (157)."""
    REJECT_POOL = "lma.reject.pool"
    """(nothing): the prefix pool is exhausted."""
    REJECT_PREFIX = "lma.reject.prefix"
    """prefixes, mn_id: prefixes this LMA cannot give to the MN."""
