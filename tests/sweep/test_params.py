"""``pmipviz sweep`` parameters: paths over the scenario's keys, values and ranges, seeds
and modes; every bad one exits 2 with one line naming it, before anything runs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pmipviz.cli import main
from pmipviz.scenario import shipped_dir
from pmipviz.sweep import SweepError
from pmipviz.sweep.grid import build_study
from pmipviz.sweep.params import Target, parse_seeds, parse_values, resolve

FIGURE1 = tomllib.loads((shipped_dir() / "figure1.toml").read_text())


@pytest.mark.parametrize(("path", "targets"), [
    ("mag.detection_ms", [("mag", 0, "detection_ms"), ("mag", 1, "detection_ms")]),
    ("mag[MAG2].buffer_packets", [("mag", 1, "buffer_packets")]),
    ("mag[1].buffer_packets", [("mag", 1, "buffer_packets")]),
    ("link.loss", [("link", 0, "loss"), ("link", 1, "loss"), ("link", 2, "loss")]),
    ("link[LMA-MAG2].delay_ms", [("link", 1, "delay_ms")]),
    ("link[LMA-CN].delay_ms", [("link", 2, "delay_ms")]),  # either order of the ends
    ("fault[0].at_ms", [("fault", 0, "at_ms")]),
    ("flow[0].rate_pps", [("flow", 0, "rate_pps")]),
    ("scenario.duration_ms", [("scenario", None, "duration_ms")]),
    ("lma.lifetime_s", [("lma", None, "lifetime_s")]),
])
def test_paths_name_the_keys(path: str, targets: list[tuple[str, int | None, str]]) -> None:
    assert resolve(path, FIGURE1) == tuple(Target(*t) for t in targets)


@pytest.mark.parametrize(("text", "values"), [
    ("5,20,50", (5, 20, 50)),
    ("5:20:5", (5, 10, 15, 20)),  # stop included
    ("0:0.3:0.1", (0.0, 0.1, 0.2, 0.3)),  # exact decimal steps, no 0.30000000000000004
    ("0.5, 1", (0.5, 1)),
    ("true,false", (True, False)),
    ("1e2", (100.0,)),
])
def test_values_and_ranges(text: str, values: tuple[object, ...]) -> None:
    got = parse_values("p", text)
    assert got == values and [type(v) for v in got] == [type(v) for v in values]


def test_seeds() -> None:
    assert parse_seeds("1-3,7") == (1, 2, 3, 7)
    with pytest.raises(SweepError, match="twice"):
        parse_seeds("1-3,2")


def test_points_are_validated_scenarios() -> None:
    study = build_study("figure1", ["mag[MAG1].detection_ms=5,50", "link.loss=0,0.25"],
                        (1, 2), ("ft", "rfc5213"))
    assert study.points == ((5, 0), (5, 0.25), (50, 0), (50, 0.25))
    last = study.scenarios[-1]
    assert [m.detection_ms for m in last.mags] == [50.0, 20.0]
    assert [link.loss for link in last.links] == [0.25] * 3
    assert [(r.point, r.seed, r.mode) for r in study.runs[:5]] == [
        (0, 1, "ft"), (0, 1, "rfc5213"), (0, 2, "ft"), (0, 2, "rfc5213"), (1, 1, "ft")]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--vary", "mag.detection"], "expected PATH=VALUES"),
    (["--vary", "magic.detection_ms=5"], "unknown kind 'magic'"),
    (["--vary", "mag.name=x"], "mag.name is not a parameter"),
    (["--vary", "mag[MAG9].detection_ms=5"], "no mag named 'MAG9'"),
    (["--vary", "mag[7].detection_ms=5"], "no mag[7]"),
    (["--vary", "link[LMA-MAG9].loss=0.1"], "no link named 'LMA-MAG9'"),
    (["--vary", "lma[0].lifetime_s=40"], "single table"),
    (["--vary", "scenario.seed=1,2"], "use --seeds"),
    (["--vary", "mn.known=true"], "unknown kind 'mn'"),
    (["--vary", "mag.detection_ms=5,abc"], "'abc' is not a number"),
    (["--vary", "mag.detection_ms="], "no values"),
    (["--vary", "mag.detection_ms=5,5"], "listed twice"),
    (["--vary", "mag.detection_ms=10:0:5"], "stop is before start"),
    (["--vary", "mag.detection_ms=0:10:0"], "step must be > 0"),
    (["--vary", "mag.detection_ms=0:10"], "expected start:stop:step"),
    (["--vary", "mag.detection_ms=0:1e9:1"], "at most 10,000"),
    (["--vary", "mag.detection_ms=5", "--vary", "mag[MAG1].detection_ms=5"],
     "sets a key --vary mag.detection_ms sets too"),
    # the generated scenario goes through the scenario's own checks
    (["--vary", "mag.detection_ms=20,-5"],
     "--vary mag.detection_ms=-5: figure1:"),
    (["--vary", "mag[MAG2].buffer_packets=4.5"], "mag[1].buffer_packets: expected an integer"),
    (["--vary", "link.loss=0,1"], "link[0].loss: must be < 1, got 1"),
    (["--vary", "lma.lifetime_s=41"], "lma.lifetime_s: must be a multiple of 4"),
    (["--seeds", "3-1"], "ends before it starts"),
    (["--seeds", "x"], "'x' is not a seed"),
    (["--mode", "ft,nope"], "unknown mode 'nope'"),
    (["--resume"], "--resume needs -o FILE"),
    (["-o", "out.xlsx"], "expected a .csv, .jsonl or .parquet"),
    (["--workers", "0"], "expected a number of workers in 1..1024"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not allowed with argument"),
    (["--scheduler", "nonsense://", "-o", "out.csv"],
     "--scheduler nonsense://: cannot connect: unknown address scheme"),
])
def test_bad_input_exits_2_with_one_line_before_anything_runs(
        args: list[str], fragment: str, capsys: pytest.CaptureFixture[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "figure1", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("pmipviz sweep: ")
    assert fragment in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_output_must_not_be_the_scenario(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "s.csv"
    scenario.write_text((shipped_dir() / "figure1.toml").read_text())
    assert main(["sweep", str(scenario), "-o", str(scenario)]) == 2
    assert "scenario file" in capsys.readouterr().err
