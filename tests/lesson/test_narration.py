"""Narration: the draft's step texts, RFC references and the ft / rfc5213 contrasts."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from pmipviz.lesson import STEP_TEXT, Narration, narrate
from pmipviz.lesson.sentences import describe
from pmipviz.scenario import load_scenario
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

SPEC = Path("/work/shared/spec/draft-jiang-netext-ft-pmip-00.txt")


@cache
def _trace(name: str, mode: str | None = None) -> tuple[TraceEvent, ...]:
    events: list[TraceEvent] = []
    run(load_scenario(name), mode=mode, sinks=[events.append], describe=describe)
    return tuple(events)


def _first(trace: tuple[TraceEvent, ...], pred: Callable[[TraceEvent], bool]) -> TraceEvent:
    return next(ev for ev in trace if pred(ev))


def _state(table: str, cause: str) -> Callable[[TraceEvent], bool]:
    return lambda ev: (ev.kind == "state" and ev.fields.get("table") == table
                       and ev.fields.get("cause") == cause)


def _ev(kind: str, msg: str | None, fields: dict, node: str = "MAG1",
        peer: str | None = "LMA") -> TraceEvent:
    return TraceEvent(0, 0.0, kind, node, peer, msg, fields, None, "a note")


# -- step texts -------------------------------------------------------------------------------


def test_step_texts_are_the_drafts_sentences() -> None:
    assert sorted(STEP_TEXT) == list(range(1, 9))
    assert STEP_TEXT[3] == "MAG1 sends the DeReg PBU message to LMA (see RFC5213) to feedback;"
    assert STEP_TEXT[8] == ("CN keeps on sending data packets to MN through Tunnel2 between "
                            "LMA and MAG2.")
    if not SPEC.exists():
        pytest.skip("the draft's text is not available here")
    text = " ".join(SPEC.read_text().split())
    text = re.sub(r" H\. Jiang Expires .*? Fault Tolerant Scheme for PMIPv6 June 29, 2012 ",
                  " ", text)
    for k, sentence in STEP_TEXT.items():
        assert f"({k}) {sentence}" in text


# -- ft mode -----------------------------------------------------------------------------------


def test_dereg_pbu_is_step_3_with_its_rfc_section() -> None:
    ev = _first(_trace("figure1"), lambda e: e.kind == "send" and e.is_dereg)
    n = narrate(ev, "ft")
    assert n == Narration(n.headline, n.sentence, STEP_TEXT[3], n.reference, "")
    assert n.headline == "Step 3 of Figure 1"
    assert n.reference.startswith("RFC 5213 §6.9.1.4")
    assert "draft-jiang-netext-ft-pmip-00 §3.2" in n.reference
    assert n.sentence.startswith("MAG1 sends the DeReg PBU")
    assert "(§6.9.1.4)" not in n.sentence


def test_ft_bce_update_and_reroute_name_the_departure_from_5_3_5() -> None:
    trace = _trace("figure1")
    for pred in (_state("bce", "dereg"), lambda e: _state("route", "route")(e)
                 and bool(e.fields["before"])):
        n = narrate(_first(trace, pred), "ft")
        assert n.headline == "Step 4 of Figure 1"
        assert n.step_text == STEP_TEXT[4]
        assert "§5.3.5" in n.contrast and "SHOULD drop" in n.contrast


def test_ft_shared_hnp_names_the_departure_from_5_2() -> None:
    n = narrate(_first(_trace("figure1"), _state("bce", "register")), "ft")
    assert n.headline == "Registration"
    assert n.reference.startswith("RFC 5213 §5.3.2, §5.4.1 (case ft-new)")
    assert "§5.2" in n.contrast and "unique prefixes per interface" in n.contrast


@pytest.mark.parametrize(("pred", "ref"), [
    (lambda e: e.kind == "send" and e.msg == "PBU", "RFC 5213 §6.9.1.1"),
    (lambda e: e.kind == "recv" and e.msg == "PBU", "RFC 5213 §5.3.2, §5.4.1"),
    (lambda e: e.kind == "send" and e.msg == "PBA", "RFC 5213 §5.3.6"),
    (lambda e: e.kind == "recv" and e.msg == "PBA", "RFC 5213 §6.9.1.2"),
    (lambda e: e.kind == "send" and e.msg == "RA", "RFC 5213 §6.9.1.2 (RFC 4861)"),
    (_state("tunnel", "tunnel"), "RFC 5213 §5.6.1"),
    (_state("bce", "multihoming"), "draft-jiang-netext-ft-pmip-00 §3.1"),
    (lambda e: e.kind == "buffer", "draft-jiang-netext-ft-pmip-00 §3.2"),
])
def test_ft_references(pred: Callable[[TraceEvent], bool], ref: str) -> None:
    n = narrate(_first(_trace("figure1"), pred), "ft")
    assert n.reference == ref


def test_cached_data_steps_6_and_7() -> None:
    trace = _trace("figure1")
    six = narrate(_first(trace, lambda e: e.kind == "send" and e.step == 6), "ft")
    seven = narrate(_first(trace, lambda e: e.kind == "send" and e.step == 7), "ft")
    assert (six.headline, six.step_text) == ("Step 6 of Figure 1", STEP_TEXT[6])
    assert (seven.headline, seven.step_text) == ("Step 7 of Figure 1", STEP_TEXT[7])
    assert six.contrast == seven.contrast == ""


# -- rfc5213 mode -------------------------------------------------------------------------------


def test_rfc5213_contrasts_say_what_the_draft_would_have_done() -> None:
    trace = _trace("figure1", "rfc5213")
    fault = narrate(_first(trace, lambda e: e.kind == "fault"), "rfc5213")
    assert fault.headline == "Fault" and "cache" in fault.contrast
    link_down = narrate(_first(trace, lambda e: e.fields.get("reason") == "link_down"),
                        "rfc5213")
    assert link_down.headline == "Data loss"
    assert "step 2" in link_down.contrast and "step 6" in link_down.contrast
    dereg = narrate(_first(trace, lambda e: e.kind == "send" and e.is_dereg), "rfc5213")
    assert dereg.headline == "De-registration" and dereg.step_text == ""
    assert "S=0" in dereg.contrast and dereg.reference == "RFC 5213 §6.9.1.4"
    bce = narrate(_first(trace, _state("bce", "dereg")), "rfc5213")
    assert bce.reference == "RFC 5213 §5.3.5" and "S=0" in bce.contrast
    hold = narrate(_first(trace, lambda e: e.fields.get("reason") == "dereg_hold"), "rfc5213")
    assert hold.reference == "RFC 5213 §5.3.5" and "S=1" in hold.contrast
    reg = narrate(_first(trace, _state("bce", "register")), "rfc5213")
    assert "HNP" in reg.contrast and "§5.2" in reg.contrast
    assert "(case 5.4.1" in reg.reference


def test_no_contrast_where_the_modes_agree() -> None:
    trace = _trace("figure1", "rfc5213")
    for pred in (lambda e: e.msg == "RS", lambda e: e.msg == "RA",
                 lambda e: e.kind == "send" and e.msg == "PBU" and not e.is_dereg,
                 _state("tunnel", "tunnel")):
        assert narrate(_first(trace, pred), "rfc5213").contrast == ""


# -- rejections, retransmission, re-registration ---------------------------------------------------


@pytest.mark.parametrize(("status", "expected"), [
    (154, "RFC 5213 §5.3.1, §8.9 (154 MAG_NOT_AUTHORIZED_FOR_PROXY_REG)"),
    (156, "RFC 5213 §5.3.1, §5.5, §8.9 (156 TIMESTAMP_MISMATCH)"),
    (161, "RFC 5213 §5.3.1, §8.9 (161 MISSING_HANDOFF_INDICATOR_OPTION)"),
])
def test_rejections_cite_5_3_1_and_the_status_name(status: int, expected: str) -> None:
    ev = _first(_trace("bad-mag"),
                lambda e: e.kind == "send" and e.msg == "PBA" and e.fields["status"] == status)
    n = narrate(ev, "ft")
    assert n.headline == "Rejection" and n.reference == expected


def test_retransmission_and_reregistration() -> None:
    retx = _first(_trace("lossy-signaling"), lambda e: bool(e.fields.get("retransmission")))
    assert narrate(retx, "ft").reference == "RFC 6275 §11.8"
    rereg = {"seq": 3, "lifetime_s": 40, "hi": 5, "mn_id": "mn1@example.org"}
    assert narrate(_ev("send", "PBU", rereg), "ft").reference == "RFC 5213 §6.9.1.3"
    recv = _ev("recv", "PBU", rereg, node="LMA", peer="MAG1")
    assert narrate(recv, "ft").reference == "RFC 5213 §5.3.3"
    assert narrate(recv, "ft").headline == "Re-registration"


@pytest.mark.parametrize("name", ["figure1", "move", "restore", "both-fail",
                                  "lossy-signaling", "bad-mag"])
@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_every_event_narrates(name: str, mode: str) -> None:
    for ev in _trace(name, mode):
        n = narrate(ev, mode)
        assert n.headline and n.sentence
        assert (n.step_text != "") == (ev.step is not None)
        if mode == "rfc5213":
            assert "departs" not in n.contrast
        else:
            assert not n.contrast.startswith("With the draft")


@pytest.mark.parametrize("hi", [2, 3])
def test_a_handoff_pbu_cites_the_initial_registration_at_the_mag(hi: int) -> None:
    """A handoff PBU (HI=2 or 3) is the new MAG's initial registration, RFC 5213
    §6.9.1.1; it cited §6.9.1.3 (Extending Binding Lifetime)."""
    pbu = {"seq": 1, "lifetime_s": 40, "hi": hi, "mn_id": "mn1@example.org"}
    assert narrate(_ev("send", "PBU", pbu), "ft").reference == "RFC 5213 §6.9.1.1"
    recv = _ev("recv", "PBU", pbu, node="LMA", peer="MAG2")
    assert narrate(recv, "ft").reference == "RFC 5213 §5.3.4, §5.4.1"


def test_a_hi2_pbu_is_a_handoff_to_another_interface_not_a_move() -> None:
    """figure1-rfc5213-hi2's PBU from MAG2 claims IF1's prefix for IF2: a handoff between
    two interfaces. It was headed "Registration" and said "The interface has moved"."""
    ev = _first(_trace("figure1-rfc5213-hi2"),
                lambda e: e.kind == "send" and e.msg == "PBU" and e.fields.get("hi") == 2)
    n = narrate(ev, "rfc5213")
    assert n.headline == "Handoff"
    assert "Another interface of the MN claims" in n.sentence and "has moved" not in n.sentence
    moved = {"seq": 1, "lifetime_s": 40, "hi": 3, "mn_id": "mn1@example.org"}
    assert "has moved" in narrate(_ev("send", "PBU", moved), "ft").sentence
