"""Point features (POIs, sensors, transit stops) as one PolyData of vertices."""

from __future__ import annotations

import numpy as np
import pyvista as pv
import shapely

from viewer.meshes import FEATURE
from viewer.meshes.ground import HeightAt, ground_heights


def point_cloud(geometries: np.ndarray, origin: tuple[float, float], ground: HeightAt | None,
                offset: float) -> pv.PolyData:
    """One vertex per feature (a point on the surface of lines and polygons), ``offset`` m above
    ``ground``."""
    geometries = np.asarray(geometries, dtype=object)
    rows = np.flatnonzero(~shapely.is_empty(geometries) & ~shapely.is_missing(geometries))
    xy = shapely.get_coordinates(shapely.point_on_surface(geometries[rows]))
    points = np.column_stack([xy - origin, ground_heights(xy, ground) + offset]).astype(np.float32)
    mesh = pv.PolyData(points)
    mesh.cell_data[FEATURE] = rows
    return mesh
