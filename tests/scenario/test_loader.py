"""The scenario loader: a valid file round trip, shipped scenarios, and precise errors."""

from __future__ import annotations

import os
import tomllib
from ipaddress import IPv6Address, IPv6Network
from pathlib import Path

import pytest

from pmipviz.scenario import (
    Fault,
    Flow,
    Link,
    ScenarioError,
    limits,
    load_scenario,
    parse_scenario,
    shipped_scenarios,
)
from pmipviz.scenario import loader as loader_module
from pmipviz.scenario.limits import MAX_FILE_BYTES
from pmipviz.scenario.loader import build_scenario, check_until, read_limited, shipped_dir
from pmipviz.scenario.locate import locate_line
from pmipviz.scenario.validate import Context
from pmipviz.sim.world import World

BASE = """\
[scenario]
title = "Test: two MAGs"
description = "unit test"
mode = "ft"
seed = 7
duration_ms = 3000

[lma]
name = "LMA"
address = "2001:db8:ffff::1"
prefix_pool = "2001:db8:100::/40"

[[mag]]
name = "MAG1"
address = "2001:db8:ffff::11"

[[mag]]
name = "MAG2"
address = "2001:db8:ffff::12"
access_delay_ms = 2
detection_ms = 30
buffer_packets = 8

[[cn]]
name = "CN"
address = "2001:db8:cafe::1"

[[mn]]
id = "mn1@example.org"
interfaces = [
  { name = "IF1", mag = "MAG1", att = "ieee802.11", lli = "02:00:00:00:01:01" },
  { name = "IF2", mag = "MAG2", att = "3gpp-eutran", lli = "02:00:00:00:01:02", attach_ms = 100 },
]

[[link]]
between = ["LMA", "MAG1"]
delay_ms = 5

[[link]]
between = ["LMA", "MAG2"]
delay_ms = 5
loss = 0.01

[[link]]
between = ["CN", "LMA"]
delay_ms = 10

[[flow]]
from = "CN"
to = "mn1@example.org"
rate_pps = 50
start_ms = 500
stop_ms = 2500

[[fault]]
at_ms = 1000
action = "break"
interface = "mn1@example.org/IF1"
"""

IFACES = """interfaces = [
  { name = "IF1", mag = "MAG1", att = "ieee802.11", lli = "02:00:00:00:01:01" },
  { name = "IF2", mag = "MAG2", att = "3gpp-eutran", lli = "02:00:00:00:01:02", attach_ms = 100 },
]"""
LMA_TABLE = """[lma]
name = "LMA"
address = "2001:db8:ffff::1"
prefix_pool = "2001:db8:100::/40"
"""

Marker = str | tuple[str, int] | None


def edit(old: str, new: str, text: str = BASE) -> str:
    """``text`` with ``old`` (which must occur) replaced by ``new`` once."""
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, marker: Marker) -> int | None:
    """The line of the first (or n-th) occurrence of ``marker`` in ``text``."""
    if marker is None:
        return None
    needle, nth = (marker, 0) if isinstance(marker, str) else marker
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth]


# (id, old, new, key, message fragment, line marker)
# fmt: off
BAD_CASES: list[tuple[str, str, str, str, str, Marker]] = [
    # top level and [scenario]
    ("unknown-table", "[lma]", "[mags]\nx = 1\n\n[lma]", "mags", "unknown table", "[mags]"),
    ("unknown-key", "title =", "titel =", "scenario.titel",
     "unknown key (expected one of: title, description", "titel"),
    ("missing-title", 'title = "Test: two MAGs"\n', "", "scenario.title",
     "missing required key", "[scenario]"),
    ("empty-title", '"Test: two MAGs"', '"  "', "scenario.title", "must not be empty", "title"),
    ("bad-mode", 'mode = "ft"', 'mode = "fast"', "scenario.mode",
     "must be one of: ft, rfc5213 (got 'fast')", "mode"),
    ("negative-seed", "seed = 7", "seed = -1", "scenario.seed", "must be >= 0, got -1", "seed"),
    ("float-seed", "seed = 7", "seed = 7.5", "scenario.seed",
     "expected an integer, got float", "seed"),
    ("string-duration", "duration_ms = 3000", 'duration_ms = "3000"', "scenario.duration_ms",
     "expected a number, got string", "duration_ms"),
    ("bool-duration", "duration_ms = 3000", "duration_ms = true", "scenario.duration_ms",
     "expected a number, got boolean", "duration_ms"),
    ("zero-duration", "duration_ms = 3000", "duration_ms = 0", "scenario.duration_ms",
     "must be > 0, got 0", "duration_ms"),
    ("nan-duration", "duration_ms = 3000", "duration_ms = nan", "scenario.duration_ms",
     "finite", "duration_ms"),
    ("missing-duration", "duration_ms = 3000\n", "", "scenario.duration_ms",
     "missing required key", "[scenario]"),
    ("negative-processing", "seed = 7", "seed = 7\nprocessing_ms = -0.5",
     "scenario.processing_ms", "must be >= 0, got -0.5", "processing_ms"),
    # [lma]
    ("missing-lma", LMA_TABLE, "", "lma", "missing required table [lma]", None),
    ("lma-link-local", '"2001:db8:ffff::1"', '"fe80::1"', "lma.address", "link-local",
     "fe80::1"),
    ("lma-not-an-address", '"2001:db8:ffff::1"', '"2001:db8::zz"', "lma.address",
     "not an IPv6 address: '2001:db8::zz'", "2001:db8::zz"),
    ("pool-host-bits", '"2001:db8:100::/40"', '"2001:db8:100::1/40"', "lma.prefix_pool",
     "has host bits set", "prefix_pool"),
    ("pool-too-long", '"2001:db8:100::/40"', '"2001:db8:100::/96"', "lma.prefix_pool",
     "at most /64, got /96", "prefix_pool"),
    ("lifetime-not-multiple-of-4", 'prefix_pool = "2001:db8:100::/40"',
     'prefix_pool = "2001:db8:100::/40"\nlifetime_s = 41', "lma.lifetime_s",
     "multiple of 4", "lifetime_s"),
    ("lifetime-too-long", 'prefix_pool = "2001:db8:100::/40"',
     'prefix_pool = "2001:db8:100::/40"\nlifetime_s = 262144', "lma.lifetime_s",
     "must be <= 262140", "lifetime_s"),
    # [[mag]]
    ("negative-detection", "detection_ms = 30", "detection_ms = -3", "mag[1].detection_ms",
     "must be >= 0, got -3", "detection_ms"),
    ("float-buffer", "buffer_packets = 8", "buffer_packets = 8.5", "mag[1].buffer_packets",
     "expected an integer, got float", "buffer_packets"),
    ("mag-unknown-key", "buffer_packets = 8", "buffer_packet = 8", "mag[1].buffer_packet",
     "unknown key", "buffer_packet"),
    ("unknown-omit-option", "buffer_packets = 8", 'omit_options = ["hi", "foo"]',
     "mag[1].omit_options", "unknown PBU option 'foo'", "omit_options"),
    ("duplicate-omit-option", "buffer_packets = 8", 'omit_options = ["hi", "hi"]',
     "mag[1].omit_options", "duplicate option 'hi'", "omit_options"),
    ("authorized-not-bool", "buffer_packets = 8", 'authorized = "yes"', "mag[1].authorized",
     "expected a boolean, got string", "authorized"),
    ("mag-missing-address", 'address = "2001:db8:ffff::12"\n', "", "mag[1].address",
     "missing required key", ("[[mag]]", 1)),
    ("duplicate-name", 'name = "CN"', 'name = "MAG1"', "cn[0].name",
     "duplicate name 'MAG1' (also mag[0].name)", ('name = "MAG1"', 1)),
    ("duplicate-address", '"2001:db8:ffff::12"', '"2001:db8:ffff:0::11"', "mag[1].address",
     "duplicate address 2001:db8:ffff::11 (also mag[0].address)", "ffff:0::11"),
    # [[mn]]
    ("mn-id-not-nai", 'id = "mn1@example.org"', 'id = "mn1"', "mn[0].id", "NAI", "id ="),
    ("mn-id-slash", 'id = "mn1@example.org"', 'id = "mn/1@example.org"', "mn[0].id",
     "must not contain '/'", "id ="),
    ("no-interfaces", IFACES, "interfaces = []", "mn[0].interfaces",
     "at least one interface", "interfaces"),
    ("dangling-mag", '"MAG2", att', '"MAG9", att', "mn[0].interfaces[1].mag",
     "mag 'MAG9' is not defined", "MAG9"),
    ("unknown-att", '"3gpp-eutran"', '"wifi"', "mn[0].interfaces[1].att",
     "unknown access technology 'wifi'", "wifi"),
    ("att-code-zero", 'att = "ieee802.11"', "att = 0", "mn[0].interfaces[0].att",
     "1..255, got 0", "att = 0"),
    ("bad-lli", '"02:00:00:00:01:02"', '"02:00:00:00:01"', "mn[0].interfaces[1].lli",
     "6 or 8 hex octets", '"IF2"'),
    ("duplicate-interface", '{ name = "IF2"', '{ name = "IF1"', "mn[0].interfaces[1].name",
     "duplicate interface name 'IF1'", "3gpp-eutran"),
    ("interface-unknown-key", "attach_ms = 100", "attach = 100", "mn[0].interfaces[1].attach",
     "unknown key", "attach = 100"),
    ("negative-attach", "attach_ms = 100", "attach_ms = -100", "mn[0].interfaces[1].attach_ms",
     "must be >= 0", "attach_ms = -100"),
    ("interface-not-table", '{ name = "IF1"', '"IF1", { name = "IFX"',
     "mn[0].interfaces[0]", "expected a table, got string", '"IF1", {'),
    # [[link]]
    ("link-three-ends", '["LMA", "MAG1"]', '["LMA", "MAG1", "CN"]', "link[0].between",
     "expected an array of 2 node names", '"CN"]'),
    ("link-same-ends", '["LMA", "MAG1"]', '["LMA", "LMA"]', "link[0].between",
     "two different nodes", '["LMA", "LMA"]'),
    ("link-dangling", '["LMA", "MAG2"]', '["LMA", "MAG7"]', "link[1].between",
     "node 'MAG7' is not defined", "MAG7"),
    ("link-to-mn", '["CN", "LMA"]', '["CN", "mn1@example.org"]', "link[2].between",
     "is a mobile node", '["CN", "mn1'),
    ("duplicate-link", '["CN", "LMA"]', '["MAG1", "LMA"]', "link[2].between",
     "duplicate link between MAG1 and LMA (also link[0].between)", '["MAG1", "LMA"]'),
    ("mag-without-lma-link", '["LMA", "MAG2"]', '["MAG1", "MAG2"]', "mag[1]",
     "MAG2 has no link to the LMA", ("[[mag]]", 1)),
    ("cn-without-lma-link", '["CN", "LMA"]', '["CN", "MAG1"]', "cn[0]",
     "CN has no link to the LMA", "[[cn]]"),
    ("loss-one", "loss = 0.01", "loss = 1", "link[1].loss", "must be < 1, got 1", "loss"),
    ("link-missing-delay", 'between = ["LMA", "MAG1"]\ndelay_ms = 5\n',
     'between = ["LMA", "MAG1"]\n', "link[0].delay_ms", "missing required key", "[[link]]"),
    # [[flow]]
    ("flow-cn-to-cn", 'to = "mn1@example.org"', 'to = "CN"', "flow[0].to",
     "a flow goes between a CN and an MN", 'to = "CN"'),
    ("flow-from-unknown", 'from = "CN"', 'from = "CN2"', "flow[0].from",
     "'CN2' is not a defined CN name or MN id", "from ="),
    ("stop-before-start", "stop_ms = 2500", "stop_ms = 100", "flow[0].stop_ms",
     "stop before start", "stop_ms"),
    ("zero-rate", "rate_pps = 50", "rate_pps = 0", "flow[0].rate_pps", "must be > 0", "rate_pps"),
    ("huge-rate", "rate_pps = 50", "rate_pps = 1e9", "flow[0].rate_pps", "must be <= 100000",
     "rate_pps"),
    ("too-many-packets", "rate_pps = 50\nstart_ms = 500\nstop_ms = 2500",
     "rate_pps = 90000\nstart_ms = 0\nstop_ms = 86400000", "flow[0].rate_pps", "would send",
     "rate_pps"),
    ("huge-duration", "duration_ms = 3000", "duration_ms = 1e300", "scenario.duration_ms",
     "must be <= 86400000", "duration_ms"),
    ("mn-id-empty-user", 'id = "mn1@example.org"', 'id = "@"', "mn[0].id", "NAI", "id ="),
    ("mn-id-two-ats", 'id = "mn1@example.org"', 'id = "a@b@c"', "mn[0].id", "NAI", "id ="),
    ("mn-id-space", 'id = "mn1@example.org"', 'id = "mn 1@example.org"', "mn[0].id", "NAI",
     "id ="),
    ("mn-id-too-long", 'id = "mn1@example.org"', 'id = "' + "m" * 300 + '@example.org"',
     "mn[0].id", "at most 254 octets", "id ="),
    ("name-control-char", 'name = "MAG1"', 'name = "MAG\\u00011"', "mag[0].name",
     "must not contain control", ("name =", 1)),
    # terminal controls and bidi formatting in any string (issue 8, part 5)
    ("title-escape", '"Test: two MAGs"', '"Test\\u001b[31m red"', "scenario.title",
     "must not contain control or bidirectional formatting characters, got U+001B", "title"),
    ("title-newline", '"Test: two MAGs"', '"Test\\ntwo"', "scenario.title",
     "U+000A", "title"),
    ("title-c1", '"Test: two MAGs"', '"Test\\u009b31m"', "scenario.title", "U+009B",
     "title"),
    ("title-del", '"Test: two MAGs"', '"Test\\u007f"', "scenario.title", "U+007F", "title"),
    ("mag-name-bidi", 'name = "MAG1"', 'name = "MAG\\u202e1"', "mag[0].name",
     "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4", ("name =", 1)),
    ("mag-name-isolate", 'name = "MAG1"', 'name = "\\u2066MAG1"', "mag[0].name",
     "U+2066 (LEFT-TO-RIGHT ISOLATE) at character 1", ("name =", 1)),
    ("mag-name-lrm", 'name = "MAG1"', 'name = "MAG1\\u200e"', "mag[0].name", "U+200E",
     ("name =", 1)),
    ("mag-name-alm", 'name = "MAG1"', 'name = "MAG1\\u061c"', "mag[0].name", "U+061C",
     ("name =", 1)),
    ("mn-id-bidi", 'id = "mn1@example.org"', 'id = "mn1@\\u202dexample.org"', "mn[0].id",
     "U+202D", "id ="),
    ("interface-name-escape", '{ name = "IF2"', '{ name = "IF\\u001b2"',
     "mn[0].interfaces[1].name", "U+001B", "3gpp-eutran"),
    ("description-cr", 'description = "unit test"', 'description = "unit\\rtest"',
     "scenario.description", "(newline and tab are allowed), got U+000D (a control "
     "character) at character 5", "description"),
    ("description-escape", 'description = "unit test"', 'description = "unit\\u001b[2J"',
     "scenario.description", "U+001B", "description"),
    ("description-bidi", 'description = "unit test"', 'description = "unit\\u202etest"',
     "scenario.description", "U+202E", "description"),
    ("flow-to-bidi", 'to = "mn1@example.org"', 'to = "mn1@example.org\\u202c"', "flow[0].to",
     "U+202C", 'to = "mn1'),
    # issue 10 item 3: a downlink flow may name the interface it is addressed to
    ("flow-to-unknown-interface", 'to = "mn1@example.org"', 'to = "mn1@example.org/IF3"',
     "flow[0].to", "mn1@example.org has no interface 'IF3' (it has: IF1, IF2)", "IF3"),
    ("flow-to-interface-of-unknown-mn", 'to = "mn1@example.org"',
     'to = "mn9@example.org/IF1"', "flow[0].to",
     "'mn9@example.org/IF1' names an interface of 'mn9@example.org', which is not a defined "
     "MN id", "mn9"),
    ("flow-to-interface-without-name", 'to = "mn1@example.org"', 'to = "mn1@example.org/"',
     "flow[0].to", "expected 'mn-id/IFNAME', got 'mn1@example.org/'", 'to = "mn1'),
    ("flow-from-interface", 'from = "CN"\nto = "mn1@example.org"',
     'from = "mn1@example.org/IF1"\nto = "CN"', "flow[0].from",
     "'mn1@example.org/IF1' names an interface: only a downlink flow's 'to' may name one "
     "(an uplink flow's 'from' is the MN id)", "from ="),
    ("fault-interface-c1", '"mn1@example.org/IF1"', '"mn1@example.org/IF1\\u0085"',
     "fault[0].interface", "U+0085", "interface ="),
    ("line-separator", '"Test: two MAGs"', '"Test\\u2028two"', "scenario.title", "U+2028",
     "title"),
    ("tiny-packets", "stop_ms = 2500", "stop_ms = 2500\nsize_bytes = 47", "flow[0].size_bytes",
     "must be >= 48, got 47", "size_bytes"),
    # [[fault]]
    ("unknown-action", 'action = "break"', 'action = "explode"', "fault[0].action",
     "must be one of: break, restore, move", "action"),
    ("fault-interface-no-slash", '"mn1@example.org/IF1"', '"mn1@example.org"',
     "fault[0].interface", "expected 'mn-id/IFNAME'", 'interface = "mn1@example.org"'),
    ("fault-unknown-mn", '"mn1@example.org/IF1"', '"mn9@example.org/IF1"', "fault[0].interface",
     "mn 'mn9@example.org' is not defined", "mn9"),
    ("fault-unknown-interface", '"mn1@example.org/IF1"', '"mn1@example.org/IF3"',
     "fault[0].interface", "has no interface 'IF3' (it has: IF1, IF2)", "IF3"),
    ("move-without-to-mag", 'action = "break"', 'action = "move"', "fault[0].to_mag",
     "needs to_mag", "[[fault]]"),
    ("break-with-to-mag", '"mn1@example.org/IF1"', '"mn1@example.org/IF1"\nto_mag = "MAG2"',
     "fault[0].to_mag", 'only allowed with action = "move"', "to_mag"),
    ("move-to-unknown-mag", 'action = "break"\ninterface = "mn1@example.org/IF1"',
     'action = "move"\ninterface = "mn1@example.org/IF1"\nto_mag = "MAG5"', "fault[0].to_mag",
     "mag 'MAG5' is not defined", "to_mag"),
    ("negative-fault-time", "at_ms = 1000", "at_ms = -1", "fault[0].at_ms",
     "must be >= 0, got -1", "at_ms"),
    # not TOML at all
    ("invalid-toml", "seed = 7", "seed = = 7", "", "not valid TOML", "seed = = 7"),
    ("duplicate-toml-key", "seed = 7", "seed = 7\nseed = 8", "", "not valid TOML", "seed = 8"),
]
# fmt: on


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment", "marker"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_CASES],
)
def test_bad_input(old: str, new: str, key: str, fragment: str, marker: Marker) -> None:
    text = edit(old, new)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="bad.toml")
    err = info.value
    assert err.file == "bad.toml"
    assert err.key == key
    assert fragment in err.message
    assert err.line == line_of(text, marker)


def test_enough_bad_cases() -> None:
    assert len(BAD_CASES) >= 25
    assert len({case[0] for case in BAD_CASES}) == len(BAD_CASES)


@pytest.mark.parametrize(
    ("text", "key", "fragment", "line"),
    [
        pytest.param(
            "[[scenario]]\ntitle = 'x'\n[lma]\n",
            "scenario",
            "expected a table, got array",
            1,
            id="scenario-as-array",
        ),
        pytest.param(
            BASE.replace("[lma]", "[zzz]\n[lma]"),
            "zzz",
            "unknown table",
            8,
            id="unknown-empty-table",
        ),
        pytest.param("x = 1\n" + BASE, "x", "unknown key", 1, id="unknown-top-level-key"),
        pytest.param(
            BASE.replace("[[mn]]", "[[mx]]"),
            "mx",
            "unknown table",
            28,
            id="unknown-array-of-tables",
        ),
        pytest.param(
            "cn = 3\n" + BASE.replace('[[cn]]\nname = "CN"\naddress = "2001:db8:cafe::1"\n', ""),
            "cn",
            "expected an array of tables [[cn]], got integer",
            1,
            id="cn-not-an-array",
        ),
        pytest.param(
            BASE.replace("[[mag]]", "[mag]", 1).replace("[[mag]]", "[mag.two]", 1),
            "mag",
            "expected an array of tables [[mag]], got a table [mag]",
            13,
            id="mag-as-table",
        ),
    ],
)
def test_bad_structure(text: str, key: str, fragment: str, line: int | None) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="s.toml")
    assert info.value.key == key
    assert fragment in info.value.message
    assert info.value.line == line


def test_valid_scenario_applies_defaults() -> None:
    s = parse_scenario(BASE, file="base.toml", name="base")
    assert (s.name, s.title, s.description, s.mode, s.seed) == (
        "base",
        "Test: two MAGs",
        "unit test",
        "ft",
        7,
    )
    assert s.duration_ms == 3000.0 and isinstance(s.duration_ms, float)
    assert s.processing_ms == 0.0
    assert s.path is None
    assert s.lma.address == IPv6Address("2001:db8:ffff::1")
    assert s.lma.prefix_pool == IPv6Network("2001:db8:100::/40")
    assert s.lma.lifetime_s == 40
    mag1, mag2 = s.mags
    assert (mag1.access_delay_ms, mag1.detection_ms, mag1.buffer_packets) == (1.0, 20.0, 64)
    assert (mag1.authorized, mag1.omit_options, mag1.clock_offset_ms) == (True, (), 0.0)
    assert (mag2.access_delay_ms, mag2.detection_ms, mag2.buffer_packets) == (2.0, 30.0, 8)
    assert isinstance(mag2.access_delay_ms, float)
    assert s.cns[0].address == IPv6Address("2001:db8:cafe::1")
    mn = s.mn("mn1@example.org")
    assert mn.known is True
    if1, if2 = mn.interfaces
    assert (if1.name, if1.mag, if1.att, if1.attach_ms) == ("IF1", "MAG1", 4, 0.0)
    assert (if2.att, if2.attach_ms) == (8, 100.0)
    assert if1.lli == bytes([2, 0, 0, 0, 1, 1])
    assert s.links[1] == Link("LMA", "MAG2", 5.0, 0.01)
    assert s.links[2] == Link("CN", "LMA", 10.0, 0.0)
    assert s.flows == (Flow("CN", "mn1@example.org", 50.0, 500.0, 2500.0, 1000),)
    assert s.faults == (Fault(1000.0, "break", "mn1@example.org/IF1"),)


def test_valid_scenario_with_every_extension() -> None:
    text = edit("seed = 7", "seed = 0\nprocessing_ms = 0.5")
    text = edit('mode = "ft"', 'mode = "rfc5213"', text)
    text = edit(
        'prefix_pool = "2001:db8:100::/40"',
        'prefix_pool = "2001:db8:100::/64"\nlifetime_s = 262140',
        text,
    )
    text = edit(
        "buffer_packets = 8",
        "buffer_packets = 0\nauthorized = false\n"
        'omit_options = ["hi", "att"]\nclock_offset_ms = -500',
        text,
    )
    text = edit('id = "mn1@example.org"', 'id = "mn1@example.org"\nknown = false', text)
    text = edit(
        'att = "3gpp-eutran", lli = "02:00:00:00:01:02"',
        'att = 200, lli = "02:00:00:FF:fe:00:01:02"',
        text,
    )
    text = edit('from = "CN"\nto = "mn1@example.org"', 'from = "mn1@example.org"\nto = "CN"', text)
    text = edit("stop_ms = 2500", "stop_ms = 2500.5\nsize_bytes = 48", text)
    text += '\n[[fault]]\nat_ms = 2000.5\naction = "move"\ninterface = "mn1@example.org/IF2"\n'
    text += 'to_mag = "MAG1"\n'
    s = parse_scenario(text)
    assert (s.name, s.mode, s.seed, s.processing_ms) == ("scenario", "rfc5213", 0, 0.5)
    assert s.lma.lifetime_s == 262140
    mag2 = s.mag("MAG2")
    assert mag2.buffer_packets == 0
    assert mag2.authorized is False
    assert mag2.omit_options == ("hi", "att")
    assert mag2.clock_offset_ms == -500.0
    mn = s.mns[0]
    assert mn.known is False
    assert mn.interfaces[1].att == 200
    assert mn.interfaces[1].lli == bytes.fromhex("020000fffe000102")
    assert s.flows[0].src == "mn1@example.org" and s.flows[0].dst == "CN"
    assert (s.flows[0].stop_ms, s.flows[0].size_bytes) == (2500.5, 48)
    move = s.faults[1]
    assert (move.action, move.to_mag, move.mn_id, move.if_name) == (
        "move",
        "MAG1",
        "mn1@example.org",
        "IF2",
    )


def test_att_names_are_case_insensitive() -> None:
    s = parse_scenario(edit('"ieee802.11"', '"IEEE802.11"'))
    assert s.mns[0].interfaces[0].att == 4


def test_optional_sections_may_be_absent() -> None:
    text = BASE[: BASE.index("[[flow]]")]
    s = parse_scenario(text)
    assert s.flows == () and s.faults == ()


# -- files, shipped scenarios and the error format --------------------------------------------


def test_error_str_format() -> None:
    assert str(ScenarioError("a.toml", 3, "mag[1].detection_ms", "bad")) == (
        "a.toml:3: mag[1].detection_ms: bad"
    )
    assert str(ScenarioError("a.toml", None, "lma", "missing")) == "a.toml: lma: missing"
    assert str(ScenarioError("a.toml", None, "", "empty file")) == "a.toml: empty file"


def test_load_file_sets_name_and_path(tmp_path: Path) -> None:
    path = tmp_path / "lab.toml"
    path.write_text(BASE, encoding="utf-8")
    s = load_scenario(path)
    assert s.name == "lab"
    assert s.path == path.resolve()
    assert load_scenario(str(path)) == s


def test_load_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edit("detection_ms = 30", "detection_ms = -3"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert str(info.value) == f"{path}:21: mag[1].detection_ms: must be >= 0, got -3"


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert (info.value.file, info.value.line, info.value.message) == (
        str(missing),
        None,
        "no such file",
    )


def test_unknown_shipped_name() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("no-such-scenario")
    assert info.value.file == "no-such-scenario"
    assert "no shipped scenario 'no-such-scenario'" in info.value.message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="empty file") as info:
        load_scenario(path)
    assert info.value.line is None
    path.write_text("# nothing but a comment\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="empty file"):
        load_scenario(path)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "notes.toml"
    path.write_text("hello\nthis is not toml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.line == 1
    assert info.value.message.startswith("not valid TOML: ")
    assert "(at line" not in info.value.message


def test_binary_file_and_directory(tmp_path: Path) -> None:
    path = tmp_path / "blob.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


def test_shipped_lookup_in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "b.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "a.toml").write_text(edit("Test: two MAGs", "Another"), encoding="utf-8")
    (tmp_path / "broken.toml").write_text("[scenario\n", encoding="utf-8")
    (tmp_path / "readme.txt").write_text("not a scenario", encoding="utf-8")
    monkeypatch.setattr(loader_module, "shipped_dir", lambda: tmp_path)
    assert shipped_scenarios() == [
        ("a", "Another"),
        ("b", "Test: two MAGs"),
        ("broken", "(invalid scenario file)"),
    ]
    s = load_scenario("b")
    assert (s.name, s.path) == ("b", (tmp_path / "b.toml").resolve())
    with pytest.raises(ScenarioError) as info:
        load_scenario("c")
    assert info.value.message == "no shipped scenario 'c' (try: a, b, broken)"


def test_shipped_dir_is_a_scenarios_folder() -> None:
    assert shipped_dir().name in ("scenarios", "_scenarios")


def test_shipped_scenarios_lists_every_file() -> None:
    folder = shipped_dir()
    files = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    assert [name for name, _ in shipped_scenarios()] == files


@pytest.mark.parametrize(
    ("name", "title"), shipped_scenarios(), ids=[name for name, _ in shipped_scenarios()]
)
def test_shipped_scenario_loads(name: str, title: str) -> None:
    s = load_scenario(name)
    assert (s.name, s.title) == (name, title)
    assert s.path == (shipped_dir() / f"{name}.toml").resolve()


# -- the line locator --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("scenario", 1),
        ("scenario.seed", 5),
        ("lma.prefix_pool", 11),
        ("mag[1]", 17),
        ("mag[1].buffer_packets", 22),
        ("mag[0].detection_ms", 13),  # absent key: the table's header
        ("mn[0].interfaces", 30),
        ("mn[0].interfaces[0]", 31),
        ("mn[0].interfaces[1].att", 32),
        ("link[2].between", 45),
        ("fault[0].interface", 58),
        ("nothing", None),
        ("mag[5].name", None),
        ("", None),
    ],
)
def test_locate_line(key: str, line: int | None) -> None:
    assert locate_line(BASE, key) == line


def test_locate_line_handles_other_toml_shapes() -> None:
    text = (
        '# ["scenario"] in a comment\n'
        'scenario.title = "a = [b"\n'
        "[[mn]]\n"
        'id = """x\n'
        "[fake]\n"
        '"""\n'
        "[[mn.interfaces]]\n"
        "name = 'IF1'\n"
        "[[mn.interfaces]]\n"
        "mag = 3\n"
        "[[mag]]\n"
        "omit_options = [\n"
        '  "hi",\n'
        "  [1, 2]\n"
        "]\n"
        'name = "M"\n'
    )
    assert locate_line(text, "scenario.title") == 2
    assert locate_line(text, "mn[0].id") == 4
    assert locate_line(text, "mn[0].interfaces[1].mag") == 10
    assert locate_line(text, "mn[0].interfaces[0].mag") == 7
    assert locate_line(text, "mag[0].name") == 16
    assert locate_line(text, "mag[0].omit_options[1]") == 14
    assert locate_line(text, "fake") is None


# -- bounded work for any input (issue 8, part 2) --------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO with no writer would block an ordinary open for ever."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError) as info:
        load_scenario(fifo)
    assert info.value.message == "is a FIFO (named pipe), not a regular file"
    assert info.value.file == str(fifo)


def test_device_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("/dev/zero")
    assert str(info.value) == "/dev/zero: is a device, not a regular file"


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="is a directory, not a scenario file"):
        load_scenario(str(tmp_path) + "/")


def test_symlink_to_a_file_is_fine_and_a_dangling_one_is_named(tmp_path: Path) -> None:
    target = tmp_path / "real.toml"
    target.write_text(BASE, encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    assert load_scenario(link).title == "Test: two MAGs"
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ScenarioError, match="cannot read: No such file or directory"):
        load_scenario(dangling)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as f:  # sparse: nothing is written but the size
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError) as info:
        load_scenario(big)
    assert str(info.value) == (f"{big}: too large: more than {MAX_FILE_BYTES:,} bytes "
                               "(10 MiB, the limit)")


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "padded.toml"
    path.write_text(BASE + "#" * (MAX_FILE_BYTES - len(BASE)), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_scenario(path).title == "Test: two MAGs"


def test_read_stops_after_the_limit_whatever_stat_says() -> None:
    """/proc files say size 0 and hold more: at most limit + 1 bytes are read."""
    assert Path("/proc/self/maps").stat().st_size == 0
    with pytest.raises(ScenarioError, match="too large: more than 10 bytes"):
        read_limited(Path("/proc/self/maps"), "maps", limit=10)
    assert len(read_limited(Path("/proc/self/maps"), "maps", limit=10**7)) > 10


def _scale(mns: int, *, interfaces: int = 1, flows: int = 0, faults: int = 0, mags: int = 2,
           rate: float = 10, duration: float = 3000, lifetime: int = 40) -> str:
    """A scenario with ``mns`` MNs (each with ``interfaces`` interfaces), ``flows`` flows
    and ``faults`` faults, in the usual file layout."""
    out = [f'[scenario]\ntitle = "scale"\nduration_ms = {duration}\n',
           '[lma]\nname = "LMA"\naddress = "2001:db8:ffff::1"\nprefix_pool = "2001:db8::/32"\n'
           f"lifetime_s = {lifetime}\n"]
    for m in range(mags):
        out.append(f'[[mag]]\nname = "MAG{m}"\naddress = "2001:db8:ffff::{m + 2:x}"\n')
    out.append('[[cn]]\nname = "CN"\naddress = "2001:db8:cafe::1"\n')
    for i in range(mns):
        ifs = ", ".join(f'{{ name = "IF{k}", mag = "MAG{(i + k) % mags}", att = 4, '
                        f'lli = "02:00:00:{k:02x}:{i >> 8 & 255:02x}:{i & 255:02x}" }}'
                        for k in range(interfaces))
        out.append(f'[[mn]]\nid = "mn{i}@x"\ninterfaces = [{ifs}]\n')
    for m in range(mags):
        out.append(f'[[link]]\nbetween = ["LMA", "MAG{m}"]\ndelay_ms = 5\n')
    out.append('[[link]]\nbetween = ["CN", "LMA"]\ndelay_ms = 5\n')
    for i in range(flows):
        out.append(f'[[flow]]\nfrom = "CN"\nto = "mn{i % mns}@x"\nrate_pps = {rate}\n'
                   "start_ms = 500\nstop_ms = 1500\n")
    for i in range(faults):
        out.append(f'[[fault]]\nat_ms = {1000 + i}\naction = "break"\n'
                   f'interface = "mn{i % mns}@x/IF0"\n')
    return "".join(out)


@pytest.mark.parametrize(
    ("total", "cap", "text", "key", "message", "marker"),
    [
        pytest.param("mn", 3, _scale(4), "mn[3]", "too many mobile nodes: 4 (at most 3)",
                     ("[[mn]]", 3), id="mns"),
        pytest.param("mag", 1, _scale(1), "mag[1]", "too many MAGs: 2 (at most 1)",
                     ("[[mag]]", 1), id="mags"),
        pytest.param("link", 2, _scale(1), "link[2]", "too many links: 3 (at most 2)",
                     ("[[link]]", 2), id="links"),
        pytest.param("flow", 2, _scale(3, flows=3), "flow[2]", "too many flows: 3 (at most 2)",
                     ("[[flow]]", 2), id="flows"),
        pytest.param("fault", 1, _scale(3, faults=2), "fault[1]",
                     "too many faults: 2 (at most 1)", ("[[fault]]", 1), id="faults"),
    ],
)
def test_totals_are_capped(monkeypatch: pytest.MonkeyPatch, total: str, cap: int, text: str,
                           key: str, message: str, marker: Marker) -> None:
    what, _ = loader_module.TOTALS[total]
    monkeypatch.setitem(loader_module.TOTALS, total, (what, cap))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="big.toml")
    assert (info.value.file, info.value.key, info.value.message) == ("big.toml", key, message)
    assert info.value.line == line_of(text, marker)


def test_cns_are_capped() -> None:
    text = BASE.replace("[[cn]]", "[[cn]]\nname = 'X'\naddress = '2001:db8::9'\n[[cn]]", 1)
    limits = dict(loader_module.TOTALS)
    try:
        loader_module.TOTALS["cn"] = ("CNs", 1)
        with pytest.raises(ScenarioError) as info:
            parse_scenario(text, file="c.toml")
    finally:
        loader_module.TOTALS.update(limits)
    assert (info.value.key, info.value.message) == ("cn[1]", "too many CNs: 2 (at most 1)")


def test_real_caps_are_far_above_campus() -> None:
    campus = load_scenario("campus")
    interfaces = sum(len(mn.interfaces) for mn in campus.mns)
    counts = {"mn": len(campus.mns), "mag": len(campus.mags), "cn": len(campus.cns),
              "link": len(campus.links), "flow": len(campus.flows),
              "fault": len(campus.faults)}
    for key, (_, cap) in loader_module.TOTALS.items():
        assert cap >= 50 * counts[key], key
    assert 50 * interfaces <= limits.MAX_INTERFACES
    assert 100 * Path(campus.path or "").stat().st_size <= limits.MAX_FILE_BYTES


def test_interfaces_are_capped_in_total_and_per_mn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader_module, "MAX_INTERFACES", 5)
    text = _scale(3, interfaces=2)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="i.toml")
    assert (info.value.key, info.value.message) == (
        "mn[2].interfaces", "too many interfaces: more than 5 over all MNs")
    assert info.value.line == line_of(text, ('id = "mn2@x"', 0)) + 1
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_scale(1, interfaces=limits.MAX_MN_INTERFACES + 1), file="i.toml")
    assert (info.value.key, info.value.message) == (
        "mn[0].interfaces",
        f"too many interfaces: {limits.MAX_MN_INTERFACES + 1} (at most "
        f"{limits.MAX_MN_INTERFACES} an MN)")


def test_packets_are_capped_over_all_flows() -> None:
    """Each flow sends 9,000,000 packets (under the per-flow cap); two exceed the total."""
    text = _scale(2, flows=2, rate=9000, duration=3000)
    text = text.replace("start_ms = 500\nstop_ms = 1500", "start_ms = 0\nstop_ms = 1000000")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="p.toml")
    assert (info.value.key, info.value.message) == (
        "flow[1].rate_pps", "the flows up to this one would send 18,000,000 packets "
        f"(at most {limits.MAX_TOTAL_PACKETS:,} over all flows)")
    assert info.value.line == line_of(text, ("rate_pps", 1))
    assert len(parse_scenario(text.replace("rate_pps = 9000", "rate_pps = 5000")).flows) == 2


def test_reregistrations_are_capped_for_the_duration_and_until() -> None:
    # 1000 interfaces re-registering every 2 s (lifetime 4 s) for a day: 43 million
    text = _scale(1000, duration=86_400_000, lifetime=4)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="r.toml")
    assert info.value.key == "scenario.duration_ms"
    assert info.value.message.startswith(
        "1,000 interfaces refreshing their bindings every 2 s (lma.lifetime_s = 4) for "
        "86400000 ms make 43,200,000 re-registrations (at most")
    assert info.value.line == line_of(text, "duration_ms")
    ok = parse_scenario(_scale(1000, duration=60_000, lifetime=4))
    check_until(ok, 60_000)
    with pytest.raises(ScenarioError, match=r"^--until: 1,000 interfaces .* for 86400000 ms"):
        check_until(ok, 86_400_000)


# -- linear loading and set-up: counted, not timed ----------------------------------------


def test_loading_is_linear_in_mns_flows_and_faults(lines_run) -> None:
    """Doubling the MNs, flows and faults doubles the checking work (the TOML parser is
    left out: it is linear). The loader that rebuilt the name sets per flow and searched
    the MNs per fault did ~2.7x the work at these sizes, and more the larger they get."""
    texts = [_scale(n, interfaces=2, flows=n, faults=n) for n in (150, 300)]
    small, large = ((tomllib.loads(text), Context("s.toml", text)) for text in texts)
    ratio = (lines_run(lambda: build_scenario(*large, "large"))
             / lines_run(lambda: build_scenario(*small, "small")))
    assert ratio < 2.2, ratio


def test_world_set_up_is_linear_in_interfaces(lines_run) -> None:
    """Building the World for twice the MNs is twice the work (finding each interface's
    spec by a search of the MNs made it ~3x at these sizes)."""
    small, large = (parse_scenario(_scale(n, interfaces=2, flows=n, faults=n))
                    for n in (150, 300))
    ratio = lines_run(lambda: World(large)) / lines_run(lambda: World(small))
    assert ratio < 2.2, ratio


def test_scenario_lookups_use_an_index() -> None:
    s = parse_scenario(_scale(3))
    assert s.mn_index == {mn.id: mn for mn in s.mns}
    assert s.mn("mn2@x") is s.mns[2] and s.mag("MAG1") is s.mags[1]
    assert s.mn_index is s.mn_index  # built once
    other = s.with_changes(mns=s.mns[:1])
    assert list(other.mn_index) == ["mn0@x"]  # a copy indexes its own MNs
    with pytest.raises(KeyError):
        s.mn("nobody@x")


def test_flow_may_name_the_interface_it_is_addressed_to() -> None:
    """Issue 10 item 3: ``to = "mn-id/IF"`` is the MN and one of its interfaces; without
    an interface the flow follows the interface whose entry carries the MN's traffic."""
    named = parse_scenario(edit('to = "mn1@example.org"', 'to = "mn1@example.org/IF2"'))
    (flow,) = named.flows
    assert (flow.src, flow.dst, flow.to_iface) == ("CN", "mn1@example.org", "IF2")
    (plain,) = parse_scenario(BASE).flows
    assert (plain.dst, plain.to_iface) == ("mn1@example.org", None)
# -- issue 10 item 4: the MN's own failure detection (detection_ms on [[mn]]) ------------

MN_LINE = 'id = "mn1@example.org"\n'


@pytest.mark.parametrize(("value", "fragment"), [
    ("-1", "must be >= 0, got -1"),
    ('"30"', "expected a number, got string"),
    ("true", "expected a number, got boolean"),
    ("nan", "must be a finite number"),
    ("3600001", "must be <= 3600000"),
])
def test_mn_detection_ms_bad_values(value: str, fragment: str) -> None:
    text = edit(MN_LINE, f"{MN_LINE}detection_ms = {value}\n")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="bad.toml")
    err = info.value
    assert (err.file, err.key) == ("bad.toml", "mn[0].detection_ms")
    assert fragment in err.message, err.message
    assert err.line == line_of(text, "detection_ms = " + value)


def test_mn_detection_ms_defaults_to_0_and_is_read() -> None:
    assert parse_scenario(BASE).mn("mn1@example.org").detection_ms == 0.0
    text = edit(MN_LINE, f"{MN_LINE}detection_ms = 30\n")
    mn = parse_scenario(text).mn("mn1@example.org")
    assert mn.detection_ms == 30.0 and isinstance(mn.detection_ms, float)


def test_mn_unknown_key_lists_detection_ms() -> None:
    text = edit(MN_LINE, f"{MN_LINE}detect_ms = 30\n")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    assert info.value.key == "mn[0].detect_ms" and "detection_ms" in info.value.message
