"""KPI names a scenario may ask for, as ``module.name``."""

from __future__ import annotations

from twin.mobility.kpis import KPI_UNITS

ENERGY_KPIS: tuple[str, ...] = (
    "buildings",
    "floor_area_m2",
    "heating_MWh",
    "cooling_MWh",
    "heating_kWh_m2",
    "cooling_kWh_m2",
    "heating_final_MWh",
    "cooling_final_MWh",
    "peak_heating_MW",
    "peak_cooling_MW",
)
"""The keys of ``EnergyRun.kpis`` (``twin.energy.run.kpis``)."""


def known_kpis() -> dict[str, tuple[str, ...]]:
    """KPI names by simulation module."""
    return {"mobility": tuple(KPI_UNITS), "energy": ENERGY_KPIS}
