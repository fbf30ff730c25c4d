"""Scenarios: TOML files, validated against ``scenarios/schema.json``, that name a base twin,
the simulations and their settings, typed interventions applied in order, and the KPIs.

    scenario = load_scenario("scenarios/helsinki_2035.toml")   # syntax + schema + static checks
    base, interventions = resolve(scenario)                     # checked against the base twin
    applied = apply_interventions(base, interventions)   # new twin, demand modifiers, reports
    demand = applied.demand.apply(base_demand, network_nodes, scenario.mobility.seed)

Every problem reads ``FILE:LINE: key.path: message``; all problems come in one ScenarioError.
"""

from twin.scenarios.base import Intervention
from twin.scenarios.buildings import ENVELOPE_COLUMNS, OVERRIDE_COLUMNS
from twin.scenarios.errors import InterventionError, Problem, ScenarioError
from twin.scenarios.filters import Filter, FilterError, parse_filter
from twin.scenarios.interventions import INTERVENTIONS, AppliedScenario, apply_interventions
from twin.scenarios.loader import load_scenario, scenario_from_text
from twin.scenarios.modifiers import DemandAddition, DemandModifiers, DemandScale
from twin.scenarios.report import ChangeReport
from twin.scenarios.resolve import check_scenario, load_base_twin, resolve
from twin.scenarios.scenario import EnergySpec, Metadata, MobilitySpec, Period, Scenario, TwinRef
from twin.scenarios.schema import FORMAT, SCHEMA_PATH, scenario_schema
from twin.scenarios.twin_hash import twin_sha256

__all__ = [
    "ENVELOPE_COLUMNS",
    "FORMAT",
    "INTERVENTIONS",
    "OVERRIDE_COLUMNS",
    "SCHEMA_PATH",
    "AppliedScenario",
    "ChangeReport",
    "DemandAddition",
    "DemandModifiers",
    "DemandScale",
    "EnergySpec",
    "Filter",
    "FilterError",
    "Intervention",
    "InterventionError",
    "Metadata",
    "MobilitySpec",
    "Period",
    "Problem",
    "Scenario",
    "ScenarioError",
    "TwinRef",
    "apply_interventions",
    "check_scenario",
    "load_base_twin",
    "load_scenario",
    "parse_filter",
    "resolve",
    "scenario_from_text",
    "scenario_schema",
    "twin_sha256",
]
