"""Packets that the fault storm found without a fate, each pinned by the smallest
scenario that showed it (written to a file and loaded like a user's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def write_variant(tmp_path: Path, name: str, *changes: tuple[str, str]) -> Scenario:
    """A shipped scenario with text replaced (each change must apply once), written
    to ``tmp_path`` and loaded through the loader."""
    text = (SCENARIOS / f"{name}.toml").read_text()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}-variant.toml"
    path.write_text(text)
    return load_scenario(path)


@pytest.fixture
def bounced_after_dereg(tmp_path: Path) -> Scenario:
    """Figure 1 where MAG1's DeReg round trip (2 ms) and detection (0 ms) are shorter
    than its access delay (10 ms): the packet on the access link when IF1 breaks
    comes back to MAG1 after it has removed IF1's binding and flushed its cache."""
    return write_variant(
        tmp_path, "figure1",
        ('name = "MAG1"\naddress = "2001:db8:ffff::11"\naccess_delay_ms = 1\ndetection_ms = 20',
         'name = "MAG1"\naddress = "2001:db8:ffff::11"\naccess_delay_ms = 10\ndetection_ms = 0'),
        ('between = ["LMA", "MAG1"]\ndelay_ms = 5', 'between = ["LMA", "MAG1"]\ndelay_ms = 1'),
        ("at_ms = 1000\n", "at_ms = 1015\n"))


def test_a_packet_bouncing_off_a_removed_binding_is_sent_back_up_once(
        bounced_after_dereg: Scenario) -> None:
    events: list = []
    metrics, world = run(bounced_after_dereg, until_ms=600_000, sinks=[events.append])
    d = metrics.to_dict()
    assert (d["sent"], d["delivered"], d["lost"], d["queued"]) == (200, 200, 0, 0)
    assert all(not m.cache for m in world.mags.values())
    (back,) = [e for e in events if e.kind == "send" and e.msg == "DATA"
               and e.node == "MAG1" and e.peer == "LMA"]
    assert "no longer serves" in back.note and "back up the tunnel" in back.note
    # it reaches the MN through MAG2
    ends = [e for e in events if e.msg == "DATA" and e.fields["pid"] == back.fields["pid"]
            and e.kind == "deliver"]
    assert ends and ends[0].peer == "MAG2"


