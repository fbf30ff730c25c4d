"""Run the hourly building energy model on a twin: ``run_energy(twin, settings) -> EnergyRun``.

The ideal heating and cooling need of every building (ISO 13790 5R1C, one zone per building,
the twin's weather, archetype envelopes and schedules) with per-building annual and monthly
sums, peaks, per-m² figures, hourly totals per district and KPIs. Hooks (``EnergySettings``):
``shading`` multiplies the solar apertures, ``heating_efficiency`` / ``cooling_efficiency`` turn
need into final energy, ``hourly`` receives the hourly loads per building for system and PV
models; by default nothing is shaded, systems are ideal and no hourly series are formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from simulation.energy.rc5r1c import simulate
from twin.energy.inputs import EnergyInputs, energy_inputs
from twin.energy.settings import DEFAULT_SETTINGS, EnergySettings
from twin.errors import InputError
from twin.model import Twin

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class EnergyRun:
    """Results of one energy run (kWh, kW, m², °C; heating and cooling both positive).

    buildings: one row per twin building (index = building id): use, archetype, band,
    floor_area_m2, heating_kWh, cooling_kWh, heating_kWh_m2, cooling_kWh_m2, peak_heating_kW,
    peak_cooling_kW, peak_heating_time, peak_cooling_time (UTC end of the hour),
    heating_final_kWh, cooling_final_kWh (need / efficiency), air_temp_mean/min/max_C, simulated.
    monthly_heating_kWh, monthly_cooling_kWh: buildings x months 1..12 (local standard time).
    district_heating_kW, district_cooling_kW: hours (UTC end) x districts.
    kpis: totals and peaks, see :func:`kpis`.
    """

    buildings: pd.DataFrame
    monthly_heating_kWh: pd.DataFrame
    monthly_cooling_kWh: pd.DataFrame
    district_heating_kW: pd.DataFrame
    district_cooling_kW: pd.DataFrame
    kpis: Mapping[str, float]
    inputs: EnergyInputs
    warnings: tuple[str, ...]


def _efficiency(value: float | np.ndarray, n: int, name: str) -> np.ndarray:
    eff = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    if not np.all(eff > 0.0):
        raise InputError(None, f"settings.{name}", "must be > 0 (1 = ideal)")
    return eff


def _expand(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Per zone -> per twin building (NaN for those not simulated)."""
    out = np.full((n,) + values.shape[1:], np.nan)
    out[rows] = values
    return out


def kpis(table: pd.DataFrame, heating_kW: pd.DataFrame,
         cooling_kW: pd.DataFrame) -> dict[str, float]:
    """Totals over the simulated buildings: heating/cooling MWh, kWh per m² of conditioned
    floor, coincident peaks MW (hour of the largest district-summed load)."""
    sim = table[table["simulated"]]
    area = float(sim["floor_area_m2"].sum())
    heat = float(sim["heating_kWh"].sum())
    cool = float(sim["cooling_kWh"].sum())
    return {
        "buildings": float(len(sim)),
        "floor_area_m2": area,
        "heating_MWh": heat / 1e3,
        "cooling_MWh": cool / 1e3,
        "heating_kWh_m2": heat / area if area else float("nan"),
        "cooling_kWh_m2": cool / area if area else float("nan"),
        "heating_final_MWh": float(sim["heating_final_kWh"].sum()) / 1e3,
        "cooling_final_MWh": float(sim["cooling_final_kWh"].sum()) / 1e3,
        "peak_heating_MW": float(heating_kW.sum(axis=1).max()) / 1e3,
        "peak_cooling_MW": float(cooling_kW.sum(axis=1).max()) / 1e3,
    }


def run_energy(twin: Twin, settings: EnergySettings = DEFAULT_SETTINGS) -> EnergyRun:
    """Simulate every building of the twin over its weather year."""
    inputs = energy_inputs(twin, settings)
    rows = inputs.rows
    n = len(twin.buildings)
    heat_eff = _efficiency(settings.heating_efficiency, n, "heating_efficiency")[rows]
    cool_eff = _efficiency(settings.cooling_efficiency, n, "cooling_efficiency")[rows]

    def hourly(start: int, stop: int, h: np.ndarray, c: np.ndarray, ta: np.ndarray) -> None:
        for consumer in settings.hourly:
            consumer(rows[start:stop], h, c, ta)

    res = simulate(inputs.zones, inputs.drivers, warmup_hours=settings.warmup_hours,
                   n_districts=len(inputs.districts),
                   hourly_callback=hourly if settings.hourly and len(rows) else None)
    time = inputs.time
    b = twin.buildings
    area = inputs.envelope["floor_area"].to_numpy()
    heat_kwh = _expand(res.heating_Wh / 1e3, rows, n)
    cool_kwh = _expand(res.cooling_Wh / 1e3, rows, n)
    simulated = np.zeros(n, dtype=bool)
    simulated[rows] = True
    hour_h = pd.Series(pd.NaT, index=b.index, dtype=time.dtype)
    hour_c = pd.Series(pd.NaT, index=b.index, dtype=time.dtype)
    hour_h.iloc[rows] = time[res.peak_heating_hour]
    hour_c.iloc[rows] = time[res.peak_cooling_hour]
    table = pd.DataFrame({
        "use": b["use"].to_numpy(),
        "archetype": inputs.params["archetype"].to_numpy(),
        "band": inputs.params["band"].to_numpy(),
        "floor_area_m2": area,
        "heating_kWh": heat_kwh,
        "cooling_kWh": cool_kwh,
        "heating_kWh_m2": heat_kwh / area,
        "cooling_kWh_m2": cool_kwh / area,
        "peak_heating_kW": _expand(res.peak_heating_W / 1e3, rows, n),
        "peak_cooling_kW": _expand(res.peak_cooling_W / 1e3, rows, n),
        "peak_heating_time": hour_h.to_numpy(),
        "peak_cooling_time": hour_c.to_numpy(),
        "heating_final_kWh": _expand(res.heating_Wh / 1e3 / heat_eff, rows, n),
        "cooling_final_kWh": _expand(res.cooling_Wh / 1e3 / cool_eff, rows, n),
        "air_temp_mean_C": _expand(res.air_temp_mean, rows, n),
        "air_temp_min_C": _expand(res.air_temp_min, rows, n),
        "air_temp_max_C": _expand(res.air_temp_max, rows, n),
        "simulated": simulated,
    }, index=pd.Index(b["id"].to_numpy(), name="id"))
    monthly = {
        name: pd.DataFrame(_expand(values / 1e3, rows, n), index=table.index,
                           columns=pd.Index(MONTHS, name="month"))
        for name, values in (("heating", res.monthly_heating_Wh),
                             ("cooling", res.monthly_cooling_Wh))
    }
    columns = pd.Index(inputs.districts, name="district")
    dist_h = pd.DataFrame(res.district_heating_W.T / 1e3, index=time, columns=columns)
    dist_c = pd.DataFrame(res.district_cooling_W.T / 1e3, index=time, columns=columns)
    return EnergyRun(
        buildings=table,
        monthly_heating_kWh=monthly["heating"],
        monthly_cooling_kWh=monthly["cooling"],
        district_heating_kW=dist_h,
        district_cooling_kW=dist_c,
        kpis=MappingProxyType(kpis(table, dist_h, dist_c)),
        inputs=inputs,
        warnings=inputs.warnings,
    )
