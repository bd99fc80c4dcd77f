"""The study: a scenario's parameter points (each a validated Scenario), its seeds and
modes, and the runs in their fixed order (by point, then seed, then mode)."""

from __future__ import annotations

import copy
import itertools
import tomllib
from dataclasses import dataclass
from typing import Any

from pmipviz.scenario import ScenarioError, load_scenario
from pmipviz.scenario.loader import build_scenario, check_until, read_limited
from pmipviz.scenario.model import Scenario
from pmipviz.scenario.validate import Context
from pmipviz.sweep.errors import SweepError
from pmipviz.sweep.params import Parameter, apply, check_overlaps, parse_vary

MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Run:
    """One run of the study: the index of its point, a seed and a mode."""

    point: int
    seed: int
    mode: str


@dataclass(frozen=True)
class Study:
    """Everything a sweep runs, checked before anything runs."""

    base: Scenario
    params: tuple[Parameter, ...]
    points: tuple[tuple[Any, ...], ...]  # the parameter values, one tuple per point
    scenarios: tuple[Scenario, ...]  # one per point
    seeds: tuple[int, ...]
    modes: tuple[str, ...]
    until_ms: float | None = None

    @property
    def runs(self) -> list[Run]:
        """Every run in the rows' order: by point, seed, mode."""
        return [Run(p, s, m) for p in range(len(self.points)) for s in self.seeds
                for m in self.modes]


def build_study(name: str, varies: list[str], seeds: tuple[int, ...] | None,
                modes: tuple[str, ...] | None, until_ms: float | None = None) -> Study:
    """Load ``name``, resolve the ``--vary`` texts and build (so validate) the scenario of
    every point. A SweepError or ScenarioError names the first problem."""
    base = load_scenario(name)
    assert base.path is not None
    shown = str(name)
    text = read_limited(base.path, shown).decode("utf-8-sig")
    data = tomllib.loads(text)
    params = [parse_vary(v, data) for v in varies]
    if len({p.path for p in params}) != len(params):
        raise SweepError("--vary: a path is given twice")
    check_overlaps(params)
    seeds = seeds if seeds is not None else (base.seed,)
    modes = modes if modes is not None else (base.mode,)
    points = list(itertools.product(*(p.values for p in params)))
    total = len(points) * len(seeds) * len(modes)
    if total > MAX_RUNS:
        raise SweepError(f"sweep: {total:,} runs (at most {MAX_RUNS:,})")
    ctx = Context(shown, text)
    scenarios = []
    for point in points:
        changed = copy.deepcopy(data)
        apply(changed, params, point)
        try:
            scenario = build_scenario(changed, ctx, base.name).with_changes(path=base.path)
            if until_ms is not None:
                check_until(scenario, until_ms)
        except ScenarioError as err:
            raise SweepError(f"--vary {describe_point(params, point)}: {err}") from None
        scenarios.append(scenario)
    return Study(base, tuple(params), tuple(points), tuple(scenarios), seeds, modes,
                 until_ms)


def describe_point(params: list[Parameter] | tuple[Parameter, ...],
                   point: tuple[Any, ...]) -> str:
    """``mag.detection_ms=5 mag.buffer_packets=4``."""
    return " ".join(f"{p.path}={format_value(v)}" for p, v in zip(params, point, strict=True))


def format_value(value: Any) -> str:
    """A parameter value as the user wrote it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
