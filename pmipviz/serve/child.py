"""``python -m pmipviz.serve.child SCENARIO``: the app of one browser tab.

It first asks Linux to SIGKILL it when the server that started it dies
(``PR_SET_PDEATHSIG``), so no app outlives a killed server, then runs the TUI as
``pmipviz SCENARIO`` would."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from pmipviz.serve.session import PARENT_ENV

PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """SIGKILL this process when its parent dies (Linux; elsewhere the server's
    shutdown is all there is); False when the parent named by ``PMIPVIZ_SERVE_PARENT``
    is already gone."""
    expected = os.environ.get(PARENT_ENV)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    return expected is None or str(os.getppid()) == expected


def main(argv: list[str]) -> int:
    if not die_with_parent():
        return 1
    from pmipviz.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
