"""Hourly solar on building surfaces and through their glazing, per m^2 of surface.

Ties :mod:`irradiance`, :mod:`glazing` and :mod:`overhangs` together for the zone model. The
sun may be given at one time per hour (the interval midpoint) or at several samples per hour,
shape ``(n_samples, n_hours)``; the hourly result is then the mean over the samples, which is
how sub-hourly programs (EnergyPlus with 4 time steps per hour) see the hourly weather.

For a city the surfaces are *orientation classes* (e.g. roofs, and facades in 8 azimuth bins),
not individual walls: the zone model takes a small (n_classes, n_hours) matrix of these
per-m^2 values and a (n_buildings, n_classes) matrix of apertures in m^2
(see :mod:`rc5r1c`), so nothing of size buildings x hours is ever formed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from .glazing import Glazing, interp_table
from .irradiance import plane_irradiance
from .weather import Sun, Weather

__all__ = ["SurfaceSolar", "surface_solar"]


@dataclass(frozen=True)
class SurfaceSolar:
    """Hour means of solar per m² of each surface.

    Attributes
    ----------
    incident : ndarray
        Total irradiance on the outside of the surface, shading applied, shape (n_surfaces,
        n_hours) [W/m²].
    transmitted : ndarray or None
        Solar transmitted through 1 m² of the glazing, same shape [W/m²]; None without
        glazing.
    glazing_gain : ndarray or None
        Transmitted plus the inward-flowing absorbed part, the solar heat gain per m² of
        glazing, same shape [W/m²]; None without glazing.
    """

    incident: np.ndarray
    transmitted: np.ndarray | None
    glazing_gain: np.ndarray | None


@numba.njit(cache=True)
def _accumulate(
    beam: np.ndarray, iso: np.ndarray, circ: np.ndarray, hor: np.ndarray, ground: np.ndarray,
    cosaoi: np.ndarray, sunlit: np.ndarray, sky_ratio: np.ndarray, tau_tab: np.ndarray,
    shgc_tab: np.ndarray, tau_d: float, shgc_d: float, with_glazing: bool, inc: np.ndarray,
    trans: np.ndarray, gain: np.ndarray,
) -> None:
    """Add one sun sample's incident, transmitted and gained solar to the sums."""
    n_s, n_t = beam.shape
    for s in range(n_s):
        for t in range(n_t):
            f = sunlit[s, t]
            direct = (beam[s, t] + circ[s, t]) * f
            diffuse = iso[s, t] * sky_ratio[s] + hor[s, t] + ground[s, t]
            inc[s, t] += direct + diffuse
            if with_glazing:
                c = cosaoi[s, t]
                trans[s, t] += direct * interp_table(c, tau_tab) + diffuse * tau_d
                gain[s, t] += direct * interp_table(c, shgc_tab) + diffuse * shgc_d


def surface_solar(
    tilt: np.ndarray | Sequence[float] | float,
    azimuth: np.ndarray | Sequence[float] | float,
    weather: Weather,
    sun: Sun,
    glazing: Glazing | None = None,
    beam_sunlit: np.ndarray | None = None,
    sky_view_ratio: np.ndarray | Sequence[float] | None = None,
) -> SurfaceSolar:
    """Hourly incident, transmitted and gained solar per m² on each surface.

    Perez (1990) sky diffuse, beam and ground reflection (:func:`irradiance.plane_irradiance`)
    at each sun sample, averaged over the samples.

    Parameters
    ----------
    tilt : array of float
        Tilt of each surface from the horizontal, shape (n_surfaces,) [deg].
    azimuth : array of float
        Azimuth of each surface's outward normal, east of north, shape (n_surfaces,) [deg].
    weather : Weather
        GHI, DNI and DHI of each hour and the ground albedo of its site.
    sun : Sun
        The sun at one or more samples inside each hour (:func:`weather.sun_positions`).
    glazing : Glazing, optional
        Angle-dependent glazing for the transmitted and gain outputs (None: opaque only).
    beam_sunlit : ndarray, optional
        Sunlit fraction of each surface applied to beam and circumsolar (overhangs, fins,
        horizons), shape (n_surfaces, n_hours) or (n_samples, n_surfaces, n_hours) [-].
    sky_view_ratio : array of float, optional
        Factor on the isotropic sky diffuse of each surface, shape (n_surfaces,) [-].

    Returns
    -------
    SurfaceSolar
        Hour means per surface, (n_surfaces, n_hours) [W/m²].
    """
    zen = np.atleast_2d(np.asarray(sun.apparent_zenith, dtype=np.float64))
    saz = np.atleast_2d(np.asarray(sun.azimuth, dtype=np.float64))
    if zen.shape != saz.shape:
        raise ValueError(f"zenith and sun azimuth shapes differ: {zen.shape} vs {saz.shape}")
    n_sub, n_t = zen.shape
    n_s = np.atleast_1d(np.asarray(tilt)).size
    if beam_sunlit is None:
        lit = np.ones((n_sub, n_s, n_t))
    else:
        lit = np.asarray(beam_sunlit, dtype=np.float64)
        if lit.ndim == 2:
            lit = np.broadcast_to(lit, (n_sub, n_s, n_t))
        if lit.shape != (n_sub, n_s, n_t):
            raise ValueError(
                f"beam_sunlit: expected shape {(n_s, n_t)} or {(n_sub, n_s, n_t)}, got {lit.shape}"
            )
    sky = np.ones(n_s) if sky_view_ratio is None else np.asarray(sky_view_ratio, float).ravel()
    if sky.shape[0] != n_s:
        raise ValueError(f"sky_view_ratio: expected {n_s} values, got {sky.shape[0]}")
    inc = np.zeros((n_s, n_t))
    with_g = glazing is not None
    trans = np.zeros((n_s, n_t)) if with_g else np.zeros((1, 1))
    gain = np.zeros((n_s, n_t)) if with_g else np.zeros((1, 1))
    g = glazing if glazing is not None else Glazing()
    for k in range(n_sub):
        p = plane_irradiance(tilt, azimuth, weather.ghi, weather.dni, weather.dhi, zen[k],
                             saz[k], sun.dni_extra, weather.site.albedo)
        _accumulate(
            p.beam, p.sky_isotropic, p.circumsolar, p.horizon, p.ground, p.cos_aoi,
            np.ascontiguousarray(lit[k]), np.ascontiguousarray(sky),
            g.tau_table, g.shgc_table, g.tau_diffuse, g.shgc_diffuse, with_g, inc, trans, gain,
        )
    inc /= n_sub
    if with_g:
        trans /= n_sub
        gain /= n_sub
        return SurfaceSolar(inc, trans, gain)
    return SurfaceSolar(inc, None, None)
