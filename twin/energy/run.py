"""Run the building energy model on a twin: ``run_energy(twin, settings) -> EnergyRun``.

The twin becomes the inputs of ``simulation.energy.simulate`` (``inputs.py``, with the heating
systems of ``heating_assignment.py`` and the rooftop PV of ``rooftop_pv.py``), which runs once:
the ideal heating and cooling need of every building (ISO 13790 5R1C, one zone per building,
the twin's weather, archetype envelopes and schedules, solar shaded by the DSM horizons), then
hour by hour its heating system, electricity demand, rooftop PV and self-consumption. Its
result becomes per-building annual and monthly sums, peaks, CO2, primary energy and label,
hourly totals per district and KPIs here; optionally the hourly series per building go to an
HDF5 file (``settings.hourly_path``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from simulation.energy import (
    LABELS,
    FacePV,
    HeatingSystems,
    HourlyBlock,
    PVSystems,
    Result,
    Settings,
    energy_label,
    simulate,
)
from twin.energy.archetypes import load_archetypes
from twin.energy.face_pv import face_pv
from twin.energy.heating_assignment import SYSTEM_KINDS, heating_systems
from twin.energy.hot_water import hot_water_heat_w, hot_water_need_kwh
from twin.energy.hourly_file import HourlyFile
from twin.energy.inputs import EnergyInputs, energy_inputs
from twin.energy.rooftop_pv import rooftop_pv
from twin.energy.settings import DEFAULT_SETTINGS, EnergySettings
from twin.energy.solar import SOURCE_NAMES
from twin.energy.solar_cadastre import solar_cadastre
from twin.energy.weather_site import far_weather_warning
from twin.model import Twin

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class EnergyRun:
    """Results of one energy run (kWh, kW, m², °C, kg; heating and cooling both positive).

    Attributes
    ----------
    buildings : pandas.DataFrame
        One row per twin building (index = building id): use, archetype, band (building
        type), size_class, state (refurbishment), hot_water_kWh (need at the taps) [kWh],
        heating_system, floor_area_m2 [m²]; need: heating_kWh, cooling_kWh [kWh],
        heating_kWh_m2, cooling_kWh_m2 [kWh/m²], peak_heating_kW, peak_cooling_kW [kW],
        peak_heating_time, peak_cooling_time (UTC end of the hour); final energy [kWh]:
        heating_final_kWh and hot_water_final_kWh (on the system's carrier),
        cooling_final_kWh (electricity), gas_kWh, district_heat_kWh (heating and hot water);
        electricity demand [kWh]: appliances_kWh (appliances and lighting),
        heating_electricity_kWh, hot_water_electricity_kWh, cooling_electricity_kWh,
        electricity_kWh, and
        peak_electricity_kW [kW]; PV: pv_kWp [kWp], pv_kWh, pv_self_kWh, pv_export_kWh
        [kWh]; grid_import_kWh [kWh], peak_grid_import_kW [kW]; co2_kg [kg] (gas, district
        heat, grid import), primary_kWh_m2 [kWh/m²], label; sunlit_<source> factors on the
        solar apertures [-]; air_temp_mean/min/max_C [°C], simulated.
    monthly_heating_kWh, monthly_cooling_kWh, monthly_electricity_kWh, monthly_pv_kWh : \
pandas.DataFrame
        Buildings x months 1..12 of local standard time [kWh].
    district_heating_kW, district_cooling_kW, district_electricity_kW, district_pv_kW : \
pandas.DataFrame
        Hours (UTC end) x districts [kW].
    kpis : Mapping
        Totals and peaks by name, see :func:`kpis` (units in ``twin.quantities``).
    inputs : EnergyInputs
        The inputs the run was made from.
    warnings : tuple of str
        What the input preparation changed or left out.
    solar_faces, solar_buildings : pandas.DataFrame or None
        The solar cadastre per roof face and per building with faces
        (``twin.energy.solar_cadastre``); None when the twin has no roof faces.
    """

    buildings: pd.DataFrame
    monthly_heating_kWh: pd.DataFrame
    monthly_cooling_kWh: pd.DataFrame
    monthly_electricity_kWh: pd.DataFrame
    monthly_pv_kWh: pd.DataFrame
    district_heating_kW: pd.DataFrame
    district_cooling_kW: pd.DataFrame
    district_electricity_kW: pd.DataFrame
    district_pv_kW: pd.DataFrame
    kpis: Mapping[str, float]
    inputs: EnergyInputs
    warnings: tuple[str, ...]
    solar_faces: pd.DataFrame | None = None
    solar_buildings: pd.DataFrame | None = None


def _expand(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Per zone -> per twin building (NaN for those not simulated)."""
    out = np.full((n,) + values.shape[1:], np.nan)
    out[rows] = values
    return out


def kpis(table: pd.DataFrame, heating_kW: pd.DataFrame, cooling_kW: pd.DataFrame,
         electricity_kW: pd.DataFrame) -> dict[str, float]:
    """Totals over the simulated buildings: need and final energy MWh, kWh per m² of
    conditioned floor, coincident peaks MW (hour of the largest district-summed load),
    electricity, PV and its self-consumed share, CO2 t, primary energy and the share of the
    floor area in each label class."""
    sim = table[table["simulated"]]
    area = float(sim["floor_area_m2"].sum())

    def per_m2(v: float) -> float:
        return v / area if area else float("nan")

    def mwh(col: str) -> float:
        return float(sim[col].sum()) / 1e3

    heat = float(sim["heating_kWh"].sum())
    cool = float(sim["cooling_kWh"].sum())
    pv = mwh("pv_kWh")
    out = {
        "buildings": float(len(sim)),
        "floor_area_m2": area,
        "heating_MWh": heat / 1e3,
        "cooling_MWh": cool / 1e3,
        "heating_kWh_m2": per_m2(heat),
        "cooling_kWh_m2": per_m2(cool),
        "heating_final_MWh": mwh("heating_final_kWh"),
        "hot_water_MWh": mwh("hot_water_kWh"),
        "hot_water_final_MWh": mwh("hot_water_final_kWh"),
        "cooling_final_MWh": mwh("cooling_final_kWh"),
        "peak_heating_MW": float(heating_kW.sum(axis=1).max()) / 1e3,
        "peak_cooling_MW": float(cooling_kW.sum(axis=1).max()) / 1e3,
        "gas_MWh": mwh("gas_kWh"),
        "district_heat_MWh": mwh("district_heat_kWh"),
        "electricity_MWh": mwh("electricity_kWh"),
        "grid_import_MWh": mwh("grid_import_kWh"),
        "peak_electricity_MW": float(electricity_kW.sum(axis=1).max()) / 1e3,
        "pv_kWp": float(sim["pv_kWp"].sum()),
        "pv_yield_MWh": pv,
        "pv_self_consumption_share": mwh("pv_self_kWh") / pv if pv else 0.0,
        "pv_export_MWh": mwh("pv_export_kWh"),
        "co2_t": float(sim["co2_kg"].sum()) / 1e3,
        "primary_kWh_m2": per_m2(float((sim["primary_kWh_m2"] * sim["floor_area_m2"]).sum())),
    }
    for label in LABELS:
        out[f"label_share_{label}"] = per_m2(float(sim.loc[sim["label"] == label,
                                                           "floor_area_m2"].sum()))
    return out


def _systems(twin: Twin, inputs: EnergyInputs,
             settings: EnergySettings) -> tuple[HeatingSystems, PVSystems]:
    """The heating system (with its hot water) and rooftop PV of every building of the twin."""
    archetypes = settings.archetypes or load_archetypes()
    heating = heating_systems(twin, archetypes, settings.heating_system)
    heating = replace(heating, hot_water=hot_water_heat_w(
        inputs.params, inputs.envelope["floor_area"].to_numpy(), len(inputs.time)))
    dsm = inputs.dsm_shading
    shaded = (np.zeros(len(twin.buildings), dtype=bool) if dsm is None
              else ~np.isnan(dsm.roof_horizon).any(axis=1))
    return heating, rooftop_pv(twin, shaded)


def _simulate(inputs: EnergyInputs, heating: HeatingSystems, pv: PVSystems,
              settings: EnergySettings, file: HourlyFile | None,
              faces: FacePV | None) -> Result:
    """One call of the energy model on the simulated buildings, in zone order; the hourly
    series of each block go to the file and the settings' hourly consumers."""
    rows = inputs.rows
    consumers = settings.hourly

    def hourly(block: HourlyBlock) -> None:
        if file is not None:
            file.write(block.start, block.stop, heating_W=block.heating_W,
                       cooling_W=block.cooling_W, air_temp_C=block.air_temp_C,
                       electricity_W=block.electricity_W, pv_W=block.pv_W)
        for consumer in consumers:
            consumer(rows[block.start:block.stop], block.heating_W, block.cooling_W,
                     block.air_temp_C)

    dsm = inputs.dsm_shading
    return simulate(
        inputs.zones, inputs.drivers, inputs.solar.weather, heating.take(rows),
        pv.take(rows),
        Settings(warmup_hours=settings.warmup_hours, block_size=settings.block_size,
                 n_districts=len(inputs.districts),
                 hourly_callback=hourly if file is not None or consumers else None),
        pv_horizon=None if dsm is None else dsm.roof_horizon[rows], face_pv=faces,
        sun=inputs.solar.sun)


def run_energy(twin: Twin, settings: EnergySettings = DEFAULT_SETTINGS) -> EnergyRun:
    """Simulate every building of the twin over its weather year.

    Parameters
    ----------
    twin : Twin
        The twin: buildings, terrain (DSM shading) and weather.
    settings : EnergySettings
        Archetypes, shading, systems, carriers, districts, hourly output.

    Returns
    -------
    EnergyRun
        Per-building, monthly and district results, KPIs.

    Raises
    ------
    InputError
        If the twin has no weather, or a column or setting is invalid.
    """
    inputs = energy_inputs(twin, settings)
    rows = inputs.rows
    n = len(twin.buildings)
    heating, pv = _systems(twin, inputs, settings)
    cadastre = solar_cadastre(twin, inputs.solar.weather)
    faces, pv, face_kwp = face_pv(twin, cadastre, rows, pv)
    file = None
    if settings.hourly_path is not None:
        file = HourlyFile(settings.hourly_path, twin.buildings["id"].to_numpy()[rows],
                          inputs.time)
    try:
        result = _simulate(inputs, heating, pv, settings, file, faces)
    except BaseException:
        if file is not None:
            file.close(ok=False)
        raise
    if file is not None:
        file.close()
    table = _table(twin, inputs, result, heating, pv.pdc0 / 1e3 + face_kwp, settings)
    time = inputs.time
    columns = pd.Index(inputs.districts, name="district")

    def hourly_frame(values_w: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values_w.T / 1e3, index=time, columns=columns)

    def monthly(values_wh: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(_expand(values_wh / 1e3, rows, n), index=table.index,
                            columns=pd.Index(MONTHS, name="month"))

    loads, balance = result.zones, result.balance
    dist = {k: hourly_frame(v) for k, v in (
        ("heating", loads.district_heating_W), ("cooling", loads.district_cooling_W),
        ("electricity", balance.district_electricity_W), ("pv", balance.district_pv_W))}
    return EnergyRun(
        buildings=table,
        monthly_heating_kWh=monthly(loads.monthly_heating_Wh),
        monthly_cooling_kWh=monthly(loads.monthly_cooling_Wh),
        monthly_electricity_kWh=monthly(balance.monthly_electricity_Wh),
        monthly_pv_kWh=monthly(balance.monthly_pv_Wh),
        district_heating_kW=dist["heating"],
        district_cooling_kW=dist["cooling"],
        district_electricity_kW=dist["electricity"],
        district_pv_kW=dist["pv"],
        kpis=MappingProxyType(kpis(table, dist["heating"], dist["cooling"],
                                   dist["electricity"])),
        inputs=inputs,
        warnings=inputs.warnings + tuple(w for w in (far_weather_warning(twin),) if w),
        solar_faces=None if cadastre is None else cadastre.faces,
        solar_buildings=None if cadastre is None else cadastre.buildings,
    )


def _table(twin: Twin, inputs: EnergyInputs, result: Result, heating: HeatingSystems,
           pv_kwp: np.ndarray, settings: EnergySettings) -> pd.DataFrame:
    """The per-building table of :class:`EnergyRun`."""
    rows = inputs.rows
    b = twin.buildings
    n = len(b)
    time = inputs.time
    area = inputs.envelope["floor_area"].to_numpy()

    def kwh(zone_wh: np.ndarray) -> np.ndarray:
        return _expand(zone_wh / 1e3, rows, n)

    res = result.zones
    heat_kwh = kwh(res.heating_Wh)
    cool_kwh = kwh(res.cooling_Wh)
    simulated = np.zeros(n, dtype=bool)
    simulated[rows] = True

    def peak_time(hour: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The time (UTC end) of each zone's peak hour per twin building, NaT if not
        simulated: taken from the time index by position (no timestamp-by-timestamp
        conversion)."""
        position = np.full(n, -1, dtype=np.int64)
        position[rows] = hour
        return time.take(position, allow_fill=True, fill_value=pd.NaT).array

    col = result.balance.column
    gas, dh = kwh(col("gas")), kwh(col("district_heat"))
    elec, self_used, pv_kwh = kwh(col("electricity")), kwh(col("self_consumed")), kwh(col("pv"))
    grid = elec - self_used
    carriers = {"gas": gas, "electricity": grid, "district_heat": dh}
    primary_m2 = settings.carriers.primary_kwh(carriers) / area
    label = np.where(simulated, energy_label(np.nan_to_num(primary_m2)), np.array(None))
    kind_names = {int(v): k for k, v in SYSTEM_KINDS.items()}
    data = {
        "use": b["use"].to_numpy(),
        "archetype": inputs.params["archetype"].to_numpy(),
        "band": inputs.params["band"].to_numpy(),
        "size_class": inputs.params["size_class"].to_numpy(),
        "state": inputs.params["state"].to_numpy(),
        "hot_water_kWh": np.where(simulated, hot_water_need_kwh(inputs.params, area), np.nan),
        "heating_system": [kind_names[int(k)] for k in heating.kind],
        "floor_area_m2": area,
        "heating_kWh": heat_kwh,
        "cooling_kWh": cool_kwh,
        "heating_kWh_m2": heat_kwh / area,
        "cooling_kWh_m2": cool_kwh / area,
        "peak_heating_kW": kwh(res.peak_heating_W),
        "peak_cooling_kW": kwh(res.peak_cooling_W),
        "peak_heating_time": peak_time(res.peak_heating_hour),
        "peak_cooling_time": peak_time(res.peak_cooling_hour),
        "heating_final_kWh": kwh(col("heating_final")),
        "hot_water_final_kWh": kwh(col("hot_water_final")),
        "cooling_final_kWh": kwh(col("cooling_electricity")),
        "gas_kWh": gas,
        "district_heat_kWh": dh,
        "appliances_kWh": kwh(col("base_electricity")),
        "heating_electricity_kWh": kwh(col("heating_electricity")),
        "hot_water_electricity_kWh": kwh(col("hot_water_electricity")),
        "cooling_electricity_kWh": kwh(col("cooling_electricity")),
        "electricity_kWh": elec,
        "peak_electricity_kW": kwh(result.balance.peak_electricity_W),
        "pv_kWp": pv_kwp,
        "pv_kWh": pv_kwh,
        "pv_self_kWh": self_used,
        "pv_export_kWh": pv_kwh - self_used,
        "grid_import_kWh": grid,
        "peak_grid_import_kW": kwh(result.balance.peak_import_W),
        "co2_kg": settings.carriers.co2_kg(carriers),
        "primary_kWh_m2": primary_m2,
        "label": label,
    }
    for k, name in enumerate(SOURCE_NAMES):
        data[f"sunlit_{name}"] = inputs.sunlit[:, k]
    data.update({
        "air_temp_mean_C": _expand(res.air_temp_mean, rows, n),
        "air_temp_min_C": _expand(res.air_temp_min, rows, n),
        "air_temp_max_C": _expand(res.air_temp_max, rows, n),
        "simulated": simulated,
    })
    return pd.DataFrame(data, index=pd.Index(b["id"].to_numpy(), name="id"))
