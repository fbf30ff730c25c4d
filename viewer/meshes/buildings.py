"""Buildings as one merged extruded triangle mesh: roofs from the triangulated footprints, walls
as two triangles per ring edge, from ``base_elevation`` to ``base_elevation + height``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
import shapely

from viewer.meshes import FEATURE

POLYGON = 3
"""shapely's type id of a Polygon."""


@dataclass(frozen=True)
class BuildingMeshes:
    """``full``: roofs (the first ``roof_cells`` cells), then walls; ``roofs``: the roofs alone, a
    light stand-in drawn while the camera moves."""

    full: pv.PolyData
    roofs: pv.PolyData
    roof_cells: int


def extrude_buildings(footprints: np.ndarray, base: np.ndarray, height: np.ndarray,
                      origin: tuple[float, float]) -> BuildingMeshes:
    """Extrude 2D (Multi)Polygon ``footprints`` from ``base`` to ``base + height`` (m).

    Parts of a MultiPolygon and holes are kept; empty footprints draw nothing. NaN base or
    height count as 0. Cell array ``FEATURE`` holds each cell's index into ``footprints``.
    """
    base = np.nan_to_num(np.asarray(base, dtype=np.float64))
    top = base + np.nan_to_num(np.asarray(height, dtype=np.float64))
    parts, part_row = _polygons(np.asarray(footprints, dtype=object))
    roof_points, roof_faces, roof_row = _roofs(parts, part_row, top, origin)
    wall_points, wall_faces, wall_row = _walls(parts, part_row, base, top, origin)
    points = np.vstack([roof_points, wall_points]).astype(np.float32)
    faces = np.vstack([roof_faces, wall_faces + len(roof_points)])
    # pyvista's MatrixLike[float] stub takes float64 arrays only; these points are float32
    full = pv.PolyData.from_regular_faces(points, faces)  # type: ignore[arg-type]
    full.cell_data[FEATURE] = np.concatenate([roof_row, wall_row])
    roofs = pv.PolyData.from_regular_faces(points[: len(roof_points)], roof_faces)  # type: ignore[arg-type]
    roofs.cell_data[FEATURE] = roof_row
    return BuildingMeshes(full=full, roofs=roofs, roof_cells=len(roof_faces))


def _polygons(footprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty polygons of the footprints and the footprint each comes from."""
    if np.all(shapely.get_type_id(footprints) == POLYGON):
        parts, part_row = footprints, np.arange(len(footprints))
    else:
        parts, part_row = shapely.get_parts(footprints, return_index=True)
    keep = ~shapely.is_empty(parts)
    return parts[keep], part_row[keep]


def _roofs(parts: np.ndarray, part_row: np.ndarray, top: np.ndarray,
           origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Roof triangles at each building's top, facing up: points (3 per triangle), faces, rows."""
    xy, vertex_part = shapely.get_coordinates(shapely.constrained_delaunay_triangles(parts),
                                              return_index=True)
    corners = xy.reshape(-1, 4, 2)[:, :3] - origin  # each triangle: a closed ring of 4 points
    edge1, edge2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    clockwise = edge1[:, 0] * edge2[:, 1] - edge1[:, 1] * edge2[:, 0] < 0
    corners[clockwise] = corners[clockwise][:, [0, 2, 1]]
    rows = part_row[vertex_part[::4]]
    points = np.column_stack([corners.reshape(-1, 2), np.repeat(top[rows], 3)])
    faces = np.arange(len(points), dtype=np.int64).reshape(-1, 3)
    return points, faces, rows


def _walls(parts: np.ndarray, part_row: np.ndarray, base: np.ndarray, top: np.ndarray,
           origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two triangles per ring edge from base to top, facing out of the building: points (each
    ring vertex at base, then at top), faces, rows."""
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    rows = part_row[ring_part][vertex_ring]
    n = len(xy)
    local = xy - origin
    points = np.vstack([np.column_stack([local, base[rows]]), np.column_stack([local, top[rows]])])
    start = np.flatnonzero(vertex_ring[:-1] == vertex_ring[1:])  # edge start -> start + 1
    # shoelace: a ring runs counter-clockwise if its signed area is positive; walls face out of
    # the building if exteriors (the first ring of a part) run counter-clockwise and holes not
    twice_area = np.bincount(vertex_ring[start], minlength=len(rings), weights=(
        local[start, 0] * local[start + 1, 1] - local[start + 1, 0] * local[start, 1]))
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]]
    reverse = ((twice_area > 0) != exterior)[vertex_ring[start]]
    b0, b1 = np.where(reverse, start + 1, start), np.where(reverse, start, start + 1)
    t0, t1 = b0 + n, b1 + n
    faces = np.stack([np.column_stack([b0, b1, t1]), np.column_stack([b0, t1, t0])], axis=1)
    return points, faces.reshape(-1, 3).astype(np.int64), np.repeat(rows[start], 2)
