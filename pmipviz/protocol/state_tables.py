"""The states of a MAG's Binding Update List entries and of the LMA's Binding Cache
entries, and the transitions between them, as tables (h11's ``_state.py`` is the model).

A transition is triggered by an event, named by the :class:`~pmipviz.protocol.vocab.Cause`
that the ``state`` event of the change carries: ``table[state][cause]`` is the new
state. :meth:`Transitions.fire` is the only code that changes a state; an event the
table does not list for the current state raises :class:`InvalidTransition` and leaves
the state as it was. Creating an entry (in the table's ``initial`` state) and removing
one are not transitions: the machines add and delete entries.

The states are ``StrEnum``s whose values are the strings the trace has always written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

from pmipviz.protocol.vocab import Cause


class BulState(StrEnum):
    """A MAG's Binding Update List entry (RFC 5213 §6.1)."""

    REGISTERING = "registering"  # a PBU (lifetime > 0) waits for its PBA
    REGISTERED = "registered"  # the LMA accepted it: prefix advertised, tunnel route up
    DEREGISTERING = "deregistering"  # the interface failed: the DeReg PBU is out (§6.9.1.4)
    REJECTED = "rejected"  # the LMA refused it, or no PBA came (RFC 6275 §11.8)


class BceState(StrEnum):
    """The LMA's Binding Cache entry (RFC 5213 §5.1)."""

    ACTIVE = "active"  # carries the MN interface's binding
    DEREG_HOLD = "dereg-hold"  # RFC 5213 §5.3.5: de-registered, held MinDelayBeforeBCEDelete
    KEPT = "kept"  # the draft (§3.2 step 4): de-registered, kept with S=0


S = TypeVar("S", BulState, BceState)

Table = Mapping[S, Mapping[Cause, S]]


BUL_TRANSITIONS: Table[BulState] = {
    BulState.REGISTERING: {
        Cause.REGISTERED: BulState.REGISTERED,  # an accepting PBA (§6.9.1.2)
        Cause.RETRY: BulState.REGISTERING,  # a PBA with 155: ask for a new prefix (§6.9.1.2)
        Cause.REJECTED: BulState.REJECTED,  # a rejecting PBA (§6.9.1.2)
        Cause.GIVEUP: BulState.REJECTED,  # no PBA after the last retransmission
        Cause.DETECT: BulState.DEREGISTERING,  # the interface failed (§6.9.1.4)
    },
    BulState.REGISTERED: {
        Cause.ATTACH: BulState.REGISTERING,  # back from another MAG (HI=3): register again
        Cause.REREG: BulState.REGISTERING,  # the lifetime is running out (§6.9.1.3)
        Cause.REGISTERED: BulState.REGISTERED,  # a PBA answers its PBU once more
        Cause.RETRY: BulState.REGISTERING,  # (a PBA to its last PBU, as above)
        Cause.REJECTED: BulState.REJECTED,
        Cause.DETECT: BulState.DEREGISTERING,
    },
    BulState.DEREGISTERING: {},  # the entry is removed when the PBA (or its timeout) comes
    BulState.REJECTED: {},  # the entry is removed when the interface fails or moves
}
"""A MAG's BUL entry: created ``registering`` when an MN interface attaches."""

RFC5213_BCE_TRANSITIONS: Table[BceState] = {
    BceState.ACTIVE: {
        Cause.REREG: BceState.ACTIVE,  # §5.3.3
        Cause.HANDOFF: BceState.ACTIVE,  # §5.3.4
        Cause.DEREG: BceState.DEREG_HOLD,  # §5.3.5
    },
    BceState.DEREG_HOLD: {
        Cause.REVIVE: BceState.ACTIVE,  # a valid PBU during the wait (§5.3.5)
        Cause.DEREG: BceState.DEREG_HOLD,  # a DeReg PBU once more: the wait starts again
    },
    BceState.KEPT: {},  # not an RFC 5213 state
}
"""The LMA's entry in ``rfc5213`` mode: created ``active``; deleted when its lifetime
expires (``active``) or MinDelayBeforeBCEDelete passes (``dereg-hold``)."""

FT_BCE_TRANSITIONS: Table[BceState] = {
    BceState.ACTIVE: {
        Cause.REREG: BceState.ACTIVE,
        Cause.HANDOFF: BceState.ACTIVE,
        Cause.DEREG: BceState.KEPT,  # M=1: S=0 (draft §3.2 step 4)
        Cause.DEREG_HOLD: BceState.DEREG_HOLD,  # M=0: RFC 5213 §5.3.5, S=0
    },
    BceState.KEPT: {
        Cause.RESTORE: BceState.ACTIVE,  # S=1 again (draft §3.1)
        Cause.DEREG: BceState.KEPT,  # a DeReg PBU once more
    },
    BceState.DEREG_HOLD: {
        Cause.REVIVE: BceState.ACTIVE,  # a valid PBU during the wait (§5.3.5)
        Cause.DEREG_HOLD: BceState.DEREG_HOLD,  # a DeReg PBU once more: the wait restarts
    },
}
"""The LMA's entry in ``ft`` mode: created ``active``. A de-registration keeps it with
S=0 (``kept``, deleted when its lifetime expires) when the MN is multihomed (M=1, the
draft §3.1); otherwise (M=0: one MAG holds all its entries) it is held as in RFC 5213
§5.3.5 (``dereg-hold``) and deleted after MinDelayBeforeBCEDelete."""


class Stateful(Protocol[S]):
    """An entry with a key and a state: a BUL entry or a Binding Cache entry."""

    @property
    def key(self) -> str: ...

    state: S


class InvalidTransition(RuntimeError):
    """A machine fired an event its table does not allow in the entry's current state
    (a bug in the machine, not bad input: the entry's state is left as it was)."""

    def __init__(self, machine: str, key: str, current: StrEnum, cause: Cause,
                 allowed: tuple[str, ...]) -> None:
        self.machine = machine
        self.key = key
        self.current = current  # the entry's state, which it keeps
        self.cause = cause
        self.allowed = allowed  # the causes the table lists for ``current``
        can = ", ".join(allowed) if allowed else "none"
        super().__init__(f"{machine} entry {key} is {current.value!r}: its table has no "
                         f"transition on {cause.value!r} (it allows: {can})")


@dataclass(frozen=True, slots=True)
class Transitions(Generic[S]):
    """One machine's transition table, and the one function that applies it."""

    machine: str  # "BUL", "BCE (rfc5213)", "BCE (ft)": for the error message
    initial: S
    table: Table[S]

    def __post_init__(self) -> None:
        """Freeze the table: read-only views, so that no code can add a transition."""
        frozen = {state: MappingProxyType(dict(row)) for state, row in self.table.items()}
        object.__setattr__(self, "table", MappingProxyType(frozen))

    def next_state(self, state: S, cause: Cause) -> S | None:
        """The state ``cause`` leads to from ``state``; None if the table forbids it."""
        return self.table.get(state, {}).get(cause)

    def fire(self, entry: Stateful[S], cause: Cause) -> S:
        """Move ``entry`` to the state its table gives for ``cause``, and return it.

        Raises :class:`InvalidTransition` (and changes nothing) if the table has no
        transition on ``cause`` from the entry's current state."""
        target = self.next_state(entry.state, cause)
        if target is None:
            allowed = tuple(c.value for c in self.table.get(entry.state, {}))
            raise InvalidTransition(self.machine, entry.key, entry.state, cause, allowed)
        entry.state = target
        return target


BUL = Transitions("BUL", BulState.REGISTERING, BUL_TRANSITIONS)
BCE = {"rfc5213": Transitions("BCE (rfc5213)", BceState.ACTIVE, RFC5213_BCE_TRANSITIONS),
       "ft": Transitions("BCE (ft)", BceState.ACTIVE, FT_BCE_TRANSITIONS)}
"""The Binding Cache's table per LMA mode."""
