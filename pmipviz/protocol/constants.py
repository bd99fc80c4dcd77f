"""RFC 5213 numbers: option types, Handoff Indicator, Access Technology Types,
PBA status codes (§8.9) and the configuration defaults of §9."""

from __future__ import annotations

from enum import IntEnum

# Mobility Header (RFC 6275 §6.1)
MH_NEXT_HEADER = 135
MH_PAYLOAD_PROTO_NONE = 59
MH_TYPE_BU = 5
MH_TYPE_BA = 6


class OptionType(IntEnum):
    """Mobility option types used by PMIPv6."""

    PAD1 = 0
    PADN = 1
    MN_ID = 8  # RFC 4283
    HNP = 22  # §8.3
    HI = 23  # §8.4
    ATT = 24  # §8.5
    MN_LLI = 25  # §8.6
    LINK_LOCAL = 26  # §8.7
    TIMESTAMP = 27  # §8.8


MNID_SUBTYPE_NAI = 1


class HandoffIndicator(IntEnum):
    """Handoff Indicator values (§8.4)."""

    RESERVED = 0
    NEW_INTERFACE = 1  # attachment over a new interface
    BETWEEN_INTERFACES = 2  # handoff between two interfaces of the MN
    BETWEEN_MAGS = 3  # handoff between MAGs for the same interface
    UNKNOWN = 4  # handoff state unknown
    NOT_CHANGED = 5  # re-registration


HI_NAMES = {
    0: "reserved",
    1: "new interface",
    2: "between interfaces",
    3: "between MAGs",
    4: "state unknown",
    5: "re-registration",
}

# Access Technology Type (§8.5; 6-8 are the 3GPP values Wireshark knows)
ATT_CODES: dict[str, int] = {
    "virtual": 1,
    "ppp": 2,
    "ieee802.3": 3,
    "ieee802.11": 4,
    "ieee802.16e": 5,
    "3gpp-geran": 6,
    "3gpp-utran": 7,
    "3gpp-eutran": 8,
}
ATT_SHORT: dict[int, str] = {
    0: "rsvd",
    1: "VIRT",
    2: "PPP",
    3: "ETH",
    4: "WLAN",
    5: "WMAX",
    6: "GERAN",
    7: "UTRAN",
    8: "LTE",
}


def att_label(code: int | None) -> str:
    """A short human label for an ATT code ("WLAN", "LTE", ...)."""
    if code is None:
        return "-"
    return ATT_SHORT.get(code, str(code))


class Status(IntEnum):
    """PBA status codes (§8.9)."""

    ACCEPTED = 0
    REASON_UNSPECIFIED = 128
    ADMINISTRATIVELY_PROHIBITED = 129
    INSUFFICIENT_RESOURCES = 130
    HOME_REGISTRATION_NOT_SUPPORTED = 131  # RFC 6275 §10.3.1: a BU with P=0
    PROXY_REG_NOT_ENABLED = 152
    NOT_LMA_FOR_THIS_MOBILE_NODE = 153
    MAG_NOT_AUTHORIZED_FOR_PROXY_REG = 154
    NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX = 155
    TIMESTAMP_MISMATCH = 156
    TIMESTAMP_LOWER_THAN_PREV_ACCEPTED = 157
    MISSING_HOME_NETWORK_PREFIX_OPTION = 158
    BCE_PBU_PREFIX_SET_DO_NOT_MATCH = 159
    MISSING_MN_IDENTIFIER_OPTION = 160
    MISSING_HANDOFF_INDICATOR_OPTION = 161
    MISSING_ACCESS_TECH_TYPE_OPTION = 162


def status_name(code: int) -> str:
    """The §8.9 name of a status code, or the bare number."""
    try:
        return Status(code).name
    except ValueError:
        return str(code)


# §9.1 LMA configuration variables (milliseconds)
MIN_DELAY_BEFORE_BCE_DELETE_MS = 10_000.0
MAX_DELAY_BEFORE_NEW_BCE_ASSIGN_MS = 1_500.0
TIMESTAMP_VALIDITY_WINDOW_MS = 300.0
# §9.2 / §9.3
ENABLE_MAG_LOCAL_ROUTING = 0
TIMESTAMP_BASED_APPROACH_IN_USE = 1
MOBILE_NODE_GENERATED_TIMESTAMP_IN_USE = 0

# RFC 6275 §12: retransmission of Binding Updates
INITIAL_BINDACK_TIMEOUT_MS = 1_000.0
MAX_BINDACK_TIMEOUT_MS = 32_000.0

# the MAG re-registers (HI=5) when this fraction of the lifetime has passed
REREGISTER_FRACTION = 0.8

# Simulated time 0 is this instant (seconds since 1970), the draft's date:
# the §8.8 timestamps in PBUs are taken from it.
SIM_EPOCH_S = 1_340_928_000  # 2012-06-29 00:00:00 UTC

MAX_LIFETIME_S = 0xFFFF * 4
