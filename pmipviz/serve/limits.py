"""What one ``pmipviz serve`` lets browsers ask for: the terminal size of an app, the
number of apps at once, and the web origins whose pages may start one."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MIN_SIZE = (20, 8)
"""Smallest terminal (columns, rows) an app is given."""
MAX_SIZE = (500, 200)
"""Largest terminal (columns, rows): a 4K screen at a small font is ~480x130."""
DEFAULT_SIZE = (80, 24)
"""The size used when the browser sends something that is not a number."""

DEFAULT_MAX_SESSIONS = 16
"""Apps at once: one app is ~60 MB and 0.1-0.3 of a core while playing, so 16 fit in
~1 GB and a few cores of a teacher's laptop; larger rooms raise it (``--max-sessions``)."""

MAX_SESSIONS_LIMIT = 1000
"""The largest ``--max-sessions`` accepted."""

WILDCARDS = frozenset({"", "0.0.0.0", "::"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def _number(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """The terminal size an app gets for what a browser asked (any JSON or query value)."""
    cols = _number(width, DEFAULT_SIZE[0])
    rows = _number(height, DEFAULT_SIZE[1])
    return (min(max(cols, MIN_SIZE[0]), MAX_SIZE[0]), min(max(rows, MIN_SIZE[1]), MAX_SIZE[1]))


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, as browsers send it in ``Origin``
    (lower case, default port left out); None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _is_loopback_or_wildcard(host: str) -> bool:
    name = host.strip("[]")
    if name in WILDCARDS or name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_origins(host: str, port: int, public_url: str) -> frozenset[str]:
    """The origins whose pages may open an app: the public URL's, the bound host's,
    and, when the server listens on loopback (or everywhere), this machine's loopback
    names. A page from anywhere else is refused."""
    names = [] if host.strip("[]") in WILDCARDS else [host]
    if _is_loopback_or_wildcard(host):
        names += LOOPBACK_NAMES
    urls = [public_url]
    for name in names:
        bare = name.strip("[]")
        urls.append(f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}")
    return frozenset(o for o in map(origin_of, urls) if o is not None)
