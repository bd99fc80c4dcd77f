"""Lesson mode's modal screens: one multiple-choice question (then why the answer
is right), and the score at the end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmipviz.lesson.quiz import LETTERS, Question
from pmipviz.ui.lesson import Answer
from pmipviz.ui.palette import styles

BELOW = frozenset({"flags"})  # kinds asked about the Binding Cache, at the top of the app
KIND_LABELS = {"next_message": "next message", "local_action": "local action",
               "flags": "M/S flags", "rfc5213": "plain RFC 5213"}


def choices_table(question: Question, chosen: int | None = None) -> Table:
    """The choices, A-D; once answered, ✓ on the right one and ✗ on a wrong pick.
    Long choices wrap under their own text."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for k, choice in enumerate(question.choices):
        mark, style = " ", Style()
        if chosen is not None:
            if question.is_correct(k):
                mark, style = "✓", styles().good
            elif k == chosen:
                mark, style = "✗", styles().down
            else:
                style = styles().dim
        table.add_row(Text(f" {LETTERS[k]} ", style=styles().key + Style(reverse=chosen == k)),
                      Text(mark, style=style), Text(choice, style=style))
    return table


def result_text(question: Question, chosen: int, step: int | None = None) -> Text:
    """Right or wrong (✓ / ✗, not colour alone), the answer, why, the draft's words."""
    right = question.is_correct(chosen)
    letter = LETTERS[question.answer]
    text = Text()
    if right:
        text.append(f"✓ Right: {letter}.", style=styles().good)
    else:
        text.append(f"✗ Not quite: you chose {LETTERS[chosen]}, the answer is {letter}.",
                    style=styles().down)
    text.append(f"\n{question.explanation}")
    if question.quote:
        label = f"({step}) " if step is not None else ""
        text.append(f"\n\n{label}“{question.quote}”", style=styles().step + Style(italic=True))
    if question.reference:
        text.append(f"\n{question.reference}", style=styles().note)
    return text


class QuestionScreen(ModalScreen[bool]):
    """Asks ``question``; ``record(choice)`` scores the answer. Dismissed with True
    to apply the event and carry on, False to close (esc: skip if unanswered)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(f"{letter.lower()},{k}", f"choose({k - 1})", f"{letter}", show=False,
                  priority=True) for k, letter in enumerate(LETTERS, start=1)],
        Binding("enter,space,n,right", "carry_on", "continue", priority=True),
        Binding("escape", "close", "skip", priority=True),
    ]

    def __init__(self, question: Question, title: str, record: Callable[[int], bool],
                 step: int | None = None) -> None:
        super().__init__()
        self.question = question
        self.title_text = title
        self.record = record
        self.step = step
        self.chosen: int | None = None
        self.hinted = False  # "answer first" is said once per question
        self.shown = False  # composed and mounted: the keys may answer

    def on_mount(self) -> None:
        self.shown = True
        if self.question.kind in BELOW:  # asks about the Binding Cache: keep it in sight
            self.add_class("-below")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key queued behind the step that asked (a burst of input) can arrive
        before the screen is composed; it was not meant for this question (and
        its widgets do not exist yet): it neither answers nor continues."""
        return self.shown or action not in ("choose", "carry_on")

    def compose(self) -> ComposeResult:
        q = self.question
        with VerticalScroll(id="question-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = f"a-{LETTERS[len(q.choices) - 1].lower()} answer · esc skip"
            yield Static(Text(q.prompt, style="bold"), id="question-prompt")
            yield Static(choices_table(q), id="question-choices")
            yield Static("", id="question-result")

    def action_choose(self, k: int) -> None:
        if self.chosen is not None or not 0 <= k < len(self.question.choices):
            return
        self.chosen = k
        right = self.record(k)
        box = self.query_one("#question-box")
        box.add_class("-right" if right else "-wrong")
        verdict = "✓ right" if right else "✗ wrong"
        box.border_subtitle = f"{verdict} · enter continue · esc close"
        self.query_one("#question-choices", Static).update(choices_table(self.question, k))
        result = self.query_one("#question-result", Static)
        result.update(result_text(self.question, k, self.step))
        result.add_class("-shown")

    def action_carry_on(self) -> None:
        if self.chosen is None:
            if not self.hinted:  # once: more presses must not stack toasts on the question
                self.hinted = True
                last = LETTERS[len(self.question.choices) - 1].lower()
                self.query_one("#question-box").border_subtitle = (
                    f"answer with a-{last} first · esc skip")
                self.notify(f"Answer with a-{last} first (esc skips the question)", timeout=2)
            return
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


def summary_table(answers: Sequence[Answer]) -> Table:
    """One row per question asked: ✓ / ✗ / –, the question, the right answer."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for a in answers:
        q = a.question
        if a.choice is None:
            mark = Text("– skipped", style=styles().dim)
        elif a.correct:
            mark = Text("✓ right", style=styles().good)
        else:
            mark = Text("✗ wrong", style=styles().down)
        cell = Text(q.prompt)
        cell.append("\nanswer ", style=styles().dim)
        cell.append(f"{LETTERS[q.answer]} {q.choices[q.answer]}", style=styles().good)
        if a.choice is not None and not a.correct:
            cell.append("\nyou    ", style=styles().dim)
            cell.append(f"{LETTERS[a.choice]} {q.choices[a.choice]}", style=styles().down)
        table.add_row(mark, f"Q{a.number}", cell)
    return table


class LessonSummaryScreen(ModalScreen[None]):
    """The score and the per-question list; any of esc, enter, q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,space,q", "dismiss", "close", priority=True),
    ]

    def __init__(self, answers: Sequence[Answer], finished: bool) -> None:
        super().__init__()
        self.answers = tuple(answers)
        self.finished = finished

    def headline(self) -> str:
        right = sum(a.correct for a in self.answers)
        answered = sum(a.choice is not None for a in self.answers)
        skipped = len(self.answers) - answered
        head = "Lesson complete" if self.finished else "Lesson ended"
        tail = f", {skipped} skipped" if skipped else ""
        return f"{head}: {right}/{answered} right{tail}"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary-box") as box:
            box.border_title = "Lesson score"
            box.border_subtitle = "esc to close"
            yield Static(Text(self.headline(), style="bold"), id="summary-headline")
            yield Static(summary_table(self.answers), id="summary-list")
