"""scapy classes for the PMIPv6 mobility options scapy 2.8.0 lacks (RFC 5213 §8.3-§8.8).

Importing this module registers them in ``scapy.layers.inet6.moboptcls`` so that
scapy dissects types 22-27 as these classes instead of ``MIP6OptUnknown``, and
adds the §8.9 status names (152-162) to scapy's ``bastatus`` table for ``show()``.

PRIVATE SCAPY API: ``_MIP6OptAlign`` (its ``x``/``y`` alignment attributes drive
scapy's automatic Pad1/PadN insertion) and ``moboptcls`` are internals of
``scapy.layers.inet6``. They are stable in the pinned scapy==2.8.0 (pyproject.toml);
re-check this module when upgrading scapy.

Alignments (``x*n + y``, offsets measured from the start of the Mobility Header):

- Home Network Prefix (22): 8n+4, so the 128-bit prefix starts on an 8-octet boundary.
- Handoff Indicator (23), Access Technology Type (24): none.
- MN Link-layer Identifier (25): RFC 5213 §8.6 only says "aligned appropriately for
  its size". We use **8n+4**: after type, length and the 16-bit Reserved field the
  identifier starts on an 8-octet boundary, which suits both a 6-octet MAC and an
  8-octet EUI-64 (OAI pads this option to 8 octets too).
- Link-local Address (26): 8n+6, so the address starts on an 8-octet boundary.
- Timestamp (27): 8n+2, so the 64-bit value starts on an 8-octet boundary.
"""

# scapy declares fields_desc as a plain class attribute; ClassVar would clash with it.
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

import scapy.layers.inet6 as _inet6
from scapy.fields import (
    ByteEnumField,
    ByteField,
    FieldLenField,
    IP6Field,
    LongField,
    ShortField,
    StrLenField,
)
from scapy.layers.inet6 import _MIP6OptAlign  # private API, scapy==2.8.0
from scapy.packet import Packet

from pmipviz.protocol.constants import ATT_SHORT, HI_NAMES, OptionType, Status

OPTION_NAMES: dict[int, str] = {
    0: "Pad1",
    1: "PadN",
    8: "Mobile Node Identifier",
    22: "Home Network Prefix",
    23: "Handoff Indicator",
    24: "Access Technology Type",
    25: "Mobile Node Link-layer Identifier",
    26: "Link-local Address",
    27: "Timestamp",
}


class _TimestampField(LongField):
    """The §8.8 64-bit value, shown as seconds since 1970 (48.16 fixed point)."""

    def i2repr(self, pkt: Any, x: Any) -> str:
        if x is None:
            return "None"
        return f"{x:#018x} ({(x >> 16) + (x & 0xFFFF) / 65536:.6f} s since 1970)"


class MIP6OptHomeNetworkPrefix(_MIP6OptAlign):
    """Home Network Prefix option (type 22, length 18, alignment 8n+4)."""

    name = "PMIPv6 Option - Home Network Prefix"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.HNP), OPTION_NAMES),
        ByteField("olen", 18),
        ByteField("reserved", 0),
        ByteField("plen", 64),
        IP6Field("prefix", "::"),
    ]
    x = 8
    y = 4


class MIP6OptHandoffIndicator(_MIP6OptAlign):
    """Handoff Indicator option (type 23, length 2, no alignment)."""

    name = "PMIPv6 Option - Handoff Indicator"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.HI), OPTION_NAMES),
        ByteField("olen", 2),
        ByteField("reserved", 0),
        ByteEnumField("hi", 1, HI_NAMES),
    ]
    x = 0
    y = 0


class MIP6OptAccessTechType(_MIP6OptAlign):
    """Access Technology Type option (type 24, length 2, no alignment)."""

    name = "PMIPv6 Option - Access Technology Type"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.ATT), OPTION_NAMES),
        ByteField("olen", 2),
        ByteField("reserved", 0),
        ByteEnumField("att", 4, ATT_SHORT),
    ]
    x = 0
    y = 0


class MIP6OptMNLinkLayerId(_MIP6OptAlign):
    """Mobile Node Link-layer Identifier option (type 25; 16-bit Reserved, then the id)."""

    name = "PMIPv6 Option - Mobile Node Link-layer Identifier"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.MN_LLI), OPTION_NAMES),
        FieldLenField("olen", None, length_of="lli", fmt="B", adjust=lambda pkt, x: x + 2),
        ShortField("reserved", 0),
        StrLenField("lli", b"", length_from=lambda pkt: pkt.olen - 2),
    ]
    x = 8
    y = 4  # our choice, see the module docstring


class MIP6OptLinkLocalAddress(_MIP6OptAlign):
    """Link-local Address option (type 26, length 16, alignment 8n+6)."""

    name = "PMIPv6 Option - Link-local Address"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.LINK_LOCAL), OPTION_NAMES),
        ByteField("olen", 16),
        IP6Field("address", "::"),
    ]
    x = 8
    y = 6


class MIP6OptTimestamp(_MIP6OptAlign):
    """Timestamp option (type 27, length 8, alignment 8n+2)."""

    name = "PMIPv6 Option - Timestamp"
    fields_desc = [
        ByteEnumField("otype", int(OptionType.TIMESTAMP), OPTION_NAMES),
        ByteField("olen", 8),
        _TimestampField("timestamp", 0),
    ]
    x = 8
    y = 2


PMIP6_OPTION_CLASSES: dict[int, type[Packet]] = {
    int(OptionType.HNP): MIP6OptHomeNetworkPrefix,
    int(OptionType.HI): MIP6OptHandoffIndicator,
    int(OptionType.ATT): MIP6OptAccessTechType,
    int(OptionType.MN_LLI): MIP6OptMNLinkLayerId,
    int(OptionType.LINK_LOCAL): MIP6OptLinkLocalAddress,
    int(OptionType.TIMESTAMP): MIP6OptTimestamp,
}


def register() -> None:
    """Make scapy dissect options 22-27 with these classes (idempotent; runs on import)."""
    _inet6.moboptcls.update(PMIP6_OPTION_CLASSES)  # private API, scapy==2.8.0
    for status in Status:
        _inet6.bastatus.setdefault(int(status), status.name)


register()
