"""``pmipviz sweep --scheduler``: on a real Dask distributed cluster (a scheduler and two
workers started here on localhost, torn down after) the rows are the local pool's."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sweep.study import RUNS, sweep_args

STARTUP_S = 90.0  # the slowest a scheduler and its workers may take to be ready
SWEEP_S = 180.0  # the slowest the study may take


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=20)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """The address of a scheduler with two single-threaded workers, all on loopback."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = [sys.executable, "-m", "dask"]
    logs = [open(tmp_path / f"dask-{i}.log", "wb") for i in range(3)]  # noqa: SIM115
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"],
                              stdout=logs[0], stderr=subprocess.STDOUT)]
    try:
        for i in (1, 2):
            procs.append(subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(tmp_path)],
                stdout=logs[i], stderr=subprocess.STDOUT))
        deadline = time.monotonic() + STARTUP_S
        with Client(address, timeout=STARTUP_S) as client:
            client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
        yield address
    finally:
        _stop(procs)
        for log in logs:
            log.close()


def _sweep(*args: str) -> None:
    """The study in a child process, so that a cluster gone wrong cannot hang the test."""
    proc = subprocess.run([sys.executable, "-m", "pmipviz", *args], capture_output=True,
                          text=True, timeout=SWEEP_S)
    assert proc.returncode == 0, proc.stderr


def test_a_dask_cluster_gives_the_local_rows(tmp_path: Path, scenario: Path,
                                             dask_cluster: str) -> None:
    for ext in ("csv", "jsonl", "parquet"):
        local, remote = tmp_path / f"local.{ext}", tmp_path / f"dask.{ext}"
        _sweep(*sweep_args(scenario, local, "--workers", "2"))
        _sweep(*sweep_args(scenario, remote, "--scheduler", dask_cluster))
        assert remote.read_bytes() == local.read_bytes()
        if ext == "parquet":
            import pyarrow.parquet as pq

            assert pq.ParquetFile(remote).metadata.num_rows == RUNS
        else:
            assert len(remote.read_text().splitlines()) == RUNS + (ext == "csv")
