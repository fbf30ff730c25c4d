"""Energy model of a twin: archetypes, Twin -> 5R1C kernel inputs, runs and KPIs.

- ``archetypes``: envelope and use parameters by construction-year band and use (table in
  ``archetypes.toml``, sources cited there), overridable per building by columns.
- ``party_walls``: wall area shared with touching neighbours, per orientation (adiabatic).
- ``solar``: irradiance on the horizontal and N/E/S/W facades from the twin's weather.
- ``schedules``: hourly gains, set-point and ventilation profiles in local standard time.
- ``inputs``: the twin's buildings and weather as ``Zones`` and ``Drivers`` of the kernel.
- ``run``: ``run_energy(twin, settings) -> EnergyRun`` with per-building results and KPIs.

See ``MODEL_CARD.md`` beside this file.
"""

from twin.energy.archetypes import PARAMETERS, Archetypes, load_archetypes
from twin.energy.inputs import EnergyInputs, energy_inputs
from twin.energy.run import EnergyRun, run_energy
from twin.energy.settings import EnergySettings

__all__ = [
    "PARAMETERS",
    "Archetypes",
    "EnergyInputs",
    "EnergyRun",
    "EnergySettings",
    "energy_inputs",
    "load_archetypes",
    "run_energy",
]
