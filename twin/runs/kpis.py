"""The KPI table of a scenario run: value, unit and definition of every ``module.name``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from twin.energy.run import EnergyRun
from twin.mobility.kpis import COUNT_FIT_UNITS, KPI_UNITS
from twin.mobility.results import MobilityRun

MOBILITY_DEFINITIONS: dict[str, str] = {
    "trips": "trips in the demand",
    "not_departed": "trips departing after the end of the period",
    "waiting": "trips still waiting to enter the network at the end",
    "on_link": "trips still on the network at the end",
    "arrived": "trips that reached their destination",
    "unroutable": "trips without a path to their destination",
    "outside_network": "trips starting or ending outside the routable network (not simulated)",
    "same_node": "trips starting where they end (not simulated)",
    "vehicle_km": "vehicle-kilometres driven on the links",
    "vehicle_hours": "vehicle-hours spent on the links",
    "mean_speed": "vehicle-km / vehicle-hours",
    "mean_travel_time": "mean travel time of the arrived trips, departure to arrival",
    "p95_travel_time": "95th percentile of the arrived trips' travel times",
    "total_delay": "sum over arrived trips of travel time less the free-flow fastest path time",
    "congested_link_km": "length of the links in the congested branch of the fundamental "
                         "diagram in at least one time bin",
    "co2": "tailpipe CO2 of the traffic (HBEFA-based factors, fleet mix)",
    "nox": "tailpipe NOx of the traffic (HBEFA-based factors, fleet mix)",
    "counts_compared": "link-bins with observed counts in the twin compared with simulated flows",
    "geh_mean": "mean GEH statistic of simulated against observed hourly flows",
    "geh_share_below_5": "share of the compared link-bins with GEH < 5",
    "count_ratio": "observed / simulated vehicles over the compared link-bins (demand scale)",
}
"""What each mobility KPI (``twin.mobility.kpis.KPI_UNITS``) measures."""

ENERGY_DEFINITIONS: dict[str, tuple[str, str]] = {
    "buildings": ("buildings", "buildings simulated"),
    "floor_area_m2": ("m2", "conditioned floor area of the simulated buildings"),
    "heating_MWh": ("MWh", "annual ideal heating need (ISO 13790 5R1C)"),
    "cooling_MWh": ("MWh", "annual ideal cooling need (ISO 13790 5R1C)"),
    "heating_kWh_m2": ("kWh/m2", "annual heating need per m2 of conditioned floor"),
    "cooling_kWh_m2": ("kWh/m2", "annual cooling need per m2 of conditioned floor"),
    "heating_final_MWh": ("MWh", "annual final energy for heating (need / system efficiency)"),
    "cooling_final_MWh": ("MWh", "annual final energy for cooling (need / system efficiency)"),
    "peak_heating_MW": ("MW", "largest hourly heating load of all buildings together"),
    "peak_cooling_MW": ("MW", "largest hourly cooling load of all buildings together"),
    "gas_MWh": ("MWh", "annual gas delivered to boilers"),
    "district_heat_MWh": ("MWh", "annual district heat delivered, network losses included"),
    "electricity_MWh": ("MWh", ("annual electricity demand: appliances, lighting, heat pumps, "
                               "cooling")),
    "grid_import_MWh": ("MWh", "annual electricity from the grid: demand less self-consumed PV"),
    "peak_electricity_MW": ("MW", "largest hourly electricity demand of all buildings together"),
    "pv_kWp": ("kWp", "installed rooftop PV peak power"),
    "pv_yield_MWh": ("MWh", "annual rooftop PV yield (PVWatts-style, DSM-shaded)"),
    "pv_self_consumption_share": ("1", "share of the PV yield used hour by hour in its building"),
    "pv_export_MWh": ("MWh", "annual PV yield fed into the grid"),
    "co2_t": ("t", "annual CO2 of the delivered energy by carrier (factors: systems model card)"),
    "primary_kWh_m2": ("kWh/m2", ("non-renewable primary energy per m2 of floor (NTA 8800 "
                                 "factors)")),
}
"""Unit and definition of the energy KPIs (``EnergyRun.kpis``) known here; other keys take
their unit from their name's suffix."""

_SUFFIX_UNITS = (("_kWh_m2", "kWh/m2"), ("_MWh", "MWh"), ("_kWh", "kWh"), ("_MW", "MW"),
                 ("_kW", "kW"), ("_t", "t"), ("_kg", "kg"), ("_m2", "m2"), ("_C", "degC"),
                 ("_kWp", "kWp"))


def unit_from_name(name: str) -> str:
    """The unit a column or KPI name ends in (``heating_kWh_m2`` -> kWh/m2; shares are 1), ""
    if none."""
    if "share" in name:
        return "1"
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def _readable(name: str) -> str:
    label = re.fullmatch(r"label_share_(.+)", name)
    if label:
        return f"share of the floor area in energy label class {label.group(1)}"
    return name.replace("_", " ")


def kpi_table(mobility: MobilityRun | None, energy: EnergyRun | None,
              report: Sequence[str] = (), count_fit: Mapping[str, float] | None = None
              ) -> pd.DataFrame:
    """KPIs of the modules that ran, indexed ``module.name``, with value, unit, definition;
    only those in ``report`` (in its order) if it is not empty. count_fit: the fit of the
    flows to observed counts (``COUNT_FIT_UNITS``), where there were counts; always reported."""
    rows: dict[str, tuple[float, str, str]] = {}
    if mobility is not None:
        units = {**KPI_UNITS, **COUNT_FIT_UNITS}
        values = {**mobility.kpis["value"].to_dict(), **(count_fit or {})}
        for name, value in values.items():
            rows[f"mobility.{name}"] = (float(value), units[name],
                                        MOBILITY_DEFINITIONS.get(name, _readable(name)))
    if energy is not None:
        for name, value in energy.kpis.items():
            unit, text = ENERGY_DEFINITIONS.get(name, (unit_from_name(name), _readable(name)))
            rows[f"energy.{name}"] = (float(value), unit, text)
    names = list(report) if report else list(rows)
    names += [f"mobility.{n}" for n in (count_fit or {}) if f"mobility.{n}" not in names]
    table = pd.DataFrame.from_dict({n: rows[n] for n in names if n in rows}, orient="index",
                                   columns=["value", "unit", "definition"])
    table.index.name = "kpi"
    return table.astype({"value": np.float64})
