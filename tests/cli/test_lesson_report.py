"""``pmipviz tui --lesson --report FILE.json`` (issue 11): the score and each answer
are written when the TUI quits; bad combinations are refused before it starts."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from pmipviz.cli import main
from pmipviz.scenario.loader import shipped_dir
from tests.cli.tui_process import HEADLESS, run_tui

# the first question answered right, the second wrong, the third skipped, then quit
ANSWER_AND_QUIT = """
qs = app.lesson.questions
app.lesson.answer(qs[0], qs[0].answer)
app.lesson.answer(qs[1], (qs[1].answer + 1) % len(qs[1].choices))
app.lesson.skip(qs[2])
app.action_quit_main()
"""


def test_the_report_holds_the_score_and_each_answer(tmp_path: Path) -> None:
    done = run_tui(ANSWER_AND_QUIT, argv=["tui", "figure1", "--lesson", "--report",
                                          "out.json"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lesson results in out.json" in done.stderr
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["pmipviz_lesson"] == 1 and report["mode"] == "ft"
    assert report["scenario"] == {"name": "figure1",
                                  "title": "Figure 1: fault-tolerant handover"}
    assert report["score"] == {"right": 1, "wrong": 1, "skipped": 1, "questions": 12,
                               "questions_complete": True}
    first, second, third = report["answers"]
    assert [a["number"] for a in report["answers"]] == [1, 2, 3]
    assert first["chosen"] == first["answer"] and first["correct"] is True
    assert second["chosen"] != second["answer"] and second["correct"] is False
    assert third["chosen"] is None and third["correct"] is False
    assert set(first["choices"]) == {"A", "B", "C", "D"}
    assert first["prompt"] and first["event"] >= 1 and first["t_ms"] >= 0


def test_no_report_without_lesson_and_never_over_the_scenario(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["tui", "figure1", "--report", str(tmp_path / "r.json")]) == 2
    assert err.getvalue().strip() == \
        "pmipviz: --report needs --lesson (it saves the lesson's answers)"
    scenario = tmp_path / "mine.toml"
    scenario.write_text((shipped_dir() / "figure1.toml").read_text())
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["tui", str(scenario), "--lesson", "--report", str(scenario)]) == 2
    assert "--report" in err.getvalue() and "scenario file" in err.getvalue()
    assert scenario.read_text() == (shipped_dir() / "figure1.toml").read_text()
    assert not (tmp_path / "r.json").exists()


def test_an_unwritable_report_is_refused_before_the_tui_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_DRIVER", HEADLESS)  # past the terminal check
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["tui", "figure1", "--lesson", "--report",
                     str(tmp_path / "missing" / "r.json")])
    assert code == 2 and "cannot write" in err.getvalue()
