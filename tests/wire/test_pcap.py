"""PcapSink output checked twice: by an independent stdlib parser and by tshark.

The checker (``pcap_reader.py``) re-implements everything it checks (pcap records, IPv6, the
Mobility Header, option alignments, checksums) with :mod:`struct`; it imports
nothing from ``pmipviz.wire`` except the sink that writes the file under test.
"""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.messages import Pba, Pbu
from pmipviz.protocol.options import (
    AttOption,
    HiOption,
    HnpOption,
    LinkLocalOption,
    MnIdOption,
    MnLliOption,
    Option,
    TimestampOption,
)
from pmipviz.wire.pcap import PcapSink
from tests.wire.pcap_reader import check_packet, read_pcap

MAG1, MAG2, LMA = "2001:db8:a::1", "2001:db8:b::1", "2001:db8:1::1"
CN, MN = "2001:db8:cafe::1", "2001:db8:100::ff:fe00:101"
MN_ID = "mn1@example.org"
HNP1 = IPv6Network("2001:db8:100::/64")
ZERO = IPv6Network("::/0")


# --- synthetic trace -----------------------------------------------------------------------


def _ts(t_ms: float) -> TimestampOption:
    return TimestampOption.from_seconds(SIM_EPOCH_S + t_ms / 1000)


def _pbu(seq: int, t_ms: float, lifetime_s: int, hi: int, hnps: tuple[IPv6Network, ...]) -> Pbu:
    opts: tuple[Option, ...] = (
        MnIdOption(MN_ID),
        *(HnpOption(p) for p in hnps),
        HiOption(hi),
        AttOption(4),
        MnLliOption(bytes.fromhex("020000000101")),
        LinkLocalOption(IPv6Address("fe80::a:1")),
        _ts(t_ms),
    )
    return Pbu(seq=seq, lifetime_s=lifetime_s, options=opts)


def _pba(status: int, pbu: Pbu, hnps: tuple[IPv6Network, ...]) -> Pba:
    opts: tuple[Option, ...] = (
        MnIdOption(MN_ID),
        *(HnpOption(p) for p in hnps),
        HiOption(pbu.hi or 0),
        AttOption(pbu.att or 0),
        *(o for o in pbu.options if isinstance(o, MnLliOption | LinkLocalOption)),
        *([pbu.timestamp] if pbu.timestamp else []),
    )
    lifetime = pbu.lifetime_s if status < 128 else 0
    return Pba(status=status, seq=pbu.seq, lifetime_s=lifetime, options=opts)


def _event(i: int, t_ms: float, node: str, peer: str, msg: str, fields: dict) -> dict[str, Any]:
    return {
        "i": i,
        "t_ms": t_ms,
        "kind": "send",
        "node": node,
        "peer": peer,
        "msg": msg,
        "fields": fields,
        "step": None,
        "note": "",
    }


def synthetic_events() -> list[dict[str, Any]]:
    """RS, PBU, PBA, RA, plain and tunnelled data, DeReg PBU/PBA, rejected PBAs, non-sends."""
    reg = _pbu(1, 12.0, 3600, 1, (ZERO,))
    acc = _pba(0, reg, (HNP1,))
    dereg = _pbu(2, 1021.0, 0, 4, (HNP1,))
    dereg_ack = _pba(0, dereg, (HNP1,))
    stolen = _pbu(3, 1500.0, 3600, 1, (HNP1,))
    no_hnp = Pbu(
        seq=4, lifetime_s=3600, options=(MnIdOption(MN_ID), HiOption(1), AttOption(4), _ts(1600.0))
    )
    data = {"flow": 0, "n": 5, "cached": False, "src": CN, "dst": MN, "size": 1000, "pid": 17}
    tunnel = {"tunnel_src": LMA, "tunnel_dst": MAG1}
    rs = {
        "mn_id": MN_ID,
        "interface": "IF1",
        "lli": "02:00:00:00:01:01",
        "ip_src": "fe80::ff:fe00:101",
        "ip_dst": "ff02::2",
    }
    ra = {
        "mn_id": MN_ID,
        "interface": "IF1",
        "hnp": [str(HNP1)],
        "router_lifetime_s": 1800,
        "ip_src": "fe80::a:1",
        "ip_dst": "fe80::ff:fe00:101",
        "mag_lli": "02:00:00:aa:00:01",
    }
    mag_lma = {"ip_src": MAG1, "ip_dst": LMA}
    lma_mag = {"ip_src": LMA, "ip_dst": MAG1}
    events = [
        _event(0, 10.0, "mn1@example.org/IF1", "MAG1", "RS", rs),
        _event(1, 12.0, "MAG1", "LMA", "PBU", reg.to_fields() | mag_lma),
        {
            "i": 2,
            "t_ms": 17.0,
            "kind": "recv",
            "node": "LMA",
            "peer": "MAG1",
            "msg": "PBU",
            "fields": reg.to_fields(),
            "step": None,
            "note": "",
        },
        _event(3, 18.0, "LMA", "MAG1", "PBA", acc.to_fields() | lma_mag),
        _event(4, 24.0, "MAG1", "mn1@example.org/IF1", "RA", ra),
        _event(5, 100.0, "CN", "LMA", "DATA", data),
        _event(6, 105.0, "LMA", "MAG1", "DATA", data | tunnel),
        {
            "i": 7,
            "t_ms": 900.0,
            "kind": "fault",
            "node": "IF1",
            "peer": None,
            "msg": None,
            "fields": {},
            "step": None,
            "note": "IF1 down",
        },
        _event(8, 1021.0, "MAG1", "LMA", "PBU", dereg.to_fields() | mag_lma),
        _event(9, 1026.5, "LMA", "MAG1", "PBA", dereg_ack.to_fields() | lma_mag),
        _event(
            10,
            1030.0,
            "MAG1",
            "LMA",
            "DATA",
            data | {"n": 6, "cached": True, "tunnel_src": MAG1, "tunnel_dst": LMA},
        ),
        _event(
            11, 1500.0, "MAG2", "LMA", "PBU", stolen.to_fields() | {"ip_src": MAG2, "ip_dst": LMA}
        ),
        _event(
            12,
            1505.0,
            "LMA",
            "MAG2",
            "PBA",
            _pba(155, stolen, (HNP1,)).to_fields() | {"ip_src": LMA, "ip_dst": MAG2},
        ),
        _event(
            13, 1600.0, "MAG2", "LMA", "PBU", no_hnp.to_fields() | {"ip_src": MAG2, "ip_dst": LMA}
        ),
        _event(
            14,
            1605.0,
            "LMA",
            "MAG2",
            "PBA",
            _pba(158, no_hnp, (ZERO,)).to_fields() | {"ip_src": LMA, "ip_dst": MAG2},
        ),
    ]
    return events


SENDS = [e for e in synthetic_events() if e["kind"] == "send"]


@pytest.fixture(scope="module")
def pcap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wire") / "synthetic.pcap"
    with PcapSink(path) as sink:
        for event in synthetic_events():
            sink(event)
    assert sink.count == len(SENDS)
    return path


def test_independent_checker_accepts_every_packet(pcap: Path) -> None:
    linktype, records = read_pcap(pcap)
    assert linktype == 101
    assert len(records) == len(SENDS)
    for (sec, usec, pkt), event in zip(records, SENDS, strict=True):
        expected = round((SIM_EPOCH_S + event["t_ms"] / 1000) * 1_000_000)
        assert sec * 1_000_000 + usec == expected
        found = check_packet(pkt)
        if event["msg"] in ("PBU", "PBA"):
            assert found["mh"] == (5 if event["msg"] == "PBU" else 6)
            types = [t for t, _ in found["options"]]
            assert types == event["fields"]["options"], "options must keep the dataclass order"
        elif event["msg"] == "RS":
            assert found == {"icmp": 133, "nd_options": [1]}
        elif event["msg"] == "RA":
            assert found == {"icmp": 134, "nd_options": [1, 3]}
        elif "tunnel_src" in event["fields"]:
            assert found["tunnel"] and found["inner"]["size"] == event["fields"]["size"]
            assert str(found["src"]) == event["fields"]["tunnel_src"]
        else:
            assert found["udp"] and (found["flow"], found["n"]) == (0, 5)


def test_sink_accepts_objects_like_the_simulator_events(tmp_path: Path, pcap: Path) -> None:
    path = tmp_path / "objects.pcap"
    sink = PcapSink(path)
    for event in synthetic_events():
        sink(SimpleNamespace(**event, to_dict=lambda e=event: e))
    sink.close()
    sink.close()
    assert path.read_bytes() == pcap.read_bytes()
    with pytest.raises(ValueError, match="closed"):
        sink.write(b"", 0.0)


@settings(max_examples=40, deadline=None)
@given(
    seq=st.integers(0, 0xFFFF),
    hnps=st.integers(0, 4),
    mnid=st.text(max_size=30),
    lli=st.binary(min_size=1, max_size=12),
    picks=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_random_pbus_pass_the_independent_checker(
    tmp_path_factory: pytest.TempPathFactory,
    seq: int,
    hnps: int,
    mnid: str,
    lli: bytes,
    picks: list[bool],
) -> None:
    candidates: list[Option] = [
        MnIdOption(mnid),
        HiOption(3),
        MnLliOption(lli),
        LinkLocalOption(IPv6Address("fe80::1")),
        _ts(seq),
    ]
    opts: list[Option] = [o for o, keep in zip(candidates, picks, strict=True) if keep]
    opts[1:1] = [HnpOption(IPv6Network(f"2001:db8:{i}::/64")) for i in range(hnps)]
    pbu = Pbu(seq=seq, lifetime_s=400, options=tuple(opts))
    path = tmp_path_factory.mktemp("hyp") / "one.pcap"
    with PcapSink(path) as sink:
        sink(
            _event(
                0,
                float(seq),
                "MAG1",
                "LMA",
                "PBU",
                pbu.to_fields() | {"ip_src": MAG1, "ip_dst": LMA},
            )
        )
    ((_, _, pkt),) = read_pcap(path)[1]
    assert [t for t, _ in check_packet(pkt)["options"]] == [int(o.type) for o in opts]


# --- tshark --------------------------------------------------------------------------------

PBU_FIELDS = (
    "mip6.bu.seqnr",
    "mip6.bu.a_flag",
    "mip6.bu.p_flag",
    "mip6.bu.lifetime",
    "mip6.mnid.identifier",
    "mip6.nemo.mnp.mnp",
    "mip6.nemo.mnp.pfl",
    "mip6.hi",
    "mip6.att",
    "mip6.timestamp_tmp",
    "mip6.mnlli.lli",
    "mip6.lila_lla",
    "ipv6.src",
)
PBA_FIELDS = (
    "mip6.ba.seqnr",
    "mip6.ba.status",
    "mip6.ba.p_flag",
    "mip6.ba.lifetime",
    "mip6.mnid.identifier",
    "mip6.nemo.mnp.mnp",
    "mip6.hi",
    "mip6.att",
    "ipv6.dst",
)


class TestTshark:
    """The same file read by Wireshark's dissectors."""

    def test_no_malformed_packets(self, pcap: Path, tshark) -> None:
        assert tshark(pcap, "frame.protocols", display_filter="_ws.malformed") == []
        assert (
            tshark(pcap, "frame.protocols", display_filter="_ws.expert.severity >= error")
            == []
        )
        assert len(tshark(pcap, "frame.protocols")) == len(SENDS)

    def test_every_pbu(self, pcap: Path, tshark) -> None:
        rows = tshark(pcap, *PBU_FIELDS, display_filter="mip6.mhtype == 5")
        assert [int(r["mip6.bu.seqnr"]) for r in rows] == [1, 2, 3, 4]
        for row in rows:
            assert row["mip6.bu.p_flag"] == "1" and row["mip6.bu.a_flag"] == "1"
            assert row["mip6.mnid.identifier"] == MN_ID
            assert row["mip6.hi"] and row["mip6.att"] == "4"
            assert row["mip6.timestamp_tmp"].startswith("Jun 29, 2012 00:00:0")
            if row["mip6.bu.seqnr"] != "4":  # seq 4 deliberately lacks the HNP option
                assert row["mip6.nemo.mnp.mnp"]
                assert row["mip6.mnlli.lli"] == "020000000101"
                assert row["mip6.lila_lla"] == "fe80::a:1"
        by_seq = {r["mip6.bu.seqnr"]: r for r in rows}
        assert by_seq["1"]["mip6.nemo.mnp.mnp"] == "::" and by_seq["1"]["mip6.bu.lifetime"] == "900"
        assert by_seq["1"]["mip6.timestamp_tmp"].startswith("Jun 29, 2012 00:00:00.01")
        assert by_seq["2"]["mip6.bu.lifetime"] == "0" and by_seq["2"]["mip6.hi"] == "4"
        assert by_seq["2"]["mip6.nemo.mnp.mnp"] == "2001:db8:100::"
        assert by_seq["3"]["ipv6.src"] == MAG2
        assert by_seq["4"]["mip6.nemo.mnp.mnp"] == ""

    def test_every_pba_answers_its_pbu(self, pcap: Path, tshark) -> None:
        pbus = {
            r["mip6.bu.seqnr"]: r
            for r in tshark(pcap, *PBU_FIELDS, display_filter="mip6.mhtype == 5")
        }
        rows = tshark(pcap, *PBA_FIELDS, display_filter="mip6.mhtype == 6")
        assert [(r["mip6.ba.seqnr"], r["mip6.ba.status"]) for r in rows] == [
            ("1", "0"),
            ("2", "0"),
            ("3", "155"),
            ("4", "158"),
        ]
        for row in rows:
            pbu = pbus[row["mip6.ba.seqnr"]]
            assert row["mip6.ba.p_flag"] == "1"
            assert row["ipv6.dst"] == pbu["ipv6.src"]
            assert row["mip6.mnid.identifier"] == MN_ID
            assert row["mip6.hi"] == pbu["mip6.hi"] and row["mip6.att"] == pbu["mip6.att"]
        by_seq = {r["mip6.ba.seqnr"]: r for r in rows}
        assert by_seq["1"]["mip6.nemo.mnp.mnp"] == "2001:db8:100::"
        assert by_seq["1"]["mip6.ba.lifetime"] == "900"
        assert by_seq["2"]["mip6.ba.lifetime"] == "0"
        assert by_seq["4"]["mip6.nemo.mnp.mnp"] == "::"

    def test_options_present_filters(self, pcap: Path, tshark) -> None:
        rows = tshark(
            pcap,
            "mip6.mhtype",
            display_filter="mip6.options.hnp && "
            "mip6.options.mnid && mip6.options.hi && mip6.options.att && "
            "mip6.options.ts",
        )
        assert len(rows) == 7  # every PBU and PBA except the ones of seq 4 / status 158...
        rows = tshark(
            pcap, "mip6.mhtype", display_filter="mip6.options.mnlli && mip6.options.lla"
        )
        assert len(rows) == 6

    def test_data_and_tunnel(self, pcap: Path, tshark) -> None:
        rows = tshark(
            pcap,
            "ipv6.nxt",
            "ipv6.src",
            "ipv6.dst",
            "udp.dstport",
            "udp.length",
            display_filter="udp",
        )
        assert [r["ipv6.nxt"] for r in rows] == ["17", "41,17", "41,17"]
        assert rows[1]["ipv6.src"] == f"{LMA},{CN}" and rows[1]["ipv6.dst"] == f"{MAG1},{MN}"
        assert rows[2]["ipv6.src"] == f"{MAG1},{CN}"
        assert {r["udp.dstport"] for r in rows} == {"9000"}
        assert {r["udp.length"] for r in rows} == {"960"}
        rows = tshark(
            pcap, "udp.checksum.status", display_filter="udp", prefs={"udp.check_checksum": "TRUE"}
        )
        assert [r["udp.checksum.status"] for r in rows] == ["1", "1", "1"]  # 1 = good

    def test_router_solicitation_and_advertisement(self, pcap: Path, tshark) -> None:
        rows = tshark(
            pcap,
            "icmpv6.type",
            "icmpv6.opt.linkaddr",
            "icmpv6.opt.prefix",
            "icmpv6.opt.prefix.flag.l",
            "icmpv6.opt.prefix.flag.a",
            "icmpv6.nd.ra.router_lifetime",
            "icmpv6.checksum.status",
            display_filter="icmpv6",
        )
        assert [r["icmpv6.type"] for r in rows] == ["133", "134"]
        rs, ra = rows
        assert rs["icmpv6.opt.linkaddr"] == "02:00:00:00:01:01"
        assert ra["icmpv6.opt.prefix"] == "2001:db8:100::"
        assert ra["icmpv6.opt.prefix.flag.l"] == "1" and ra["icmpv6.opt.prefix.flag.a"] == "1"
        assert ra["icmpv6.nd.ra.router_lifetime"] == "1800"
        assert {r["icmpv6.checksum.status"] for r in rows} == {"1"}  # 0 bad, 1 good

    def test_pcap_times(self, pcap: Path, tshark) -> None:
        rows = tshark(pcap, "frame.time_epoch")
        got = [float(r["frame.time_epoch"]) for r in rows]
        assert got == pytest.approx([SIM_EPOCH_S + e["t_ms"] / 1000 for e in SENDS], abs=1e-6)
