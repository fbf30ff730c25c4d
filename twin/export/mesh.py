"""Triangle meshes of a twin's scene for glTF and 3D Tiles: the buildings (their LoD2 faces where
the twin has them, else LoD1 solids) and the road links as flat ribbons on the terrain, in the
twin CRS (x, y, z in metres)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from twin.export.faces import building_shells
from twin.export.solids import (
    GROUND,
    Surface,
    at_height,
    footprint_parts,
    polygon_rings,
    triangulate,
)
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


def building_mesh(buildings: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame]
                  ) -> Mesh:
    """The buildings' shells (:func:`~twin.export.faces.building_shells`): a building's LoD2
    faces where the ``surfaces`` of ``layers`` hold them, else its footprint as an LoD1 solid
    from ``base_elevation`` (0 m where missing) up by ``height``; a building with neither faces
    nor a positive height has no triangles."""
    surfaces = [[surface for shell in shells for surface in shell.surfaces]
                for shells in building_shells(buildings, layers)]
    owner = np.repeat(np.arange(len(surfaces)), [len(s) for s in surfaces])
    triangles, face = triangulate([surface for faces in surfaces for surface in faces])
    return Mesh(triangles, owner[face])


def road_mesh(links: gpd.GeoDataFrame, terrain: Terrain, ground: float = 0.0) -> Mesh:
    """The links as flat ribbons ``lanes x LANE_WIDTH`` wide on the right of their direction,
    laid on the DTM (or at ``ground`` [m] where it has none) and lifted by ``RIBBON_LIFT``."""
    lanes = links["lanes"].to_numpy(dtype=float)
    lines = links.geometry.to_numpy()
    rows = np.flatnonzero(~shapely.is_missing(lines) & ~shapely.is_empty(lines) & (lanes > 0))
    ribbons = shapely.buffer(lines[rows], -LANE_WIDTH * lanes[rows], cap_style="flat",
                             single_sided=True)
    surfaces: list[Surface] = []
    owners: list[int] = []
    for row, ribbon in zip(rows, ribbons):
        for part in footprint_parts(ribbon):  # counter-clockwise: facing up
            surfaces.append(Surface(GROUND, tuple(at_height(ring, 0.0)
                                                  for ring in polygon_rings(part))))
            owners.append(int(row))
    triangles, face = triangulate(surfaces)
    z = _ground(terrain, triangles[..., :2].reshape(-1, 2), ground).reshape(len(triangles), 3)
    triangles[..., 2] = z + RIBBON_LIFT
    return Mesh(triangles, np.asarray(owners, dtype=np.int64)[face])


def _ground(terrain: Terrain, points: np.ndarray, ground: float) -> np.ndarray:
    """Terrain height under each point [m]: the DTM, ``ground`` where it has none."""
    if terrain.dtm is None:
        return np.full(len(points), ground)
    heights = terrain.dtm.sample(points[:, 0], points[:, 1])
    return np.where(np.isfinite(heights), heights, ground)

