"""Line features (road links, transit routes) as one PolyData of polylines."""

from __future__ import annotations

import numpy as np
import pyvista as pv
import shapely

from viewer.meshes import FEATURE
from viewer.meshes.ground import HeightAt, ground_heights


def polylines(geometries: np.ndarray, origin: tuple[float, float], ground: HeightAt | None,
              offset: float) -> pv.PolyData:
    """One polyline cell per (Multi)LineString part, ``offset`` m above ``ground`` (or above 0)."""
    parts, part_row = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, part_row = parts[keep], part_row[keep]
    xy, vertex_part = shapely.get_coordinates(parts, return_index=True)
    z = ground_heights(xy, ground) + offset
    points = np.column_stack([xy - origin, z]).astype(np.float32)
    counts = np.bincount(vertex_part, minlength=len(parts))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    lines = np.insert(np.arange(len(xy), dtype=np.int64), starts, counts)
    mesh = pv.PolyData(points, lines=lines)
    mesh.cell_data[FEATURE] = part_row
    return mesh

