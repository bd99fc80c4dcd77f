"""Lesson mode: multiple-choice questions generated from a trace.

The app stops before each event that matters (a control message, a cache action,
a Binding Cache update, a drop) and asks who sends what to whom next, what a node
does with a packet, what the LMA does to the M/S flags, or what plain RFC 5213
would have done. The correct answer comes from the event itself and the wrong
ones from the scenario's other entities and messages, so every scenario works."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from pmipviz.export.ladder import LadderBuilder
from pmipviz.lesson.narration import narrate
from pmipviz.protocol.constants import status_name
from pmipviz.protocol.keys import short_node
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent

LETTERS = "ABCD"
ALL_MNS_UP_TO = 10  # above this many MNs, questions follow one MN (the first by default)


@dataclass(frozen=True)
class Question:
    """One question, asked before trace event ``at`` is applied."""

    at: int
    kind: str  # next_message | local_action | flags | rfc5213
    prompt: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explanation: str
    reference: str
    quote: str  # the draft's step text, when the event is one
    mn_id: str | None = None  # the MN the event concerns (its ladder shows the event)

    def is_correct(self, choice: int) -> bool:
        return choice == self.answer


def message_label(ev: TraceEvent) -> str:
    """A label that says what the message is, without giving away its order."""
    f = ev.fields
    if ev.msg == "PBU":
        if f.get("lifetime_s") == 0:
            return f"DeReg PBU (lifetime 0, HI={f.get('hi')})"
        return f"PBU (HI={f.get('hi', '?')})"
    if ev.msg == "PBA":
        status = f.get("status", 0)
        what = "status 0" if status == 0 else f"status {status} {status_name(status)}"
        return f"PBA {what}" + (" (lifetime 0)" if f.get("lifetime_s") == 0 else "")
    if ev.msg == "DATA":
        return "cached DATA" if f.get("cached") else "DATA"
    return ev.msg or ""


def _short(node: str | None) -> str:
    return "?" if node is None else short_node(node)


class _Builder:
    """Keeps the context (faults, the MN's nodes) while walking the trace."""

    def __init__(self, scenario: Scenario, mode: str) -> None:
        self.scenario = scenario
        self.mode = mode
        self.mags = [m.name for m in scenario.mags]
        self.lma = scenario.lma.name
        self.asked: set[tuple[object, ...]] = set()
        self.after_fault = False
        self.flushed_seen = False
        self.hairpin_seen = False
        self.drops_seen: set[str] = set()
        self.mn: str | None = None  # the MN of the event being considered

    def _shuffle(self, event: TraceEvent, correct: str, wrong: list[str]) -> tuple[tuple[str, ...],
                                                                                  int]:
        options = [correct]
        for w in wrong:
            if w not in options:
                options.append(w)
            if len(options) == 4:
                break
        rng = random.Random(f"{self.scenario.name}/{self.mode}/{event.i}")
        order = list(range(len(options)))
        rng.shuffle(order)
        shuffled = tuple(options[k] for k in order)
        return shuffled, order.index(0)

    def _question(self, event: TraceEvent, kind: str, prompt: str, correct: str,
                  wrong: list[str], why: str = "", reference: str = "") -> Question:
        choices, answer = self._shuffle(event, correct, wrong)
        story = narrate(event, self.mode)
        explanation = why or story.sentence
        if story.contrast and not why:
            explanation = f"{explanation} {story.contrast}"
        return Question(event.i, kind, prompt, choices, answer, explanation,
                        reference or story.reference, story.step_text, self.mn)

    def _other_mag(self, mag: str | None) -> str:
        return next((m for m in self.mags if m != mag), self.lma)

    # -- the kinds of question ----------------------------------------------------------------

    def next_message(self, ev: TraceEvent) -> Question | None:
        label = message_label(ev)
        key = ("msg", ev.node, ev.peer, label)
        if key in self.asked:
            return None
        self.asked.add(key)
        src, dst = _short(ev.node), _short(ev.peer)
        correct = f"{src} → {dst}: {label}"
        other = self._other_mag(ev.node if ev.node in self.mags else ev.peer)
        wrong = [f"{dst} → {src}: {label}"]
        if ev.msg == "PBU":
            wrong += [f"{self.lma} → {src}: PBA status 0",
                      f"{other} → {self.lma}: {label}",
                      f"{src} → {self.lma}: PBU (HI=5)"]
        elif ev.msg == "PBA":
            wrong += [f"{src} → {other}: {label}", f"{dst} → {src}: PBU (HI=1)",
                      f"{src} → {dst}: PBA status 153 NOT_LMA_FOR_THIS_MOBILE_NODE"]
        else:
            wrong += [f"{src} → {other}: {label}", f"{other} → {dst}: {label}",
                      f"{dst} → {src}: {label}"]
        return self._question(ev, "next_message", "Who sends what to whom next?", correct,
                              wrong)

    def retransmission(self, ev: TraceEvent) -> Question | None:
        key = ("retx", ev.node)
        if key in self.asked:
            return None
        self.asked.add(key)
        prompt = (f"{ev.node} sent a PBU but no PBA came back within the timeout. "
                  f"What does {ev.node} do?")
        correct = ("Sends the PBU again, with a new sequence number and timestamp, and waits "
                   "twice as long for the answer")
        wrong = ["Gives up and tells the MN to use another MAG",
                 "Sends the same PBU, same sequence number, every 1 s forever",
                 "Advertises the prefix anyway and forwards the MN's packets"]
        return self._question(ev, "local_action", prompt, correct, wrong)

    def cache(self, ev: TraceEvent) -> Question | None:
        key = ("cache", ev.node)
        if key in self.asked:
            return None
        self.asked.add(key)
        n = ev.fields.get("n")
        prompt = (f"A packet (n={n}) for the MN reaches {ev.node}, but the interface it "
                  f"served is unreachable. What does {ev.node} do with it?")
        correct = f"{ev.node} caches it until the LMA confirms the de-registration"
        wrong = [f"{ev.node} drops it (link_down)",
                 f"{ev.node} forwards it straight to {self._other_mag(ev.node)}",
                 f"{ev.node} sends it back to the {self.lma} at once"]
        return self._question(ev, "local_action", prompt, correct, wrong)

    def flags(self, ev: TraceEvent) -> Question | None:
        f = ev.fields
        before, after = f.get("before") or {}, f.get("after") or {}
        iface = f.get("interface") or "the interface"
        key = ("flags", f.get("key"), f.get("cause"))
        if key in self.asked or after.get("s") is None:
            return None
        self.asked.add(key)
        if f.get("cause") == "dereg":
            prompt = (f"The {self.lma} receives the DeReg PBU for {iface}. What does it do to "
                      f"that Binding Cache entry?")
            correct = f"Sets S=0 on {iface}'s entry and keeps it; M stays {after.get('m')}"
            wrong = [f"Deletes {iface}'s entry at once",
                     "Keeps S=1 and waits MinDelayBeforeBCEDelete (10 s) before deleting it",
                     "Sets M=0 on every entry of the MN"]
        elif after.get("m") == 1 and (f.get("cause") == "multihoming"
                                      or (before and before.get("m") != after.get("m"))):
            prompt = (f"A PBU with the same MN-ID arrives from another MAG. What happens to "
                      f"{iface}'s entry?")
            correct = f"M becomes 1 on {iface}'s entry: the MN is multihomed"
            wrong = [f"{iface}'s entry is deleted", f"S becomes 0 on {iface}'s entry",
                     "Nothing: RFC 5213 entries are independent"]
        elif f.get("cause") == "restore":
            prompt = f"{iface} is back and its MAG sends a new PBU. What does the {self.lma} do?"
            correct = f"Sets S=1 again on {iface}'s existing entry"
            wrong = [f"Creates a second entry for {iface}", f"Deletes {iface}'s entry",
                     "Sets M=0: the MN has one interface again"]
        else:
            return None
        return self._question(ev, "flags", prompt, correct, wrong)

    def flush(self, ev: TraceEvent) -> Question | None:
        if self.flushed_seen:
            return None
        self.flushed_seen = True
        mag = ev.node
        prompt = (f"{mag} has received the PBA for its DeReg PBU. What does it do with the "
                  "packets in its cache?")
        correct = f"Sends them up its tunnel to the {self.lma}"
        wrong = ["Drops them: the interface is gone",
                 f"Sends them straight to {self._other_mag(mag)}",
                 "Keeps them until the interface comes back"]
        return self._question(ev, "local_action", prompt, correct, wrong)

    def rfc5213(self, ev: TraceEvent) -> Question | None:
        if ("rfc5213",) in self.asked:
            return None
        self.asked.add(("rfc5213",))
        prompt = (f"The stream now reaches the MN through {ev.peer}. In plain RFC 5213, "
                  "what would become of the CN's packets to the same address?")
        correct = (f"The {self.lma} would drop them: the de-registered entry is held for "
                   "MinDelayBeforeBCEDelete, and the other interface has its own prefix")
        wrong = [f"The {self.lma} would re-route them to {ev.peer} just the same",
                 "The old MAG would cache them until the interface came back",
                 "The CN would learn the new address from the LMA"]
        why = ("In RFC 5213 each interface has its own prefix (§5.2), so the CN's packets "
               "are addressed to the failed interface's prefix; after the DeReg PBU the LMA "
               "holds that entry for MinDelayBeforeBCEDelete and drops the MN's traffic "
               "(§5.3.5). The draft instead shares one prefix between the interfaces, keeps "
               "the entry with S=0 and re-routes at once, which is why the stream goes on "
               f"through {ev.peer} here.")
        return self._question(ev, "rfc5213", prompt, correct, wrong, why,
                              "RFC 5213 §5.2, §5.3.5; draft-jiang-netext-ft-pmip-00 §3.2")

    def hairpin(self, ev: TraceEvent) -> Question | None:
        if self.hairpin_seen:
            return None
        self.hairpin_seen = True
        return self.next_message(ev)

    def drop(self, ev: TraceEvent) -> Question | None:
        reason = ev.fields.get("reason", "")
        if reason in self.drops_seen or reason == "link_loss":
            return None
        self.drops_seen.add(reason)
        where = ev.node
        prompt = f"A packet for the MN reaches {where}. What happens to it?"
        correct = {
            "link_down": f"{where} drops it: the interface is down and RFC 5213 has no cache",
            "dereg_hold": (f"{where} drops it: the entry is de-registered and held for "
                           "MinDelayBeforeBCEDelete (§5.3.5)"),
            "no_binding": f"{where} drops it: no binding with S=1 is left for that prefix",
            "buffer_overflow": f"{where} drops it: its cache is full",
            "no_address": f"{where} cannot send it: the MN has no address yet",
            "tunnel_down": (f"{where} drops it: it came up a tunnel {where} has torn "
                            "down (§5.6.1)"),
            "wrong_interface": (f"{where} drops it: it is for another interface's address "
                                "and the MN is a strong host (RFC 1122 §3.3.4.2)"),
        }.get(reason, f"{where} drops it ({reason})")
        other = self._other_mag(where if where in self.mags else None)
        wrong = [f"{where} forwards it to {other}", f"{where} caches it",
                 f"{where} delivers it to the MN", f"{where} sends it back to the CN"]
        return self._question(ev, "local_action", prompt, correct, wrong)


def questions(trace: Sequence[TraceEvent], scenario: Scenario, mode: str,
              focus_mn: str | None = None) -> list[Question]:
    """The questions of a run, in trace order, at most one per event.

    Each question names the MN whose ladder shows its event (the ladder's own rules
    decide). With ``focus_mn``, or when the scenario has more than ``ALL_MNS_UP_TO``
    MNs (then the first MN by default), only that MN's events are asked about."""
    if focus_mn is None and len(scenario.mns) > ALL_MNS_UP_TO:
        focus_mn = scenario.mns[0].id if scenario.mns else None
    mns = [focus_mn] if focus_mn is not None else [mn.id for mn in scenario.mns]
    ladders = [LadderBuilder(scenario, mn) for mn in mns]
    b = _Builder(scenario, mode)
    out: list[Question] = []
    for ev in trace:
        owner = None
        for ladder in ladders:
            if ladder.feed(ev) is not None and owner is None:
                owner = ladder.focus
        if ev.kind == "fault":
            b.after_fault = True
        if owner is None:
            continue
        b.mn = owner
        q = _ask_before(b, ev, scenario, mode)
        if q is not None:
            out.append(q)
    return out


def _ask_before(b: _Builder, ev: TraceEvent, scenario: Scenario, mode: str) -> Question | None:
    """The question about ``ev``, if it is one that matters."""
    f = ev.fields
    if ev.kind == "send" and ev.msg == "PBU" and f.get("retransmission"):
        return b.retransmission(ev)
    if ev.kind == "send" and ev.msg in ("PBU", "PBA"):
        return b.next_message(ev)
    if ev.kind == "buffer" and f.get("op") == "in":
        return b.cache(ev)
    if ev.kind == "buffer" and f.get("op") == "out":
        return b.flush(ev)
    if ev.kind == "state" and f.get("table") == "bce":
        return b.flags(ev)
    if (ev.kind == "send" and ev.msg == "DATA" and f.get("cached")
            and ev.node == scenario.lma.name):
        return b.hairpin(ev)
    if ev.kind == "drop" and ev.msg == "DATA" and b.after_fault:
        return b.drop(ev)
    if ev.step == 8 and ev.kind == "send" and mode == "ft":
        return b.rfc5213(ev)
    return None


@dataclass
class Score:
    """Right and wrong answers so far."""

    right: int = 0
    wrong: int = 0

    def record(self, correct: bool) -> None:
        if correct:
            self.right += 1
        else:
            self.wrong += 1

    @property
    def asked(self) -> int:
        return self.right + self.wrong

    def __str__(self) -> str:
        return f"{self.right}/{self.asked}"
