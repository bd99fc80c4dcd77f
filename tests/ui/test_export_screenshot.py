"""Export screenshot: in a terminal, an SVG in the current directory; served
(``pmipviz serve``), a download for the browser and nothing on the server's disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.ui.pilot_app import SIZE, PilotApp


@pytest.mark.parametrize("web", [False, True])
async def test_export_screenshot_writes_locally_only_outside_a_browser(
        web: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: PilotApp,
        pilot: Pilot) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(App, "is_web", property(lambda self: web))
    delivered: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(App, "deliver_text", lambda self, file, **kw: delivered.append(
        (file.getvalue(), kw)))
    app._export_screenshot()
    await pilot.pause()
    name = "pmipviz-figure1-ft-0.svg"
    if web:
        assert list(tmp_path.iterdir()) == []
        ((svg, options),) = delivered
        assert svg.lstrip().startswith("<svg")
        assert options == {"save_filename": name, "open_method": "download",
                           "mime_type": "image/svg+xml"}
    else:
        assert [p.name for p in tmp_path.iterdir()] == [name] and delivered == []


async def test_a_second_screenshot_at_the_same_event_keeps_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: PilotApp, pilot: Pilot) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(App, "is_web", property(lambda self: False))
    app._export_screenshot()
    first = (tmp_path / "pmipviz-figure1-ft-0.svg").read_bytes()
    app._export_screenshot()
    app._export_screenshot()
    await pilot.pause()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["pmipviz-figure1-ft-0-2.svg", "pmipviz-figure1-ft-0-3.svg",
                     "pmipviz-figure1-ft-0.svg"]
    assert (tmp_path / "pmipviz-figure1-ft-0.svg").read_bytes() == first
    assert app.toasts[-1].endswith("pmipviz-figure1-ft-0-3.svg")


class ToastingApp(PilotApp):
    """Notices on screen (``run_test`` hides them by default) that no loaded machine
    outlives."""

    NOTIFICATION_TIMEOUT = 3600


async def test_a_repeated_warning_shows_once() -> None:
    app = ToastingApp()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("7")
        await pilot.pause()
        assert len(app.screen.query("Toast")) == 1
        await pilot.press("7", "7", "8")
        await pilot.pause()
        assert app.toasts == ["mn1@example.org has no interface 7"] * 3 + [
            "mn1@example.org has no interface 8"]
        shown = app.screen.query("Toast")
        assert len(shown) == 1  # the newest notice replaced the others
        assert "interface 8" in str(shown.first().render())
