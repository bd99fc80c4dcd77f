"""Validated scenario dataclasses: the in-memory form of a scenario TOML file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from ipaddress import IPv6Address, IPv6Network
from pathlib import Path

MODES = ("ft", "rfc5213")
FAULT_ACTIONS = ("break", "restore", "move")
PBU_OPTION_NAMES = ("mn_id", "hnp", "hi", "att")
# issue 10 item 1: how the MN addresses its interfaces, and which of its addresses an
# interface accepts (RFC 1122 §3.3.4.2)
ADDRESSING = ("per-interface", "shared")
HOST_MODELS = ("weak", "strong")
# issue 10 item 7: what an rfc5213 run does when an interface of a multihomed MN is
# lost: "none" (the baseline: its prefix is lost with it) or "hi2" (the MN re-attaches
# the prefix on a surviving interface, whose MAG hands the session over with HI=2,
# RFC 5213 §5.4.1); ft runs ignore it (README "What is modelled")
RFC5213_HANDOFFS = ("none", "hi2")


@dataclass(frozen=True)
class Interface:
    """One interface of a mobile node and where it first attaches."""

    name: str
    mag: str
    att: int  # Access Technology Type code (RFC 5213 §8.5)
    lli: bytes  # link-layer identifier, 6 or 8 octets
    attach_ms: float = 0.0
    attach_hi: int = 1  # the HI of its first PBU: 1 (new interface) or 4 (unknown)


@dataclass(frozen=True)
class MobileNode:
    """A (possibly multihomed) mobile node."""

    id: str  # the MN-Identifier (NAI), e.g. "mn1@example.org"
    interfaces: tuple[Interface, ...]
    known: bool = True  # in the LMA's policy store; False -> PBA 153
    authorized: bool = True  # PMIPv6 service enabled in its profile; False -> PBA 152
    # "per-interface": each interface forms its own address in the HNP (SLAAC from its
    # link-layer id); "shared": one address on every interface (a logical interface,
    # RFC 7847), formed from the first interface's link-layer id
    addressing: str = "per-interface"
    # "weak": any interface accepts a packet for any of the MN's addresses; "strong": an
    # interface accepts only its own (RFC 1122 §3.3.4.2), others are dropped
    # (``wrong_interface``)
    host: str = "weak"
    detection_ms: float = 0.0  # how long the MN takes to notice an interface went down


@dataclass(frozen=True)
class Lma:
    """The local mobility anchor."""

    name: str
    address: IPv6Address
    prefix_pool: IPv6Network
    lifetime_s: int = 40  # binding lifetime granted, a multiple of 4


@dataclass(frozen=True)
class Mag:
    """A mobile access gateway."""

    name: str
    address: IPv6Address
    access_delay_ms: float = 1.0
    detection_ms: float = 20.0
    buffer_packets: int = 64
    # knobs that make a misbehaving MAG for teaching the rejection statuses
    authorized: bool = True  # False -> PBA 154
    omit_options: tuple[str, ...] = ()  # subset of PBU_OPTION_NAMES -> 158/160/161/162
    clock_offset_ms: float = 0.0  # > TimestampValidityWindow -> PBA 156


@dataclass(frozen=True)
class Cn:
    """A correspondent node on the far side of the LMA."""

    name: str
    address: IPv6Address


@dataclass(frozen=True)
class Link:
    """A wired link between two named nodes (LMA, MAG or CN)."""

    a: str
    b: str
    delay_ms: float
    loss: float = 0.0


@dataclass(frozen=True)
class Flow:
    """A constant-bit-rate flow between a CN and an MN (either direction)."""

    src: str
    dst: str
    rate_pps: float
    start_ms: float
    stop_ms: float
    size_bytes: int = 1000
    # a downlink flow's ``to = "mn-id/IF"``: the interface it is addressed to (its
    # name); None: the interface whose entry carries the MN's traffic at its first packet
    to_iface: str | None = None


@dataclass(frozen=True)
class Fault:
    """A scheduled fault: break, restore or move an MN interface."""

    at_ms: float
    action: str
    interface: str  # "mn-id/IFNAME"
    to_mag: str | None = None

    @property
    def mn_id(self) -> str:
        return self.interface.rsplit("/", 1)[0]

    @property
    def if_name(self) -> str:
        return self.interface.rsplit("/", 1)[1]


@dataclass(frozen=True)
class Scenario:
    """A whole validated scenario."""

    name: str
    title: str
    description: str
    mode: str
    seed: int
    duration_ms: float
    lma: Lma
    mags: tuple[Mag, ...]
    cns: tuple[Cn, ...]
    mns: tuple[MobileNode, ...]
    links: tuple[Link, ...]
    flows: tuple[Flow, ...] = ()
    faults: tuple[Fault, ...] = ()
    processing_ms: float = 0.0
    rfc5213_handoff: str = "none"  # RFC5213_HANDOFFS
    path: Path | None = field(default=None, compare=False)

    def with_changes(self, **changes: object) -> Scenario:
        """A copy with some fields replaced (e.g. mode, seed, faults)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def mag(self, name: str) -> Mag:
        """The MAG named ``name`` (KeyError if none): a dict lookup."""
        return self.mag_index[name]

    def mn(self, mn_id: str) -> MobileNode:
        """The MN ``mn_id`` (KeyError if none): a dict lookup."""
        return self.mn_index[mn_id]

    @cached_property
    def mag_index(self) -> dict[str, Mag]:
        """MAGs by name, built once (a copy made by with_changes builds its own)."""
        return {m.name: m for m in self.mags}

    @cached_property
    def mn_index(self) -> dict[str, MobileNode]:
        """MNs by id, built once (a copy made by with_changes builds its own)."""
        return {m.id: m for m in self.mns}
