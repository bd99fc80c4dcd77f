"""Export screenshot: in a terminal, an SVG in the current directory; served
(``pmipviz serve``), a download for the browser and nothing on the server's disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.ui.pilot_app import PilotApp


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
