"""``pmipviz sweep -o FILE.parquet``: the CSV's columns and values, typed (a schema that does
not depend on the values), the same bytes whatever the number of workers, a resumed file
equal to the uninterrupted one, a damaged file refused and left alone, and a one-line
error without pyarrow (imported only for this output)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pmipviz.cli import main
from pmipviz.sweep import command
from pmipviz.sweep.rows import cell_text
from tests.sweep.study import RUNS, UNTIL, VARY, sweep
from tests.sweep.test_sweep import _interrupt_after

DET, LOSS = "mag[MAG1].detection_ms", "link[MAG2-LMA].loss"


def _read(path: Path) -> tuple[pa.Schema, list[dict[str, Any]]]:
    """The file's schema and rows (read without Arrow's thread pool, as pmipviz does: a
    threaded read can abort the process at exit)."""
    file = pq.ParquetFile(path)
    return file.schema_arrow, file.read(use_threads=False).to_pylist()


def _expected_type(column: str) -> pa.DataType:
    if column == "mode":
        return pa.string()
    if column in (LOSS, "max_gap_ms") or column.endswith(".interruption_ms"):
        return pa.float64()
    return pa.int64()


def _leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


def test_the_rows_are_the_csv_rows_in_typed_columns(tmp_path: Path, scenario: Path) -> None:
    table, text = tmp_path / "rows.parquet", tmp_path / "rows.csv"
    assert sweep(scenario, table, "--workers", "2") == 0
    assert sweep(scenario, text, "--workers", "2") == 0
    schema, rows = _read(table)
    with open(text, newline="") as f:
        header, *lines = list(csv.reader(f))
    assert schema.names == header
    assert {f.name: f.type for f in schema} == {c: _expected_type(c) for c in header}
    assert len(rows) == len(lines) == RUNS
    assert [[cell_text(row[c]) for c in header] for row in rows] == lines  # values and order
    gaps = [row["handovers[0].interruption_ms"] for row in rows]
    assert None in gaps and any(isinstance(g, float) for g in gaps)  # nulls, and values
    # a sweep whose handover column is empty in every row: the same schema, the column typed
    empty = tmp_path / "rfc5213.parquet"
    assert main(["sweep", str(scenario), *VARY, "--seeds", "1", "--mode", "rfc5213",
                 "--until", UNTIL, "-o", str(empty), "--no-summary", "--workers", "1"]) == 0
    same_schema, rfc_rows = _read(empty)
    assert [row["handovers[0].interruption_ms"] for row in rfc_rows] == [None] * 4
    assert same_schema == schema


def test_the_same_bytes_with_one_and_two_workers(tmp_path: Path, scenario: Path) -> None:
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert sweep(scenario, one, "--workers", "1") == 0
    assert sweep(scenario, two, "--workers", "2") == 0
    assert one.read_bytes() == two.read_bytes()
    assert len(_read(one)[1]) == RUNS


def test_interrupted_then_resumed_is_the_uninterrupted_file(
        tmp_path: Path, scenario: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    whole, part = tmp_path / "whole.parquet", tmp_path / "part.parquet"
    args = ["sweep", str(scenario), *VARY, "--seeds", "1-2", "--mode", "ft,rfc5213",
            "--until", UNTIL, "--workers", "2"]
    assert main([*args, "-o", str(whole)]) == 0
    summary = capsys.readouterr().out
    with monkeypatch.context() as m:
        m.setattr(command, "in_order", _interrupt_after(3))
        assert sweep(scenario, part, "--workers", "2") == 130
    err = capsys.readouterr().err
    _, kept = _read(part)  # written whole at the interrupt: a readable file
    _, rows = _read(whole)
    assert 0 < len(kept) < RUNS and f"kept {len(kept)} of {RUNS} runs" in err
    assert kept == rows[:len(kept)]  # the finished prefix, in order
    assert _leftovers(tmp_path) == []
    # the rows read back give the summary a whole sweep gives (the same values and labels)
    assert main([*args, "-o", str(part), "--resume"]) == 0
    assert capsys.readouterr().out == summary
    assert part.read_bytes() == whole.read_bytes()
    assert sweep(scenario, part, "--resume") == 0  # a finished sweep stays as it is
    assert part.read_bytes() == whole.read_bytes()


def _damage_a_page(data: bytes) -> bytes:
    """``data`` with one bit of the seed column's values flipped (the page's checksum
    no longer matches; the footer still reads)."""
    import io

    chunk = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(2)
    assert chunk.path_in_schema == "seed"
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    damaged = bytearray(data)
    damaged[start + chunk.total_compressed_size - 1] ^= 0x01
    return bytes(damaged)


@pytest.mark.parametrize(("damage", "fragment"), [
    (lambda data: data[:-7], "Parquet magic bytes not found in footer"),
    (lambda data: data[:len(data) // 2], "Parquet magic bytes not found in footer"),
    (_damage_a_page, "CRC checksum verification failed"),
    (lambda data: b"sent,delivered\n200,200\n", "not a readable Parquet file"),
], ids=["cut-7", "cut-half", "flipped-bit", "csv"])
def test_a_damaged_file_is_refused_and_left_alone(
        tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str],
        damage: Any, fragment: str) -> None:
    out = tmp_path / "rows.parquet"
    assert sweep(scenario, out, "--workers", "1") == 0
    out.write_bytes(damage(out.read_bytes()))
    before = out.read_bytes()
    capsys.readouterr()
    assert sweep(scenario, out, "--resume") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pmipviz sweep: --resume {out}: not a readable Parquet file "
                          "(cut short or damaged?), left as it is: ")
    assert fragment in err
    assert out.read_bytes() == before and _leftovers(tmp_path) == []


@pytest.mark.parametrize(("vary", "seeds", "fragment"), [
    (["--vary", "mag[MAG1].detection_ms=5,50"], "1-2",
     "not the columns of this sweep (other parameters or scenario?)"),
    (["--vary", "mag[MAG1].detection_ms=5,60", "--vary", "link[MAG2-LMA].loss=0:0.2:0.2"],
     "1-2", "row 9: not run 9 of this sweep (expected mag[MAG1].detection_ms=60, "
     "link[MAG2-LMA].loss=0.0, seed=1, mode=ft)"),
    (["--vary", "mag[MAG1].detection_ms=5.0,50", "--vary", "link[MAG2-LMA].loss=0:0.2:0.2"],
     "1-2", "column 'mag[MAG1].detection_ms' is int64, this sweep writes double"),
    (VARY, "1", "more rows (16) than this sweep has runs (8)"),
], ids=["columns", "values", "types", "more-rows"])
def test_resume_refuses_the_file_of_another_sweep(
        tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str],
        vary: list[str], seeds: str, fragment: str) -> None:
    out = tmp_path / "rows.parquet"
    assert sweep(scenario, out, "--workers", "1") == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["sweep", str(scenario), *vary, "--seeds", seeds, "--mode", "ft,rfc5213",
                 "--until", UNTIL, "-o", str(out), "--resume", "--no-summary"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"pmipviz sweep: --resume {out}: ")
    assert fragment in err
    assert out.read_bytes() == before


def test_without_pyarrow_one_line_says_how_to_install(
        tmp_path: Path, scenario: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "rows.parquet"
    assert sweep(scenario, out) == 2
    outs = capsys.readouterr()
    assert outs.out == ""
    assert outs.err == (f"pmipviz sweep: -o {out}: writing .parquet needs pyarrow: "
                        "pip install 'pmipviz[parquet]'\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.toml"]  # nothing ran


def test_pyarrow_is_imported_only_for_a_parquet_output(tmp_path: Path, scenario: Path) -> None:
    script = ("import sys\nfrom pmipviz.cli import main\n"
              "code = main(sys.argv[2:])\n"
              "assert ('pyarrow' in sys.modules) == (sys.argv[1] == 'parquet'), sys.argv[1]\n"
              "sys.exit(code)\n")
    for ext in ("csv", "jsonl", "parquet"):
        proc = subprocess.run(
            [sys.executable, "-c", script, ext, "sweep", str(scenario), "--mode", "ft",
             "--until", UNTIL, "--workers", "1", "--no-summary", "-o",
             str(tmp_path / f"rows.{ext}")],
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
