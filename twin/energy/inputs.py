"""Twin -> inputs of the energy model (``simulation.energy``): zones and hourly drivers.

Per building (all vectorised over the buildings table):

- archetype parameters (``archetypes.py``): the building type of the twin's country
  (``settings.country``, else the country at the twin's centre, ``country.py``), year, size
  class and refurbishment state, and the use; every fallback is counted in the warnings;
- conditioned floor area A_f = footprint_area x floors x ``floor_area_ratio`` (a ``floor_area``
  column, where given, is taken as A_f as it is); floors missing or below 1:
  round(height / 3 m), >= 1;
- exposed wall area per orientation = wall_area_n/e/s/w minus the party walls
  (``party_walls``); windows = wwr x exposed wall, per orientation; opaque walls = the rest;
  roof = roof_area; ground floor = ground_area;
- H_tr_w = U_window x windows; H_tr_op = U_wall x opaque walls + U_roof x roof
  + floor_reduction x U_floor x ground floor
  + thermal_bridge x (exposed walls + roof + ground floor);
- H_ve = ρc x (infiltration + usage air change) x A_f x room height; scheduled extra H_ve from
  ventilation_lps_m2 x A_f while occupied (air density 1.204 kg/m³);
- mass: C_m and A_m from the ISO 13790 Table 12 class; A_t = the larger of 4.5 A_f and the
  zone's inner surfaces (exposed and party walls, roof, ground floor, both faces of the
  intermediate floors). Where a very small, tall or glazed zone would break the 5R1C network
  (H_tr_op >= 9.1 A_m, or no share of the gains left for the surface node) A_m and A_t are
  raised to the least valid values and a warning counts the buildings;
- solar apertures per source (``solar.SOURCE_NAMES``): opaque α R_se U A (ISO 13790 11.3.4) for
  the roof and each facade, plus windows F_sh F_w g (1 - F_F) A (11.3.3) per facade,
  times the sunlit factor of ``settings.shading`` (default ``"dsm"``: from the twin's DSM
  horizons, ``dsm_horizons.py``, when it has a DSM; else 1); a building with wall faces in
  the ``surfaces`` layer (LoD2) has each facade bin's aperture spread over its faces, each on
  the vertical plane of its own azimuth (``wall_faces.py``: further sources);
- sky-radiation loss coefficient (11.3.5): roof F_r = 1, walls and windows F_r = 0.5;
- internal gains W = internal_gains x A_f, scheduled; appliances and lighting electricity
  W = electric_share x internal_gains x A_f, on the same schedule.

Unheated buildings (``heated``: garages, sheds, small stand-alone untyped buildings, ...) and
buildings with a conditioned floor area below ``MIN_FLOOR_AREA`` or no positive height are left
out of the run (counted in warnings); their results are NaN.

Zone order: the kernel runs zones in chunks and is fastest when a chunk shares its district,
ventilation schedule and profiles, so zones are sorted by (district, scheduled ventilation,
set-point profile, gains profile); ``EnergyInputs.rows`` maps each zone back to its building.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.energy import (
    H_MS,
    LAMBDA_AT,
    MASS_CLASSES,
    Drivers,
    Zones,
    opaque_solar_aperture,
    sky_loss_coefficient,
    ventilation_conductance,
)
from twin.energy.archetypes import Archetypes, load_archetypes, storeys_of
from twin.energy.building_types import Fallbacks
from twin.energy.country import twin_country
from twin.energy.dsm_horizons import DsmShading, dsm_shading
from twin.energy.heated import Heated, heated_buildings
from twin.energy.party_walls import party_wall_areas
from twin.energy.schedules import building_profiles, local_calendar
from twin.energy.settings import DEFAULT_SETTINGS, EnergySettings
from twin.energy.solar import FACADES, ROOF, SOURCE_NAMES, SolarSources, solar_sources
from twin.energy.wall_faces import face_apertures, wall_faces
from twin.errors import InputError
from twin.model import ORIENTATIONS, Twin

MIN_FLOOR_AREA = 1.0
"""m²: smaller zones are not simulated."""
R_SE = 0.04
"""m² K/W, external surface resistance (ISO 6946) for the opaque solar and sky terms."""
WINDOW_ANGLE_FACTOR = 0.9
"""F_w, mean angle correction of g for non-scattering glazing (ISO 13790 11.4.2)."""
MARGIN = 1.05
"""Relative margin kept when A_m or A_t are raised to keep the 5R1C network valid."""


@dataclass(frozen=True)
class EnergyInputs:
    """Inputs of the energy model for the simulated buildings and what they were made from.

    Attributes
    ----------
    zones : simulation.energy.Zones
        One zone per simulated building, in zone order.
    drivers : simulation.energy.Drivers
        Outdoor temperature [°C], solar sources [W/m²] and schedules of each hour.
    solar : SolarSources
        The shared solar sources [W/m²], with the weather and sun they were computed from.
    params : pandas.DataFrame
        Archetype parameters of every building (index of ``Twin.buildings``; units in
        ``archetypes.PARAMETERS``).
    envelope : pandas.DataFrame
        Areas [m²] and conductances [W/K] of every building.
    rows : ndarray
        Position in ``Twin.buildings`` of each zone, in zone order (buildings not simulated
        are absent) [-].
    time : pandas.DatetimeIndex
        UTC end of each hour.
    districts : tuple of str
        Names of the district indices.
    sunlit : ndarray
        Sunlit factors applied to the solar apertures of the base sources
        (``solar.SOURCE_NAMES``; a wall face takes its bin's), shape (n_buildings, 5) [-].
    dsm_shading : DsmShading or None
        The DSM horizons the factors came from, if any.
    warnings : tuple of str
        What the input preparation changed or left out.
    """

    zones: Zones
    drivers: Drivers
    solar: SolarSources
    params: pd.DataFrame
    envelope: pd.DataFrame
    rows: np.ndarray
    time: pd.DatetimeIndex
    districts: tuple[str, ...]
    sunlit: np.ndarray
    dsm_shading: DsmShading | None
    warnings: tuple[str, ...]


def _floor_area(b: pd.DataFrame, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """(conditioned floor area m², floors) of each building."""
    floors = np.nan_to_num(storeys_of(b), nan=1.0)
    area = b["footprint_area"].to_numpy(np.float64) * floors * ratio
    if "floor_area" in b.columns:
        given = pd.to_numeric(b["floor_area"], errors="coerce").to_numpy(np.float64)
        area = np.where(np.isfinite(given), given, area)
    return np.nan_to_num(area), floors


def envelope_table(twin: Twin, params: pd.DataFrame, archetypes: Archetypes,
                   party: np.ndarray) -> pd.DataFrame:
    """Areas (m²) and conductances (W/K) of every building, see the module docstring; party:
    wall area shared with neighbours per orientation, (n, 4) m²."""
    b = twin.buildings
    m = archetypes.method
    floor_area, floors = _floor_area(b, float(m["floor_area_ratio"]))
    walls = np.nan_to_num(b[[f"wall_area_{o}" for o in ORIENTATIONS]].to_numpy(np.float64))
    exposed = np.clip(walls - party, 0.0, None)
    wwr = params["wwr"].to_numpy(np.float64)
    windows = exposed * wwr[:, None]
    opaque = exposed - windows
    roof = np.nan_to_num(b["roof_area"].to_numpy(np.float64))
    ground = np.nan_to_num(b["ground_area"].to_numpy(np.float64))
    footprint = np.nan_to_num(b["footprint_area"].to_numpy(np.float64))
    p = {k: params[k].to_numpy(np.float64) for k in (
        "u_wall", "u_roof", "u_floor", "u_window", "thermal_bridge", "infiltration_ach",
        "ventilation_ach", "ventilation_lps_m2", "floor_reduction")}
    env_area = exposed.sum(axis=1) + roof + ground
    h_tr_w = p["u_window"] * windows.sum(axis=1)
    h_tr_op = (p["u_wall"] * opaque.sum(axis=1) + p["u_roof"] * roof
               + p["floor_reduction"] * p["u_floor"] * ground
               + p["thermal_bridge"] * env_area)
    air = (p["infiltration_ach"] + p["ventilation_ach"]) * floor_area * float(m["room_height"])
    out = {"floor_area": floor_area, "floors": floors}
    for k, o in enumerate(ORIENTATIONS):
        out[f"party_wall_{o}"] = party[:, k]
        out[f"exposed_wall_{o}"] = exposed[:, k]
        out[f"window_{o}"] = windows[:, k]
    out.update({
        "roof": roof, "ground": ground,
        "inner_surfaces": env_area + party.sum(axis=1) + 2.0 * (floors - 1.0) * footprint,
        "h_tr_w": h_tr_w, "h_tr_op": h_tr_op,
        "h_ve": ventilation_conductance(air),
        "h_ve_extra": ventilation_conductance(p["ventilation_lps_m2"] * 3.6 * floor_area),
    })
    return pd.DataFrame(out, index=b.index)


def _apertures(e: pd.DataFrame, params: pd.DataFrame, archetypes: Archetypes) -> np.ndarray:
    """Solar apertures (n, n_sources) m², unshaded."""
    m = archetypes.method
    alpha = float(m["solar_absorptance"])
    u_wall = params["u_wall"].to_numpy(np.float64)
    window_factor = (float(m["window_shading"]) * WINDOW_ANGLE_FACTOR
                     * params["g_window"].to_numpy(np.float64)
                     * (1.0 - float(m["frame_fraction"])))
    ap = np.zeros((len(e), len(SOURCE_NAMES)))
    ap[:, ROOF] = opaque_solar_aperture(alpha, params["u_roof"].to_numpy(np.float64),
                                            e["roof"].to_numpy(), R_SE)
    for row, o in zip(FACADES, ORIENTATIONS):
        win = e[f"window_{o}"].to_numpy()
        opaque = e[f"exposed_wall_{o}"].to_numpy() - win
        ap[:, row] = opaque_solar_aperture(alpha, u_wall, opaque, R_SE) + window_factor * win
    return ap


def _sky_loss(e: pd.DataFrame, params: pd.DataFrame, emissivity: float) -> np.ndarray:
    """ISO 13790 11.3.5 sky-radiation coefficient W/K (multiplies delta_theta_er)."""
    windows = e[[f"window_{o}" for o in ORIENTATIONS]].to_numpy().sum(axis=1)
    walls = e[[f"exposed_wall_{o}" for o in ORIENTATIONS]].to_numpy().sum(axis=1) - windows
    return (sky_loss_coefficient(params["u_roof"].to_numpy(np.float64), e["roof"].to_numpy(),
                                     R_SE, emissivity, f_r=1.0)
            + sky_loss_coefficient(params["u_wall"].to_numpy(np.float64), walls, R_SE,
                                       emissivity, f_r=0.5)
            + sky_loss_coefficient(params["u_window"].to_numpy(np.float64), windows, R_SE,
                                       emissivity, f_r=0.5))


def _shading(twin: Twin, sources: SolarSources,
             settings: EnergySettings) -> tuple[np.ndarray, DsmShading | None]:
    """Sunlit factors (n_buildings, len(SOURCE_NAMES)) from the settings, checked, and the DSM
    shading they came from (None unless ``settings.shading == "dsm"`` and the twin has one)."""
    n = len(twin.buildings)
    shape = (n, len(SOURCE_NAMES))
    if isinstance(settings.shading, str) and settings.shading == "dsm":
        if twin.terrain.dsm is None:
            return np.ones(shape), None
        dsm = dsm_shading(twin, twin.terrain.dsm, sources, settings.horizon_azimuths)
        return dsm.factors, dsm
    if settings.shading is None:
        return np.ones(shape), None
    if isinstance(settings.shading, str):
        raise InputError(None, "settings.shading",
                         f"expected \"dsm\", None, an array or a callable, got {settings.shading!r}")
    given = settings.shading(twin, sources) if callable(settings.shading) else settings.shading
    f = np.asarray(given, dtype=np.float64)
    if f.shape != shape or not np.all((f >= 0.0) & (f <= 1.0)):
        raise InputError(None, "settings.shading",
                         f"expected sunlit factors within 0..1 of shape {shape}, got {f.shape}")
    return f, None


def _mass(e: pd.DataFrame, params: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(C_m J/K, A_m m², A_t m², number of zones whose A_m or A_t had to be raised)."""
    a_f = e["floor_area"].to_numpy()
    classes = params["mass_class"].to_numpy()
    cm_per = np.array([MASS_CLASSES[c][0] for c in classes], dtype=np.float64)
    am_ratio = np.array([MASS_CLASSES[c][1] for c in classes], dtype=np.float64)
    a_m = am_ratio * a_f
    a_t = np.maximum(LAMBDA_AT * a_f, e["inner_surfaces"].to_numpy())
    need_m = MARGIN * e["h_tr_op"].to_numpy() / H_MS
    need_t = MARGIN * (np.maximum(a_m, need_m) + e["h_tr_w"].to_numpy() / H_MS)
    raised = (a_m < need_m) | (a_t < need_t)
    return cm_per * a_f, np.maximum(a_m, need_m), np.maximum(a_t, need_t), int(raised.sum())


def _districts(twin: Twin, column: str | None) -> tuple[np.ndarray, tuple[str, ...]]:
    n = len(twin.buildings)
    if column is None:
        return np.zeros(n, dtype=np.int64), ("all",)
    if column not in twin.buildings.columns:
        raise InputError(None, "settings.district_column", f"buildings have no column {column!r}")
    values = twin.buildings[column].astype(object).where(twin.buildings[column].notna(), "none")
    codes, names = pd.factorize(values.astype(str))
    return codes.astype(np.int64), tuple(str(v) for v in names)


@dataclass(frozen=True)
class ChosenArchetypes:
    """The archetype parameters of every building and what they were chosen from.

    Attributes
    ----------
    params : pandas.DataFrame
        ``Archetypes.resolve`` rows (index of ``Twin.buildings``).
    fallbacks : Fallbacks
        Buildings that took a fallback, by reason.
    party : ndarray
        Wall area shared with neighbours per orientation N, E, S, W, (n, 4) [m²].
    heated : Heated
        Which buildings are heated.
    country : str or None
        The country whose typology applies (ISO 3166-1 alpha-2), None if unknown.
    country_from : str
        ``"settings"``, ``"location"`` (the twin's centre) or ``"none"``.
    """

    params: pd.DataFrame
    fallbacks: Fallbacks
    party: np.ndarray
    heated: Heated
    country: str | None
    country_from: str


def choose_archetypes(twin: Twin, settings: EnergySettings = DEFAULT_SETTINGS) -> ChosenArchetypes:
    """Party walls, heated buildings and archetype parameters of every building of ``twin``.

    The country is ``settings.country``, else the one at the twin's centre (``country.py``).
    The size class counts only walls shared with heated neighbours: a house with a garage
    built against it is not a terraced house, though the garage still shields it.

    Parameters
    ----------
    twin : Twin
        The twin (buildings, CRS and extent for the country).
    settings : EnergySettings
        Archetype table, country, party-wall tolerance [m].

    Returns
    -------
    ChosenArchetypes
        Parameters, fallbacks, party walls, heated buildings and the country.
    """
    archetypes = settings.archetypes or load_archetypes()
    b = twin.buildings
    base = b["base_elevation"].to_numpy(np.float64)
    height = b["height"].to_numpy(np.float64)
    party = party_wall_areas(b.geometry.values, base, height, settings.party_wall_tolerance)
    heated = heated_buildings(b, party.sum(axis=1))
    shared = party.sum(axis=1)
    if not heated.mask.all() and (shared[~heated.mask] > 0.0).any():
        shared = party_wall_areas(b.geometry.values, base, height, settings.party_wall_tolerance,
                                  neighbours=heated.mask).sum(axis=1)
    located = None if settings.country else twin_country(twin)
    country = settings.country or located
    params, fallbacks = archetypes.resolve(b, country, shared)
    country_from = "settings" if settings.country else ("location" if located else "none")
    return ChosenArchetypes(params, fallbacks, party, heated, country, country_from)


def energy_inputs(twin: Twin, settings: EnergySettings = DEFAULT_SETTINGS) -> EnergyInputs:
    """Inputs of the energy model for every building of the twin with the twin's weather.

    Parameters
    ----------
    twin : Twin
        The twin: buildings, terrain (DSM shading) and weather.
    settings : EnergySettings
        Archetypes, shading, albedo, sun samples, districts.

    Returns
    -------
    EnergyInputs
        Zones, drivers and what they were made from.

    Raises
    ------
    InputError
        If the twin has no weather, or a column or setting is invalid.
    """
    if twin.weather is None:
        raise InputError(None, "weather", f"twin {twin.name!r} has no weather: import an EPW, "
                                          "TMY3 or DWD TRY file with it")
    archetypes = settings.archetypes or load_archetypes()
    b = twin.buildings
    height = b["height"].to_numpy(np.float64)
    chosen = choose_archetypes(twin, settings)
    params, heated = chosen.params, chosen.heated
    e = envelope_table(twin, params, archetypes, chosen.party)
    warnings = [w for w in (heated.warning(),) if w]
    warnings += [f"archetypes: {line}" for line in chosen.fallbacks.lines()]
    ok = (e["floor_area"].to_numpy() >= MIN_FLOOR_AREA) & (np.nan_to_num(height) > 0.0)
    if not ok[heated.mask].all():
        warnings.append(f"{int((~ok[heated.mask]).sum())} buildings not simulated: conditioned "
                        f"floor area below {MIN_FLOOR_AREA:g} m² or no height")
    ok &= heated.mask

    weather = twin.weather
    faces = wall_faces(twin)
    sources = solar_sources(weather, settings.albedo, settings.sun_samples,
                            () if faces is None else faces.extra_azimuths.tolist())
    sunlit, dsm = _shading(twin, sources, settings)
    apertures = face_apertures(_apertures(e, params, archetypes) * sunlit, faces)
    cal = local_calendar(weather.data.index, weather.location.utc_offset)
    district, names = _districts(twin, settings.district_column)
    profiles = building_profiles(params[ok], archetypes.schedules, cal, settings.setback)
    order = np.lexsort((profiles.gains_index, profiles.setpoint_index,
                        e["h_ve_extra"].to_numpy()[ok] > 0.0, district[ok]))
    rows = np.flatnonzero(ok)[order]
    es, ps = e.iloc[rows], params.iloc[rows]
    c_m, a_m, a_t, raised = _mass(es, ps)
    if raised:
        warnings.append(f"{raised} buildings: A_m / A_t raised to keep the 5R1C network valid "
                        "(small, tall or strongly glazed zones)")
    floor_area = es["floor_area"].to_numpy()
    appliances = (ps["electric_share"].to_numpy(np.float64)
                  * ps["internal_gains"].to_numpy(np.float64) * floor_area)
    zones = Zones.create(
        floor_area, es["h_tr_w"].to_numpy(), es["h_tr_op"].to_numpy(),
        es["h_ve"].to_numpy(), mass_class=None, c_m=c_m, a_m=a_m, a_t=a_t,
        internal_gains=ps["internal_gains"].to_numpy(np.float64) * floor_area,
        solar_aperture=apertures[rows],
        sky_loss=_sky_loss(es, ps, float(archetypes.method["emissivity"])),
        h_ve_extra=es["h_ve_extra"].to_numpy(),
        gains_profile=profiles.gains_index[order], setpoint_profile=profiles.setpoint_index[order],
        vent_profile=profiles.vent_index[order], district=district[rows], appliances=appliances,
    )
    dtheta_er: np.ndarray | float = settings.sky_temperature_depression
    if settings.sky_from_weather:
        sky = sources.weather.sky_depression(settings.sky_temperature_depression)
        dtheta_er = sky.delta
        note = sky.note(settings.sky_temperature_depression)
        if note:
            warnings.append(note)
    drivers = Drivers.create(
        weather.data["temp_air"].to_numpy(np.float64), sources.irradiance, cal.month,
        gains=profiles.gains, heat_setpoint=profiles.heat, cool_setpoint=profiles.cool,
        vent=profiles.vent, dtheta_er=dtheta_er,
    )
    return EnergyInputs(zones=zones, drivers=drivers, solar=sources, params=params, envelope=e,
                        rows=rows, time=weather.data.index, districts=names, sunlit=sunlit,
                        dsm_shading=dsm, warnings=tuple(warnings))
