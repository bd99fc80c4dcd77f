"""Builders of PBUs and an LMA for protocol unit tests."""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.lma import Lma, LmaConfig
from pmipviz.protocol.messages import Pbu
from pmipviz.protocol.options import (
    AttOption,
    HiOption,
    HnpOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
)

MAG1 = IPv6Address("2001:db8:ffff::11")
MAG2 = IPv6Address("2001:db8:ffff::12")
ROGUE = IPv6Address("2001:db8:ffff::99")
LLI1 = bytes.fromhex("020000000101")
LLI2 = bytes.fromhex("020000000102")
ZERO = IPv6Network("::/0")


def make_lma(mode: str = "rfc5213", known: set[str] | None = None,
             unauthorized: frozenset[str] = frozenset()) -> Lma:
    return Lma(LmaConfig(mode=mode, address=IPv6Address("2001:db8:ffff::1"),
                         prefix_pool=IPv6Network("2001:db8:100::/40"),
                         mags={MAG1: "MAG1", MAG2: "MAG2"}, known_mns=known,
                         unauthorized_mns=set(unauthorized),
                         tunnels={"MAG1": "Tunnel1", "MAG2": "Tunnel2"}))


def pbu(now: float, *, seq: int = 1, mn: str | None = "mn1@example.org",
        hnps: tuple[IPv6Network, ...] | None = (ZERO,), hi: int | None = 1,
        att: int | None = 4, lli: bytes | None = LLI1, lifetime: int = 40,
        ts_offset_ms: float = 0.0, timestamp: bool = True, p: bool = True,
        extra: tuple[Option, ...] = ()) -> Pbu:
    """A PBU as a MAG would send it at ``now`` (ms); pass None to leave an option out."""
    opts: list[Option] = []
    if mn is not None:
        opts.append(MnIdOption(mn))
    if hnps is not None:
        opts.extend(HnpOption(h) for h in hnps)
    if hi is not None:
        opts.append(HiOption(hi))
    if att is not None:
        opts.append(AttOption(att))
    if lli is not None:
        opts.append(MnLliOption(lli))
    if timestamp:
        opts.append(TimestampOption.from_seconds(SIM_EPOCH_S + (now + ts_offset_ms) / 1000))
    opts.extend(extra)
    return Pbu(seq=seq, lifetime_s=lifetime, options=tuple(opts), p=p)
