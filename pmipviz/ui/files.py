"""Files the TUI writes in the working directory, never over an existing one."""

from __future__ import annotations

from pathlib import Path

MAX_TRIES = 10_000


def free_name(directory: Path, name: str) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``… : the first not taken in ``directory``
    (a second screenshot at the same event keeps the first)."""
    path = Path(name)
    candidate = name
    for k in range(2, MAX_TRIES):
        if not (directory / candidate).exists() and not (directory / candidate).is_symlink():
            return candidate
        candidate = f"{path.stem}-{k}{path.suffix}"
    raise FileExistsError(f"{directory / name}: {MAX_TRIES} screenshots of it already exist")
