"""Triangle meshes of a twin's scene for glTF and 3D Tiles: the buildings as LoD1 solids and the
road links as flat ribbons on the terrain, in the twin CRS (x, y, z in metres)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from twin.export.solids import building_solids, signed_area, solid_triangles
from twin.model import Terrain

LANE_WIDTH = 3.5
"""m of ribbon per lane of a link, drawn on the right of its direction of travel."""
RIBBON_LIFT = 0.2
"""m a road ribbon lies above the terrain, so it shows over a terrain mesh."""


@dataclass(frozen=True)
class Mesh:
    """Triangles with the row of the feature (building or link) each belongs to.

    Attributes
    ----------
    triangles : numpy.ndarray
        (n, 3, 3) corners, counter-clockwise seen from outside [m in the twin CRS, z height].
    feature : numpy.ndarray
        (n,) int64: the row of each triangle's feature in its table.
    """

    triangles: np.ndarray
    feature: np.ndarray

    def subset(self, rows: np.ndarray) -> Mesh:
        """The triangles of the features at ``rows`` (renumbered 0.. in that order)."""
        position = np.full(int(self.feature.max(initial=-1)) + 1, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        keep = position[self.feature] >= 0
        return Mesh(self.triangles[keep], position[self.feature[keep]])


def _mesh(pieces: list[np.ndarray], owners: list[int]) -> Mesh:
    if not pieces:
        return Mesh(np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64))
    counts = [len(p) for p in pieces]
    return Mesh(np.concatenate(pieces), np.repeat(np.array(owners, dtype=np.int64), counts))


def building_mesh(buildings: gpd.GeoDataFrame) -> Mesh:
    """The buildings as LoD1 solids (footprint from ``base_elevation`` up by ``height``; a
    missing base elevation is 0 m); buildings without a positive height have no triangles."""
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    bases = np.nan_to_num(buildings["base_elevation"].to_numpy(dtype=float), nan=0.0)
    heights = buildings["height"].to_numpy(dtype=float)
    for row, (footprint, base, height) in enumerate(zip(buildings.geometry, bases, heights)):
        for solid in building_solids(footprint, base, height):
            for triangles in solid_triangles(solid):
                pieces.append(triangles)
                owners.append(row)
    return _mesh(pieces, owners)


def road_mesh(links: gpd.GeoDataFrame, terrain: Terrain, ground: float = 0.0) -> Mesh:
    """The links as flat ribbons ``lanes x LANE_WIDTH`` wide on the right of their direction,
    laid on the DTM (or at ``ground`` [m] where it has none) and lifted by ``RIBBON_LIFT``."""
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    lanes = links["lanes"].to_numpy(dtype=float)
    for row, (line, lane_count) in enumerate(zip(links.geometry, lanes)):
        if line is None or line.is_empty or not lane_count > 0:
            continue
        ribbon = shapely.buffer(line, -LANE_WIDTH * lane_count, cap_style="flat",
                                single_sided=True)
        pieces_2d = shapely.get_parts(shapely.constrained_delaunay_triangles(ribbon))
        if not len(pieces_2d):
            continue
        corners = shapely.get_coordinates(pieces_2d).reshape(len(pieces_2d), 4, 2)[:, :3]
        clockwise = signed_area(corners) < 0
        corners = np.where(clockwise[:, None, None], corners[:, ::-1], corners)
        z = _ground(terrain, corners.reshape(-1, 2), ground).reshape(len(corners), 3, 1)
        pieces.append(np.concatenate([corners, z + RIBBON_LIFT], axis=2))
        owners.append(row)
    return _mesh(pieces, owners)


def _ground(terrain: Terrain, points: np.ndarray, ground: float) -> np.ndarray:
    """Terrain height under each point [m]: the DTM, ``ground`` where it has none."""
    if terrain.dtm is None:
        return np.full(len(points), ground)
    heights = terrain.dtm.sample(points[:, 0], points[:, 1])
    return np.where(np.isfinite(heights), heights, ground)

