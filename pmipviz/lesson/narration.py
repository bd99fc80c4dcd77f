"""Narration: what a trace event means, why it happened, where the RFC or the draft
says so, and (for the events where the two modes part ways) what the other mode
would have done. No textual here: the TUI and the exports share it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pmipviz.protocol.constants import status_name
from pmipviz.protocol.keys import IfaceKey
from pmipviz.sim.trace import TraceEvent

DRAFT = "draft-jiang-netext-ft-pmip-00"
RFC = "RFC 5213"

# draft-jiang-netext-ft-pmip-00 §3.2, the sentences under Figure 1, verbatim
STEP_TEXT: dict[int, str] = {
    1: "CN sends the data packets to MN through the bi-direction Tunnel between LMA and "
       "MAG1;",
    2: "MAG1 detects that IF1 is unreachable and begins to cache data for MN;",
    3: "MAG1 sends the DeReg PBU message to LMA (see RFC5213) to feedback;",
    4: "After receiving the DeReg PBU message, LMA updates the BCE entry for the multihomed "
       "MN;",
    5: "LMA sends the PBA message to MAG1 for confirmation;",
    6: "MAG1 sends the cached data to LMA;",
    7: "The cached data from LMA will be forwarded to MAG2 through Tunnel2 and reach the "
       "destination MN;",
    8: "CN keeps on sending data packets to MN through Tunnel2 between LMA and MAG2.",
}


@dataclass(frozen=True)
class Narration:
    """The narration pane's content for one event."""

    headline: str
    sentence: str
    step_text: str
    reference: str
    contrast: str


def narrate(event: TraceEvent, mode: str) -> Narration:
    """Narrate ``event`` of a run in ``mode`` ("ft" or "rfc5213")."""
    step = event.step
    reference = _reference(event, mode)
    if step and DRAFT not in reference:
        reference = f"{reference}; {DRAFT} §3.2" if reference else f"{DRAFT} §3.2"
    return Narration(
        headline=f"Step {step} of Figure 1" if step else _headline(event),
        sentence=_sentence(event, mode, reference),
        step_text=STEP_TEXT.get(step, "") if step else "",
        reference=reference,
        contrast=_contrast(event, mode),
    )


# -- headline ------------------------------------------------------------------------


def _headline(ev: TraceEvent) -> str:
    f, msg, kind = ev.fields, ev.msg, ev.kind
    table, cause = f.get("table"), f.get("cause")
    if kind == "fault" or (table == "iface" and cause in ("break", "detach", "mn_detect")) or (
            table == "bul" and cause in ("link_down", "link_up")):
        return "Fault"
    if msg == "DATA" or kind == "buffer":
        return "Data loss" if kind == "drop" else "Data"
    if msg in ("RS", "RA") or table == "iface":
        return "Attachment"
    if msg == "PBA" and isinstance(f.get("status"), int) and f["status"] >= 128:
        return "Rejection"
    if ev.is_dereg or (msg == "PBA" and f.get("lifetime_s") == 0) or cause in (
            "dereg", "dereg_hold"):
        return "De-registration"
    if f.get("hi") == 5 or cause == "rereg":
        return "Re-registration"
    if f.get("hi") in (2, 3) or cause == "handoff":
        return "Handoff"
    return "Registration"


# -- sentence ------------------------------------------------------------------------------

_REF_PAREN = re.compile(r"\s*\((?:draft )?(?:step \d|§[\d.]+(?: step \d)?)\)")
_SECTION = re.compile(r"§[\d.]*\d")


def _shown(ref: str, reference: str) -> bool:
    """Whether the narration's ``reference`` line already names the note's parenthesized
    ``ref`` (``(§5.3.4)``, ``(draft §3.1)``, ``(draft step 6)``: a step is the draft's
    §3.2): a draft reference among the draft's sections, a bare one among any."""
    parts = reference.split(";")
    scope = " ".join(p for p in parts if DRAFT in p) if "draft" in ref else reference
    wanted = set(_SECTION.findall(ref)) | ({"§3.2"} if "step" in ref else set())
    return wanted <= set(_SECTION.findall(scope))


def _clean(note: str, reference: str) -> str:
    """The note as a sentence: a reference in parentheses goes, when the ``reference``
    line names it already; one it does not (a PBA's "handoff (§5.3.4)", a quotation's
    "(draft §3.1)") stays, so the reader keeps where to look."""
    text = _REF_PAREN.sub(lambda m: "" if _shown(m.group(0), reference) else m.group(0),
                          note).strip()
    if not text:
        return ""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # "the DATA ...", not "mn1/IF1 ..."
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _sentence(ev: TraceEvent, mode: str, reference: str) -> str:
    why = _why(ev, mode)
    text = _clean(ev.note, reference)
    if why and ev.fields.get("reason") == "link_down" and "/" not in ev.node:
        why = ""  # a MAG's note says already that RFC 5213 has no cache (not an MN's)
    return f"{text} {why}".strip() if why else text


_STEP_WHY = {
    1: "The LMA still routes the MN's traffic through the old MAG: nobody has told it about "
       "the failure yet.",
    6: "The old MAG hands the packets it kept for the MN back to the LMA.",
    7: "The LMA forwards the returned packets to the interface whose entry has S=1.",
    8: "New traffic now takes the new path directly.",
}

_DROP_WHY = {
    "link_down": "RFC 5213 gives the MAG no cache, so the packet is lost.",
    "buffer_overflow": "The draft's cache is bounded: once it is full, packets are lost.",
    "link_loss": "The scenario gives this link a loss probability.",
    "no_address": "The flow has no destination address for the MN yet.",
    "ttl": "The packet looped until its hop limit ran out.",
    "tunnel_down": ("The LMA tore that tunnel down when no entry used it any more, so what "
                    "still comes up it is dropped, not forwarded."),
    "wrong_interface": ("The MN is a strong host: an interface accepts only its own "
                        "addresses, and the network re-routed this packet without changing "
                        "its destination."),
}


def _why(ev: TraceEvent, mode: str) -> str:
    f, msg, kind = ev.fields, ev.msg, ev.kind
    if msg == "PBU":
        return _pbu_why(ev)
    if msg == "PBA":
        return _pba_why(ev, mode)
    if msg == "RS" and kind == "send":
        return "The RS is the MAG's cue to register the interface with the LMA."
    if msg == "RA" and kind == "send":
        return "The MN configures its address from the advertised prefix; it takes no part " \
               "in the mobility signalling."
    if kind == "buffer":
        if f.get("op") == "out":
            return "After the PBA the MAG sends its cache back up the tunnel so that the LMA " \
                   "can re-route it."
        return "The MAG keeps the packets it cannot deliver instead of losing them."
    if msg == "DATA" and kind == "drop":
        return _DROP_WHY.get(str(f.get("reason")), "")
    if msg == "DATA":
        why = _STEP_WHY.get(ev.step or 0, "")
        if f.get("cached") and ev.step not in (6, 7):
            why = (why + " " if why else "") + "It went through a MAG cache, so it may arrive " \
                                               "after newer packets."
        return why
    if kind == "fault":
        return {"break": "The MAG will notice after its detection delay and de-register it.",
                "restore": "It attaches again and solicits a router advertisement.",
                "move": "The new MAG registers it with the LMA (HI=3)."}.get(
            str(f.get("action")), "")
    if kind == "state":
        return _state_why(f, mode)
    return ""


def _pbu_why(ev: TraceEvent) -> str:
    f = ev.fields
    if ev.kind == "drop":
        return "The MAG will time out waiting for the PBA and retransmit."
    if ev.kind == "recv":
        if ev.is_dereg:
            return "The LMA checks that it comes from the entry's Proxy-CoA, then updates " \
                   "the Binding Cache."
        return "The LMA runs the §5.3.1 checks and the §5.4.1 Binding Cache lookup on it."
    if f.get("retransmission"):
        return "No PBA came back in time, so the MAG tries again with a doubled timeout."
    if ev.is_dereg:
        return "The MAG has noticed that the interface is gone and tells the LMA, so that " \
               "it stops sending the MN's traffic this way."
    hi = f.get("hi")
    if hi == 5:
        return "It extends the binding before its lifetime runs out."
    if hi == 2:
        return "Another interface of the MN claims the lost interface's prefix, so the MAG " \
               "asks the LMA to move that session to it."
    if hi == 3:
        return "The interface has moved, so the MAG asks the LMA to move its session here."
    return "It asks the LMA for a mobility session and a home network prefix for this " \
           "interface."


def _pba_why(ev: TraceEvent, mode: str) -> str:
    f = ev.fields
    status = f.get("status", 0)
    if isinstance(status, int) and status >= 128:
        if ev.kind == "recv":
            return "The MAG must not advertise a prefix or forward packets for this MN."
        return "The status code tells the MAG why it was refused."
    if f.get("lifetime_s") == 0:
        if ev.kind == "recv" and mode == "ft":
            return "The MAG can forget the binding and flush its cache up the tunnel."
        return "It confirms the de-registration."
    if ev.kind == "recv":
        return "The MAG can now route the MN's prefix through its tunnel and advertise it."
    return "It confirms the registration and carries the assigned prefix."


def _state_why(f: dict[str, Any], mode: str) -> str:
    table, cause = f.get("table"), f.get("cause")
    if table == "bce":
        if cause == "multihoming":
            return "The draft's M flag marks a multihomed MN."
        if cause == "dereg_hold":
            return "M=0: the draft's scheme is for an MN on different MAGs, so RFC 5213 " \
                   "§5.3.5 applies."
        if cause == "dereg" and mode == "ft":
            return "S=0 marks the interface unavailable; the entry stays, and so does the " \
                   "MN's HNP."
    if table == "route" and f.get("before") and f.get("after"):
        return "Another entry of the same MN has S=1, so its traffic can go there."
    if table == "bul" and cause == "detect":
        return "It de-registers the interface right away."
    return ""


# -- reference -----------------------------------------------------------------------------

def _case(f: dict[str, Any]) -> str:
    case = f.get("case")
    return f" (case {case})" if case else ""


def _reference(ev: TraceEvent, mode: str) -> str:
    f, msg, kind = ev.fields, ev.msg, ev.kind
    if msg == "PBU":
        return _pbu_ref(ev)
    if msg == "PBA":
        return _pba_ref(ev)
    if msg == "RS":
        return f"{RFC} §6.9.1.1 (RFC 4861 Router Solicitation)"
    if msg == "RA":
        return f"{RFC} §6.9.1.2 (RFC 4861)"
    if kind == "buffer":
        return f"{DRAFT} §3.2"
    if msg == "DATA":
        return _data_ref(ev, mode)
    if kind == "fault":
        return f"{DRAFT} §3.2" if mode == "ft" else f"{RFC} §6.9.1.4"
    if kind == "state":
        return _state_ref(f, mode)
    return ""


def _pbu_ref(ev: TraceEvent) -> str:
    f = ev.fields
    if ev.kind == "drop" or f.get("retransmission"):
        return "RFC 6275 §11.8"
    at_lma = ev.kind == "recv"
    if ev.is_dereg:
        return f"{RFC} §5.3.5" if at_lma else f"{RFC} §6.9.1.4"
    hi = f.get("hi")
    if hi == 5:
        return f"{RFC} §5.3.3" if at_lma else f"{RFC} §6.9.1.3"
    if hi in (2, 3):
        # a handoff PBU is the new MAG's initial registration (§6.9.1.1), not a refresh
        return f"{RFC} §5.3.4, §5.4.1" if at_lma else f"{RFC} §6.9.1.1"
    return f"{RFC} §5.3.2, §5.4.1" if at_lma else f"{RFC} §6.9.1.1"


def _pba_ref(ev: TraceEvent) -> str:
    f = ev.fields
    status = f.get("status", 0)
    if isinstance(status, int) and status >= 128:
        where = "§6.9.1.2" if ev.kind == "recv" else "§5.3.1"
        ts = " §5.5," if status in (156, 157) else ""
        return f"{RFC} {where},{ts} §8.9 ({status} {status_name(status)})"
    if ev.kind == "recv":
        return f"{RFC} §6.9.1.4" if f.get("lifetime_s") == 0 else f"{RFC} §6.9.1.2"
    return f"{RFC} §5.3.6"


def _data_ref(ev: TraceEvent, mode: str) -> str:
    if ev.kind == "drop":
        reason = ev.fields.get("reason")
        if reason == "link_down" and ev.peer is not None and ev.fields.get("ref"):
            return str(ev.fields["ref"])  # lost on an access link that broke (issue 10 item 4)
        return {"dereg_hold": f"{RFC} §5.3.5",
                "link_down": f"{RFC} §6.10.5" if mode != "ft" else f"{DRAFT} §3.2",
                "no_binding": f"{DRAFT} §3.1" if mode == "ft" else f"{RFC} §5.6.2",
                "buffer_overflow": f"{DRAFT} §3.2",
                "tunnel_down": f"{RFC} §5.6.1",
                "wrong_interface": "RFC 1122 §3.3.4.2",
                "ttl": "RFC 8200 §3 (Hop Limit)"}.get(str(reason), "")
    if ev.step:
        return f"{DRAFT} §3.2"
    if "tunnel_src" in ev.fields:  # a hop through an LMA-MAG tunnel
        return f"{RFC} §5.6.2"
    if IfaceKey.is_key(ev.node) or IfaceKey.is_key(ev.peer or ""):  # the MN's access link
        return f"{RFC} §6.10.5"
    return ""


_BCE_REF = {
    "multihoming": f"{DRAFT} §3.1",
    "restore": f"{DRAFT} §3.1",
    "rereg": f"{RFC} §5.3.3",
    "revive": f"{RFC} §5.3.5",
    "dereg_hold": f"{RFC} §5.3.5",  # ft, M=0 (issue 10 item 2)
    "delete": f"{RFC} §5.3.5",
    "expire": f"{RFC} §5.3.3",
}
_BUL_REF = {
    "attach": f"{RFC} §6.1",
    "registered": f"{RFC} §6.9.1.2",
    "rejected": f"{RFC} §6.9.1.2",
    "rereg": f"{RFC} §6.9.1.3",
    "giveup": "RFC 6275 §11.8",
}


def _state_ref(f: dict[str, Any], mode: str) -> str:
    table, cause = f.get("table"), str(f.get("cause"))
    if table == "bce":
        if cause == "register":
            ref = f"{RFC} §5.3.2, §5.4.1{_case(f)}"
            return f"{ref}; {DRAFT} §3.2" if mode == "ft" else ref
        if cause == "handoff":
            return f"{RFC} §5.3.4, §5.4.1{_case(f)}"
        if cause == "dereg":
            return f"{DRAFT} §3.2" if mode == "ft" else f"{RFC} §5.3.5"
        return _BCE_REF.get(cause, f"{RFC} §5.1")
    if table == "route":
        return f"{DRAFT} §3.2" if mode == "ft" and f.get("before") else f"{RFC} §5.6.2"
    if table == "tunnel":
        return f"{RFC} §5.6.1"
    if table == "bul":
        return _BUL_REF.get(cause, f"{RFC} §6.9.1.4")
    if table == "lma":
        if cause == "wait":
            return f"{RFC} §5.4.1.2"
        # an ignore without a lookup case is §5.3.5's (a DeReg PBU from a MAG that is
        # not the entry's Proxy-CoA)
        return f"{RFC} §5.4.1" if f.get("case") else f"{RFC} §5.3.5"
    if table == "mag":
        return f"{RFC} §6.9.1.2"
    if table == "iface":
        if cause == "address":
            return "RFC 4862 §5.5.3"
        if cause in ("break", "detach"):
            return f"{DRAFT} §3.2" if mode == "ft" else f"{RFC} §6.9.1.4"
        return f"{RFC} §6.9.1.1"
    return ""


# -- contrast ---------------------------------------------------------------------------------

_HOLD = ("rather than holding the entry for MinDelayBeforeBCEDelete and dropping the MN's "
         "traffic (RFC 5213 §5.3.5)")
_DEPART_553 = ("This departs from RFC 5213 §5.3.5, which holds a de-registered entry for "
               "MinDelayBeforeBCEDelete and SHOULD drop the MN's traffic meanwhile: the draft "
               "re-routes it at once to an entry with S=1.")
_DEPART_52 = ("This departs from RFC 5213 §5.2, which requires unique prefixes per interface: "
              "the draft gives all the MN's interfaces one shared HNP (RFC 7864 is the "
              "standards-track home of a shared prefix).")


def _contrast(ev: TraceEvent, mode: str) -> str:
    f = ev.fields
    table, cause = f.get("table"), f.get("cause")
    if mode == "ft":
        if table == "bce" and cause == "dereg":
            return _DEPART_553
        if table == "route" and f.get("before") and f.get("after"):
            return _DEPART_553
        if table == "bce" and cause == "register" and f.get("shared_hnp"):
            return _DEPART_52
        return ""
    if ev.kind == "fault" and f.get("action") == "break" and not f.get("noop"):
        return (f"{ev.peer or 'The MAG'} would cache the packets it can no "
                "longer deliver, and the LMA would re-route the MN's traffic to an interface "
                "whose entry has S=1, so nothing would be lost.")
    if ev.msg == "DATA" and ev.kind == "drop":
        reason = f.get("reason")
        if reason == "link_down":
            return (f"{ev.node} would cache n={f.get('n')} (step 2) and send "
                    "it back up the tunnel after the PBA (step 6) instead of dropping it.")
        if reason == "dereg_hold":
            return ("The LMA would send this packet down the tunnel of the "
                    "MN's other interface (its entry has S=1) instead of dropping it.")
    if ev.is_dereg or (table == "bce" and cause == "dereg"):
        return ("The LMA would keep this entry with S=0 and re-route the MN's "
                f"traffic at once to its other interface (step 4), {_HOLD}.")
    if table == "bce" and cause == "register":
        return ("All the interfaces of a multihomed MN would share one HNP, "
                "so that its traffic could move between them; RFC 5213 §5.2 gives each "
                "interface its own prefix.")
    return ""
