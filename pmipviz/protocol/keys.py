"""The keys the trace names things by: one type each, and the only code that reads or
writes their strings.

- an MN interface: :class:`IfaceKey`, ``"mn1@example.org/IF1"`` (a node name in the
  trace, a fault's ``interface``, a BUL entry's key, ``Forward.to``);
- a MAG's Binding Update List entry: :class:`BulKey`, ``"MAG1:mn1@example.org/IF1"``
  (the ``key`` of a ``bul`` state event);
- an LMA Binding Cache entry: ``"mn1@example.org#1"`` (``bce_mn`` reads its MN), and
  the LMA's §5.4.1.2 wait for it, ``"wait:mn1@example.org#1"`` (``wait_key``,
  ``waited_bce``).

The trace (a file) and the hot dictionaries (the world's interfaces, the MAG's BUL)
keep the plain strings: an ``IfaceKey`` as a dict key hashes in Python, a ``str``
hashes once and caches it. Code that needs a part parses the string here, once
(``IfaceKey.parse`` is cached), instead of splitting it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_WAIT = "wait:"


def short_mn(mn_id: str) -> str:
    """``"mn1@example.org"`` -> ``"mn1"`` (a display name)."""
    return mn_id.split("@", 1)[0]


@lru_cache(maxsize=65536)
def _parse_iface(text: str) -> IfaceKey:
    """The key of ``"mn-id/IF"``; ValueError when ``text`` is not one."""
    mn_id, slash, name = text.rpartition("/")
    if not slash or not mn_id or not name:
        raise ValueError(f"expected 'mn-id/IFNAME', got {text!r}")
    return IfaceKey(mn_id, name)


@dataclass(frozen=True, slots=True)
class IfaceKey:
    """An MN interface: its MN's MN-ID and its name (which has no ``/``)."""

    mn_id: str
    name: str

    def __str__(self) -> str:
        """The trace's form: ``"mn1@example.org/IF1"``."""
        return f"{self.mn_id}/{self.name}"

    @property
    def short(self) -> str:
        """The display form: ``"mn1/IF1"``."""
        return f"{short_mn(self.mn_id)}/{self.name}"

    parse = staticmethod(_parse_iface)  # IfaceKey.parse("mn-id/IF"), cached

    @staticmethod
    def is_key(node: str) -> bool:
        """Whether a trace node name is an MN interface's (other nodes have no ``/``)."""
        return "/" in node


@lru_cache(maxsize=65536)
def short_iface(key: str) -> str:
    """``"mn1@example.org/IF1"`` -> ``"mn1/IF1"`` (cached: every note that names an
    interface asks)."""
    return _parse_iface(key).short


def short_node(node: str) -> str:
    """A node name for display: an interface's short form, any other node as it is."""
    return short_iface(node) if IfaceKey.is_key(node) else node


@dataclass(frozen=True, slots=True)
class BulKey:
    """A MAG's Binding Update List entry: the MAG and the interface."""

    mag: str
    iface: IfaceKey

    def __str__(self) -> str:
        """The trace's form: ``"MAG1:mn1@example.org/IF1"``."""
        return BulKey.text(self.mag, str(self.iface))

    @staticmethod
    def text(mag: str, iface: str) -> str:
        """The trace's form of the key of ``mag``'s entry for the interface ``iface``
        (an ``IfaceKey``'s string), without building the key: the MAG writes one for
        every BUL change."""
        return f"{mag}:{iface}"

    @staticmethod
    def parse(text: str) -> BulKey:
        """The key of ``"MAG:mn-id/IF"`` (cached); ValueError when ``text`` is not one."""
        return _parse_bul(text)


@lru_cache(maxsize=65536)
def _parse_bul(text: str) -> BulKey:
    mag, colon, iface = text.partition(":")
    if not colon or not mag:
        raise ValueError(f"expected 'MAG:mn-id/IFNAME', got {text!r}")
    return BulKey(mag, _parse_iface(iface))


def bce_key(mn_id: str, n: int) -> str:
    """The key of the MN's ``n``-th Binding Cache entry: ``"mn1@example.org#1"``."""
    return f"{mn_id}#{n}"


def bce_mn(bce_key: str) -> str:
    """The MN-ID of a Binding Cache entry's key: ``"mn1@example.org#1"`` -> ``"mn1@..."``."""
    return bce_key.rpartition("#")[0]


def wait_key(bce_key: str) -> str:
    """The key of the LMA's §5.4.1.2 wait for the entry ``bce_key``."""
    return _WAIT + bce_key


def waited_bce(key: str) -> str | None:
    """The entry a wait key waits for (``"wait:mn#1"`` -> ``"mn#1"``); None for a key
    that is not a wait's."""
    return key[len(_WAIT):] if key.startswith(_WAIT) else None
