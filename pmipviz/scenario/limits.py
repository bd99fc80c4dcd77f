"""Upper bounds on a scenario, so that no input makes loading or a run hang or exhaust
memory. README.md's "Limits" section states each one and why it is where it is."""

from __future__ import annotations

# the file itself
MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MiB: 125x campus, parsed in ~8 s

# single values
MAX_DURATION_MS = 86_400_000.0  # a day of simulated time (also bounds --until)
MAX_DELAY_MS = 3_600_000.0  # an hour
MAX_RATE_PPS = 100_000.0
MAX_FLOW_PACKETS = 10_000_000
MAX_BUFFER_PACKETS = 10_000_000
MAX_CLOCK_OFFSET_MS = 1e12  # about 31 years
MIN_PACKET_BYTES = 48  # an IPv6 header plus a little payload
MAX_PACKET_BYTES = 65000

# totals over the whole file
MAX_MAGS = 1_000
MAX_CNS = 1_000
MAX_LINKS = 10_000
MAX_MNS = 100_000
MAX_INTERFACES = 200_000  # over all MNs
MAX_MN_INTERFACES = 16  # an MN's interfaces are scanned per packet and per fault
MAX_FLOWS = 100_000
MAX_FAULTS = 100_000
MAX_TOTAL_PACKETS = 10_000_000  # over all flows: the same as one flow may send
MAX_REREGISTRATIONS = 1_000_000  # binding refreshes over a run (~10 events each)

TOTALS = {  # the top-level array, what its items are, its cap
    "mag": ("MAGs", MAX_MAGS),
    "cn": ("CNs", MAX_CNS),
    "link": ("links", MAX_LINKS),
    "mn": ("mobile nodes", MAX_MNS),
    "flow": ("flows", MAX_FLOWS),
    "fault": ("faults", MAX_FAULTS),
}
