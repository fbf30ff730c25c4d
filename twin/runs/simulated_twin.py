"""The twin a results file was simulated on, rebuilt from the scenario in its provenance.

A run records its scenario text and the base twin's hash, not the twin itself: applying the
same interventions to the same base twin gives the same twin again (interventions are
deterministic). Readers of a results file (the viewer, exports) ask for it here rather than
re-applying a scenario themselves.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from twin.model import Twin
from twin.runs.results_file import Results
from twin.scenarios import Scenario, apply_interventions, load_base_twin, scenario_from_text


def simulated_twin(results: Results) -> tuple[Twin, Scenario]:
    """The twin the run of ``results`` simulated and the scenario it ran.

    The buildings carry the run's per-building energy results (by id) as further columns when
    the run simulated energy.

    Parameters
    ----------
    results : Results
        A results file read back (``read_results``).

    Returns
    -------
    Twin
        The base twin the provenance names with the scenario's interventions applied; its
        buildings with the energy results' columns (kWh, kW, m2 ... as ``ENERGY_BUILDINGS``)
        when the run simulated energy.
    Scenario
        The scenario the run ran, read from the text the results file records.

    Raises
    ------
    ScenarioError
        When the recorded scenario text does not read, or its base twin cannot be loaded or
        its hash differs.
    InterventionError
        When an intervention no longer applies to the base twin.
    """
    scenario = _scenario(results)
    twin = apply_interventions(load_base_twin(scenario), scenario.interventions).twin
    if results.energy is not None:
        twin = twin.replace(buildings=_with_energy(twin.buildings, results.energy.buildings))
    return twin, scenario


def base_twin(results: Results) -> Twin:
    """The base twin the run of ``results`` started from, before its scenario's interventions
    (its base map and other layers are those the run saw: no intervention changes them).

    Raises
    ------
    ScenarioError
        When the recorded scenario text does not read, or its base twin cannot be loaded or
        its hash differs.
    """
    return load_base_twin(_scenario(results))


def _scenario(results: Results) -> Scenario:
    """The scenario the run ran, from the text its results file records."""
    provenance = results.provenance
    return scenario_from_text(provenance["scenario_text"], provenance["scenario_path"])


def _with_energy(buildings: gpd.GeoDataFrame, energy: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The buildings with the energy results of each (by id) as further columns."""
    columns = [c for c in energy.columns if c != "geometry" and c not in buildings.columns]
    return buildings.join(pd.DataFrame(energy[columns]), on="id")
