"""The sweep tests' scenario: figure1 as the study's base file (tests/sweep/study.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sweep.study import scenario_text


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """The study's base scenario file (MAG1 detects in 20 ms, no loss)."""
    path = tmp_path / "base.toml"
    path.write_text(scenario_text(20, 0.0))
    return path
