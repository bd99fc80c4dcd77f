"""The narration's sentence drops a note's parenthesized reference ("(§6.9.1.4)",
"(draft step 2)") only when the reference line under it names that section; one it
does not name stays in the sentence. It used to go always: a PBA's "accepted: handoff
from MAG1 (§5.3.4)" lost its §5.3.4 (the reference line is the PBA's §5.3.6), and the
carrier rule's quotation of the draft, "available, or in use" (draft §3.1), its source."""

from __future__ import annotations

import pytest

from pmipviz.lesson.narration import narrate
from tests.sim.traces import trace_of


def narrations(name: str, mode: str, pick):
    events, _, _ = trace_of(name, mode=mode)
    return [narrate(e, mode) for e in events if pick(e)]


def test_a_reference_the_reference_line_lacks_stays() -> None:
    pbas = narrations("move", "ft", lambda e: e.kind == "send" and e.msg == "PBA"
                      and e.fields.get("hi") == 3)
    assert pbas
    for n in pbas:
        assert n.reference == "RFC 5213 §5.3.6"
        assert "accepted: handoff from MAG1 (§5.3.4))" in n.sentence


def test_the_drafts_quotation_keeps_its_source() -> None:
    routes = narrations("bad-mag", "ft", lambda e: e.kind == "state"
                        and e.fields.get("table") == "route")
    assert routes and all(n.reference == "RFC 5213 §5.6.2" for n in routes)
    assert all('"available, or in use" (draft §3.1)' in n.sentence for n in routes)


@pytest.mark.parametrize("mode", ["ft", "rfc5213"])
def test_a_reference_the_line_names_still_goes(mode: str) -> None:
    """figure1: a reference the line names is not repeated in the sentence; the one its
    notes carry that the line lacks, MAG1's "caches them (draft step 2)" at the link-down
    (whose line is RFC 5213 §6.9.1.4, the event not being step 2 itself), stays."""
    kept = set()
    for n in narrations("figure1", mode, lambda e: True):
        for ref in ("(§6.9.1.4)", "(§6.9.1.2)", "(§6.9.1.1)", "(draft step 2)",
                    "(draft step 6)", "(§6.1)", "(§5.6.1)"):
            if ref in n.sentence:
                assert ref == "(draft step 2)" and "§3.2" not in n.reference, n
                kept.add(n.sentence)
    assert len(kept) == (1 if mode == "ft" else 0)
