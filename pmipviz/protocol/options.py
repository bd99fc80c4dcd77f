"""Mobility options used by PMIPv6 (RFC 5213 §8.3-§8.8, RFC 4283), as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv6Address, IPv6Network
from typing import Any

from pmipviz.protocol.constants import OptionType
from pmipviz.protocol.errors import ProtocolError

ALL_ZERO_PREFIX = IPv6Network("::/0")


@lru_cache(maxsize=65536)
def address_text(addr: IPv6Address | IPv6Network) -> str:
    """``str()`` of an address or prefix, cached: the same few are printed again and again."""
    return str(addr)
ALL_ZERO_ADDRESS = IPv6Address("::")


@dataclass(frozen=True, slots=True)
class MnIdOption:
    """Mobile Node Identifier option (type 8, subtype 1 = NAI)."""

    identifier: str
    subtype: int = 1
    type = OptionType.MN_ID


@dataclass(frozen=True, slots=True)
class HnpOption:
    """Home Network Prefix option (type 22, alignment 8n+4); ``::/0`` means "assign one"."""

    prefix: IPv6Network
    type = OptionType.HNP

    @property
    def is_zero(self) -> bool:
        return self.prefix.network_address == ALL_ZERO_ADDRESS


@dataclass(frozen=True, slots=True)
class HiOption:
    """Handoff Indicator option (type 23)."""

    hi: int
    type = OptionType.HI


@dataclass(frozen=True, slots=True)
class AttOption:
    """Access Technology Type option (type 24)."""

    att: int
    type = OptionType.ATT


@dataclass(frozen=True, slots=True)
class MnLliOption:
    """Mobile Node Link-layer Identifier option (type 25)."""

    lli: bytes
    type = OptionType.MN_LLI


@dataclass(frozen=True, slots=True)
class LinkLocalOption:
    """Link-local Address option (type 26, alignment 8n+6)."""

    address: IPv6Address
    type = OptionType.LINK_LOCAL


@dataclass(frozen=True, slots=True)
class TimestampOption:
    """Timestamp option (type 27, alignment 8n+2): 48-bit seconds + 16-bit 1/65536 s."""

    value: int  # the raw 64-bit §8.8 value
    type = OptionType.TIMESTAMP

    @classmethod
    def from_seconds(cls, seconds: float) -> TimestampOption:
        """Encode seconds since 1970 in the §8.8 48.16 fixed-point format."""
        if seconds < 0 or seconds >= 2**48:
            raise ProtocolError(f"timestamp {seconds} s is outside the 48-bit range of §8.8")
        whole = int(seconds)
        frac = round((seconds - whole) * 65536)
        if frac == 65536:
            whole, frac = whole + 1, 0
        return cls((whole << 16) | frac)

    @property
    def seconds(self) -> float:
        return (self.value >> 16) + (self.value & 0xFFFF) / 65536


Option = (
    MnIdOption
    | HnpOption
    | HiOption
    | AttOption
    | MnLliOption
    | LinkLocalOption
    | TimestampOption
)


def option_to_fields(opt: Option) -> tuple[str, Any]:
    """A JSON-friendly (name, value) pair for one option."""
    if isinstance(opt, MnIdOption):
        return "mn_id", opt.identifier
    if isinstance(opt, HnpOption):
        return "hnp", address_text(opt.prefix)
    if isinstance(opt, HiOption):
        return "hi", opt.hi
    if isinstance(opt, AttOption):
        return "att", opt.att
    if isinstance(opt, MnLliOption):
        return "mn_lli", opt.lli.hex(":")
    if isinstance(opt, LinkLocalOption):
        return "link_local", address_text(opt.address)
    return "timestamp", opt.value


def validate_option(opt: Option) -> None:
    """Raise ProtocolError if an option's value cannot be carried on the wire."""
    if isinstance(opt, MnIdOption):
        raw = opt.identifier.encode()
        if not 0 <= len(raw) <= 254:
            raise ProtocolError("MN-ID option: identifier longer than 254 octets")
        if not 0 <= opt.subtype <= 255:
            raise ProtocolError(f"MN-ID option: subtype {opt.subtype} out of range 0..255")
    elif isinstance(opt, HnpOption):
        if opt.prefix.version != 6:
            raise ProtocolError("HNP option: prefix is not IPv6")
    elif isinstance(opt, HiOption):
        if not 0 <= opt.hi <= 255:
            raise ProtocolError(f"Handoff Indicator option: value {opt.hi} out of range 0..255")
    elif isinstance(opt, AttOption):
        if not 0 <= opt.att <= 255:
            raise ProtocolError(f"Access Technology Type option: value {opt.att} out of 0..255")
    elif isinstance(opt, MnLliOption):
        if not 1 <= len(opt.lli) <= 252:
            raise ProtocolError("MN Link-layer Identifier option: identifier must be 1..252 octets")
    elif isinstance(opt, LinkLocalOption):
        if opt.address.version != 6:
            raise ProtocolError("Link-local Address option: not an IPv6 address")
    elif isinstance(opt, TimestampOption) and not 0 <= opt.value < 2**64:
        raise ProtocolError("Timestamp option: value does not fit 64 bits")
