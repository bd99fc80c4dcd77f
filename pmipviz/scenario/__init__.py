"""Scenario files: TOML -> validated dataclasses, with precise errors."""

from pmipviz.scenario.errors import ScenarioError
from pmipviz.scenario.loader import load_scenario, parse_scenario, shipped_dir, shipped_scenarios
from pmipviz.scenario.model import (
    FAULT_ACTIONS,
    MODES,
    PBU_OPTION_NAMES,
    Cn,
    Fault,
    Flow,
    Interface,
    Link,
    Lma,
    Mag,
    MobileNode,
    Scenario,
)

__all__ = [
    "FAULT_ACTIONS",
    "MODES",
    "PBU_OPTION_NAMES",
    "Cn",
    "Fault",
    "Flow",
    "Interface",
    "Link",
    "Lma",
    "Mag",
    "MobileNode",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "shipped_dir",
    "shipped_scenarios",
]
