"""The topology pane: CN, LMA, MAGs and the selected MN, links and tunnels coloured
by state, the current message's path highlighted."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from pmipviz.sim.state import StateView
from pmipviz.ui.topology_draw import DrawInput, PathHint, draw
from pmipviz.ui.topology_graph import mag_counts
from pmipviz.ui.widgets.lines_view import LinesView


class TopologyView(LinesView):
    """Redraws its canvas when told; only changed lines are repainted."""

    def __init__(self, graph: nx.Graph, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graph = graph
        self.view: StateView | None = None
        self.mn: str | None = None
        self.hint = PathHint()
        self._up: Counter[str] = Counter()
        self._down: Counter[str] = Counter()

    def show(self, view: StateView, mn: str | None, hint: PathHint,
             ifaces_changed: bool = True) -> None:
        """Draw this state; recount attachments only when interfaces changed."""
        self.view, self.mn, self.hint = view, mn, hint
        if ifaces_changed:
            self._up, self._down = mag_counts(view.ifaces)
        self.redraw()

    def set_graph(self, graph: nx.Graph) -> None:
        self.graph = graph

    def redraw(self) -> None:
        if self.view is None:
            return
        width = max(20, self.content_width() or 40)
        height = self.scrollable_content_region.height
        canvas = draw(DrawInput(self.graph, self.view, self.mn, self.hint, width,
                                self._up, self._down, height))
        self.set_lines([canvas.segments(y) for y in range(canvas.height)], width)

    def on_resize(self) -> None:
        self.redraw()
