"""Named states of the app, shared by the snapshot tests and ``make screenshots``
(``python -m pmipviz.ui.screenshots [OUT_DIR]`` writes one SVG per README shot)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmipviz.sim.simulation import Simulation
from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.app import PmipvizApp

Setup = Callable[[PmipvizApp], None]


def first_index(sim: Simulation, pred: Callable[[TraceEvent], bool]) -> int:
    """The index of the first event of the run matching ``pred``."""
    sim.run_to_end()
    for ev in sim.trace:
        if pred(ev):
            return ev.i
    raise LookupError("no event matches")


def after_first(pred: Callable[[TraceEvent], bool]) -> Setup:
    """A setup that applies every event up to and including the first match."""
    def setup(app: PmipvizApp) -> None:
        app.seek(first_index(app.sim, pred) + 1)
    return setup


def until(t_ms: float) -> Setup:
    """A setup that applies every event up to simulated time ``t_ms``."""
    def setup(app: PmipvizApp) -> None:
        app.run_until(t_ms)
    return setup


def focus(mn_id: str, then: Setup) -> Setup:
    """A setup that selects ``mn_id`` first."""
    def setup(app: PmipvizApp) -> None:
        app.select_mn(mn_id)
        then(app)
    return setup


def at_start(app: PmipvizApp) -> None:
    """Nothing to do: the app starts paused at event 0."""


def _dereg_pbu(ev: TraceEvent) -> bool:
    return ev.kind == "send" and ev.msg == "PBU" and ev.fields.get("lifetime_s") == 0


def _pba_at_mag1(ev: TraceEvent) -> bool:
    return ev.kind == "recv" and ev.msg == "PBA" and ev.step == 5


def _flush_to_mag2(ev: TraceEvent) -> bool:
    return ev.kind == "send" and ev.msg == "DATA" and ev.step == 7


@dataclass(frozen=True)
class Shot:
    """One state: the scenario, mode, terminal size, how to get there, keys after."""

    name: str
    setup: Setup = at_start
    scenario: str = "figure1"
    mode: str | None = None
    size: tuple[int, int] = (120, 40)
    keys: tuple[str, ...] = ()
    title: str = ""
    theme: str = "dark"  # palette.THEMES

    def app(self) -> PmipvizApp:
        return PmipvizApp(self.scenario, mode=self.mode, theme=self.theme)


SHOTS: dict[str, Shot] = {s.name: s for s in (
    Shot("start", title="Figure 1, paused at event 0"),
    Shot("registered", until(200), title="Both interfaces registered: M=1, S=1"),
    Shot("caching", until(1015), title="IF1 broken: MAG1 caches the MN's data (step 2)"),
    Shot("dereg_pbu", after_first(_dereg_pbu), title="MAG1 sends the DeReg PBU (step 3)"),
    Shot("pba", after_first(_pba_at_mag1), title="The PBA reaches MAG1 (step 5)"),
    Shot("flush", after_first(_flush_to_mag2),
         title="The cached data goes from the LMA to MAG2 (step 7)"),
    Shot("handover_done", until(1200), title="Handover complete: data through Tunnel2"),
    Shot("rfc5213_loss", until(1200), mode="rfc5213",
         title="RFC 5213: the same failure loses the stream"),
    Shot("inspector", after_first(_dereg_pbu), keys=("enter",),
         title="Inspector: the DeReg PBU's fields and bytes"),
    Shot("inspector_field", after_first(_dereg_pbu), keys=("enter", *("down",) * 16),
         title="Inspector: the DeReg PBU's Lifetime field and its 2 octets"),
    Shot("inspector_field_80x24", after_first(_dereg_pbu), size=(80, 24),
         keys=("enter", *("down",) * 26),
         title="Inspector at 80x24: the Home Network Prefix option and its 20 octets"),
    Shot("help", keys=("question_mark",), title="Help"),
    Shot("narrow", after_first(_flush_to_mag2), size=(80, 24), title="80x24"),
    Shot("mode_switch", until(1015), keys=("m",), title="Switched to RFC 5213 at 1015 ms"),
    Shot("user_break", until(600), keys=("1",), title="The user breaks IF1 at 600 ms"),
    Shot("campus", focus("mn121@campus.example", until(2060)), scenario="campus",
         title="Campus: 200 MNs on 12 MAGs, mn121's IF1 failed at 2000 ms"),
)}

README_SHOTS = ("start", "caching", "flush", "handover_done", "rfc5213_loss", "campus")


async def save(shot: Shot, path: Path) -> None:
    """Write the SVG of one state."""
    app = shot.app()
    async with app.run_test(size=shot.size) as pilot:
        await pilot.pause()
        shot.setup(app)
        await pilot.pause()
        if shot.keys:
            await pilot.press(*shot.keys)
        await pilot.pause()
        path.write_text(app.export_screenshot(title=shot.title or shot.name),
                        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``python -m pmipviz.ui.screenshots [OUT_DIR]`` (default ``screenshots``)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name in README_SHOTS:
        path = out / f"{name}.svg"
        asyncio.run(save(SHOTS[name], path))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
