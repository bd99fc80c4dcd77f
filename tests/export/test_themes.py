"""Ladder exports in a light theme and for a time window (issue 11 features):
``pmipviz export ladder --theme light`` and ``--from MS``."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from pmipviz.cli import main
from pmipviz.export.colors import DARK, LIGHT, THEMES, Theme
from pmipviz.export.diagram import build_ladder
from pmipviz.export.render import render
from pmipviz.scenario import load_scenario


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(color[k:k + 2], 16) for k in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("theme", list(THEMES.values()), ids=list(THEMES))
def test_every_colour_reads_on_its_background(theme: Theme) -> None:
    """WCAG AA for normal text (4.5:1): every message class, the time, step and label
    colours on the theme's background; the class colours and the text inside its note
    and participant boxes (3:1, WCAG's large-text and graphics level, bold labels)."""
    for name, color in [*theme.classes.items(), ("time", theme.time), ("step", theme.step),
                        ("text", theme.foreground), ("default", theme.default)]:
        assert contrast(color, theme.background) >= 4.5, (theme.name, name, color)
    for name, color in [*theme.classes.items(), ("text", theme.foreground)]:
        assert contrast(color, theme.box) >= 3.0, (theme.name, name, color)


def test_light_svg_and_plantuml_use_only_light_colours() -> None:
    diagram = build_ladder(load_scenario("figure1"))
    dark_only = set(DARK.classes.values()) - set(LIGHT.classes.values())
    for fmt in ("svg", "plantuml"):
        light = render(diagram, fmt, theme="light")
        used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", light)}
        assert LIGHT.background in used and LIGHT.classes["DEREG"] in used
        assert not used & {c.lower() for c in dark_only}
        background = (f'<rect width="100%" height="100%" fill="{LIGHT.background}"'
                      if fmt == "svg" else f"skinparam backgroundColor {LIGHT.background}")
        assert background in light
        assert render(diagram, fmt, theme="light") == light  # deterministic
        assert render(diagram, fmt) == render(diagram, fmt, theme="dark")  # dark by default
    mermaid = render(diagram, "mermaid", theme="light").splitlines()
    assert mermaid[0] == "%%{init: {'theme': 'default'}}%%" and mermaid[1] == "sequenceDiagram"
    assert not render(diagram, "mermaid").startswith("%%")  # no theme asked: none imposed


def test_from_keeps_the_rows_of_the_window() -> None:
    sc = load_scenario("figure1")
    whole = build_ladder(sc, until_ms=1040)
    window = build_ladder(sc, until_ms=1040, from_ms=1000)
    assert window.rows == tuple(r for r in whole.rows if r.t_ms >= 1000)
    assert window.rows[0].t_ms == 1000 and window.rows[0].label == "IF1 breaks ✕"
    assert "· 1000-1040 ms" in window.caption and "· 0-1040 ms" in whole.caption
    assert {r.step for r in window.rows} >= {2, 3, 4, 5, 6, 7, 8}


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_theme_and_window() -> None:
    code, out, _ = _cli("export", "ladder", "figure1", "--format", "plantuml", "--theme",
                        "light", "--from", "990", "--until", "1040")
    assert code == 0 and "skinparam backgroundColor #ffffff" in out
    assert "990-1040 ms" in out
    code, _, err = _cli("export", "ladder", "figure1", "--theme", "light")
    assert code == 2 and err.strip() == ("pmipviz export ladder: --theme applies to "
                                         "--format svg, plantuml and mermaid only")
    code, _, err = _cli("export", "ladder", "figure1", "--from", "1040", "--until", "1040")
    assert code == 2 and err.strip() == "pmipviz: figure1: --from 1040 is not before --until 1040"
    code, _, err = _cli("export", "ladder", "figure1", "--from", "5000")
    # the duration is not the end of the run (its last event is at 2506 ms): named as plot names it
    assert code == 2 and err.strip() == ("pmipviz: figure1: --from 5000 is not before the "
                                         "scenario's duration (3000 ms)")
    # after figure1's last event (2506 ms) but before its duration (3000 ms): nothing to
    # draw, not an empty ladder captioned "2600-2506 ms"
    code, out, err = _cli("export", "ladder", "figure1", "--from", "2600")
    assert code == 2 and not out
    assert err.strip() == "pmipviz: figure1: --from 2600 is after the run's last event (2506 ms)"
    code, _, err = _cli("export", "ladder", "figure1", "--format", "svg", "--theme", "sepia")
    assert code == 2 and "sepia" in err and "Traceback" not in err
