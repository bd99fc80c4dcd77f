"""The rows of a sweep as CSV or JSON Lines: one line per run, written in the runs'
fixed order, and read back for ``--resume`` (the lines already there are kept as they
are, so a resumed sweep writes the same bytes as an uninterrupted one). Parquet, the
third format, is ``pmipviz.sweep.parquet``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from pmipviz.sweep.errors import SweepError

FORMATS = (".csv", ".jsonl", ".parquet")


def output_format(path: str) -> str:
    """``.csv``, ``.jsonl`` or ``.parquet``, from the output's name."""
    for ext in FORMATS:
        if path.lower().endswith(ext):
            return ext
    raise SweepError(f"-o {path}: expected a .csv, .jsonl or .parquet file name")


class RowFormat:
    """How rows of some columns are written: the key columns (parameters, seed, mode)
    first, then the metrics."""

    def __init__(self, ext: str, keys: Sequence[str], metrics: Sequence[str]) -> None:
        self.ext = ext
        self.keys = list(keys)
        self.columns = [*keys, *metrics]

    def header(self) -> str:
        """The first line (CSV) or nothing (JSON Lines)."""
        return self._csv(self.columns) if self.ext == ".csv" else ""

    def line(self, row: dict[str, Any]) -> str:
        """One row as one line (with its newline)."""
        if self.ext == ".csv":
            return self._csv([cell_text(row[c]) for c in self.columns])
        return json.dumps({c: row[c] for c in self.columns}) + "\n"

    def key_prefix(self, key: dict[str, Any]) -> str:
        """How a row with these key values starts: a resumed file's lines are matched
        to the runs by it."""
        if self.ext == ".csv":
            return self._csv([cell_text(key[c]) for c in self.keys])[:-1] + ","
        return json.dumps({c: key[c] for c in self.keys})[:-1] + ", "

    @staticmethod
    def _csv(cells: Sequence[str]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        return out.getvalue()

    def parse(self, line: str) -> dict[str, Any]:
        """A written line back as values (for the summary of a resumed sweep)."""
        if self.ext == ".jsonl":
            doc: dict[str, Any] = json.loads(line)
            return doc
        cells = next(csv.reader([line]))
        return {c: _parse_cell(v) for c, v in zip(self.columns, cells, strict=True)}


def cell_text(value: Any) -> str:
    """A value as a CSV cell: empty for None, true/false for a bool, else str."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_cell(text: str) -> Any:
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_done(path: str, fmt: RowFormat, prefixes: Sequence[str]) -> list[str]:
    """The lines of ``path`` that are the first runs of this sweep, in order (``prefixes``
    are how each run's row starts). A missing file has none; a last line cut short (no
    newline) is dropped; a line that is not the next run, or a CSV header that is not this
    sweep's, is an error naming the file and the line."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as err:
        raise SweepError(f"--resume {path}: cannot read: {getattr(err, 'strerror', err)}"
                         ) from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()
    header = fmt.header()
    if header:
        if not lines:
            return []
        if lines[0] != header:
            raise SweepError(f"--resume {path}: line 1: not the header of this sweep "
                             "(other parameters or scenario?)")
        lines = lines[1:]
    if len(lines) > len(prefixes):
        raise SweepError(f"--resume {path}: more rows ({len(lines):,}) than this sweep has "
                         f"runs ({len(prefixes):,})")
    offset = 2 if header else 1
    for i, (line, prefix) in enumerate(zip(lines, prefixes, strict=False)):
        if not line.startswith(prefix):
            raise SweepError(f"--resume {path}: line {i + offset}: not run {i + 1} of this "
                             f"sweep (expected a row starting {prefix.rstrip(', ')!r})")
    return lines

