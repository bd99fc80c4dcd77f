"""Proxy Binding Update / Acknowledgement (RFC 5213 §8.1, §8.2), Router
Solicitation / Advertisement and data packets, as immutable plain data.

``to_fields()`` gives the JSON form used in trace events and ``*_from_fields``
rebuilds the exact message from it (the wire and export layers rely on this).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.protocol.constants import MAX_LIFETIME_S, Status
from pmipviz.protocol.errors import ProtocolError
from pmipviz.protocol.options import (
    AttOption,
    HiOption,
    HnpOption,
    LinkLocalOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
    address_text,
    option_to_fields,
    validate_option,
)

PBU_FLAGS = ("a", "h", "l", "k", "m", "r", "p")

PBA_FLAGS = ("k", "r", "p")


def _check_common(seq: int, lifetime_s: int, options: tuple[Option, ...], what: str) -> None:
    if not 0 <= seq <= 0xFFFF:
        raise ProtocolError(f"{what}: sequence number {seq} out of range 0..65535")
    if not 0 <= lifetime_s <= MAX_LIFETIME_S or lifetime_s % 4:
        raise ProtocolError(
            f"{what}: lifetime {lifetime_s} s is not a multiple of 4 s in 0..{MAX_LIFETIME_S}"
        )
    for opt in options:
        validate_option(opt)


class _OptionAccess:
    """Typed access to the options of a PBU or PBA."""

    options: tuple[Option, ...]
    _first_of: dict[type, Option]

    def _first(self, cls: type) -> Any:
        first = self._first_of
        if not first:
            for o in self.options:
                first.setdefault(type(o), o)
        return first.get(cls)

    def count(self, cls: type) -> int:
        """How many options of one class the message carries."""
        return sum(1 for o in self.options if isinstance(o, cls))

    @property
    def mn_id(self) -> str | None:
        opt = self._first(MnIdOption)
        return None if opt is None else opt.identifier

    @property
    def hnps(self) -> tuple[IPv6Network, ...]:
        return tuple(o.prefix for o in self.options if isinstance(o, HnpOption))

    @property
    def has_hnp_option(self) -> bool:
        return any(isinstance(o, HnpOption) for o in self.options)

    @property
    def nonzero_hnps(self) -> tuple[IPv6Network, ...]:
        return tuple(o.prefix for o in self.options if isinstance(o, HnpOption) and not o.is_zero)

    @property
    def hi(self) -> int | None:
        opt = self._first(HiOption)
        return None if opt is None else opt.hi

    @property
    def att(self) -> int | None:
        opt = self._first(AttOption)
        return None if opt is None else opt.att

    @property
    def mn_lli(self) -> bytes | None:
        opt = self._first(MnLliOption)
        return None if opt is None else opt.lli

    @property
    def link_local(self) -> IPv6Address | None:
        opt = self._first(LinkLocalOption)
        return None if opt is None else opt.address

    @property
    def timestamp(self) -> TimestampOption | None:
        opt = self._first(TimestampOption)
        return opt

    def _options_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hnp": []}
        for opt in self.options:
            name, value = option_to_fields(opt)
            if name == "hnp":
                out["hnp"].append(value)
            else:
                out[name] = value
        out["options"] = [int(o.type) for o in self.options]
        return out


@dataclass(frozen=True, slots=True)
class Pbu(_OptionAccess):
    """A Proxy Binding Update (MH type 5). Lifetime in seconds (wire: 4 s units)."""

    seq: int
    lifetime_s: int
    options: tuple[Option, ...] = ()
    a: bool = True
    h: bool = False
    l: bool = False  # noqa: E741 - the RFC's flag name
    k: bool = False
    m: bool = False
    r: bool = False
    p: bool = True
    _first_of: dict[type, Option] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def __post_init__(self) -> None:
        _check_common(self.seq, self.lifetime_s, self.options, "PBU")

    @property
    def is_dereg(self) -> bool:
        """A lifetime of 0 is a de-registration (§5.3.5, §6.9.1.4)."""
        return self.lifetime_s == 0

    def to_fields(self) -> dict[str, Any]:
        """JSON form for the trace (every field, every option)."""
        out: dict[str, Any] = {"seq": self.seq, "lifetime_s": self.lifetime_s}
        out["flags"] = "".join(f.upper() for f in PBU_FLAGS if getattr(self, f))
        out.update(self._options_fields())
        return out


@dataclass(frozen=True, slots=True)
class Pba(_OptionAccess):
    """A Proxy Binding Acknowledgement (MH type 6)."""

    status: int
    seq: int
    lifetime_s: int
    options: tuple[Option, ...] = ()
    k: bool = False
    r: bool = False
    p: bool = True
    _first_of: dict[type, Option] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.status <= 255:
            raise ProtocolError(f"PBA: status {self.status} out of range 0..255")
        _check_common(self.seq, self.lifetime_s, self.options, "PBA")

    @property
    def accepted(self) -> bool:
        return self.status < 128

    def to_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "status_name": _status_name(self.status),
            "seq": self.seq,
            "lifetime_s": self.lifetime_s,
            "flags": "".join(f.upper() for f in PBA_FLAGS if getattr(self, f)),
        }
        out.update(self._options_fields())
        return out


def _status_name(code: int) -> str:
    try:
        return Status(code).name
    except ValueError:
        return str(code)


def _options_from_fields(f: dict[str, Any]) -> tuple[Option, ...]:
    """Rebuild options in their original order from ``fields['options']``."""
    hnps = iter(f.get("hnp", []))
    out: list[Option] = []
    for otype in f.get("options", []):
        if otype == 8:
            out.append(MnIdOption(f["mn_id"]))
        elif otype == 22:
            out.append(HnpOption(IPv6Network(next(hnps))))
        elif otype == 23:
            out.append(HiOption(f["hi"]))
        elif otype == 24:
            out.append(AttOption(f["att"]))
        elif otype == 25:
            out.append(MnLliOption(bytes.fromhex(f["mn_lli"].replace(":", ""))))
        elif otype == 26:
            out.append(LinkLocalOption(IPv6Address(f["link_local"])))
        elif otype == 27:
            out.append(TimestampOption(f["timestamp"]))
        else:
            raise ProtocolError(f"unknown option type {otype} in trace fields")
    return tuple(out)


def pbu_from_fields(f: dict[str, Any]) -> Pbu:
    """Rebuild a PBU from its trace fields."""
    flags = f.get("flags", "AP")
    return Pbu(
        seq=f["seq"],
        lifetime_s=f["lifetime_s"],
        options=_options_from_fields(f),
        **{name: name.upper() in flags for name in PBU_FLAGS},
    )


def pba_from_fields(f: dict[str, Any]) -> Pba:
    """Rebuild a PBA from its trace fields."""
    flags = f.get("flags", "P")
    return Pba(
        status=f["status"],
        seq=f["seq"],
        lifetime_s=f["lifetime_s"],
        options=_options_from_fields(f),
        **{name: name.upper() in flags for name in PBA_FLAGS},
    )


@dataclass(frozen=True, slots=True)
class RouterSolicitation:
    """An RS from an MN interface to its MAG (RFC 4861), carrying the interface's LLI."""

    mn_id: str
    interface: str
    lli: bytes

    def to_fields(self) -> dict[str, Any]:
        return {"mn_id": self.mn_id, "interface": self.interface, "lli": self.lli.hex(":")}


@dataclass(frozen=True, slots=True)
class RouterAdvertisement:
    """An RA from a MAG to an MN interface advertising the HNP(s) as on-link prefixes."""

    mn_id: str
    interface: str
    hnps: tuple[IPv6Network, ...]
    router_lifetime_s: int = 1800
    # the IPv6 source: the link-local address the MAG uses on this link (§6.8); not a
    # field of the RA's body (None: the world uses the MAG's own)
    source: IPv6Address | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "mn_id": self.mn_id,
            "interface": self.interface,
            "hnp": [address_text(p) for p in self.hnps],
            "router_lifetime_s": self.router_lifetime_s,
        }


@dataclass(slots=True)
class DataPacket:
    """One packet of a CBR flow (an IPv6/UDP datagram; tunnelled between LMA and MAG).

    ``dst_int``, ``p64`` (the destination's /64 as an int) and the address texts are
    derived once per packet (or passed in by a host that caches them per flow): the
    forwarding hot path looks prefixes up by int, never by hashing address objects."""

    pid: int  # unique per run
    flow: int  # index of the flow in the scenario
    n: int  # per-flow sequence number
    src: IPv6Address
    dst: IPv6Address
    size: int
    sent_ms: float
    cached: bool = False
    hops: list[str] = field(default_factory=list)
    dst_int: int = -1
    p64: int = -1
    src_text: str = ""
    dst_text: str = ""
    sent_up_by: tuple[str, ...] = ()  # MAGs that sent it back up their tunnel (ft)

    def __post_init__(self) -> None:
        if self.dst_int < 0:
            self.dst_int = int(self.dst)
            self.p64 = self.dst_int >> 64
            self.src_text = address_text(self.src)
            self.dst_text = address_text(self.dst)

    def to_fields(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "n": self.n,
            "cached": self.cached,
            "src": self.src_text,
            "dst": self.dst_text,
            "size": self.size,
            "pid": self.pid,
        }
