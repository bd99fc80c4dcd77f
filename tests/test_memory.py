"""Memory that does not grow with the run: the headless duplicate check keeps a
window bounded by the packets outstanding, and the TUI's history (trace and step
back) stays compact while stepping back stays exact."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.metrics import DeliveryWindow, Metrics
from pmipviz.sim.trace import TraceEvent

FIGURE1 = load_scenario("figure1")

# -- headless: the delivery window ------------------------------------------------


@dataclass
class _SetFlow:
    """The old set-based fold of one flow (the reference)."""

    delivered: int = 0
    duplicated: int = 0
    reordered: int = 0
    lost: int = 0
    max_n: int = -1
    seen: set[int] = field(default_factory=set)

    def deliver(self, n: int) -> None:
        if n in self.seen:
            self.duplicated += 1
        else:
            self.seen.add(n)
            self.delivered += 1
        if n < self.max_n:
            self.reordered += 1
        self.max_n = max(self.max_n, n)

    def drop(self, n: int) -> None:
        self.lost += 1


def _data(i: int, kind: str, n: int) -> TraceEvent:
    fields = {"flow": 0, "n": n, "cached": False, "src": "a", "dst": "b", "size": 1,
              "pid": n, "hop": 2}
    if kind == "drop":
        fields["reason"] = "link_loss"
    return TraceEvent(i, float(i), kind, "mn1@example.org/IF1", "MAG1", "DATA", fields,
                      None, "")


# each packet number's fate: delivered k times (k > 1: duplicates), dropped, or still
# outstanding at the end; a packet is never copied, so a dropped one is never delivered
FATES = st.one_of(st.integers(1, 3), st.just("drop"), st.just("outstanding"))


@st.composite
def fates_in_any_order(draw: st.DrawFn) -> list[tuple[str, int]]:
    fates = draw(st.lists(FATES, max_size=40))
    events: list[tuple[str, int]] = []
    for n, fate in enumerate(fates):
        if fate == "drop":
            events.append(("drop", n))
        elif isinstance(fate, int):
            events.extend(("deliver", n) for _ in range(fate))
    return draw(st.permutations(events))


@settings(max_examples=300, deadline=None)
@given(fates_in_any_order())
def test_the_window_counts_exactly_like_the_set_of_every_delivered_number(events) -> None:
    metrics = Metrics(FIGURE1, "ft", 1)
    ref = _SetFlow()
    for i, (kind, n) in enumerate(events):
        metrics(_data(i, kind, n))
        getattr(ref, kind)(n)
    fs = metrics.flows[0]
    assert (fs.delivered, fs.duplicated, fs.reordered, fs.lost) == \
        (ref.delivered, ref.duplicated, ref.reordered, ref.lost)
    assert metrics.delivered == ref.delivered


def test_a_drop_after_a_delivery_and_a_delivery_after_a_drop_above_the_window() -> None:
    w = DeliveryWindow()
    w.drop(1)  # 0 still outstanding: 1 stays in the window
    assert w.deliver(1) is False  # not in the model, but counted like the set would
    assert w.deliver(1) is True
    w.drop(1)  # a drop does not unmark a delivered number
    assert w.deliver(0) is False and w.low == 2 and len(w) == 0


def test_a_million_deliveries_with_loss_and_reordering_keep_the_window_small() -> None:
    w = DeliveryWindow()
    rng = random.Random(8)
    outstanding: list[int] = []  # lost packets whose drop is reported a bit later
    peak = 0
    n = 0
    while n < 1_000_000:
        if rng.random() < 0.01:  # reordered: n+1 arrives before n
            assert w.deliver(n + 1) is False
            assert w.deliver(n) is False
            n += 2
        elif rng.random() < 0.01:  # lost; its drop comes 50 packets later
            outstanding.append(n)
            n += 1
        else:
            assert w.deliver(n) is False
            n += 1
        while outstanding and outstanding[0] < n - 50:
            w.drop(outstanding.pop(0))
        peak = max(peak, len(w))
    for lost in outstanding:
        w.drop(lost)
    assert w.low == n and len(w) == 0
    assert peak <= 60  # what was delivered after the oldest packet in flight


def test_a_run_with_link_loss_leaves_nothing_in_the_window() -> None:
    metrics, _ = run(load_scenario("lossy-signaling"))
    fs = metrics.flows[0]
    assert metrics.queued == 0 and fs.delivered > 20
    assert metrics.lost_by_reason["link_loss"] > 10
    assert len(fs.seen) == 0 and fs.seen.low == fs.sent
