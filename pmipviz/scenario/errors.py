"""The one exception a bad scenario raises."""

from __future__ import annotations

from pmipviz.scenario.text import printable


class ScenarioError(Exception):
    """A bad scenario: the file, the line (when known), the key and what is wrong.

    ``str(err)`` is ``"{file}:{line}: {key}: {message}"``; ``:{line}`` is left
    out when the line is unknown and ``{key}: `` when the error concerns the
    whole file (missing file, empty file, invalid TOML). Control and bidi characters
    (from a file name or an unknown key) are shown escaped, never sent raw.
    """

    def __init__(self, file: str, line: int | None, key: str, message: str) -> None:
        super().__init__(file, line, key, message)
        self.file = file
        self.line = line
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.key:
            return printable(f"{where}: {self.key}: {self.message}")
        return printable(f"{where}: {self.message}")
