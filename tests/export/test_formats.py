"""Ladder exports: text (Unicode and ASCII), Mermaid (checked by Mermaid's own parser
in headless chromium), PlantUML (rendered by plantuml), SVG (parsed as XML) and the
``pmipviz export ladder`` command line."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from rich.cells import cell_len

from pmipviz.cli import main
from pmipviz.export import build_rows
from pmipviz.export.colors import CLASS_COLORS, CLASS_NAMES
from pmipviz.export.diagram import LadderDiagram, build_ladder
from pmipviz.export.ladder import MSG_CLASSES, LadderRow
from pmipviz.export.mermaid import escape as mermaid_escape
from pmipviz.export.mermaid import participant_ids, render_mermaid
from pmipviz.export.plantuml import escape as plantuml_escape
from pmipviz.export.plantuml import render_plantuml
from pmipviz.export.render import FORMATS, render
from pmipviz.export.svg import render_svg
from pmipviz.export.text import render_text, to_ascii
from pmipviz.scenario import load_scenario, shipped_scenarios
from pmipviz.sim.headless import run
from pmipviz.sim.trace import TraceEvent

MODES = ("ft", "rfc5213")
SVG = "{http://www.w3.org/2000/svg}"
DATA = ("DATA", "DATA_CACHED")
CONTROL = ("PBU", "DEREG", "PBA", "PBA_REJECT", "RS", "RA")


@cache
def diagram(name: str = "figure1", mode: str | None = None) -> LadderDiagram:
    return build_ladder(load_scenario(name), mode=mode)


def _with_step(row: LadderRow) -> str:
    return f"({row.step}) {row.label}" if row.step is not None else row.label


def _in_order(haystack: str, needles: list[str]) -> None:
    """Every needle occurs in ``haystack``, each after the previous one."""
    pos = 0
    for needle in needles:
        found = haystack.find(needle, pos)
        assert found >= 0, f"{needle!r} missing (or out of order) after offset {pos}"
        pos = found + len(needle)


def _tricky() -> LadderDiagram:
    """Participants and labels with every character the formats treat specially."""
    cols = ("end", "1st node", "a-b", 'x;y#"z', "note")
    labels = ["semi; colon", "hash # 5 #35;", "pct %% 50%", "a: b: c", "<b>bold</b>", "end",
              "x->>y", "a --> b", "{curly} [[sq]] (par)", "back\\slash\\n",
              'amp & q" \' **b** //i// __u__ ""m""', "---", "@enduml"]
    rows = []
    for k, label in enumerate(labels):
        arrow = k % 3 != 0
        rows.append(LadderRow(k, k, float(k), float(k), "arrow" if arrow else "note",
                              cols[k % 5], cols[(k + 1) % 5] if arrow else None, label,
                              MSG_CLASSES[k % len(MSG_CLASSES)], k % 8 or None, (k,),
                              lost=k == 4))
    return LadderDiagram("T; #x <y>", "tricky", "ft", "mn", 1.0, cols, tuple(rows))


# -- the model behind every format ------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_diagram_rows_are_the_tuis_rows(mode: str) -> None:
    sc = load_scenario("figure1")
    trace: list[TraceEvent] = []
    run(sc, mode=mode, sinks=[trace.append])
    d = diagram("figure1", mode)
    assert list(d.rows) == build_rows(trace, sc)
    assert d.columns == ("IF1", "IF2", "MAG1", "MAG2", "LMA", "CN")
    assert d.mode == mode and d.mn == "mn1@example.org"


def test_every_class_has_one_colour_and_a_name() -> None:
    assert set(CLASS_COLORS) == set(CLASS_NAMES) == set(MSG_CLASSES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in CLASS_COLORS.values())


def test_render_dispatch() -> None:
    d = diagram()
    assert FORMATS == ("text", "mermaid", "plantuml", "svg")
    assert render(d, "text") == render_text(d)
    assert render(d, "text", ascii_only=True) == render_text(d, ascii_only=True)
    assert render(d, "svg") == render_svg(d)
    with pytest.raises(ValueError, match="unknown"):
        render(d, "png")
    with pytest.raises(ValueError, match="--ascii"):
        render(d, "mermaid", ascii_only=True)


# -- text --------------------------------------------------------------------------------------


def _text_needles(d: LadderDiagram, ascii_only: bool) -> list[str]:
    out = []
    for row in d.rows:
        label = row.label.removeprefix("✕ ") if row.kind == "drop" else row.label
        out.append(to_ascii(label) if ascii_only else label)
    return out


def _margin_steps(text: str) -> list[int]:
    return [int(m.group(1)) for m in re.finditer(r"^ {0,6}\d+\.\d \((\d)\)", text, re.M)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ascii_only", [False, True])
def test_text_has_every_label_in_order_and_fits_100_columns(mode: str, ascii_only: bool) -> None:
    d = diagram("figure1", mode)
    assert sum(r.msg_class in DATA and r.count > 1 for r in d.rows) >= 6  # DATA ×n rows
    assert sum(r.msg_class in CONTROL for r in d.rows) >= 9
    text = render_text(d, ascii_only=ascii_only)
    _in_order(text, _text_needles(d, ascii_only))
    assert _margin_steps(text) == [r.step for r in d.rows if r.step is not None]
    assert max(cell_len(line) for line in text.splitlines()) <= 100
    assert text.isascii() == ascii_only
    for name in d.columns:
        assert f" {name} " in text


def test_text_ft_steps_1_to_8_first_appear_in_order() -> None:
    steps = _margin_steps(render_text(diagram("figure1", "ft")))
    first = [steps.index(s) for s in range(1, 9)]
    assert first == sorted(first)


def test_text_draws_arrows_between_the_right_lifelines() -> None:
    text = render_text(diagram("figure1", "ft"))
    lines = text.splitlines()
    header = next(line for line in lines if "│ MAG1 │" in line)
    bottom = lines[lines.index(header) + 1]
    tees = [k for k, ch in enumerate(bottom) if ch == "┬"]
    x = dict(zip(diagram("figure1", "ft").columns, tees, strict=True))
    assert all(lines[-2][k] == "│" for k in tees)
    dereg = next(line for line in lines if "DeReg PBU lt=0 HI=4" in line)  # label and arrow
    assert dereg.lstrip().startswith("1020.0 (3)")
    assert dereg[x["MAG1"]] == "├" and dereg[x["LMA"] - 1] == "▶"
    assert set(dereg[x["MAG1"] + 1: x["LMA"] - 1]) == {"─"}
    k = next(k for k, line in enumerate(lines) if "(5)" in line)
    pba = lines[k]
    assert pba[x["MAG1"] + 1] == "◀" and pba[x["LMA"]] == "┤"
    cached = next(line for line in lines if line.lstrip().startswith("1030.0 (6)") and "═" in line)
    assert "▶" in cached
    caching = next(line for line in lines if "caching data for MN [■■■ 3/64]" in line)
    assert caching[x["MAG1"]] == "■"
    fault = next(line for line in lines if "IF1 breaks ✕" in line)
    assert fault[x["IF1"]] == "✕"


def test_text_ascii_uses_pipes_and_dashes() -> None:
    text = render_text(diagram("figure1", "ft"), ascii_only=True)
    assert "|--------------------------->|" not in text  # the arrow ends with a head
    assert re.search(r"\|-+>\|", text) and re.search(r"\|<-+\|", text)
    assert re.search(r"\|=+>\|", text)  # cached DATA
    assert "DATA x49 n=0..48" in text and "attach -> MAG1" in text


def test_text_cuts_what_does_not_fit() -> None:
    d = diagram("figure1", "ft")
    long = "x" * 150
    rows = (*d.rows[:3], LadderRow(0, 0, 0.0, 0.0, "note", "CN", None, long, "STATE", None,
                                   (0,)),
            LadderRow(0, 0, 0.0, 0.0, "arrow", "IF1", "CN", long, "PBU", 1, (0,)))
    text = render_text(LadderDiagram(d.title, d.scenario, d.mode, d.mn, d.until_ms, d.columns,
                                     rows))
    assert max(cell_len(line) for line in text.splitlines()) <= 100
    assert text.count("x…") == 2
    assert render_text(LadderDiagram(d.title, d.scenario, d.mode, d.mn, d.until_ms, d.columns,
                                     rows), ascii_only=True).count("x...") == 2


@pytest.mark.parametrize("name", [n for n, _ in shipped_scenarios()])
def test_text_of_every_shipped_scenario_fits_100_columns(name: str) -> None:
    text = render_text(diagram(name))
    assert max(cell_len(line) for line in text.splitlines()) <= 100
    _in_order(text, [label[:20] for label in _text_needles(diagram(name), False)])


def test_to_ascii() -> None:
    assert to_ascii("DATA ×3 ✕ → ■ … é") == "DATA x3 X -> # ... e"
    assert to_ascii("中").isascii()


# -- Mermaid ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_mermaid_source(mode: str) -> None:
    d = diagram("figure1", mode)
    src = render_mermaid(d)
    lines = src.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert [x for x in lines if x.strip().startswith("participant")] == [
        f"    participant {c}" for c in d.columns]
    statements = [x.strip() for x in lines[1:] if x.strip() and not x.strip().startswith(
        ("%%", "participant", "title"))]
    assert len(statements) == len(d.rows)
    for row, stmt in zip(d.rows, statements, strict=True):
        if row.kind == "arrow":
            arrow = "-->>" if row.msg_class in DATA else "->>"
            assert stmt == f"{row.src}{arrow}{row.dst}: {_with_step(row)}"
        else:
            assert stmt == f"Note over {row.src}: {_with_step(row)}"
    if mode == "ft":
        assert "    MAG1->>LMA: (3) DeReg PBU lt=0 HI=4" in lines
        assert "    Note over MAG1: (2) caching data for MN [■■■ 3/64]" in lines


def test_mermaid_lost_message_is_drawn_lost() -> None:
    src = render_mermaid(diagram("lossy-signaling"))
    lines = src.splitlines()
    assert "    LMA-xMAG1: PBA status 0 ✕" in lines  # the first PBA, lost
    assert "    MAG1-xLMA: PBU HI=1 seq 2 (retx) ✕" in lines
    assert "    MAG1->>LMA: PBU HI=1 seq 3 (retx)" in lines


def test_mermaid_escapes_and_safe_ids() -> None:
    assert mermaid_escape("a;b#c%d<e>") == "a#59;b#35;c#37;d#lt;e#gt;"
    assert participant_ids(("end", "MAG1", "1x", "a b", "a_b", "note")) == {
        "end": "P_end", "MAG1": "MAG1", "1x": "P_1x", "a b": "a_b", "a_b": "a_b_2",
        "note": "P_note"}
    src = render_mermaid(_tricky())
    assert ";" not in src.replace("#59;", "").replace("#35;", "").replace("#37;", "") \
        .replace("#lt;", "").replace("#gt;", "")


def _mermaid_cases(tmp_path: Path) -> dict[Path, LadderDiagram]:
    cases = {tmp_path / f"figure1-{m}.mmd": diagram("figure1", m) for m in MODES}
    cases |= {tmp_path / f"{n}.mmd": diagram(n) for n, _ in shipped_scenarios()}
    cases[tmp_path / "tricky.mmd"] = _tricky()
    return cases


def test_mermaid_parses_and_renders_in_chromium(tmp_path: Path, node_json) -> None:
    cases = _mermaid_cases(tmp_path)
    for path, d in cases.items():
        path.write_text(render_mermaid(d), encoding="utf-8")
    bad = tmp_path / "bad.mmd"
    bad.write_text("sequenceDiagram\n    A->>B hi ; ;;\n", encoding="utf-8")
    results = node_json("mermaid_check.mjs", *map(str, [*cases, bad]))
    by_file = {Path(r["file"]): r for r in results}
    assert not by_file[bad]["ok"] and "Parse error" in by_file[bad]["error"]
    for path, d in cases.items():
        result = by_file[path]
        assert result["ok"], f"{path.name}: {result['error']}"
        texts = set(result["texts"])
        for row in d.rows:
            assert _with_step(row) in texts, f"{path.name}: {_with_step(row)!r} not rendered"
        for name in d.columns:
            assert name in texts


# -- PlantUML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_plantuml_source(mode: str) -> None:
    d = diagram("figure1", mode)
    lines = render_plantuml(d).splitlines()
    assert lines[0] == "@startuml" and lines[-1] == "@enduml"
    assert [x for x in lines if x.startswith("participant")] == [
        f'participant "{c}" as {c}' for c in d.columns]
    body = [x for x in lines if re.match(r"^(\w+ -\[#|note over )", x)]
    assert len(body) == len(d.rows)
    for row, stmt in zip(d.rows, body, strict=True):
        colour = CLASS_COLORS[row.msg_class]
        if row.kind == "arrow":
            dash = "->" if row.msg_class in DATA else ">"
            assert stmt == f"{row.src} -[{colour}]{dash} {row.dst} : {_with_step(row)}"
        else:
            assert stmt == f"note over {row.src} : <color:{colour}>{_with_step(row)}</color>"


def test_plantuml_lost_and_escapes() -> None:
    lines = render_plantuml(diagram("lossy-signaling")).splitlines()
    assert "MAG1 -[#00d7ff]>x LMA : PBU HI=1 seq 2 (retx) ✕" in lines
    assert "LMA -[#5fd75f]>x MAG1 : PBA status 0 ✕" in lines
    assert plantuml_escape("a --> b **c** <b> \\n") == "a -~-> b *~*c*~* ~<b> \\\\n"


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def test_plantuml_renders_offline(tmp_path: Path, plantuml: str) -> None:
    cases = {tmp_path / f"figure1-{m}.puml": diagram("figure1", m) for m in MODES}
    cases |= {tmp_path / f"{n}.puml": diagram(n) for n, _ in shipped_scenarios()}
    cases[tmp_path / "tricky.puml"] = _tricky()
    for path, d in cases.items():
        path.write_text(render_plantuml(d), encoding="utf-8")
    proc = subprocess.run([plantuml, "-charset", "UTF-8", "-tsvg", *map(str, cases)],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path, d in cases.items():
        svg = path.with_suffix(".svg").read_text(encoding="utf-8")
        assert "Syntax Error" not in svg, path.name
        texts = {t.replace("\xa0", " ") for t in _svg_texts(svg)}  # plantuml: no-break spaces
        for row in d.rows:
            assert _with_step(row) in texts, f"{path.name}: {_with_step(row)!r} not drawn"


def test_plantuml_check_catches_a_syntax_error(tmp_path: Path, plantuml: str) -> None:
    bad = tmp_path / "bad.puml"
    bad.write_text("@startuml\nIF1 -> : \n foo bar (\n@enduml\n", encoding="utf-8")
    proc = subprocess.run([plantuml, "-charset", "UTF-8", "-tsvg", str(bad)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert "Syntax Error" in bad.with_suffix(".svg").read_text(encoding="utf-8")


# -- SVG -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_svg_is_xml_with_every_label_step_and_time(mode: str) -> None:
    d = diagram("figure1", mode)
    svg = render_svg(d)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    texts = _svg_texts(svg)
    _in_order("\n".join(texts), [r.label for r in d.rows])
    steps = [int(t[1]) for t in texts if re.fullmatch(r"\(\d\)", t)]
    assert steps == [r.step for r in d.rows if r.step is not None]
    assert [t for t in texts if re.fullmatch(r"\d+\.\d", t)] == [f"{r.t_ms:.1f}" for r in d.rows]
    for name in d.columns:
        assert texts.count(name) == 2  # boxes at the top and the bottom
    present = {r.msg_class for r in d.rows}
    legend = root.find(f"{SVG}g[@class='legend']")
    assert legend is not None
    assert {"".join(t.itertext()) for t in legend.iter(f"{SVG}text")} == {
        "legend", *(CLASS_NAMES[c] for c in present)}
    for el in root.iter():
        for attr in ("x", "x1", "x2", "cx"):
            if el.get(attr) is not None and el.tag != f"{SVG}marker":
                assert -1 <= float(el.get(attr, 0)) <= width, (el.tag, el.attrib)
        for attr in ("y", "y1", "y2", "cy"):
            if el.get(attr) is not None:
                assert -1 <= float(el.get(attr, 0)) <= height, (el.tag, el.attrib)


def test_svg_colours_arrows_by_class_and_marks_lost_ones() -> None:
    root = ET.fromstring(render_svg(diagram("lossy-signaling")))
    rows = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("row")]
    assert len(rows) == len(diagram("lossy-signaling").rows)
    lost = [g for g in rows if any("✕" in "".join(t.itertext()) for t in g.iter(f"{SVG}text"))
            and g.get("data-class") == "PBU"]
    assert lost
    lines = list(lost[0].iter(f"{SVG}line"))
    assert all(x.get("stroke") == CLASS_COLORS["PBU"] for x in lines)
    assert not any(x.get("marker-end") for x in lines) and len(lines) == 3  # arrow + cross
    dereg = ET.fromstring(render_svg(diagram("figure1")))
    heads = [x for x in dereg.iter(f"{SVG}line") if x.get("marker-end") == "url(#head-DEREG)"]
    assert len(heads) == 1 and heads[0].get("stroke") == CLASS_COLORS["DEREG"]


def test_svg_escapes_text() -> None:
    svg = render_svg(_tricky())
    texts = _svg_texts(svg)
    for row in _tricky().rows:
        assert row.label in texts
    assert "<b>bold</b>" not in svg and "&lt;b&gt;bold&lt;/b&gt;" in svg


# -- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_writes_stdout_and_files_alike(fmt: str, tmp_path: Path, capsys) -> None:
    assert main(["export", "ladder", "figure1", "--format", fmt]) == 0
    out = capsys.readouterr().out
    target = tmp_path / f"ladder.{fmt}"
    assert main(["export", "ladder", "figure1", "--format", fmt, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == out == render(diagram("figure1"), fmt)


def test_cli_options(capsys) -> None:
    assert main(["export", "ladder", "figure1", "--mode", "rfc5213", "--until", "1010",
                 "--ascii"]) == 0
    out = capsys.readouterr().out
    assert out.isascii() and "mode rfc5213" in out and "0-1010 ms" in out
    assert "link_down" in out and "dereg_hold" not in out
    assert main(["export", "ladder", "bad-mag", "--mn", "mn-m4@example.org"]) == 0
    out = capsys.readouterr().out
    assert "mn-m4@example.org" in out and "MAG4" in out


@pytest.mark.parametrize(("args", "fragment"), [
    (["export", "ladder", "figure1", "--format", "png"], "invalid choice: 'png'"),
    (["export", "ladder", "nosuch"], "no shipped scenario 'nosuch'"),
    (["export", "ladder", "figure1", "--mn", "bob@example.org"], "no mobile node"),
    (["export", "ladder", "figure1", "-o", "/nonexistent/dir/x.txt"], "cannot write"),
    (["export", "ladder", "figure1", "--format", "svg", "--ascii"], "--ascii"),
    (["export", "ladder", "figure1", "--until", "-3"], "number >= 0"),
    (["export", "ladder"], "required: scenario"),
    (["export"], "required"),
    (["export", "pcap", "figure1"], "invalid choice"),
])
def test_cli_bad_input_is_one_line_exit_2(args: list[str], fragment: str, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_entry_point_and_exit_codes(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "pmipviz", "export", "ladder", "figure1",
                         "--format", "mermaid"], capture_output=True, text=True, timeout=120,
                        check=False)
    assert ok.returncode == 0 and ok.stdout.startswith("sequenceDiagram")
    bad = subprocess.run([sys.executable, "-m", "pmipviz", "export", "ladder", "figure1", "-o",
                          str(tmp_path)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().endswith("cannot write: Is a directory")
