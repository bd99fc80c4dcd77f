"""Parameter studies: a scenario run over a grid of parameter values, seeds and modes
(``pmipviz sweep``), on a local process pool or a Dask cluster, one row per run."""

from pmipviz.sweep.errors import SweepError

__all__ = ["SweepError"]
