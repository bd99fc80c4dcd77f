"""Edge cases found in review: each builds a variant of a shipped scenario and checks
that no packet is stranded, looped or miscounted, and that replays stay exact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pmipviz.scenario import Scenario, load_scenario, parse_scenario
from pmipviz.scenario.model import Fault
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.world import World
from tests.sim.traces import trace_of

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def variant(name: str, *changes: tuple[str, str], faults: str | None = None) -> Scenario:
    """A shipped scenario with text replaced (each change must apply) and new faults."""
    text = (SCENARIOS / f"{name}.toml").read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    if faults is not None:
        text = text[: text.index("[[fault]]")] + faults
    return parse_scenario(text, name=f"{name}-variant")


def fault(at: float, action: str, interface: str, to_mag: str | None = None) -> str:
    extra = f'to_mag = "{to_mag}"\n' if to_mag else ""
    return f'[[fault]]\nat_ms = {at}\naction = "{action}"\ninterface = "{interface}"\n{extra}\n'


def run_checked(sc: Scenario, mode: str | None = None, **kw):
    events, metrics, world = trace_of(sc, mode=mode, **kw)
    d = metrics.to_dict()
    assert d["sent"] == d["delivered"] + d["lost"] + d["queued"]
    assert d["queued"] == world.queued()
    ends = Counter(e.fields["pid"] for e in events
                   if e.msg == "DATA" and e.kind in ("deliver", "drop"))
    assert not [pid for pid, n in ends.items() if n > 1]  # one end per packet
    return events, d, world


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_uplink_flow_mn_to_cn(mode) -> None:
    sc = variant("figure1", ('from = "CN"\nto = "mn1@example.org"',
                             'from = "mn1@example.org"\nto = "CN"'))
    events, d, _ = run_checked(sc, mode)
    assert d["sent"] == 200
    delivered_at = {e.node for e in events if e.kind == "deliver"}
    assert delivered_at == {"CN"}
    hops = {(e.node, e.peer) for e in events if e.kind == "send" and e.msg == "DATA"}
    assert ("mn1@example.org/IF1", "MAG1") in hops and ("MAG1", "LMA") in hops
    # the downlink keys count deliveries to the MN, the uplink ones deliveries at the CN
    assert d["handovers"][0]["first_new_path_ms"] is None
    assert d["handovers"][0]["uplink_first_new_path_ms"] is not None


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_move_away_and_back_before_detection(mode) -> None:
    sc = variant("move", faults=fault(1000, "move", "mn2@example.org/IF1", "MAG2")
                 + fault(1010, "move", "mn2@example.org/IF1", "MAG1"))
    events, d, world = run_checked(sc, mode)
    assert d["lost"] <= 1 and d["queued"] == 0
    (bce,) = world.lma.cache.entries.values()
    assert bce.mag == "MAG1" and bce.state == "active"
    pbus = [e for e in events if e.kind == "send" and e.msg == "PBU" and e.node == "MAG1"
            and e.t_ms > 1010]
    assert pbus and pbus[0].fields["hi"] == 3  # MAG1 registers the returning interface


def test_restore_after_detection_before_the_pba_strands_nothing() -> None:
    sc = variant("figure1", faults=fault(1000, "break", "mn1@example.org/IF1")
                 + fault(1025, "restore", "mn1@example.org/IF1"))
    events, d, world = run_checked(sc, "ft")
    assert d["lost"] == 0 and d["queued"] == 0
    assert all(len(m.cache) == 0 for m in world.mags.values())
    direct = [e for e in events if e.kind == "buffer" and e.fields["op"] == "out"]
    assert direct and all(e.step is None for e in direct)  # down the link: not step 6


def test_early_restore_delivers_the_cache_marked_cached() -> None:
    sc = variant("figure1", faults=fault(1000, "break", "mn1@example.org/IF1")
                 + fault(1010, "restore", "mn1@example.org/IF1"))
    events, d, _ = run_checked(sc, "ft")
    assert d["lost"] == 0
    out = [e for e in events if e.kind == "buffer" and e.fields["op"] == "out"]
    assert out and all(e.step is None for e in out)
    pids = {e.fields["pid"] for e in out}
    delivered = [e for e in events if e.kind == "deliver" and e.fields["pid"] in pids]
    assert delivered and all(e.fields["cached"] for e in delivered)
    assert all(e.node.endswith("/IF1") for e in delivered)


def test_stale_dereg_from_the_old_mag_is_ignored_not_rejected() -> None:
    sc = variant("move", ("detection_ms = 20", "detection_ms = 0"),
                 ('between = ["LMA", "MAG1"]\ndelay_ms = 5', 'between = ["LMA", "MAG1"]\n'
                  'delay_ms = 20'),
                 ('between = ["LMA", "MAG2"]\ndelay_ms = 15', 'between = ["LMA", "MAG2"]\n'
                  'delay_ms = 5'))
    events, d, world = run_checked(sc, "ft")
    assert not any(e.msg == "PBA" and e.fields["status"] >= 128 for e in events)
    assert any(e.kind == "state" and e.fields["cause"] == "ignore" for e in events)
    # issue 10 item 5: the entry moves to MAG2 at 1006 (RS 1 ms + MAG2-LMA 5 ms) and the
    # LMA tears Tunnel1 down; n=47..49 reach MAG1 at 530+10n = 1000..1020 ms, after the
    # move, and are cached; sent up Tunnel1 at 2000 (detection 0 + 1 s without a PBA),
    # they reach the LMA at 2020 and are dropped there, not forwarded
    assert d["lost"] == d["lost_by_reason"]["tunnel_down"] == 3
    assert d["queued"] == 0 and not world.mags["MAG1"].bul
    drops = [(e.t_ms, e.fields["n"]) for e in events
             if e.kind == "drop" and e.fields.get("reason") == "tunnel_down"]
    assert drops == [(2020.0, 47), (2020.0, 48), (2020.0, 49)]


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_short_lifetime_survives_lost_signalling(mode) -> None:
    sc = variant("lossy-signaling", ("duration_ms = 6000", "duration_ms = 60000"),
                 ("seed = 5", "seed = 1"),
                 ("lifetime_s = 8", "lifetime_s = 4"), ("loss = 0.3", "loss = 0.2"),
                 ("stop_ms = 5500", "stop_ms = 59000"))
    events, d, world = run_checked(sc, mode)
    assert "no_binding" not in d["lost_by_reason"] or d["lost_by_reason"]["no_binding"] < 50
    entry = world.mags["MAG1"].bul["mn3@example.org/IF1"]
    assert entry.state in ("registered", "registering")  # never stuck as rejected
    assert not any(e.msg == "PBA" and e.fields.get("status") == 155 for e in events)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_processing_delay_keeps_the_world_count_exact(mode) -> None:
    sc = variant("figure1", ("duration_ms = 3000", "duration_ms = 1032\nprocessing_ms = 3"))
    _, d, _ = run_checked(sc, mode)
    assert d["queued"] > 0


def test_move_before_attach_registers_once() -> None:
    sc = variant("figure1", ("duration_ms = 3000", "duration_ms = 30000"),
                 ('prefix_pool = "2001:db8:100::/40"',
                  'prefix_pool = "2001:db8:100::/40"\nlifetime_s = 8'),
                 faults=fault(50, "move", "mn1@example.org/IF2", "MAG1"))
    events, d, world = run_checked(sc, "ft")
    assert "mn1@example.org/IF2" not in world.mags["MAG2"].bul
    handoffs = [e for e in events if e.kind == "state" and e.fields["cause"] == "handoff"]
    assert handoffs == []
    assert d["lost"] == 0


def test_lost_dereg_pbu_never_loops() -> None:
    sc = load_scenario("figure1").with_changes(duration_ms=5000.0)
    events: list = []
    world = World(sc, sinks=[events.append])
    link = world.links[("MAG1", "LMA")]
    world.at(1019.5, lambda: setattr(link, "loss", 1.0))  # only the DeReg PBU is lost
    world.at(1020.5, lambda: setattr(link, "loss", 0.0))
    world.env.run(until=5000)
    reasons = Counter(e.fields["reason"] for e in events if e.kind == "drop" and e.msg == "DATA")
    assert "ttl" not in reasons
    assert len(events) < 3000


def test_two_injections_at_the_same_point_both_apply_and_replay() -> None:
    sim = Simulation(load_scenario("figure1").with_changes(faults=()))
    sim.run(800.0)
    sim.inject(Fault(0, "break", "mn1@example.org/IF1"))
    sim.inject(Fault(0, "break", "mn1@example.org/IF2"))
    sim.run_to_end()
    faults = [(e.t_ms, e.fields["interface"]) for e in sim.trace if e.kind == "fault"]
    assert faults == [(800.0, "mn1@example.org/IF1"), (800.0, "mn1@example.org/IF2")]
    again = Simulation(sim.scenario, actions=tuple(sim.actions))
    again.run_to_end()
    assert [e.to_json() for e in again.trace] == [e.to_json() for e in sim.trace]


def test_injection_at_the_end_of_a_run_replays_exactly() -> None:
    sc = variant("figure1", ("stop_ms = 2500", "stop_ms = 1700"),
                 faults=fault(1000, "break", "mn1@example.org/IF1")
                 + fault(1800, "restore", "mn1@example.org/IF1"))
    sim = Simulation(sc)
    sim.run_to_end()
    sim.seek(sim.total)
    sim.inject(Fault(0, "break", "mn1@example.org/IF2"))
    sim.run_to_end()
    last = [e for e in sim.trace if e.kind == "fault"][-1]
    assert last.t_ms == sim.actions[-1].t_ms
    again = Simulation(sc, actions=tuple(sim.actions))
    again.run_to_end()
    assert [e.to_json() for e in again.trace] == [e.to_json() for e in sim.trace]


def test_handover_metrics_end_at_a_restore() -> None:
    sc = variant("figure1", faults=fault(1000, "break", "mn1@example.org/IF1")
                 + fault(1010, "restore", "mn1@example.org/IF1")
                 + fault(2000, "break", "mn1@example.org/IF1"))
    _, d, _ = run_checked(sc, "ft")
    first, second = d["handovers"]
    assert first["first_new_path_ms"] is None or first["first_new_path_ms"] < 2000
    assert second["fault_ms"] == 2000 and second["first_new_path_ms"] > 2000


def test_breaking_an_interface_before_it_attaches_keeps_it_off_until_restored() -> None:
    sim = Simulation(load_scenario("figure1"))
    assert sim.toggle_interface("mn1@example.org/IF1").action == "break"
    sim.run(500.0)
    row = sim.view.ifaces["mn1@example.org/IF1"]
    assert row["broken"] and not row["up"] and row["mag"] is None
    assert sim.toggle_interface("mn1@example.org/IF1").action == "restore"
    sim.run(700.0)
    row = sim.view.ifaces["mn1@example.org/IF1"]
    assert row["up"] and row["mag"] == "MAG1" and row["address"] and not row["broken"]
    sim.run_to_end()
    again = Simulation(sim.scenario, actions=tuple(sim.actions))
    again.run_to_end()
    assert [e.to_json() for e in again.trace] == [e.to_json() for e in sim.trace]


def test_no_figure1_story_before_the_mn_is_multihomed() -> None:
    sc = load_scenario("figure1").with_changes(
        faults=(Fault(11.0, "break", "mn1@example.org/IF1"),))
    events, d, _ = run_checked(sc, "ft")
    assert {e.step for e in events if e.step} <= {1}  # no handover steps: M was 0
    assert d["lost"] == 0
