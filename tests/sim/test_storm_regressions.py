"""Packets that the fault storm found without a fate, each pinned by the smallest
scenario that showed it (written to a file and loaded like a user's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmipviz.lesson.sentences import describe
from pmipviz.scenario import Scenario, load_scenario
from pmipviz.sim.headless import run

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


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
    than its access delay (10 ms), and IF1 breaks with a packet on its access link
    (issue 8: that packet came back to MAG1 after it had removed IF1's binding, and
    stayed queued forever; issue 10 item 4: it no longer comes back, it is lost with
    the link)."""
    return write_variant(tmp_path, "figure1", *FAST_DEREG, ("at_ms = 1000\n", "at_ms = 1015\n"))


def test_a_packet_on_the_link_when_it_breaks_is_lost_not_stuck(
        bounced_after_dereg: Scenario) -> None:
    events: list = []
    metrics, world = run(bounced_after_dereg, until_ms=600_000, sinks=[events.append],
                         describe=describe)
    d = metrics.to_dict()
    assert (d["sent"], d["delivered"], d["lost"], d["queued"]) == (200, 199, 1, 0)
    assert d["lost_by_reason"] == {"link_down": 1}
    assert all(not m.cache for m in world.mags.values())
    # sent down by MAG1 before the break at 1015, due 10 ms later: lost there, at IF1
    (lost,) = [e for e in events if e.kind == "drop" and e.msg == "DATA"]
    (down,) = [e for e in events if e.kind == "send" and e.msg == "DATA"
               and e.fields["pid"] == lost.fields["pid"] and e.peer == lost.node]
    assert (lost.node, lost.peer, lost.fields["reason"]) == (
        "mn1@example.org/IF1", "MAG1", "link_down")
    assert down.node == "MAG1" and down.t_ms <= 1015.0 <= lost.t_ms == down.t_ms + 10.0
    assert "was on the access link" in lost.note and "broke at 1015 ms" in lost.note
    # nothing goes back up the tunnel: nothing was cached, nothing came back
    assert not [e for e in events if e.kind == "send" and e.msg == "DATA"
                and e.node == "MAG1" and e.peer == "LMA"]


LATE = ("at_ms = 1000\n", "at_ms = 1015\n")
RESTORE = '\n[[fault]]\nat_ms = 1016\naction = "restore"\ninterface = "mn1@example.org/IF1"\n'


@pytest.mark.parametrize(("case", "mode", "changes", "extra", "delivered", "lost"), [
    # issue 10 item 4: in every variant n=50, sent down by MAG1 at 1011 on its 10 ms
    # access link (due at 1021), is on the link when IF1 breaks or moves at 1015: it is
    # lost with the link (link_down at 1021), whatever MAG1's state then
    # moved instead of broken: the same loss
    ("move", "ft", [(BREAK, 'at_ms = 1015\naction = "move"\ninterface = "mn1@example.org/IF1"'
                     '\nto_mag = "MAG2"\n')], "", 199, {"link_down": 1}),
    # no cache at MAG1: nothing to cache in this race
    ("cache full", "ft", [("detection_ms = 0\nbuffer_packets = 64",
                           "detection_ms = 0\nbuffer_packets = 0"), LATE], "", 199,
     {"link_down": 1}),
    # restored at 1016, before the packet is due: it was on the link when it broke
    ("restored", "ft", [LATE], RESTORE, 199, {"link_down": 1}),
    # RFC 5213 has no cache: that packet is lost the same way, the rest of the stream in
    # the MinDelayBeforeBCEDelete hold
    ("rfc5213", "rfc5213", [LATE], "", 50, {"dereg_hold": 149, "link_down": 1}),
])
def test_every_mag_state_gives_a_packet_on_the_link_a_fate(
        tmp_path: Path, case: str, mode: str, changes: list[tuple[str, str]], extra: str,
        delivered: int, lost: dict[str, int]) -> None:
    """Variants of the issue-8 reproduction, run long after the last fault: nothing
    is left queued, and the packets end as stated."""
    sc = write_variant(tmp_path, "figure1", *FAST_DEREG, *changes, extra=extra)
    metrics, world = run(sc, mode=mode, until_ms=600_000)
    d = metrics.to_dict()
    assert (d["sent"], d["queued"], world.queued()) == (200, 0, 0), case
    assert (d["delivered"], d["lost_by_reason"]) == (delivered, lost), case


LATE_PBA = """
[scenario]
title = "A PBA that arrives after the interface failed"
duration_ms = 1000

[lma]
name = "LMA"
address = "2001:db8:ffff::1"
prefix_pool = "2001:db8:100::/40"

[[mag]]
name = "MAG1"
address = "2001:db8:ffff::11"
access_delay_ms = 0
detection_ms = 0

[[mag]]
name = "MAG2"
address = "2001:db8:ffff::12"
access_delay_ms = 1
detection_ms = 0

[[cn]]
name = "CN"
address = "2001:db8:cafe::1"

[[mn]]
id = "mn1@example.org"
interfaces = [
  { name = "IF1", mag = "MAG1", att = "virtual", lli = "02:00:00:00:01:01", attach_ms = 0 },
  { name = "IF2", mag = "MAG1", att = "ieee802.11", lli = "02:00:00:00:01:02", attach_ms = 0 },
]

[[link]]
between = ["LMA", "MAG1"]
delay_ms = 10

[[link]]
between = ["LMA", "MAG2"]
delay_ms = 5

[[link]]
between = ["LMA", "CN"]
delay_ms = 0

[[flow]]
from = "CN"
to = "mn1@example.org"
rate_pps = 200
start_ms = 200
stop_ms = 500
size_bytes = 100

[[fault]]
at_ms = 236
action = "move"
interface = "mn1@example.org/IF1"
to_mag = "MAG2"

[[fault]]
at_ms = 244
action = "break"
interface = "mn1@example.org/IF1"
"""
RESTORED_BEFORE_THE_PBA = """
[[fault]]
at_ms = 245
action = "restore"
interface = "mn1@example.org/IF1"
"""


@pytest.mark.parametrize("restored", [False, True])
def test_packets_routed_by_a_registration_whose_pba_comes_late_are_not_lost(
        tmp_path: Path, restored: bool) -> None:
    """Found by the storm (clean ft scenario, one packet `no_binding`). IF1 moves to
    MAG2 at 236 ms: its HI=3 PBU reaches the LMA at 242, which routes the MN's prefix to
    MAG2; IF1 breaks at 244, MAG2 starts de-registering it, and the PBA (247) no longer
    matches the entry's sequence number. The packets the LMA sent to MAG2 until the
    DeReg PBU arrived (249) met a MAG that did not know the prefix and dropped them.
    Now MAG2 learns the prefix from the late PBA and caches them with the rest (then
    sends them up to IF2 via the LMA); and when IF1 is restored at 245, so that its
    entry has been replaced by a new registration, the ignored PBA still tells MAG2 the
    LMA routes the prefix there, and it sends what comes back up once."""
    path = tmp_path / "late-pba.toml"
    path.write_text(LATE_PBA + (RESTORED_BEFORE_THE_PBA if restored else ""))
    events: list = []
    metrics, _ = run(load_scenario(path), until_ms=100_000, sinks=[events.append],
                     describe=describe)
    d = metrics.to_dict()
    assert (d["sent"], d["delivered"], d["lost"], d["queued"]) == (60, 60, 0, 0)
    notes = [e.note for e in events if e.node == "MAG2" and e.kind == "state"]
    if restored:
        assert any("ignores a PBA" in n and "back up once" in n for n in notes)
    else:
        assert any("after it began to de-register it" in n for n in notes)
