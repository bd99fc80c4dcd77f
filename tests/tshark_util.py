"""Run tshark over a pcap and return the requested fields, one dict per packet."""

from __future__ import annotations

import os
import shutil
import subprocess
from os import PathLike

TSHARK = shutil.which("tshark")
SKIP_REASON = "tshark is not installed (CI installs it: apt-get install tshark)"
if TSHARK is None and os.environ.get("PMIPVIZ_REQUIRE_TOOLS") == "1":
    raise RuntimeError(f"PMIPVIZ_REQUIRE_TOOLS=1 but {SKIP_REASON}")


def tshark_fields(
    pcap: str | PathLike[str],
    *fields: str,
    display_filter: str | None = None,
    prefs: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """``tshark -r pcap -T fields -e f1 -e f2 ... [-Y filter]``, one dict per packet shown.

    Every requested field is a key; an absent field is ``""``; a field that occurs
    several times in a packet (two HNP options, the two ``ipv6.nxt`` of a tunnelled
    packet) has its values joined with ``","``. Booleans print as ``1``/``0`` in
    tshark 4.0, bytes fields as plain hex. ``frame.number`` is always included.
    ``prefs`` become ``-o name:value`` (e.g. ``{"udp.check_checksum": "TRUE"}``).
    Raises RuntimeError if tshark fails.
    """
    if TSHARK is None:
        raise RuntimeError(SKIP_REASON)
    names = ["frame.number", *(f for f in fields if f != "frame.number")]
    cmd = [TSHARK, "-n", "-r", str(pcap), "-T", "fields"]
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
