"""Issue 10 item 5 in whole runs: an MN whose profile does not enable PMIPv6 service
(PBA 152), and packets that come up a tunnel the LMA has torn down (``tunnel_down``).
Expected times are sums of the scenario's delays, worked out in each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import ScenarioError, load_scenario, parse_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
MN_LINE = 'id = "mn1@example.org"\n'


def _events(sc, mode: str) -> tuple[list[TraceEvent], dict]:
    out: list[TraceEvent] = []
    metrics, _ = run(sc, mode=mode, sinks=[out.append], describe=describe)
    return out, metrics.to_dict()


def _figure1_with(line: str):
    text = (SCENARIOS / "figure1.toml").read_text()
    assert MN_LINE in text
    return parse_scenario(text.replace(MN_LINE, MN_LINE + line, 1), name="figure1-variant")


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_an_mn_not_authorized_for_pmipv6_service_gets_152(mode: str) -> None:
    """figure1 with ``authorized = false`` on mn1: IF1 attaches at 0, its RS reaches
    MAG1 at 0 + 1 (access), the PBU the LMA at 1 + 5 = 6, the PBA (152) MAG1 at
    6 + 5 = 11; IF2 (attach 100) the same through MAG2: PBA at 100 + 1 + 5 + 5 = 111.
    Nothing is registered, so nothing is delivered."""
    events, d = _events(_figure1_with("authorized = false\n"), mode)
    pbas = [(e.t_ms, e.node, e.fields["status"]) for e in events
            if e.kind == "recv" and e.msg == "PBA"]
    assert pbas == [(11.0, "MAG1", 152), (111.0, "MAG2", 152)]
    (first,) = [e for e in events if e.kind == "send" and e.msg == "PBA" and e.t_ms == 6.0]
    assert first.fields["ref"] == "RFC 5213 §5.3.1"
    assert "does not enable network-based mobility (PMIPv6) service" in first.note
    assert not any(e.kind == "state" and e.fields["table"] == "bce" for e in events)
    assert d["delivered"] == 0


def test_authorized_must_be_a_boolean() -> None:
    with pytest.raises(ScenarioError) as info:
        _figure1_with('authorized = "no"\n')
    assert "authorized" in str(info.value)


def test_move_ft_drops_the_flush_that_comes_up_a_torn_down_tunnel() -> None:
    """move: CN sends n at 500 + 10n ms; it reaches the LMA 10 ms later and MAG1 5 ms
    after that. IF1 moves at 1000: its RS reaches MAG2 at 1001, the HI=3 PBU the LMA at
    1001 + 15 = 1016, which moves the entry and tears Tunnel1 down (mn2 was its only
    user). n=49 and n=50 reached the LMA (1000, 1010) before 1016 and MAG1 (1005, 1015)
    after IF1 left: MAG1 caches them. MAG1 notices at 1000 + 20 = 1020, its DeReg PBU
    is ignored (no PBA), so at 1020 + 1000 (INITIAL_BINDACK_TIMEOUT) it sends them up
    Tunnel1: they reach the LMA at 2025 and are dropped there, not forwarded."""
    events, d = _events(load_scenario("move"), "ft")
    down = [e.t_ms for e in events if e.kind == "state" and e.fields["table"] == "tunnel"
            and e.fields["key"] == "Tunnel1" and e.fields["after"] is None]
    assert down == [1016.0]
    drops = [(e.t_ms, e.node, e.fields["n"], e.fields["ref"]) for e in events
             if e.kind == "drop"]
    assert drops == [(2025.0, "LMA", 49, "RFC 5213 §5.6.1"), (2025.0, "LMA", 50, "RFC 5213 §5.6.1")]
    assert all("torn down" in e.note for e in events if e.kind == "drop")
    assert (d["sent"], d["delivered"], d["lost_by_reason"]) == (200, 198, {"tunnel_down": 2})


def test_move_rfc5213_loses_nothing_to_a_torn_down_tunnel() -> None:
    """RFC 5213 mode: MAG1 has no cache, so nothing comes up Tunnel1 after 1016."""
    _, d = _events(load_scenario("move"), "rfc5213")
    assert "tunnel_down" not in d["lost_by_reason"]


# -- §5.4.1.2-4: an attach with HI=4 (scenario key attach_hi) ---------------------------------

def _figure1_hi4(faults: bool):
    text = (SCENARIOS / "figure1.toml").read_text()
    old = "attach_ms = 100 }"
    assert old in text
    text = text.replace(old, "attach_ms = 100, attach_hi = 4 }", 1)
    if not faults:
        text = text[: text.index("[[fault]]")]
    return parse_scenario(text, name="figure1-hi4")


def _signalling(events: list[TraceEvent]) -> list[tuple]:
    return [(e.t_ms, e.kind, e.node, e.msg or e.fields.get("cause"), e.fields.get("seq"),
             e.fields.get("case")) for e in events
            if (e.msg in ("PBU", "PBA") and e.kind == "recv")
            or (e.kind == "state" and e.fields.get("table") in ("lma", "bce"))]


def test_hi4_attach_waits_then_gets_a_new_session_when_no_dereg_comes() -> None:
    """figure1 without its fault, IF2 attaching with HI=4 (rfc5213). IF1's entry is
    created at 0 + 1 + 5 = 6. IF2's RS reaches MAG2 at 100 + 1 = 101, its PBU the LMA at
    101 + 5 = 106: no entry matches its MN LL-ID, the MN has exactly one, HI=4 -> the
    LMA waits (§5.4.1.2-4) until 106 + 1500 (MaxDelayBeforeNewBCEAssign) = 1606. MAG2
    retransmits at 101 + 1000 (INITIAL_BINDACK_TIMEOUT) = 1101 (seq 2, at the LMA
    1106): held again, the deadline stays. At 1606 no DeReg came: a new session, its
    PBA (seq 2) at MAG2 at 1611, IF2's address from a new HNP at 1612."""
    events, d = _events(_figure1_hi4(faults=False), "rfc5213")
    assert _signalling(events) == [
        (6.0, "recv", "LMA", "PBU", 1, None),
        (6.0, "state", "LMA", "register", None, "5.4.1.2-5"),
        (11.0, "recv", "MAG1", "PBA", 1, None),
        (106.0, "recv", "LMA", "PBU", 1, None),
        (106.0, "state", "LMA", "wait", None, "5.4.1.2-4"),
        (1106.0, "recv", "LMA", "PBU", 2, None),
        (1106.0, "state", "LMA", "wait", None, "5.4.1.2-4"),
        (1606.0, "state", "LMA", "register", None, "5.4.1.2-4 timeout"),
        (1611.0, "recv", "MAG2", "PBA", 2, None),
    ]
    waits = [e.fields["after"]["until_ms"] for e in events
             if e.kind == "state" and e.fields["cause"] == "wait"]
    assert waits == [1606.0, 2606.0]  # each PBU is told its own; the first one decides
    (addr,) = [e for e in events if e.kind == "state" and e.node == "mn1@example.org/IF2"
               and e.fields["cause"] == "address"]
    assert addr.t_ms == 1612.0 and addr.fields["after"]["hnp"] == ["2001:db8:100:1::/64"]
    assert d["lost"] == 0


def test_hi4_attach_takes_over_the_session_the_old_mag_de_registers() -> None:
    """figure1 (rfc5213) with IF2 attaching with HI=4: held at 106 as above. IF1 breaks
    at 1000, MAG1 notices at 1000 + 20 = 1020, its DeReg PBU reaches the LMA at 1025:
    the held PBU becomes the update of that entry (§5.4.1.2-4), which moves to MAG2
    with IF1's prefix: PBA at MAG2 at 1030, IF2's RA at 1031. The flow (CN sends n at
    500 + 10n; it reaches the LMA at 510 + 10n, MAG1 at 515 + 10n) loses only what the
    LMA routed to MAG1 up to 1025 and reached MAG1 after the break: n=49, 50, 51 (at
    MAG1 1005, 1015, 1025); n=52 reaches the LMA at 1030 and goes to MAG2. In figure1's
    rfc5213 run the §5.3.5 hold drops the rest of the stream instead."""
    events, d = _events(_figure1_hi4(faults=True), "rfc5213")
    sig = _signalling(events)
    assert (1025.0, "state", "LMA", "dereg", None, None) in sig
    assert (1025.0, "state", "LMA", "revive", None, "5.4.1.2-4") in sig
    assert (1030.0, "recv", "MAG2", "PBA", 1, None) in sig
    (addr,) = [e for e in events if e.kind == "state" and e.node == "mn1@example.org/IF2"
               and e.fields["cause"] == "address"]
    assert addr.t_ms == 1031.0 and addr.fields["after"]["hnp"] == ["2001:db8:100::/64"]
    assert [(e.t_ms, e.fields["n"], e.fields["reason"]) for e in events if e.kind == "drop"] \
        == [(1005.0, 49, "link_down"), (1015.0, 50, "link_down"), (1025.0, 51, "link_down")]
    assert (d["delivered"], d["lost_by_reason"]) == (197, {"link_down": 3})


def test_hi4_attach_does_not_wait_in_ft_mode() -> None:
    """The draft's lookup associates interfaces by MN-ID and has no HI=4 wait: IF2 is
    registered at 106 as in figure1."""
    events, _ = _events(_figure1_hi4(faults=False), "ft")
    assert not any(e.kind == "state" and e.fields["cause"] == "wait" for e in events)
    assert (106.0, "state", "LMA", "register", None, "ft-new") in _signalling(events)


@pytest.mark.parametrize("value", [0, 2, 3, 5, "4", True])
def test_attach_hi_must_be_1_or_4(value) -> None:
    text = (SCENARIOS / "figure1.toml").read_text()
    bad = f"attach_ms = 100, attach_hi = {value if not isinstance(value, str) else repr(value)} }}"
    bad = bad.replace("True", "true").replace("'", '"')
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text.replace("attach_ms = 100 }", bad, 1), name="bad")
    assert "attach_hi" in str(info.value)


def test_an_interface_repaired_before_its_first_attach_still_sends_hi4() -> None:
    """IF2 (attach_hi = 4, attach_ms 100) broken at 50 and restored at 200: its first
    attach is at 200, so its RS reaches MAG2 at 201 and its HI=4 PBU the LMA at 206,
    which holds it until 206 + 1500 = 1706 (no fault on IF1 in this variant)."""
    text = (SCENARIOS / "figure1.toml").read_text()
    text = text.replace("attach_ms = 100 }", "attach_ms = 100, attach_hi = 4 }", 1)
    text = text[: text.index("[[fault]]")] + (
        '[[fault]]\nat_ms = 50\naction = "break"\ninterface = "mn1@example.org/IF2"\n\n'
        '[[fault]]\nat_ms = 200\naction = "restore"\ninterface = "mn1@example.org/IF2"\n')
    events, _ = _events(parse_scenario(text, name="figure1-hi4-repaired"), "rfc5213")
    pbus = [(e.t_ms, e.fields["hi"]) for e in events
            if e.kind == "recv" and e.msg == "PBU" and e.peer == "MAG2"]
    assert pbus[0] == (206.0, 4)
    waits = [(e.t_ms, e.fields["after"]["until_ms"]) for e in events
             if e.kind == "state" and e.fields["cause"] == "wait"]
    assert waits[0] == (206.0, 1706.0)
