"""The narration pane: what the current event is, why it happened, the Figure 1
step text, the section it comes from and what the other mode would do."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from pmipviz.lesson.narration import narrate
from pmipviz.scenario.model import Scenario
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.palette import styles
from pmipviz.ui.widgets.lines_view import LinesView


def narration_text(event: TraceEvent | None, mode: str, scenario: Scenario,
                   ended: bool = False, note: str | None = None) -> tuple[str, Text]:
    """The pane's title and text for ``event`` (the scenario before the first event);
    at the end of the run, what to do next comes first. ``note``, when given, is a
    first line saying which event this is (the selected MN's latest, not the current
    one)."""
    p = styles()
    if note is not None:  # which event the pane tells, when not the current
        title, text = narration_text(event, mode, scenario, ended)
        return title, Text.assemble((note + "\n", p.note + Style(italic=True)), text)
    if ended:
        text = Text()
        other = "RFC 5213" if mode == "ft" else "FT (draft)"
        text.append("End of the run: nothing more happens.\n", style=p.end)
        for key, what in (("r", "start again"), ("m", f"the same run in {other}"),
                          ("S", "back to the previous milestone"), ("g", "go to a time")):
            text.append(f"{key}", style=p.key)
            text.append(f"  {what}\n")
        text.append("\n")
        if event is not None:
            text.append("The last event: ", style=p.dim)
            text.append(narration_text(event, mode, scenario)[1])
        return "End of run", text
    text = Text()
    if event is None:
        text.append(scenario.title + "\n", style="bold")
        text.append(" ".join(scenario.description.split()) + "\n\n", style="")
        text.append("→ / n step   s next milestone   ← / b back   1-9 break/restore   "
                    "m mode   g go to a time   ? help", style=p.dim)
        return "About this scenario", text
    n = narrate(event, mode)
    text.append(n.sentence + "\n", style="bold")
    if n.step_text:
        text.append(f"\n({event.step}) {n.step_text}\n", style=p.step + Style(italic=True))
    if n.reference:
        text.append(f"\n{n.reference}\n", style=p.note)
    if n.contrast:
        label = "Without the draft: " if mode == "ft" else "With the draft: "
        text.append("\n" + label, style=p.caution + Style(bold=True))
        text.append(n.contrast + "\n", style=p.caution)
    return n.headline, text


class NarrationView(LinesView):
    """The text wrapped to the pane's width; scrolls when it is longer."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def show(self, event: TraceEvent | None, mode: str, scenario: Scenario,
             ended: bool = False, note: str | None = None) -> None:
        self.border_title, self._text = narration_text(event, mode, scenario, ended, note)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.rewrap()

    def rewrap(self) -> None:
        """Wrap for the pane's width, less the scrollbar's column when the text will
        need one: decided from the text and the pane's size alone, not from whether a
        scrollbar happens to be shown now (so the same event always reads the same)."""
        console = self.app.console
        # ``size`` is the content area without border and padding, scrollbar included
        width, height = (self.size.width, self.size.height) if self.size.width else (38, 0)
        width = max(10, width)
        lines = self._text.wrap(console, width)
        if len(lines) > height:
            width = max(10, width - self.styles.scrollbar_size_vertical)
            lines = self._text.wrap(console, width)
        self.set_lines([list(line.render(console)) for line in lines], width)

    def on_resize(self) -> None:
        self.rewrap()
