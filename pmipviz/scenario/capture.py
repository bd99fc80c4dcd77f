"""What a scenario declares up front in a pcapng capture (``run --pcap F.pcapng``): the
links it has, as the capture's interfaces, and the addresses it gives its nodes, for the
capture's name resolution. Plain data, so that :mod:`pmipviz.wire` needs no scenario."""

from __future__ import annotations

from pmipviz.scenario.model import Scenario


def capture_links(scenario: Scenario) -> list[tuple[str, str]]:
    """Every link as a pair of trace node names: the ``[[link]]`` tables in file order,
    then each MN interface's access link at its first MAG and at each MAG a ``move``
    fault takes it to."""
    links = [(link.a, link.b) for link in scenario.links]
    for mn in scenario.mns:
        for iface in mn.interfaces:
            links.append((iface.mag, f"{mn.id}/{iface.name}"))
    for fault in scenario.faults:
        if fault.to_mag is not None:
            links.append((fault.to_mag, fault.interface))
    seen: set[frozenset[str]] = set()
    unique = []
    for a, b in links:
        if frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            unique.append((a, b))
    return unique


def capture_hosts(scenario: Scenario) -> list[tuple[str, str]]:
    """(address, node) of the LMA, the MAGs and the CNs. The MN interfaces' addresses
    depend on the prefixes the run assigns: the capture learns them from the RAs."""
    hosts = [(str(scenario.lma.address), scenario.lma.name)]
    hosts += [(str(mag.address), mag.name) for mag in scenario.mags]
    hosts += [(str(cn.address), cn.name) for cn in scenario.cns]
    return hosts


def capture_comment(scenario: Scenario, mode: str | None, seed: int | None) -> str:
    """The section comment: which run this capture is."""
    return (f"pmipviz run {scenario.name} · {scenario.title} · mode "
            f"{mode or scenario.mode} · seed {scenario.seed if seed is None else seed}")
