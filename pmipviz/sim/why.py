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
    RA_LOST = "sim.ra_lost"
    """mag, key: the RA finds the interface's link down."""
    RA_RECV = "sim.ra_recv"
    """key, address, hnps: the interface configures ``address`` (None: none)."""
    ADDRESS = "sim.address"
    """key, address: the interface's new address (None: none)."""
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

    # -- links that break with packets on them (issue 10 item 4) ------------------------
    ON_CUT_LINK = "sim.on_cut_link"
    """n, src, dst, key, how, cut_ms: a DATA packet was on the access link between
    ``src`` and ``dst`` when ``how`` (break / move) took ``key`` off it at ``cut_ms``."""
    UPLINK_UNNOTICED = "sim.uplink_unnoticed"
    """key, n, cut_ms, detection_ms: the MN sends out of ``key``, down since ``cut_ms``,
    which it has not noticed yet."""
    MN_NOTICES = "sim.mn_notices"
    """key, detection_ms: the MN notices that ``key`` is down."""
