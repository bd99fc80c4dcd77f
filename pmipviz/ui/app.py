"""The pmipviz terminal app: topology, Binding Cache, MAG caches, ladder and
narration of one simulation, stepped forward and back by the user; in lesson
mode it stops before the events that matter and asks a question."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from pmipviz.export.ladder import LadderBuilder
from pmipviz.lesson.quiz import Question
from pmipviz.protocol.keys import IfaceKey, short_mn
from pmipviz.scenario import ScenarioError, shipped_scenarios
from pmipviz.scenario.model import Scenario
from pmipviz.sim.simulation import Simulation
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui import palette, session
from pmipviz.ui.command_palette import PaletteApp
from pmipviz.ui.files import free_name, scenario_files
from pmipviz.ui.lesson import Lesson, ensure_next
from pmipviz.ui.navigation import Milestones, index_at_time, next_fault, previous_fault
from pmipviz.ui.screens.error import ErrorScreen
from pmipviz.ui.screens.events import EventListScreen, Filter
from pmipviz.ui.screens.goto import GotoScreen
from pmipviz.ui.screens.help import HelpScreen
from pmipviz.ui.screens.inspector import InspectorScreen
from pmipviz.ui.screens.question import KIND_LABELS, LessonSummaryScreen, QuestionScreen
from pmipviz.ui.topology_graph import build_graph, interfaces_of
from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from pmipviz.ui.widgets.footer import FittingFooter
from pmipviz.ui.widgets.ladder import LadderView
from pmipviz.ui.widgets.mag_caches import MagCachesView
from pmipviz.ui.widgets.narration import NarrationView
from pmipviz.ui.widgets.status_line import StatusLine, status_text
from pmipviz.ui.widgets.topology import TopologyView

if TYPE_CHECKING:  # imported when `d` first shows it (textual-plot loads numpy)
    from pmipviz.ui.widgets.delivery_plot import DeliveryPlotView

# actions that act on the simulation: only on the main screen
SIM_ACTIONS = frozenset({
    "play_pause", "step", "step_back", "toggle_iface", "toggle_mode", "reset", "faster", "slower",
    "inspect", "help", "next_mn", "prev_mn", "quit_main", "toggle_lesson",
    "next_milestone", "prev_milestone", "next_fault", "prev_fault", "seek_time",
    "toggle_plot", "event_list", "toggle_theme",
    "zoom_in", "zoom_out", "pan_earlier", "pan_later", "zoom_whole", "zoom_handover",
})

END_HINT = "r start again, m other mode, S back"
TOPOLOGY_HIDDEN = "topology hidden: 24+ lines show it"  # the ladder's caption then


JUMP_LIMIT = 100_000  # events one `j` may step over


def is_forwarding(ev: TraceEvent) -> bool:
    """Plain data forwarding, which `j` steps over."""
    return ev.msg == "DATA" and ev.kind in ("send", "recv", "deliver")


class PmipvizApp(PaletteApp):
    """``PmipvizApp(scenario="figure1", mode=None, lesson=False)``: a shipped name, a
    path or a Scenario; ``mode`` overrides the scenario's ("ft" or "rfc5213");
    ``lesson`` starts in lesson mode; ``theme`` is "dark" or "light" (palette.THEMES)."""

    CSS_PATH = "app.tcss"
    TITLE = "pmipviz"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide"), (150, "-huge")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (24, "-short"), (34, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play_pause", "play", priority=True),
        Binding("right,n", "step", "step", key_display="→", priority=True),
        Binding("left,b", "step_back", "back", key_display="←", priority=True),
        Binding("j", "next_control", "next control", priority=True, show=False),
        Binding("s", "next_milestone", "milestone", priority=True),
        Binding("S", "prev_milestone", "prev milestone", priority=True, show=False),
        Binding("f", "next_fault", "next fault", priority=True, show=False),
        Binding("F", "prev_fault", "prev fault", priority=True, show=False),
        Binding("g", "seek_time", "go to", priority=True, show=False),
        Binding("1", "toggle_iface(1)", "break", key_display="1-9",
                priority=True),
        *[Binding(str(k), f"toggle_iface({k})", show=False, priority=True)
          for k in range(2, 10)],
        Binding("m", "toggle_mode", "mode", priority=True),
        Binding("d", "toggle_plot", "plot", priority=True),
        Binding("e", "event_list", "events", priority=True, show=False),
        Binding("r", "reset", "reset", priority=True),
        Binding("question_mark", "help", "help", key_display="?", priority=True),
        Binding("q", "quit_main", "quit", priority=True),
        Binding("l", "toggle_lesson", "lesson", priority=True),
        Binding("enter", "inspect", "inspect", key_display="⏎", priority=True),
        # one footer entry for both speed keys, so that the footer fits 120 columns
        Binding("plus,equals_sign", "faster", "speed", key_display="+/-", priority=True),
        Binding("minus", "slower", "slower", key_display="-", priority=True, show=False),
        Binding("right_square_bracket", "next_mn", "next MN", key_display="]",
                priority=True, show=False),
        Binding("left_square_bracket", "prev_mn", "prev MN", key_display="[",
                priority=True, show=False),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
        Binding("T", "toggle_theme", "theme", priority=True, show=False),
        # the delivery plot's time axis (+/- are the speed keys)
        Binding("i", "zoom_in", "zoom in", priority=True, show=False),
        Binding("o", "zoom_out", "zoom out", priority=True, show=False),
        Binding("less_than_sign", "pan_earlier", "earlier", key_display="<", priority=True,
                show=False),
        Binding("greater_than_sign", "pan_later", "later", key_display=">", priority=True,
                show=False),
        Binding("0", "zoom_whole", "whole run", priority=True, show=False),
        Binding("z", "zoom_handover", "handover", priority=True, show=False),
    ]

    def __init__(self, scenario: str | Path | Scenario = "figure1",
                 mode: str | None = None, lesson: bool = False, theme: str = "dark") -> None:
        super().__init__()
        self._views_ready = False  # the panes are mounted (watch_theme)
        self.register_theme(palette.LIGHT_TEXTUAL)
        self.theme = palette.use(theme).textual
        self.scenario = session.resolve(scenario)
        self.sim: Simulation = session.new_simulation(self.scenario, mode)
        self.graph = build_graph(self.scenario)
        self.selected_mn: str | None = self.scenario.mns[0].id if self.scenario.mns else None
        self.speed_index = session.DEFAULT_SPEED
        self.playing = False
        self._timer: Timer | None = None
        self.lesson = Lesson(on=lesson)
        self.lesson.reset(self.sim)
        self._resume_after_question = False
        self._other_mode: Simulation | None = None  # the run ``m`` switched away from
        self.milestones = Milestones()
        self._was_ended = False  # the end of the run was on screen at the last update
        self.plot_shown = False  # `d`: the delivery plot in place of the ladder
        self._latest_cache: tuple[LadderBuilder, int, int | None] | None = None
        self.event_filter = Filter()  # `e`: the event list's filter, kept between openings

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        where = self._narration_pane()
        with Horizontal(id="top"):
            if where == "top":
                yield NarrationView(id="narration")
            yield TopologyView(self.graph, id="topology")
            with Vertical(id="right"):
                yield BindingCacheTable(id="bce")
                yield MagCachesView(id="caches")
                if where == "right":
                    yield NarrationView(id="narration")
        with Horizontal(id="bottom"):
            yield LadderView(id="ladder")
            if where == "bottom":
                yield NarrationView(id="narration")
        yield FittingFooter()

    def _narration_pane(self, size: Size | None = None) -> str:
        """Where the narration sits (app.tcss; README "In the TUI"): at a projector's
        size (fewer than 110 columns, 34 lines) under the Binding Cache in place of
        the MAG caches, so that the ladder has the whole bottom ("right"); with fewer
        than 24 lines too, in place of the topology, which is hidden ("top"): beside
        the Binding Cache it would have room for its title only; else beside the
        ladder ("bottom")."""
        width, height = size or self.size
        if width >= 110 or height >= 34:
            return "bottom"
        return "top" if height < 24 else "right"

    async def on_resize(self, event: events.Resize) -> None:
        """Move the narration where the new size wants it (``_narration_pane``)."""
        narration = self.query_one(NarrationView)
        pane = self._narration_pane(event.size)
        where = self.query_one(f"#{pane}")
        if narration.parent is not where:
            await narration.remove()
            await where.mount(narration, before="#right" if pane == "top" else None)
        self.query_one(LadderView).border_subtitle = TOPOLOGY_HIDDEN if pane == "top" else ""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """One notice at a time: a new one replaces the one shown, so pressing a key that
        warns again (e.g. ``7`` for an MN with two interfaces) never stacks copies."""
        self.clear_notifications()
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        titles = {"#topology": "Topology", "#bce": "LMA Binding Cache",
                  "#caches": "MAG caches · flows", "#ladder": "Ladder"}
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        if self._narration_pane() == "top":
            self.query_one(LadderView).border_subtitle = TOPOLOGY_HIDDEN
        self._timer = self.set_interval(1.0, self._tick, pause=True)
        self._new_sim_views()
        self.query_one(LadderView).focus()
        self._views_ready = True

    # -- widgets ----------------------------------------------------------------------

    @property
    def speed(self) -> float:
        return session.SPEEDS[self.speed_index]

    def _new_sim_views(self) -> None:
        """Point every pane at the current ``self.sim`` (new run or new focus)."""
        self.query_one(BindingCacheTable).reset(self.sim.mode == "ft", self.scenario)
        self.query_one(LadderView).reset(self.scenario, self.selected_mn)
        plot = self.plot_view
        if plot is not None:
            plot.reset(self.scenario, self.selected_mn, self.sim.mode)
        topology = self.query_one(TopologyView)
        topology.set_graph(self.graph)
        topology.border_title = "Topology"
        if len(self.scenario.mns) > 1 and self.selected_mn is not None:
            topology.border_title = Text(f"Topology · MN {short_mn(self.selected_mn)}")
            topology.border_subtitle = "[ ] other MN"
        self._update(jump=True)

    def _update(self, jump: bool = False, undone: TraceEvent | None = None) -> None:
        """Refresh the panes after the cursor moved; only what changed when stepping."""
        sim = self.sim
        view = sim.state()
        ev = sim.current
        touched = [e for e in (ev, undone) if e is not None]
        bce_keys: set[str] | None = None
        if not jump:
            bce_keys = {k for t, k in view.changed if t == "bce"}
            bce_keys |= {e.fields["key"] for e in touched
                         if e.kind == "state" and e.fields.get("table") == "bce"}
        table = self.query_one(BindingCacheTable)
        table.sync(view, bce_keys)
        if jump and len(self.scenario.mns) > 1 and self.selected_mn is not None:
            table.reveal(self.selected_mn)
        ifaces = jump or any(e.kind == "fault" or (e.kind == "state" and
                                                    e.fields.get("table") == "iface")
                             for e in touched)
        topo = view
        shown = session.fault_ifaces(sim.trace, sim.cursor, view.ifaces)
        if shown is not None:  # a fault shows at once, before its interface state event
            topo = copy.copy(view)
            topo.ifaces = shown
        self.query_one(TopologyView).show(topo, self.selected_mn, session.path_hint(ev),
                                          ifaces)
        if jump or any(e.msg == "DATA" for e in touched):
            self.query_one(MagCachesView).show(view, self.selected_mn)
        self.query_one(LadderView).follow(sim.trace, sim.cursor, jump=jump)
        plot = self.plot_view
        if self.plot_shown and plot is not None:
            plot.follow(sim.trace, sim.cursor, sim.now, force=jump, ended=self.ended)
        narration = self.query_one(NarrationView)
        told, note = self._narrated(ev)
        narration.show(told, sim.mode, self.scenario, ended=self.ended, note=note)
        narration.border_subtitle = self._milestone_caption()
        self._status()
        if self.ended and not self._was_ended and not self.lesson.on:
            # (with the lesson on, its score screen ends the run and must stay readable)
            self.notify(f"End of the run at t={sim.now:.1f} ms: {END_HINT}", timeout=4,
                        markup=False)
        self._was_ended = self.ended

    @property
    def ended(self) -> bool:
        """The whole run is applied: stepping forward does nothing more."""
        return self.sim.complete and self.sim.cursor >= self.sim.total

    def _mn_filter(self) -> str | None:
        """The MN whose milestones the keys stop at (scenarios with several MNs)."""
        return self.selected_mn if len(self.scenario.mns) > 1 else None

    def _narrated(self, ev: TraceEvent | None) -> tuple[TraceEvent | None, str | None]:
        """The event the narration tells, and a note when it is not the current one:
        with several MNs, the selected MN's latest event at or before the cursor (what
        the ladder counts as the MN's); with one MN, always the current event."""
        mn = self._mn_filter()
        sim = self.sim
        builder = self.query_one(LadderView).builder
        if mn is None or ev is None or builder is None:
            return ev, None
        i = self._latest_of_mn(builder, sim.cursor)
        if i == sim.cursor - 1:
            return ev, None
        now = f"event {sim.cursor}, t={ev.t_ms:.1f} ms, is another MN's"
        if i is None:
            return None, f"Nothing for {short_mn(mn)} yet ({now})."
        told = sim.trace[i]
        return told, (f"latest for {short_mn(mn)}: event {i + 1}, t={told.t_ms:.1f} ms "
                      f"(event {sim.cursor} is another MN's)")

    def _latest_of_mn(self, builder: LadderBuilder, cursor: int) -> int | None:
        """The last event before ``cursor`` in ``builder``'s ladder (the selected MN's),
        scanning back only to where the previous call stopped when moving forward."""
        start, best = 0, None
        cached = self._latest_cache
        if cached is not None and cached[0] is builder and cached[1] <= cursor:
            start, best = cached[1], cached[2]
        for i in range(cursor - 1, start - 1, -1):
            if builder.row_of(i) is not None:
                best = i
                break
        self._latest_cache = (builder, cursor, best)
        return best

    def _milestone_caption(self) -> str:
        """``milestone 5/13 · s next`` under the narration when the event is one."""
        sim = self.sim
        if sim.cursor == 0:
            return "s next milestone"
        found = self.milestones.numbered(sim, sim.cursor - 1, self._mn_filter())
        if found is None:
            return ""
        k, n = found
        return f"milestone {k}/{n}{'' if sim.complete else '+'} · s next · S back"

    def _status(self) -> None:
        sim = self.sim
        args = (self.scenario.title, sim.mode, sim.now, sim.cursor, sim.total, sim.complete,
                self.playing, self.speed)
        lesson = self.lesson.header()
        # the header lays itself out again for its own width after a resize
        self.query_one(StatusLine).show(lambda width: status_text(*args, width, lesson))

    # -- moving the cursor --------------------------------------------------------------

    def seek(self, index: int) -> None:
        """Move to ``index`` events applied (for scripts and tests)."""
        self.sim.seek(index)
        self._update(jump=True)

    def run_until(self, t_ms: float) -> None:
        """Step every event up to simulated time ``t_ms`` (for scripts and tests)."""
        self.sim.run(t_ms)
        self._update(jump=True)

    def action_step(self) -> None:
        question = self._next_question()
        if question is not None:
            self._ask(question)
            return
        if self.sim.step() is None:
            self._pause()
            return
        self._update()
        self._summary_if_due()

    def action_next_control(self) -> None:
        """Step over data forwarding to the next signalling message, state change,
        cache action, drop or fault (stopping before a lesson question)."""
        self._walk(after=lambda _i, ev: not is_forwarding(ev))

    def _walk(self, after: Callable[[int, TraceEvent], bool] | None = None,
              before: Callable[[TraceEvent], bool] | None = None) -> None:
        """Step forward until ``after(index, event)`` holds for the event just applied,
        or ``before(event)`` for the next one, a lesson question is due or the run
        ends. When nothing moved (a question, the end): as a plain step would."""
        sim = self.sim
        moved = False
        for _ in range(JUMP_LIMIT):
            if self._next_question() is not None:
                break
            if before is not None:
                ensure_next(sim)
                if sim.cursor < len(sim.trace) and before(sim.trace[sim.cursor]):
                    break
            ev = sim.step()
            if ev is None:
                break
            moved = True
            if after is not None and after(sim.cursor - 1, ev):
                break
        if moved:
            self._update(jump=True)
            self._summary_if_due()
        elif before is None or self._next_question() is not None:
            self.action_step()

    def action_next_milestone(self) -> None:
        """On to the next milestone (a Figure 1 step, attach, fault, DeReg, PBA, flush,
        first packet on a new path...); after the last one, the end of the run."""
        mn = self._mn_filter()
        self._walk(after=lambda i, _ev: self.milestones.at(self.sim, i, mn) is not None)

    def action_prev_milestone(self) -> None:
        """Back to the previous milestone (the start of the run before the first)."""
        found = self.milestones.previous(self.sim, self._mn_filter())
        self._seek_back(0 if found is None else found.at + 1)

    def action_next_fault(self) -> None:
        """On to the next fault (break, restore, move), if the run has one ahead."""
        sim = self.sim
        if sim.complete and next_fault(sim.trace, sim.cursor) is None:
            self.notify(f"No fault after t={sim.now:.1f} ms: break an interface with 1-9",
                        severity="information", markup=False)
            return
        self._walk(after=lambda _i, ev: ev.kind == "fault")

    def action_prev_fault(self) -> None:
        """Back to the previous fault, just after it took effect."""
        index = previous_fault(self.sim.trace, self.sim.cursor)
        if index is None:
            self.notify("No fault before this point", severity="information")
            return
        self._seek_back(index + 1)

    def action_seek_time(self) -> None:
        """Ask for a simulated time and go there."""
        sim = self.sim
        end = sim.trace[len(sim.trace) - 1].t_ms if sim.complete and len(sim.trace) else None
        self._pause()
        self.push_screen(GotoScreen(sim.now, end), self.goto_time)

    def goto_time(self, t_ms: float | None) -> None:
        """Every event at or before ``t_ms`` applied, none after (forward: stopping
        before a lesson question on the way)."""
        if t_ms is None:
            return
        sim = self.sim
        if t_ms >= sim.now:
            self._walk(before=lambda ev: ev.t_ms > t_ms)
        else:
            self._seek_back(index_at_time(sim.trace, t_ms))

    def _seek_back(self, index: int) -> None:
        if index < self.sim.cursor:
            self.sim.seek(index)
            self._update(jump=True)

    def action_step_back(self) -> None:
        undone = self.sim.back()
        if undone is not None:
            self._update(undone=undone)

    def action_reset(self) -> None:
        self._pause()
        self._other_mode = None
        self.sim = session.new_simulation(self.scenario, self.sim.mode)
        self.lesson.reset(self.sim)
        self._new_sim_views()

    def action_toggle_mode(self) -> None:
        """The other mode at the same point. Switching back before the time or the
        faults change returns to the very simulation and cursor left (``with_mode``
        replays up to a time, which lands at the end of that time's events)."""
        left = self.sim
        other = "rfc5213" if left.mode == "ft" else "ft"
        kept = self._other_mode
        if kept is not None and session.same_point(kept, left, other):
            self.sim = kept
        else:
            self.sim = left.with_mode(other)
            session.complete_if_small(self.sim)
        self._other_mode = left
        self.lesson.retrace(self.sim, 0)
        self._new_sim_views()

    def action_toggle_iface(self, k: int) -> None:
        if self.selected_mn is None:
            return
        keys = interfaces_of(self.graph, self.selected_mn)
        if not 1 <= k <= len(keys):
            self.notify(f"{self.selected_mn} has no interface {k}", severity="warning",
                        markup=False)
            return
        sim = self.sim
        ladder = self.query_one(LadderView)
        kept = sim.cursor
        sim.toggle_interface(keys[k - 1])
        session.complete_if_small(sim)
        self.lesson.retrace(sim, kept)
        if ladder.fed > sim.cursor:  # the future the ladder was fed has changed
            ladder.reset(self.scenario, self.selected_mn)
        sim.seek(session.fault_applied(sim, keys[k - 1]))
        self._update(jump=True)

    # -- play -------------------------------------------------------------------------

    def action_play_pause(self) -> None:
        if self.playing:
            self._pause()
        else:
            self.playing = True
            self._retime()
        self._status()

    def _pause(self) -> None:
        self.playing = False
        if self._timer is not None:
            self._timer.pause()
        self._status()

    def _retime(self) -> None:
        """(Re)create the play timer for the current speed."""
        if self._timer is not None:
            self._timer.stop()
        interval, _ = session.tick_plan(self.speed)
        self._timer = self.set_interval(interval, self._tick, pause=not self.playing)

    def _tick(self) -> None:
        _, per_tick = session.tick_plan(self.speed)
        if per_tick == 1:
            self.action_step()
            return
        moved = 0
        question: Question | None = None
        for _ in range(per_tick):
            question = self._next_question()
            if question is not None or self.sim.step() is None:
                break
            moved += 1
        if question is None and moved < per_tick:
            self._pause()
        self._update(jump=True)
        if question is not None:
            self._ask(question)
        else:
            self._summary_if_due()

    # -- lesson mode -----------------------------------------------------------------------

    def action_toggle_lesson(self) -> None:
        lesson = self.lesson
        lesson.on = not lesson.on
        if lesson.on:
            lesson.sync(self.sim)
            self.notify("Lesson mode: the run stops before each step that matters and asks "
                        "a question (a-d to answer)", timeout=4)
        elif lesson.answers and not lesson.summary_shown:
            self._pause()
            self.push_screen(LessonSummaryScreen(lesson.answers, finished=False))
        self._status()

    def _next_question(self) -> Question | None:
        """The question to ask before the next event, in lesson mode."""
        if not self.lesson.on:
            return None
        ensure_next(self.sim)
        self.lesson.sync(self.sim)
        return self.lesson.pending(self.sim.cursor)

    def _ask(self, question: Question) -> None:
        """Pause and open the question; the event is applied once it is answered."""
        self._resume_after_question = self.playing
        self._pause()
        if question.mn_id is not None and question.mn_id != self.selected_mn:
            self.select_mn(question.mn_id)  # show the ladder the question is about
        lesson = self.lesson
        title = (f"Lesson · question {lesson.number(question)}/{lesson.count_label()} · "
                 f"{KIND_LABELS.get(question.kind, question.kind)}")
        screen = QuestionScreen(question, title, partial(self._record, question),
                                self.sim.trace[question.at].step)
        self.push_screen(screen, partial(self._after_question, question))

    def _record(self, question: Question, choice: int) -> bool:
        right = self.lesson.answer(question, choice)
        self._status()
        return right

    def _after_question(self, question: Question, carry_on: bool | None) -> None:
        """Continue (apply the event, resume play) or close (esc: skip if unanswered)."""
        resume, self._resume_after_question = self._resume_after_question, False
        self.lesson.skip(question)  # no-op once answered
        if not carry_on:
            return
        self.action_step()
        if resume and self.screen is self.screen_stack[0]:
            self.playing = True
            self._retime()
            self._status()

    def _summary_if_due(self) -> None:
        if self.lesson.summary_due(self.sim):
            self.lesson.summary_shown = True
            self._pause()
            self.push_screen(LessonSummaryScreen(self.lesson.answers, finished=True))

    def action_faster(self) -> None:
        self.speed_index = min(len(session.SPEEDS) - 1, self.speed_index + 1)
        self._retime()
        self._status()

    def action_slower(self) -> None:
        self.speed_index = max(0, self.speed_index - 1)
        self._retime()
        self._status()

    # -- selection, screens ---------------------------------------------------------------

    def select_mn(self, mn_id: str) -> None:
        """Show ``mn_id`` in detail: topology, ladder, flows, its Binding Cache rows."""
        self.selected_mn = mn_id
        self.lesson.refocus(self.sim, mn_id)
        self._new_sim_views()

    def _cycle_mn(self, delta: int) -> None:
        ids = [mn.id for mn in self.scenario.mns]
        if len(ids) < 2 or self.selected_mn is None:
            return
        self.select_mn(ids[(ids.index(self.selected_mn) + delta) % len(ids)])

    def action_next_mn(self) -> None:
        self._cycle_mn(1)

    def action_prev_mn(self) -> None:
        self._cycle_mn(-1)

    def action_inspect(self) -> None:
        ladder = self.query_one(LadderView)
        index = ladder.selected_event()
        events: tuple[int, ...] = ()
        if index is None:
            ev = self.sim.current
            if ev is None:
                self.notify("Nothing to inspect yet: step first (→)", severity="information")
                return
        else:
            ev = self.sim.trace[index]
            assert ladder.selected is not None
            events = ladder.row(ladder.selected).events
        self.push_screen(InspectorScreen(ev, events))

    @property
    def plot_view(self) -> DeliveryPlotView | None:
        """The delivery plot pane, once ``d`` has made it."""
        found = self.query("#delivery")
        return cast("DeliveryPlotView", found.first()) if found else None

    async def action_toggle_plot(self) -> None:
        """Swap the ladder for the delivery plot of the selected MN, or back. The plot
        pane is made the first time it is asked for (textual-plot loads numpy)."""
        from pmipviz.ui.widgets.delivery_plot import DeliveryPlotView as PlotView

        self.plot_shown = not self.plot_shown
        if self.plot_shown and self.plot_view is None:
            view = PlotView(id="delivery")
            view.reset(self.scenario, self.selected_mn, self.sim.mode)
            await self.query_one("#bottom").mount(view, after="#ladder")
        self.screen_stack[0].set_class(self.plot_shown, "-plot")
        if self.plot_shown:
            self._update(jump=True)
        else:
            self.query_one(LadderView).focus()

    def _shown_plot(self) -> DeliveryPlotView | None:
        """The delivery plot when it is on screen; else None, with a notice."""
        plot = self.plot_view
        if self.plot_shown and plot is not None:
            return plot
        self.notify("Zoom and pan act on the delivery plot: d shows it (z: the handover)",
                    markup=False)
        return None

    def action_zoom_in(self) -> None:
        """``i``: the plot's time window twice narrower, centred on the cursor."""
        if (plot := self._shown_plot()) is not None:
            plot.zoom_by(2.0)

    def action_zoom_out(self) -> None:
        """``o``: twice wider, up to the whole run."""
        if (plot := self._shown_plot()) is not None:
            plot.zoom_by(0.5)

    def action_pan_earlier(self) -> None:
        """``<``: the window half its width earlier."""
        if (plot := self._shown_plot()) is not None:
            plot.pan(-1)

    def action_pan_later(self) -> None:
        """``>``: the window half its width later."""
        if (plot := self._shown_plot()) is not None:
            plot.pan(1)

    def action_zoom_whole(self) -> None:
        """``0``: the whole run so far."""
        if (plot := self._shown_plot()) is not None:
            plot.whole()

    async def action_zoom_handover(self) -> None:
        """``z``: the plot (shown if it was not) zoomed to the selected MN's first
        handover, from a bit before its fault to a bit after its first packet on the
        new path and its cached packets."""
        if not self.plot_shown:
            await self.action_toggle_plot()
        plot = self.plot_view
        if plot is not None and not plot.zoom_to_handover(self.sim.trace):
            where = "in the run" if self.sim.complete else "simulated so far"
            self.notify(f"No fault of the selected MN {where}: break an interface with 1-9",
                        markup=False)

    def action_quit_main(self) -> None:
        self.exit()

    def action_toggle_theme(self) -> None:
        """``T``: the dark theme <-> the light one (colours only; the same layout)."""
        self.set_theme("light" if palette.styles().name == "dark" else "dark")

    def set_theme(self, name: str) -> None:
        """Draw with palette theme ``name`` ("dark", "light") and its Textual theme."""
        self.theme = palette.THEMES[name].textual  # watch_theme recolours the panes

    def watch_theme(self, _name: str) -> None:
        """A new Textual theme (``T``, or one picked in the palette's "Theme"): the
        palette follows its darkness and every pane is drawn again, since the ladder's,
        the Binding Cache's and the other panes' cells keep the colours they were
        rendered with."""
        palette.use("dark" if self.current_theme.dark else "light")
        if self._views_ready:
            self._restyle()

    def _restyle(self) -> None:
        self.query_one(BindingCacheTable).restyle()
        self.query_one(TopologyView).redraw()
        self.query_one(MagCachesView).show(self.sim.state(), self.selected_mn)
        self.query_one(LadderView).refresh()
        plot = self.plot_view
        if plot is not None:
            plot.restyle()
        narration = self.query_one(NarrationView)
        told, note = self._narrated(self.sim.current)
        narration.show(told, self.sim.mode, self.scenario, ended=self.ended, note=note)
        self._status()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_event_list(self) -> None:
        """Every event so far in a table, filtered; enter on a row goes there."""
        self._pause()
        builder = self.query_one(LadderView).builder
        concerns = None
        if self._mn_filter() is not None and builder is not None:
            concerns = partial(lambda b, i: b.row_of(i) is not None, builder)
        self.push_screen(EventListScreen(self.sim.trace, self.sim.cursor, self.selected_mn,
                                         concerns, self.event_filter), self._go_to_event)

    def _go_to_event(self, number: int | None) -> None:
        """The cursor just after event ``number`` (1-based, as the header counts)."""
        if number is not None:
            self._seek_back(number)

    def load(self, scenario: str | Path | Scenario, mode: str | None = None) -> None:
        """Switch to another scenario, at its start."""
        self._pause()
        self.scenario = session.resolve(scenario)
        self.graph = build_graph(self.scenario)
        self.selected_mn = self.scenario.mns[0].id if self.scenario.mns else None
        self._other_mode = None
        self.sim = session.new_simulation(self.scenario, mode)
        self.lesson.reset(self.sim)
        self._new_sim_views()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Simulation keys work on the main screen only (not in modals or the palette)."""
        return not (action in SIM_ACTIONS and self.screen is not self.screen_stack[0])

    # -- command palette -----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Play / pause", "space: run the trace at the chosen speed",
                            self.action_play_pause)
        yield SystemCommand("Step forward", "→ or n: apply the next event", self.action_step)
        yield SystemCommand("Step back", "← or b: undo the last event", self.action_step_back)
        yield SystemCommand("Next control event", "j: step over data forwarding to the next "
                            "signalling message, state change, cache action, drop or fault",
                            self.action_next_control)
        yield SystemCommand("Next milestone", "s: on to the next Figure 1 step or protocol "
                            "milestone (attach, fault, DeReg, PBA, flush, new path); then the "
                            "end of the run", self.action_next_milestone)
        yield SystemCommand("Previous milestone", "S: back to the previous milestone",
                            self.action_prev_milestone)
        yield SystemCommand("Next fault", "f: on to the next break, restore or move",
                            self.action_next_fault)
        yield SystemCommand("Previous fault", "F: back to the previous fault",
                            self.action_prev_fault)
        yield SystemCommand("Go to a time", "g: type a simulated time in ms (e.g. 1000)",
                            self.action_seek_time)
        if self.selected_mn is not None:
            for k, key in enumerate(interfaces_of(self.graph, self.selected_mn), start=1):
                yield SystemCommand(f"Break / restore {IfaceKey.parse(key).name}",
                                    f"{k}: toggle {key} at the current time",
                                    partial(self.action_toggle_iface, k))
        yield SystemCommand("Switch mode", "m: FT (draft) ↔ RFC 5213 at the same point",
                            self.action_toggle_mode)
        yield SystemCommand("Delivery plot", "d: the selected MN's packets against time "
                            "(sent, delivered, cached, lost), the handover markers, the "
                            "outage, each MAG's cache; in place of the ladder, or back",
                            self.action_toggle_plot)
        yield SystemCommand("Zoom to the handover", "z: the delivery plot from just before "
                            "the first fault to just after the first packet on the new "
                            "path and the cached packets", self.action_zoom_handover)
        yield SystemCommand("Zoom in (delivery plot)", "i: the time axis twice narrower, "
                            "centred on the current event", self.action_zoom_in)
        yield SystemCommand("Zoom out (delivery plot)", "o: the time axis twice wider",
                            self.action_zoom_out)
        yield SystemCommand("Pan earlier (delivery plot)", "<: the time window half its "
                            "width earlier", self.action_pan_earlier)
        yield SystemCommand("Pan later (delivery plot)", ">: the time window half its "
                            "width later", self.action_pan_later)
        yield SystemCommand("Whole run (delivery plot)", "0: the time axis back to the whole "
                            "run so far", self.action_zoom_whole)
        yield SystemCommand("Event list", "e: every event so far in a table (time, node, "
                            "message, Figure 1 step), filtered by type, MN or text; enter "
                            "goes there", self.action_event_list)
        yield SystemCommand("Lesson mode", "l: stop before each step that matters, ask a "
                            "question, keep the score", self.action_toggle_lesson)
        if self.lesson.answers:
            where = "to the browser" if self.is_web else "in the current directory"
            yield SystemCommand("Save lesson results", f"the score and every answer as JSON "
                                f"{where}", self._save_lesson_results)
        yield SystemCommand("Reset", "r: back to the start", self.action_reset)
        yield SystemCommand("Faster", "+: more events per second", self.action_faster)
        yield SystemCommand("Slower", "-: fewer events per second", self.action_slower)
        yield SystemCommand("Inspect", "enter: fields and bytes of the selected event",
                            self.action_inspect)
        yield SystemCommand("Help", "?: keys and legend", self.action_help)
        other = "light" if palette.styles().name == "dark" else "dark"
        yield SystemCommand(f"Switch to the {other} theme", "T: dark ↔ light colours (light "
                            "for projectors in bright rooms)", self.action_toggle_theme)
        yield SystemCommand("Select MN", "choose the mobile node shown in detail",
                            self._pick_mn)
        yield SystemCommand("Open scenario", "load a shipped scenario", self._pick_scenario)
        if not self.is_web:  # served: the server's disk is not the browser user's to read
            yield SystemCommand("Open scenario file", "load a .toml scenario from the "
                                "working directory (or two levels below)", self._pick_file)
        where = "to the browser" if self.is_web else "in the current directory"
        yield SystemCommand("Export screenshot", f"save an SVG of the screen {where}",
                            self._export_screenshot)

    def _pick_mn(self) -> None:
        # palette entries are markup: names from the file are escaped
        self.search_commands([(escape(mn.id), partial(self.select_mn, mn.id))
                              for mn in self.scenario.mns], placeholder="Select MN…")

    def _pick_scenario(self) -> None:
        self.search_commands([(escape(f"{name} — {title}"), partial(self.load, name))
                              for name, title in shipped_scenarios()],
                             placeholder="Open scenario…")

    def scenario_file_choices(self) -> list[tuple[str, Callable[[], None]]]:
        """The palette's "Open scenario file" entries: the .toml files under the working
        directory, each opening that file (``open_file``)."""
        return [(str(rel), partial(self.open_file, rel)) for rel in scenario_files(Path.cwd())]

    def _pick_file(self) -> None:
        choices = self.scenario_file_choices()
        if not choices:
            self.notify(f"No .toml file in {Path.cwd()} or two levels below", markup=False,
                        severity="warning")
            return
        self.search_commands([(escape(label), run) for label, run in choices],
                             placeholder="Open scenario file…")

    def open_file(self, path: Path) -> None:
        """Load a scenario file; an invalid one leaves the current run as it is and shows
        the one-line message ``pmipviz run`` prints for it."""
        try:
            self.load(path)
        except ScenarioError as err:
            self.push_screen(ErrorScreen(
                "Cannot open this scenario", f"pmipviz: {err}",
                f"Still showing {self.scenario.title} ({self.sim.mode}). Fix the file and "
                "open it again (ctrl+p → Open scenario file)."))
            return
        self.notify(f"opened {path.name}: {self.scenario.title}", markup=False)

    def lesson_report(self) -> dict[str, Any]:
        """The lesson's results so far (``pmipviz tui --lesson --report FILE.json``)."""
        return self.lesson.report(self.sim)

    def _save_lesson_results(self) -> None:
        name = f"pmipviz-lesson-{self.scenario.name}-{self.sim.mode}.json"
        text = json.dumps(self.lesson_report(), indent=2, ensure_ascii=False) + "\n"
        if self.is_web:  # served: a download, never the server's disk
            self.deliver_text(io.StringIO(text), save_filename=name, open_method="download",
                              mime_type="application/json")
            self.notify(f"sent {name} to the browser", markup=False)
            return
        path = Path.cwd() / free_name(Path.cwd(), name)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            self.notify(f"cannot write {path}: {err.strerror or err}", severity="error",
                        markup=False)
            return
        self.notify(f"saved {path}", markup=False)

    def _export_screenshot(self) -> None:
        name = f"pmipviz-{self.scenario.name}-{self.sim.mode}-{self.sim.cursor}.svg"
        if not self.is_web:
            name = free_name(Path.cwd(), name)
        if self.is_web:  # served (pmipviz serve): a download, never the server's disk
            self.deliver_text(io.StringIO(self.export_screenshot()), save_filename=name,
                              open_method="download", mime_type="image/svg+xml")
            self.notify(f"sent {name} to the browser")
            return
        path = self.save_screenshot(name)
        self.notify(f"saved {path}")
