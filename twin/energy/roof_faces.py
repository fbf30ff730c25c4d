"""The roof faces of a twin's ``surfaces`` layer as PV planes: usable area, sample points, edges.

Faces: the rows of kind ``roof`` with a tilt below 90° (a roof facing down carries no PV) of
buildings the twin has, in the order of the buildings table (a building's faces together).
Each face is worked on in its own plane (2D coordinates along two unit vectors in it):

- **usable area** [m²]: the face after a set-back of ``SETBACK`` = 0.5 m from every edge (fire
  code access paths, edge wind loads; German cadastres use 0.3-1 m), i.e. the polygon buffered
  inwards by 0.5 m in its plane; 0 for faces narrower than 1 m;
- **sample points**: centres of a square grid in the plane, ``MIN_SPACING`` = 1 m apart or wider
  so a face has about ``MAX_POINTS`` = 9 (a 3 x 3 grid on a rectangle), inside the usable polygon (the face's
  representative point when none is), ``POINT_LIFT`` = 0.2 m above the face (modules sit
  about there; it keeps the face's own edges from reading as a horizon);
- **edges**: every ring segment of every roof face, owned by its face; buildings without roof
  faces add their footprint outline at base + height (the LoD1 flat roof), owned by none.
  Roof edges give a LoD2 building's skyline (walls end at the roof's edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from twin.model import Twin

SETBACK = 0.5
"""m kept free of modules along every edge of a face."""
MIN_SPACING = 1.0
"""m, closest spacing of a face's sample points."""
MAX_POINTS = 9
"""Sample points per face aimed at (their spacing widens on large faces)."""
POINT_LIFT = 0.2
"""m above the face for the sample points."""
ROOF_KIND = "roof"


@dataclass(frozen=True)
class RoofFaces:
    """The PV planes of a twin's roof faces.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per face, grouped by building in the twin's order: building_id, face_id (the
        source's surface id, else ``<building id>/roof<k>``), building (row of the twin's
        buildings table), area_m2 (the face) and usable_m2 (after set-backs) [m²], tilt_deg,
        azimuth_deg [deg] (azimuth NaN on a horizontal face).
    points : numpy.ndarray
        (n_points, 3) sample points, x, y, z [m], the faces' points one after the other.
    point_start : numpy.ndarray
        First point of each face and, last, n_points, (n_faces + 1,).
    group_start : numpy.ndarray
        First face of each building that has faces and, last, n_faces, (n_groups + 1,).
    edges : numpy.ndarray
        (n_edges, 6) x0, y0, z0, x1, y1, z1 of the shading edges [m].
    edge_owner : numpy.ndarray
        Face of each edge, -1 for footprint outlines, (n_edges,).
    """

    table: pd.DataFrame
    points: np.ndarray
    point_start: np.ndarray
    group_start: np.ndarray
    edges: np.ndarray
    edge_owner: np.ndarray


def _plane_basis(tilt: np.ndarray, azimuth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors (n, 3) spanning each plane: along the contour, and up the slope."""
    t = np.radians(tilt)
    a = np.radians(np.nan_to_num(azimuth, nan=180.0))
    along = np.stack([np.cos(a), -np.sin(a), np.zeros_like(a)], axis=1)
    up = np.stack([-np.cos(t) * np.sin(a), -np.cos(t) * np.cos(a), np.sin(t)], axis=1)
    return along, up


def _local(polygons: np.ndarray, origin: np.ndarray, along: np.ndarray,
           up: np.ndarray) -> np.ndarray:
    """The 3D polygons in their planes' 2D coordinates [m]."""
    coords, owner = shapely.get_coordinates(polygons, include_z=True, return_index=True)
    rel = coords - origin[owner]
    uv = np.column_stack([(rel * along[owner]).sum(axis=1), (rel * up[owner]).sum(axis=1)])
    return shapely.set_coordinates(shapely.force_2d(polygons), uv)


def _sample(usable: np.ndarray, whole: np.ndarray, area: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid points (u, v) inside each usable polygon (its representative point when none),
    and the face of each, faces in order."""
    n = usable.shape[0]
    spacing = np.maximum(MIN_SPACING, np.sqrt(np.maximum(area, 0.0) / MAX_POINTS))
    box = shapely.bounds(usable)
    empty = shapely.is_empty(usable) | ~np.isfinite(box).all(axis=1)
    box[empty] = 0.0
    nu = np.where(empty, 0, np.maximum(1, np.ceil((box[:, 2] - box[:, 0]) / spacing))).astype(
        np.int64)
    nv = np.where(empty, 0, np.maximum(1, np.ceil((box[:, 3] - box[:, 1]) / spacing))).astype(
        np.int64)
    count = nu * nv
    face = np.repeat(np.arange(n), count)
    k = np.arange(face.shape[0]) - np.repeat(np.cumsum(count) - count, count)
    s = spacing[face]
    u = 0.5 * (box[face, 0] + box[face, 2]) + (k % nu[face] - 0.5 * (nu[face] - 1)) * s
    v = 0.5 * (box[face, 1] + box[face, 3]) + (k // nu[face] - 0.5 * (nv[face] - 1)) * s
    inside = shapely.contains_xy(usable[face], u, v)
    face, u, v = face[inside], u[inside], v[inside]
    missing = np.setdiff1d(np.arange(n), face)
    rep = shapely.point_on_surface(whole[missing])
    face = np.r_[face, missing]
    u = np.r_[u, shapely.get_x(rep)]
    v = np.r_[v, shapely.get_y(rep)]
    order = np.argsort(face, kind="stable")
    return u[order], v[order], face[order]


def _ring_edges(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, 6) segments of every ring of 3D polygons and the polygon of each."""
    rings, ring_owner = shapely.get_rings(polygons, return_index=True)
    coords, index = shapely.get_coordinates(rings, include_z=True, return_index=True)
    same = index[1:] == index[:-1]
    segments = np.column_stack([coords[:-1][same], coords[1:][same]])
    owner = ring_owner[index[:-1][same]]
    keep = np.hypot(segments[:, 3] - segments[:, 0], segments[:, 4] - segments[:, 1]) > 0.0
    return segments[keep], owner[keep]


def _footprint_edges(twin: Twin, without: np.ndarray) -> np.ndarray:
    """(n, 6) outline segments of the buildings ``without`` faces, at base + height [m]."""
    b = twin.buildings
    top = (np.nan_to_num(b["base_elevation"].to_numpy(np.float64))
           + np.nan_to_num(b["height"].to_numpy(np.float64)))[without]
    parts, part_owner = shapely.get_parts(b.geometry.values[without], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    same = index[1:] == index[:-1]
    z = top[part_owner[ring_part[index[:-1][same]]]]
    return np.column_stack([coords[:-1][same], z, coords[1:][same], z])


def roof_faces(twin: Twin) -> RoofFaces | None:
    """The roof faces of the twin's ``surfaces`` layer as PV planes (module docstring); None
    when the twin has no roof face."""
    layer = twin.layers.get("surfaces")
    if layer is None or not len(layer):
        return None
    b = twin.buildings
    row_of = pd.Series(np.arange(len(b)), index=pd.Index(b["id"].astype(str)))
    building = row_of.reindex(layer["building_id"].astype(str).to_numpy()).to_numpy()
    tilt = layer["tilt"].to_numpy(np.float64)
    roof = ((layer["kind"] == ROOF_KIND).to_numpy() & np.isfinite(building) & (tilt < 90.0)
            & (layer["area"].to_numpy(np.float64) > 0.0))
    if not roof.any():
        return None
    faces = layer[roof]
    building = building[roof].astype(np.int64)
    order = np.argsort(building, kind="stable")
    faces, building = faces.iloc[order], building[order]
    tilt = faces["tilt"].to_numpy(np.float64)
    azimuth = faces["azimuth"].to_numpy(np.float64)
    polygons = faces.geometry.values
    area = faces["area"].to_numpy(np.float64)

    coords, owner = shapely.get_coordinates(polygons, include_z=True, return_index=True)
    counts = np.bincount(owner, minlength=len(faces))
    origin = np.column_stack([np.bincount(owner, coords[:, i], len(faces)) for i in range(3)]
                             ) / counts[:, None]
    along, up = _plane_basis(tilt, azimuth)
    local = _local(polygons, origin, along, up)
    usable = shapely.buffer(local, -SETBACK, join_style="mitre")
    u, v, face = _sample(usable, local, area)
    points = origin[face] + u[:, None] * along[face] + v[:, None] * up[face]
    points[:, 2] += POINT_LIFT
    point_start = np.searchsorted(face, np.arange(len(faces) + 1))

    edges, edge_owner = _ring_edges(polygons)
    has_faces = np.zeros(len(b), dtype=bool)
    has_faces[building] = True
    footprint = _footprint_edges(twin, ~has_faces)
    ids = faces["building_id"].astype(str).to_numpy()
    rank = faces.groupby(building).cumcount().to_numpy()
    given = faces["surface_id"].to_numpy(dtype=object)
    face_id = [g if isinstance(g, str) and g else f"{i}/roof{k}"
               for g, i, k in zip(given, ids, rank)]
    table = pd.DataFrame({
        "building_id": ids, "face_id": face_id, "building": building, "area_m2": area,
        "usable_m2": np.asarray(shapely.area(usable)), "tilt_deg": tilt,
        "azimuth_deg": azimuth})
    group_start = np.r_[np.flatnonzero(np.r_[True, building[1:] != building[:-1]]),
                        len(faces)]
    return RoofFaces(table=table, points=np.ascontiguousarray(points),
                     point_start=point_start.astype(np.int64),
                     group_start=group_start.astype(np.int64),
                     edges=np.concatenate([edges, footprint]),
                     edge_owner=np.r_[edge_owner, np.full(len(footprint), -1)].astype(np.int64))
