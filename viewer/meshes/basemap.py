"""The base map (water, green and land-use areas, rail lines) as one flat PolyData on the ground,
each cell carrying its colour (``RGB``) and its feature row (``FEATURE``)."""

from __future__ import annotations

import numpy as np
import pyvista as pv
import shapely

from twin.basemap_colours import basemap_colour
from viewer.meshes import FEATURE, RGB
from viewer.meshes.ground import HeightAt, ground_heights

KIND_LIFT: dict[str, float] = {"landuse": 0.05, "green": 0.10, "water": 0.15, "rail": 0.20}
"""Height (m) above the ground by ``kind``: water over parks over land use, rail over all of
them, all below the roads."""


def basemap_mesh(geometries: np.ndarray, kinds: np.ndarray, origin: tuple[float, float],
                 ground: HeightAt | None) -> pv.PolyData:
    """Areas as triangles and lines as polylines, ``KIND_LIFT`` above ``ground`` (or above 0 m),
    coloured by ``twin.basemap_colours``. Cells: the lines first, then the triangles (VTK's order)."""
    geometries = np.asarray(geometries, dtype=object)
    kinds = np.asarray(kinds, dtype=object)
    lift = np.array([KIND_LIFT.get(kind, KIND_LIFT["landuse"]) for kind in kinds])
    lines = np.isin(shapely.get_type_id(geometries), (1, 5))  # LineString, MultiLineString
    line_xy, line_counts, line_row = _lines(geometries, lines)
    tri_xy, tri_row = _triangles(geometries, ~lines)
    xy = np.vstack([line_xy, tri_xy])
    rows = np.concatenate([line_row, tri_row])
    point_row = np.concatenate([np.repeat(line_row, line_counts), np.repeat(tri_row, 3)])
    starts = np.concatenate([[0], np.cumsum(line_counts)[:-1]]).astype(np.int64)
    line_cells = np.insert(np.arange(len(line_xy), dtype=np.int64), starts, line_counts)
    z = ground_heights(xy, ground) + lift[point_row] if len(xy) else np.empty(0)
    points = np.column_stack([xy - origin, z]).astype(np.float32)
    triangles = np.arange(len(line_xy), len(xy), dtype=np.int64).reshape(-1, 3)
    faces = np.column_stack([np.full(len(triangles), 3), triangles]).ravel()
    mesh = pv.PolyData(points, faces=faces, lines=line_cells) if len(points) else pv.PolyData()
    mesh.cell_data[FEATURE] = rows
    palette = {kind: pv.Color(basemap_colour(kind)).int_rgb for kind in set(kinds)}
    colours = np.array([palette[kind] for kind in kinds], dtype=np.uint8).reshape(-1, 3)
    mesh.cell_data[RGB] = colours[rows].reshape(-1, 3)
    return mesh


def _lines(geometries: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xy of the vertices, vertices per line, row per line) of the line parts of
    ``geometries[mask]``."""
    rows = np.flatnonzero(mask)
    parts, part_index = shapely.get_parts(geometries[rows], return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, part_row = parts[keep], rows[part_index[keep]]
    xy, vertex_part = shapely.get_coordinates(parts, return_index=True)
    return xy.reshape(-1, 2), np.bincount(vertex_part, minlength=len(parts)), part_row


def _triangles(geometries: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(xy of 3 corners per triangle, row per triangle) of the areas of ``geometries[mask]``."""
    rows = np.flatnonzero(mask)
    parts, part_index = shapely.get_parts(geometries[rows], return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, part_row = parts[keep], rows[part_index[keep]]
    xy, vertex_part = shapely.get_coordinates(shapely.constrained_delaunay_triangles(parts),
                                              return_index=True)
    corners = xy.reshape(-1, 4, 2)[:, :3]  # each triangle: a closed ring of 4 points
    return corners.reshape(-1, 2), part_row[vertex_part[::4]]

