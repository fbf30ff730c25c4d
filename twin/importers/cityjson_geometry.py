"""The numeric side of the CityJSON importer: scanned arrays in, building metrics out.

:func:`assemble_surfaces` turns the arrays of the chosen geometries (read by
:mod:`.cityjson_scanner`) into flat ring arrays, and :func:`surface_metrics` /
:func:`building_metrics` / :func:`footprints` compute areas, normals, volumes and 2D footprints
over them without a Python loop per surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import shapely

from twin.importers.cityjson_scanner import NumericArrays, ranges

CLASS_UNKNOWN, CLASS_ROOF, CLASS_WALL, CLASS_GROUND, CLASS_IGNORED, CLASS_CLOSURE = -1, 0, 1, 2, 3, 4
"""Surface classes: from semantics (unknown when a surface has none), else from the normal.
Closure surfaces (virtual faces closing a solid) count in no area, like ignored ones."""

SEMANTIC_CLASSES = {
    "RoofSurface": CLASS_ROOF,
    "WallSurface": CLASS_WALL,
    "Window": CLASS_WALL,
    "Door": CLASS_WALL,
    "GroundSurface": CLASS_GROUND,
    "ClosureSurface": CLASS_CLOSURE,
}
"""Semantic surface types that count as roof, wall or ground; windows and doors are part of the
facade. Closure surfaces are kept in the ``surfaces`` layer but, like every other type
(OuterCeilingSurface, interior surfaces, ...), left out of the areas."""


WALL_MAX_NZ = float(np.sin(np.radians(10.0)))
"""A surface without semantics whose unit normal has |n_z| below this (within 10° of vertical) is
a wall; above, an upward normal makes it roof and a downward one ground."""

CLOSURE_TOLERANCE = 1e-3
"""A part is closed when its summed vector area is below this fraction of its total area (exactly
zero for a closed shell, whatever its shape)."""

MIN_AREA = 1e-9
"""Surfaces below this area (m²) are degenerate."""


class GeometryError(ValueError):
    """A chosen geometry that cannot be read; ``geometry`` is its position in the request."""

    def __init__(self, geometry: int, message: str) -> None:
        super().__init__(message)
        self.geometry = geometry
        self.message = message


BOUNDARY_DEPTH = {"MultiSurface": 3, "CompositeSurface": 3, "Solid": 4, "MultiSolid": 5,
                  "CompositeSolid": 5}
"""Nesting depth of ``boundaries`` for the geometry types the importer reads."""


@dataclass(frozen=True)
class GeometryRequest:
    """The geometries to assemble, one entry each (arrays of equal length).

    boundaries / values: numbers of their ``boundaries`` and ``semantics.values`` arrays (values
    -1 when the geometry has no semantics); depth: ``BOUNDARY_DEPTH`` of the geometry type;
    vertex_offset / vertex_count: where the vertices it indexes start in the stacked vertex
    array and how many there are; building: output row; semantic_start / semantic_count: its
    slice of ``semantic_classes``, the class of each entry of its ``semantics.surfaces``.
    """

    boundaries: np.ndarray
    values: np.ndarray
    depth: np.ndarray
    vertex_offset: np.ndarray
    vertex_count: np.ndarray
    building: np.ndarray
    semantic_start: np.ndarray
    semantic_count: np.ndarray
    semantic_classes: np.ndarray


@dataclass(frozen=True)
class Surfaces:
    """Flat polygon soup of the chosen geometries.

    index: vertex numbers of all rings; ring_start: offsets of each ring in ``index`` (+ total);
    surface_start: offsets of each surface's rings (+ total; the first ring is the outer one);
    surface_part / surface_class: the part (solid, or whole surface geometry; surfaces of a
    part are consecutive) and class of each surface; part_building: output row of each part.
    """

    vertices: np.ndarray
    index: np.ndarray
    ring_start: np.ndarray
    surface_start: np.ndarray
    surface_part: np.ndarray
    surface_class: np.ndarray
    part_building: np.ndarray


_BAD_DEPTH, _MIXED_DEPTH, _BAD_INDEX, _BAD_VALUES_COUNT, _BAD_VALUE = 1, 2, 3, 4, 5


@numba.njit(cache=True)
def _assembly_sizes(leaf_start: np.ndarray, level_start: np.ndarray, array_depth: np.ndarray,
                    boundaries: np.ndarray, depth: np.ndarray
                    ) -> tuple[int, int, int, int, int, int]:
    """Indices, rings, surfaces and parts the geometries hold, or an error (code, geometry)."""
    n_index = n_rings = n_surfaces = n_parts = 0
    for g in range(boundaries.shape[0]):
        k, d = boundaries[g], depth[g]
        if leaf_start[k + 1] == leaf_start[k]:
            continue
        if array_depth[k] != d:
            return (_BAD_DEPTH if array_depth[k] > 0 else _MIXED_DEPTH), g, 0, 0, 0, 0
        n_index += leaf_start[k + 1] - leaf_start[k]
        n_rings += level_start[k + 1, d - 1] - level_start[k, d - 1]
        n_surfaces += level_start[k + 1, d - 2] - level_start[k, d - 2]
        n_parts += level_start[k + 1, 1] - level_start[k, 1] if d == 5 else 1
    return 0, -1, n_index, n_rings, n_surfaces, n_parts


@numba.njit(cache=True)
def _classify(leaves: np.ndarray, first: int, end: int, start: int, count: int,
              classes: np.ndarray, surface_class: np.ndarray, begin: int, stop: int
              ) -> tuple[int, float]:
    """Set ``surface_class[begin:stop]`` from a geometry's semantic values ``leaves[first:end]``
    (indices into ``classes[start:start + count]``, NaN for none); (error code, bad value)."""
    if end - first != stop - begin:
        return _BAD_VALUES_COUNT, float(end - first)
    for m in range(end - first):
        v = leaves[first + m]
        if np.isnan(v):
            continue
        if not (0.0 <= v < count) or v != np.floor(v):
            return _BAD_VALUE, v
        surface_class[begin + m] = classes[start + np.int64(v)]
    return 0, 0.0


@numba.njit(cache=True)
def _assemble(leaves: np.ndarray, levels: np.ndarray, leaf_start: np.ndarray,
              level_start: np.ndarray, array_depth: np.ndarray, boundaries: np.ndarray,
              depth: np.ndarray, vertex_offset: np.ndarray, vertex_count: np.ndarray,
              building: np.ndarray, values: np.ndarray, semantic_start: np.ndarray,
              semantic_count: np.ndarray, semantic_classes: np.ndarray
              ) -> tuple[int, int, float, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                np.ndarray, np.ndarray]]:
    """Flatten the geometries' arrays into :class:`Surfaces` arrays; see
    :func:`assemble_surfaces`. Returns (error code, geometry, bad value, arrays)."""
    code, g_bad, n_index, n_rings, n_surfaces, n_parts = _assembly_sizes(
        leaf_start, level_start, array_depth, boundaries, depth)
    index = np.empty(n_index, np.int64)
    ring_start = np.empty(n_rings + 1, np.int64)
    surface_start = np.empty(n_surfaces + 1, np.int64)
    surface_part = np.empty(n_surfaces, np.int64)
    surface_class = np.full(n_surfaces, CLASS_UNKNOWN, np.int8)
    part_building = np.empty(n_parts, np.int64)
    result = (index, ring_start, surface_start, surface_part, surface_class, part_building)
    if code:
        return code, g_bad, 0.0, result
    o_index = o_ring = o_surface = o_part = 0
    for g in range(boundaries.shape[0]):
        k, d = boundaries[g], depth[g]
        if leaf_start[k + 1] == leaf_start[k]:
            continue
        for m in range(leaf_start[k], leaf_start[k + 1]):
            v = leaves[m]
            if not (0.0 <= v < vertex_count[g]) or v != np.floor(v):
                return _BAD_INDEX, g, v, result
            index[o_index + m - leaf_start[k]] = np.int64(v) + vertex_offset[g]
        first_ring = o_ring
        for r in range(level_start[k, d - 1], level_start[k + 1, d - 1]):
            ring_start[o_ring] = o_index
            o_index += levels[d - 1, r]
            o_ring += 1
        begin = o_surface
        for s in range(level_start[k, d - 2], level_start[k + 1, d - 2]):
            surface_start[o_surface] = first_ring
            first_ring += levels[d - 2, s]
            o_surface += 1
        if d == 5:
            s = begin
            shell = level_start[k, 2]
            for solid in range(level_start[k, 1], level_start[k + 1, 1]):
                for _ in range(levels[1, solid]):
                    surface_part[s: s + levels[2, shell]] = o_part
                    s += levels[2, shell]
                    shell += 1
                part_building[o_part] = building[g]
                o_part += 1
        else:
            surface_part[begin:o_surface] = o_part
            part_building[o_part] = building[g]
            o_part += 1
        if values[g] >= 0:
            code, bad = _classify(leaves, leaf_start[values[g]], leaf_start[values[g] + 1],
                                  semantic_start[g], semantic_count[g], semantic_classes,
                                  surface_class, begin, o_surface)
            if code:
                return code, g, bad, result
    ring_start[o_ring] = o_index
    surface_start[o_surface] = o_ring
    return 0, -1, 0.0, result


def assemble_surfaces(arrays: NumericArrays, vertices: np.ndarray,
                      request: GeometryRequest) -> Surfaces:
    """Flat ring arrays of the requested geometries.

    Raises :class:`GeometryError` naming the first geometry whose arrays do not fit its type,
    with a vertex index out of range, or with semantic values that do not fit its surfaces.
    """
    code, g, bad, result = _assemble(
        arrays.leaves, arrays.levels, arrays.leaf_start, arrays.level_start, arrays.depth,
        request.boundaries, request.depth, request.vertex_offset, request.vertex_count,
        request.building, request.values, request.semantic_start, request.semantic_count,
        request.semantic_classes)
    if code:
        raise GeometryError(g, _assembly_message(arrays, request, code, g, bad))
    index, ring_start, surface_start, surface_part, surface_class, part_building = result
    return Surfaces(vertices=vertices, index=index, ring_start=ring_start,
                    surface_start=surface_start, surface_part=surface_part,
                    surface_class=surface_class, part_building=part_building)


def _assembly_message(arrays: NumericArrays, request: GeometryRequest, code: int, g: int,
                      bad: float) -> str:
    """What is wrong with geometry ``g`` (see the ``_BAD_*`` codes of :func:`_assemble`)."""
    if code == _BAD_DEPTH:
        return (f"boundaries are nested {arrays.depth[request.boundaries[g]]} deep where its type "
                f"needs {request.depth[g]}")
    if code == _MIXED_DEPTH:
        return "boundaries are nested to different depths"
    if code == _BAD_INDEX:
        return (f"vertex index {bad:g} out of range (there are {request.vertex_count[g]} "
                "vertices)")
    if code == _BAD_VALUES_COUNT:
        return f"semantics.values has {bad:g} entries, not one per surface"
    return f"semantics.values refers to surface {bad:g} of {request.semantic_count[g]}"


# --------------------------------------------------------------------------- metrics


@numba.njit(cache=True)
def _ring_vector(vertices: np.ndarray, index: np.ndarray, a: int, b: int
                 ) -> tuple[float, float, float]:
    """Vector area (m², x, y, z) of the ring ``index[a:b]`` by the fan from its first vertex."""
    p = index[a]
    x0, y0, z0 = vertices[p, 0], vertices[p, 1], vertices[p, 2]
    nx = ny = nz = 0.0
    q = index[a + 1]
    ux, uy, uz = vertices[q, 0] - x0, vertices[q, 1] - y0, vertices[q, 2] - z0
    for k in range(a + 2, b):
        q = index[k]
        wx, wy, wz = vertices[q, 0] - x0, vertices[q, 1] - y0, vertices[q, 2] - z0
        nx += uy * wz - uz * wy
        ny += uz * wx - ux * wz
        nz += ux * wy - uy * wx
        ux, uy, uz = wx, wy, wz
    return 0.5 * nx, 0.5 * ny, 0.5 * nz


@numba.njit(cache=True)
def _surface_kernel(vertices: np.ndarray, index: np.ndarray, ring_start: np.ndarray,
                    surface_start: np.ndarray, surface_part: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                               np.ndarray]:
    """Per surface: area (m², holes removed), unit normal of the outer ring, vector area (m²),
    signed volume contribution (m³, divergence theorem, relative to the first vertex of its
    part), and min / max z (m).

    A ring's vector area is summed over the fan of triangles from its first vertex, so it is
    exact for any planar polygon, convex or not. Holes count against the outer ring whatever
    their stored orientation.
    """
    n = surface_start.shape[0] - 1
    area = np.zeros(n)
    normal = np.zeros((n, 3))
    vector = np.zeros((n, 3))
    volume = np.zeros(n)
    z_min = np.full(n, np.inf)
    z_max = np.full(n, -np.inf)
    part = -1
    ox = oy = oz = 0.0
    for s in range(n):
        ax = ay = az = 0.0
        outer = 0.0
        holes = 0.0
        for r in range(surface_start[s], surface_start[s + 1]):
            a, b = ring_start[r], ring_start[r + 1]
            for k in range(a, b):
                z = vertices[index[k], 2]
                z_min[s] = min(z_min[s], z)
                z_max[s] = max(z_max[s], z)
            if b - a < 3 or (r > surface_start[s] and outer == 0.0):
                continue
            p = index[a]
            if surface_part[s] != part:
                part = surface_part[s]
                ox, oy, oz = vertices[p, 0], vertices[p, 1], vertices[p, 2]
            nx, ny, nz = _ring_vector(vertices, index, a, b)
            if r == surface_start[s]:
                ax, ay, az = nx, ny, nz
                outer = np.sqrt(nx * nx + ny * ny + nz * nz)
            else:
                along = (nx * ax + ny * ay + nz * az) / outer
                if along > 0.0:
                    nx, ny, nz = -nx, -ny, -nz
                holes += abs(along)
            vector[s, 0] += nx
            vector[s, 1] += ny
            vector[s, 2] += nz
            volume[s] += ((vertices[p, 0] - ox) * nx + (vertices[p, 1] - oy) * ny
                          + (vertices[p, 2] - oz) * nz) / 3.0
        if outer > 0.0:
            normal[s, 0] = ax / outer
            normal[s, 1] = ay / outer
            normal[s, 2] = az / outer
            area[s] = max(outer - holes, 0.0)
    return area, normal, vector, volume, z_min, z_max


@numba.njit(cache=True)
def _group_extremes(low: np.ndarray, high: np.ndarray, group: np.ndarray, n: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Min of ``low`` and max of ``high`` per group 0..n-1 (inf / -inf for empty groups)."""
    out_low = np.full(n, np.inf)
    out_high = np.full(n, -np.inf)
    for k in range(group.shape[0]):
        g = group[k]
        out_low[g] = min(out_low[g], low[k])
        out_high[g] = max(out_high[g], high[k])
    return out_low, out_high


@dataclass(frozen=True)
class SurfaceMetrics:
    """Per surface: area (m²), outward unit normal, class (``CLASS_*``), usable (not degenerate),
    min / max z (m); per part: closed, reoriented (it faced inward and was turned), volume (m³,
    NaN if open)."""

    area: np.ndarray
    normal: np.ndarray
    surface_class: np.ndarray
    usable: np.ndarray
    z_min: np.ndarray
    z_max: np.ndarray
    part_closed: np.ndarray
    part_reoriented: np.ndarray
    part_volume: np.ndarray


def surface_metrics(surfaces: Surfaces) -> SurfaceMetrics:
    """Areas, outward normals, classes and part volumes of ``surfaces``.

    A part whose surfaces close (summed vector area ≈ 0) gets its volume by the divergence
    theorem; if that volume is negative its surfaces faced inward and their normals are turned.
    Surfaces without semantics are classed by their normal (see ``WALL_MAX_NZ``).
    """
    area, normal, vector, volume, z_min, z_max = _surface_kernel(
        surfaces.vertices, surfaces.index, surfaces.ring_start, surfaces.surface_start,
        surfaces.surface_part)
    usable = area > MIN_AREA
    n_parts = len(surfaces.part_building)
    part = surfaces.surface_part
    part_area = np.bincount(part, weights=area, minlength=n_parts)
    part_vector = np.column_stack([np.bincount(part, weights=vector[:, k], minlength=n_parts)
                                   for k in range(3)])
    part_volume = np.bincount(part, weights=volume, minlength=n_parts)
    closed = (part_area > 0) & (np.linalg.norm(part_vector, axis=1)
                                <= CLOSURE_TOLERANCE * part_area)
    reoriented = closed & (part_volume < 0)
    normal = normal * np.where(reoriented, -1.0, 1.0)[part][:, None]
    surface_class = surfaces.surface_class.copy()
    unknown = surface_class == CLASS_UNKNOWN
    nz = normal[:, 2]
    surface_class[unknown] = np.where(np.abs(nz[unknown]) < WALL_MAX_NZ, CLASS_WALL,
                                      np.where(nz[unknown] > 0, CLASS_ROOF, CLASS_GROUND))
    return SurfaceMetrics(
        area=area, normal=normal, surface_class=surface_class, usable=usable,
        z_min=z_min, z_max=z_max, part_closed=closed, part_reoriented=reoriented,
        part_volume=np.where(closed, np.abs(part_volume), np.nan),
    )


def wall_sector(normal: np.ndarray) -> np.ndarray:
    """0 N, 1 E, 2 S, 3 W: the 90° sector (centred on grid north, east, ...) each normal faces."""
    azimuth = np.degrees(np.arctan2(normal[:, 0], normal[:, 1]))
    return (np.floor((azimuth + 45.0) / 90.0).astype(np.int64)) % 4


def building_metrics(surfaces: Surfaces, metrics: SurfaceMetrics,
                     n_buildings: int) -> dict[str, np.ndarray]:
    """Per building: roof / wall / ground areas and walls by facing (m²), volume (m³, the sum
    over its parts; NaN if a part with faces is open or none has faces: a Building whose
    geometry is all in its BuildingParts has the parts' volume), min and max z (m, NaN without
    geometry)."""
    building = surfaces.part_building[surfaces.surface_part]
    cls = np.where(metrics.usable, metrics.surface_class, CLASS_IGNORED)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(building, weights=np.where(mask, metrics.area, 0.0),
                           minlength=n_buildings)

    walls = cls == CLASS_WALL
    by_sector = np.bincount(building * 4 + wall_sector(metrics.normal),
                            weights=np.where(walls, metrics.area, 0.0),
                            minlength=4 * n_buildings).reshape(n_buildings, 4)
    with_faces = np.bincount(surfaces.surface_part, minlength=len(surfaces.part_building)) > 0
    open_parts = np.bincount(surfaces.part_building, weights=with_faces & ~metrics.part_closed,
                             minlength=n_buildings)
    closed_parts = np.bincount(surfaces.part_building, weights=metrics.part_closed,
                               minlength=n_buildings)
    volume = np.bincount(surfaces.part_building, weights=np.nan_to_num(metrics.part_volume),
                         minlength=n_buildings)
    z_min, z_max = _group_extremes(metrics.z_min, metrics.z_max, building, n_buildings)
    return {
        "roof_area": total(cls == CLASS_ROOF),
        "wall_area": by_sector.sum(axis=1),
        "wall_area_n": by_sector[:, 0],
        "wall_area_e": by_sector[:, 1],
        "wall_area_s": by_sector[:, 2],
        "wall_area_w": by_sector[:, 3],
        "ground_area": total(cls == CLASS_GROUND),
        "volume": np.where((open_parts > 0) | (closed_parts == 0), np.nan, volume),
        "z_min": np.where(np.isfinite(z_min), z_min, np.nan),
        "z_max": np.where(np.isfinite(z_max), z_max, np.nan),
    }


# --------------------------------------------------------------------------- footprints


def surface_polygons(surfaces: Surfaces, chosen: np.ndarray, with_z: bool = False) -> np.ndarray:
    """Each of the ``chosen`` surfaces as a shapely polygon, holes kept (rings of fewer than 3
    corners left out): its 2D (x, y) projection, or with ``with_z`` the 3D polygon [m]."""
    ring_count = np.diff(surfaces.surface_start)[chosen]
    rings = ranges(surfaces.surface_start[chosen], ring_count)
    ring_surface = np.repeat(np.arange(len(chosen)), ring_count)
    length = np.diff(surfaces.ring_start)[rings]
    keep = length >= 3
    rings, ring_surface, length = rings[keep], ring_surface[keep], length[keep]
    corner = surfaces.index[ranges(surfaces.ring_start[rings], length)]
    ends = np.cumsum(length)
    closed = np.insert(corner, ends, corner[ends - length])
    offsets = (np.concatenate(([0], np.cumsum(length + 1))),
               np.concatenate(([0], np.cumsum(np.bincount(ring_surface, minlength=len(chosen))))))
    return shapely.from_ragged_array(shapely.GeometryType.POLYGON,
                                     surfaces.vertices[closed, :3 if with_z else 2], offsets)


def _polygonal(shape: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a repaired shape (a repair can leave lines or points), or None."""
    if isinstance(shape, (shapely.Polygon, shapely.MultiPolygon)):
        return None if shape.is_empty else shape
    parts = [p for p in shapely.get_parts(shape)
             if isinstance(p, (shapely.Polygon, shapely.MultiPolygon)) and not p.is_empty]
    return shapely.union_all(parts) if parts else None


def footprints(surfaces: Surfaces, metrics: SurfaceMetrics,
               n_buildings: int) -> tuple[np.ndarray, int]:
    """Valid 2D footprint (Polygon / MultiPolygon, or None) of each building, and how many
    single-polygon footprints were invalid and had to be repaired.

    The footprint is the union of the building's ground surfaces projected to (x, y); a
    building without ground surfaces gets the union of the projections of its other
    non-vertical surfaces.
    """
    building = surfaces.part_building[surfaces.surface_part]
    flat = metrics.usable & (np.abs(metrics.normal[:, 2]) >= WALL_MAX_NZ)
    ground = flat & (metrics.surface_class == CLASS_GROUND)
    has_ground = np.bincount(building[ground], minlength=n_buildings) > 0
    chosen = np.flatnonzero(ground | (flat & ~has_ground[building]))
    chosen = chosen[np.argsort(building[chosen], kind="stable")]
    polygons = surface_polygons(surfaces, chosen)
    owner = building[chosen]
    count = np.bincount(owner, minlength=n_buildings)
    result = np.full(n_buildings, None, dtype=object)
    single = count[owner] == 1
    result[owner[single]] = polygons[single]
    invalid = owner[single][~shapely.is_valid(polygons[single])]
    if invalid.size:
        repaired = shapely.make_valid(result[invalid], method="structure", keep_collapsed=False)
        result[invalid] = [_polygonal(shape) for shape in repaired]
    if not single.all():
        merged, local = np.unique(owner[~single], return_inverse=True)
        parts = shapely.multipolygons(polygons[~single], indices=local)
        unions = shapely.make_valid(parts, method="structure", keep_collapsed=False)
        result[merged] = [_polygonal(shape) for shape in unions]
    return result, int(invalid.size)


def geometry_warnings(metrics: SurfaceMetrics, repaired: int, without_footprint: int
                       ) -> list[str]:
    """Warning lines about degenerate, reoriented and repaired geometry."""
    lines = []
    degenerate = int((~metrics.usable).sum())
    if degenerate:
        lines.append(f"{degenerate} degenerate surfaces skipped (fewer than 3 corners or no area)")
    reoriented = int(metrics.part_reoriented.sum())
    if reoriented:
        lines.append(f"{reoriented} closed shells faced inward; their normals were turned")
    if repaired:
        lines.append(f"{repaired} invalid footprints repaired")
    if without_footprint:
        lines.append(f"{without_footprint} buildings without a footprint (no non-vertical "
                     "surface) skipped")
    return lines
