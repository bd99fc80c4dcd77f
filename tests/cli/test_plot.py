"""``pmipviz plot``: deterministic, valid SVG; a PNG that renders; a PDF; one-line
errors with exit 2 that leave no file behind; matplotlib loaded only by this command."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pmipviz.cli import main

SVG = "{http://www.w3.org/2000/svg}"


def run_cli(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    argv = ["-c", code] if code else ["-m", "pmipviz", *args]
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True,
                          timeout=120)


def test_svg_is_the_same_bytes_in_two_processes_and_parses(tmp_path: Path, capsys) -> None:
    one, two = tmp_path / "one.svg", tmp_path / "two.svg"
    assert main(["plot", "figure1", "--kind", "delivery", "--mode", "both",
                 "-o", str(one)]) == 0
    proc = run_cli("plot", "figure1", "--kind", "delivery", "--mode", "both", "-o", str(two))
    assert proc.returncode == 0, proc.stderr
    assert capsys.readouterr().out == "" and proc.stdout == ""
    data = one.read_bytes()
    assert data == two.read_bytes()
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}path")) > 100
    text = data.decode()
    # matplotlib keeps each text as a comment next to its glyphs (fonttype "path")
    for label in ("ft: draft-jiang-netext-ft-pmip-00", "rfc5213: RFC 5213",
                  "(3) DeReg PBU", "(5) PBA", "(6) flush", "IF1 break", "outage 40 ms",
                  "outage ≥ 1510 ms", "lost: dereg_hold (148)", "delivered from a MAG cache",
                  "delivered out of order", "simulated time (ms)", "packet number (per flow)"):
        assert f"<!-- {label} -->" in text, label
    assert "<dc:date>" not in text and "Matplotlib v" not in text


def test_one_mode_is_one_panel_and_a_window_changes_the_axis(tmp_path: Path) -> None:
    out = tmp_path / "ft.svg"
    assert main(["plot", "figure1", "--mode", "rfc5213", "--from", "900", "--until", "1200",
                 "-o", str(out)]) == 0
    text = out.read_text()
    assert "<!-- rfc5213: RFC 5213 -->" in text and "ft: draft" not in text
    assert "<!-- 900 -->" in text and "<!-- 1200 -->" in text and "<!-- 2500 -->" not in text
    assert "<!-- outage ≥ 204 ms -->" in text  # measured up to the window's end


def test_png_renders(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "occ.png"
    assert main(["plot", "figure1", "--kind", "occupancy", "--mode", "both",
                 "-o", str(out)]) == 0
    with Image.open(out) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size == (1650, 1650)  # 11 x 11 inches at 150 dpi
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # lines, text, antialiasing
        white = sum(n for n, c in colours if c == (255, 255, 255))
        assert 0.5 < white / (1650 * 1650) < 0.99  # mostly background, not blank
        # the ft panel's MAG1 line is drawn in its colour (#0072B2)
        assert any(c == (0, 114, 178) for _, c in colours)


def test_pdf_is_written(tmp_path: Path) -> None:
    out = tmp_path / "f.pdf"
    assert main(["plot", "figure1", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(("args", "line"), [
    (["--mn", "nobody"], "pmipviz plot: figure1: no mobile node 'nobody' "
     "(the scenario has mn1@example.org)"),
    (["--kind", "bogus"], "pmipviz plot: argument --kind: invalid choice: 'bogus' "
     "(choose from 'delivery', 'occupancy')"),
    (["--from", "2000", "--until", "1000"], "pmipviz plot: --from 2000 is not before "
     "--until 1000"),
    (["--from", "3000"], "pmipviz plot: --from 3000 is not before the scenario's "
     "duration_ms 3000"),
    (["--from", "-5"], "pmipviz plot: argument --from: expected a number >= 0, got '-5'"),
    (["--mode", "x"], "pmipviz plot: argument --mode: invalid choice: 'x' "
     "(choose from 'ft', 'rfc5213', 'both')"),
])
def test_bad_input_is_one_line_exit_2_and_no_file(args: list[str], line: str,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "f.svg"
    proc = run_cli("plot", "figure1", *args, "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr == line + "\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "line"), [
    ("f.jpg", "pmipviz plot: {path}: extension .jpg; use .svg, .png or .pdf"),
    ("f", "pmipviz plot: {path}: no extension; use .svg, .png or .pdf"),
    ("missing/f.svg", "pmipviz: {path}: cannot write: No such file or directory"),
])
def test_bad_output_is_one_line_exit_2(name: str, line: str, tmp_path: Path, capsys) -> None:
    path = str(tmp_path / name)
    assert main(["plot", "figure1", "-o", path]) == 2
    assert capsys.readouterr().err == line.format(path=path) + "\n"
    assert list(tmp_path.iterdir()) == []


def test_an_mn_without_a_flow_is_refused_for_delivery_only(tmp_path: Path, capsys) -> None:
    out = tmp_path / "f.svg"
    assert main(["plot", "bad-mag", "--mn", "mn-unknown@example.org", "-o", str(out)]) == 2
    assert capsys.readouterr().err == ("pmipviz plot: bad-mag: mobile node "
                                       "'mn-unknown@example.org' has no flow to plot\n")
    assert main(["plot", "bad-mag", "--kind", "occupancy", "--mn", "mn-unknown@example.org",
                 "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"<?xml")


def test_a_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path,
                                                              monkeypatch) -> None:
    """The figure is written atomically: a failed draw changes nothing."""
    import pmipviz.export.plot_figure as plot_figure

    out = tmp_path / "f.svg"
    out.write_text("old")

    def broken(*args: object, **kwargs: object) -> None:
        kwargs["out"].write(b"half a figure")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(plot_figure, "draw", broken)
    assert main(["plot", "figure1", "-o", str(out)]) == 130
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.svg"]


def test_the_scenario_file_is_never_the_output(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "s.svg"
    scenario.write_bytes((Path(__file__).parents[2] / "scenarios" / "figure1.toml")
                         .read_bytes())
    assert main(["plot", str(scenario), "-o", str(scenario)]) == 2
    assert "refusing to overwrite it" in capsys.readouterr().err


def test_only_plot_imports_matplotlib(tmp_path: Path) -> None:
    code = ("import sys; from pmipviz.cli import main; "
            "assert main(['run', 'figure1', '--json']) == 0; "
            "assert 'matplotlib' not in sys.modules, 'run imported matplotlib'; "
            "import pmipviz.export.plot_data, pmipviz.export.plot_command; "
            "assert 'matplotlib' not in sys.modules, 'plot data imported matplotlib'")
    proc = run_cli(code=code)
    assert proc.returncode == 0, proc.stderr
    env = {**os.environ, "MPLBACKEND": "TkAgg"}  # even a GUI default is never used
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; from pmipviz.cli import main; "
                           f"assert main(['plot', 'figure1', '-o', '{tmp_path}/f.png']) == 0; "
                           "print(sorted(m for m in sys.modules "
                           "if m.startswith(('tkinter', 'matplotlib.pyplot'))))"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")


def test_a_cache_that_filled_shows_its_capacity(tmp_path: Path) -> None:
    full, roomy = tmp_path / "full.svg", tmp_path / "roomy.svg"
    assert main(["plot", "both-fail", "--kind", "occupancy", "-o", str(full)]) == 0
    assert main(["plot", "figure1", "--kind", "occupancy", "-o", str(roomy)]) == 0
    assert "<!-- MAG2 full -->" in full.read_text()  # 8 packets, and it held 8
    assert "<!-- MAG2 (capacity 8 packets) -->" in full.read_text()
    assert " full -->" not in roomy.read_text()  # held 3 of 64: no line up at 64
