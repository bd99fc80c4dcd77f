"""Issue 10 item 1: the per-MN keys ``addressing`` and ``host``: defaults, valid values,
and a precise one-line error for each bad value."""

from __future__ import annotations

import pytest

from pmipviz.scenario import ScenarioError, parse_scenario
from tests.scenario.test_loader import BASE, edit, line_of

MN_ID = 'id = "mn1@example.org"'


def test_defaults_are_per_interface_and_weak() -> None:
    mn = parse_scenario(BASE).mns[0]
    assert (mn.addressing, mn.host) == ("per-interface", "weak")


@pytest.mark.parametrize("addressing", ["per-interface", "shared"])
@pytest.mark.parametrize("host", ["weak", "strong"])
def test_valid_values(addressing: str, host: str) -> None:
    text = edit(MN_ID, f'{MN_ID}\naddressing = "{addressing}"\nhost = "{host}"')
    mn = parse_scenario(text).mns[0]
    assert (mn.addressing, mn.host) == (addressing, host)


@pytest.mark.parametrize(("line", "key", "fragment"), [
    ('addressing = "logical"', "mn[0].addressing",
     "must be one of: per-interface, shared (got 'logical')"),
    ('addressing = "Shared"', "mn[0].addressing",
     "must be one of: per-interface, shared (got 'Shared')"),
    ("addressing = 1", "mn[0].addressing", "expected a string, got integer"),
    ('host = "weak-es"', "mn[0].host", "must be one of: weak, strong (got 'weak-es')"),
    ('host = ""', "mn[0].host", "must not be empty"),
    ("host = true", "mn[0].host", "expected a string, got boolean"),
    ('hosts = "strong"', "mn[0].hosts", "unknown key (expected one of: "),
])
def test_bad_values(line: str, key: str, fragment: str) -> None:
    text = edit(MN_ID, f"{MN_ID}\n{line}")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="bad.toml")
    err = info.value
    assert (err.file, err.key) == ("bad.toml", key)
    assert fragment in err.message
    assert err.line == line_of(text, line)
    assert "\n" not in str(err)
