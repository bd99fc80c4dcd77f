"""The timers the machines ask their host for (``StartTimer``), one type each, with
named fields. The host hands the timer back to the machine's ``on_timer`` when it is
due; the machine dispatches on its type, and a timer the state has moved past since
(a stale one) does nothing."""

from __future__ import annotations

from dataclasses import dataclass

# -- MAG ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetxTimer:
    """No PBA for the PBU with ``seq`` of BUL entry ``key`` yet: retransmit it with
    back-off (RFC 6275 §11.8), or give a DeReg up (§6.9.1.4). Stale once the entry
    sent a newer PBU or left ``registering`` / ``deregistering``."""

    key: str
    seq: int


@dataclass(frozen=True, slots=True)
class ReregTimer:
    """Re-register BUL entry ``key`` before the lifetime of its registration accepted
    at ``registered_ms`` ends (§6.9.1.3). Stale once a newer registration was accepted
    or the entry is no longer ``registered``."""

    key: str
    registered_ms: float


@dataclass(frozen=True, slots=True)
class DetectTimer:
    """The access link to interface ``key`` went down ``detection_ms`` ago: declare the
    interface unreachable (§6.9.1.4). Stale once the link is back or it was declared."""

    key: str


# -- LMA ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpireTimer:
    """The lifetime of Binding Cache entry ``key`` may have ended (§5.3.3). Stale when
    a re-registration extended it or the entry is held after a DeReg."""

    key: str


@dataclass(frozen=True, slots=True)
class DeleteTimer:
    """MinDelayBeforeBCEDelete may have passed for entry ``key`` (§5.3.5). Stale when
    a PBU revived the entry or a newer DeReg restarted the wait."""

    key: str


@dataclass(frozen=True, slots=True)
class WaitTimer:
    """MaxDelayBeforeNewBCEAssign passed for the PBU held against entry ``key``
    (§5.4.1.2): create a new entry for it. Stale once the old MAG de-registered."""

    key: str


MagTimer = RetxTimer | ReregTimer | DetectTimer
LmaTimer = ExpireTimer | DeleteTimer | WaitTimer
Timer = MagTimer | LmaTimer
