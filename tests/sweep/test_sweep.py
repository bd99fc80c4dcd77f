"""``pmipviz sweep`` runs: its rows are the single runs' metrics, the same whatever the
number of local workers, and a resumed sweep writes the same file as an uninterrupted one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pmipviz.cli import main
from pmipviz.sweep import command
from tests.sweep.study import MODES, POINTS, RUNS, SEEDS, UNTIL, VARY, scenario_text, sweep


def single_run(tmp_path: Path, det: int, loss: float, seed: int, mode: str,
               capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / f"point-{det}-{loss}.toml"
    path.write_text(scenario_text(det, loss))
    capsys.readouterr()
    assert main(["run", str(path), "--seed", str(seed), "--mode", mode, "--until", UNTIL,
                 "--json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_rows_are_the_single_runs(tmp_path: Path, scenario: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rows.jsonl"
    assert sweep(scenario, out, "--workers", "2") == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    expected = [(p, s, m) for p in POINTS for s in SEEDS for m in MODES]
    assert [((r["mag[MAG1].detection_ms"], r["link[MAG2-LMA].loss"]), r["seed"], r["mode"])
            for r in rows] == expected
    lossy = set()
    for row, ((det, loss), seed, mode) in zip(rows, expected, strict=True):
        doc = single_run(tmp_path, det, loss, seed, mode, capsys)
        for key in ("sent", "delivered", "lost", "queued", "reordered", "duplicated",
                    "events"):
            assert row[key] == doc[key], (key, det, loss, seed, mode)
        assert {k: v for k, v in row.items() if k.startswith("lost_by_reason.") and v} == {
            f"lost_by_reason.{k}": v for k, v in doc["lost_by_reason"].items()}
        assert row["max_gap_ms"] == max(f["max_gap_ms"] for f in doc["flows"])
        assert row["peak_cache"] == max(doc["buffer_peak"].values())
        assert [row["buffer_peak.MAG1"], row["buffer_peak.MAG2"]] == [
            doc["buffer_peak"]["MAG1"], doc["buffer_peak"]["MAG2"]]
        for key in ("interruption_ms", "lost", "reordered"):
            assert row[f"handovers[0].{key}"] == doc["handovers"][0][key]
        if loss:
            lossy.add((row["delivered"], row["events"]))
    assert len(lossy) > 1  # the seeds matter on the lossy points: a real comparison


def test_same_rows_with_one_and_two_workers(tmp_path: Path, scenario: Path) -> None:
    for ext in ("csv", "jsonl"):
        one, two = tmp_path / f"one.{ext}", tmp_path / f"two.{ext}"
        assert sweep(scenario, one, "--workers", "1") == 0
        assert sweep(scenario, two, "--workers", "2") == 0
        assert one.read_bytes() == two.read_bytes()
        assert len(one.read_text().splitlines()) == RUNS + (ext == "csv")


def test_summary_groups_by_point_with_the_modes_side_by_side(
        scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(scenario), *VARY, "--seeds", "1-2", "--mode", "ft,rfc5213",
                 "--until", UNTIL, "--workers", "1"]) == 0
    out = capsys.readouterr().out
    for point in ("mag[MAG1].detection_ms=5 link[MAG2-LMA].loss=0.0",
                  "mag[MAG1].detection_ms=50 link[MAG2-LMA].loss=0.2"):
        assert point in out
    header = next(line for line in out.splitlines() if "mean" in line)
    assert header.split() == ["metric", *["mean", "med", "p95", "min", "max"] * 2]
    lost = [line.split() for line in out.splitlines() if line.split()[:1] == ["lost"]]
    assert len(lost) == 4 and all(len(cells) == 11 for cells in lost)
    assert lost[0][1:6] == ["0"] * 5  # ft at detection 5 ms, no loss: nothing lost
    assert float(lost[0][6]) > 0  # rfc5213 loses the stream


def _interrupt_after(batches: int) -> Any:
    """``in_order`` that raises KeyboardInterrupt (as Ctrl-C would) after some batches."""
    real = command.in_order

    def in_order(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, result in enumerate(real(*args, **kwargs)):
            if n == batches:
                raise KeyboardInterrupt
            yield result

    return in_order


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_interrupted_then_resumed_is_the_uninterrupted_file(
        tmp_path: Path, scenario: Path, ext: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    whole = tmp_path / f"whole.{ext}"
    assert sweep(scenario, whole, "--workers", "2") == 0
    part = tmp_path / f"part.{ext}"
    with monkeypatch.context() as m:
        m.setattr(command, "in_order", _interrupt_after(3))
        assert sweep(scenario, part, "--workers", "2") == 130
    err = capsys.readouterr().err
    kept = part.read_text().splitlines(keepends=True)
    rows = len(kept) - (ext == "csv")
    assert 0 < rows < RUNS and f"kept {rows} of {RUNS} runs" in err
    assert whole.read_text().startswith("".join(kept))  # the finished prefix, in order
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert sweep(scenario, part, "--workers", "1", "--resume") == 0
    assert part.read_bytes() == whole.read_bytes()
    # a row cut short (a copy made mid-write) is run again; a finished sweep stays as is
    part.write_bytes(whole.read_bytes()[:-7])
    assert sweep(scenario, part, "--resume") == 0
    assert part.read_bytes() == whole.read_bytes()
    assert sweep(scenario, part, "--resume") == 0
    assert part.read_bytes() == whole.read_bytes()


def test_resume_refuses_the_rows_of_another_sweep(tmp_path: Path, scenario: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rows.csv"
    assert sweep(scenario, out, "--workers", "1") == 0
    before = out.read_bytes()
    assert main(["sweep", str(scenario), "--vary", "mag[MAG1].detection_ms=5,60",
                 "--seeds", "1-2", "--mode", "ft,rfc5213", "-o", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 1: not the header of this sweep" in err
    assert out.read_bytes() == before
    lines = before.decode().splitlines(keepends=True)
    out.write_text(lines[0] + lines[2])
    assert sweep(scenario, out, "--resume") == 2
    assert "line 2: not run 1 of this sweep" in capsys.readouterr().err


def test_ctrl_c_keeps_the_finished_rows(tmp_path: Path, scenario: Path) -> None:
    """A real SIGINT to a running sweep: exit 130, one line, and the output holds the
    first runs in order, each row whole (the resumed file is checked above)."""
    out = tmp_path / "rows.csv"
    args = ["sweep", str(scenario), "--vary", "mag[MAG1].detection_ms=0:999:1", "--mode",
            "ft", "--until", UNTIL, "--workers", "2", "-o", str(out), "--no-summary"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmipviz", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            temps = list(tmp_path.glob(".rows.csv.*.tmp"))
            if temps and temps[0].read_text().count("\n") > 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep ended before it was interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and "pmipviz: interrupted: kept" in err
    header, *rows = out.read_text().splitlines()
    assert 3 <= len(rows) < 1000 and f"kept {len(rows)} of 1,000 runs" in err
    assert [row.split(",")[:3] for row in rows] == [
        [str(i), "1", "ft"] for i in range(len(rows))]
    assert {len(row.split(",")) for row in rows} == {len(header.split(","))}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_resumed_sweep_prints_the_same_summary(tmp_path: Path, scenario: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    whole, part = tmp_path / "whole.csv", tmp_path / "part.csv"
    assert sweep(scenario, whole, "--workers", "1") == 0
    capsys.readouterr()
    args = ["sweep", str(scenario), *VARY, "--seeds", "1-2", "--mode", "ft,rfc5213",
            "--until", UNTIL, "--workers", "1"]
    assert main([*args, "-o", str(whole), "--resume"]) == 0  # every row read back
    summary = capsys.readouterr().out
    assert "mag[MAG1].detection_ms=50 link[MAG2-LMA].loss=0.2" in summary
    part.write_text("".join(whole.read_text().splitlines(keepends=True)[:6]))
    assert main([*args, "-o", str(part), "--resume"]) == 0  # 5 read back, 11 run
    assert capsys.readouterr().out == summary
    assert part.read_bytes() == whole.read_bytes()
