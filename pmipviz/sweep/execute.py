"""Batches of runs through one seam, a ``concurrent.futures.Executor`` (a local process
pool, or a Dask cluster's ``Client.get_executor()``), results handed back in the runs'
order whatever order the workers finish in."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from pmipviz.sweep.errors import SweepError
from pmipviz.sweep.runs import ignore_sigint

T = TypeVar("T")
R = TypeVar("R")


def batches(items: Sequence[T], workers: int, most: int = 16) -> list[list[T]]:
    """``items`` cut into consecutive batches: a few per worker (so the last ones keep
    every worker busy), at most ``most`` items each (so progress and Ctrl-C stay close)."""
    size = max(1, min(most, len(items) // (4 * max(workers, 1))))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def in_order(executor: Executor, fn: Callable[[T], R], jobs: Sequence[T], window: int,
             done: Callable[[int], None] | None = None) -> Iterator[R]:
    """``fn(job)`` for every job, computed on ``executor`` with at most ``window`` jobs
    submitted ahead of the next one handed back, and handed back in the jobs' order.
    ``done(i)`` is called (from another thread) as each job finishes. Leaving early (an
    exception, Ctrl-C, ``close()``) cancels the jobs not started."""
    pending: dict[int, Future[R]] = {}
    submitted = 0
    try:
        for i in range(len(jobs)):
            while submitted < len(jobs) and submitted - i < window:
                future = executor.submit(fn, jobs[submitted])
                if done is not None:
                    future.add_done_callback(_notify(done, submitted))
                pending[submitted] = future
                submitted += 1
            yield pending.pop(i).result()
    finally:
        for future in pending.values():
            future.cancel()


def _notify(done: Callable[[int], None], i: int) -> Callable[[Future[Any]], None]:
    def callback(future: Future[Any]) -> None:
        if not future.cancelled() and future.exception() is None:
            done(i)

    return callback


@contextmanager
def local_executor(workers: int) -> Iterator[Executor]:
    """A process pool of ``workers`` processes (forkserver: no fork of a process that
    runs threads, such as the progress bar's); Ctrl-C is the parent's alone."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pmipviz.sweep.runs"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=ignore_sigint)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def dask_executor(address: str, timeout_s: float = 30.0) -> Iterator[tuple[Executor, int]]:
    """The executor of a Dask distributed cluster at ``address`` and its thread count
    (dask and distributed are imported here only: a local sweep does not need them)."""
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("--scheduler needs dask and distributed: pip install "
                         "'pmipviz[dask]'") from None
    try:
        client = Client(address, timeout=timeout_s)
    except (OSError, TimeoutError, ValueError) as err:
        raise SweepError(f"--scheduler {address}: cannot connect: {err}") from None
    try:
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise SweepError(f"--scheduler {address}: the cluster has no workers")
        # pure=False: every batch runs, none is taken for another with the same arguments
        yield client.get_executor(pure=False), threads
    finally:
        client.close()
