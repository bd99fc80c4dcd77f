"""The scenario as a networkx graph (CN, LMA, MAGs, MNs and their interfaces) and
the attachment facts the topology view draws from it. Textual-free."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx

from pmipviz.protocol.keys import IfaceKey, short_mn
from pmipviz.scenario.model import Scenario


def build_graph(scenario: Scenario) -> nx.Graph:
    """Nodes carry ``kind`` (cn, lma, mag, mn, iface) and ``label``; edges carry
    ``kind`` (link, tunnel, access, owns). Access edges go to each interface's
    first MAG; where an interface is attached later is state, not topology."""
    g = nx.Graph()
    lma = scenario.lma.name
    g.add_node(lma, kind="lma", label=lma)
    for i, mag in enumerate(scenario.mags):
        g.add_node(mag.name, kind="mag", label=mag.name, index=i, tunnel=f"Tunnel{i + 1}",
                   capacity=mag.buffer_packets)
    for cn in scenario.cns:
        g.add_node(cn.name, kind="cn", label=cn.name)
    for link in scenario.links:
        mags = {link.a, link.b} & {m.name for m in scenario.mags}
        kind = "tunnel" if lma in (link.a, link.b) and mags else "link"
        g.add_edge(link.a, link.b, kind=kind, delay_ms=link.delay_ms)
    for mn in scenario.mns:
        g.add_node(mn.id, kind="mn", label=short_mn(mn.id))
        for itf in mn.interfaces:
            key = str(IfaceKey(mn.id, itf.name))
            g.add_node(key, kind="iface", label=itf.name, mn=mn.id, att=itf.att, home=itf.mag)
            g.add_edge(key, mn.id, kind="owns")
            g.add_edge(itf.mag, key, kind="access")
    order: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        order.setdefault(d["kind"], []).append(n)
    order.setdefault("mag", []).sort(key=lambda n: g.nodes[n]["index"])
    g.graph["order"] = order
    return g


def nodes_of(g: nx.Graph, kind: str) -> list[str]:
    """Nodes of one kind, MAGs in scenario order, the others by insertion order."""
    return list(g.graph["order"].get(kind, ()))


def interfaces_of(g: nx.Graph, mn_id: str) -> list[str]:
    """The interface keys of one MN, in scenario order."""
    return [n for n in g.neighbors(mn_id) if g.nodes[n]["kind"] == "iface"]


@dataclass(frozen=True)
class Attachment:
    """Where one interface is, as the state view says."""

    key: str
    name: str
    mag: str  # attached MAG, else its first MAG
    attached: bool
    up: bool
    att: int


def attachment(g: nx.Graph, key: str, ifaces: dict[str, dict[str, Any]]) -> Attachment:
    """The interface ``key`` at this point of the trace."""
    node = g.nodes[key]
    row = ifaces.get(key, {})
    mag = row.get("mag")
    return Attachment(key, node["label"], mag or node["home"], mag is not None,
                      bool(row.get("up")), node["att"])


def mag_counts(ifaces: dict[str, dict[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """Per MAG: interfaces attached and up, and interfaces attached but down."""
    up: Counter[str] = Counter()
    down: Counter[str] = Counter()
    for row in ifaces.values():
        mag = row.get("mag")
        if mag is None:
            continue
        if row.get("up"):
            up[mag] += 1
        else:
            down[mag] += 1
    return up, down


def tunnel_state(g: nx.Graph, mag: str, tunnels: dict[str, dict[str, Any]]) -> tuple[str, bool]:
    """The tunnel name towards ``mag`` and whether the LMA has it up."""
    for name, row in tunnels.items():
        if row.get("mag") == mag:
            return name, bool(row.get("up"))
    return g.nodes[mag]["tunnel"], False
