"""Issue 10 item 3: the Binding Cache pane shows which entry carries the MN's traffic
now (State ``in use``: the draft's S=1 is "available, or in use"), read from the
``carrier`` field of the BCE state events, stepping forward and back."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from pmipviz.ui.widgets.binding_cache import BindingCacheTable
from tests.ui.pilot_app import PilotApp


def states(app: PilotApp) -> dict[str, str]:
    """IF name -> the State cell of its BCE row."""
    table = app.query_one(BindingCacheTable)
    cols = [c.label.plain for c in table.columns.values()]
    i_if, i_state = cols.index("IF"), cols.index("State")
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return {str(r[i_if]): str(r[i_state]) for r in rows}


def _dereg(app: PilotApp) -> int:
    """The index of the BCE event that takes IF1's entry out of use (the DeReg)."""
    return next(ev.i for ev in app.sim.trace if ev.kind == "state"
                and ev.fields.get("table") == "bce" and ev.fields.get("cause") == "dereg")


async def test_the_carrier_row_reads_in_use_and_moves_at_the_dereg(app: PilotApp,
                                                                   pilot: Pilot) -> None:
    dereg = _dereg(app)
    app.seek(dereg)  # IF1's entry carries; IF2's is available
    await pilot.pause()
    assert states(app) == {"IF1": "in use", "IF2": "active"}
    await pilot.press("n")
    await pilot.pause()
    assert app.sim.trace[dereg].fields["carrier"] == "mn1@example.org#2"
    assert states(app) == {"IF1": "kept", "IF2": "in use"}
    await pilot.press("b")  # back: the marker goes back to IF1's row
    await pilot.pause()
    assert states(app) == {"IF1": "in use", "IF2": "active"}


@pytest.mark.app("figure1", mode="rfc5213")
async def test_rfc5213_marks_the_entry_new_flows_are_addressed_to(app: PilotApp,
                                                                  pilot: Pilot) -> None:
    dereg = _dereg(app)
    app.seek(dereg + 1)
    await pilot.pause()
    assert states(app) == {"IF1": "dereg-hold", "IF2": "in use"}
    app.seek(dereg)
    await pilot.pause()
    assert states(app) == {"IF1": "in use", "IF2": "active"}
