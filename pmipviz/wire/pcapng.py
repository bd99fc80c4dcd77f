"""Stream the ``send`` events of a trace into a pcapng file whose hops can be told apart.

The classic pcap (:mod:`pmipviz.wire.pcap`) has one capture point for the whole network,
so the three hops of one downlink packet (CN→LMA, LMA→MAG1 in the tunnel, MAG1→MN) look
alike: the same inner CN→MN addresses, no node names. This file format records each hop
on the interface of its link and names the nodes:

- a Section Header Block with no host information (no OS, no hardware): only
  ``shb_userappl`` "pmipviz" and an optional comment (the scenario, mode and seed);
- one Interface Description Block per link (link type 101, raw IPv6), with ``if_name``
  the link's two ends (``LMA-MAG1``, ``MAG1-mn1/IF1``) and ``if_description`` saying
  what it is. The caller may declare the links up front (the scenario's); a hop on a
  link not declared gets its interface just before its first packet;
- Name Resolution Blocks mapping every address of the run to the node that owns it:
  the caller's (the LMA, MAGs and CNs of the scenario) first, then what the trace
  teaches, each written before the first packet that needs it: a PBU/PBA's and an
  RS/RA's source and destination, a tunnel's endpoints, a data packet's source at its
  first hop, and an MN interface's address in each HNP an RA gives it (SLAAC: the
  prefix plus the interface identifier of the link-local address the RA was sent to).
  An address keeps the first name it gets; the multicast groups RS and RA go to are
  ``all-routers`` and ``all-nodes``. A mobility session's link-local address (the
  Link-local Address option of a PBA, RFC 5213 §5.1, §6.8), which every MAG serving
  the session sends its RAs from, is named for the session, not for a MAG: ``mn1/IF1
  router``, after the MN interface its first RA goes to (the MAG's own link-local
  address, used before it adopts the session's, is the MAG's);
- one Enhanced Packet Block per transmission, at ``SIM_EPOCH_S + t_ms / 1000`` in
  microseconds (the default ``if_tsresol``), as it leaves its sender.

Everything is little-endian and depends only on the events and the declarations, so
the same run gives the same bytes. Written with :mod:`struct`: scapy 2.8.0's
``PcapNgWriter`` names interfaces (``if_name``) but writes neither ``if_description``
nor Name Resolution Blocks, adds an unnamed interface 0, and only writes to files it
opens itself.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from ipaddress import IPv6Address, IPv6Network
from os import PathLike
from typing import Any, BinaryIO

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.keys import IfaceKey
from pmipviz.wire.encode import encode_event, event_attr
from pmipviz.wire.pcap import LINKTYPE_RAW, SNAPLEN, CaptureFile

BLOCK_SHB = 0x0A0D0D0A
BLOCK_IDB = 0x00000001
BLOCK_NRB = 0x00000004
BLOCK_EPB = 0x00000006
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPT_END, OPT_COMMENT = 0, 1
SHB_USERAPPL = 4
IF_NAME, IF_DESCRIPTION = 2, 3
NRB_END, NRB_IPV6 = 0, 2
USER_APPLICATION = "pmipviz"
_EPB_HEAD = struct.Struct("<IIIII")  # interface, timestamp high, low, captured, original
_CONTROL = ("PBU", "PBA", "RS", "RA")
WELL_KNOWN = {"ff02::1": "all-nodes", "ff02::2": "all-routers"}  # RFC 4291 §2.7.1


def _pad(data: bytes) -> bytes:
    return data + bytes(-len(data) % 4)


def _options(options: Iterable[tuple[int, str]]) -> bytes:
    """Options as (code, UTF-8 text) ending with opt_endofopt; empty when there are none."""
    out = b"".join(struct.pack("<HH", code, len(raw)) + _pad(raw)
                   for code, text in options for raw in [text.encode("utf-8")])
    return out + struct.pack("<HH", OPT_END, 0) if out else b""


def block(block_type: int, body: bytes) -> bytes:
    """A pcapng block: type, total length, the body padded to 32 bits, total length."""
    body = _pad(body)
    total = len(body) + 12
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def section_header(comment: str | None = None) -> bytes:
    """Version 1.0, section length unknown (-1), no host information."""
    options = [(SHB_USERAPPL, USER_APPLICATION)]
    if comment:
        options.insert(0, (OPT_COMMENT, comment))
    body = struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1) + _options(options)
    return block(BLOCK_SHB, body)


def interface_description(name: str, description: str) -> bytes:
    """An IDB for raw IPv6 packets (microsecond timestamps, the default)."""
    body = struct.pack("<HHI", LINKTYPE_RAW, 0, SNAPLEN)
    body += _options([(IF_NAME, name), (IF_DESCRIPTION, description)])
    return block(BLOCK_IDB, body)


def name_resolution(entries: Sequence[tuple[str, str]]) -> bytes:
    """An NRB of (IPv6 address, name) records."""
    records = b""
    for address, name in entries:
        value = IPv6Address(address).packed + name.encode("utf-8") + b"\0"
        records += struct.pack("<HH", NRB_IPV6, len(value)) + _pad(value)
    return block(BLOCK_NRB, records + struct.pack("<HH", NRB_END, 0))


def display_name(node: str) -> str:
    """How a trace node is named in the capture: an MN interface by its short form
    (``mn1/IF1``), every other node as it is."""
    return IfaceKey.parse(node).short if IfaceKey.is_key(node) else node


def describe_link(a: str, b: str) -> str:
    """The ``if_description`` of the link between trace nodes ``a`` and ``b``."""
    for end, other in ((a, b), (b, a)):
        if IfaceKey.is_key(other):
            return (f"access link of {other} at {end}: packets as they leave {end} or "
                    f"{display_name(other)}")
    return f"link between {a} and {b}: packets as they leave either end"


class PcapngSink(CaptureFile):
    """A trace observer writing pcapng: ``sink(event)`` appends the event's packet, on
    its link's interface, if it is a ``send``.

    ``links`` are (node, node) pairs of trace node names: each gets an interface, in
    this order, named ``A-B`` in the pair's order. ``hosts`` are (address, trace node)
    pairs written in the first Name Resolution Block. ``comment`` goes into the section
    header. Use as a context manager or call :meth:`close` (:meth:`discard` drops a
    capture written to a path).
    """

    def __init__(
        self,
        target: str | PathLike[str] | BinaryIO,
        *,
        links: Iterable[tuple[str, str]] = (),
        hosts: Iterable[tuple[str, str]] = (),
        comment: str | None = None,
    ) -> None:
        super().__init__(target)
        self.interfaces: list[str] = []  # if_name by interface id
        self.names: dict[str, str] = {}  # compressed IPv6 address -> name
        self._links: dict[frozenset[str], int] = {}
        self._by_hop: dict[tuple[str, str], int] = {}
        self._pending: list[tuple[str, str]] = []
        self._sessions: set[str] = set()  # session link-local addresses (a PBA's option)
        file = self._open_file()
        file.write(section_header(comment))
        for a, b in links:
            self._link_id(a, b)
        for address, node in hosts:
            self._name(address, node)
        self._flush_names()

    # --- interfaces and names ----------------------------------------------------------

    def _link_id(self, a: str, b: str) -> int:
        """The interface of the link between ``a`` and ``b``; a new one is written (its
        ends ordered as given, an MN interface last)."""
        key = frozenset((a, b))
        ifid = self._links.get(key)
        if ifid is None:
            if IfaceKey.is_key(a) and not IfaceKey.is_key(b):
                a, b = b, a
            name = f"{display_name(a)}-{display_name(b)}"
            ifid = self._links[key] = len(self.interfaces)
            self.interfaces.append(name)
            self._open_file().write(interface_description(name, describe_link(a, b)))
        return ifid

    def _name(self, address: Any, node: Any, suffix: str = "") -> None:
        """Name ``address`` after ``node`` (then ``suffix``) unless it has a name or
        cannot have one."""
        if not address or not node:
            return
        try:
            ip = IPv6Address(str(address))
        except ValueError:
            return
        text = str(ip)
        if text in self.names or ip.is_unspecified:
            return
        name = WELL_KNOWN.get(text) if ip.is_multicast else display_name(str(node)) + suffix
        if name is not None:
            self.names[text] = name
            self._pending.append((text, name))

    def _flush_names(self) -> None:
        if self._pending:
            self._open_file().write(name_resolution(self._pending))
            self._pending = []

    def _learn(self, event: Any, node: str, peer: str) -> None:
        """The names a ``send`` event teaches (see the module docstring)."""
        fields = event_attr(event, "fields") or {}
        msg = str(event_attr(event, "msg", "")).upper()
        if msg == "DATA":
            names = self.names
            tunnel_src = fields.get("tunnel_src")
            if tunnel_src is not None and (tunnel_src not in names
                                           or fields.get("tunnel_dst") not in names):
                self._name(tunnel_src, node)
                self._name(fields.get("tunnel_dst"), peer)
            if not fields.get("hop") and fields.get("src") not in names:
                self._name(fields.get("src"), node)
            return
        if not msg.endswith(_CONTROL):
            return
        link_local = fields.get("link_local")
        if msg == "PBA" and link_local and link_local != "::":  # the session's (§5.1, §6.8)
            self._sessions.add(str(link_local))
        if msg == "RA" and fields.get("ip_src") in self._sessions:
            # the session's address: every MAG serving it sends from it, so name it for
            # the session (the MN interface), not for the MAG sending this first RA
            self._name(fields["ip_src"], peer, " router")
        self._name(fields.get("ip_src"), node)
        self._name(fields.get("ip_dst"), peer)
        if msg == "RA" and fields.get("ip_dst"):
            try:
                iid = int(IPv6Address(str(fields["ip_dst"]))) & (2**64 - 1)
                for text in fields.get("hnp", []):
                    prefix = IPv6Network(text)
                    if prefix.prefixlen == 64:
                        self._name(IPv6Address(int(prefix.network_address) | iid), peer)
            except ValueError:
                return

    # --- records -----------------------------------------------------------------------

    def __call__(self, event: Any) -> None:
        raw = encode_event(event)
        if raw is None:
            return
        node, peer = str(event_attr(event, "node", "")), str(event_attr(event, "peer", ""))
        hop = (node, peer)
        ifid = self._by_hop.get(hop)
        if ifid is None:
            ifid = self._by_hop[hop] = self._link_id(node, peer)
        self._learn(event, node, peer)
        self._flush_names()
        self.write(raw, float(event_attr(event, "t_ms", 0.0)), ifid)

    def write(self, raw: bytes, t_ms: float, interface: int = 0) -> None:
        """Append one raw IPv6 packet at simulated time ``t_ms`` on ``interface``."""
        file = self._open_file()
        if not 0 <= interface < len(self.interfaces):
            raise ValueError(f"pcapng {self.path} has no interface {interface}")
        usec = round(SIM_EPOCH_S * 1_000_000 + float(t_ms) * 1000)
        caplen = min(len(raw), SNAPLEN)
        body = _EPB_HEAD.pack(interface, usec >> 32, usec & 0xFFFF_FFFF, caplen, len(raw))
        file.write(block(BLOCK_EPB, body + raw[:caplen]))
        self.count += 1
