"""The inspector as Wireshark's packet details over its bytes: a field selected with the
keys or the mouse has its octets highlighted in the hex dump (hex and ASCII columns),
and the line over the dump gives their offset and length."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static, Tree

from pmipviz.sim.trace import TraceEvent
from pmipviz.ui.screens.inspector import HIGHLIGHT, InspectorScreen, field_tables
from pmipviz.wire.dissect import Field
from tests.ui.pilot_app import PilotApp

HEX_START, ASCII_START = 6, 6 + 16 * 3 - 1 + 3  # "0000  xx xx ...  |ascii|"


def highlighted(dump: Text) -> tuple[list[int], list[int]]:
    """The octets drawn in HIGHLIGHT in the dump's hex column and in its ASCII column,
    read from the rendered Text's spans."""
    starts = [0]
    for line in dump.plain.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    hexes: set[int] = set()
    chars: set[int] = set()
    for span in dump.spans:
        if str(span.style) != HIGHLIGHT:
            continue
        for pos in range(span.start, span.end):
            row = max(i for i, s in enumerate(starts) if s <= pos)
            col = pos - starts[row]
            base = (row - 1) * 16  # row 0 is the status line
            if HEX_START <= col < ASCII_START - 3 and (col - HEX_START) % 3 != 2:
                hexes.add(base + (col - HEX_START) // 3)
            elif ASCII_START <= col < ASCII_START + 16:
                chars.add(base + col - ASCII_START)
    return sorted(hexes), sorted(chars)


def marked_ascii(dump: Text) -> str:
    """The characters drawn in HIGHLIGHT in the dump's ASCII column, in order."""
    out = []
    for span in dump.spans:
        if str(span.style) == HIGHLIGHT:
            line_start = dump.plain.rfind("\n", 0, span.start) + 1
            if span.start - line_start >= ASCII_START:
                out.append(dump.plain[span.start:span.end])
    return "".join(out)


def dump_of(screen: InspectorScreen) -> Text:
    content = screen.query_one("#hexdump", Static).content
    assert isinstance(content, Text)
    return content


def _send(app: PilotApp, msg: str, pred: object = None) -> TraceEvent:
    return next(ev for ev in app.sim.trace if ev.kind == "send" and ev.msg == msg
                and (pred is None or pred(ev)))  # type: ignore[operator]


async def open_on(app: PilotApp, pilot: Pilot, ev: TraceEvent) -> InspectorScreen:
    app.seek(ev.i + 1)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, InspectorScreen) and screen.event.i == ev.i
    return screen


async def down_to(pilot: Pilot, screen: InspectorScreen, name: str, under: str = "") -> Field:
    """Press ↓ until the tree's cursor is on the field ``name`` (in the layer ``under``)."""
    tree: Tree[Field] = screen.query_one(Tree)
    layer = ""
    for _ in range(200):
        await pilot.press("down")
        node = tree.cursor_node
        assert node is not None and node.data is not None
        if node.parent is tree.root:
            layer = node.data.name
        if node.data.name == name and layer.startswith(under):
            await pilot.pause()
            return node.data
    raise AssertionError(f"no field {name!r}")


def _dereg(ev: TraceEvent) -> bool:
    return bool(ev.fields.get("lifetime_s") == 0)


async def test_arrows_select_a_field_and_its_octets_light_up(app: PilotApp,
                                                             pilot: Pilot) -> None:
    screen = await open_on(app, pilot, _send(app, "PBU", _dereg))
    assert screen.span is None and highlighted(dump_of(screen)) == ([], [])
    assert dump_of(screen).plain.startswith("152 bytes\n")
    assert isinstance(screen.focused, Tree)
    seq = await down_to(pilot, screen, "Sequence")
    assert screen.span == (46, 2) and seq.value == str(screen.event.fields["seq"])
    assert highlighted(dump_of(screen)) == ([46, 47], [46, 47])
    assert dump_of(screen).plain.startswith("bytes 46-47 (2) of 152 · Sequence\n")
    lifetime = await down_to(pilot, screen, "Lifetime")
    assert (lifetime.offset, lifetime.length) == (50, 2)
    assert "(de-registration)" in lifetime.value
    assert highlighted(dump_of(screen)) == ([50, 51], [50, 51])
    # a whole option: type, length and the NAI
    await pilot.press("down")
    option = screen.selected
    assert option is not None and option.name.startswith("Mobile Node Identifier")
    nai = screen.event.fields["mn_id"]
    assert option.length == 3 + len(nai)
    span = list(range(option.offset, option.end))
    assert highlighted(dump_of(screen)) == (span, span)
    assert marked_ascii(dump_of(screen)).endswith(nai)  # type 8, length, subtype, the NAI
    await pilot.press("up")
    assert screen.span == (50, 2)
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, InspectorScreen)


async def test_fields_are_in_protocol_order_under_the_event(app: PilotApp,
                                                            pilot: Pilot) -> None:
    screen = await open_on(app, pilot, _send(app, "PBA"))
    tree: Tree[Field] = screen.query_one(Tree)
    layers = [node.data.name for node in tree.root.children if node.data is not None]
    assert layers[:2] == ["IPv6", "Mobility Header (Proxy Binding Acknowledgement)"]
    assert all(name.startswith(("Mobile Node", "Home Network", "Handoff", "Access",
                                "Link-local", "Timestamp", "PadN", "Pad1"))
               for name in layers[2:])
    mh = tree.root.children[1]
    assert [str(n.label).split(":")[0] for n in mh.children] == [
        "Payload proto", "Header length", "MH type", "Reserved", "Checksum", "Status", "Flags",
        "Sequence", "Lifetime"]
    ipv6 = tree.root.children[0]
    assert [str(n.label).split(":")[0] for n in ipv6.children] == [
        "Version, traffic class, flow label", "Payload length", "Next header", "Hop limit",
        "Source", "Destination"]
    # the Event section stays above the packet, as plain text
    first = screen.query_one("#inspector-fields").query(Static).first()
    console = Console(width=100, record=True, color_system=None)
    console.print(first.content)
    assert console.export_text().startswith("Event")
    # the same order in the tables (field_tables) the tests and exports read
    titles = [str(t.title).split(":")[0] for t in field_tables(screen.event)]
    assert titles[:3] == ["Event", "IPv6", "Mobility Header (Proxy Binding Acknowledgement)"]


async def test_left_folds_and_right_unfolds(app: PilotApp, pilot: Pilot) -> None:
    screen = await open_on(app, pilot, _send(app, "RS"))
    tree: Tree[Field] = screen.query_one(Tree)
    await down_to(pilot, screen, "Hop limit")
    await pilot.press("left")  # from a field to its layer
    assert screen.selected is not None and screen.selected.name == "IPv6"
    assert screen.span == (0, 40)
    await pilot.press("left")
    assert not tree.root.children[0].is_expanded
    await pilot.press("down")
    assert screen.selected is not None and screen.selected.name == "ICMPv6 (Router Solicitation)"
    await pilot.press("up", "right")
    assert tree.root.children[0].is_expanded
    await pilot.press("q")
    await pilot.pause()
    assert not isinstance(app.screen, InspectorScreen)


async def test_a_click_selects_a_field(app: PilotApp, pilot: Pilot) -> None:
    screen = await open_on(app, pilot, _send(app, "RA"))
    tree: Tree[Field] = screen.query_one(Tree)
    line = next(n.line for n in tree.root.children[0].children if n.data is not None
                and n.data.name == "Source")
    assert await pilot.click(Tree, offset=(8, line))
    await pilot.pause()
    assert screen.selected is not None and screen.selected.name == "Source"
    assert highlighted(dump_of(screen)) == (list(range(8, 24)), list(range(8, 24)))
    assert tree.root.children[0].is_expanded  # a click selects, it does not fold


@pytest.mark.app(size=(80, 24))
async def test_at_80x24_the_selected_octets_are_scrolled_into_view(app: PilotApp,
                                                                   pilot: Pilot) -> None:
    ev = _send(app, "DATA", lambda e: "tunnel_src" in e.fields)
    screen = await open_on(app, pilot, ev)
    assert screen.size == (80, 24)
    number = await down_to(pilot, screen, "Packet number")
    assert (number.offset, number.length) == (92, 8) and number.value == str(ev.fields["n"])
    assert highlighted(dump_of(screen)) == (list(range(92, 100)), list(range(92, 100)))
    pane = screen.query_one("#inspector-bytes")
    row = 1 + 92 // 16
    assert pane.scroll_y <= row < pane.scroll_y + pane.scrollable_content_region.height
    padding = await down_to(pilot, screen, "Padding")
    assert highlighted(dump_of(screen))[0] == list(range(padding.offset, len(screen.raw)))
    # the tree's cursor line is visible in the fields pane
    tree = screen.query_one(Tree)
    fields = screen.query_one("#inspector-fields")
    y = tree.virtual_region.y + tree.cursor_line
    assert fields.scroll_y <= y < fields.scroll_y + fields.scrollable_content_region.height


async def test_events_without_bytes_keep_their_tables(app: PilotApp, pilot: Pilot) -> None:
    ev = next(e for e in app.sim.trace if e.kind == "state")
    screen = await open_on(app, pilot, ev)
    assert not screen.query(Tree) and screen.span is None
    assert dump_of(screen).plain.startswith("no bytes for this event")
    assert len(screen.query("#inspector-fields Static")) >= 2
