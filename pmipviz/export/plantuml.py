"""The ladder as a PlantUML sequence diagram: the same participants, arrows
(``->x`` for lost ones, dotted for DATA), notes and step numbers as the other
exports, each arrow in its class colour on the dark background of the app (or a light theme)."""

from __future__ import annotations

from pmipviz.export import colors
from pmipviz.export.diagram import LadderDiagram
from pmipviz.export.ladder import LadderRow
from pmipviz.export.mermaid import participant_ids

_PAIRED = frozenset('*/"-_[]')  # doubled, these start creole markup (bold, italic, link...)

def _skin(t: colors.Theme) -> str:
    return f"""\
skinparam backgroundColor {t.background}
skinparam defaultFontColor {t.foreground}
skinparam defaultFontName monospaced
skinparam sequence {{
  LifeLineBorderColor {t.lane}
  ParticipantBackgroundColor {t.box}
  ParticipantBorderColor {t.box_border}
  ParticipantFontColor {t.foreground}
  TitleFontColor {t.foreground}
}}
skinparam note {{
  BackgroundColor {t.box}
  BorderColor {t.lane}
}}"""


def escape(text: str) -> str:
    """``text`` shown literally in a PlantUML label (no creole, no HTML, no ``\\n``)."""
    out: list[str] = []
    prev = ""
    for ch in text.replace("\r", " ").replace("\n", " "):
        if ch == "\\":
            out.append("\\\\")
        elif ch == "<":
            out.append("~<")
        elif ch == prev and ch in _PAIRED:
            out.append("~" + ch)
        else:
            out.append(ch)
        prev = ch
    return "".join(out).strip() or " "


def _text(row: LadderRow) -> str:
    step = f"({row.step}) " if row.step is not None else ""
    return escape(step + row.label)


def _statement(row: LadderRow, ids: dict[str, str], theme: colors.Theme) -> str:
    color = theme.color(row.msg_class)
    src = ids[row.src]
    if row.kind == "arrow" and row.dst is not None and row.dst != row.src:
        data = row.msg_class in ("DATA", "DATA_CACHED")
        lost = row.lost and not data
        arrow = f"-[{color}]" + ("->" if data else ">") + ("x" if lost else "")
        return f"{src} {arrow} {ids[row.dst]} : {_text(row)}"
    return f"note over {src} : <color:{color}>{_text(row)}</color>"


def render_plantuml(diagram: LadderDiagram, theme: colors.Theme = colors.DARK) -> str:
    """The PlantUML source of the ladder, in ``theme``'s colours."""
    ids = participant_ids(diagram.columns)
    lines = ["@startuml", _skin(theme), f"title {escape(diagram.caption)}"]
    for name in diagram.columns:
        label = escape(name.replace('"', "'"))
        lines.append(f'participant "{label}" as {ids[name]}')
    for row in diagram.rows:
        lines.append(f"' t={row.t_ms:.1f} ms")
        lines.append(_statement(row, ids, theme))
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
