"""``pmipviz sweep --plot``: the figure's lines are the rows' statistics, the SVG is the
same bytes in two processes and parses, the PNG renders, and a bad ``--plot``, ``--x`` or
``--y`` exits 2 with one line before anything runs."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pmipviz.cli import main
from pmipviz.export import study_figure
from pmipviz.sweep import command
from tests.sweep.study import SEEDS, sweep, sweep_args

SVG = "{http://www.w3.org/2000/svg}"
X = "mag[MAG1].detection_ms"
GROUP = "link[MAG2-LMA].loss"


def test_the_lines_are_the_mean_min_and_max_across_seeds(
        tmp_path: Path, scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: dict[str, Any] = {}

    def capture(lines: list[study_figure.StudyLine], **kw: Any) -> None:
        drawn.update(kw, lines=lines)

    monkeypatch.setattr(study_figure, "draw_study", capture)
    rows_out = tmp_path / "rows.jsonl"
    assert sweep(scenario, rows_out, "--workers", "1", "--plot", str(tmp_path / "f.svg"),
                 "--x", X, "--y", "delivered") == 0
    rows = [json.loads(line) for line in rows_out.read_text().splitlines()]
    lines = drawn["lines"]
    assert drawn["groups"] == [f"{GROUP}=0.0", f"{GROUP}=0.2"]
    assert drawn["modes"] == ("ft", "rfc5213") and drawn["fmt"] == "svg"
    assert [(line.mode, line.group) for line in lines] == [
        (m, g) for m in ("ft", "rfc5213") for g in drawn["groups"]]
    spread = 0
    for line in lines:
        assert line.xs == (5.0, 50.0)
        for x, mean, low, high in zip(line.xs, line.mean, line.low, line.high, strict=True):
            values = [r["delivered"] for r in rows if r["mode"] == line.mode
                      and f"{GROUP}={r[GROUP]}" == line.group and r[X] == x]
            assert len(values) == len(SEEDS)
            assert (mean, low, high) == (statistics.fmean(values), min(values), max(values))
            spread += low < high
    assert spread > 0  # the lossy points differ from seed to seed: a band is drawn
    assert drawn["xlabel"] == X and drawn["ylabel"] == "delivered (packets)"
    assert drawn["subtitle"] == "mean across 2 seeds; band: minimum to maximum"


def test_svg_is_the_same_bytes_in_two_processes_and_parses(tmp_path: Path,
                                                           scenario: Path) -> None:
    one, two = tmp_path / "one.svg", tmp_path / "two.svg"
    extra = ["--x", X, "--y", "interruption_ms", "--workers", "1"]
    assert sweep(scenario, tmp_path / "rows1.csv", "--plot", str(one), *extra) == 0
    proc = subprocess.run([sys.executable, "-m", "pmipviz",
                           *sweep_args(scenario, tmp_path / "rows2.csv", "--plot", str(two),
                                       *extra)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = one.read_bytes()
    assert data == two.read_bytes()
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    text = data.decode()
    for label in ("ft", "rfc5213", X, "interruption_ms", f"{GROUP}=0.0", f"{GROUP}=0.2",
                  "no value in rfc5213",  # RFC 5213 has no handover to measure here
                  "mean across 2 seeds; band: minimum to maximum"):
        assert f"<!-- {label} -->" in text, label
    assert "<dc:date>" not in text and "Matplotlib v" not in text


def test_png_renders(tmp_path: Path, scenario: Path) -> None:
    from PIL import Image

    out = tmp_path / "study.png"
    assert sweep(scenario, tmp_path / "rows.csv", "--workers", "1", "--plot", str(out),
                 "--x", X) == 0
    with Image.open(out) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size == (1950, 825)  # two panels: 13 x 5.5 inches at 150 dpi
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50
        white = sum(n for n, c in colours if c == (255, 255, 255))
        assert 0.5 < white / (1950 * 825) < 0.99
        assert any(c == (0, 114, 178) for _, c in colours)  # the first line's colour
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(("args", "line"), [
    (["--plot", "f.svg", "--x", "mag.buffer_packets"],
     f"--x mag.buffer_packets: not a varied parameter (varied: {X}, {GROUP})"),
    (["--plot", "f.svg", "--y", "nonsense"],
     "--y nonsense: not a metric of this sweep (one of: sent, delivered, lost, queued"),
    (["--plot", "f.svg", "--y", "interruption_ms[3]"], "--y interruption_ms[3]: not a metric"),
    (["--plot", "f.jpg"], "--plot f.jpg: extension .jpg; use .svg, .png or .pdf"),
    (["--plot", "f"], "--plot f: no extension; use .svg, .png or .pdf"),
    (["--x", X], f"--x {X}: only with --plot FILE"),
    (["--y", "lost"], "--y lost: only with --plot FILE"),
    (["--plot", "rows.csv"], "--plot rows.csv"),  # the same file as -o
])
def test_bad_plot_exits_2_with_one_line_before_anything_runs(
        args: list[str], line: str, scenario: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def no_run(*a: Any, **kw: Any) -> None:
        raise AssertionError("a run started")

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(command, "_execute", no_run)
    assert sweep(scenario, Path("rows.csv"), *args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"pmipviz sweep: {line}"), err
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(("vary", "line"), [
    ([], "--plot needs a --vary parameter for the x axis"),
    (["--vary", "mag.authorized=true,false"],
     "--x mag.authorized: its values are not numbers (true, false)"),
])
def test_the_x_axis_needs_a_numeric_parameter(vary: list[str], line: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.svg"
    assert main(["sweep", "figure1", *vary, "--plot", str(out)]) == 2
    assert capsys.readouterr().err == f"pmipviz sweep: {line}\n"
    assert not out.exists()


def test_a_sweep_without_plot_does_not_import_matplotlib() -> None:
    code = ("import sys; import pmipviz.sweep.command, pmipviz.sweep.plot; "
            "assert 'matplotlib' not in sys.modules")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_panel_has_room_above_its_highest_value() -> None:
    """RFC 5213's panel of the README study has every mean near 152 packets: with the
    axis from 0 and autoscaled, its markers were cut in half by the frame."""
    line = study_figure.StudyLine(mode="rfc5213", group="", xs=(5.0, 100.0),
                                  mean=(152.1, 152.0), low=(151.0, 151.0), high=(154.0, 153.0))
    top = study_figure.y_top([line], "rfc5213")
    assert top >= 154.0 * 1.05
    assert study_figure.y_top([line], "ft") == 1.0
