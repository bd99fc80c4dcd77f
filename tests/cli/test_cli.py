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


# -- bounded work for any input (issue 8, part 2) --------------------------------------------


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "figure1", "--until", "1e308"],
     "pmipviz run: argument --until: expected at most 86400000 ms (a day, as duration_ms), "
     "got '1e308'"),
    (["run", "figure1", "--until", "86400000.5"], "expected at most 86400000 ms"),
    (["export", "ladder", "figure1", "--until", "1e10"],
     "pmipviz export ladder: argument --until: expected at most 86400000 ms"),
    (["run", "/dev/zero"], "pmipviz: /dev/zero: is a device, not a regular file"),
    (["export", "ladder", "/dev/zero"], "pmipviz: /dev/zero: is a device, not a regular file"),
])
def test_unbounded_input_is_refused(args, fragment, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_until_at_the_bound_is_accepted(capsys) -> None:
    """figure1's 2 interfaces re-register every 32 s: a day is ~5,400 refreshes."""
    assert main(["export", "ladder", "figure1", "--until", "86400000", "--ascii"]) == 0
    assert "PBU" in capsys.readouterr().out


def test_until_that_refreshes_too_often_is_refused(tmp_path: Path, capsys) -> None:
    """200 interfaces (campus) refreshing every 2 s for a day: 8.6 million re-registrations."""
    text = Path("scenarios/campus.toml").read_text()
    text = text.replace('prefix_pool = "2001:db8:100::/40"',
                        'prefix_pool = "2001:db8:100::/40"\nlifetime_s = 4', 1)
    path = tmp_path / "short-lifetime.toml"
    path.write_text(text)
    assert main(["run", str(path), "--until", "86400000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pmipviz: --until: 400 interfaces refreshing their bindings every 2 s "
                          "(lma.lifetime_s = 4) for 86400000 ms make 17,280,000 "
                          "re-registrations (at most ")
    assert err.count("\n") == 1


def test_a_fifo_is_refused_and_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    proc = run_cli("run", str(fifo))  # would block for ever on an ordinary open()
    assert proc.returncode == 2
    assert proc.stderr == f"pmipviz: {fifo}: is a FIFO (named pipe), not a regular file\n"


def test_a_file_over_the_limit_is_refused(tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB that take no space
    assert main(["run", str(big)]) == 2
    assert capsys.readouterr().err == (f"pmipviz: {big}: too large: more than 10,485,760 bytes "
                                       "(10 MiB, the limit)\n")


# -- text from scenario files is data (issue 8, part 5) -------------------------------------

MARKUP = {  # figure1 with markup-like text in every kind of name the summary prints
    'title = "Figure 1: fault-tolerant handover"': 'title = "[/foo] and [bold]x"',
    '"mn1@example.org': '"[red]mn1@example.org',
    'name = "IF1"': 'name = "[i]IF1"',
    '/IF1"': '/[i]IF1"',
    'name = "MAG1"': 'name = "[b]MAG1"',
    '"MAG1"': '"[b]MAG1"',
}


def markup_scenario(tmp_path: Path) -> Path:
    text = Path("scenarios/figure1.toml").read_text()
    for old, new in MARKUP.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "markup.toml"
    path.write_text(text)
    return path


def test_summary_prints_markup_literally(tmp_path: Path, capsys) -> None:
    path = markup_scenario(tmp_path)
    assert main(["run", str(path)]) == 0  # was MarkupError: a traceback and exit 1
    out = capsys.readouterr().out
    assert "[/foo] and [bold]x · mode ft" in out
    assert "CN → [red]mn1@example.org" in out
    assert "[red]mn1@example.org/[i]I" in out  # cut to the 80 columns
    assert "buffer peak: [b]MAG1 " in out


def test_scenarios_list_prints_markup_and_controls_literally(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from pmipviz.scenario import loader

    (tmp_path / "a.toml").write_text('[scenario]\ntitle = "[/foo] [bold]x"\n')
    (tmp_path / "b.toml").write_text('[scenario]\ntitle = "red \\u001b[31m \\u202eevil"\n')
    monkeypatch.setattr(loader, "shipped_dir", lambda: tmp_path)
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "[/foo] [bold]x" in out
    assert "red \\x1b[31m \\u202eevil" in out and "\x1b" not in out and "\u202e" not in out


def test_control_characters_in_a_file_are_refused_and_never_printed(tmp_path: Path) -> None:
    text = Path("scenarios/figure1.toml").read_text().replace(
        'title = "Figure 1: fault-tolerant handover"', 'title = "Figure \\u001b[31m1"')
    path = tmp_path / "esc.toml"
    path.write_text(text)
    proc = run_cli("run", str(path))
    assert proc.returncode == 2
    assert "scenario.title: must not contain control or bidirectional formatting characters, " \
           "got U+001B (a control character) at character 8" in proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout


def test_an_unknown_key_with_controls_is_named_escaped(tmp_path: Path) -> None:
    path = tmp_path / "key.toml"
    path.write_text(Path("scenarios/figure1.toml").read_text().replace(
        "[scenario]", '[scenario]\n"x\\u001b[2J\\u202e" = 1', 1))
    proc = run_cli("run", str(path))
    assert proc.returncode == 2
    assert "scenario.x\\x1b[2J\\u202e: unknown key" in proc.stderr
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr


@pytest.mark.parametrize("args", [[], ["figure1", "--lesson"]])
def test_the_tui_without_a_terminal_is_refused_not_left_waiting(args: list[str]) -> None:
    """Textual's terminal driver reads keys from stdin: with no terminal there the TUI
    drew to stderr and waited forever. Now one line and exit 2."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    proc = subprocess.run([sys.executable, "-m", "pmipviz", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "pmipviz: the TUI needs a terminal on stdin; for a run without one use "
        "`pmipviz run SCENARIO` or `pmipviz serve`"]
