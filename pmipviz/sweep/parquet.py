"""The rows of a sweep as a Parquet file (``-o FILE.parquet``; pyarrow, imported only
then, ``pmipviz[parquet]``).

Typed columns whose schema depends on the study only, never on the values (an all-empty
column is still typed); the rows in the runs' fixed order; the writer's options fixed, so
the same rows give the same bytes. A Parquet file cannot be appended to: the whole file
is written from the rows in memory, at the end or at an interrupt, and ``--resume`` reads
it back (a file that is not readable Parquet is refused, never overwritten).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO

from pmipviz.sweep.errors import SweepError

INSTALL = "pip install 'pmipviz[parquet]'"
# every option that shapes the bytes, given explicitly (not left to pyarrow's defaults);
# nothing the writer puts in the file depends on the time or the machine: its footer
# names pyarrow's version ("parquet-cpp-arrow version 26.0.1") and nothing else
WRITE_OPTIONS: dict[str, Any] = {
    "version": "2.6",
    "data_page_version": "1.0",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 65_536,
    "write_page_checksum": True,  # --resume verifies them: a damaged page is an error
    "store_schema": True,
}


def value_kind(values: Sequence[Any]) -> type:
    """The type of a parameter's column, from all of its ``--vary`` values (booleans,
    words or numbers: a point's scenario checks refuse a mix): bool, str for words
    (``scenario.rfc5213_handoff``), int when every value is written as a whole number,
    else float."""
    if all(isinstance(v, str) for v in values):
        return str
    if all(isinstance(v, bool) for v in values):
        return bool
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return int
    return float


class ParquetRows:
    """The Parquet file of a sweep with these columns (name -> bool, int, float or str)."""

    def __init__(self, path: str, kinds: dict[str, type]) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise SweepError(f"-o {path}: writing .parquet needs pyarrow: {INSTALL}") from None
        self.path = path
        self.pa, self.pq = pa, pq
        arrow = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}
        self.schema = pa.schema([pa.field(name, arrow[kind]) for name, kind in kinds.items()])
        self.names: list[str] = list(kinds)

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """A row as its values in the columns' order: how rows wait to be written (a
        quarter of a dict's memory)."""
        return tuple(row[name] for name in self.names)

    def to_bytes(self, rows: Sequence[tuple[Any, ...]]) -> bytes:
        """The whole file of ``rows`` (each row's ``values``; None is a null)."""
        pa = self.pa
        columns = [pa.array([row[i] for row in rows], type=f.type)
                   for i, f in enumerate(self.schema)]
        table = pa.Table.from_arrays(columns, schema=self.schema)
        sink = pa.BufferOutputStream()
        self.pq.write_table(table, sink, **WRITE_OPTIONS)
        data: bytes = sink.getvalue().to_pybytes()
        return data

    def write(self, rows: Sequence[tuple[Any, ...]], out: BinaryIO) -> None:
        """Write the whole file of ``rows`` to ``out``."""
        out.write(self.to_bytes(rows))

    def read_done(self, path: str, keys: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows of ``path`` (as ``values``) that are the first runs of this sweep
        (``keys``: each run's parameters, seed and mode), in order, their key values those
        of ``keys`` (``5``, not ``5.0``, in a float column as in the study). A missing
        or empty file has none; a file that is not readable Parquet (cut short, damaged,
        another format), has other columns or types, more rows than the sweep has runs, or
        a row that is not the next run is an error naming the file (and the row)."""
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        except OSError as err:
            raise SweepError(f"--resume {path}: cannot read: {err.strerror}") from None
        if not data:
            return []
        pa, pq = self.pa, self.pq
        try:
            file = pq.ParquetFile(pa.BufferReader(data), page_checksum_verification=True)
            schema = file.schema_arrow
            self._check_schema(path, schema)
            # no thread pool: after a threaded read, 4 of 40 `--resume` runs aborted at
            # exit ("terminate called without an active exception", Arrow's pool torn
            # down with a thread alive); 0 of 40 without
            table = file.read(use_threads=False)
        except (pa.ArrowException, OSError) as err:
            reason = " ".join(str(err).split()) or type(err).__name__
            raise SweepError(f"--resume {path}: not a readable Parquet file (cut short or "
                             f"damaged?), left as it is: {reason}") from None
        n = table.num_rows
        if n > len(keys):
            raise SweepError(f"--resume {path}: more rows ({n:,}) than this sweep has "
                             f"runs ({len(keys):,})")
        # column by column: a tenth of the time of row dicts
        columns = [column.to_pylist() for column in table.columns]
        wrong = n  # the first row that is not its run
        for name in keys[0] if keys else ():
            i = self.names.index(name)
            want = [key[name] for key in keys[:n]]
            wrong = min(wrong, _first_difference(columns[i], want))
            columns[i] = want
        if wrong < n:
            expected = ", ".join(f"{c}={v}" for c, v in keys[wrong].items())
            raise SweepError(f"--resume {path}: row {wrong + 1}: not run {wrong + 1} of this "
                             f"sweep (expected {expected})")
        return list(zip(*columns, strict=True))

    def _check_schema(self, path: str, schema: Any) -> None:
        if schema.names != self.schema.names:
            raise SweepError(f"--resume {path}: not the columns of this sweep "
                             "(other parameters or scenario?)")
        for field, want in zip(schema, self.schema, strict=True):
            if field.type != want.type:
                raise SweepError(f"--resume {path}: column {field.name!r} is {field.type}, "
                                 f"this sweep writes {want.type}")


def _first_difference(found: Sequence[Any], want: Sequence[Any]) -> int:
    """The index of the first value of ``found`` unequal to ``want``'s (its length if none)."""
    return next((i for i, (a, b) in enumerate(zip(found, want, strict=True)) if a != b),
                len(found))
