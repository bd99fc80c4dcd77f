"""One entry point for every ladder format: ``render(diagram, fmt)``."""

from __future__ import annotations

from pmipviz.export.colors import THEMES
from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.mermaid import render_mermaid
from pmipviz.export.plantuml import render_plantuml
from pmipviz.export.svg import render_svg
from pmipviz.export.text import render_text

FORMATS = ("text", "mermaid", "plantuml", "svg")

def render(diagram: LadderDiagram, fmt: str, *, ascii_only: bool = False,
           theme: str | None = None) -> str:
    """The ladder in ``fmt`` (one of ``FORMATS``); ``ascii_only`` is for ``text``,
    ``theme`` (``dark``, the default, or ``light``) for the others.

    Raises ``ValueError`` for an unknown format or theme, ``ascii_only`` with another
    format, or a theme with ``text``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown ladder format {fmt!r} (choose from {', '.join(FORMATS)})")
    if theme is not None and theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r} (choose from {', '.join(THEMES)})")
    if fmt == "text":
        if theme is not None:
            raise ValueError("--theme applies to --format svg, plantuml and mermaid only")
        return render_text(diagram, ascii_only=ascii_only)
    if ascii_only:
        raise ValueError("--ascii applies to --format text only")
    if fmt == "mermaid":
        return render_mermaid(diagram, theme)
    palette = THEMES[theme or "dark"]
    return render_plantuml(diagram, palette) if fmt == "plantuml" else render_svg(diagram,
                                                                                   palette)
