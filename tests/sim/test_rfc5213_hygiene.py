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
