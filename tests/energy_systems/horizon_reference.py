"""Brute-force horizon for tests: every DSM cell against every ray, no traversal, no pyramid.

For a ray from (c0, r0) (fractional cell coordinates) in direction (dc, dr) cells per metre,
each cell's slab intersection [t_in, t_out] along the ray is computed; the cells the ray
passes through (except the start cell) give atan((z - z0) / t_in); the horizon is the largest
of these, at least 0.
"""

from __future__ import annotations

import numpy as np


def ray_horizon_deg(dsm: np.ndarray, c0: float, r0: float, z0: float, dc: float,
                    dr: float) -> float:
    n_rows, n_cols = dsm.shape
    rows, cols = np.mgrid[0:n_rows, 0:n_cols]
    t_lo = np.full(dsm.shape, -np.inf)
    t_hi = np.full(dsm.shape, np.inf)
    for start, d, idx in ((c0, dc, cols), (r0, dr, rows)):
        if d == 0.0:
            inside = (idx <= start) & (start < idx + 1)
            t_hi = np.where(inside, t_hi, -np.inf)
            continue
        a = (idx - start) / d
        b = (idx + 1 - start) / d
        t_lo = np.maximum(t_lo, np.minimum(a, b))
        t_hi = np.minimum(t_hi, np.maximum(a, b))
    t_in = np.maximum(t_lo, 0.0)
    crossed = t_hi > t_in + 1e-9
    crossed[int(np.floor(r0)), int(np.floor(c0))] = False
    z = np.where(np.isnan(dsm), -np.inf, dsm)
    ok = crossed & np.isfinite(z)
    if not ok.any():
        return 0.0
    return max(0.0, float(np.degrees(np.arctan2(z[ok] - z0, t_in[ok])).max()))


def horizon_deg(dsm, transform, x, y, z, n_azimuth: int) -> np.ndarray:
    """(n_points, n_azimuth) horizon in degrees by :func:`ray_horizon_deg`."""
    a, _, c, _, e, f = transform[:6]
    out = np.empty((len(x), n_azimuth))
    for p in range(len(x)):
        c0 = (x[p] - c) / a
        r0 = (y[p] - f) / e
        for k in range(n_azimuth):
            phi = 2.0 * np.pi * k / n_azimuth
            dc = np.sin(phi) / a
            dr = np.cos(phi) / e
            dc = 0.0 if abs(dc) < 1e-15 else dc
            dr = 0.0 if abs(dr) < 1e-15 else dr
            out[p, k] = ray_horizon_deg(dsm, c0, r0, z[p], dc, dr)
    return out
