"""Shared fixtures. UI-focused: keep the environment from changing how the TUI
renders (snapshots compare SVG text)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_textual_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR, TEXTUAL_THEME and TEXTUAL_FILTERS change Textual's output."""
    for name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_FILTERS"):
        monkeypatch.delenv(name, raising=False)
