"""Output files (``run --trace/--pcap``, ``export ladder -o``) never clobber an input or
each other, never half-exist, and every write error names its file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmipviz import outputs
from pmipviz.cli import main
from pmipviz.wire.pcap import PcapSink

FIGURE1 = Path("scenarios/figure1.toml")
SHORT = ["--until", "1500"]


@pytest.fixture
def scen(tmp_path: Path) -> Path:
    """A copy of figure1 in a fresh directory."""
    path = tmp_path / "scen.toml"
    shutil.copy(FIGURE1, path)
    return path


def one_line_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- an output is never an input or another output -------------------------------------


def test_a_trace_onto_the_scenario_is_refused_and_leaves_it_intact(
        scen: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = scen.read_bytes()
    err = one_line_exit_2(["run", str(scen), "--trace", str(scen)], capsys)
    assert err.startswith(f"pmipviz: {scen}: ") and "scenario" in err
    assert scen.read_bytes() == before and listing(scen.parent) == ["scen.toml"]


@pytest.mark.parametrize("how", ["symlink", "hardlink", "relative"])
def test_the_scenario_is_recognised_through_links_and_relative_paths(
        scen: Path, how: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = scen.read_bytes()
    if how == "symlink":
        other = scen.parent / "link.jsonl"
        other.symlink_to(scen)
    elif how == "hardlink":
        other = scen.parent / "hard.jsonl"
        os.link(scen, other)
    else:
        (scen.parent / "sub").mkdir()
        monkeypatch.chdir(scen.parent / "sub")
        other = Path("..") / "scen.toml"
    for option in ("--trace", "--pcap"):
        one_line_exit_2(["run", str(scen), option, str(other)], capsys)
    assert scen.read_bytes() == before


def test_a_shipped_scenario_by_name_is_protected_too(
        scen: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pmipviz.scenario import loader

    monkeypatch.setattr(loader, "shipped_dir", lambda: scen.parent)  # never risk the repo's
    before = scen.read_bytes()
    err = one_line_exit_2(["run", "scen", "--pcap", str(scen)], capsys)
    assert "scenario" in err and scen.read_bytes() == before


@pytest.mark.parametrize("existing", [False, True])
def test_trace_and_pcap_on_the_same_path_are_refused(
        tmp_path: Path, existing: bool, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "both.out"
    if existing:
        out.write_text("old")
        (tmp_path / "alias.out").symlink_to(out)
    other = tmp_path / ("alias.out" if existing else "both.out")
    err = one_line_exit_2(["run", "figure1", *SHORT, "--trace", str(out), "--pcap", str(other)],
                          capsys)
    assert "--trace" in err and "--pcap" in err
    if existing:
        assert out.read_text() == "old" and listing(tmp_path) == ["alias.out", "both.out"]
    else:
        assert listing(tmp_path) == []


def test_the_same_path_twice_is_refused_before_the_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run must not start")

    monkeypatch.setattr("pmipviz.sim.headless.run", boom)
    out = str(tmp_path / "x")
    one_line_exit_2(["run", "figure1", "--trace", out, "--pcap", out], capsys)


def test_dev_null_may_take_both_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "figure1", *SHORT, "--json", "--trace", os.devnull,
                 "--pcap", os.devnull]) == 0
    assert json.loads(capsys.readouterr().out)["events"] > 0


# --- nothing half-exists ---------------------------------------------------------------


def test_a_bad_pcap_leaves_no_trace_and_no_temporary_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "missing" / "f.pcap"
    err = one_line_exit_2(["run", "figure1", "--trace", str(tmp_path / "t.jsonl"),
                           "--pcap", str(bad)], capsys)
    assert err.startswith(f"pmipviz: {bad}: cannot write: ")
    assert listing(tmp_path) == []


def test_a_bad_trace_leaves_no_pcap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "missing" / "t.jsonl"
    err = one_line_exit_2(["run", "figure1", "--trace", str(bad),
                           "--pcap", str(tmp_path / "f.pcap")], capsys)
    assert err.startswith(f"pmipviz: {bad}: cannot write: ")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("full", ["--trace", "--pcap"])
def test_a_full_device_is_named_and_the_other_output_is_not_left(
        tmp_path: Path, full: str, capsys: pytest.CaptureFixture[str]) -> None:
    other = "--pcap" if full == "--trace" else "--trace"
    name = "other.pcap" if other == "--pcap" else "other.out"  # --pcap needs .pcap/.pcapng
    err = one_line_exit_2(["run", "figure1", full, "/dev/full", other,
                           str(tmp_path / name)], capsys)
    assert err == "pmipviz: /dev/full: cannot write: No space left on device\n"
    assert listing(tmp_path) == []


def test_an_existing_output_is_replaced_only_on_success(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace, pcap = tmp_path / "t.jsonl", tmp_path / "f.pcap"
    trace.write_text("old trace\n")
    pcap.write_text("old pcap\n")
    os.chmod(trace, 0o640)
    one_line_exit_2(["run", "figure1", "--trace", str(trace), "--pcap", "/dev/full"], capsys)
    one_line_exit_2(["run", "figure1", "--trace", "/dev/full", "--pcap", str(pcap)], capsys)
    assert trace.read_text() == "old trace\n" and pcap.read_text() == "old pcap\n"
    assert listing(tmp_path) == ["f.pcap", "t.jsonl"]
    assert main(["run", "figure1", *SHORT, "--json", "--trace", str(trace),
                 "--pcap", str(pcap)]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert len(trace.read_text().splitlines()) == events
    assert pcap.read_bytes()[:4] == bytes.fromhex("d4c3b2a1")
    assert stat.S_IMODE(trace.stat().st_mode) == 0o640  # the existing file's mode is kept
    assert listing(tmp_path) == ["f.pcap", "t.jsonl"]


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_a_new_output_gets_the_mode_open_would_give(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace, pcap, ladder = tmp_path / "t.jsonl", tmp_path / "f.pcap", tmp_path / "l.txt"
    assert main(["run", "figure1", *SHORT, "--trace", str(trace), "--pcap", str(pcap)]) == 0
    assert main(["export", "ladder", "figure1", "-o", str(ladder)]) == 0
    for path in (trace, pcap, ladder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path  # not mkstemp's 0600


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_or_failing_run_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[BaseException]) -> None:
    """Ctrl-C (or a bug) in the middle of the run: the half-written outputs are removed and
    an existing file keeps its content."""
    from pmipviz.sim import headless

    real_run = headless.run

    def run_then_fail(*args: object, **kwargs: object) -> object:
        real_run(*args, **kwargs)  # type: ignore[arg-type]
        raise error

    monkeypatch.setattr(headless, "run", run_then_fail)
    trace = tmp_path / "t.jsonl"
    trace.write_text("old\n")
    argv = ["run", "figure1", *SHORT, "--trace", str(trace), "--pcap", str(tmp_path / "f.pcap")]
    if error is KeyboardInterrupt:
        assert main(argv) == 130  # one line, no traceback (checked below)
    else:
        with pytest.raises(error):
            main(argv)
    assert listing(tmp_path) == ["t.jsonl"] and trace.read_text() == "old\n"


def test_ctrl_c_is_one_line_and_exit_130(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pmipviz.sim import headless

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(headless, "run", interrupted)
    assert main(["run", "figure1", *SHORT]) == 130
    assert capsys.readouterr().err == "pmipviz: interrupted\n"


def test_sigterm_in_the_middle_of_the_run_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kill PID`` (SIGTERM) is handled like Ctrl-C: temporary files are removed; the exit
    code is 143 (128 + 15) as if the signal had killed the process."""
    from pmipviz.sim import headless

    real_run = headless.run
    before = signal.getsignal(signal.SIGTERM)

    def run_then_terminate(*args: object, **kwargs: object) -> object:
        result = real_run(*args, **kwargs)  # type: ignore[arg-type]
        assert len(listing(tmp_path)) == 2
        os.kill(os.getpid(), signal.SIGTERM)
        return result

    monkeypatch.setattr(headless, "run", run_then_terminate)
    with pytest.raises(SystemExit) as stopped:
        main(["run", "figure1", *SHORT, "--trace", str(tmp_path / "t.jsonl"), "--pcap",
              str(tmp_path / "f.pcap")])
    assert stopped.value.code == 143 and listing(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_trace_is_streamed_into_the_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """During the run the events go to a hidden temporary file in the target's directory
    (not to memory, not to the target)."""
    from pmipviz.sim import headless

    real_run = headless.run
    seen: list[list[str]] = []

    def run_and_look(*args: object, **kwargs: object) -> object:
        result = real_run(*args, **kwargs)  # type: ignore[arg-type]
        for sink in kwargs["sinks"]:  # type: ignore[attr-defined]
            stream = getattr(sink, "stream", None) or getattr(sink, "_file", None)
            stream.flush()
        seen.append(listing(tmp_path))
        seen.append([str(p.stat().st_size > 24) for p in tmp_path.iterdir()])
        return result

    monkeypatch.setattr(headless, "run", run_and_look)
    assert main(["run", "figure1", *SHORT, "--json", "--trace", str(tmp_path / "t.jsonl"),
                 "--pcap", str(tmp_path / "f.pcap")]) == 0
    names, sizes = seen
    assert len(names) == 2 and all(n.startswith(".") and n.endswith(".tmp") for n in names)
    assert sizes == ["True", "True"]
    assert listing(tmp_path) == ["f.pcap", "t.jsonl"]


# --- special targets: written in place --------------------------------------------------


def test_dev_stdout_gets_the_trace_directly() -> None:
    proc = subprocess.run([sys.executable, "-m", "pmipviz", "run", "figure1", *SHORT,
                           "--json", "--trace", "/dev/stdout"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert json.loads(lines[0])["i"] == 0 and '"events"' in proc.stdout


def test_dev_stdout_redirected_to_a_file_keeps_trace_and_summary(tmp_path: Path) -> None:
    """``--trace /dev/stdout > out``: the trace shares the shell's file (and its offset),
    so the JSON printed after it follows it instead of overwriting it."""
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        proc = subprocess.run([sys.executable, "-m", "pmipviz", "run", "figure1", *SHORT,
                               "--json", "--trace", "/dev/stdout"], stdout=stdout,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    first_brace = text.index("\n{\n") + 1
    trace, doc = text[:first_brace].splitlines(), json.loads(text[first_brace:])
    assert [json.loads(line)["i"] for line in trace] == list(range(doc["events"]))
    assert listing(tmp_path) == ["out.txt"]


def test_paths_through_proc_are_written_in_place(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to("/dev/stdout")
    for path in ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", str(link)):
        assert outputs.in_place(path), path
    for path in ("/dev/shm/x.jsonl", str(tmp_path / "x"), "x.jsonl", "/dev/null"):
        assert not outputs.in_place(path), path  # (/dev/null: in place as a device)


def test_a_long_file_name_still_gets_a_temporary_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ("x" * 250)
    assert main(["export", "ladder", "figure1", "-o", str(out)]) == 0
    assert out.read_text().strip() and listing(tmp_path) == [out.name]


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    proc = subprocess.run([sys.executable, "-m", "pmipviz", "export", "ladder", "figure1",
                           "--format", "mermaid", "-o", str(fifo)], capture_output=True,
                          text=True, timeout=120, check=False)
    if proc.returncode != 0:
        reader.kill()  # it would wait for a writer forever
    out, _ = reader.communicate(timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.decode().startswith("sequenceDiagram")
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and listing(tmp_path) == ["pipe"]


def test_a_symlinked_output_writes_through_the_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert main(["export", "ladder", "figure1", "--format", "mermaid", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("sequenceDiagram")
    assert listing(tmp_path) == ["link.txt", "real.txt"]


def test_a_directory_target_is_refused_before_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("pmipviz.sim.headless.run", None)
    err = one_line_exit_2(["run", "figure1", "--trace", str(tmp_path)], capsys)
    assert err == f"pmipviz: {tmp_path}: cannot write: Is a directory\n"


# --- export ladder -o -------------------------------------------------------------------


def test_export_onto_the_scenario_is_refused(scen: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    before = scen.read_bytes()
    link = scen.parent / "alias"
    link.symlink_to(scen)
    for target in (scen, link):
        err = one_line_exit_2(["export", "ladder", str(scen), "-o", str(target)], capsys)
        assert "scenario" in err
    assert scen.read_bytes() == before


def test_export_keeps_the_old_file_when_it_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ladder.txt"
    out.write_text("old")
    one_line_exit_2(["export", "ladder", "figure1", "--mn", "bob@example.org", "-o", str(out)],
                    capsys)
    assert out.read_text() == "old" and listing(tmp_path) == ["ladder.txt"]
    assert main(["export", "ladder", "figure1", "-o", str(out)]) == 0
    assert out.read_text() != "old" and listing(tmp_path) == ["ladder.txt"]


def test_export_to_a_full_device_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_exit_2(["export", "ladder", "figure1", "-o", "/dev/full"], capsys)
    assert err == "pmipviz: /dev/full: cannot write: No space left on device\n"


def test_export_into_a_missing_directory_leaves_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "no" / "x.svg"
    err = one_line_exit_2(["export", "ladder", "figure1", "--format", "svg", "-o", str(bad)],
                          capsys)
    assert err.startswith(f"pmipviz: {bad}: cannot write: No such file")
    assert listing(tmp_path) == []


# --- the module and PcapSink on their own -----------------------------------------------


def test_pcap_sink_on_a_path_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "f.pcap"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), PcapSink(path) as sink:
        sink.write(b"\x60" + bytes(39), 0.0)
        assert path.read_bytes() == b"old"
        raise RuntimeError
    assert path.read_bytes() == b"old" and listing(tmp_path) == ["f.pcap"]
    with PcapSink(path) as sink:
        sink.write(b"\x60" + bytes(39), 0.0)
    assert len(path.read_bytes()) == 24 + 16 + 40 and listing(tmp_path) == ["f.pcap"]


def test_an_output_set_commits_all_or_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with pytest.raises(KeyboardInterrupt), outputs.OutputSet() as out:
        out.open_text(str(a)).write("x")
        out.open_binary(str(b)).write(b"y")
        raise KeyboardInterrupt
    assert listing(tmp_path) == []
    with outputs.OutputSet() as out:
        out.open_text(str(a)).write("x")
        out.open_binary(str(b)).write(b"y")
    assert a.read_text() == "x" and b.read_bytes() == b"y"


def test_refusals_are_checked_on_resolved_paths_and_inodes(tmp_path: Path) -> None:
    src = tmp_path / "in.toml"
    src.write_text("x")
    os.link(src, tmp_path / "hard")
    with pytest.raises(outputs.OutputError, match="is the scenario"):
        outputs.refuse_overlaps([("--trace", str(tmp_path / "hard"))],
                                {"the scenario file": src})
    with pytest.raises(outputs.OutputError, match="same file as --trace"):
        outputs.refuse_overlaps([("--trace", str(tmp_path / "o")),
                                 ("--pcap", str(tmp_path / "." / "o"))], {})
    outputs.refuse_overlaps([("--trace", str(tmp_path / "o")),
                             ("--pcap", str(tmp_path / "p"))], {"the scenario file": src})


# --- run --pcap: the file's extension chooses pcap or pcapng ----------------------------


@pytest.mark.parametrize(("name", "shown"), [("f.txt", "extension .txt"),
                                             ("f.pcap.gz", "extension .gz"),
                                             ("capture", "no extension")])
def test_a_pcap_without_a_capture_extension_is_refused_before_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        name: str, shown: str) -> None:
    monkeypatch.setattr("pmipviz.sim.headless.run", None)
    out = tmp_path / name
    err = one_line_exit_2(["run", "figure1", "--trace", str(tmp_path / "t.jsonl"),
                           "--pcap", str(out)], capsys)
    assert err == f"pmipviz: --pcap {out}: {shown}; use .pcap or .pcapng\n"
    assert listing(tmp_path) == []


def test_the_scenario_is_refused_before_the_extension_is_looked_at(
        scen: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_exit_2(["run", str(scen), "--pcap", str(scen)], capsys)
    assert "refusing to overwrite" in err and scen.read_bytes() == FIGURE1.read_bytes()


@pytest.mark.parametrize(("name", "magic"), [("f.pcap", "d4c3b2a1"), ("f.PCAP", "d4c3b2a1"),
                                             ("f.pcapng", "0a0d0d0a"), ("F.PcapNG", "0a0d0d0a")])
def test_the_extension_chooses_the_format(tmp_path: Path, name: str, magic: str) -> None:
    out = tmp_path / name
    assert main(["run", "figure1", *SHORT, "--json", "--pcap", str(out)]) == 0
    assert out.read_bytes()[:4] == bytes.fromhex(magic) and listing(tmp_path) == [name]


def test_an_existing_pcapng_is_replaced_only_on_success(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.pcapng"
    out.write_bytes(b"old")
    os.chmod(out, 0o640)
    one_line_exit_2(["run", "figure1", "--trace", "/dev/full", "--pcap", str(out)], capsys)
    assert out.read_bytes() == b"old" and listing(tmp_path) == ["f.pcapng"]
    assert main(["run", "figure1", *SHORT, "--json", "--pcap", str(out)]) == 0
    assert out.read_bytes()[:4] == bytes.fromhex("0a0d0d0a")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and listing(tmp_path) == ["f.pcapng"]


def test_a_device_or_fifo_without_extension_gets_a_classic_pcap(tmp_path: Path) -> None:
    from pmipviz.cli import _capture_format

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (os.devnull, "/dev/full", "/dev/stdout", str(fifo)):
        assert _capture_format(path) == "pcap", path
    assert _capture_format(str(tmp_path / "pipe.pcapng")) == "pcapng"
    proc = subprocess.run([sys.executable, "-m", "pmipviz", "run", "figure1", *SHORT, "--json",
                           "--pcap", "/dev/stderr"], capture_output=True, timeout=120,
                          check=False)
    assert proc.returncode == 0 and proc.stderr[:4] == bytes.fromhex("d4c3b2a1")
