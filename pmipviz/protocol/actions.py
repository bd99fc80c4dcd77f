"""What the sans-I/O machines ask their host to do: plain data out.

Every action that becomes a trace event carries ``why`` (a :data:`~pmipviz.protocol.why.Note`:
the cause and the facts its sentence needs; ``lesson/`` writes the sentence) and ``ref``
(the rule that governs it, e.g. ``"RFC 5213 §6.9.1.1"``; the format is in ``why.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import Any

from pmipviz.protocol.messages import DataPacket, Pba, Pbu, RouterAdvertisement
from pmipviz.protocol.timers import Timer
from pmipviz.protocol.why import Note


@dataclass(slots=True)
class SendPbu:
    """MAG -> LMA."""

    pbu: Pbu
    why: Note
    ref: str
    retransmission: bool = False


@dataclass(slots=True)
class SendPba:
    """LMA -> the PBU's source (the MAG's Proxy-CoA)."""

    dst: IPv6Address
    pba: Pba
    why: Note
    ref: str


@dataclass(slots=True)
class SendRa:
    """MAG -> an attached MN interface."""

    interface: str  # "mn-id/IF"
    ra: RouterAdvertisement
    why: Note
    ref: str


@dataclass(slots=True)
class StateChange:
    """A change in a table the UI shows: bce, bul, route, tunnel, iface, mag."""

    table: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    why: Note
    ref: str
    cause: str = ""  # a vocab.Cause: register / rereg / handoff / dereg / revive / delete ...
    case: str | None = None  # the §5.4.1 lookup case that decided a bce / lma change
    shared_hnp: bool | None = None  # bce: the entry carries the MN's shared HNP (draft)
    mn: tuple[str, bytes | None] | None = None  # lma: the PBU's (MN-ID, MN-LL-Id)
    # bce: the key of the entry carrying the MN's traffic once the input is processed
    # (``Lma.elect_carrier``), None when none is
    carrier: str | None = None


@dataclass(slots=True)
class StartTimer:
    """Call the machine's ``on_timer(timer, now)`` after ``delay_ms``; stale timers are
    ignored there. (A delay, not an absolute time, so that event times are exact sums.)"""

    timer: Timer
    delay_ms: float


@dataclass(slots=True)
class Forward:
    """Send a data packet on: to an MN interface, up the tunnel, or to a MAG's tunnel."""

    packet: DataPacket
    to: str  # MAG name (LMA->MAG), "LMA" (MAG->LMA), or "mn-id/IF" (MAG->MN)
    why: Note
    ref: str


@dataclass(slots=True)
class Cache:
    """A MAG put a packet in its cache (ft mode)."""

    packet: DataPacket
    occupancy: int
    capacity: int
    why: Note
    ref: str


@dataclass(slots=True)
class Uncache:
    """A MAG took a packet out of its cache (flush up the tunnel, or down to the MN)."""

    packet: DataPacket
    occupancy: int
    capacity: int
    why: Note
    ref: str
    to: str = "LMA"  # "LMA" (draft step 6) or the MN interface it is delivered to


@dataclass(slots=True)
class Drop:
    """A packet is lost, with a named reason."""

    packet: DataPacket
    reason: str
    why: Note
    ref: str


Action = SendPbu | SendPba | SendRa | StateChange | StartTimer | Forward | Cache | Uncache | Drop
