"""Typed value checks for parsed TOML tables, each failing with a precise ScenarioError.

A :class:`Table` wraps one table (a dict from tomllib) with its key path
(``mag[1]``); its readers check type and bounds and raise ScenarioError naming
the full key (``mag[1].detection_ms``) and, where the locator finds it, the line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv6Address, IPv6Network
from typing import Any, NoReturn

from pmipviz.protocol.constants import ATT_CODES
from pmipviz.scenario.errors import ScenarioError
from pmipviz.scenario.locate import locate_line
from pmipviz.scenario.text import describe, first_unsafe

_LLI_RE = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?:(?::[0-9A-Fa-f]{2}){2})?")


class _Missing:
    """The default of a required key."""


REQUIRED: Any = _Missing()


def type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return "date/time"
    names = {int: "integer", float: "float", str: "string", list: "array", dict: "table"}
    return names.get(type(value), type(value).__name__)


def fmt(value: float) -> str:
    """A number as a user wrote it: 5 rather than 5.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def choices(items: Iterable[object]) -> str:
    """``"a, b, c"`` for a message."""
    return ", ".join(str(i) for i in items)


@dataclass(frozen=True)
class Context:
    """Where the data came from, to point errors at a file and a line."""

    file: str
    text: str

    def fail(self, key: str, message: str) -> NoReturn:
        """Raise a ScenarioError for ``key``."""
        raise ScenarioError(self.file, locate_line(self.text, key), key, message)


class Table:
    """One TOML table being checked: rejects unknown keys, reads typed values."""

    def __init__(self, ctx: Context, path: str, value: object, keys: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            ctx.fail(path, f"expected a table, got {type_name(value)}")
        self.ctx = ctx
        self.path = path
        self.data: dict[str, Any] = value
        for name in value:
            if name not in keys:
                ctx.fail(self.key(name), f"unknown key (expected one of: {choices(keys)})")

    def key(self, name: str) -> str:
        """The full key path of one of this table's keys."""
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> NoReturn:
        """Raise a ScenarioError for one of this table's keys."""
        self.ctx.fail(self.key(name), message)

    def raw(self, name: str, default: Any = REQUIRED) -> Any:
        """The value of ``name``, its default, or an error when it is required."""
        if name in self.data:
            return self.data[name]
        if default is REQUIRED:
            self.fail(name, "missing required key")
        return default

    def string(self, name: str, default: Any = REQUIRED, *, empty: bool = False,
               multiline: bool = False) -> str:
        """A string (non-empty unless ``empty``) without control or bidi characters
        (``multiline`` allows newline and tab)."""
        value = self.raw(name, default)
        if not isinstance(value, str):
            self.fail(name, f"expected a string, got {type_name(value)}")
        if not empty and not value.strip():
            self.fail(name, "must not be empty")
        bad = first_unsafe(value, multiline=multiline)
        if bad is not None:
            allowed = " (newline and tab are allowed)" if multiline else ""
            self.fail(name, f"must not contain control or bidirectional formatting characters"
                            f"{allowed}, got {describe(value[bad])} at character {bad + 1}")
        return value

    def name(self, name: str = "name") -> str:
        """A node or interface name: non-empty, no "/" (it separates mn-id/IFNAME), no
        control or bidi characters (as every string), at most 254 octets (it may travel
        in an MN-ID option)."""
        value = self.string(name)
        if "/" in value:
            self.fail(name, f"must not contain '/', got {value!r}")
        if len(value.encode()) > 254:
            self.fail(name, f"must be at most 254 octets (RFC 4283), got {len(value.encode())}")
        return value

    def boolean(self, name: str, default: Any = REQUIRED) -> bool:
        """A boolean."""
        value = self.raw(name, default)
        if not isinstance(value, bool):
            self.fail(name, f"expected a boolean, got {type_name(value)}")
        return value

    def number(
        self,
        name: str,
        default: Any = REQUIRED,
        *,
        ge: float | None = None,
        gt: float | None = None,
        lt: float | None = None,
        le: float | None = None,
    ) -> float:
        """A finite int or float (never a boolean), as a float, within bounds."""
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(name, f"expected a number, got {type_name(value)}")
        try:
            number = float(value)
        except OverflowError:
            self.fail(name, "number too large")
        if not math.isfinite(number):
            self.fail(name, f"must be a finite number, got {value}")
        self._bounds(name, number, ge=ge, gt=gt, lt=lt, le=le)
        return number

    def integer(
        self, name: str, default: Any = REQUIRED, *, ge: int | None = None, le: int | None = None
    ) -> int:
        """An integer within bounds."""
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"expected an integer, got {type_name(value)}")
        self._bounds(name, value, ge=ge, le=le)
        return value

    def _bounds(
        self,
        name: str,
        value: float,
        *,
        ge: float | None = None,
        gt: float | None = None,
        lt: float | None = None,
        le: float | None = None,
    ) -> None:
        if ge is not None and value < ge:
            self.fail(name, f"must be >= {fmt(ge)}, got {fmt(value)}")
        if gt is not None and value <= gt:
            self.fail(name, f"must be > {fmt(gt)}, got {fmt(value)}")
        if lt is not None and value >= lt:
            self.fail(name, f"must be < {fmt(lt)}, got {fmt(value)}")
        if le is not None and value > le:
            self.fail(name, f"must be <= {fmt(le)}, got {fmt(value)}")

    def choice(self, name: str, options: tuple[str, ...], default: Any = REQUIRED) -> str:
        """One of a fixed set of strings."""
        value = self.string(name, default)
        if value not in options:
            self.fail(name, f"must be one of: {choices(options)} (got {value!r})")
        return value

    def address(self, name: str = "address") -> IPv6Address:
        """An IPv6 unicast address that is not link-local."""
        text = self.string(name)
        try:
            addr = IPv6Address(text)
        except ValueError:
            self.fail(name, f"not an IPv6 address: {text!r}")
        if addr.scope_id is not None:
            self.fail(name, f"must not have a zone index: {text!r}")
        for bad, what in (
            (addr.is_multicast, "multicast"),
            (addr.is_unspecified, "the unspecified address"),
            (addr.is_loopback, "the loopback address"),
            (addr.is_link_local, "link-local"),
        ):
            if bad:
                self.fail(name, f"must be a unicast, not link-local address, got {what} {text!r}")
        return addr

    def prefix(self, name: str, max_len: int = 64) -> IPv6Network:
        """An IPv6 network (no host bits set) of at most ``max_len`` bits."""
        text = self.string(name)
        try:
            net = IPv6Network(text, strict=True)
        except ValueError as err:
            self.fail(name, f"not an IPv6 prefix: {err}")
        if net.prefixlen > max_len:
            self.fail(name, f"prefix length must be at most /{max_len}, got /{net.prefixlen}")
        if net.is_multicast or net.is_link_local:
            self.fail(name, f"must be a unicast prefix that is not link-local, got {text!r}")
        return net

    def array(self, name: str, default: Any = REQUIRED) -> list[Any]:
        """An array (of anything; the caller checks the items)."""
        value = self.raw(name, default)
        if not isinstance(value, list):
            self.fail(name, f"expected an array, got {type_name(value)}")
        return value

    def att(self, name: str = "att") -> int:
        """An access technology: a name from ATT_CODES or a code 1..255."""
        value = self.raw(name)
        if isinstance(value, str):
            code = ATT_CODES.get(value.lower())
            if code is None:
                self.fail(
                    name,
                    f"unknown access technology {value!r} "
                    f"(expected one of: {choices(ATT_CODES)}, or a code 1..255)",
                )
            return code
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"expected an access technology name or code, got {type_name(value)}")
        if not 1 <= value <= 255:
            self.fail(name, f"access technology code must be 1..255, got {value}")
        return value

    def lli(self, name: str = "lli") -> bytes:
        """A link-layer identifier: 6 or 8 hex octets separated by ':'."""
        text = self.string(name)
        if not _LLI_RE.fullmatch(text):
            self.fail(name, f"expected 6 or 8 hex octets like '02:00:00:00:01:01', got {text!r}")
        return bytes.fromhex(text.replace(":", ""))


class Registry:
    """Values that must be unique (names, addresses), with the key of each."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: dict[object, str] = {}

    def add(self, table: Table, key: str, value: object) -> None:
        """Record ``value`` (at ``table.key``) or fail if it was seen before."""
        if value in self.seen:
            shown = value if isinstance(value, IPv6Address) else repr(value)
            table.fail(key, f"duplicate {self.what} {shown} (also {self.seen[value]})")
        self.seen[value] = table.key(key)


def array_of_tables(
    ctx: Context, data: dict[str, Any], key: str, *, required: bool = False
) -> list[Any]:
    """The top-level array of tables ``[[key]]``, checked to be one."""
    value = data.get(key, [])
    if isinstance(value, dict):
        ctx.fail(key, f"expected an array of tables [[{key}]], got a table [{key}]")
    if not isinstance(value, list):
        ctx.fail(key, f"expected an array of tables [[{key}]], got {type_name(value)}")
    if required and not value:
        ctx.fail(key, f"missing: at least one [[{key}]] is required")
    return value
