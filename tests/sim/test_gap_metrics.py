"""Metrics that cannot mislead (issue 10 item 6), on ``scenarios/gap.toml``, a
scenario written for them: ``max_gap_ms`` over a flow's whole life (from its first
expected arrival to its last) and the ``lost`` / ``reordered`` of each handover.

Every expected value is computed below from the scenario's delays."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.scenario import Scenario, load_scenario, parse_scenario
from tests.sim.traces import trace_of

GAP = Path(__file__).resolve().parent / "scenarios" / "gap.toml"
MODES = ("ft", "rfc5213")

# the delays of gap.toml
ACCESS, TO_MAG, CN_LMA = 1.0, 5.0, 10.0
DELAY = CN_LMA + TO_MAG + ACCESS  # CN -> MN, through either MAG: 16 ms
INTERVAL = 10.0  # flow 0: 100 packets a second, from 0 to 2000 ms
LAST_SENT = 1990.0  # its packet 199 (a packet is sent while its time is < stop_ms)
FAULT = 1000.0  # IF1 breaks
DETECTION = 20.0

# IF1 attaches at 0 and has its address when the RA reaches it: RS up the access
# link, PBU to the LMA, PBA back, RA down the access link
ADDRESS = ACCESS + TO_MAG + TO_MAG + ACCESS  # 12 ms
FIRST_N = 2  # the first packet sent once IF1 has an address (at 20 >= 12): n=2
LEAD = FIRST_N * INTERVAL  # packet 0's expected arrival (0 + 16) to the first delivery (36)
# the last packet delivered over MAG1 left the CN at 980: on the access link (995) before
# the break; the next ones reach MAG1 after it
LAST_BEFORE = 980.0 + DELAY  # 996
# ft: the DeReg PBU leaves MAG1 at 1020 and reaches the LMA at 1025, which routes to
# MAG2 from then on: the first packet to reach the LMA after it left the CN at 1020
FIRST_NEW_PATH = 1020.0 + DELAY  # 1036
# what MAG1 cached (sent at 990, 1000, 1010) goes up the tunnel at the PBA (1030) and
# arrives after n=102: three packets delivered after a higher number
CACHED = 3


def gap(*, faults: str | None = None) -> Scenario:
    """gap.toml, its faults replaced by ``faults`` when given."""
    text = GAP.read_text()
    if faults is not None:
        text = text[: text.index("[[fault]]")] + faults
    return parse_scenario(text, name="gap")


def restore_at(t: float) -> str:
    return (f'[[fault]]\nat_ms = {FAULT}\naction = "break"\ninterface = "mn1@example.org/IF1"\n\n'
            f'[[fault]]\nat_ms = {t}\naction = "restore"\ninterface = "mn1@example.org/IF1"\n')


@pytest.mark.parametrize("mode", MODES)
def test_the_gap_starts_at_the_first_expected_arrival(mode: str) -> None:
    """Without a fault the only gap longer than the flow's interval is at its start:
    packets 0 and 1 are lost (no address yet), so nothing arrives from packet 0's
    expected arrival (16 ms) until packet 2's delivery (36 ms). Between deliveries
    alone the gap would be 10 ms."""
    _, metrics, _ = trace_of(gap(faults=""), mode=mode)
    flow = metrics.to_dict()["flows"][0]
    assert flow["lost"] == FIRST_N and flow["delivered"] == 200 - FIRST_N
    assert flow["max_gap_ms"] == LEAD == 20.0


@pytest.mark.parametrize("mode", MODES)
def test_a_flow_that_never_delivers_has_its_whole_life_as_gap(mode: str) -> None:
    """Flow 1 sends 12 packets, one a millisecond from 0 to 11 ms, all before IF1 has
    an address: no delivery, so its gap is its life, from 0 to 11 ms."""
    _, metrics, _ = trace_of(gap(), mode=mode)
    flow = metrics.to_dict()["flows"][1]
    assert (flow["sent"], flow["delivered"], flow["lost"]) == (12, 0, 12)
    assert flow["max_gap_ms"] == 11.0


def test_ft_the_gap_is_the_break_between_two_deliveries() -> None:
    events, metrics, _ = trace_of(gap(), mode="ft")
    d = metrics.to_dict()
    flow = d["flows"][0]
    assert flow["lost"] == FIRST_N and flow["reordered"] == CACHED
    # the last packet (sent at 1990) arrives over MAG2 at its expected time, 2006
    last = max(e.t_ms for e in events if e.kind == "deliver" and e.fields["flow"] == 0)
    assert last == LAST_SENT + DELAY
    assert flow["max_gap_ms"] == FIRST_NEW_PATH - LAST_BEFORE == 40.0
    (ho,) = d["handovers"]
    assert ho["first_new_path_ms"] == FIRST_NEW_PATH
    # the two packets lost before the fault (no address) are not the handover's
    assert (ho["lost"], ho["reordered"], ho["end_ms"]) == (0, CACHED, None)


def test_rfc5213_the_gap_runs_to_the_last_expected_arrival() -> None:
    """The flow stops delivering for good at the break: its gap runs from the last
    delivery (996) to the expected arrival of its last packet (1990 + 16)."""
    _, metrics, _ = trace_of(gap(), mode="rfc5213")
    d = metrics.to_dict()
    flow = d["flows"][0]
    lost_after = int((LAST_SENT - (LAST_BEFORE - DELAY)) / INTERVAL)  # 990..1990: 101
    assert lost_after == 101
    assert (flow["delivered"], flow["lost"]) == (200 - FIRST_N - lost_after,
                                                 FIRST_N + lost_after)
    assert flow["max_gap_ms"] == LAST_SENT + DELAY - LAST_BEFORE == 1010.0
    (ho,) = d["handovers"]
    assert (ho["lost"], ho["reordered"], ho["end_ms"]) == (lost_after, 0, None)


@pytest.mark.parametrize("mode", MODES)
def test_a_handover_owns_the_fates_until_the_mns_next_fault(mode: str) -> None:
    """IF1 is restored at 1505: the handover's span ends there. In rfc5213 mode the
    LMA drops the MN's packets (dereg_hold) as they arrive, 10 ms after they are
    sent, so the handover counts the packets sent from 990 to 1490 (the one sent at
    1490 is dropped at 1500 < 1505): 51, whatever the restore does afterwards. In ft
    mode traffic stays on IF2: nothing lost, the three cached packets reordered."""
    end = 1505.0
    events, metrics, _ = trace_of(gap(faults=restore_at(end)), mode=mode)
    (ho,) = metrics.to_dict()["handovers"]
    assert ho["end_ms"] == end
    if mode == "ft":
        assert (ho["lost"], ho["reordered"]) == (0, CACHED)
    else:
        assert (ho["lost"], ho["reordered"]) == (int((1490.0 - 990.0) / INTERVAL) + 1, 0)
    # and so, in both modes, by the definition: the drops of the MN's flows in the span
    drops = [e for e in events if e.kind == "drop" and e.msg == "DATA"]
    assert ho["lost"] == sum(FAULT <= e.t_ms < end for e in drops)


def test_figure1_rfc5213_gap_runs_to_the_last_expected_arrival() -> None:
    """Figure 1 in rfc5213 mode loses the stream at the break: the gap runs from the
    last delivery (sent at 980, 996) to packet 199's expected arrival (2490 + 16), and
    the handover counts the 151 packets lost from the break on."""
    _, metrics, _ = trace_of(load_scenario("figure1"), mode="rfc5213")
    d = metrics.to_dict()
    (flow,) = d["flows"]
    assert flow["max_gap_ms"] == 2490.0 + DELAY - LAST_BEFORE == 1510.0
    (ho,) = d["handovers"]
    assert (ho["lost"], ho["reordered"]) == (flow["lost"], 0) == (151, 0)


def test_figure1_ft_gap_and_handover_are_unchanged_by_the_new_measure() -> None:
    """In ft mode figure1 loses nothing and its first and last packets arrive on time:
    the gap is the one between two deliveries, 996 to 1036, as before."""
    _, metrics, _ = trace_of(load_scenario("figure1"), mode="ft")
    d = metrics.to_dict()
    assert d["flows"][0]["max_gap_ms"] == FIRST_NEW_PATH - LAST_BEFORE == 40.0
    (ho,) = d["handovers"]
    assert (ho["lost"], ho["reordered"], ho["end_ms"]) == (0, CACHED, None)
