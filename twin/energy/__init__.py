"""Energy model of a twin: the twin as inputs of ``simulation.energy.simulate``, one call down,
the result back as tables and KPIs.

- ``archetypes``: envelope and use parameters of each building (uses in ``archetypes.toml``,
  sources cited there), overridable per building by columns.
- ``building_types``, ``size_class``, ``country``: the national building typology (TABULA,
  Finnish code eras; ``typology/``) by country, construction year, size class and state.
- ``heated``: which buildings are heated (garages, sheds, small stand-alone untyped buildings
  are not: kept, not simulated, counted).
- ``party_walls``: wall area shared with touching neighbours, per orientation (adiabatic).
- ``solar``: the twin's weather as the kernels' ``Weather``; irradiance on the horizontal and
  N/E/S/W facades.
- ``wall_faces``: LoD2 wall faces on the vertical planes of their own azimuths (solar gains).
- ``dsm_horizons``: sunlit factors of roofs and facades and the roofs' horizons from the DSM.
- ``schedules``: hourly gains, set-point and ventilation profiles in local standard time.
- ``inputs``: the archetypes chosen for a twin (``choose_archetypes``) and the twin's
  buildings and weather as ``Zones`` and ``Drivers`` of the kernel.
- ``heating_assignment``: the heating system of each building from its columns.
- ``rooftop_pv``: the rooftop PV system of each building from ``pv_share``.
- ``hourly_file``: the hourly series per building into an HDF5 file.
- ``settings``: ``EnergySettings``.
- ``run``: ``run_energy(twin, settings) -> EnergyRun`` with per-building results and KPIs.

See ``MODEL_CARD.md`` beside this file.
"""

from twin.energy.archetypes import PARAMETERS, Archetypes, load_archetypes
from twin.energy.inputs import ChosenArchetypes, EnergyInputs, choose_archetypes, energy_inputs
from twin.energy.run import EnergyRun, run_energy
from twin.energy.settings import EnergySettings

__all__ = [
    "PARAMETERS",
    "Archetypes",
    "ChosenArchetypes",
    "EnergyInputs",
    "EnergyRun",
    "EnergySettings",
    "choose_archetypes",
    "energy_inputs",
    "load_archetypes",
    "run_energy",
]
