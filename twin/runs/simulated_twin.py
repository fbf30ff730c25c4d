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
    """
    provenance = results.provenance
    scenario = scenario_from_text(provenance["scenario_text"], provenance["scenario_path"])
    twin = apply_interventions(load_base_twin(scenario), scenario.interventions).twin
    if results.energy is not None:
        twin = twin.replace(buildings=_with_energy(twin.buildings, results.energy.buildings))
    return twin, scenario


def _with_energy(buildings: gpd.GeoDataFrame, energy: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The buildings with the energy results of each (by id) as further columns."""
    columns = [c for c in energy.columns if c != "geometry" and c not in buildings.columns]
    return buildings.join(pd.DataFrame(energy[columns]), on="id")
