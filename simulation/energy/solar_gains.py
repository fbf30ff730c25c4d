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

from dataclasses import dataclass

import numba
import numpy as np

from .glazing import Glazing, interp_table
from .irradiance import extraterrestrial_dni, interval_samples, plane_irradiance
from .solar_position import solar_position

__all__ = ["SurfaceSolar", "sun_for_intervals", "surface_solar"]


def sun_for_intervals(
    end_utc,
    latitude: float,
    longitude: float,
    elevation: float = 0.0,
    pressure=101325.0,
    temperature=12.0,
    n_samples: int = 1,
    step_seconds: float = 3600.0,
):
    """Sun for hourly weather labelled by the END of each interval (the twin's weather table).

    Returns (apparent_zenith, azimuth), each (n_samples, n_intervals) deg, sampled inside each
    interval (n_samples=1: the midpoint), and the extraterrestrial DNI (n_intervals,) W/m^2 at
    the midpoints. pressure (Pa) and temperature (degC) may be hourly arrays; they only feed
    the refraction correction.
    """
    end = np.asarray(end_utc, dtype=np.float64).ravel()
    times = interval_samples(end, n_samples, step_seconds)
    zen = np.empty_like(times)
    az = np.empty_like(times)
    for k in range(n_samples):
        sp = solar_position(times[k], latitude, longitude, elevation, pressure=pressure,
                            temperature=temperature)
        zen[k] = sp.apparent_zenith
        az[k] = sp.azimuth
    return zen, az, extraterrestrial_dni(interval_samples(end, 1, step_seconds)[0])


@dataclass(frozen=True)
class SurfaceSolar:
    """Hour means per surface, each (n_surfaces, n_hours), W/m^2.

    incident: total irradiance on the outside of the surface (shading applied).
    transmitted: solar transmitted through 1 m^2 of the glazing (None without glazing).
    glazing_gain: transmitted plus the inward-flowing absorbed part, i.e. the solar heat gain
    per m^2 of glazing (None without glazing).
    """

    incident: np.ndarray
    transmitted: np.ndarray | None
    glazing_gain: np.ndarray | None


@numba.njit(cache=True)
def _accumulate(
    beam, iso, circ, hor, ground, cosaoi, sunlit, sky_ratio,
    tau_tab, shgc_tab, tau_d, shgc_d, with_glazing, inc, trans, gain,
):
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
    tilt,
    azimuth,
    ghi,
    dni,
    dhi,
    apparent_zenith,
    sun_azimuth,
    dni_extra,
    albedo=0.2,
    glazing: Glazing | None = None,
    beam_sunlit=None,
    sky_view_ratio=None,
) -> SurfaceSolar:
    """Hourly incident, transmitted and gained solar per m^2 on each surface.

    tilt, azimuth: (n_surfaces,) deg. ghi, dni, dhi, dni_extra: (n_hours,) W/m^2.
    apparent_zenith, sun_azimuth: (n_hours,) or (n_samples, n_hours) deg.
    glazing: angle-dependent glazing for the transmitted/gain outputs (None: opaque only).
    beam_sunlit: optional sunlit fraction of each surface, (n_surfaces, n_hours) or
    (n_samples, n_surfaces, n_hours), applied to beam and circumsolar (overhangs, fins).
    sky_view_ratio: optional (n_surfaces,) factor on the isotropic sky diffuse (overhangs).
    """
    zen = np.atleast_2d(np.asarray(apparent_zenith, dtype=np.float64))
    saz = np.atleast_2d(np.asarray(sun_azimuth, dtype=np.float64))
    if zen.shape != saz.shape:
        raise ValueError(f"zenith and sun azimuth shapes differ: {zen.shape} vs {saz.shape}")
    n_sub, n_t = zen.shape
    n_s = np.atleast_1d(np.asarray(tilt)).size
    if beam_sunlit is None:
        sun = np.ones((n_sub, n_s, n_t))
    else:
        sun = np.asarray(beam_sunlit, dtype=np.float64)
        if sun.ndim == 2:
            sun = np.broadcast_to(sun, (n_sub, n_s, n_t))
        if sun.shape != (n_sub, n_s, n_t):
            raise ValueError(
                f"beam_sunlit: expected shape {(n_s, n_t)} or {(n_sub, n_s, n_t)}, got {sun.shape}"
            )
    sky = np.ones(n_s) if sky_view_ratio is None else np.asarray(sky_view_ratio, float).ravel()
    if sky.shape[0] != n_s:
        raise ValueError(f"sky_view_ratio: expected {n_s} values, got {sky.shape[0]}")
    inc = np.zeros((n_s, n_t))
    with_g = glazing is not None
    trans = np.zeros((n_s, n_t)) if with_g else np.zeros((1, 1))
    gain = np.zeros((n_s, n_t)) if with_g else np.zeros((1, 1))
    g = glazing if with_g else Glazing()
    for k in range(n_sub):
        p = plane_irradiance(tilt, azimuth, ghi, dni, dhi, zen[k], saz[k], dni_extra, albedo)
        _accumulate(
            p.beam, p.sky_isotropic, p.circumsolar, p.horizon, p.ground, p.cos_aoi,
            np.ascontiguousarray(sun[k]), np.ascontiguousarray(sky),
            g.tau_table, g.shgc_table, g.tau_diffuse, g.shgc_diffuse, with_g, inc, trans, gain,
        )
    inc /= n_sub
    if with_g:
        trans /= n_sub
        gain /= n_sub
        return SurfaceSolar(inc, trans, gain)
    return SurfaceSolar(inc, None, None)
