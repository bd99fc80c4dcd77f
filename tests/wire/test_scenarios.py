"""The pcaps of shipped scenarios: every packet passes the independent checker,
and Wireshark's dissector (tshark) sees the Figure 1 exchange field for field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.wire.pcap import PcapSink
from tests.sim.traces import trace_of
from tests.wire.pcap_reader import check_packet, read_pcap


def write_pcap(name: str, path: Path, **kw):
    with PcapSink(path) as sink:
        events, _metrics, _ = trace_of(name, sinks=[sink], **kw)
    return events


@pytest.fixture(scope="module")
def figure1(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("pcap") / "figure1.pcap"
    return path, write_pcap("figure1", path)


@pytest.fixture(scope="module")
def badmag(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("pcap") / "bad-mag.pcap"
    return path, write_pcap("bad-mag", path)


def test_one_packet_per_transmission_at_its_time(figure1) -> None:
    path, events = figure1
    linktype, records = read_pcap(path)
    assert linktype == 101
    sends = [e for e in events if e.kind == "send" and not (e.msg == "DATA" and e.peer is None)]
    assert len(records) == len(sends)
    for (sec, usec, _), e in zip(records, sends, strict=True):
        assert sec * 1_000_000 + usec == round((SIM_EPOCH_S + e.t_ms / 1000) * 1_000_000)


def test_every_packet_passes_the_independent_checker(figure1) -> None:
    path, events = figure1
    _, records = read_pcap(path)
    found = [check_packet(raw) for _, _, raw in records]
    mh = [f for f in found if "mh" in f]
    assert len(mh) == sum(1 for e in events if e.kind == "send" and e.msg in ("PBU", "PBA"))
    tunnelled = [f for f in found if f.get("tunnel")]
    assert tunnelled and all(f["inner"].get("udp") for f in tunnelled)


def test_tshark_sees_nothing_malformed(figure1, badmag, tshark) -> None:
    for path, _ in (figure1, badmag):
        assert tshark(path, display_filter="_ws.malformed") == []
    assert tshark(figure1[0], display_filter="_ws.expert.severity >= warning") == []
    # The one warning in bad-mag is Wireshark's opinion of the zero-length MN-ID that
    # RFC 5213 §5.3.6 requires in the PBA answering a PBU without an MN-ID (status 160).
    warned = tshark(badmag[0], "mip6.ba.status", "mip6.mnid.identifier",
                           display_filter="_ws.expert.severity >= warning")
    assert [(w["mip6.ba.status"], w["mip6.mnid.identifier"]) for w in warned] == [("160", "")]


def test_tshark_figure1_pbus_and_pbas(figure1, tshark) -> None:
    path, events = figure1
    pbus = tshark(path, "mip6.bu.seqnr", "mip6.bu.p_flag", "mip6.bu.a_flag",
                         "mip6.mnid.identifier", "mip6.nemo.mnp.mnp", "mip6.hi", "mip6.att",
                         "mip6.timestamp_tmp", "mip6.bu.lifetime", "mip6.mnlli.lli",
                         display_filter="mip6.mhtype == 5")
    assert len(pbus) == sum(1 for e in events if e.kind == "send" and e.msg == "PBU")
    for p in pbus:
        assert p["mip6.bu.p_flag"] == "1" and p["mip6.bu.a_flag"] == "1"
        assert p["mip6.mnid.identifier"] == "mn1@example.org"
        assert p["mip6.nemo.mnp.mnp"] and p["mip6.hi"] and p["mip6.att"] in ("4", "8")
        assert "2012" in p["mip6.timestamp_tmp"]
    (dereg,) = [p for p in pbus if p["mip6.bu.lifetime"] == "0"]
    assert dereg["mip6.hi"] == "4" and dereg["mip6.nemo.mnp.mnp"] == "2001:db8:100::"
    assert dereg["mip6.mnlli.lli"] == "020000000101"
    pbas = tshark(path, "mip6.ba.status", "mip6.ba.p_flag", "mip6.ba.seqnr",
                         "ipv6.dst", display_filter="mip6.mhtype == 6")
    pbu_seqs = {p["mip6.bu.seqnr"] for p in pbus}
    assert len(pbas) == 3
    for a in pbas:
        assert a["mip6.ba.status"] == "0" and a["mip6.ba.p_flag"] == "1"
        assert a["mip6.ba.seqnr"] in pbu_seqs


def test_tshark_tunnelled_data_is_ipv6_in_ipv6(figure1, tshark) -> None:
    path, events = figure1
    rows = tshark(path, "ipv6.nxt", "ipv6.src", "ipv6.dst", "udp.dstport",
                         display_filter="udp")
    tunnelled = [r for r in rows if r["ipv6.nxt"].startswith("41,")]
    plain = [r for r in rows if not r["ipv6.nxt"].startswith("41,")]
    assert len(tunnelled) == sum(1 for e in events if e.kind == "send" and e.msg == "DATA"
                                 and "tunnel_src" in e.fields)
    assert all(r["ipv6.nxt"] == "41,17" for r in tunnelled)
    assert {r["ipv6.src"].split(",")[0] for r in tunnelled} >= {"2001:db8:ffff::1",
                                                                "2001:db8:ffff::11"}
    assert plain and all(r["udp.dstport"] == "9000" for r in rows)


def test_tshark_bad_mag_statuses(badmag, tshark) -> None:
    path, _ = badmag
    rows = tshark(path, "mip6.ba.status", "ipv6.dst", display_filter="mip6.mhtype == 6")
    statuses = sorted(int(r["mip6.ba.status"]) for r in rows)
    assert statuses == [0, 153, 154, 156, 158, 160, 161, 162]


def test_inner_hop_limit_counts_the_forwarding_nodes(figure1) -> None:
    path, events = figure1
    _, records = read_pcap(path)
    sends = [e for e in events if e.kind == "send" and e.peer is not None]
    checked = 0
    for (_, _, raw), e in zip(records, sends, strict=True):
        if e.msg != "DATA":
            continue
        inner = raw[40:] if raw[6] == 41 else raw
        assert inner[7] == 64 - e.fields["hop"]
        if raw[6] == 41:
            assert raw[7] == 64  # the tunnel header starts afresh
        checked += 1
    assert checked > 500


def test_packets_that_never_left_their_sender_are_not_captured(badmag) -> None:
    path, events = badmag
    _, records = read_pcap(path)
    unsent = [e for e in events if e.kind == "send" and e.peer is None]
    assert unsent  # the CN had no address for mn-m2: "sent" and dropped at once
    assert all(raw[24:40] != bytes(16) for _, _, raw in records)  # no destination "::"
    assert len(records) == sum(1 for e in events if e.kind == "send" and e.peer is not None)


def test_tshark_the_session_link_local_address(tmp_path: Path, tshark) -> None:
    """Issue 10 item 5 (RFC 5213 §6.8, §6.9.1.2) in ``move``'s pcap: the PBUs that start a
    registration on a MAG (HI=1 at MAG1, HI=3 at MAG2) carry an ALL_ZERO Link-local
    Address option, every PBA the session's fe80::5213:0:1, MAG1's DeReg PBU the address
    it adopted, and both MAGs' RAs come from it; nothing is malformed."""
    path = tmp_path / "move.pcap"
    write_pcap("move", path)
    assert tshark(path, display_filter="_ws.malformed") == []
    pbus = tshark(path, "mip6.hi", "mip6.bu.lifetime", "mip6.lila_lla", "ipv6.src",
                  display_filter="mip6.mhtype == 5")
    assert [(p["mip6.hi"], p["mip6.lila_lla"], p["ipv6.src"]) for p in pbus] == [
        ("1", "::", "2001:db8:ffff::11"), ("3", "::", "2001:db8:ffff::12"),
        ("4", "fe80::5213:0:1", "2001:db8:ffff::11")]
    pbas = tshark(path, "mip6.ba.status", "mip6.lila_lla", display_filter="mip6.mhtype == 6")
    assert len(pbas) == 2
    assert {(p["mip6.ba.status"], p["mip6.lila_lla"]) for p in pbas} == {("0", "fe80::5213:0:1")}
    ras = tshark(path, "ipv6.src", display_filter="icmpv6.type == 134")
    assert [r["ipv6.src"] for r in ras] == ["fe80::5213:0:1", "fe80::5213:0:1"]
