"""RFC-exact bytes for every message of the trace, pcap and pcapng files and hex dumps.

Importing this package imports scapy and registers the PMIPv6 mobility options
(types 22-27) with it (see :mod:`pmipviz.wire.scapy_options`).
"""

from __future__ import annotations

from pmipviz.wire.encode import (
    checksum,
    data_bytes,
    data_packet,
    decode_mh,
    encode_event,
    encode_message,
    pba_packet,
    pbu_packet,
    ra_packet,
    rs_packet,
)
from pmipviz.wire.hexdump import describe, hexdump_lines
from pmipviz.wire.pcap import LINKTYPE_RAW, PcapSink
from pmipviz.wire.pcapng import PcapngSink

__all__ = [
    "LINKTYPE_RAW",
    "PcapSink",
    "PcapngSink",
    "checksum",
    "data_bytes",
    "data_packet",
    "decode_mh",
    "describe",
    "encode_event",
    "encode_message",
    "hexdump_lines",
    "pba_packet",
    "pbu_packet",
    "ra_packet",
    "rs_packet",
]
