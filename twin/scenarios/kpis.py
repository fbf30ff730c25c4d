"""KPI names a scenario may ask for, as ``module.name``."""

from __future__ import annotations

from twin.mobility.kpis import COUNT_FIT_UNITS, KPI_UNITS

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
    "gas_MWh",
    "district_heat_MWh",
    "electricity_MWh",
    "grid_import_MWh",
    "peak_electricity_MW",
    "pv_kWp",
    "pv_yield_MWh",
    "pv_self_consumption_share",
    "pv_export_MWh",
    "co2_t",
    "primary_kWh_m2",
    "label_share_A++++",
    "label_share_A+++",
    "label_share_A++",
    "label_share_A+",
    "label_share_A",
    "label_share_B",
    "label_share_C",
    "label_share_D",
    "label_share_E",
    "label_share_F",
    "label_share_G",
)
"""The keys of ``EnergyRun.kpis`` (``twin.energy.run.kpis``)."""


def known_kpis() -> dict[str, tuple[str, ...]]:
    """KPI names by simulation module."""
    return {"mobility": tuple(KPI_UNITS) + tuple(COUNT_FIT_UNITS), "energy": ENERGY_KPIS}
