"""The one key type per thing the trace names (protocol/keys.py): each key's string
form is today's, parses back to the same key, and every key in a shipped trace does."""

from __future__ import annotations

import dataclasses

import pytest

from pmipviz.protocol.keys import (
    BulKey,
    IfaceKey,
    bce_key,
    bce_mn,
    short_iface,
    short_mn,
    short_node,
    wait_key,
    waited_bce,
)
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent


def test_iface_key_reads_and_writes_the_trace_form() -> None:
    key = IfaceKey("mn1@example.org", "IF1")
    assert str(key) == "mn1@example.org/IF1"
    assert key.short == "mn1/IF1" == short_iface("mn1@example.org/IF1")
    assert IfaceKey.parse("mn1@example.org/IF1") == key
    assert {key: 1}[IfaceKey.parse(str(key))] == 1  # hashable, equal by value
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.name = "IF2"  # type: ignore[misc]
    assert not hasattr(key, "__dict__")  # slotted


@pytest.mark.parametrize("bad", ["mn1", "mn1/", "/IF1", ""])
def test_a_string_that_is_no_interface_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="mn-id/IFNAME"):
        IfaceKey.parse(bad)


def test_bul_key_wait_key_and_bce_key() -> None:
    bul = BulKey.parse("MAG1:mn1@example.org/IF2")
    assert bul == BulKey("MAG1", IfaceKey("mn1@example.org", "IF2"))
    assert str(bul) == BulKey.text("MAG1", "mn1@example.org/IF2") == "MAG1:mn1@example.org/IF2"
    with pytest.raises(ValueError):
        BulKey.parse("mn1@example.org/IF2")
    entry = bce_key("mn1@example.org", 3)
    assert entry == "mn1@example.org#3" and bce_mn(entry) == "mn1@example.org"
    assert waited_bce(wait_key(entry)) == entry
    assert waited_bce("ignored") is None


def test_display_names() -> None:
    assert short_mn("mn1@example.org") == "mn1" and short_mn("CN1") == "CN1"
    assert short_node("mn1@example.org/IF1") == "mn1/IF1"
    assert short_node("MAG1") == "MAG1"


def test_every_key_in_a_shipped_trace_round_trips() -> None:
    events: list[TraceEvent] = []
    run(load_scenario("figure1"), mode="ft", sinks=[events.append])
    ifaces = {ev.node for ev in events if IfaceKey.is_key(ev.node)}
    ifaces |= {ev.fields["interface"] for ev in events if ev.kind == "fault"}
    buls = {ev.fields["key"] for ev in events
            if ev.kind == "state" and ev.fields["table"] == "bul"}
    assert ifaces and buls
    assert all(str(IfaceKey.parse(k)) == k for k in ifaces)
    for k in buls:
        bul = BulKey.parse(k)
        assert str(bul) == k and str(bul.iface) in ifaces
    state = [ev.fields for ev in events if ev.kind == "state" and ev.fields["table"] == "bul"]
    assert all(BulKey.parse(f["key"]).iface == IfaceKey(f["mn_id"], f["interface"])
               for f in state)
