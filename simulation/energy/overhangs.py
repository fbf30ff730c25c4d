"""Self-shading of a window by a horizontal overhang (BESTEST cases 610/910 and similar).

Window frame: a rectangle in the wall plane, x (m) along the wall to the right as seen from
outside, y (m) up from the window sill; width ``w``, height ``h``. The overhang is a horizontal
slab at height ``y_o`` above the sill (``y_o >= h``), projecting ``depth`` m out of the wall and
spanning ``x_left..x_right`` along it (it may extend past the window on either side).

A sun direction with components (s_n out of the wall, s_u along x, s_v up) casts the slab's
shadow onto the wall plane as a parallelogram; the sunlit fraction of the window is one minus
the overlapped area over the window area, integrated in horizontal strips (exact to the strip
count; 64 strips keep the error below 0.1 % of the window area).

The isotropic-sky view factor with the overhang is the cos-weighted average of the same sunlit
fraction over the sky directions in front of the wall (numerical quadrature).

Shading from neighbouring buildings and terrain is not modelled here (later work).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["overhang_sky_view_ratio", "overhang_sunlit_fraction"]

_DEG = np.pi / 180.0


@numba.njit(cache=True)
def _sunlit(s_n: float, s_u: float, s_v: float, w: float, h: float, y_o: float, depth: float,
            x_left: float, x_right: float, n_strips: int) -> float:
    """Sunlit fraction of the window for one sun direction (wall frame components)."""
    if s_n <= 1e-9:
        return 0.0  # sun behind the wall: no beam at all
    if s_v <= 0.0 or depth <= 0.0:
        return 1.0
    k_u = s_u / s_n
    k_v = s_v / s_n
    shaded = 0.0
    dy = h / n_strips
    for i in range(n_strips):
        y = (i + 0.5) * dy
        d = (y_o - y) / k_v  # slab depth whose shadow falls on height y
        if d < 0.0 or d > depth:
            continue
        a = x_left - d * k_u
        b = x_right - d * k_u
        lo = max(0.0, a)
        hi = min(w, b)
        if hi > lo:
            shaded += (hi - lo) * dy
    return 1.0 - shaded / (w * h)


@numba.njit(cache=True)
def _sunlit_kernel(
    wall_azimuth: float, zenith: np.ndarray, sun_azimuth: np.ndarray, w: float, h: float,
    y_o: float, depth: float, x_left: float, x_right: float, n_strips: int, out: np.ndarray
) -> None:
    g = wall_azimuth * _DEG
    for t in range(zenith.shape[0]):
        z = zenith[t] * _DEG
        a = sun_azimuth[t] * _DEG
        sz = np.sin(z)
        s_n = sz * np.cos(a - g)
        s_u = sz * np.sin(g - a)
        s_v = np.cos(z)
        out[t] = _sunlit(s_n, s_u, s_v, w, h, y_o, depth, x_left, x_right, n_strips)


def overhang_sunlit_fraction(
    wall_azimuth: float,
    zenith: npt.ArrayLike,
    sun_azimuth: npt.ArrayLike,
    window_width: float,
    window_height: float,
    overhang_height: float,
    overhang_depth: float,
    overhang_left: float,
    overhang_right: float,
    n_strips: int = 64,
) -> np.ndarray:
    """Sunlit fraction (0..1) of a vertical window under a horizontal overhang, per hour.

    wall_azimuth deg east of north; zenith/sun_azimuth deg per hour; lengths in m in the window
    frame described in the module docstring (overhang_left/right are x of the slab's ends,
    e.g. -0.5 and 7.5 for a slab reaching 0.5 m left of the window and 4.5 m right of a 3 m
    window). Returns 0 where the sun is behind the wall.
    """
    z = np.ascontiguousarray(np.asarray(zenith, dtype=np.float64).ravel())
    a = np.ascontiguousarray(np.asarray(sun_azimuth, dtype=np.float64).ravel())
    if overhang_height < window_height:
        raise ValueError("overhang_height must be at or above the window head (>= window_height)")
    out = np.empty_like(z)
    _sunlit_kernel(
        float(wall_azimuth), z, a, float(window_width), float(window_height),
        float(overhang_height), float(overhang_depth), float(overhang_left),
        float(overhang_right), int(n_strips), out,
    )
    return out.reshape(np.shape(zenith))


@numba.njit(cache=True)
def _sky_view(w: float, h: float, y_o: float, depth: float, x_left: float, x_right: float,
              n_el: int, n_az: int, n_strips: int) -> float:
    """Cos-weighted mean sunlit fraction over the sky in front of the wall."""
    num = 0.0
    den = 0.0
    for i in range(n_el):
        el = (i + 0.5) * (0.5 * np.pi) / n_el
        ce = np.cos(el)
        se = np.sin(el)
        for j in range(n_az):
            psi = -0.5 * np.pi + (j + 0.5) * np.pi / n_az  # azimuth relative to the normal
            s_n = ce * np.cos(psi)
            s_u = -ce * np.sin(psi)
            weight = s_n * ce  # cos(incidence) * solid-angle Jacobian (cos el d_el d_psi)
            den += weight
            num += weight * _sunlit(s_n, s_u, se, w, h, y_o, depth, x_left, x_right, n_strips)
    return num / den


def overhang_sky_view_ratio(
    window_width: float,
    window_height: float,
    overhang_height: float,
    overhang_depth: float,
    overhang_left: float,
    overhang_right: float,
    n_elevation: int = 90,
    n_azimuth: int = 180,
    n_strips: int = 32,
) -> float:
    """Isotropic sky diffuse on the shaded window over that on the unshaded window (0..1).

    Multiply the isotropic part of the sky diffuse by it; the circumsolar part follows the
    beam's sunlit fraction, horizon brightening and ground reflection are taken as unshaded.
    """
    return float(
        _sky_view(
            float(window_width), float(window_height), float(overhang_height),
            float(overhang_depth), float(overhang_left), float(overhang_right),
            int(n_elevation), int(n_azimuth), int(n_strips),
        )
    )
