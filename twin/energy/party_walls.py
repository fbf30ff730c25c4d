"""Party walls: wall area a building shares with a touching neighbour, per orientation.

Where two footprints touch, the wall between them separates two heated buildings: it is taken
as adiabatic (no heat flow, no solar) and removed from the exposed wall area.

Method (vectorised, no loop per building): an STRtree of the footprints' bounding boxes grown
by ``tolerance`` (m; absorbs digitising gaps and slivers between neighbours) gives the
candidate pairs of buildings; every footprint edge of a building in a pair is a segment with
the orientation bin of its outward normal (N, E, S, W as in ``twin.buildings``); for each
pair, every edge of one is tested against every edge of the other (numpy, in blocks of
``BLOCK`` edge pairs). Two edges
share a wall where they are parallel (within ``MAX_ANGLE``) and both ends of the other edge lie
within ``tolerance`` of the edge's line; the shared length is the overlap of the other edge's
projection onto the edge. The shared area is that length times the vertical overlap of the two
buildings ([base, base + height] of each), so the part of a wall that rises above a lower
neighbour stays exposed. Per edge the shared area is capped at the edge's own wall area (two
neighbours overlapping each other are not counted twice).

Edges that only meet at a corner, or cross at an angle, share nothing.
"""

from __future__ import annotations

import numpy as np
import shapely

DEFAULT_TOLERANCE = 0.05
"""m: footprint edges closer than this are taken to touch."""
MAX_ANGLE = 5.0
"""deg: edges at a larger angle to each other are not one shared wall."""
BLOCK = 1_000_000
"""Edge pairs tested at once (bounds the memory of the test to some 100 MB)."""


def footprint_segments(footprints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the footprints: (coordinates (m, 2, 2) start/end, owner (m,), orientation bin (m,)).

    Orientation bins 0..3 = N, E, S, W of the outward normal (rings oriented so that the
    outward normal of an edge (dx, dy) is (dy, -dx)); zero-length edges are dropped.
    """
    oriented = shapely.orient_polygons(footprints, exterior_cw=False)
    parts, part_owner = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_index[1:] == ring_index[:-1]
    ends = np.stack([coords[:-1][same_ring], coords[1:][same_ring]], axis=1)
    owner = part_owner[ring_part[ring_index[:-1][same_ring]]]
    d = ends[:, 1] - ends[:, 0]
    keep = (d[:, 0] != 0.0) | (d[:, 1] != 0.0)
    azimuth = np.degrees(np.arctan2(d[:, 1], -d[:, 0])) % 360.0
    sector = (((azimuth + 45.0) % 360.0) // 90.0).astype(np.int64)
    return ends[keep], owner[keep], sector[keep]


def touching_pairs(footprints: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, of footprints whose bounding boxes come within ``tolerance``."""
    b = shapely.bounds(footprints)
    boxes = shapely.box(b[:, 0] - tolerance, b[:, 1] - tolerance, b[:, 2] + tolerance,
                        b[:, 3] + tolerance)
    i, j = shapely.STRtree(boxes).query(boxes)
    keep = i < j
    return i[keep], j[keep]


def _edge_pairs(first: np.ndarray, count: np.ndarray, i: np.ndarray,
                j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (edge of i, edge of j) for the building pairs (i, j)."""
    ci, cj = count[i], count[j]
    sizes = ci * cj
    pair = np.repeat(np.arange(i.size), sizes)
    local = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return first[i][pair] + local // cj[pair], first[j][pair] + local % cj[pair]


def _overlap(ends: np.ndarray, s: np.ndarray, t: np.ndarray, tolerance: float) -> np.ndarray:
    """Length (m) of edge s shared with edge t (0 unless parallel and on the same line)."""
    start = ends[s, 0]
    axis = ends[s, 1] - start
    length = np.hypot(axis[:, 0], axis[:, 1])
    unit = axis / length[:, None]
    rel0 = ends[t, 0] - start
    rel1 = ends[t, 1] - start
    p0 = rel0[:, 0] * unit[:, 0] + rel0[:, 1] * unit[:, 1]
    p1 = rel1[:, 0] * unit[:, 0] + rel1[:, 1] * unit[:, 1]
    off0 = np.abs(rel0[:, 0] * unit[:, 1] - rel0[:, 1] * unit[:, 0])
    off1 = np.abs(rel1[:, 0] * unit[:, 1] - rel1[:, 1] * unit[:, 0])
    other = np.hypot(*(ends[t, 1] - ends[t, 0]).T)
    parallel = np.abs(p1 - p0) >= other * np.cos(np.radians(MAX_ANGLE))
    on_line = (off0 <= tolerance) & (off1 <= tolerance)
    overlap = np.minimum(length, np.maximum(p0, p1)) - np.maximum(0.0, np.minimum(p0, p1))
    return np.where(parallel & on_line, np.clip(overlap, 0.0, None), 0.0)


def shared_lengths(n: int, ends: np.ndarray, owner: np.ndarray, i: np.ndarray, j: np.ndarray,
                   tolerance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(edge, other building, shared length m) for every edge sharing a wall with a neighbour,
    of ``n`` buildings whose candidate pairs are (i, j) (:func:`touching_pairs`)."""
    first = np.searchsorted(owner, np.arange(n))
    count = np.bincount(owner, minlength=n)
    lo = ends.min(axis=1) - tolerance
    hi = ends.max(axis=1) + tolerance
    edges, others, lengths = [], [], []
    work = np.cumsum(count[i] * count[j])
    bounds = np.searchsorted(work, np.arange(0, int(work[-1]) if work.size else 0, BLOCK))
    for a, b in zip(bounds, [*bounds[1:], i.size]):
        s, t = _edge_pairs(first, count, i[a:b], j[a:b])
        near = np.all((lo[s] <= hi[t]) & (lo[t] <= hi[s]), axis=1)
        s, t = s[near], t[near]
        for e, f in ((s, t), (t, s)):
            shared = _overlap(ends, e, f, tolerance)
            hit = shared > 0.0
            edges.append(e[hit])
            others.append(owner[f[hit]])
            lengths.append(shared[hit])
    if not edges:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(edges), np.concatenate(others), np.concatenate(lengths)


def party_wall_areas(
    footprints: np.ndarray,
    base: np.ndarray,
    height: np.ndarray,
    tolerance: float = DEFAULT_TOLERANCE,
    neighbours: np.ndarray | None = None,
) -> np.ndarray:
    """Adiabatic wall area (m²) of each building per orientation N, E, S, W, shape (n, 4).

    footprints: (n,) polygons in a metric CRS; base, height: (n,) m (NaN counts as 0);
    neighbours: (n,) bool, only walls shared with these buildings count (None: all).
    """
    n = len(footprints)
    if n < 2:
        return np.zeros((n, 4))
    base = np.nan_to_num(np.asarray(base, dtype=np.float64))
    top = base + np.nan_to_num(np.asarray(height, dtype=np.float64))
    footprints = np.asarray(footprints)
    i, j = touching_pairs(footprints, tolerance)
    # edges only of the buildings with a candidate neighbour; the others share nothing
    near = np.unique(np.concatenate([i, j]))
    ends, owner, sector = footprint_segments(footprints[near])
    owner = near[owner]
    s, other, shared = shared_lengths(n, ends, owner, i, j, tolerance)
    me = owner[s]
    overlap = np.minimum(top[me], top[other]) - np.maximum(base[me], base[other])
    area = shared * np.clip(overlap, 0.0, None)
    if neighbours is not None:
        area = area * np.asarray(neighbours, dtype=bool)[other]
    per_segment = np.bincount(s, weights=area, minlength=len(owner))
    wall = np.hypot(*(ends[:, 1] - ends[:, 0]).T) * (top - base)[owner]
    cell = np.bincount(owner * 4 + sector, weights=np.minimum(per_segment, wall),
                       minlength=4 * n)
    return cell.astype(np.float64, copy=False).reshape(n, 4)  # (an empty bincount is int)
