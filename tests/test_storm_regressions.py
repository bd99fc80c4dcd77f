"""Packets that the fault storm found without a fate, each pinned by the smallest
scenario that showed it (written to a file and loaded like a user's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def write_variant(tmp_path: Path, name: str, *changes: tuple[str, str],
                  extra: str = "") -> Scenario:
    """A shipped scenario with text replaced (each change in turn, each must apply
    once) and ``extra`` appended, written to ``tmp_path`` and loaded by the loader."""
    text = (SCENARIOS / f"{name}.toml").read_text()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}-variant.toml"
    path.write_text(text + extra)
    return load_scenario(path)


FAST_DEREG = (
    ('name = "MAG1"\naddress = "2001:db8:ffff::11"\naccess_delay_ms = 1\ndetection_ms = 20',
     'name = "MAG1"\naddress = "2001:db8:ffff::11"\naccess_delay_ms = 10\ndetection_ms = 0'),
    ('between = ["LMA", "MAG1"]\ndelay_ms = 5', 'between = ["LMA", "MAG1"]\ndelay_ms = 1'),
)
BREAK = 'at_ms = 1000\naction = "break"\ninterface = "mn1@example.org/IF1"\n'


@pytest.fixture
def bounced_after_dereg(tmp_path: Path) -> Scenario:
    """Figure 1 where MAG1's DeReg round trip (2 ms) and detection (0 ms) are shorter
    than its access delay (10 ms): the packet on the access link when IF1 breaks
    comes back to MAG1 after it has removed IF1's binding and flushed its cache
    (issue 8: it stayed queued forever)."""
    return write_variant(tmp_path, "figure1", *FAST_DEREG, ("at_ms = 1000\n", "at_ms = 1015\n"))


def test_a_packet_bouncing_off_a_removed_binding_is_sent_back_up(
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




LATE = ("at_ms = 1000\n", "at_ms = 1015\n")
RESTORE = '\n[[fault]]\nat_ms = 1016\naction = "restore"\ninterface = "mn1@example.org/IF1"\n'


@pytest.mark.parametrize(("case", "mode", "changes", "extra", "delivered", "lost"), [
    # moved instead of broken: MAG1's DeReg still wins the race, the packet goes up
    ("move", "ft", [(BREAK, 'at_ms = 1015\naction = "move"\ninterface = "mn1@example.org/IF1"'
                     '\nto_mag = "MAG2"\n')], "", 200, {}),
    # no cache at MAG1: nothing to cache in this race; the bounce still goes up
    ("cache full", "ft", [("detection_ms = 0\nbuffer_packets = 64",
                           "detection_ms = 0\nbuffer_packets = 0"), LATE], "", 200, {}),
    # restored before the packet comes back: it is delivered on the restored link
    ("restored", "ft", [LATE], RESTORE, 200, {}),
    # RFC 5213 has no cache: the bounce is lost at once, the rest of the stream in the
    # MinDelayBeforeBCEDelete hold
    ("rfc5213", "rfc5213", [LATE], "", 50, {"dereg_hold": 149, "link_down": 1}),
])
def test_every_mag_state_gives_a_bounced_packet_a_fate(
        tmp_path: Path, case: str, mode: str, changes: list[tuple[str, str]], extra: str,
        delivered: int, lost: dict[str, int]) -> None:
    """Variants of the issue-8 reproduction, run long after the last fault: nothing
    is left queued, and the packets end as stated."""
    sc = write_variant(tmp_path, "figure1", *FAST_DEREG, *changes, extra=extra)
    metrics, world = run(sc, mode=mode, until_ms=600_000)
    d = metrics.to_dict()
    assert (d["sent"], d["queued"], world.queued()) == (200, 0, 0), case
    assert (d["delivered"], d["lost_by_reason"]) == (delivered, lost), case
