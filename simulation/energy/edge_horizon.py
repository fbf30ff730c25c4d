"""Horizons of surface points from the edges of neighbouring 3D faces (vector, no raster).

Where :mod:`.horizon` marches rays over a DSM grid, this finds the skyline of each point from
the buildings' own geometry: the 3D edges of their roof faces (and, for buildings without
faces, their footprint outline at roof height). Along one vertical half-plane from a point, a
planar polygon cuts a set of straight segments whose ends lie on the polygon's edges, and the
elevation angle ``atan(z / t)`` along a straight segment (z and t linear in its parameter) is
monotonic, so the highest point a polygon shows in that direction lies on one of its edges.
The horizon in azimuth bin k is therefore the highest elevation at which the ray of azimuth
``k 360/n`` (the bin's centre, as :func:`.horizon.horizon_profiles`) crosses an edge, clipped
at 0, up to ``max_distance``. Edges owned by the point's own face are skipped (the face's own
plane is left to the angle of incidence and the sky-view factor's plane edge).

Edges are indexed on a square grid of ``cell`` m; each point visits the cells within
``max_distance`` and each edge once (in the first of its cells inside the window). Parallel
over points (numba ``prange``). Azimuth east of north, elevation in degrees.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["edge_horizons"]

_DEG = np.pi / 180.0


@numba.njit(cache=True, inline="always")
def _cells_of(xa: float, ya: float, xb: float, yb: float, xmin: float, ymin: float,
              cell: float) -> tuple[int, int, int, int]:
    """First and last column, first and last row of the grid cells under the bounding box of
    the edge (xa, ya) - (xb, yb)."""
    return (int((min(xa, xb) - xmin) / cell), int((max(xa, xb) - xmin) / cell),
            int((min(ya, yb) - ymin) / cell), int((max(ya, yb) - ymin) / cell))


@numba.njit(cache=True)
def _edge_index(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, xmin: float,
                ymin: float, cell: float, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR lists of the edges whose bounding box touches each grid cell: (start, edges)."""
    n = x0.shape[0]
    count = np.zeros(nx * ny + 1, dtype=np.int64)
    for e in range(n):
        c0, c1, r0, r1 = _cells_of(x0[e], y0[e], x1[e], y1[e], xmin, ymin, cell)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                count[r * nx + c + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    edges = np.empty(start[-1], dtype=np.int64)
    for e in range(n):
        c0, c1, r0, r1 = _cells_of(x0[e], y0[e], x1[e], y1[e], xmin, ymin, cell)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                edges[fill[r * nx + c]] = e
                fill[r * nx + c] += 1
    return start, edges


@numba.njit(cache=True, inline="always")
def _edge_tan(ax: float, ay: float, dz0: float, bx: float, by: float, dz1: float,
              n_az: int, max_d: float, tan_h: np.ndarray) -> None:
    """Raise ``tan_h`` (one point's horizon tangents) by one edge from (ax, ay, dz0) to (bx, by,
    dz1), relative to the point, m."""
    two_pi = 2.0 * np.pi
    width = two_pi / n_az
    pa = np.arctan2(ax, ay)
    span = np.arctan2(bx, by) - pa
    if span > np.pi:
        span -= two_pi
    elif span < -np.pi:
        span += two_pi
    lo = pa if span >= 0.0 else pa + span
    lo = lo % two_pi
    k0 = int(np.ceil(lo / width - 1e-12))
    k1 = int(np.floor((lo + abs(span)) / width + 1e-12))
    dx = bx - ax
    dy = by - ay
    for kk in range(k0, k1 + 1):
        k = kk % n_az
        ux = np.sin(k * width)
        uy = np.cos(k * width)
        den = ux * dy - uy * dx
        if den == 0.0:
            continue
        t = (ax * dy - ay * dx) / den
        if t <= 0.0 or t > max_d:
            continue
        s = (ax * uy - ay * ux) / den
        s = min(1.0, max(0.0, s))
        z = dz0 + s * (dz1 - dz0)
        if z > tan_h[k] * t:
            tan_h[k] = z / t


@numba.njit(cache=True, parallel=True)
def _horizon_kernel(px: np.ndarray, py: np.ndarray, pz: np.ndarray, owner: np.ndarray,
                    x0: np.ndarray, y0: np.ndarray, z0: np.ndarray, x1: np.ndarray,
                    y1: np.ndarray, z1: np.ndarray, edge_owner: np.ndarray, start: np.ndarray,
                    edges: np.ndarray, first_col: np.ndarray, first_row: np.ndarray, xmin: float, ymin: float, cell: float, nx: int, ny: int,
                    max_d: float, out: np.ndarray) -> None:
    n_az = out.shape[1]
    for p in numba.prange(px.shape[0]):
        tan_h = np.zeros(n_az)
        qc0 = max(0, int((px[p] - max_d - xmin) / cell))
        qc1 = min(nx - 1, int((px[p] + max_d - xmin) / cell))
        qr0 = max(0, int((py[p] - max_d - ymin) / cell))
        qr1 = min(ny - 1, int((py[p] + max_d - ymin) / cell))
        for r in range(qr0, qr1 + 1):
            for c in range(qc0, qc1 + 1):
                cell_id = r * nx + c
                for i in range(start[cell_id], start[cell_id + 1]):
                    e = edges[i]
                    if edge_owner[e] == owner[p]:
                        continue
                    dz0 = z0[e] - pz[p]
                    dz1 = z1[e] - pz[p]
                    if dz0 <= 0.0 and dz1 <= 0.0:
                        continue
                    # visit an edge once: in the first of its cells inside the window
                    if max(qc0, first_col[e]) != c or max(qr0, first_row[e]) != r:
                        continue
                    _edge_tan(x0[e] - px[p], y0[e] - py[p], dz0, x1[e] - px[p], y1[e] - py[p],
                              dz1, n_az, max_d, tan_h)
        for k in range(n_az):
            out[p, k] = np.arctan(tan_h[k]) / _DEG


def edge_horizons(points: npt.ArrayLike, point_owner: npt.ArrayLike, edges: npt.ArrayLike,
                  edge_owner: npt.ArrayLike, n_azimuth: int = 72, max_distance: float = 100.0,
                  cell: float = 25.0) -> np.ndarray:
    """Horizon elevation of each point from the 3D edges around it (module docstring).

    Parameters
    ----------
    points : array of float
        (n_points, 3) x, y, z of the points [m].
    point_owner : array of int
        Face of each point; edges of the same owner are skipped, shape (n_points,) [-].
    edges : array of float
        (n_edges, 6) x0, y0, z0, x1, y1, z1 of each edge [m].
    edge_owner : array of int
        Face of each edge (any value no point has, e.g. -1, for edges that shade every point),
        shape (n_edges,) [-].
    n_azimuth : int
        Azimuth bins; bin k is the ray at azimuth k 360/n_azimuth east of north [-].
    max_distance : float
        Longest ray [m].
    cell : float
        Side of the grid cells of the edge index [m].

    Returns
    -------
    ndarray
        Horizon elevation >= 0, shape (n_points, n_azimuth) [deg].
    """
    p = np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, 3))
    e = np.ascontiguousarray(np.asarray(edges, dtype=np.float64).reshape(-1, 6))
    p_owner = np.ascontiguousarray(np.asarray(point_owner, dtype=np.int64).ravel())
    e_owner = np.ascontiguousarray(np.asarray(edge_owner, dtype=np.int64).ravel())
    if p_owner.shape[0] != p.shape[0] or e_owner.shape[0] != e.shape[0]:
        raise ValueError(f"{p.shape[0]} points with {p_owner.shape[0]} owners, {e.shape[0]} "
                         f"edges with {e_owner.shape[0]} owners")
    if n_azimuth < 4 or not max_distance > 0.0 or not cell > 0.0:
        raise ValueError("n_azimuth must be >= 4, max_distance and cell > 0")
    if not (np.isfinite(p).all() and np.isfinite(e).all()):
        raise ValueError("points and edges must be finite")
    out = np.zeros((p.shape[0], n_azimuth))
    if not p.shape[0] or not e.shape[0]:
        return out
    xy = np.concatenate([e[:, [0, 1]], e[:, [3, 4]], p[:, :2]])
    xmin, ymin = xy.min(axis=0) - cell
    xmax, ymax = xy.max(axis=0) + cell
    nx = int((xmax - xmin) / cell) + 1
    ny = int((ymax - ymin) / cell) + 1
    c = np.ascontiguousarray
    start, index = _edge_index(c(e[:, 0]), c(e[:, 1]), c(e[:, 3]), c(e[:, 4]), float(xmin),
                               float(ymin), float(cell), nx, ny)
    first_col = ((np.minimum(e[:, 0], e[:, 3]) - xmin) / cell).astype(np.int64)
    first_row = ((np.minimum(e[:, 1], e[:, 4]) - ymin) / cell).astype(np.int64)
    _horizon_kernel(c(p[:, 0]), c(p[:, 1]), c(p[:, 2]), p_owner, c(e[:, 0]), c(e[:, 1]),
                    c(e[:, 2]), c(e[:, 3]), c(e[:, 4]), c(e[:, 5]), e_owner, start, index,
                    first_col, first_row, float(xmin), float(ymin), float(cell), nx, ny, float(max_distance), out)
    return out
