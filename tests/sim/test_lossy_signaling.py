"""lossy-signaling shows the retransmission back-off (issue 11 defect 5): its seeded
loss drops the first PBA and then the first retransmission, so MAG1 waits
INITIAL_BINDACK_TIMEOUT, then twice that, before the PBU that gets through."""

from __future__ import annotations

import pytest

from pmipviz.lesson.sentences import describe
from pmipviz.protocol.constants import INITIAL_BINDACK_TIMEOUT_MS
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_a_lost_pba_then_a_lost_pbu_show_the_back_off(mode: str) -> None:
    sc = load_scenario("lossy-signaling")
    access = sc.mags[0].access_delay_ms
    backhaul = next(link.delay_ms for link in sc.links if "MAG1" in (link.a, link.b))
    events: list[TraceEvent] = []
    run(sc, mode=mode, sinks=[events.append], describe=describe)
    sig = [(e.t_ms, e.kind, e.msg) for e in events
           if e.msg in ("PBU", "PBA") and e.kind in ("send", "recv", "drop")]
    first = access  # the RS reached MAG1: its first PBU
    retx1 = first + INITIAL_BINDACK_TIMEOUT_MS
    retx2 = retx1 + 2 * INITIAL_BINDACK_TIMEOUT_MS  # the back-off doubles the wait
    assert sig == [
        (first, "send", "PBU"), (first + backhaul, "recv", "PBU"),
        (first + backhaul, "send", "PBA"), (first + 2 * backhaul, "drop", "PBA"),
        (retx1, "send", "PBU"), (retx1 + backhaul, "drop", "PBU"),
        (retx2, "send", "PBU"), (retx2 + backhaul, "recv", "PBU"),
        (retx2 + backhaul, "send", "PBA"), (retx2 + 2 * backhaul, "recv", "PBA")]
    notes = [e.note for e in events if e.kind == "send" and e.msg == "PBU"]
    assert "1000 ms" in notes[1] and "2000 ms" in notes[2]
    ra = next(e for e in events if e.kind == "recv" and e.msg == "RA")
    assert ra.t_ms == retx2 + 2 * backhaul + access
