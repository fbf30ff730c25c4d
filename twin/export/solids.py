"""LoD1 solids of the twin's buildings: each footprint extruded from its base elevation to its
height, as semantic surfaces (roof, walls, ground) with their rings of 3D corners, and as
triangles for meshes. Coordinates are the twin CRS's x, y and the height z, in metres."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import shapely

ROOF, WALL, GROUND, CLOSURE = "roof", "wall", "ground", "closure"


@dataclass(frozen=True)
class Surface:
    """One planar face of a solid: its ``kind`` (``roof``, ``wall``, ``ground``) and rings of
    3D corners (first the outer ring, then holes), each (k, 3) [m], unclosed, ordered so the
    face's normal points out of the solid (counter-clockwise seen from outside)."""

    kind: str
    rings: tuple[np.ndarray, ...]


def footprint_parts(footprint: shapely.Geometry) -> list[shapely.Polygon]:
    """The polygons of a footprint (a Polygon or MultiPolygon), outer rings counter-clockwise
    and holes clockwise; empty parts left out."""
    oriented = shapely.orient_polygons(footprint)
    parts = list(oriented.geoms) if oriented.geom_type == "MultiPolygon" else [oriented]
    return [part for part in parts if part.geom_type == "Polygon" and not part.is_empty]


def extruded_solid(part: shapely.Polygon, base: float, top: float) -> list[Surface]:
    """The closed shell of ``part`` extruded from ``base`` to ``top`` [m]: one ground face, one
    roof face and one wall per edge of every ring."""
    rings = [np.asarray(part.exterior.coords)[:-1, :2],
             *(np.asarray(hole.coords)[:-1, :2] for hole in part.interiors)]
    surfaces = [Surface(GROUND, tuple(_at(ring[::-1], base) for ring in rings)),
                Surface(ROOF, tuple(_at(ring, top) for ring in rings))]
    for ring in rings:
        following = np.roll(ring, -1, axis=0)
        for a, b in zip(ring, following):
            quad = np.array([[a[0], a[1], base], [b[0], b[1], base],
                             [b[0], b[1], top], [a[0], a[1], top]])
            surfaces.append(Surface(WALL, (quad,)))
    return surfaces


def building_solids(footprint: shapely.Geometry, base: float, height: float
                    ) -> list[list[Surface]]:
    """One extruded solid per part of the footprint, from ``base`` to ``base + height`` [m];
    none when the height is not a positive number."""
    if not np.isfinite(height) or height <= 0 or footprint is None:
        return []
    return [extruded_solid(part, base, base + height) for part in footprint_parts(footprint)]


def surface_triangles(surface: Surface) -> np.ndarray:
    """The face as triangles, (n, 3, 3) [m], each counter-clockwise seen from outside."""
    outer = surface.rings[0]
    if surface.kind == WALL:
        return np.array([outer[[0, 1, 2]], outer[[0, 2, 3]]])
    z = float(outer[0, 2])
    polygon = shapely.Polygon(outer[:, :2], [ring[:, :2] for ring in surface.rings[1:]])
    pieces = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon))
    corners = shapely.get_coordinates(pieces).reshape(len(pieces), 4, 2)[:, :3]
    upward = signed_area(corners) > 0
    wanted_up = surface.kind == ROOF
    corners = np.where((upward != wanted_up)[:, None, None], corners[:, ::-1], corners)
    return np.concatenate([corners, np.full((*corners.shape[:2], 1), z)], axis=2)


def solid_triangles(solid: list[Surface]) -> Iterator[np.ndarray]:
    """The triangles of every face of a solid, face by face, each (n, 3, 3) [m]."""
    for surface in solid:
        yield surface_triangles(surface)


def _at(ring: np.ndarray, z: float) -> np.ndarray:
    return np.column_stack([ring, np.full(len(ring), z)])


def signed_area(triangles: np.ndarray) -> np.ndarray:
    """Twice the signed area of 2D triangles (n, 3, 2): positive when counter-clockwise."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
