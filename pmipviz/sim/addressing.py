"""Addresses the scenario does not spell out: interface identifiers, link-local
addresses, an MN's address in its HNP."""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network


def interface_id(lli: bytes) -> int:
    """Modified EUI-64 interface identifier (RFC 4291 App. A) from a 6- or 8-octet id."""
    if len(lli) == 6:
        eui = lli[:3] + b"\xff\xfe" + lli[3:]
    elif len(lli) == 8:
        eui = lli
    else:
        eui = lli.rjust(8, b"\x00")[-8:]
    raw = bytearray(eui)
    raw[0] ^= 0x02
    return int.from_bytes(raw, "big")


def link_local(lli: bytes) -> IPv6Address:
    """fe80::/64 plus the modified EUI-64 of the link-layer id."""
    return IPv6Address((0xFE80 << 112) | interface_id(lli))


def mag_link_local(index: int) -> IPv6Address:
    """A MAG's link-local address on its access links (fe80::a:<n>)."""
    return IPv6Address((0xFE80 << 112) | (0xA << 16) | (index + 1))


def mag_lli(index: int) -> bytes:
    """A MAG's link-layer address on its access links (02:00:00:aa:00:<n>)."""
    return bytes((0x02, 0x00, 0x00, 0xAA, 0x00, (index + 1) & 0xFF))


def address_with(prefix: IPv6Network, iid: int) -> IPv6Address:
    """The address with interface identifier ``iid`` in a /64 prefix (issue 10 item 1:
    an interface's own, or the MN's shared one on its logical interface, RFC 7847)."""
    return IPv6Address(int(prefix.network_address) | iid)
