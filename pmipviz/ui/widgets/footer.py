"""The footer: Textual's, but a key that does not fit is left out whole (the least
important first) instead of being cut at the right edge."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Footer

# Textual's footer keys, selected by type name: their class is not public API
KEY = "FooterKey"

# actions in the order they are kept when the footer is too narrow (first: kept longest)
KEEP_ORDER: tuple[str, ...] = (
    "quit_main", "help", "step", "next_milestone", "play_pause", "step_back", "toggle_iface(1)",
    "toggle_mode", "toggle_lesson", "toggle_plot", "inspect", "reset", "faster",
)


def _rank(action: str) -> int:
    """How long ``action`` stays in a narrow footer (lower: longer)."""
    name = action.removeprefix("app.")
    return KEEP_ORDER.index(name) if name in KEEP_ORDER else len(KEEP_ORDER)


def _action(key: Widget) -> str:
    """The action a footer key runs."""
    return str(getattr(key, "action", ""))


def _text(key: Widget) -> str:
    """What a footer key shows (its key and description)."""
    shown = key.render()
    return shown.plain if isinstance(shown, Text) else str(shown)


def _width(key: Widget) -> int:
    """Cells the key takes in the footer: its text, padding, border and margin."""
    return cell_len(_text(key)) + key.styles.gutter.width + key.styles.margin.width


def keys_to_show(widths: list[tuple[str, int]], room: int) -> list[bool]:
    """Which of the keys (action, width) are shown in ``room`` cells: the least
    important are left out until the rest fit."""
    shown = [True] * len(widths)
    total = sum(w for _, w in widths)
    for k in sorted(range(len(widths)), key=lambda k: (-_rank(widths[k][0]), -k)):
        if total <= room:
            break
        shown[k] = False
        total -= widths[k][1]
    return shown


COMPACT_BELOW = 120  # columns: below this the keys lose their spacing
PALETTE_FROM = 100  # columns: from this width on the footer shows ^p palette


class FittingFooter(Footer):
    """Hides the keys that would be cut; re-fits after a resize or a recompose.
    Compact below 120 columns, the ^p palette key only from 100 columns."""

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.compact = self.size.width < COMPACT_BELOW
        self.call_after_refresh(self.fit)

    def watch_compact(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Show as many keys as fit the width, most important first, in their order."""
        if not self.is_attached:
            return
        keys = [k for k in self.query(KEY) if not k.has_class("-command-palette")]
        room = self.size.width
        for palette in self.query(KEY).filter(".-command-palette"):
            # composed always (show_command_palette stays on): shown by width here
            palette.display = room >= PALETTE_FROM
            if palette.display:
                room -= _width(palette)
        shown = keys_to_show([(_action(k), _width(k)) for k in keys], room)
        for key, show in zip(keys, shown, strict=True):
            if key.display != show:
                key.display = show

    @property
    def shown_text(self) -> str:
        """The keys shown, as text (for tests). Fits first: the fit after a resize or a
        recompose waits for a refresh, which a test reading right after start could race
        on a loaded machine."""
        self.fit()
        return " ".join(_text(k).strip() for k in self.query(KEY)
                        if k.display)
