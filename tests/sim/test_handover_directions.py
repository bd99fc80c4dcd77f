"""A handover's first delivery and first new path per flow direction: the downlink's
(deliveries to the MN, ``first_new_path_ms`` / ``interruption_ms``, as before) and the
uplink's (deliveries at the CN, ``uplink_first_new_path_ms`` /
``uplink_interruption_ms``). An uplink flow's handover used to show no new path and no
interruption: the metrics looked at deliveries to the MN only."""

from __future__ import annotations

import pytest

from pmipviz.cli import main
from pmipviz.scenario import parse_scenario, shipped_dir
from tests.sim.traces import SCENARIOS, data_events, trace_of

# the keys an uplink flow beside figure1's leaves as they are (lost and reordered count
# the MN's flows in both directions)
DOWN_KEYS = ("fault_ms", "dereg_ms", "switch_ms", "pba_ms", "first_new_path_ms",
             "interruption_ms", "end_ms")


def handover(name: str, mode: str = "ft") -> tuple[dict, list]:
    events, metrics, _ = trace_of(str(SCENARIOS / f"{name}.toml"), mode=mode)
    (ho,) = metrics.to_dict()["handovers"]
    return ho, events


def test_uplink_break_has_a_new_path_and_an_interruption() -> None:
    ho, events = handover("uplink-break")
    # n=24 left IF1 before the break (1005 ms) and reaches the CN at 1005 ms: it was past
    # the access link, so it ends no interruption; n=26, the first out of IF2, does
    (n24,) = data_events(events, "deliver", n=24)
    (n26,) = data_events(events, "deliver", n=26)
    assert n24.t_ms == 1005.0 and n26.t_ms == 1036.0
    assert ho["uplink_first_new_path_ms"] == 1036.0
    assert ho["uplink_interruption_ms"] == 31.0
    # the downlink keys keep their meaning: this MN has no downlink flow
    assert ho["first_new_path_ms"] is None and ho["interruption_ms"] is None


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_both_directions_at_once(mode: str) -> None:
    """figure1 plus an uplink flow: the downlink keys are figure1's exactly, the uplink's
    come from the CN's deliveries of packets sent after the fault."""
    ho, events = handover("two-way-break", mode)
    _, metrics1, _ = trace_of("figure1", mode=mode)
    (fig1,) = metrics1.to_dict()["handovers"]
    assert {k: ho[k] for k in DOWN_KEYS} == {k: fig1[k] for k in DOWN_KEYS}
    assert fig1["uplink_first_new_path_ms"] is None and fig1["uplink_interruption_ms"] is None
    # the uplink packet sent at 985 ms out of IF1 reaches the CN after the fault, the
    # first sent after it (1005 ms, out of IF2) at 1021 ms
    at_cn = [e for e in data_events(events, "deliver", flow=1) if e.t_ms > 1000.0]
    assert at_cn[0].fields["n"] == 24 and at_cn[0].t_ms < 1021.0
    assert ho["uplink_first_new_path_ms"] == 1021.0
    assert ho["uplink_interruption_ms"] == 21.0


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_uplink_move_new_path_is_the_other_mag(mode: str) -> None:
    """A move keeps the interface: an uplink packet through the new MAG is on the new
    path, one through the old MAG is not."""
    text = (shipped_dir() / "move.toml").read_text()
    old = 'from = "CN"\nto = "mn2@example.org"'
    assert old in text
    sc = parse_scenario(text.replace(old, 'from = "mn2@example.org"\nto = "CN"'),
                        name="move-uplink")
    events, metrics, _ = trace_of(sc, mode=mode)
    (ho,) = metrics.to_dict()["handovers"]
    first_via_mag2 = min(e.fields["n"] for e in data_events(events, "send", hop=0)
                         if e.peer == "MAG2")
    (arrival,) = data_events(events, "deliver", n=first_via_mag2)
    assert ho["uplink_first_new_path_ms"] == arrival.t_ms
    assert ho["uplink_interruption_ms"] is not None
    assert ho["uplink_interruption_ms"] <= arrival.t_ms - ho["fault_ms"]
    assert ho["first_new_path_ms"] is None


def test_summary_table_shows_the_uplink(capsys) -> None:
    assert main(["run", str(SCENARIOS / "uplink-break.toml")]) == 0
    out = capsys.readouterr().out
    assert "new path ↑" in out and "interruption ↑" in out
    row = next(ln for ln in out.splitlines() if ln.lstrip().startswith("mn1@example.org/IF1"))
    assert row.split()[-2:] == ["1036", "31"]


def test_summary_table_both_directions(capsys) -> None:
    assert main(["run", str(SCENARIOS / "two-way-break.toml")]) == 0
    out = capsys.readouterr().out
    rows = [ln.split() for ln in out.splitlines()
            if ln.lstrip().startswith("mn1@example.org/IF1")]
    assert rows[0][-2:] == ["1036", "36"] and rows[1][-2:] == ["1021", "21"]
    assert "new path ↓" in out and "new path ↑" in out


def test_metrics_only_run_folds_the_same() -> None:
    """A sweep's runs (``metrics_only``: sends carry only flow, n, hop) find the same
    uplink origins as a full run."""
    from pmipviz.sim.headless import run
    from tests.sim.traces import scenario_file

    sc = scenario_file("two-way-break")
    full, _ = run(sc, mode="ft")
    lean, _ = run(sc, mode="ft", metrics_only=True)
    assert full.to_dict()["handovers"] == lean.to_dict()["handovers"]
    assert full.to_dict()["handovers"][0]["uplink_interruption_ms"] == 21.0
