"""Shading of each building's roof and facades by neighbours and terrain, from the twin's DSM.

Surfaces, one point each (``roof_points``, ``facade_points`` of ``simulation.energy``): the
roof at the footprint's representative point (0.2 m above the higher of the DSM there and the
building's top), every exterior footprint edge at its mid-point and mid-height, 0.5 m out
along its outward normal. A facade point that lies inside something (DSM above the point: a
party wall or an adjoining higher building) is left out. Each point's horizon profile (72
azimuth bins by default) is computed once.

Sunlit factor of a point (``simulation.energy.sunlit_factor``) = its shaded annual irradiance
over the unshaded one on the plane of its solar source (``solar.SOURCE_NAMES``: the horizontal
for roofs, the vertical N/E/S/W plane of the facade's orientation bin), i.e.
irradiance-weighted over the year:
``(Σ_t (beam + circumsolar) sunlit_t + SVR Σ_t isotropic + Σ_t (horizon band + ground)) /
Σ_t total``, with sunlit_t the sun above the point's horizon and SVR the sky-view ratio of
the isotropic sky (of the wall's own azimuth). A building's factor per source is the mean
over its points weighted by edge length (roof: its one point); 1 where it has no point there
or lies outside the DSM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from simulation.energy import DsmGrid, facade_points, horizon_profiles, roof_points, sunlit_factor
from twin.energy.solar import FACADES, ROOF, SOURCE_NAMES, SolarSources
from twin.model import Raster, Twin

ROOF_LIFT = 0.2
"""m above the DSM for the roof point (modules sit about there)."""
FACADE_OFFSET = 0.5
"""m out from the wall for the facade points."""


@dataclass(frozen=True)
class DsmShading:
    """factors: sunlit factor (n_buildings, len(SOURCE_NAMES)) 0..1 of the base sources; roof_horizon: horizon (deg) of
    each building's roof point (n_buildings, n_azimuth), NaN rows where it has none;
    points: number of roof + facade points whose horizon was traced."""

    factors: np.ndarray
    roof_horizon: np.ndarray
    points: int


def _facade_edges(footprints: np.ndarray) -> tuple[np.ndarray, ...]:
    """(owner, x0, y0, x1, y1) of every ring edge, rings oriented so the outside is right."""
    oriented = shapely.orient_polygons(footprints, exterior_cw=False)
    parts, part_owner = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same = ring_index[1:] == ring_index[:-1]
    start = coords[:-1][same]
    end = coords[1:][same]
    owner = part_owner[ring_part[ring_index[:-1][same]]]
    keep = np.hypot(*(end - start).T) > 0.0
    return owner[keep], start[keep, 0], start[keep, 1], end[keep, 0], end[keep, 1]


def dsm_shading(twin: Twin, dsm: Raster, sources: SolarSources,
                n_azimuth: int = 72) -> DsmShading:
    """Sunlit factors of every building's roof and facade sources from the twin's DSM."""
    b = twin.buildings
    n = len(b)
    grid = DsmGrid.from_array(dsm.values, tuple(dsm.transform)[:6])
    footprints = b.geometry.values

    roof = shapely.point_on_surface(footprints)
    rx, ry = shapely.get_x(roof), shapely.get_y(roof)
    roof_ok = np.isfinite(grid.sample(rx, ry))
    rx, ry, rz = roof_points(grid, rx[roof_ok], ry[roof_ok], ROOF_LIFT)
    top = (b["base_elevation"].to_numpy(np.float64) + b["height"].to_numpy(np.float64))[roof_ok]
    rz = np.fmax(rz, top + ROOF_LIFT)  # a DSM cell off the roof (or lower) does not sink it

    owner, x0, y0, x1, y1 = _facade_edges(footprints)
    base = b["base_elevation"].to_numpy(np.float64)[owner]
    height = b["height"].to_numpy(np.float64)[owner]
    fx, fy, fz, faz = facade_points(x0, y0, x1, y1, np.nan_to_num(base), np.nan_to_num(height),
                                    FACADE_OFFSET)
    ground = grid.sample(fx, fy)
    ok = np.isfinite(ground) & (ground <= fz) & (height > 0.0)
    owner, fx, fy, fz, faz = owner[ok], fx[ok], fy[ok], fz[ok], faz[ok]
    length = np.hypot(x1 - x0, y1 - y0)[ok]
    source = np.asarray(FACADES)[(((faz + 45.0) % 360.0) // 90.0).astype(np.int64)]

    horizon = horizon_profiles(grid, np.r_[rx, fx], np.r_[ry, fy], np.r_[rz, fz], n_azimuth)
    rows = np.r_[np.full(rx.shape[0], ROOF), source]
    tilt = np.r_[np.zeros(rx.shape[0]), np.full(fx.shape[0], 90.0)]
    azimuth = np.r_[np.full(rx.shape[0], 180.0), faz]
    base = len(SOURCE_NAMES)
    point_factor = sunlit_factor(horizon, tilt, azimuth, rows, sources.tilt[:base],
                                 sources.azimuth[:base], sources.weather, sources.sun)

    factors = np.ones((n, base))
    factors[np.flatnonzero(roof_ok), ROOF] = point_factor[: rx.shape[0]]
    weight = np.zeros((n, base))
    acc = np.zeros_like(weight)
    np.add.at(weight, (owner, source), length)
    np.add.at(acc, (owner, source), length * point_factor[rx.shape[0]:])
    has = weight > 0.0
    factors[has] = acc[has] / weight[has]
    roof_horizon = np.full((n, n_azimuth), np.nan)
    roof_horizon[roof_ok] = horizon[: rx.shape[0]]
    return DsmShading(np.clip(factors, 0.0, 1.0), roof_horizon, int(rows.shape[0]))
