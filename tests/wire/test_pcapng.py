"""PcapngSink output: one interface per link, node names for every address, the same
packets as the classic pcap. Checked by an independent block reader
(``pcapng_reader.py``) and by tshark (``-N n`` name resolution, ``-z flow``)."""

from __future__ import annotations

import io
import json
from ipaddress import IPv6Address
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pmipviz.cli import main
from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.keys import IfaceKey
from pmipviz.scenario import load_scenario
from pmipviz.scenario.capture import capture_hosts, capture_links
from pmipviz.wire.pcap import PcapSink
from pmipviz.wire.pcapng import PcapngSink
from tests.wire.pcap_reader import check_packet, read_pcap
from tests.wire.pcapng_reader import Block, read_pcapng
from tests.wire.test_pcap import CN, LMA, MAG1, MAG2, MN, SENDS, synthetic_events

SHB, IDB, NRB, EPB = 0x0A0D0D0A, 1, 4, 6
OPT_COMMENT, SHB_HARDWARE, SHB_OS, SHB_USERAPPL = 1, 2, 3, 4
IF_NAME, IF_DESCRIPTION = 2, 3


def write(path: Path, events: list[Any], **kw: Any) -> Path:
    with PcapngSink(path, **kw) as sink:
        for event in events:
            sink(event)
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("ng") / "synthetic.pcapng", synthetic_events())


def of(blocks: list[Block], btype: int) -> list[Block]:
    return [b for b in blocks if b.type == btype]


def interface_names(blocks: list[Block]) -> list[str | None]:
    return [b.option(IF_NAME) for b in of(blocks, IDB)]


def all_names(blocks: list[Block]) -> dict[str, str]:
    names: dict[str, str] = {}
    for b in of(blocks, NRB):
        for address, name in b.names:
            assert address not in names, f"{address} named twice"
            names[address] = name
    return names


def addresses(pkt: bytes) -> list[str]:
    """Source and destination of the packet and, tunnelled, of the inner packet."""
    out = [str(IPv6Address(pkt[8:24])), str(IPv6Address(pkt[24:40]))]
    return out + addresses(pkt[40:]) if pkt[6] == 41 else out


def link_name(node: str, peer: str) -> set[str]:
    """The if_name a hop between two trace nodes may have (either order)."""
    a, b = (IfaceKey.parse(n).short if IfaceKey.is_key(n) else n for n in (node, peer))
    return {f"{a}-{b}", f"{b}-{a}"}


# --- the blocks, read independently ---------------------------------------------------------


def test_blocks_are_framed_and_every_reference_comes_before_its_use(synthetic: Path) -> None:
    blocks = read_pcapng(synthetic)
    shb = blocks[0]
    assert shb.type == SHB and shb.version == (1, 0) and shb.section_length == -1
    assert shb.options == [(SHB_USERAPPL, b"pmipviz")]  # no OS, no hardware: same bytes anywhere
    interfaces, named = 0, set()
    for block in blocks[1:]:
        if block.type == IDB:
            assert block.linktype == 101 and block.snaplen == 262_144
            assert [code for code, _ in block.options] == [IF_NAME, IF_DESCRIPTION]
            interfaces += 1
        elif block.type == NRB:
            named |= {address for address, _ in block.names}
        else:
            assert block.type == EPB
            assert block.interface is not None and block.interface < interfaces
            missing = [a for a in addresses(block.packet) if a not in named and a != "::"]
            assert missing == [], f"packet at {block.offset} uses unnamed {missing}"


def test_the_packets_and_times_are_the_classic_pcaps(synthetic: Path, tmp_path: Path) -> None:
    classic = tmp_path / "same.pcap"
    with PcapSink(classic) as sink:
        for event in synthetic_events():
            sink(event)
    _, records = read_pcap(classic)
    epbs = of(read_pcapng(synthetic), EPB)
    assert [b.packet for b in epbs] == [raw for _, _, raw in records]
    assert [b.usec for b in epbs] == [round((SIM_EPOCH_S + e["t_ms"] / 1000) * 1e6)
                                      for e in SENDS]
    for block in epbs:
        check_packet(block.packet)


def test_each_hop_is_on_the_interface_of_its_link(synthetic: Path) -> None:
    blocks = read_pcapng(synthetic)
    names = interface_names(blocks)
    assert names == ["MAG1-mn1/IF1", "MAG1-LMA", "CN-LMA", "MAG2-LMA"]
    for block, event in zip(of(blocks, EPB), SENDS, strict=True):
        assert block.interface is not None
        assert names[block.interface] in link_name(event["node"], event["peer"])
    descriptions = [b.option(IF_DESCRIPTION) for b in of(blocks, IDB)]
    assert descriptions[0] == ("access link of mn1@example.org/IF1 at MAG1: packets as they "
                               "leave MAG1 or mn1/IF1")
    assert descriptions[2] == "link between CN and LMA: packets as they leave either end"


def test_every_address_is_named_after_its_node(synthetic: Path) -> None:
    assert all_names(read_pcapng(synthetic)) == {
        "fe80::ff:fe00:101": "mn1/IF1",  # the RS's source
        "ff02::2": "all-routers",
        MAG1: "MAG1",
        LMA: "LMA",
        # the RA's source: the link-local address the PBA gave the session (§6.8), named
        # for the session (the interface its first RA went to), not for the MAG
        "fe80::a:1": "mn1/IF1 router",
        MN: "mn1/IF1",  # the RA's HNP and the interface identifier it was sent to
        CN: "CN",  # a data packet's source at its first hop
        MAG2: "MAG2",
    }


def test_declared_links_and_hosts_come_first(tmp_path: Path) -> None:
    links = [("CN", "LMA"), ("LMA", "MAG1"), ("LMA", "MAG2"), ("mn1@example.org/IF1", "MAG1"),
             ("MAG2", "mn1@example.org/IF2")]
    path = write(tmp_path / "declared.pcapng", synthetic_events(), links=links,
                 hosts=[(LMA, "LMA"), (CN, "CN"), (LMA, "ignored: named already")],
                 comment="figure 1 · ft")
    blocks = read_pcapng(path)
    assert [b.type for b in blocks[:7]] == [SHB, IDB, IDB, IDB, IDB, IDB, NRB]
    assert blocks[0].options == [(OPT_COMMENT, "figure 1 · ft".encode()),
                                 (SHB_USERAPPL, b"pmipviz")]
    # declared order, an MN interface last; a link used only in the declared order too
    assert interface_names(blocks) == ["CN-LMA", "LMA-MAG1", "LMA-MAG2", "MAG1-mn1/IF1",
                                       "MAG2-mn1/IF2"]
    assert blocks[6].names == [(LMA, "LMA"), (CN, "CN")]
    per_interface = [sum(1 for b in of(blocks, EPB) if b.interface == i) for i in range(5)]
    assert per_interface == [1, 6, 4, 2, 0]


def test_objects_streams_and_paths_give_the_same_bytes(synthetic: Path) -> None:
    stream = io.BytesIO()
    sink = PcapngSink(stream)
    for event in synthetic_events():
        sink(SimpleNamespace(**event))
    sink.close()
    sink.close()
    assert stream.getvalue() == synthetic.read_bytes() and not stream.closed
    with pytest.raises(ValueError, match="closed"):
        sink.write(b"", 0.0)
    with pytest.raises(ValueError, match="no interface 0"):
        PcapngSink(io.BytesIO()).write(b"\x60" + bytes(39), 0.0)


def test_a_failed_capture_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "f.pcapng"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), PcapngSink(path, links=[("LMA", "MAG1")]) as sink:
        sink(SENDS[1])
        raise RuntimeError
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["f.pcapng"]


# --- a shipped scenario through the CLI --------------------------------------------------------


@pytest.fixture(scope="module")
def figure1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """figure1's pcapng and trace, written by ``pmipviz run --trace --pcap``."""
    tmp = tmp_path_factory.mktemp("figure1")
    pcap, trace = tmp / "figure1.pcapng", tmp / "t.jsonl"
    assert main(["run", "figure1", "--json", "--trace", str(trace), "--pcap", str(pcap)]) == 0
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    return pcap, [e for e in events if e["kind"] == "send" and e["peer"] is not None]


FIGURE1_LINKS = ["LMA-MAG1", "LMA-MAG2", "CN-LMA", "MAG1-mn1/IF1", "MAG2-mn1/IF2"]


def test_figure1_has_one_interface_per_link_and_each_hop_on_its_own(figure1) -> None:
    path, sends = figure1
    blocks = read_pcapng(path)
    assert interface_names(blocks) == FIGURE1_LINKS
    assert blocks[0].option(OPT_COMMENT) == ("pmipviz run figure1 · Figure 1: fault-tolerant "
                                             "handover · mode ft · seed 1")
    epbs = of(blocks, EPB)
    assert len(epbs) == len(sends)
    for block, event in zip(epbs, sends, strict=True):
        assert block.interface is not None
        assert FIGURE1_LINKS[block.interface] in link_name(event["node"], event["peer"])
    # one downlink packet, three hops, three interfaces
    hops = [FIGURE1_LINKS[b.interface] for b, e in zip(epbs, sends, strict=True)
            if e["msg"] == "DATA" and e["fields"]["n"] == 1 and b.interface is not None]
    assert hops == ["CN-LMA", "LMA-MAG1", "MAG1-mn1/IF1"]


def test_figure1_names_every_node_before_its_first_packet(figure1) -> None:
    path, _ = figure1
    blocks = read_pcapng(path)
    sc = load_scenario("figure1")
    assert of(blocks, NRB)[0].names == capture_hosts(sc)
    names = all_names(blocks)
    assert names == {"2001:db8:ffff::1": "LMA", "2001:db8:ffff::11": "MAG1",
                     "2001:db8:ffff::12": "MAG2", "2001:db8:cafe::1": "CN",
                     "fe80::ff:fe00:101": "mn1/IF1", "fe80::ff:fe00:102": "mn1/IF2",
                     # the RAs' sources: each session's link-local address, which the
                     # LMA generated and every MAG serving the interface adopts (§6.8):
                     # named for the session, not for a MAG
                     "fe80::5213:0:1": "mn1/IF1 router", "fe80::5213:0:2": "mn1/IF2 router",
                     "ff02::2": "all-routers",
                     "2001:db8:100::ff:fe00:101": "mn1/IF1",
                     "2001:db8:100::ff:fe00:102": "mn1/IF2"}
    named: set[str] = set()
    for block in blocks:
        named |= {a for a, _ in block.names}
        if block.type == EPB:
            assert set(addresses(block.packet)) <= named


def test_the_same_run_gives_the_same_bytes(figure1, tmp_path: Path) -> None:
    path, _ = figure1
    again = tmp_path / "again.pcapng"
    assert main(["run", "figure1", "--json", "--pcap", str(again)]) == 0
    assert again.read_bytes() == path.read_bytes()
    classic = tmp_path / "classic.pcap"
    assert main(["run", "figure1", "--json", "--pcap", str(classic)]) == 0
    assert [b.packet for b in of(read_pcapng(path), EPB)] == \
        [raw for _, _, raw in read_pcap(classic)[1]]


def test_bad_mag_declares_every_link_of_its_scenario(tmp_path: Path) -> None:
    path = tmp_path / "bad-mag.pcapng"
    assert main(["run", "bad-mag", "--json", "--pcap", str(path)]) == 0
    blocks = read_pcapng(path)
    links = capture_links(load_scenario("bad-mag"))
    assert len(links) > 5
    assert interface_names(blocks) == [expected_name(a, b) for a, b in links]
    used = {b.interface for b in of(blocks, EPB)}
    assert used == set(range(len(links)))  # every declared link carries packets here


def expected_name(a: str, b: str) -> str:
    """``A-B`` of a declared link, in its order but with an MN interface last."""
    if IfaceKey.is_key(a):
        a, b = b, a
    return f"{a}-{IfaceKey.parse(b).short if IfaceKey.is_key(b) else b}"


# --- tshark -------------------------------------------------------------------------------------


def test_tshark_reads_every_frame_on_its_interface(figure1, tshark) -> None:
    path, sends = figure1
    assert tshark(path, display_filter="_ws.malformed") == []
    assert tshark(path, display_filter="_ws.expert.severity >= warning") == []
    rows = tshark(path, "frame.interface_id", "frame.interface_name",
                  "frame.interface_description")
    assert len(rows) == len(sends)
    for row, event in zip(rows, sends, strict=True):
        assert row["frame.interface_name"] == FIGURE1_LINKS[int(row["frame.interface_id"])]
        assert row["frame.interface_name"] in link_name(event["node"], event["peer"])
        assert row["frame.interface_description"].endswith("packets as they leave either end") \
            or row["frame.interface_description"].startswith("access link of mn1@")
    assert {r["frame.interface_name"] for r in rows} == set(FIGURE1_LINKS)


def test_tshark_resolves_every_address_to_its_node(figure1, tshark) -> None:
    path, _ = figure1
    rows = tshark(path, "frame.interface_name", "ipv6.src_host", "ipv6.dst_host", "ipv6.nxt",
                  "_ws.col.Protocol", resolve=True)
    for row in rows:
        assert ":" not in row["ipv6.src_host"] + row["ipv6.dst_host"], row
    by_link: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for row in rows:
        key = (row["frame.interface_name"], row["_ws.col.Protocol"])
        by_link.setdefault(key, set()).add((row["ipv6.src_host"], row["ipv6.dst_host"]))
    assert by_link[("LMA-MAG1", "MIPv6")] == {("MAG1", "LMA"), ("LMA", "MAG1")}
    # the three hops of the downlink stream: told apart by interface and outer names
    assert by_link[("CN-LMA", "UDP")] == {("CN", "mn1/IF1")}
    assert by_link[("LMA-MAG1", "UDP")] == {("LMA,CN", "MAG1,mn1/IF1"),
                                            ("MAG1,CN", "LMA,mn1/IF1")}  # cached, sent back
    assert by_link[("MAG1-mn1/IF1", "UDP")] == {("CN", "mn1/IF1")}
    assert by_link[("LMA-MAG2", "UDP")] == {("LMA,CN", "MAG2,mn1/IF1")}
    assert by_link[("MAG2-mn1/IF2", "ICMPv6")] == {("mn1/IF2", "all-routers"),
                                                   ("mn1/IF2 router", "mn1/IF2")}
    unresolved = tshark(path, "ipv6.src_host", display_filter="ipv6.src_host contains \":\"",
                        resolve=True)
    assert unresolved == []
    assert tshark(path, "ipv6.src_host")[0]["ipv6.src_host"] == "fe80::ff:fe00:101"  # -n


def test_tshark_flow_shows_the_nodes(figure1, tshark_run) -> None:
    path, _ = figure1
    flow = tshark_run("-r", str(path), "-N", "n", "-q", "-z", "flow,any,network")
    first, second = flow.splitlines()[:2]  # the address columns, staggered on two lines
    assert first.startswith("|Time")
    columns = [cell.strip() for line in (first, second) for cell in line.split("|")[2:]]
    # one column per address: mn1/IF1 twice (a link-local and a global address), each
    # session's link-local address (the RAs' source) as its interface's router
    assert sorted(c for c in columns if c) == ["CN", "LMA", "MAG1", "MAG2", "all-routers",
                                               "mn1/IF1", "mn1/IF1", "mn1/IF1 router",
                                               "mn1/IF2", "mn1/IF2 router"]
    assert "2001:db8" not in flow and "fe80" not in flow
    # with the tunnel's payload left undissected, a tunnelled hop is LMA -> MAG1/MAG2
    rows = tshark_run("-r", str(path), "-N", "n", "-d", "ip.proto==41,data", "-T", "fields",
                      "-e", "frame.interface_name", "-e", "_ws.col.Source", "-e",
                      "_ws.col.Destination", "-Y", "udp || data")
    pairs = {tuple(line.split("\t")) for line in rows.splitlines()}
    assert pairs == {("CN-LMA", "CN", "mn1/IF1"), ("LMA-MAG1", "LMA", "MAG1"),
                     ("LMA-MAG1", "MAG1", "LMA"), ("MAG1-mn1/IF1", "CN", "mn1/IF1"),
                     ("LMA-MAG2", "LMA", "MAG2"), ("MAG2-mn1/IF2", "CN", "mn1/IF1")}


def test_tshark_reads_the_synthetic_capture(synthetic: Path, tshark) -> None:
    """Interfaces and names that appear after the first packets (nothing declared)."""
    assert tshark(synthetic, display_filter="_ws.malformed") == []
    rows = tshark(synthetic, "frame.interface_name", "ipv6.src_host", resolve=True)
    assert [r["frame.interface_name"] for r in rows][:6] == [
        "MAG1-mn1/IF1", "MAG1-LMA", "MAG1-LMA", "MAG1-mn1/IF1", "CN-LMA", "MAG1-LMA"]
    assert [r["ipv6.src_host"] for r in rows][:6] == ["mn1/IF1", "MAG1", "LMA",
                                                      "mn1/IF1 router", "CN", "LMA,CN"]


def test_the_readme_tshark_commands_work_and_name_the_nodes(figure1, tshark_run) -> None:
    """The tshark lines of the README's pcapng paragraph, run on figure1's capture."""
    import shlex

    text = Path("README.md").read_text()
    section = text[text.index("**pcapng** (`--pcap F.pcapng`)"):]
    block = section[section.index("```sh\n") + 6:]
    block = block[:block.index("```")].replace("\\\n", " ")
    commands = [line.split("#")[0].strip() for line in block.splitlines()
                if line.startswith("tshark ")]
    assert len(commands) == 4
    path, _ = figure1
    for command in commands:
        args = shlex.split(command)[1:]
        args[args.index("-r") + 1] = str(path)
        out = tshark_run(*args)
        assert "mn1/IF1" in out and "2001:db8" not in out, command


def test_a_session_keeps_its_router_name_after_a_move(tmp_path: Path, tshark) -> None:
    """move: MAG1 and, after the HI=3 handoff, MAG2 send their RAs from the session's
    link-local address; the capture names it for the session, so the RA MAG2 sends is
    not shown as MAG1's (it was: the first MAG to use the address named it)."""
    path = tmp_path / "move.pcapng"
    assert main(["run", "move", "--json", "--pcap", str(path)]) == 0
    names = all_names(read_pcapng(path))
    assert names["fe80::5213:0:1"] == "mn2/IF1 router"
    rows = tshark(path, "frame.interface_name", "ipv6.src_host", "ipv6.dst_host",
                  display_filter="icmpv6.type == 134", resolve=True)
    assert [(r["frame.interface_name"], r["ipv6.src_host"]) for r in rows] == [
        ("MAG1-mn2/IF1", "mn2/IF1 router"), ("MAG2-mn2/IF1", "mn2/IF1 router")]


SHIPPED = ["figure1", "move", "restore", "both-fail", "lossy-signaling", "bad-mag"]


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_run_stays_on_its_declared_links_with_every_address_named(
        name: str, mode: str, tmp_path: Path) -> None:
    """(campus, 31 k packets on 424 links, was checked the same way by hand with tshark.)"""
    from tests.sim.traces import trace_of

    sc = load_scenario(name)
    links = capture_links(sc)
    path = tmp_path / f"{name}.pcapng"
    with PcapngSink(path, links=links, hosts=capture_hosts(sc)) as sink:
        events, _, _ = trace_of(sc, sinks=[sink], mode=mode)
    blocks = read_pcapng(path)
    assert len(of(blocks, IDB)) == len(links)  # no hop outside the scenario's links
    assert len(of(blocks, EPB)) == sum(1 for e in events if e.kind == "send"
                                       and e.peer is not None)
    names = all_names(blocks)  # (no address named twice)
    mns = {str(IfaceKey(mn.id, i.name)) for mn in sc.mns for i in mn.interfaces}
    assert {v for v in names.values()} >= {IfaceKey.parse(k).short for k in mns
                                            if any(e.kind == "send" and e.msg == "RA"
                                                   and e.peer == k for e in events)}
    named: set[str] = set()
    for block in blocks:
        named |= {a for a, _ in block.names}
        if block.type == EPB:
            assert set(addresses(block.packet)) - {"::"} <= named, block.offset
