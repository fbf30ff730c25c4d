"""Faces of the twin's buildings and their triangles: LoD1 solids (each footprint extruded from
its base elevation to its height) as semantic surfaces (roof, walls, ground) with their rings of
3D corners, and the one triangulation of planar 3D faces (LoD1 solids, LoD2 faces, road
ribbons) that meshes use. Coordinates are the twin CRS's x, y and the height z, in metres."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.errors import GEOSException

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
    rings = polygon_rings(part)
    surfaces = [Surface(GROUND, tuple(at_height(ring[::-1], base) for ring in rings)),
                Surface(ROOF, tuple(at_height(ring, top) for ring in rings))]
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


def triangulate(surfaces: Sequence[Surface]) -> tuple[np.ndarray, np.ndarray]:
    """The faces as triangles, each counter-clockwise seen from the side its face's outer ring
    is counter-clockwise from (outside, for a solid's faces).

    Every face is triangulated in its own plane (the plane across its outer ring's vector
    area), so sloped roofs, walls and ground faces with holes all take the same path, all at
    once (GEOS's constrained Delaunay triangulation, which adds no corner). The triangles'
    corners are the faces' own corners, so neighbouring faces still share their edges even
    where a face is not quite planar. A face whose projection is not a valid polygon (its ring
    crosses itself) is made valid first; the corners that adds lie in the face's plane.

    Parameters
    ----------
    surfaces : sequence of Surface
        Faces of 3D rings (k, 3) [m], outer ring first.

    Returns
    -------
    numpy.ndarray
        (n, 3, 3) triangle corners [m].
    numpy.ndarray
        (n,) int64: the face (position in ``surfaces``) of each triangle.
    """
    rings = [ring for surface in surfaces for ring in surface.rings]
    if not rings:
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    ring_face = np.repeat(np.arange(len(surfaces)), [len(s.rings) for s in surfaces])
    lengths = np.fromiter(map(len, rings), np.int64, count=len(rings))
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    corners = np.concatenate(rings).astype(np.float64)
    corner_ring = np.repeat(np.arange(len(rings)), lengths)
    corner_face = ring_face[corner_ring]
    outer = np.r_[True, ring_face[1:] != ring_face[:-1]]
    origin = corners[starts[outer]]  # each face's first corner
    relative = corners - origin[corner_face]  # metres near 0: no precision lost far from 0
    following = np.arange(len(corners)) + 1
    following[starts + lengths - 1] = starts
    # the outer ring's vector area (Newell): its direction is the face's normal
    in_outer = outer[corner_ring]
    area = np.cross(relative, relative[following])[in_outer]
    normal = np.column_stack([np.bincount(corner_face[in_outer], area[:, k],
                                          minlength=len(surfaces)) for k in range(3)])
    size = np.linalg.norm(normal, axis=1, keepdims=True)
    normal = np.where(size > 0, normal / np.where(size > 0, size, 1.0), [0.0, 0.0, 1.0])
    helper = np.where(np.abs(normal[:, 2:]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    u = np.cross(helper, normal)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = np.cross(normal, u)  # u x v = normal: counter-clockwise in (u, v) is outward
    plane = np.column_stack([np.einsum("ij,ij->i", relative, u[corner_face]),
                             np.einsum("ij,ij->i", relative, v[corner_face])])
    # each corner's number rides along as z, so the triangles' corners come back exactly
    tagged = np.column_stack([plane, np.arange(len(corners), dtype=np.float64)])
    polygons = shapely.polygons(shapely.linearrings(tagged, indices=corner_ring),
                                indices=ring_face)
    pieces, face = _triangles_2d(polygons)
    if not len(pieces):
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    flat = shapely.get_coordinates(pieces, include_z=True).reshape(len(pieces), 4, 3)[:, :3]
    clockwise = signed_area(flat[..., :2]) < 0
    flat = np.where(clockwise[:, None, None], flat[:, ::-1], flat)
    number = np.rint(np.nan_to_num(flat[..., 2], nan=-1.0)).astype(np.int64)
    own = (number >= 0) & (number < len(corners))
    own[own] = (plane[number[own]] == flat[..., :2][own]).all(axis=1)
    faces_of = np.broadcast_to(face[:, None], number.shape)
    lifted = (origin[faces_of] + flat[..., :1] * u[faces_of] + flat[..., 1:2] * v[faces_of])
    return np.where(own[..., None], corners[np.where(own, number, 0)], lifted), face


def _triangles_2d(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The triangles (shapely polygons) of 2D polygons and the position of each one's
    polygon; invalid polygons made valid first, and a polygon GEOS cannot triangulate left
    out."""
    invalid = ~shapely.is_valid(polygons)
    if invalid.any():
        polygons = polygons.copy()
        polygons[invalid] = shapely.make_valid(polygons[invalid])
    try:
        collections = shapely.constrained_delaunay_triangles(polygons)
    except GEOSException:
        collections = np.array([_triangles_or_none(p) for p in polygons], dtype=object)
    return shapely.get_parts(collections, return_index=True)


def _triangles_or_none(polygon: shapely.Geometry) -> shapely.Geometry | None:
    try:
        return shapely.constrained_delaunay_triangles(polygon)
    except GEOSException:
        return None


def polygon_rings(part: shapely.Polygon) -> list[np.ndarray]:
    """The rings of a polygon, outer first, unclosed (k, 2) [m]."""
    return [np.asarray(ring.coords)[:-1, :2] for ring in (part.exterior, *part.interiors)]


def at_height(ring: np.ndarray, z: float) -> np.ndarray:
    """A 2D ring (k, 2) at height ``z`` (k, 3) [m]."""
    return np.column_stack([ring, np.full(len(ring), z)])


def signed_area(triangles: np.ndarray) -> np.ndarray:
    """Twice the signed area of 2D triangles (n, 3, 2): positive when counter-clockwise."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
