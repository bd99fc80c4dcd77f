"""The command line: exit codes 0 / 2, one-line errors, JSON and trace outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmipviz.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmipviz", *args], capture_output=True,
                          text=True, timeout=120)


def test_run_json_and_trace(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    proc = run_cli("run", "figure1", "--json", "--trace", str(trace))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["scenario"] == "figure1" and doc["mode"] == "ft" and doc["lost"] == 0
    lines = trace.read_text().splitlines()
    assert doc["events"] == len(lines)
    steps = [json.loads(x)["step"] for x in lines]
    first = [steps.index(s) for s in range(1, 9)]
    assert first == sorted(first)
    assert set(json.loads(lines[0])) == {"i", "t_ms", "kind", "node", "peer", "msg", "fields",
                                         "step", "note"}


def test_run_rfc5213_shows_the_loss(capsys) -> None:
    assert main(["run", "figure1", "--mode", "rfc5213", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lost"] > 0 and "dereg_hold" in doc["lost_by_reason"]


def test_human_summary(capsys) -> None:
    assert main(["run", "figure1", "--until", "1500"]) == 0
    out = capsys.readouterr().out
    assert "Figure 1" in out and "delivered" in out and "interruption" in out


def test_scenarios_lists_every_shipped_file(capsys) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("figure1", "move", "restore", "both-fail", "lossy-signaling", "bad-mag",
                 "campus"):
        assert name in out


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "nosuch"], "no shipped scenario 'nosuch'"),
    (["run", "figure1", "--mode", "x"], "invalid choice"),
    (["run", "figure1", "--seed", "-1"], "seed >= 0"),
    (["run", "figure1", "--seed", "abc"], "whole number"),
    (["run", "figure1", "--until", "nan"], "number >= 0"),
    (["run", "figure1", "--until", "-3"], "number >= 0"),
    (["run"], "required: scenario"),
    (["run", "figure1", "--bogus"], "unrecognized arguments"),
    (["run", "figure1", "--trace", "/nonexistent/dir/t.jsonl"], "cannot write"),
    (["run", "figure1", "--pcap", "/nonexistent/dir/f.pcap"], "cannot write"),
    (["no/such/file.toml"], "no such file"),
])
def test_bad_input_exits_2_with_one_line(args, fragment, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_bad_scenario_file_names_file_line_and_key(tmp_path: Path) -> None:
    text = Path("scenarios/figure1.toml").read_text().replace("detection_ms = 20",
                                                              "detection_ms = -20", 1)
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    proc = run_cli("run", str(bad))
    assert proc.returncode == 2
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "-20" in t)
    assert proc.stderr.startswith(f"pmipviz: {bad}:{line}: mag[0].detection_ms: ")
    assert proc.stderr.count("\n") == 1


def test_until_zero_runs_what_happens_at_time_zero(capsys) -> None:
    assert main(["run", "figure1", "--until", "0", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["events"] > 0 and doc["sent"] == 0


@pytest.mark.parametrize("args", [["run", "figure1", "--trace", "/dev/full"],
                                  ["run", "figure1", "--pcap", "/dev/full"]])
def test_a_full_disk_is_one_line_and_exit_2(args, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err


def test_stdout_errors_are_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "pmipviz", "run", "figure1", "--json"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "pmipviz", "run", "figure1"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and "PYTHONIOENCODING=utf-8" in proc.stderr


def test_a_closed_pipe_is_not_an_error() -> None:
    proc = subprocess.run(f"{sys.executable} -m pmipviz run campus --json | head -c 10",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stdout == '{\n  "scena' and "Traceback" not in proc.stderr
