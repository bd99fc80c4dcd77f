"""The trace's vocabulary: every word the code decides on, as a ``StrEnum``.

A member is a ``str`` equal to its value, and ``json`` writes it as that plain string,
so the JSON-lines format is the one the strings wrote. It lives in ``protocol/`` (the
bottom layer) because the protocol machines produce causes and loss reasons too.

Every event has ``i``, ``t_ms``, ``kind``, ``node``, ``peer``, ``msg``, ``fields``,
``step`` and ``note`` (DESIGN.md); :class:`Kind` lists what ``fields`` holds per kind.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """The event kinds, with the ``fields`` each one carries.

    Every event a protocol machine's action produced (``state`` and ``buffer`` events,
    a DATA ``drop`` at a MAG, the ``send`` of a PBU, a PBA, an RA or of a DATA packet a
    MAG forwards) also carries ``ref``: the rule that governs it, in one format:
    ``"RFC 5213 §6.9.1.1"``, ``"RFC 6275 §11.8"``, ``"draft §3.2"`` or ``"draft §3.2
    step 6"`` (draft-jiang-netext-ft-pmip-00; a step of its Figure 1). The world adds
    one where a rule governs its own event: the LMA's DATA drops (``RFC 5213 §5.3.5``
    or ``§5.6.2``), a DATA drop for its hop limit (``RFC 8200 §3``), an interface's new
    address (``RFC 4862 §5.5.3``). The ``recv`` of a message has none (the sender's
    rule is not the receiver's), nor has the LMA's DATA ``send`` down a tunnel (one
    dict copy per packet on the hot path, for a ref that is always ``RFC 5213 §5.6.2``)."""

    SEND = "send"
    """A node sends a message (``peer`` is the receiver, None for a DATA packet that is
    dropped where it starts). Fields: the message's own (``seq``, ``lifetime_s``, ``hi``,
    ``hnps``, ... for PBU/PBA/RS/RA; ``n``, ``flow``, ``src``, ``dst``, ``size`` ... for
    DATA), ``ip_src``, ``ip_dst``, and ``retransmission: true`` on a PBU resent."""
    RECV = "recv"
    """A node receives a message (``peer`` is the sender). Fields: as the ``send``."""
    DROP = "drop"
    """A message or packet is lost. Fields: the message's, and ``reason`` (a
    :class:`Reason`)."""
    STATE = "state"
    """A change in a table. Fields: ``table`` (a :class:`Table`), ``key``, ``cause`` (a
    :class:`Cause`), ``before`` and ``after`` (the row, or None when it is created /
    removed). Where an MN interface is concerned: ``mn_id`` and ``interface`` (the
    interface's name, e.g. ``IF1``; None when no interface of the scenario matches).
    On ``bce`` events also ``case`` (the §5.4.1 lookup case that decided the change,
    e.g. ``5.4.1.1-5a``, or None) and ``shared_hnp`` (true when the entry carries the
    MN's one shared HNP of the draft). On ``lma`` ``ignore``/``wait`` events also
    ``case`` (None when §5.3.5 rather than the lookup ignores a DeReg PBU).
    On ``bce`` events also ``carrier``: the key of the entry carrying the MN's traffic
    once the LMA has processed the input (``Lma.elect_carrier``), None when none is."""
    BUFFER = "buffer"
    """A MAG caches a DATA packet (``op: in``) or takes it out (``op: out``). Fields: the
    packet's, ``op``, ``occupancy`` and ``capacity``; on ``out`` also ``to``, where the
    packet goes: the LMA's name (up the tunnel, the draft's step 6) or the MN interface's
    ``mn-id/IF`` key."""
    FAULT = "fault"
    """An interface fault is applied. Fields: ``action`` (a :class:`FaultAction`),
    ``interface`` (the full ``mn-id/IF`` key), ``to_mag``, ``mag`` (where the interface
    was) and ``noop`` (true when the fault changes nothing: breaking an interface that
    is down, restoring one that is up, moving one to the MAG it is on)."""
    DELIVER = "deliver"
    """A DATA packet reaches its destination. Fields: the packet's."""


class Msg(StrEnum):
    """The messages of the trace's ``msg`` (None for state and fault events)."""

    PBU = "PBU"
    PBA = "PBA"
    RS = "RS"
    RA = "RA"
    DATA = "DATA"


class Table(StrEnum):
    """The tables a ``state`` event changes."""

    BCE = "bce"  # the LMA's Binding Cache
    BUL = "bul"  # a MAG's Binding Update List
    ROUTE = "route"  # the LMA's route for an MN's prefix (ft)
    TUNNEL = "tunnel"  # an LMA-MAG tunnel
    IFACE = "iface"  # an MN interface
    LMA = "lma"  # an LMA decision with no table row (a PBU ignored or held)
    MAG = "mag"  # a MAG decision with no table row (a PBA ignored)


class Cause(StrEnum):
    """Why a table changed (``cause`` of a ``state`` event)."""

    # bce
    REGISTER = "register"
    REREG = "rereg"
    HANDOFF = "handoff"
    DEREG = "dereg"
    DEREG_HOLD = "dereg_hold"  # ft, M=0: de-registered as RFC 5213 §5.3.5 (held, dropping)
    REVIVE = "revive"
    RESTORE = "restore"
    MULTIHOMING = "multihoming"  # M recomputed (draft §3.1): it flipped, to 1 or to 0
    DELETE = "delete"
    EXPIRE = "expire"
    # bul
    ATTACH = "attach"
    REGISTERED = "registered"
    REJECTED = "rejected"
    RETRY = "retry"
    LATE_PBA = "late_pba"
    REMOVED = "removed"
    GIVEUP = "giveup"
    DETECT = "detect"
    LINK_DOWN = "link_down"
    LINK_UP = "link_up"
    # iface (also ATTACH)
    ADDRESS = "address"
    BREAK = "break"
    DETACH = "detach"
    MN_DETECT = "mn_detect"  # the MN notices its interface is down (its detection_ms)
    # route, tunnel
    ROUTE = "route"
    TUNNEL = "tunnel"
    # lma, mag
    IGNORE = "ignore"
    WAIT = "wait"


class FaultAction(StrEnum):
    """The ``action`` of a ``fault`` event (``attach``: a broken interface's attach time
    came, and it did not attach)."""

    BREAK = "break"
    RESTORE = "restore"
    MOVE = "move"
    ATTACH = "attach"


class Reason(StrEnum):
    """Why a message or packet is lost (``reason`` of a ``drop`` event)."""

    LINK_DOWN = "link_down"  # the MN interface is down (RA, or DATA with no cache)
    DEREG_HOLD = "dereg_hold"  # RFC 5213 §5.3.5: the entry is held after a DeReg
    NO_BINDING = "no_binding"  # no entry (LMA) or BUL entry (MAG) for the destination
    BUFFER_OVERFLOW = "buffer_overflow"  # the MAG's cache is full (ft)
    LINK_LOSS = "link_loss"  # the scenario's loss probability on a link
    NO_ADDRESS = "no_address"  # the flow has no destination address yet
    TTL = "ttl"  # the hop limit ran out
    TUNNEL_DOWN = "tunnel_down"  # RFC 5213 §5.6.1: up a tunnel the LMA has torn down
    # RFC 1122 §3.3.4.2, a strong-host MN: the packet reached an interface that does not
    # own its destination address (issue 10 item 1)
    WRONG_INTERFACE = "wrong_interface"
