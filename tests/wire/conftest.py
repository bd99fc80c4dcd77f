"""Fixtures of the wire tests: ``tshark``, Wireshark's dissectors reading a pcap.

A test that asks for ``tshark`` is skipped when tshark is not installed, or fails
with ``PMIPVIZ_REQUIRE_TOOLS=1`` (CI installs it: apt-get install tshark). The
independent stdlib reader of the same files is a module, ``pcap_reader.py``."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from os import PathLike

import pytest

TSHARK = shutil.which("tshark")


def tshark_fields(
    pcap: str | PathLike[str],
    *fields: str,
    display_filter: str | None = None,
    prefs: dict[str, str] | None = None,
    resolve: bool = False,
) -> list[dict[str, str]]:
    """``tshark -r pcap -T fields -e f1 -e f2 ... [-Y filter]``, one dict per packet shown.

    Every requested field is a key; an absent field is ``""``; a field that occurs
    several times in a packet (two HNP options, the two ``ipv6.nxt`` of a tunnelled
    packet) has its values joined with ``","``. Booleans print as ``1``/``0`` in
    tshark 4.0, bytes fields as plain hex. ``frame.number`` is always included.
    ``prefs`` become ``-o name:value`` (e.g. ``{"udp.check_checksum": "TRUE"}``).
    ``resolve`` turns on network name resolution from the file's own names (``-N n``:
    the pcapng Name Resolution Blocks and hosts files, never DNS) instead of ``-n``.
    Raises RuntimeError if tshark fails.
    """
    assert TSHARK is not None
    names = ["frame.number", *(f for f in fields if f != "frame.number")]
    cmd = [TSHARK, *(["-N", "n"] if resolve else ["-n"]), "-r", str(pcap), "-T", "fields"]
    cmd += ["-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for name in names:
        cmd += ["-e", name]
    for name, value in (prefs or {}).items():
        cmd += ["-o", f"{name}:{value}"]
    if display_filter:
        cmd += ["-Y", display_filter]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    rows = []
    for line in proc.stdout.splitlines():
        values = line.split("\t")
        values += [""] * (len(names) - len(values))
        rows.append(dict(zip(names, values, strict=True)))
    return rows


@pytest.fixture(scope="session")
def tshark(require_tool: Callable[[str, bool], None]) -> Callable[..., list[dict[str, str]]]:
    """``tshark(pcap, *fields, display_filter=None, prefs=None)``: see ``tshark_fields``."""
    require_tool("tshark", TSHARK is not None)
    return tshark_fields


def tshark_output(*args: str) -> str:
    """The standard output of ``tshark ARGS`` (e.g. ``-r f -q -z flow,any,network``);
    RuntimeError if it fails."""
    assert TSHARK is not None
    cmd = [TSHARK, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


@pytest.fixture(scope="session")
def tshark_run(require_tool: Callable[[str, bool], None]) -> Callable[..., str]:
    """``tshark_run(*args)``: see ``tshark_output``."""
    require_tool("tshark", TSHARK is not None)
    return tshark_output
