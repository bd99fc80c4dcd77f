"""The Trace: one typed event per simulation step, the single source of truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from pmipviz.protocol.why import Note

Describe = Callable[[Note], str]
"""Turns a note's facts into its sentence (``pmipviz.lesson.sentences.describe``)."""


class TraceEvent:
    """One event: ``i``, ``t_ms``, ``kind``, ``node``, ``peer``, ``msg``, ``fields``,
    ``step`` (the draft's Figure 1 step, 1-8, or None) and a one-sentence ``note``.

    The emitter gives the note as a sentence, or as a :data:`Note` (its facts) with the
    ``describe`` that writes it: the sentence is then built on first read, so a run
    whose notes nobody reads builds none. Without a ``describe`` the note reads as
    its facts (``fact_text``)."""

    __slots__ = ("_describe", "_note", "fields", "i", "kind", "msg", "node", "peer", "step",
                 "t_ms")

    def __init__(self, i: int, t_ms: float, kind: str, node: str, peer: str | None,
                 msg: str | None, fields: dict[str, Any], step: int | None,
                 note: str | Note, describe: Describe | None = None) -> None:
        self.i = i
        self.t_ms = t_ms
        self.kind = kind
        self.node = node
        self.peer = peer
        self.msg = msg
        self.fields = fields
        self.step = step
        self._note = note
        self._describe = describe

    @property
    def note(self) -> str:
        """The sentence; built on first use when the emitter passed its facts."""
        note = self._note
        if isinstance(note, str):
            return note
        describe = self._describe
        text = self._note = describe(note) if describe is not None else fact_text(note)
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form of DESIGN.md (keys in this order)."""
        return {
            "i": self.i,
            "t_ms": self.t_ms,
            "kind": self.kind,
            "node": self.node,
            "peer": self.peer,
            "msg": self.msg,
            "fields": self.fields,
            "step": self.step,
            "note": self.note,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(", ", ": "))

    def __repr__(self) -> str:
        return f"TraceEvent({self.i}, {self.t_ms}, {self.kind}, {self.node}->{self.peer}, " \
               f"{self.msg}, step={self.step})"

    @property
    def is_dereg(self) -> bool:
        return self.msg == "PBU" and self.fields.get("lifetime_s") == 0


def fact_text(note: Note) -> str:
    """A note's facts as plain text, for a run given no ``describe``: ``"mag.forward
    MAG1 3 mn1@example.org/IF1"``."""
    return " ".join(fact_text(x) if isinstance(x, tuple) and x and isinstance(x[0], str)
                    else str(x) for x in note)


def event_from_dict(d: dict[str, Any]) -> TraceEvent:
    """Rebuild an event read from a trace file."""
    return TraceEvent(d["i"], float(d["t_ms"]), d["kind"], d["node"], d.get("peer"),
                      d.get("msg"), d.get("fields") or {}, d.get("step"), d.get("note", ""))


class JsonlSink:
    """Streams events to a JSON-lines file (nothing kept in memory)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0

    def __call__(self, event: TraceEvent) -> None:
        self.stream.write(event.to_json())
        self.stream.write("\n")
        self.count += 1
