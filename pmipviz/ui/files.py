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


MAX_SCENARIO_FILES = 200
SCENARIO_DEPTH = 2  # the working directory and two levels below it
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "__snapshots__", "site-packages"})


def scenario_files(directory: Path) -> list[Path]:
    """The ``.toml`` files in ``directory`` and up to ``SCENARIO_DEPTH`` levels below,
    relative to it, sorted, at most ``MAX_SCENARIO_FILES``: hidden folders (``.venv``,
    ``.git``) and package folders are skipped, and symlinked folders are not followed, so
    a big or looping tree cannot hang the palette."""
    found: list[Path] = []
    level = [directory]
    for depth in range(SCENARIO_DEPTH + 1):
        below: list[Path] = []
        for folder in level:
            try:
                entries = sorted(folder.iterdir())
            except OSError:  # unreadable: nothing to offer there
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    if depth < SCENARIO_DEPTH and entry.name not in SKIPPED_DIRS:
                        below.append(entry)
                elif entry.suffix == ".toml" and entry.is_file():
                    found.append(entry.relative_to(directory))
                    if len(found) >= MAX_SCENARIO_FILES:
                        return sorted(found)
        level = below
    return sorted(found)
