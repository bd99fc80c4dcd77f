"""Save lesson results from the palette (issue 11): offered once a question has been
answered; a JSON file in the working directory, or a download when served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.ui.pilot_app import PilotApp, settled
from tests.ui.test_lesson import dereg_question, letter, open_question


def _names(app: PilotApp) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen)]


@pytest.mark.app("figure1", lesson=True)
async def test_save_lesson_results_from_the_palette(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: PilotApp, pilot: Pilot) -> None:
    monkeypatch.chdir(tmp_path)
    assert "Save lesson results" not in _names(app)  # nothing answered yet
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press(letter(q.answer), "enter")
    await pilot.pause()
    assert "Save lesson results" in _names(app)
    for _ in range(2):  # the second save keeps the first file
        await pilot.press("ctrl+p", *"Save lesson results")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pmipviz-lesson-figure1-ft-2.json", "pmipviz-lesson-figure1-ft.json"]
    report = json.loads((tmp_path / "pmipviz-lesson-figure1-ft.json").read_text())
    (answer,) = report["answers"]
    assert answer["correct"] is True and answer["step"] == 3
    assert answer["event"] == q.at + 1 and report["score"]["right"] == 1
    assert app.toasts[-1].endswith("pmipviz-lesson-figure1-ft-2.json")


@pytest.mark.app("figure1", lesson=True)
async def test_served_lesson_results_are_a_download(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: PilotApp, pilot: Pilot) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(App, "is_web", property(lambda self: True))
    delivered: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(App, "deliver_text", lambda self, file, **kw: delivered.append(
        (file.getvalue(), kw)))
    q = dereg_question(app)
    await open_question(app, pilot, q)
    await pilot.press("escape")  # skipped: still a result to save
    await pilot.pause()
    await pilot.press("ctrl+p", *"Save lesson results")
    await settled(pilot)
    await pilot.press("enter")
    await settled(pilot)
    ((text, options),) = delivered
    assert json.loads(text)["answers"][0]["chosen"] is None
    assert options == {"save_filename": "pmipviz-lesson-figure1-ft.json",
                       "open_method": "download", "mime_type": "application/json"}
    assert list(tmp_path.iterdir()) == []
