"""``pmipviz sweep``: the study built and checked, its runs on a process pool or a Dask
cluster, the rows written in order (Ctrl-C keeps the rows finished so far, ``--resume``
goes on from them; a Parquet file is written whole from the rows in memory, at the end
or at the interrupt), the summary printed and the study drawn (``--plot``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import ExitStack, contextmanager
from typing import IO, Any, BinaryIO, cast

from pmipviz.outputs import AtomicOutput, OutputError, refuse_overlaps, sigterm_as_exit
from pmipviz.scenario.model import MODES
from pmipviz.sweep.errors import SweepError
from pmipviz.sweep.execute import batches, dask_executor, in_order, local_executor
from pmipviz.sweep.grid import Run, Study, build_study
from pmipviz.sweep.params import parse_modes, parse_seeds
from pmipviz.sweep.parquet import ParquetRows, value_kind
from pmipviz.sweep.plot import check_plot, draw, plot_columns
from pmipviz.sweep.rows import RowFormat, output_format, read_done
from pmipviz.sweep.runs import metric_columns, metric_kind, run_batch
from pmipviz.sweep.summary import print_summary, summary_metrics


def main(args: argparse.Namespace) -> int:
    """Run the sweep of ``args``; bad input raises SweepError or ScenarioError."""
    seeds = None if args.seeds is None else parse_seeds(args.seeds)
    modes = None if args.mode is None else parse_modes(args.mode, MODES)
    if args.resume and args.output is None:
        raise SweepError("--resume needs -o FILE (the rows to go on from)")
    ext = None if args.output is None else output_format(args.output)
    study = build_study(args.scenario, args.vary, seeds, modes, args.until)
    metrics = metric_columns(study.base)
    plot = check_plot(args.plot, args.x, args.y, study, metrics)
    outputs = [(o, p) for o, p in (("-o", args.output), ("--plot", args.plot)) if p is not None]
    if outputs:
        inputs = {} if study.base.path is None else {"the scenario file": study.base.path}
        try:
            refuse_overlaps(outputs, inputs)
        except OutputError as err:
            raise SweepError(str(err)) from None
    keys = [p.path for p in study.params] + ["seed", "mode"]
    fmt = RowFormat(ext or ".csv", keys, metrics)
    # a Parquet file (pyarrow imported only now): its rows are kept to write it whole
    table = (ParquetRows(args.output, _kinds(study, metrics))
             if args.output is not None and ext == ".parquet" else None)
    runs = study.runs
    key_rows = [_key_row(study, r) for r in runs]
    done_lines: list[str] = []
    table_rows: list[tuple[Any, ...]] = []  # every row of a Parquet file, to write it whole
    if table is not None:
        table_rows = table.read_done(table.path, key_rows) if args.resume else []
        done_rows = [dict(zip(fmt.columns, values, strict=True)) for values in table_rows]
    else:
        done_lines = (read_done(args.output, fmt, [fmt.key_prefix(k) for k in key_rows])
                      if args.resume else [])
        done_rows = [fmt.parse(line) for line in done_lines]
    # what the summary reads of each row, kept (not whole rows: a sweep may be long)
    summary = [] if args.no_summary else summary_metrics(fmt.columns)
    figure = plot_columns(plot)
    kept = [*keys, *summary, *(c for c in figure if c not in summary)] if summary or figure \
        else []
    rows: list[dict[str, Any]] = [_trim(row, kept) for row in done_rows]
    finished = len(done_rows)
    todo = runs[finished:]
    interrupted = False
    with sigterm_as_exit(), ExitStack() as stack:
        # the workers first: a cluster that cannot be reached leaves the output alone
        executor, workers = (stack.enter_context(_executor(args, len(todo))) if todo
                             else (None, 1))
        out = stream = None
        if args.output is not None:
            out = AtomicOutput(args.output, binary=table is not None)
            if table is None:
                stream = cast(IO[str], out.stream)
                stream.write(fmt.header() + "".join(done_lines))
        try:
            for row in _execute(stack, executor, workers, study, todo, len(done_rows),
                                len(runs)):
                if stream is not None:
                    stream.write(fmt.line(row))
                    stream.flush()  # the temporary file shows the progress made
                elif table is not None:
                    table_rows.append(table.values(row))
                finished += 1
                if kept:
                    rows.append(_trim(row, kept))
        except (KeyboardInterrupt, SystemExit) as stop:
            interrupted = True
            code = stop.code if isinstance(stop, SystemExit) else 130
        finally:
            if out is not None:  # the rows finished so far, in order, are always kept
                _commit(out, table, table_rows)
    if interrupted:
        what = (f"kept {finished:,} of {len(runs):,} runs in {args.output} (--resume goes on)"
                if args.output else f"after {finished:,} of {len(runs):,} runs")
        print(f"pmipviz: interrupted: {what}", file=sys.stderr)
        return code if isinstance(code, int) else 130
    if not args.no_summary:
        print_summary(rows, keys[:-2], study.modes, fmt.columns,
                      f"{study.base.title} · {len(runs):,} runs")
    if plot is not None:
        with sigterm_as_exit():
            figure_out = AtomicOutput(plot.path, binary=True)
            try:
                draw(plot, study, rows, cast(BinaryIO, figure_out.stream))
            except BaseException:
                figure_out.discard()
                raise
            figure_out.commit()
    return 0


def _commit(out: AtomicOutput, table: ParquetRows | None,
            table_rows: list[tuple[Any, ...]]) -> None:
    """Put the output in place: a Parquet file is written whole from ``table_rows`` first."""
    if table is not None:
        try:
            table.write(table_rows, cast(BinaryIO, out.stream))
        except BaseException:
            out.discard()
            raise
    out.commit()


def _kinds(study: Study, metrics: list[str]) -> dict[str, type]:
    """Each column's type, from the study alone (a typed output's schema)."""
    kinds = {p.path: value_kind(p.values) for p in study.params}
    kinds.update({"seed": int, "mode": str})
    kinds.update({m: metric_kind(m) for m in metrics})
    return kinds


def _trim(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    return {c: row[c] for c in columns}


def _key_row(study: Study, run: Run) -> dict[str, Any]:
    key = {p.path: v for p, v in zip(study.params, study.points[run.point], strict=True)}
    key["seed"] = run.seed
    key["mode"] = run.mode
    return key


def _execute(stack: ExitStack, executor: Executor | None, workers: int, study: Study,
             todo: list[Run], already: int, total: int) -> Iterator[dict[str, Any]]:
    """The rows of ``todo``, in order, computed on ``executor`` (None when none is left)."""
    if executor is None or not todo:
        return
    jobs = batches([(study.scenarios[r.point], r.mode, r.seed, study.until_ms)
                    for r in todo], workers)
    keys = [_key_row(study, r) for r in todo]
    advance = stack.enter_context(_progress_bar(already, total))
    sizes = [len(job) for job in jobs]
    i = 0
    for results in in_order(executor, run_batch, jobs, window=4 * workers,
                            done=lambda j: advance(sizes[j])):
        for metrics in results:
            yield {**keys[i], **metrics}
            i += 1


@contextmanager
def _executor(args: argparse.Namespace, runs: int) -> Iterator[tuple[Executor, int]]:
    if args.scheduler is not None:
        with dask_executor(args.scheduler) as (executor, threads):
            yield executor, threads
        return
    workers = args.workers or os.cpu_count() or 1
    workers = max(1, min(workers, runs))
    with local_executor(workers) as pool:
        yield pool, workers


@contextmanager
def _progress_bar(already: int, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar with an ETA on stderr (when it is a terminal)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    bar = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    task = bar.add_task("runs", total=total, completed=already)
    with bar:
        yield lambda n: bar.advance(task, n)
