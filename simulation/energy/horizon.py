"""Shading of roofs and facades by neighbouring buildings and terrain, from a DSM grid.

A horizon profile per surface point (the elevation angle of the skyline in ``n_azimuth`` bins)
is found by marching rays over the digital surface model; from it follow the beam shading (the
sun is hidden when its elevation is below the horizon in its azimuth bin) and the sky-view
factor of the isotropic diffuse part.

Geometry and conventions
------------------------
- DSM: 2D heights (m) with an affine transform ``(a, b, c, d, e, f)`` as rasterio/GDAL give it
  (``x = a col + c``, ``y = e row + f``; ``b = d = 0``, square cells ``|a| = |e|``). Each cell is
  a flat-topped block (pixel-is-area); NaN cells (no data) never block. Outside the grid nothing
  blocks, so pad the DSM by the largest shading distance of interest around the area.
- Azimuth east of north (0 = N, 90 = E), elevation above the horizontal, degrees. Bin ``k`` of
  ``n`` is the ray at azimuth ``k 360/n`` and stands for the sector ``(k -/+ 1/2) 360/n``.
- Horizon angles are clipped at 0: terrain below the point's horizontal plane hides no sky of
  the upper hemisphere the Perez model works with.

Ray marching (exact for the block DSM)
--------------------------------------
Each ray leaves the point's own cell and visits every cell it crosses; a cell of height ``z``
first met at horizontal distance ``t`` raises the horizon to ``atan((z - z0) / t)``, which is
the exact elevation of the block's near edge. A max-pyramid ("maximum mipmap", Tevs et al.
2008) lets the ray skip whole blocks of 2^l x 2^l cells whose highest cell cannot raise the
current horizon from where the ray enters them, and the ray stops once the grid's highest cell
could not either. The result is identical to visiting every cell, at a fraction of the cost.
Rays are parallel over points (numba ``prange``).

Sky-view factor (isotropic diffuse)
-----------------------------------
For a surface of tilt ``beta`` and azimuth ``gamma``, with the sky visible above the horizon
``h(phi)`` and in front of the surface plane::

    SVF = 1/pi  integral_0^2pi  integral_lo(phi)^pi/2  cos(theta) cos(e) de dphi
    cos(theta) = sin e cos beta + cos e sin beta cos(phi - gamma)
    lo(phi)    = max(h(phi), e0(phi)),  tan e0 = -tan beta cos(phi - gamma)   (plane's edge)

The inner integral is closed-form, ``cos beta cos^2(lo)/2 + sin beta cos(phi - gamma)
(pi/4 - lo/2 - sin(2 lo)/4)``; the outer one is a midpoint sum with ``h`` constant per bin.
Unobstructed, SVF = (1 + cos beta)/2: 1 for a roof, 0.5 for a facade; a canyon floor gets
Oke's cos(atan(2H/W)). :func:`sky_view_ratio` divides by the unobstructed value: the factor on
the Perez isotropic diffuse (``solar_gains.surface_solar(sky_view_ratio=...)``).

References
----------
- Tevs, A., Ihrke, I., Seidel, H.-P. (2008), "Maximum mipmaps for fast, accurate, and scalable
  dynamic height field rendering", Proc. I3D, 183-190.
- Oke, T. R. (1981), "Canyon geometry and the nocturnal urban heat island", J. Climatology 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from .irradiance import plane_irradiance
from .weather import Sun, Weather

__all__ = [
    "DsmGrid",
    "beam_sunlit",
    "facade_points",
    "horizon_profiles",
    "roof_points",
    "sky_view_factor",
    "sky_view_ratio",
    "sun_bins",
    "sunlit_factor",
    "sunlit_sum",
]

_DEG = np.pi / 180.0
_EPS = 1e-7  # m: probe this far past a block's exit to land in the next one


@dataclass(frozen=True)
class DsmGrid:
    """A DSM with its max-pyramid, ready for ray marching (build with :meth:`from_array`).

    Attributes
    ----------
    levels : ndarray
        float32 cells of all pyramid levels, flat; level l has cells of 2^l x 2^l DSM cells
        holding their maximum height (-inf for no data) [m].
    offsets : ndarray
        Start of each level in ``levels``, int64 [-].
    shapes : ndarray
        (rows, columns) of each level, int64, shape (n_levels, 2) [-].
    transform : tuple of float
        Affine transform (a, b, c, d, e, f) of the DSM: ``x = a col + c``, ``y = e row + f``
        [m].
    """

    levels: np.ndarray
    offsets: np.ndarray
    shapes: np.ndarray
    transform: tuple[float, float, float, float, float, float]

    @property
    def cell(self) -> float:
        """Cell size, m."""
        return abs(self.transform[0])

    @classmethod
    def from_array(cls, dsm: npt.ArrayLike, transform: Sequence[float]) -> DsmGrid:
        """DSM heights (n_rows, n_cols) m and an affine transform (a, b, c, d, e, f, ...)."""
        z = np.asarray(dsm, dtype=np.float64)
        if z.ndim != 2 or min(z.shape) < 1:
            raise ValueError(f"dsm must be a non-empty 2D array, got shape {z.shape}")
        a, b, c, d, e, f = (float(v) for v in tuple(transform)[:6])
        if b != 0.0 or d != 0.0 or a == 0.0 or not np.isclose(abs(a), abs(e)):
            raise ValueError(
                f"transform must be north-up/south-up with square cells (b = d = 0, |a| = |e|), "
                f"got a={a}, b={b}, d={d}, e={e}"
            )
        level = np.where(np.isnan(z), -np.inf, z).astype(np.float32)
        parts, shapes = [level.ravel()], [level.shape]
        while level.shape != (1, 1):
            level = _max_pool(level)
            parts.append(level.ravel())
            shapes.append(level.shape)
        sizes = np.array([p.size for p in parts], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        return cls(np.concatenate(parts), offsets, np.array(shapes, dtype=np.int64),
                   (a, b, c, d, e, f))

    def cell_coordinates(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (column, row) of map coordinates x, y (m)."""
        a, _, c, _, e, f = self.transform
        return (np.asarray(x, dtype=np.float64) - c) / a, (np.asarray(y, dtype=np.float64) - f) / e

    def sample(self, x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
        """DSM height (m) of the cell under each point; NaN outside the grid or without data."""
        col, row = self.cell_coordinates(x, y)
        n_rows, n_cols = self.shapes[0]
        ic = np.floor(col).astype(np.int64)
        ir = np.floor(row).astype(np.int64)
        inside = (ic >= 0) & (ic < n_cols) & (ir >= 0) & (ir < n_rows)
        out = np.full(ic.shape, np.nan)
        out[inside] = self.levels[ir[inside] * n_cols + ic[inside]]
        out[np.isinf(out)] = np.nan
        return out


def _max_pool(level: np.ndarray) -> np.ndarray:
    """2 x 2 maximum of a grid (odd edges padded with -inf)."""
    r, c = level.shape
    padded = np.full((r + r % 2, c + c % 2), -np.inf, dtype=level.dtype)
    padded[:r, :c] = level
    return padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).max(axis=(1, 3))


@numba.njit(cache=True, inline="always")
def _exit_distance(c0: float, r0: float, dc: float, dr: float, bc: float | np.int64,
                   br: float | np.int64, size: float) -> float:
    """Distance (m) at which the ray leaves block (bc, br) of ``size`` cells."""
    tc = np.inf
    tr = np.inf
    if dc > 0.0:
        tc = ((bc + 1) * size - c0) / dc
    elif dc < 0.0:
        tc = (bc * size - c0) / dc
    if dr > 0.0:
        tr = ((br + 1) * size - r0) / dr
    elif dr < 0.0:
        tr = (br * size - r0) / dr
    return min(tc, tr)


@numba.njit(cache=True)
def _ray_tan(levels: np.ndarray, offsets: np.ndarray, shapes: np.ndarray, c0: float, r0: float,
             z0: float, dc: float, dr: float, max_t: float) -> float:
    """Tangent of the horizon (>= 0) along one ray from fractional cell (c0, r0) at height z0.

    dc, dr: cells per metre along the ray; max_t: longest distance, m.
    """
    top = offsets.shape[0] - 1
    gmax = levels[offsets[top]]
    n_rows = shapes[0, 0]
    n_cols = shapes[0, 1]
    tan_max = 0.0
    t = _exit_distance(c0, r0, dc, dr, np.floor(c0), np.floor(r0), 1.0)
    lev = 0
    while t <= max_t and gmax - z0 > tan_max * t:
        tp = t + _EPS
        pc = c0 + tp * dc
        pr = r0 + tp * dr
        if pc < 0.0 or pr < 0.0 or pc >= n_cols or pr >= n_rows:
            break
        bc = np.int64(pc) >> lev
        br = np.int64(pr) >> lev
        m = levels[offsets[lev] + br * shapes[lev, 1] + bc]
        if m - z0 <= tan_max * t:  # nothing in this block can raise the horizon: skip it
            t = max(_exit_distance(c0, r0, dc, dr, bc, br, float(1 << lev)), tp)
            if lev < top:  # climb when the ray moves on to another parent block
                nc = np.int64(c0 + (t + _EPS) * dc) >> (lev + 1)
                nr = np.int64(r0 + (t + _EPS) * dr) >> (lev + 1)
                if nc != bc >> 1 or nr != br >> 1:
                    lev += 1
        elif lev > 0:
            lev -= 1
        else:  # a DSM cell that rises above the current horizon, met at distance t
            tan_max = (m - z0) / max(t, 1e-12)
            t = max(_exit_distance(c0, r0, dc, dr, bc, br, 1.0), tp)
    return tan_max


@numba.njit(cache=True, parallel=True)
def _horizon_kernel(levels: np.ndarray, offsets: np.ndarray, shapes: np.ndarray, col: np.ndarray,
                    row: np.ndarray, z: np.ndarray, dc: np.ndarray, dr: np.ndarray,
                    max_t: float, out: np.ndarray) -> None:
    for p in numba.prange(col.shape[0]):
        for k in range(dc.shape[0]):
            tan_h = _ray_tan(levels, offsets, shapes, col[p], row[p], z[p], dc[k], dr[k], max_t)
            out[p, k] = np.arctan(tan_h) / _DEG


def horizon_profiles(
    grid: DsmGrid, x: npt.ArrayLike, y: npt.ArrayLike, z: npt.ArrayLike, n_azimuth: int = 72,
    max_distance: float = np.inf
) -> np.ndarray:
    """Horizon elevation seen from points, by ray marching over the DSM.

    Parameters
    ----------
    grid : DsmGrid
        The DSM.
    x, y : array of float
        Map coordinates of the points in the DSM's CRS, inside the grid [m].
    z : array of float
        Height of each point, same datum as the DSM [m].
    n_azimuth : int
        Azimuth bins; bin k is the ray at azimuth k 360/n_azimuth east of north [-].
    max_distance : float
        Longest ray (default: to the edge of the grid) [m].

    Returns
    -------
    ndarray
        Horizon elevation >= 0, shape (n_points, n_azimuth) [deg].
    """
    if n_azimuth < 4:
        raise ValueError(f"n_azimuth must be >= 4, got {n_azimuth}")
    col, row = grid.cell_coordinates(x, y)
    col = np.ascontiguousarray(np.atleast_1d(col).ravel())
    row = np.ascontiguousarray(np.atleast_1d(row).ravel())
    z_a = np.ascontiguousarray(np.broadcast_to(np.asarray(z, dtype=np.float64).ravel(), col.shape))
    n_rows, n_cols = grid.shapes[0]
    outside = ~((col >= 0.0) & (col < n_cols) & (row >= 0.0) & (row < n_rows))
    if outside.any():
        raise ValueError(f"{int(outside.sum())} points lie outside the DSM grid "
                         f"(first at x={np.ravel(x)[outside.argmax()]}, "
                         f"y={np.ravel(y)[outside.argmax()]})")
    if not np.isfinite(z_a).all():
        raise ValueError("point heights z must be finite")
    phi = np.arange(n_azimuth) * (2.0 * np.pi / n_azimuth)
    a, e = grid.transform[0], grid.transform[4]
    dc = np.sin(phi) / a  # cells per metre along the ray
    dr = np.cos(phi) / e
    dc[np.abs(dc) < 1e-15] = 0.0
    dr[np.abs(dr) < 1e-15] = 0.0
    out = np.empty((col.shape[0], n_azimuth))
    _horizon_kernel(grid.levels, grid.offsets, grid.shapes, col, row, z_a, dc, dr,
                    float(max_distance), out)
    return out


def roof_points(grid: DsmGrid, x: npt.ArrayLike, y: npt.ArrayLike,
                height_above: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on roofs: (x, y, z) with z the DSM height under (x, y) plus ``height_above``.

    The small lift keeps cm-scale DSM noise of the roof itself from reading as a horizon
    (and is about where roof-mounted PV modules sit).

    Parameters
    ----------
    grid : DsmGrid
        The DSM.
    x, y : array of float
        Map coordinates of the roof points [m].
    height_above : float
        Lift above the DSM [m].

    Returns
    -------
    tuple of ndarray
        x, y and z of the points [m].

    Raises
    ------
    ValueError
        If a point lies outside the DSM or on a cell without data.
    """
    x_a = np.asarray(x, dtype=np.float64)
    y_a = np.asarray(y, dtype=np.float64)
    z = grid.sample(x_a, y_a)
    if np.isnan(z).any():
        raise ValueError(f"{int(np.isnan(z).sum())} roof points are outside the DSM or on no data")
    return x_a, y_a, z + height_above


def facade_points(x0: npt.ArrayLike, y0: npt.ArrayLike, x1: npt.ArrayLike, y1: npt.ArrayLike,
                  base: npt.ArrayLike, height: npt.ArrayLike, offset: float = 0.5
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mid-point of each wall segment, at mid-height, ``offset`` out along its normal.

    Parameters
    ----------
    x0, y0, x1, y1 : array of float
        Start and end of each wall along exterior rings ordered counter-clockwise (the
        OGC/GeoJSON right-hand rule: the outside is to the right) [m].
    base, height : array of float
        Bottom elevation and height of each wall [m].
    offset : float
        Distance of the point out from the wall [m].

    Returns
    -------
    tuple of ndarray
        x, y, z of the points [m] and the facade azimuth, east of north of the outward normal
        [deg].

    Raises
    ------
    ValueError
        If a wall has no length.
    """
    x0, y0, x1, y1 = (np.asarray(v, dtype=np.float64) for v in (x0, y0, x1, y1))
    dx = x1 - x0
    dy = y1 - y0
    length = np.hypot(dx, dy)
    if np.any(length <= 0.0):
        raise ValueError("wall segments must have a positive length")
    nx = dy / length
    ny = -dx / length
    x = 0.5 * (x0 + x1) + offset * nx
    y = 0.5 * (y0 + y1) + offset * ny
    z = np.asarray(base, dtype=np.float64) + 0.5 * np.asarray(height, dtype=np.float64)
    azimuth = np.mod(np.degrees(np.arctan2(nx, ny)), 360.0)
    return x, y, np.broadcast_to(z, x.shape).copy(), azimuth


@numba.njit(cache=True)
def _svf_kernel(h_rad: np.ndarray, tilt_rad: np.ndarray, az_rad: np.ndarray, n_sub: int,
                out: np.ndarray) -> None:
    n_p, n_az = h_rad.shape
    width = 2.0 * np.pi / n_az
    dphi = width / n_sub
    phi = np.empty((n_az, n_sub))
    for k in range(n_az):
        for j in range(n_sub):
            phi[k, j] = (k - 0.5) * width + (j + 0.5) * dphi
    cos_phi = np.cos(phi)
    sin_phi = np.sin(phi)
    for p in range(n_p):
        cb = np.cos(tilt_rad[p])
        sb = np.sin(tilt_rad[p])
        cg = np.cos(az_rad[p])
        sg = np.sin(az_rad[p])
        vertical = tilt_rad[p] >= 0.5 * np.pi - 1e-12  # sky behind a wall adds exactly 0
        acc = 0.0
        for k in range(n_az):
            h = h_rad[p, k]
            sh = np.sin(h)
            ch = np.cos(h)
            flat = 0.5 * cb * ch * ch
            tilted = 0.25 * np.pi - 0.5 * h - 0.5 * sh * ch
            for j in range(n_sub):
                c = cos_phi[k, j] * cg + sin_phi[k, j] * sg  # cos(phi - gamma)
                if -sb * c * ch <= cb * sh:  # the horizon is above the plane's edge e0
                    acc += flat + sb * c * tilted
                elif not vertical:
                    lo = np.arctan2(-sb * c, cb)
                    sl = np.sin(lo)
                    cl = np.cos(lo)
                    acc += 0.5 * cb * cl * cl + sb * c * (0.25 * np.pi - 0.5 * lo - 0.5 * sl * cl)
        out[p] = acc * dphi / np.pi


def sky_view_factor(horizon_deg: npt.ArrayLike, tilt: npt.ArrayLike, azimuth: npt.ArrayLike,
                    n_sub: int = 8) -> np.ndarray:
    """Cos-weighted view factor of each surface to the visible sky (module docstring), (n,).

    horizon_deg: (n, n_azimuth) from :func:`horizon_profiles`; tilt 0..90 deg and azimuth deg
    (east of north) of each surface, scalar or (n,). 1 = horizontal and unobstructed.
    """
    h = np.atleast_2d(np.asarray(horizon_deg, dtype=np.float64))
    n = h.shape[0]
    tilt_a = np.broadcast_to(np.asarray(tilt, dtype=np.float64).ravel(), (n,))
    az_a = np.broadcast_to(np.asarray(azimuth, dtype=np.float64).ravel(), (n,))
    if np.any((tilt_a < 0.0) | (tilt_a > 90.0)):
        raise ValueError("tilt must be within 0..90 deg for the sky-view factor")
    out = np.empty(n)
    _svf_kernel(np.ascontiguousarray(np.clip(h, 0.0, 90.0) * _DEG),
                np.ascontiguousarray(tilt_a * _DEG), np.ascontiguousarray(az_a * _DEG),
                int(n_sub), out)
    return out


def sky_view_ratio(horizon_deg: npt.ArrayLike, tilt: npt.ArrayLike, azimuth: npt.ArrayLike,
                   n_sub: int = 8) -> np.ndarray:
    """Isotropic sky diffuse with the horizon over that without it: SVF / ((1 + cos tilt)/2).

    Parameters
    ----------
    horizon_deg : array of float
        Horizon of each surface point, shape (n, n_azimuth) (:func:`horizon_profiles`) [deg].
    tilt : array of float
        Tilt of each surface from the horizontal, 0..90, scalar or (n,) [deg].
    azimuth : array of float
        Azimuth of each surface east of north, scalar or (n,) [deg].
    n_sub : int
        Azimuth sub-steps per horizon bin of the quadrature [-].

    Returns
    -------
    ndarray
        The ratio of each surface, shape (n,) [-].
    """
    free = 0.5 * (1.0 + np.cos(np.asarray(tilt, dtype=np.float64) * _DEG))
    return sky_view_factor(horizon_deg, tilt, azimuth, n_sub) / free


@numba.njit(cache=True, parallel=True)
def _sunlit_kernel(h: np.ndarray, elevation: np.ndarray, bin_index: np.ndarray,
                   out: np.ndarray) -> None:
    n_s, n_p, n_t = out.shape
    for p in numba.prange(n_p):
        for s in range(n_s):
            for t in range(n_t):
                out[s, p, t] = elevation[s, t] > h[p, bin_index[s, t]]


def sun_bins(n_azimuth: int, apparent_zenith: npt.ArrayLike,
             sun_azimuth: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Sun elevation (deg) and the index of its horizon azimuth bin, arrays like the inputs."""
    elevation = np.ascontiguousarray(90.0 - np.asarray(apparent_zenith, dtype=np.float64))
    k = np.floor(np.mod(np.asarray(sun_azimuth, dtype=np.float64), 360.0) * n_azimuth / 360.0
                 + 0.5).astype(np.int64)
    return elevation, np.ascontiguousarray(k % n_azimuth)


def beam_sunlit(horizon_deg: npt.ArrayLike, apparent_zenith: npt.ArrayLike,
                sun_azimuth: npt.ArrayLike) -> np.ndarray:
    """True where the sun stands above the horizon in its azimuth bin, bool.

    horizon_deg: (n_points, n_azimuth). Sun angles (deg): (n_hours,) gives (n_points,
    n_hours); (n_samples, n_hours) gives (n_samples, n_points, n_hours), the ``beam_sunlit``
    argument of ``solar_gains.surface_solar`` (it averages over the samples). Whether the sun
    is in front of the surface is left to the angle of incidence.
    """
    h = np.ascontiguousarray(np.atleast_2d(np.asarray(horizon_deg, dtype=np.float64)))
    zen = np.asarray(apparent_zenith, dtype=np.float64)
    saz = np.asarray(sun_azimuth, dtype=np.float64)
    if zen.shape != saz.shape or zen.ndim not in (1, 2):
        raise ValueError(f"zenith and azimuth need equal (n_hours,) or (n_samples, n_hours) "
                         f"shapes, got {zen.shape} and {saz.shape}")
    elevation, bins = sun_bins(h.shape[1], np.atleast_2d(zen), np.atleast_2d(saz))
    out = np.empty((elevation.shape[0], h.shape[0], elevation.shape[1]), dtype=np.bool_)
    _sunlit_kernel(h, elevation, bins, out)
    return out[0] if zen.ndim == 1 else out


@numba.njit(cache=True, parallel=True)
def _sunlit_sum_kernel(h: np.ndarray, row: np.ndarray, weight: np.ndarray, elevation: np.ndarray,
                       bin_index: np.ndarray, hours: np.ndarray, out: np.ndarray) -> None:
    for p in numba.prange(h.shape[0]):
        r = row[p]
        acc = 0.0
        for i in range(hours.shape[0]):
            t = hours[i]
            if elevation[t] > h[p, bin_index[t]]:
                acc += weight[r, t]
        out[p] = acc


def sunlit_sum(horizon_deg: npt.ArrayLike, weight_row: npt.ArrayLike, weight: npt.ArrayLike,
               apparent_zenith: npt.ArrayLike, sun_azimuth: npt.ArrayLike) -> np.ndarray:
    """Sum over the hours the sun stands above each point's horizon of its weight series, (n,).

    horizon_deg: (n_points, n_azimuth); weight: (n_rows, n_hours), e.g. beam + circumsolar
    W/m^2 on a few plane orientations; weight_row: (n_points,) the row of each point. Sun
    angles (n_hours,) deg. Never forms a points x hours array (numba-parallel over points).
    """
    h = np.ascontiguousarray(np.atleast_2d(np.asarray(horizon_deg, dtype=np.float64)))
    w = np.ascontiguousarray(np.asarray(weight, dtype=np.float64))
    rows = np.ascontiguousarray(np.asarray(weight_row, dtype=np.int64).ravel())
    if rows.shape[0] != h.shape[0] or w.ndim != 2:
        raise ValueError(f"weight_row: expected {h.shape[0]} rows of a 2D weight, got "
                         f"{rows.shape[0]} and weight shape {w.shape}")
    if rows.size and (rows.min() < 0 or rows.max() >= w.shape[0]):
        raise ValueError(f"weight_row must index the {w.shape[0]} weight rows")
    elevation, bins = sun_bins(h.shape[1], apparent_zenith, sun_azimuth)
    if elevation.shape != (w.shape[1],):
        raise ValueError(f"sun angles: expected ({w.shape[1]},) like the weight's hours, "
                         f"got {elevation.shape}")
    hours = np.flatnonzero(np.any(w != 0.0, axis=0) & (elevation > 0.0))
    out = np.empty(h.shape[0])
    _sunlit_sum_kernel(h, rows, w, elevation, bins, hours, out)
    return out


def sunlit_factor(horizon_deg: np.ndarray, tilt: npt.ArrayLike, azimuth: npt.ArrayLike,
                  plane: np.ndarray, plane_tilt: npt.ArrayLike, plane_azimuth: npt.ArrayLike,
                  weather: Weather, sun: Sun) -> np.ndarray:
    """Irradiance-weighted sunlit factor of each point over the weather's hours.

    A point's shaded irradiance over its unshaded irradiance, on the plane that stands for it,
    summed over the hours and sun samples: ``(Σ (beam + circumsolar) sunlit + SVR Σ isotropic
    + Σ (horizon band + ground)) / Σ total``, sunlit while the sun is above the point's horizon
    in its azimuth bin, SVR the point's :func:`sky_view_ratio`; 1 where the plane gets no
    irradiance at all.

    Parameters
    ----------
    horizon_deg : ndarray
        Horizon of each point, shape (n_points, n_azimuth) [deg].
    tilt, azimuth : array of float
        Tilt from the horizontal and azimuth east of north of each point's surface, for its
        sky-view ratio, shape (n_points,) [deg].
    plane : ndarray
        Index of each point's plane in ``plane_tilt`` / ``plane_azimuth``, shape (n_points,)
        [-].
    plane_tilt, plane_azimuth : array of float
        The planes whose irradiance weights the points (a few orientation classes), shape
        (n_planes,) [deg].
    weather : Weather
        GHI, DNI, DHI of each hour and the ground albedo.
    sun : Sun
        The sun at one or more samples inside each hour.

    Returns
    -------
    ndarray
        Sunlit factor of each point, shape (n_points,) [-].
    """
    rows = np.asarray(plane, dtype=np.int64)
    n_planes = np.atleast_1d(np.asarray(plane_tilt)).size
    lit = np.zeros(rows.shape[0])
    direct, iso, rest = np.zeros(n_planes), np.zeros(n_planes), np.zeros(n_planes)
    for zen, saz in zip(sun.apparent_zenith, sun.azimuth):
        p = plane_irradiance(plane_tilt, plane_azimuth, weather.ghi, weather.dni, weather.dhi,
                             zen, saz, sun.dni_extra, weather.site.albedo)
        beam = p.beam + p.circumsolar
        lit += sunlit_sum(horizon_deg, rows, beam, zen, saz)
        direct += beam.sum(axis=1)
        iso += p.sky_isotropic.sum(axis=1)
        rest += (p.horizon + p.ground).sum(axis=1)
    total = direct + iso + rest
    shaded = lit + sky_view_ratio(horizon_deg, tilt, azimuth) * iso[rows] + rest[rows]
    return np.divide(shaded, total[rows], out=np.ones_like(shaded), where=total[rows] > 0.0)
