"""Solar cadastre of a twin: irradiation, usable area, kWp possible and PV yield per roof face.

Faces, usable areas and sample points come from :mod:`twin.energy.roof_faces`. Shading: each
sample point's horizon (``N_AZIMUTH`` = 72 bins of 5°) is the higher of

- the edges of the roof faces of every building (footprint outlines at roof height for those
  without faces) within ``MAX_DISTANCE`` = 100 m (``simulation.energy.edge_horizons``; a
  neighbour 100 m away would have to stand 18 m above the point to hide a 10° sun), and
- where the twin has a DSM, its ray-marched horizon over the whole grid
  (``simulation.energy.horizon_profiles``) with the cells under the buildings that have faces
  blanked (those are the faces' edges; the DSM adds terrain, trees and the other buildings).

Per face (``simulation.energy.face_solar``, the weather's year): irradiation on its own tilt
and azimuth [kWh/m² a], the shaded plane-of-array global; modules flush on pitched faces
(tilt >= ``FLAT_TILT`` = 10°) over the usable area, on flatter ones racked at
``rooftop_pv.PV_TILT`` facing ``PV_AZIMUTH`` over ``PACKING`` (0.7) of it (row spacing);
kWp possible = module area x ``MODULE_EFFICIENCY`` (0.2 kWp/m², 20 % efficient modules);
yield = AC energy of the PVWatts chain with the losses without their shading allowance
(11.42 %: the shading is modelled). Per building: the sums over its faces and the
area-weighted mean irradiation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from rasterio.features import geometry_mask

from simulation.energy import (
    MODULE_EFFICIENCY,
    PACKING,
    DsmGrid,
    PVSystems,
    Weather,
    edge_horizons,
    face_solar,
    horizon_profiles,
    pvwatts_losses,
)
from twin.energy.roof_faces import RoofFaces, roof_faces
from twin.energy.rooftop_pv import PV_AZIMUTH, PV_TILT
from twin.model import Twin

N_AZIMUTH = 72
"""Horizon bins of the sample points (5° each)."""
MAX_DISTANCE = 100.0
"""m, farthest edge that shades a sample point."""
FLAT_TILT = 10.0
"""deg: faces flatter than this carry racked modules."""
FACE_COLUMNS = ("building_id", "face_id", "area_m2", "tilt_deg", "azimuth_deg",
                "irradiation_kWh_m2", "sunlit_share", "usable_m2", "module_m2", "kWp",
                "yield_kWh", "specific_yield_kWh_kWp")
"""Columns of the per-face table (units in ``twin.quantities``, group ``SOLAR_FACES``)."""


@dataclass(frozen=True)
class SolarCadastre:
    """The solar cadastre of a twin.

    Attributes
    ----------
    faces : pandas.DataFrame
        One row per roof face (``FACE_COLUMNS``): ids, area_m2, usable_m2, module_m2 [m²],
        tilt_deg, azimuth_deg [deg], irradiation_kWh_m2 [kWh/m² a], sunlit_share [-], kWp
        [kWp], yield_kWh [kWh a], specific_yield_kWh_kWp [kWh/kWp a].
    buildings : pandas.DataFrame
        One row per building with faces (index: building id): roof_faces [-], roof_area_m2,
        usable_m2, module_m2 [m²], kWp [kWp], yield_kWh [kWh a], irradiation_kWh_m2 (mean
        over its faces weighted by area) [kWh/m² a].
    geometry : RoofFaces
        The faces' planes, sample points and edges.
    horizon : numpy.ndarray
        Horizon of every sample point, (n_points, N_AZIMUTH) [deg].
    modules : PVSystems
        The full-potential PV system of each face (module plane, nameplate).
    """

    faces: pd.DataFrame
    buildings: pd.DataFrame
    geometry: RoofFaces
    horizon: np.ndarray
    modules: PVSystems


def _dsm_horizon(twin: Twin, faces: RoofFaces, n_azimuth: int) -> np.ndarray | None:
    """Horizons of the sample points from the twin's DSM without the faced buildings; None
    without a DSM. Points outside the DSM get 0."""
    dsm = twin.terrain.dsm
    if dsm is None:
        return None
    faced = np.unique(faces.table["building"].to_numpy())
    footprints = shapely.buffer(twin.buildings.geometry.values[faced], abs(dsm.transform.a))
    values = np.asarray(dsm.values, dtype=np.float64).copy()
    blank = geometry_mask(footprints, out_shape=values.shape, transform=dsm.transform,
                          invert=True, all_touched=True)
    values[blank] = np.nan
    grid = DsmGrid.from_array(values, tuple(dsm.transform)[:6])
    col, row = grid.cell_coordinates(faces.points[:, 0], faces.points[:, 1])
    rows, cols = values.shape
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    out = np.zeros((faces.points.shape[0], n_azimuth))
    if inside.any():
        p = faces.points[inside]
        out[inside] = horizon_profiles(grid, p[:, 0], p[:, 1], p[:, 2], n_azimuth)
    return out


def _modules(faces: pd.DataFrame) -> tuple[PVSystems, np.ndarray]:
    """The full-potential PV system of each face and its module area [m²]."""
    tilt = faces["tilt_deg"].to_numpy(np.float64)
    flat = tilt < FLAT_TILT
    module_m2 = faces["usable_m2"].to_numpy(np.float64) * np.where(flat, PACKING, 1.0)
    systems = PVSystems(pdc0=module_m2 * MODULE_EFFICIENCY * 1000.0,
                        tilt=np.where(flat, PV_TILT, tilt),
                        azimuth=np.where(flat, PV_AZIMUTH,
                                         np.nan_to_num(faces["azimuth_deg"].to_numpy(), nan=0.0)),
                        losses_percent=np.full(len(faces), pvwatts_losses(shading=0.0)))
    return systems, module_m2


def solar_cadastre(twin: Twin, weather: Weather) -> SolarCadastre | None:
    """Irradiation and PV potential of every roof face of the twin (module docstring).

    Parameters
    ----------
    twin : Twin
        Buildings, their ``surfaces`` layer and optionally a DSM.
    weather : Weather
        The hourly weather of the year (``twin.energy.solar.energy_weather``).

    Returns
    -------
    SolarCadastre or None
        Per face and per building results; None when the twin has no roof face.
    """
    geometry = roof_faces(twin)
    if geometry is None:
        return None
    owner = np.repeat(np.arange(len(geometry.table)), np.diff(geometry.point_start))
    horizon = edge_horizons(geometry.points, owner, geometry.edges, geometry.edge_owner,
                            N_AZIMUTH, MAX_DISTANCE)
    terrain = _dsm_horizon(twin, geometry, N_AZIMUTH)
    if terrain is not None:
        horizon = np.maximum(horizon, terrain)
    t = geometry.table
    systems, module_m2 = _modules(t)
    solar = face_solar(t["tilt_deg"].to_numpy(), t["azimuth_deg"].to_numpy(), systems, horizon,
                       geometry.point_start, weather, geometry.group_start)
    kwp = systems.pdc0 / 1000.0
    faces = pd.DataFrame({
        "building_id": t["building_id"], "face_id": t["face_id"], "area_m2": t["area_m2"],
        "tilt_deg": t["tilt_deg"], "azimuth_deg": t["azimuth_deg"],
        "irradiation_kWh_m2": solar.irradiation_kwh_m2, "sunlit_share": solar.sunlit_share,
        "usable_m2": t["usable_m2"], "module_m2": module_m2, "kWp": kwp,
        "yield_kWh": solar.ac_kwh,
        "specific_yield_kWh_kWp": np.divide(solar.ac_kwh, kwp, out=np.full(len(t), np.nan),
                                            where=kwp > 0.0)})
    weighted = faces.assign(w=faces["irradiation_kWh_m2"] * faces["area_m2"])
    sums = weighted.groupby("building_id", sort=False).agg(
        roof_faces=("face_id", "size"), roof_area_m2=("area_m2", "sum"),
        usable_m2=("usable_m2", "sum"), module_m2=("module_m2", "sum"), kWp=("kWp", "sum"),
        yield_kWh=("yield_kWh", "sum"), w=("w", "sum"))
    sums["irradiation_kWh_m2"] = sums.pop("w") / sums["roof_area_m2"]
    sums.index.name = "id"
    return SolarCadastre(faces=faces.reset_index(drop=True), buildings=sums,
                         geometry=geometry, horizon=horizon, modules=systems)
