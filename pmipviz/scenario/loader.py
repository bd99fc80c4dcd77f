"""Load scenario files (a path or a shipped scenario's name) and check them against the schema.

The schema is DESIGN.md's "Scenario file (TOML)" plus a few teaching knobs
(``processing_ms``, ``lifetime_s``, ``authorized``, ``omit_options``,
``clock_offset_ms``, ``known``, an MN's ``authorized``). Every problem raises ScenarioError.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pmipviz
from pmipviz.protocol.constants import MAX_LIFETIME_S
from pmipviz.protocol.keys import IfaceKey
from pmipviz.protocol.mag import reregister_delay
from pmipviz.scenario.errors import ScenarioError
from pmipviz.scenario.limits import (
    MAX_BUFFER_PACKETS,
    MAX_CLOCK_OFFSET_MS,
    MAX_DELAY_MS,
    MAX_DURATION_MS,
    MAX_FILE_BYTES,
    MAX_FLOW_PACKETS,
    MAX_INTERFACES,
    MAX_MN_INTERFACES,
    MAX_PACKET_BYTES,
    MAX_RATE_PPS,
    MAX_REREGISTRATIONS,
    MAX_TOTAL_PACKETS,
    MIN_PACKET_BYTES,
    TOTALS,
)
from pmipviz.scenario.model import (
    ADDRESSING,
    FAULT_ACTIONS,
    HOST_MODELS,
    MODES,
    PBU_OPTION_NAMES,
    RFC5213_HANDOFFS,
    Cn,
    Fault,
    Flow,
    Interface,
    Link,
    Lma,
    Mag,
    MobileNode,
    Scenario,
)
from pmipviz.scenario.text import printable
from pmipviz.scenario.validate import (
    Context,
    Registry,
    Table,
    array_of_tables,
    choices,
    fmt,
    type_name,
)

_TOML_POS_RE = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_TOML_END_RE = re.compile(r"^(?P<msg>.*?)\s*\(at end of document\)$", re.S)

TOP_KEYS = ("scenario", "lma", "mag", "cn", "mn", "link", "flow", "fault")
SCENARIO_KEYS = ("title", "description", "mode", "seed", "duration_ms", "processing_ms",
                 "rfc5213_handoff")  # issue 10 item 7
LMA_KEYS = ("name", "address", "prefix_pool", "lifetime_s")
MAG_KEYS = (
    "name",
    "address",
    "access_delay_ms",
    "detection_ms",
    "buffer_packets",
    "authorized",
    "omit_options",
    "clock_offset_ms",
)
CN_KEYS = ("name", "address")
MN_KEYS: tuple[str, ...] = ("id", "interfaces", "known", "authorized",
                            "addressing", "host")
MN_KEYS += ("detection_ms",)  # issue 10 item 4: the MN's own failure detection
INTERFACE_KEYS = ("name", "mag", "att", "lli", "attach_ms", "attach_hi")
LINK_KEYS = ("between", "delay_ms", "loss")
FLOW_KEYS = ("from", "to", "rate_pps", "start_ms", "stop_ms", "size_bytes")
FAULT_KEYS = ("at_ms", "action", "interface", "to_mag")

def shipped_dir() -> Path:
    """The folder of shipped scenarios: the repo's ``scenarios/`` or the wheel's copy."""
    repo = Path(__file__).resolve().parents[2] / "scenarios"
    if repo.is_dir():
        return repo
    return Path(pmipviz.__file__).resolve().parent / "_scenarios"


def shipped_scenarios() -> list[tuple[str, str]]:
    """``(name, title)`` of every shipped scenario, sorted by name.

    Titles are read without full validation, so one broken file does not hide
    the others (loading it reports the problem).
    """
    folder = shipped_dir()
    if not folder.is_dir():
        return []
    return sorted((path.stem, _quick_title(path)) for path in folder.glob("*.toml"))


def _quick_title(path: Path) -> str:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        title = data["scenario"]["title"]
    except Exception:
        return "(invalid scenario file)"
    # shown unvalidated: controls and bidi characters escaped, never sent raw
    return printable(title) if isinstance(title, str) else "(invalid scenario file)"


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario file, or a shipped scenario by name (``figure1``)."""
    path = _resolve(name_or_path)
    shown = str(name_or_path)
    data = read_limited(path, shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(shown, None, "", "not a text file (not UTF-8)") from None
    scenario = parse_scenario(text, file=shown, name=path.stem)
    return scenario.with_changes(path=path.resolve())


def read_limited(path: Path, shown: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (a symlink to one is fine), at most
    ``limit`` of them. A FIFO, device, socket or directory is refused without
    blocking: the file is opened non-blocking and checked with fstat before a read,
    and no more than ``limit + 1`` bytes are ever read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise ScenarioError(shown, None, "", "is a directory, not a scenario file") from None
    except OSError as err:
        raise ScenarioError(shown, None, "", f"cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(shown, None, "", "is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(shown, None, "", f"is a {_file_kind(info.st_mode)}, "
                                "not a regular file")
        if info.st_size > limit:
            raise ScenarioError(shown, None, "", _too_large(limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise ScenarioError(shown, None, "", f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise ScenarioError(shown, None, "", _too_large(limit))
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _too_large(limit: int) -> str:
    return f"too large: more than {limit:,} bytes ({limit // (1024 * 1024)} MiB, the limit)"


def _resolve(name_or_path: str | Path) -> Path:
    """The file a user meant: an existing path, else a shipped scenario's name."""
    text = str(name_or_path)
    path = Path(name_or_path)
    if path.is_file():
        return path
    if _is_bare_name(text):
        shipped = shipped_dir() / f"{text}.toml"
        if shipped.is_file():
            return shipped
        names = [name for name, _ in shipped_scenarios()]
        hint = f"try: {', '.join(names)}" if names else "no scenarios are shipped"
        raise ScenarioError(text, None, "", f"no shipped scenario {text!r} ({hint})")
    if path.exists() or path.is_symlink():
        return path  # a directory, a FIFO or a device: reading it reports the problem
    raise ScenarioError(text, None, "", "no such file")


def _is_bare_name(text: str) -> bool:
    return bool(text) and "/" not in text and "\\" not in text and not text.endswith(".toml")


def parse_scenario(text: str, file: str = "<string>", name: str = "scenario") -> Scenario:
    """Parse and validate scenario TOML ``text``; errors name ``file``."""
    if not text.strip():
        raise ScenarioError(file, None, "", "empty file")
    data = _parse_toml(text, file)
    if not data:
        raise ScenarioError(file, None, "", "empty file (only comments)")
    return build_scenario(data, Context(file, text), name)


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        line: int | None = None
        match = _TOML_POS_RE.match(message)
        if match:
            line = int(match["line"])
            message = f"{match['msg']} (column {match['col']})"
        elif match := _TOML_END_RE.match(message):
            line = max(len(text.splitlines()), 1)
            message = f"{match['msg']} (at end of file)"
        raise ScenarioError(file, line, "", f"not valid TOML: {message}") from None
    except RecursionError:
        raise ScenarioError(file, None, "", "not valid TOML: nested too deeply") from None


def build_scenario(data: dict[str, Any], ctx: Context, name: str) -> Scenario:
    """Check the parsed TOML ``data`` and build the Scenario.

    Every check is linear in the size of the file: names are looked up in dicts and
    sets built once, and the totals (README "Limits") are checked before the items."""
    for key, value in data.items():
        if key not in TOP_KEYS:
            what = "table" if isinstance(value, (dict, list)) else "key"
            ctx.fail(key, f"unknown {what} (expected one of: {choices(TOP_KEYS)})")
    for key in ("scenario", "lma"):
        if key not in data:
            ctx.fail(key, f"missing required table [{key}]")
    head = Table(ctx, "scenario", data["scenario"], SCENARIO_KEYS)
    title = head.string("title")
    description = head.string("description", "", empty=True, multiline=True)
    mode = head.choice("mode", MODES, "ft")
    seed = head.integer("seed", 1, ge=0)
    duration = head.number("duration_ms", gt=0, le=MAX_DURATION_MS)
    processing = head.number("processing_ms", 0, ge=0, le=MAX_DELAY_MS)
    handoff = head.choice("rfc5213_handoff", RFC5213_HANDOFFS, "none")
    items = {key: _items(ctx, data, key) for key in TOTALS}
    names = Registry("name")
    addresses = Registry("address")
    lma = _lma(Table(ctx, "lma", data["lma"], LMA_KEYS), names, addresses)
    mags = tuple(
        _mag(Table(ctx, f"mag[{i}]", raw, MAG_KEYS), names, addresses)
        for i, raw in enumerate(items["mag"])
    )
    cns = tuple(
        _cn(Table(ctx, f"cn[{i}]", raw, CN_KEYS), names, addresses)
        for i, raw in enumerate(items["cn"])
    )
    mag_names = {m.name: m for m in mags}  # ordered (for messages), O(1) lookups
    interfaces = [0]  # the running total, checked as the MNs are read
    mns = tuple(
        _mn(Table(ctx, f"mn[{i}]", raw, MN_KEYS), names, mag_names, interfaces)
        for i, raw in enumerate(items["mn"])
    )
    mn_index = {m.id: m for m in mns}
    links = _links(ctx, items["link"], lma, mags, cns, mn_index)
    cn_names = frozenset(c.name for c in cns)
    packets = [0.0]  # the running total over the flows
    flows = tuple(
        _flow(Table(ctx, f"flow[{i}]", raw, FLOW_KEYS), cn_names, mn_index, packets)
        for i, raw in enumerate(items["flow"])
    )
    faults = tuple(
        _fault(Table(ctx, f"fault[{i}]", raw, FAULT_KEYS), mag_names, mn_index)
        for i, raw in enumerate(items["fault"])
    )
    _check_reregistrations(head, "duration_ms", duration, interfaces[0], lma.lifetime_s)
    return Scenario(
        name=name,
        title=title,
        description=description,
        mode=mode,
        seed=seed,
        duration_ms=duration,
        processing_ms=processing,
        rfc5213_handoff=handoff,
        lma=lma,
        mags=mags,
        cns=cns,
        mns=mns,
        links=links,
        flows=flows,
        faults=faults,
    )


def _items(ctx: Context, data: dict[str, Any], key: str) -> list[Any]:
    """The array of tables ``[[key]]``, refused when it has more items than its cap."""
    items = array_of_tables(ctx, data, key, required=key in ("mag", "mn"))
    what, cap = TOTALS[key]
    if len(items) > cap:
        ctx.fail(f"{key}[{cap}]", f"too many {what}: {len(items):,} (at most {cap:,})")
    return items


def reregistrations(interfaces: int, until_ms: float, lifetime_s: int) -> float:
    """At most how many times the bindings of ``interfaces`` interfaces are refreshed
    (§6.9.1.3) in ``until_ms`` of simulated time."""
    return interfaces * until_ms / reregister_delay(lifetime_s)


def check_until(scenario: Scenario, until_ms: float) -> None:
    """Refuse a run to ``until_ms`` (``--until``) that would refresh bindings more than
    MAX_REREGISTRATIONS times; ``duration_ms`` is checked when the file is loaded."""
    interfaces = sum(len(mn.interfaces) for mn in scenario.mns)
    count = reregistrations(interfaces, until_ms, scenario.lma.lifetime_s)
    if count > MAX_REREGISTRATIONS:
        raise ScenarioError("--until", None, "", _too_many_reregistrations(
            interfaces, until_ms, scenario.lma.lifetime_s, count))


def _too_many_reregistrations(interfaces: int, until_ms: float, lifetime_s: int,
                              count: float) -> str:
    return (f"{interfaces:,} interfaces refreshing their bindings every "
            f"{reregister_delay(lifetime_s) / 1000:g} s (lma.lifetime_s = {lifetime_s}) for "
            f"{fmt(until_ms)} ms make {count:,.0f} re-registrations (at most "
            f"{MAX_REREGISTRATIONS:,}): shorten the run or lengthen the lifetime")


def _check_reregistrations(t: Table, key: str, until_ms: float, interfaces: int,
                           lifetime_s: int) -> None:
    count = reregistrations(interfaces, until_ms, lifetime_s)
    if count > MAX_REREGISTRATIONS:
        t.fail(key, _too_many_reregistrations(interfaces, until_ms, lifetime_s, count))


def _lma(t: Table, names: Registry, addresses: Registry) -> Lma:
    name = t.name()
    names.add(t, "name", name)
    address = t.address()
    addresses.add(t, "address", address)
    pool = t.prefix("prefix_pool")
    lifetime = t.integer("lifetime_s", 40, ge=1, le=MAX_LIFETIME_S)
    if lifetime % 4:
        t.fail("lifetime_s", f"must be a multiple of 4 (RFC 5213 §8.1 units), got {lifetime}")
    return Lma(name=name, address=address, prefix_pool=pool, lifetime_s=lifetime)


def _mag(t: Table, names: Registry, addresses: Registry) -> Mag:
    name = t.name()
    names.add(t, "name", name)
    address = t.address()
    addresses.add(t, "address", address)
    omit: list[str] = []
    for value in t.array("omit_options", []):
        if not isinstance(value, str):
            t.fail("omit_options", f"expected an array of strings, got a {type_name(value)} in it")
        if value not in PBU_OPTION_NAMES:
            t.fail(
                "omit_options",
                f"unknown PBU option {value!r} (expected some of: {choices(PBU_OPTION_NAMES)})",
            )
        if value in omit:
            t.fail("omit_options", f"duplicate option {value!r}")
        omit.append(value)
    return Mag(
        name=name,
        address=address,
        access_delay_ms=t.number("access_delay_ms", 1, ge=0, le=MAX_DELAY_MS),
        detection_ms=t.number("detection_ms", 20, ge=0, le=MAX_DELAY_MS),
        buffer_packets=t.integer("buffer_packets", 64, ge=0, le=MAX_BUFFER_PACKETS),
        authorized=t.boolean("authorized", True),
        omit_options=tuple(omit),
        # a §8.8 timestamp is 48 bits of seconds: keep the MAG's clock inside it
        clock_offset_ms=t.number("clock_offset_ms", 0, ge=-MAX_CLOCK_OFFSET_MS,
                                 le=MAX_CLOCK_OFFSET_MS),
    )


def _cn(t: Table, names: Registry, addresses: Registry) -> Cn:
    name = t.name()
    names.add(t, "name", name)
    address = t.address()
    addresses.add(t, "address", address)
    return Cn(name=name, address=address)


def _mn(t: Table, names: Registry, mag_names: dict[str, Mag], total: list[int]) -> MobileNode:
    mn_id = t.name("id")
    user, at, realm = mn_id.partition("@")
    if not at or not user or not realm or "@" in realm or any(c.isspace() for c in mn_id):
        t.fail("id", f"must be an NAI like 'mn1@example.org', got {mn_id!r}")
    names.add(t, "id", mn_id)
    items = t.array("interfaces")
    if not items:
        t.fail("interfaces", "must list at least one interface")
    if len(items) > MAX_MN_INTERFACES:
        t.fail("interfaces", f"too many interfaces: {len(items)} (at most "
                             f"{MAX_MN_INTERFACES} an MN)")
    total[0] += len(items)
    if total[0] > MAX_INTERFACES:
        t.fail("interfaces", f"too many interfaces: more than {MAX_INTERFACES:,} over all MNs")
    interfaces: dict[str, Interface] = {}
    for j, raw in enumerate(items):
        it = Table(t.ctx, f"{t.path}.interfaces[{j}]", raw, INTERFACE_KEYS)
        interface = _interface(it, mag_names)
        if interface.name in interfaces:
            it.fail("name", f"duplicate interface name {interface.name!r} in {mn_id}")
        interfaces[interface.name] = interface
    return MobileNode(id=mn_id, interfaces=tuple(interfaces.values()),
                      known=t.boolean("known", True), authorized=t.boolean("authorized", True),
                      addressing=t.choice("addressing", ADDRESSING, "per-interface"),
                      host=t.choice("host", HOST_MODELS, "weak"),
                      detection_ms=t.number("detection_ms", 0, ge=0, le=MAX_DELAY_MS))


def _interface(t: Table, mag_names: dict[str, Mag]) -> Interface:
    name = t.name()
    mag = t.string("mag")
    if mag not in mag_names:
        t.fail("mag", f"mag {mag!r} is not defined (defined: {_some(mag_names)})")
    return Interface(
        name=name,
        mag=mag,
        att=t.att(),
        lli=t.lli(),
        attach_ms=t.number("attach_ms", 0, ge=0, le=MAX_DURATION_MS),
        attach_hi=_attach_hi(t),
    )


def _attach_hi(t: Table) -> int:
    """The Handoff Indicator of an interface's first PBU: 1 (attachment over a new
    interface, the default) or 4 (handoff state unknown: RFC 5213 §5.4.1.2-4 and
    §5.4.1.3-3 make the LMA wait MaxDelayBeforeNewBCEAssign for a de-registration)."""
    hi = t.integer("attach_hi", 1)
    if hi not in (1, 4):
        t.fail("attach_hi", f"must be 1 (new interface) or 4 (handoff state unknown), got {hi}")
    return hi


def _links(
    ctx: Context,
    items: list[Any],
    lma: Lma,
    mags: tuple[Mag, ...],
    cns: tuple[Cn, ...],
    mns: dict[str, MobileNode],
) -> tuple[Link, ...]:
    """The links; each MAG and CN must have one to the LMA."""
    order = (lma.name, *(m.name for m in mags), *(c.name for c in cns))
    nodes = frozenset(order)
    seen: dict[frozenset[str], str] = {}
    links: list[Link] = []
    for i, raw in enumerate(items):
        t = Table(ctx, f"link[{i}]", raw, LINK_KEYS)
        ends = t.array("between")
        if len(ends) != 2 or not all(isinstance(e, str) for e in ends):
            t.fail("between", f"expected an array of 2 node names, got {_show(ends)}")
        a, b = ends
        if a == b:
            t.fail("between", f"a link joins two different nodes, got {a!r} twice")
        for end in (a, b):
            if end in mns:
                t.fail("between", f"{end!r} is a mobile node; links join the LMA, MAGs and CNs")
            if end not in nodes:
                t.fail("between", f"node {end!r} is not defined (defined: {_some(order)})")
        pair = frozenset((a, b))
        if pair in seen:
            t.fail("between", f"duplicate link between {a} and {b} (also {seen[pair]})")
        seen[pair] = t.key("between")
        delay = t.number("delay_ms", ge=0, le=MAX_DELAY_MS)
        links.append(Link(a=a, b=b, delay_ms=delay, loss=t.number("loss", 0, ge=0, lt=1)))
    for kind, group in (("mag", [m.name for m in mags]), ("cn", [c.name for c in cns])):
        for i, node in enumerate(group):
            if frozenset((lma.name, node)) not in seen:
                ctx.fail(f"{kind}[{i}]", f"{node} has no link to the LMA")
    return tuple(links)


def _some(names: Iterable[str], most: int = 20) -> str:
    """``choices`` of the first ``most`` names, for a message."""
    shown = list(names)
    more = f", ... ({len(shown) - most:,} more)" if len(shown) > most else ""
    return choices(shown[:most]) + more


def _show(value: list[Any]) -> str:
    return "[" + ", ".join(repr(v) if isinstance(v, str) else type_name(v) for v in value) + "]"


def _flow(t: Table, cn_names: frozenset[str], mns: dict[str, MobileNode],
          total: list[float]) -> Flow:
    src = t.string("from")
    dst = t.string("to")
    to_iface: str | None = None
    if IfaceKey.is_key(src) and src not in cn_names:
        t.fail("from", f"{src!r} names an interface: only a downlink flow's 'to' may name "
                       "one (an uplink flow's 'from' is the MN id)")
    if IfaceKey.is_key(dst) and dst not in cn_names:
        try:
            named = IfaceKey.parse(dst)
        except ValueError as e:
            t.fail("to", str(e))
        mn = mns.get(named.mn_id)
        if mn is None:
            t.fail("to", f"{dst!r} names an interface of {named.mn_id!r}, which is not a "
                         "defined MN id")
        known = [i.name for i in mn.interfaces]
        if named.name not in known:
            t.fail("to", f"{named.mn_id} has no interface {named.name!r} (it has: "
                         f"{choices(known)})")
        dst, to_iface = named.mn_id, named.name
    kinds = []
    for key, end in (("from", src), ("to", dst)):
        if end in cn_names:
            kinds.append("cn")
        elif end in mns:
            kinds.append("mn")
        else:
            t.fail(key, f"{end!r} is not a defined CN name or MN id")
    if kinds[0] == kinds[1]:
        t.fail("to", f"a flow goes between a CN and an MN, got two {kinds[0].upper()}s")
    rate = t.number("rate_pps", gt=0, le=MAX_RATE_PPS)
    start = t.number("start_ms", ge=0, le=MAX_DURATION_MS)
    stop = t.number("stop_ms", ge=0, le=MAX_DURATION_MS)
    if stop <= start:
        t.fail("stop_ms", f"stop before start: {fmt(stop)} is not after start_ms {fmt(start)}")
    packets = (stop - start) * rate / 1000
    if packets > MAX_FLOW_PACKETS:
        t.fail("rate_pps", f"this flow would send {packets:,.0f} packets (at most "
                           f"{MAX_FLOW_PACKETS:,} a flow)")
    total[0] += packets
    if total[0] > MAX_TOTAL_PACKETS:
        t.fail("rate_pps", f"the flows up to this one would send {total[0]:,.0f} packets "
                           f"(at most {MAX_TOTAL_PACKETS:,} over all flows)")
    return Flow(
        src=src,
        dst=dst,
        rate_pps=rate,
        start_ms=start,
        stop_ms=stop,
        size_bytes=t.integer("size_bytes", 1000, ge=MIN_PACKET_BYTES, le=MAX_PACKET_BYTES),
        to_iface=to_iface,
    )


def _fault(t: Table, mag_names: dict[str, Mag], mns: dict[str, MobileNode]) -> Fault:
    at = t.number("at_ms", ge=0, le=MAX_DURATION_MS)
    action = t.choice("action", FAULT_ACTIONS)
    interface = t.string("interface")
    try:
        key = IfaceKey.parse(interface)
    except ValueError as e:
        t.fail("interface", str(e))
    mn_id, if_name = key.mn_id, key.name
    mn = mns.get(mn_id)
    if mn is None:
        t.fail("interface", f"mn {mn_id!r} is not defined")
    known = [i.name for i in mn.interfaces]  # at most MAX_MN_INTERFACES
    if if_name not in known:
        t.fail("interface", f"{mn_id} has no interface {if_name!r} (it has: {choices(known)})")
    to_mag: str | None = None
    if action == "move":
        if "to_mag" not in t.data:
            t.fail("to_mag", "a move needs to_mag (the MAG the interface moves to)")
        to_mag = t.string("to_mag")
        if to_mag not in mag_names:
            t.fail("to_mag", f"mag {to_mag!r} is not defined (defined: {_some(mag_names)})")
    elif "to_mag" in t.data:
        t.fail("to_mag", f'only allowed with action = "move", not {action!r}')
    return Fault(at_ms=at, action=action, interface=interface, to_mag=to_mag)
