"""One entry point for every ladder format: ``render(diagram, fmt)``."""

from __future__ import annotations

from collections.abc import Callable

from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.mermaid import render_mermaid
from pmipviz.export.plantuml import render_plantuml
from pmipviz.export.svg import render_svg
from pmipviz.export.text import render_text

FORMATS = ("text", "mermaid", "plantuml", "svg")

_RENDERERS: dict[str, Callable[[LadderDiagram], str]] = {
    "mermaid": render_mermaid,
    "plantuml": render_plantuml,
    "svg": render_svg,
}


def render(diagram: LadderDiagram, fmt: str, *, ascii_only: bool = False) -> str:
    """The ladder in ``fmt`` (one of ``FORMATS``); ``ascii_only`` is for ``text``.

    Raises ``ValueError`` for an unknown format or ``ascii_only`` with another format."""
    if fmt == "text":
        return render_text(diagram, ascii_only=ascii_only)
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown ladder format {fmt!r} (choose from {', '.join(FORMATS)})")
    if ascii_only:
        raise ValueError("--ascii applies to --format text only")
    return _RENDERERS[fmt](diagram)
