"""Lesson mode's state: the run's questions, which were asked, the answers and
the score. Textual-free; the app asks it before each step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmipviz.lesson.quiz import ALL_MNS_UP_TO, LETTERS, Question, Score, questions
from pmipviz.sim.simulation import Simulation


@dataclass(frozen=True)
class Answer:
    """What the student did with one question: ``choice`` None means skipped."""

    question: Question
    number: int  # 1-based, among the run's questions
    choice: int | None

    @property
    def correct(self) -> bool:
        return self.choice is not None and self.question.is_correct(self.choice)


def ensure_next(sim: Simulation) -> None:
    """Make sure the event at the cursor is generated (big runs grow as they go),
    without applying it."""
    if sim.cursor >= len(sim.trace) and not sim.complete and sim.step() is not None:
        sim.back()


class Lesson:
    """Questions keyed by the trace index they are asked before; each is asked
    once per run (``reset`` re-arms them)."""

    def __init__(self, on: bool = False) -> None:
        self.on = on
        self.questions: list[Question] = []
        self.numbers: dict[int, int] = {}  # at -> 1-based number
        self.asked: set[int] = set()  # ``at`` of the questions asked in this trace
        self.answers: list[Answer] = []
        self.score = Score()
        self.summary_shown = False
        self.complete = False  # the questions cover the whole run
        self._known = -1  # the trace length the questions were computed for
        self.focus: str | None = None  # big scenarios: ask only about this MN

    # -- the trace ----------------------------------------------------------------

    def sync(self, sim: Simulation) -> None:
        """Extend the questions when the trace has grown since the last call."""
        if len(sim.trace) != self._known:
            self._compute(sim)

    def _compute(self, sim: Simulation) -> None:
        self.questions = questions(sim.trace, sim.scenario, sim.mode, self.focus)
        self.numbers = {q.at: k for k, q in enumerate(self.questions, start=1)}
        self.complete = sim.complete
        self._known = len(sim.trace)

    def refocus(self, sim: Simulation, mn_id: str | None) -> None:
        """Big scenarios follow the selected MN: its questions replace the others."""
        if len(sim.scenario.mns) > ALL_MNS_UP_TO and mn_id != self.focus:
            self.focus = mn_id
            self._compute(sim)

    def reset(self, sim: Simulation) -> None:
        """A new run: every question is asked again and the score starts over."""
        self.asked.clear()
        self.answers.clear()
        self.score = Score()
        self.summary_shown = False
        self._compute(sim)

    def retrace(self, sim: Simulation, kept: int) -> None:
        """The trace changed from index ``kept`` on (a fault, a mode switch): the
        questions after it are new ones; the score is kept."""
        self.asked = {at for at in self.asked if at < kept}
        self.summary_shown = False
        self._compute(sim)

    # -- asking ---------------------------------------------------------------------

    def pending(self, cursor: int) -> Question | None:
        """The question to ask before applying event ``cursor``, if any."""
        if not self.on or cursor in self.asked:
            return None
        number = self.numbers.get(cursor)
        return None if number is None else self.questions[number - 1]

    def number(self, question: Question) -> int:
        return self.numbers.get(question.at, 0)

    def count_label(self) -> str:
        """How many questions the run has: ``12``, or ``115+`` while it grows."""
        return f"{len(self.questions)}{'' if self.complete else '+'}"

    def answer(self, question: Question, choice: int) -> bool:
        """Record an answer (once per question); True when it is right."""
        if question.at in self.asked:
            return question.is_correct(choice)
        self.asked.add(question.at)
        self.answers.append(Answer(question, self.number(question), choice))
        self.score.record(question.is_correct(choice))
        return question.is_correct(choice)

    def skip(self, question: Question) -> None:
        """Leave a question unanswered: not scored, not asked again."""
        if question.at not in self.asked:
            self.asked.add(question.at)
            self.answers.append(Answer(question, self.number(question), None))

    def header(self) -> str | None:
        """``2/5`` for the status line while lesson mode is on."""
        return str(self.score) if self.on else None

    def report(self, sim: Simulation) -> dict[str, Any]:
        """The lesson's results as JSON-ready data (``--report``, "Save lesson results"):
        the scenario and mode, the score, and each question asked, in the order asked,
        with the choices, the right one and the student's (null when skipped)."""
        trace = sim.trace
        answers = []
        for a in self.answers:
            q = a.question
            at = trace[q.at] if q.at < len(trace) else None
            answers.append({
                "number": a.number,
                "kind": q.kind,
                "event": q.at + 1,  # as the header counts: the event it was asked before
                "t_ms": at.t_ms if at is not None else None,
                "step": at.step if at is not None else None,
                "prompt": q.prompt,
                "choices": {LETTERS[k]: text for k, text in enumerate(q.choices)},
                "answer": LETTERS[q.answer],
                "chosen": None if a.choice is None else LETTERS[a.choice],
                "correct": a.correct,
            })
        skipped = sum(1 for a in self.answers if a.choice is None)
        return {
            "pmipviz_lesson": 1,
            "scenario": {"name": sim.scenario.name, "title": sim.scenario.title},
            "mode": sim.mode,
            "score": {"right": self.score.right, "wrong": self.score.wrong,
                      "skipped": skipped, "questions": len(self.questions),
                      "questions_complete": self.complete},
            "answers": answers,
        }

    def summary_due(self, sim: Simulation) -> bool:
        """True once, when the run has ended with questions asked."""
        return (self.on and not self.summary_shown and bool(self.answers)
                and sim.complete and sim.cursor >= sim.total)
