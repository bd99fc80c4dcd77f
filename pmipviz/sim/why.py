"""What the world says about its own events (links, the MN host, faults, flows, the
way out to the CNs): a cause and its facts, as the protocol machines do
(:mod:`pmipviz.protocol.why`); ``pmipviz.lesson.sentences`` writes the sentence.

A note is ``(SimWhy, value, ...)``; each member's docstring lists the values. ``node``
is a node name or an MN interface key (``mn-id/IF``), ``key`` an interface key.
"""

from __future__ import annotations

from enum import StrEnum


class SimWhy(StrEnum):
    """The causes of the events the world emits itself."""

    # -- messages on links -----------------------------------------------------------
    LINK_LOSS = "sim.link_loss"
    """msg, src, dst, loss: a message lost on a link with that loss probability."""
    RECV = "sim.recv"
    """dst, msg, src: a message arrives."""
    RECV_PBU = "sim.recv_pbu"
    """mag, dereg, seq, hi: the LMA receives a PBU (``dereg``: a DeReg PBU)."""
    RECV_PBA = "sim.recv_pba"
    """mag, seq, status: a MAG receives a PBA."""
    RECV_DATA = "sim.recv_data"
    """dst, n, src: a DATA packet arrives at a node on its way."""

    # -- the MN host -------------------------------------------------------------------
    RS = "sim.rs"
    """key, mag: the interface solicits a router."""
    CLAIM = "sim.claim"
    """key, mag, lost, hnps: the MN, having noticed ``lost`` is down, asks ``mag`` on its
    interface ``key`` to claim ``lost``'s prefixes (issue 10 item 7, an RS carrying the
    hint: pmipviz's assumption, RFC 5213 leaves it out of scope)."""
    RA_ADOPT = "sim.ra_adopt"
    """key, address, hnps, lost: the RA for ``lost``'s prefixes on ``key``: the interface
    takes ``lost``'s address as a second one (issue 10 item 7)."""
    RA_LOST = "sim.ra_lost"
    """mag, key: the RA finds the interface's link down."""
    RA_RECV = "sim.ra_recv"
    """key, address, hnps: the interface configures ``address`` (None: none)."""
    ADDRESS = "sim.address"
    """key, address: the interface's new address (None: none)."""
    RA_SAME_ROUTER = "sim.ra_same_router"
    """key, address, hnps, mag, router, old_mag: an RA from ``mag`` after a handoff, from
    the link-local address ``old_mag`` used: the default router stays (RFC 5213 §6.8)."""
    RA_NEW_ROUTER = "sim.ra_new_router"
    """key, address, hnps, mag, router, old, old_mag: an RA from another link-local
    address than the interface's default router ``old`` (a new mobility session)."""
    ATTACH = "sim.attach"
    """key, mag, again: the interface attaches (``again``: re-attaches) to ``mag``."""
    IFACE_BROKEN = "sim.iface_broken"
    """key"""
    IFACE_REPAIRED = "sim.iface_repaired"
    """key"""
    IFACE_DOWN = "sim.iface_down"
    """key, detection_ms (optional, default 0): when the MN notices it (its own
    detection, issue 10 item 4)"""
    IFACE_LEAVES = "sim.iface_leaves"
    """key, mag"""

    # -- faults ------------------------------------------------------------------------
    WAITS_FOR_RESTORE = "sim.waits_for_restore"
    """key, mag: a broken interface's time to attach to ``mag`` came."""
    BREAK_EARLY = "sim.break_early"
    """key: a break before the interface attached."""
    ALREADY_DOWN = "sim.already_down"
    """key"""
    BREAKS = "sim.breaks"
    """key, mag: the interface breaks while attached to ``mag``."""
    REPAIRED_ATTACHES = "sim.repaired_attaches"
    """key, mag"""
    REPAIRED_EARLY = "sim.repaired_early"
    """key: repaired before its time to attach."""
    ALREADY_UP = "sim.already_up"
    """key"""
    COMES_BACK = "sim.comes_back"
    """key, mag"""
    ALREADY_ON = "sim.already_on"
    """key, mag"""
    MOVES = "sim.moves"
    """key, old_mag, mag"""

    # -- flows and the way out to the CNs ---------------------------------------------------
    NO_ADDRESS = "sim.no_address"
    """cn, mn_id: a downlink flow has no address for the MN yet."""
    CN_SENDS = "sim.cn_sends"
    """cn, n, mn_id"""
    CN_FIRST = "sim.cn_first"
    """cn, n, mn_id, key, address, carrier_key, carrier_mag, named, ft: a downlink flow's
    first packet sent: its destination, fixed for the whole flow, is ``address``, of the
    interface ``key``: the one whose entry carries the MN's traffic (``carrier_key``,
    via ``carrier_mag``; None when no entry does), or the one the flow names
    (``named``)."""
    NO_ADDRESS_IFACE = "sim.no_address_iface"
    """cn, key: a downlink flow names interface ``key``, which has no address yet."""
    NO_IFACE = "sim.no_iface"
    """mn_id, n: an uplink packet with no working interface."""
    MN_SENDS = "sim.mn_sends"
    """key, n, cn"""
    TTL = "sim.ttl"
    """node, n, hops: the hop limit ran out."""
    LMA_TO_CN = "sim.lma_to_cn"
    """n, cn"""
    DELIVER = "sim.deliver"
    """node, n, flow, cached: the packet reaches its destination."""
    DELIVER_FOREIGN = "sim.deliver_foreign"
    """key, n, flow, cached, owner, dst: a weak-host MN's interface ``key`` accepts the
    first packet it receives for ``dst``, the address of its sibling ``owner`` (None: of
    no interface of the MN now) (issue 10 item 1, RFC 1122 §3.3.4.2)."""
    WRONG_INTERFACE = "sim.wrong_interface"
    """key, n, owner, dst, first: a strong-host MN's interface ``key`` drops a packet for
    ``dst``, the address of ``owner`` (None: of no interface of the MN now); ``first``:
    the first such packet on ``key`` (issue 10 item 1, RFC 1122 §3.3.4.2)."""
    MN_SOURCE = "sim.mn_source"
    """key, n, cn, old_key, old_src, src, shared: an uplink flow's first packet from
    ``key`` after ``old_key`` sent the ones before from ``old_src``: its source address
    ``src`` (``shared``: the MN's addressing is "shared") (issue 10 item 1)."""

    # -- links that break with packets on them (issue 10 item 4) ------------------------
    ON_CUT_LINK = "sim.on_cut_link"
    """n, src, dst, key, how, cut_ms: a DATA packet was on the access link between
    ``src`` and ``dst`` when ``how`` (break / move) took ``key`` off it at ``cut_ms``."""
    UPLINK_UNNOTICED = "sim.uplink_unnoticed"
    """key, n, cut_ms, detection_ms: the MN sends out of ``key``, down since ``cut_ms``,
    which it has not noticed yet."""
    MN_NOTICES = "sim.mn_notices"
    """key, detection_ms: the MN notices that ``key`` is down."""
