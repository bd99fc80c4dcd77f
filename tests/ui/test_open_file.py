"""Open scenario file (issue 11): the palette lists the .toml files under the working
directory; a valid one opens at its start, an invalid one shows the CLI's one-line
message and leaves the current run untouched. Never offered when served."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from pmipviz.cli import main
from pmipviz.scenario.loader import shipped_dir
from pmipviz.ui.app import PmipvizApp
from pmipviz.ui.files import MAX_SCENARIO_FILES, scenario_files
from pmipviz.ui.screens.error import ErrorScreen
from tests.ui.pilot_app import PilotApp, settled


def _tree(tmp_path: Path) -> None:
    good = (shipped_dir() / "figure1.toml").read_text()
    (tmp_path / "mine.toml").write_text(good.replace('title = "Figure 1: fault-tolerant '
                                                     'handover"', 'title = "My own figure"'))
    (tmp_path / "broken.toml").write_text(good.replace("duration_ms = 3000",
                                                       "duration_ms = -5"))
    (tmp_path / "sub" / "deeper" / "deepest").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "two.toml").write_text(good)
    (tmp_path / "sub" / "deeper" / "deepest" / "three.toml").write_text(good)  # too deep
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "hidden.toml").write_text(good)
    (tmp_path / "notes.txt").write_text("not a scenario")


def test_scenario_files_are_bounded_in_depth_and_number(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert scenario_files(tmp_path) == [Path("broken.toml"), Path("mine.toml"),
                                        Path("sub/deeper/two.toml")]
    for k in range(MAX_SCENARIO_FILES + 50):
        (tmp_path / f"many{k:04d}.toml").write_text("")
    assert len(scenario_files(tmp_path)) == MAX_SCENARIO_FILES


def _cli_message(path: Path) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", str(path)]) == 2
    return err.getvalue().strip()


async def test_open_a_file_from_the_palette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            app: PilotApp, pilot: Pilot) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    await pilot.press("ctrl+p")
    await pilot.press(*"Open scenario file")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    await pilot.press(*"mine")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    assert app.scenario.title == "My own figure" and app.sim.cursor == 0
    assert app.toasts[-1] == "opened mine.toml: My own figure"


async def test_an_invalid_file_says_what_the_cli_says_and_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: PilotApp, pilot: Pilot) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    await pilot.press("n", "n", "n")
    before = (app.scenario, app.sim.cursor, app.header)
    choices = dict(app.scenario_file_choices())
    assert sorted(choices) == ["broken.toml", "mine.toml", "sub/deeper/two.toml"]
    choices["broken.toml"]()
    await pilot.pause()
    assert isinstance(app.screen, ErrorScreen)
    message = app.screen.message
    assert message == _cli_message(Path("broken.toml"))
    assert "duration_ms" in message and "Traceback" not in message
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, ErrorScreen)
    assert (app.scenario, app.sim.cursor, app.header) == before
    await pilot.press("n")
    assert app.sim.cursor == before[1] + 1  # the run goes on where it was


def test_snapshot_error_screen_80x24(snap_compare: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        dict(pilot.app.scenario_file_choices())["broken.toml"]()  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(PmipvizApp("figure1"), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("web", [False, True])
async def test_open_file_is_not_offered_when_served(
        web: bool, monkeypatch: pytest.MonkeyPatch, app: PilotApp, pilot: Pilot) -> None:
    monkeypatch.setattr(App, "is_web", property(lambda self: web))
    names = [c.title for c in app.get_system_commands(app.screen)]
    assert ("Open scenario file" in names) is not web
    assert "Open scenario" in names
