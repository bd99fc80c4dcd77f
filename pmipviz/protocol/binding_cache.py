"""The LMA's Binding Cache (RFC 5213 §5.1) with the draft's multihoming (M) and
status (S) flags, and the §5.4.1 lookup that decides new session / update."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.protocol.constants import HandoffIndicator, Status
from pmipviz.protocol.keys import bce_key
from pmipviz.protocol.messages import Pbu
from pmipviz.protocol.options import address_text
from pmipviz.protocol.state_tables import BceState

ZERO_LLI = b"\x00\x00"


@dataclass(slots=True)
class Bce:
    """One Binding Cache Entry: one mobility session of one MN interface."""

    key: str  # stable id, "mn-id#n"
    mn_id: str
    mn_lli: bytes
    att: int
    hnps: tuple[IPv6Network, ...]
    proxy_coa: IPv6Address
    mag: str
    tunnel: str
    link_local: IPv6Address
    lifetime_s: int
    registered_ms: float
    seq: int
    timestamp: int  # raw §8.8 value of the last accepted PBU (0: sequence scheme)
    hi: int
    created: int  # creation order, for the "active interface" choice
    proxy_flag: bool = True
    m: int | None = None  # draft: multihoming flag (ft mode only)
    s: int | None = None  # draft: status flag (ft mode only)
    state: BceState = BceState.ACTIVE  # changed only by the LMA's table (state_tables.BCE)
    delete_ms: float | None = None

    @property
    def expires_ms(self) -> float:
        return self.registered_ms + self.lifetime_s * 1000.0

    def row(self) -> dict[str, Any]:
        """JSON-friendly snapshot for trace state events and the UI."""
        return {
            "mn_id": self.mn_id,
            "mn_lli": self.mn_lli.hex(":"),
            "att": self.att,
            "hnp": [address_text(p) for p in self.hnps],
            "proxy_coa": address_text(self.proxy_coa),
            "mag": self.mag,
            "tunnel": self.tunnel,
            "link_local": address_text(self.link_local),
            "lifetime_s": self.lifetime_s,
            "registered_ms": self.registered_ms,
            "seq": self.seq,
            "timestamp": self.timestamp,
            "hi": self.hi,
            "p": int(self.proxy_flag),
            "m": self.m,
            "s": self.s,
            "state": self.state.value,  # a plain str: snapshots pickle it small
        }


class Outcome(StrEnum):
    """What the §5.4.1 lookup decides for one PBU."""

    NEW = "new"  # a new mobility session: create an entry
    UPDATE = "update"  # the PBU is for the entry found: update (or de-register) it
    REJECT = "reject"  # answer with the lookup's status
    IGNORE = "ignore"  # a DeReg PBU that matches no session: silently ignored
    WAIT = "wait"  # §5.4.1.2-4: hold the PBU until the old MAG de-registers


@dataclass(slots=True)
class Lookup:
    """The outcome of the §5.4.1 lookup for one PBU."""

    outcome: Outcome
    bce: Bce | None = None
    status: int = 0
    case: str = ""  # e.g. "5.4.1.1-5a"


class BindingCache:
    """Entries by key with indexes by HNP and by MN-ID."""

    def __init__(self) -> None:
        self.entries: dict[str, Bce] = {}
        self._by_hnp: dict[IPv6Network, list[str]] = {}
        self._by_p64: dict[int, list[str]] = {}  # /64 HNPs by int(prefix) >> 64
        self._by_mn: dict[str, list[str]] = {}
        self._counter = 0

    def __len__(self) -> int:
        return len(self.entries)

    def new_key(self, mn_id: str) -> tuple[str, int]:
        self._counter += 1
        return bce_key(mn_id, self._counter), self._counter

    def _index(self, key: str, hnps: tuple[IPv6Network, ...]) -> None:
        for p in hnps:
            self._by_hnp.setdefault(p, []).append(key)
            if p.prefixlen == 64:
                self._by_p64.setdefault(int(p.network_address) >> 64, []).append(key)

    def _unindex(self, key: str, hnps: tuple[IPv6Network, ...]) -> None:
        for p in hnps:
            self._by_hnp[p].remove(key)
            if not self._by_hnp[p]:
                del self._by_hnp[p]
            if p.prefixlen == 64:
                p64 = int(p.network_address) >> 64
                self._by_p64[p64].remove(key)
                if not self._by_p64[p64]:
                    del self._by_p64[p64]

    def add(self, bce: Bce) -> None:
        self.entries[bce.key] = bce
        self._by_mn.setdefault(bce.mn_id, []).append(bce.key)
        self._index(bce.key, bce.hnps)

    def remove(self, key: str) -> Bce:
        bce = self.entries.pop(key)
        self._by_mn[bce.mn_id].remove(key)
        if not self._by_mn[bce.mn_id]:
            del self._by_mn[bce.mn_id]
        self._unindex(key, bce.hnps)
        return bce

    def for_mn(self, mn_id: str) -> list[Bce]:
        return [self.entries[k] for k in self._by_mn.get(mn_id, ())]

    def for_prefix(self, prefix: IPv6Network) -> list[Bce]:
        return [self.entries[k] for k in self._by_hnp.get(prefix, ())]

    def keys_for_p64(self, p64: int) -> list[str]:
        """Keys of the entries whose /64 HNP is ``p64`` (an address's int >> 64)."""
        return self._by_p64.get(p64, [])

    # -- RFC 5213 §5.4.1 -------------------------------------------------

    def lookup_rfc5213(self, pbu: Pbu, src: IPv6Address) -> Lookup:
        """The §5.4.1 cases, applied in order (5.4.1.1, then .2, then .3)."""
        mn_id = pbu.mn_id or ""
        hnps = pbu.nonzero_hnps
        lli = pbu.mn_lli
        hi = pbu.hi
        att = pbu.att
        if hnps:  # 5.4.1.1
            found = next((b for p in hnps for b in self.for_prefix(p)), None)
            if found is None:
                return self._new_or_ignore(pbu, "5.4.1.1-2")
            if found.mn_id != mn_id:
                return Lookup(Outcome.REJECT, found,
                              Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX, "5.4.1.1-3")
            if set(found.hnps) != set(hnps) or len(found.hnps) != len(hnps):
                return Lookup(Outcome.REJECT, found, Status.BCE_PBU_PREFIX_SET_DO_NOT_MATCH,
                              "5.4.1.1-4")
            if lli is not None and lli == found.mn_lli and att == found.att:
                return Lookup(Outcome.UPDATE, found, case="5.4.1.1-5a")
            if hi == HandoffIndicator.BETWEEN_INTERFACES:
                return Lookup(Outcome.UPDATE, found, case="5.4.1.1-5b")
            if (lli is None and found.mn_lli == ZERO_LLI and att == found.att
                    and hi == HandoffIndicator.BETWEEN_MAGS):
                return Lookup(Outcome.UPDATE, found, case="5.4.1.1-5c")
            if found.proxy_coa == src and att == found.att:
                return Lookup(Outcome.UPDATE, found, case="5.4.1.1-5d")
            return self._new_or_ignore(pbu, "5.4.1.1-6")
        mine = self.for_mn(mn_id)
        if lli is not None:  # 5.4.1.2
            for b in mine:
                if b.att == att and b.mn_lli == lli:
                    return Lookup(Outcome.UPDATE, b, case="5.4.1.2-1")
            if hi == HandoffIndicator.BETWEEN_INTERFACES and len(mine) == 1:
                return Lookup(Outcome.UPDATE, mine[0], case="5.4.1.2-3")
            if hi == HandoffIndicator.UNKNOWN and len(mine) == 1 and not pbu.is_dereg:
                return Lookup(Outcome.WAIT, mine[0], case="5.4.1.2-4")
            return self._new_or_ignore(pbu, "5.4.1.2-5")
        # 5.4.1.3
        if len(mine) == 1:
            if hi in (HandoffIndicator.BETWEEN_INTERFACES, HandoffIndicator.BETWEEN_MAGS):
                return Lookup(Outcome.UPDATE, mine[0], case="5.4.1.3-2")
            if hi == HandoffIndicator.UNKNOWN and not pbu.is_dereg:
                return Lookup(Outcome.WAIT, mine[0], case="5.4.1.3-3")
        return self._new_or_ignore(pbu, "5.4.1.3-4")

    def lookup_ft(self, pbu: Pbu, src: IPv6Address, shared: IPv6Network | None) -> Lookup:
        """The draft's lookup: the MN's entries are associated by MN-ID and share one HNP.

        An entry is the same interface when its MN LL-ID and ATT match, or, without
        an LL-ID, when it was registered by the same Proxy-CoA with the same ATT.
        """
        mn_id = pbu.mn_id or ""
        for p in pbu.nonzero_hnps:
            owners = self.for_prefix(p)
            if owners and owners[0].mn_id != mn_id:
                return Lookup(Outcome.REJECT, owners[0],
                              Status.NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX, "ft-hnp-owner")
            if shared is not None and p != shared:
                return Lookup(Outcome.REJECT, None, Status.BCE_PBU_PREFIX_SET_DO_NOT_MATCH,
                              "ft-hnp-set")
        mine = self.for_mn(mn_id)
        lli = pbu.mn_lli
        for b in mine:
            if lli is not None and b.mn_lli == lli and b.att == pbu.att:
                return Lookup(Outcome.UPDATE, b, case="ft-lli")
        for b in mine:
            if lli is None and b.proxy_coa == src and b.att == pbu.att:
                return Lookup(Outcome.UPDATE, b, case="ft-coa")
        return self._new_or_ignore(pbu, "ft-new")

    @staticmethod
    def _new_or_ignore(pbu: Pbu, case: str) -> Lookup:
        if pbu.is_dereg:
            return Lookup(Outcome.IGNORE, None, case=case)
        return Lookup(Outcome.NEW, None, case=case)
