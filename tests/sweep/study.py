"""The small study the sweep tests run: figure1 with MAG1's detection delay and the loss
of the link to MAG2 (where the stream goes after the fault) varied; the loss makes the
seeds matter. 4 points x 2 seeds x 2 modes = 16 short runs (the fault is at 1000 ms)."""

from __future__ import annotations

from pathlib import Path

from pmipviz.cli import main
from pmipviz.scenario import shipped_dir

FIGURE1 = (shipped_dir() / "figure1.toml").read_text()
TEMPLATE = FIGURE1.replace("detection_ms = 20", "detection_ms = {det}", 1).replace(
    'between = ["LMA", "MAG2"]\ndelay_ms = 5', 'between = ["LMA", "MAG2"]\ndelay_ms = 5\n'
    "loss = {loss}")
VARY = ["--vary", "mag[MAG1].detection_ms=5,50", "--vary", "link[MAG2-LMA].loss=0:0.2:0.2"]
POINTS = [(5, 0.0), (5, 0.2), (50, 0.0), (50, 0.2)]
SEEDS = (1, 2)
MODES = ("ft", "rfc5213")
RUNS = len(POINTS) * len(SEEDS) * len(MODES)
UNTIL = "1600"


def scenario_text(det: int, loss: float) -> str:
    """figure1 at one point of the study."""
    assert "{det}" in TEMPLATE and "{loss}" in TEMPLATE
    return TEMPLATE.replace("{det}", str(det)).replace("{loss}", str(loss))


def sweep_args(scenario: Path, out: Path, *extra: str) -> list[str]:
    """The arguments of ``pmipviz`` that run the study into ``out``."""
    return ["sweep", str(scenario), *VARY, "--seeds", "1-2", "--mode", "ft,rfc5213",
            "--until", UNTIL, "-o", str(out), "--no-summary", *extra]


def sweep(scenario: Path, out: Path, *extra: str) -> int:
    """Run the study in this process; the exit code."""
    return main(sweep_args(scenario, out, *extra))
