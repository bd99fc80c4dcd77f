"""Issue 10 item 5 in whole runs: the session's link-local address (RFC 5213 §6.8,
§6.9.1.2), so that an MN's default router stays the same across HI=3 handoffs, and the
BCE's timestamp as the LMA's time of reception (§5.1). Expected times are sums of the
scenario's delays, worked out in each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.lesson.sentences import describe
from pmipviz.protocol.constants import SIM_EPOCH_S
from pmipviz.protocol.options import TimestampOption
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

HERE = Path(__file__).resolve().parent / "scenarios"
LL = "fe80::5213:0:1"  # the LMA's first session: its entry is created first
IF1 = "mn4@example.org/IF1"


def _events(name: str | Path, mode: str) -> list[TraceEvent]:
    out: list[TraceEvent] = []
    run(load_scenario(str(name)), mode=mode, sinks=[out.append], describe=describe)
    return out


def _ts(ms: float) -> int:
    return TimestampOption.from_seconds(SIM_EPOCH_S + ms / 1000.0).value


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_one_default_router_across_two_handoffs(mode: str) -> None:
    """link-local.toml: IF1 attaches to MAG1 at 0 (access 1 ms, MAG1-LMA 5 ms), moves to
    MAG2 at 500 (access 2 ms, MAG2-LMA 7 ms) and back to MAG1 at 1500.
    PBUs with ALL_ZERO: MAG1 at 0 + 1 = 1 (HI=1), MAG2 at 500 + 2 = 502 (HI=3), MAG1 at
    1500 + 1 = 1501 (HI=3: MAG1 removed its entry after its DeReg). PBAs reach the MAGs at
    1 + 5 + 5 = 11, 502 + 7 + 7 = 516 and 1501 + 5 + 5 = 1511, each with the session's
    address; the RAs reach IF1 one access delay later (12, 518, 1512), all from it."""
    events = _events(HERE / "link-local.toml", mode)
    pbus = [(e.t_ms, e.node, e.fields["hi"], e.fields["link_local"]) for e in events
            if e.kind == "send" and e.msg == "PBU" and e.fields["lifetime_s"] > 0]
    assert pbus == [(1.0, "MAG1", 1, "::"), (502.0, "MAG2", 3, "::"),
                    (1501.0, "MAG1", 3, "::")]
    pbas = [(e.t_ms, e.node, e.fields["link_local"]) for e in events
            if e.kind == "recv" and e.msg == "PBA" and e.fields["lifetime_s"] > 0]
    assert pbas == [(11.0, "MAG1", LL), (516.0, "MAG2", LL), (1511.0, "MAG1", LL)]
    ras = [(e.t_ms + {"MAG1": 1, "MAG2": 2}[e.node], e.node, e.fields["ip_src"])
           for e in events if e.kind == "send" and e.msg == "RA"]
    assert ras == [(12.0, "MAG1", LL), (518.0, "MAG2", LL), (1512.0, "MAG1", LL)]
    routers = [(e.t_ms, e.fields["before"]["router"], e.fields["after"]["router"])
               for e in events if e.kind == "state" and e.fields["table"] == "iface"
               and e.fields["cause"] == "address"]
    assert routers == [(12.0, None, LL), (518.0, LL, LL), (1512.0, LL, LL)]
    notes = [e.note for e in events if e.kind == "recv" and e.msg == "RA"]
    assert "default router" not in notes[0]
    for note, mag, old in zip(notes[1:], ("MAG2", "MAG1"), ("MAG1", "MAG2"), strict=True):
        assert f"receives {mag}'s RA from {LL}, the link-local address {old} used" in note
        assert "default router stays the same" in note and "RFC 5213 §6.8" in note
    # the DeReg PBUs of the MAGs IF1 left carry the address they adopted
    deregs = [(e.t_ms, e.node, e.fields["link_local"]) for e in events
              if e.kind == "send" and e.msg == "PBU" and e.fields["lifetime_s"] == 0]
    assert deregs == [(520.0, "MAG1", LL), (1520.0, "MAG2", LL)]
    bul = [e.fields["after"]["link_local"] for e in events if e.kind == "state"
           and e.fields["table"] == "bul" and e.fields["cause"] == "registered"]
    assert bul == [LL, LL, LL]


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_bce_timestamp_is_the_time_of_reception(mode: str) -> None:
    """§5.1: the PBUs are stamped when sent (1, 502, 1501 ms) and reach the LMA a link
    delay later (5, 7, 5 ms: at 6, 509, 1506); the entry records the LMA's time at
    reception, the accepted PBU's Timestamp kept beside it for §5.5."""
    events = _events(HERE / "link-local.toml", mode)
    rows = [(e.t_ms, e.fields["after"]) for e in events if e.kind == "state"
            and e.fields["table"] == "bce" and e.fields["cause"] in ("register", "handoff")]
    expected = [(6.0, 1.0, 5.0), (509.0, 502.0, 7.0), (1506.0, 1501.0, 5.0)]
    assert [t for t, _ in rows] == [t for t, _, _ in expected]
    for (_, row), (recv, sent, delay) in zip(rows, expected, strict=True):
        assert row["timestamp"] == _ts(recv) == _ts(sent + delay)
        assert row["pbu_timestamp"] == _ts(sent)
        assert abs((row["timestamp"] - row["pbu_timestamp"]) / 65.536 - delay) < 1 / 65.536
        assert row["link_local"] == LL
    sent_ts = [e.fields["timestamp"] for e in events
               if e.kind == "send" and e.msg == "PBU" and e.fields["lifetime_s"] > 0]
    assert sent_ts == [row["pbu_timestamp"] for _, row in rows]


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_move_keeps_the_default_router(mode: str) -> None:
    """The shipped ``move``: IF1's default router before the move to MAG2 equals its
    default router after it (RFC 5213 §6.8); before, MAG1 and MAG2 advertised from their
    own fe80::a:1 and fe80::a:2."""
    events = _events("move", mode)
    routers = [e.fields["after"]["router"] for e in events if e.kind == "state"
               and e.fields["table"] == "iface" and e.fields["cause"] == "address"]
    assert len(routers) == 2 and routers[0] == routers[1] == LL
    assert {e.fields["ip_src"] for e in events if e.kind == "send" and e.msg == "RA"} == {LL}


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_figure1_each_interface_its_own_session_address(mode: str) -> None:
    """figure1: IF1 (via MAG1, entry created first) and IF2 (via MAG2) are two mobility
    sessions, each with the address the LMA generated for it."""
    events = _events("figure1", mode)
    ras = {(e.node, e.peer, e.fields["ip_src"]) for e in events
           if e.kind == "send" and e.msg == "RA"}
    assert ras == {("MAG1", "mn1@example.org/IF1", "fe80::5213:0:1"),
                   ("MAG2", "mn1@example.org/IF2", "fe80::5213:0:2")}


def test_trace_diff_puts_item_5s_old_values_back() -> None:
    """What the trace pin (``test_trace_vocab``) hashes: the values item 5 changed put
    back as issue 9 wrote them, each from the event itself, the rows' new keys gone."""
    from tests.sim.test_trace_vocab import trace_diff

    ll = {"MAG1": "fe80::a:1", "MAG2": "fe80::a:2"}
    undo = trace_diff.undo_issue10_5
    pbu = {"kind": "recv", "node": "LMA", "peer": "MAG2", "msg": "PBU",
           "fields": {"link_local": "::", "seq": 1}}
    assert undo(pbu, ll)["fields"] == {"link_local": "fe80::a:2", "seq": 1}
    ra = {"kind": "send", "node": "MAG1", "peer": IF1, "msg": "RA",
          "fields": {"ip_src": LL, "hnp": []}}
    assert undo(ra, ll)["fields"]["ip_src"] == "fe80::a:1"
    row = {"mag": "MAG2", "link_local": LL, "timestamp": 9, "pbu_timestamp": 4, "s": 1}
    bce = {"kind": "state", "node": "LMA", "peer": None, "msg": None,
           "fields": {"table": "bce", "before": None, "after": row}}
    assert undo(bce, ll)["fields"]["after"] == {"mag": "MAG2", "link_local": "fe80::a:2",
                                                "timestamp": 4, "s": 1}
    assert row["timestamp"] == 9  # the event itself is not changed
    iface = {"kind": "state", "node": IF1, "peer": None, "msg": None,
             "fields": {"table": "iface", "before": {"up": True, "router": None},
                        "after": {"up": True, "router": LL}}}
    out = undo(iface, ll)["fields"]
    assert out["before"] == out["after"] == {"up": True}
