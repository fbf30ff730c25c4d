"""Annual irradiation and PV yield of roof faces, each shaded by the horizons of its points.

A face is a plane (its own tilt and azimuth) with a few sample points, each with its horizon
profile (:func:`.edge_horizons.edge_horizons`, :func:`.horizon.horizon_profiles`). In each
hour the face's sunlit fraction is the share of its points that see the sun above their
horizon (in the sun's azimuth bin, as :func:`.horizon.beam_sunlit`), and its sky-view ratio
the mean of its points' :func:`.horizon.sky_view_ratio`. Then, with the Perez components of
:func:`.irradiance.plane_hour`:

- irradiation on the face [kWh/m² a]: ``Σ_t (beam + circumsolar) f_t + SVR isotropic +
  horizon band + ground``, the shaded plane-of-array global irradiance of the face's plane;
- PV: the PVWatts chain of :func:`.pv.pv_hour` (IAM, SAPM cell temperature, PVWatts DC,
  losses, inverter) on the module plane of the face's :class:`.pv.PVSystems` row (the face's
  own plane for modules flush on a pitched roof, a rack tilt on a flat one), with the same
  sunlit fraction and the module plane's sky-view ratio.

One fused pass (numba-parallel over groups of faces, e.g. the faces of one building, whose
hourly AC power it can sum) that never forms a faces x hours array. The sun at the interval
midpoints; hours with no irradiance at all are skipped (PV gives 0 W there). With one point
per face and a binary sunlit fraction this is :func:`.pv.pv_annual` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from .horizon import sky_view_ratio, sun_bins
from .irradiance import perez_brightness_coefficients, plane_hour
from .pv import IAM_GLASS, PVSystems, pv_hour
from .weather import Weather, sun_positions

__all__ = ["FacePV", "FaceSolar", "face_solar"]


@dataclass(frozen=True)
class FaceSolar:
    """Results of :func:`face_solar`.

    Attributes
    ----------
    irradiation_kwh_m2 : ndarray
        Shaded global irradiation on each face's own plane over the series, shape (n_faces,)
        [kWh/m²].
    dc_kwh, ac_kwh : ndarray
        DC energy after losses and AC energy of each face's PV system, shape (n_faces,) [kWh].
    sunlit_share : ndarray
        Beam (and circumsolar) irradiation the face receives over what it would unshaded,
        shape (n_faces,) [-] (1 where it gets none either way).
    hourly_ac_w : ndarray or None
        AC power of each group per hour, shape (n_groups, n_hours) [W], when asked for.
    """

    irradiation_kwh_m2: np.ndarray
    dc_kwh: np.ndarray
    ac_kwh: np.ndarray
    sunlit_share: np.ndarray
    hourly_ac_w: np.ndarray | None


def _normals(tilt: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """Unit normals (n, 3) east, north, up of planes of tilt and azimuth [deg]."""
    t = np.radians(tilt)
    a = np.radians(np.nan_to_num(azimuth, nan=180.0))
    return np.ascontiguousarray(np.stack([np.sin(t) * np.sin(a), np.sin(t) * np.cos(a),
                                          np.cos(t)], axis=1))


@numba.njit(cache=True, parallel=True)
def _faces_kernel(normal: np.ndarray, module: np.ndarray, same: np.ndarray, sun: np.ndarray,
                  hours: np.ndarray, ghi: np.ndarray, dni: np.ndarray, dhi: np.ndarray,
                  f1: np.ndarray, f2: np.ndarray, albedo: float, temp_air: np.ndarray,
                  wind: np.ndarray, horizon: np.ndarray, h_min: np.ndarray,
                  h_max: np.ndarray, point_start: np.ndarray,
                  elevation: np.ndarray, bins: np.ndarray, svr: np.ndarray,
                  svr_module: np.ndarray, prm: np.ndarray, iam_n: float, iam_k: float,
                  iam_l: float, group_start: np.ndarray, want_hourly: bool,
                  hourly: np.ndarray, irr: np.ndarray, dc_wh: np.ndarray, ac_wh: np.ndarray,
                  beam_lit: np.ndarray, beam_all: np.ndarray) -> None:
    for g in numba.prange(group_start.shape[0] - 1):
        for s in range(group_start[g], group_start[g + 1]):
            ct = normal[s, 2]
            st = np.sqrt(normal[s, 0] ** 2 + normal[s, 1] ** 2)
            mct = module[s, 2]
            mst = np.sqrt(module[s, 0] ** 2 + module[s, 1] ** 2)
            p0 = point_start[s]
            p1 = point_start[s + 1]
            inv_points = 1.0 / (p1 - p0)
            acc_irr = 0.0
            acc_dc = 0.0
            acc_ac = 0.0
            acc_lit = 0.0
            acc_beam = 0.0
            for i in range(hours.shape[0]):
                t = hours[i]
                k = bins[t]
                if elevation[t] > h_max[s, k]:
                    f = 1.0
                elif not elevation[t] > h_min[s, k]:
                    f = 0.0
                else:
                    lit = 0
                    for p in range(p0, p1):
                        if elevation[t] > horizon[p, k]:
                            lit += 1
                    f = lit * inv_points
                dot = normal[s, 0] * sun[t, 0] + normal[s, 1] * sun[t, 1] + ct * sun[t, 2]
                c = max(-1.0, min(1.0, dot))
                beam, iso, circ, hor, ground = plane_hour(c, ct, st, ghi[t], dni[t], dhi[t],
                                                          sun[t, 2], albedo, f1[t], f2[t])
                acc_irr += (beam + circ) * f + iso * svr[s] + hor + ground
                acc_lit += (beam + circ) * f
                acc_beam += beam + circ
                if not same[s]:
                    dot = module[s, 0] * sun[t, 0] + module[s, 1] * sun[t, 1] + mct * sun[t, 2]
                    c = max(-1.0, min(1.0, dot))
                    beam, iso, circ, hor, ground = plane_hour(c, mct, mst, ghi[t], dni[t],
                                                              dhi[t], sun[t, 2], albedo, f1[t],
                                                              f2[t])
                p_dc, p_ac = pv_hour(beam, circ, iso, hor + ground, c, f, svr_module[s],
                                     temp_air[t], wind[t], prm[s], iam_n, iam_k, iam_l)
                acc_dc += p_dc
                acc_ac += p_ac
                if want_hourly:
                    hourly[g, t] += p_ac
            irr[s] = acc_irr
            dc_wh[s] = acc_dc
            ac_wh[s] = acc_ac
            beam_lit[s] = acc_lit
            beam_all[s] = acc_beam


def face_solar(tilt: npt.ArrayLike, azimuth: npt.ArrayLike, systems: PVSystems,
               horizon_deg: npt.ArrayLike, point_start: npt.ArrayLike, weather: Weather,
               group_start: npt.ArrayLike | None = None, hourly: bool = False,
               iam_params: tuple[float, float, float] = IAM_GLASS) -> FaceSolar:
    """Annual irradiation and PV yield of faces shaded per sample point (module docstring).

    Parameters
    ----------
    tilt, azimuth : array of float
        Each face's plane: tilt from the horizontal 0..90 and azimuth east of north (NaN for a
        horizontal face), shape (n_faces,) [deg].
    systems : PVSystems
        The PV system of each face (its module plane and nameplate; pdc0 0 gives 0 kWh).
    horizon_deg : array of float
        Horizon of every sample point, faces' points one after the other, shape (n_points,
        n_azimuth) [deg].
    point_start : array of int
        First point of each face and, last, n_points, shape (n_faces + 1,); every face needs at
        least one point [-].
    weather : Weather
        Hourly irradiance, air temperature, wind and the site.
    group_start : array of int, optional
        First face of each group and, last, n_faces, shape (n_groups + 1,) (default: each face
        its own group) [-].
    hourly : bool
        Also return the hourly AC power of each group.
    iam_params : tuple of float
        Glass cover of the incidence angle modifier: refractive index [-], extinction
        coefficient [1/m], thickness [m].

    Returns
    -------
    FaceSolar
        Irradiation [kWh/m²], DC and AC energy [kWh] per face, optional hourly AC [W] per group.

    Raises
    ------
    ValueError
        If the shapes do not fit, a face has no point or a tilt is outside 0..90.
    """
    tilt_a = np.asarray(tilt, dtype=np.float64).ravel()
    az_a = np.asarray(azimuth, dtype=np.float64).ravel()
    n = tilt_a.shape[0]
    h = np.ascontiguousarray(np.atleast_2d(np.asarray(horizon_deg, dtype=np.float64)))
    starts = np.ascontiguousarray(np.asarray(point_start, dtype=np.int64).ravel())
    groups = (np.arange(n + 1, dtype=np.int64) if group_start is None
              else np.ascontiguousarray(np.asarray(group_start, dtype=np.int64).ravel()))
    if az_a.shape[0] != n or len(systems) != n or starts.shape[0] != n + 1:
        raise ValueError(f"{n} faces: azimuth {az_a.shape[0]}, systems {len(systems)}, "
                         f"point_start {starts.shape[0]} (expected n + 1)")
    if starts[0] != 0 or starts[-1] != h.shape[0] or np.any(np.diff(starts) < 1):
        raise ValueError("point_start must rise from 0 to n_points by at least 1 per face")
    if groups[0] != 0 or groups[-1] != n or np.any(np.diff(groups) < 0):
        raise ValueError("group_start must rise from 0 to n_faces")
    if np.any((tilt_a < 0.0) | (tilt_a > 90.0)) or np.any((systems.tilt < 0.0)
                                                           | (systems.tilt > 90.0)):
        raise ValueError("face and module tilts must lie within 0..90 deg")
    face_of_point = np.repeat(np.arange(n), np.diff(starts))

    def mean_svr(t: np.ndarray, a: np.ndarray, faces: np.ndarray) -> np.ndarray:
        """Mean sky-view ratio of the points of ``faces`` (a mask) on planes t, a [deg]."""
        chosen = faces[face_of_point]
        at = face_of_point[chosen]
        ratio = sky_view_ratio(h[chosen], t[at], np.nan_to_num(a, nan=180.0)[at])
        return np.bincount(at, ratio, n) / np.diff(starts)

    normal = _normals(tilt_a, az_a)
    module = _normals(systems.tilt, systems.azimuth)
    same = np.all(np.abs(normal - module) < 1e-12, axis=1)
    svr = mean_svr(tilt_a, az_a, np.ones(n, dtype=bool))
    svr_module = np.where(same, svr, mean_svr(systems.tilt, systems.azimuth, ~same))

    sun = sun_positions(weather)
    zen, saz = sun.apparent_zenith[0], sun.azimuth[0]
    f1, f2 = perez_brightness_coefficients(weather.dhi, weather.dni, sun.dni_extra, zen)
    zr, ar = np.radians(zen), np.radians(saz)
    sun_vector = np.ascontiguousarray(np.stack([np.sin(zr) * np.sin(ar),
                                                np.sin(zr) * np.cos(ar), np.cos(zr)], axis=1))
    elevation, bins = sun_bins(h.shape[1], zen, saz)
    hours = np.flatnonzero((weather.ghi > 0.0) | (weather.dni > 0.0) | (weather.dhi > 0.0))
    n_t = weather.n_hours
    out_hourly = np.zeros((groups.shape[0] - 1, n_t) if hourly else (0, 0))
    irr, dc_wh, ac_wh = np.empty(n), np.empty(n), np.empty(n)
    lit, beam = np.empty(n), np.empty(n)
    _faces_kernel(normal, module, same, sun_vector, hours, weather.ghi, weather.dni,
                  weather.dhi, f1, f2, float(weather.site.albedo), weather.temp_air,
                  weather.wind_speed, h, np.minimum.reduceat(h, starts[:-1], axis=0),
                  np.maximum.reduceat(h, starts[:-1], axis=0), starts, elevation, bins, np.ascontiguousarray(svr),
                  np.ascontiguousarray(svr_module), systems.kernel_params(), *iam_params,
                  groups, hourly, out_hourly, irr, dc_wh, ac_wh, lit, beam)
    share = np.divide(lit, beam, out=np.ones(n), where=beam > 0.0)
    return FaceSolar(irr / 1000.0, dc_wh / 1000.0, ac_wh / 1000.0, share,
                     out_hourly if hourly else None)


@dataclass(frozen=True)
class FacePV:
    """PV on the roof faces of zones, for the energy balance (``model.simulate(face_pv=)``).

    Attributes
    ----------
    zone : ndarray
        Zone of each face, non-decreasing, shape (n_faces,) [-].
    tilt, azimuth : ndarray
        Each face's plane, shape (n_faces,) [deg] (as :func:`face_solar`).
    systems : PVSystems
        The PV system of each face.
    horizon : ndarray
        Horizon of every sample point, shape (n_points, n_azimuth) [deg].
    point_start : ndarray
        First point of each face and, last, n_points, shape (n_faces + 1,) [-].
    """

    zone: np.ndarray
    tilt: np.ndarray
    azimuth: np.ndarray
    systems: PVSystems
    horizon: np.ndarray
    point_start: np.ndarray

    def __post_init__(self) -> None:
        n = self.zone.shape[0]
        if (self.tilt.shape[0] != n or self.azimuth.shape[0] != n or len(self.systems) != n
                or self.point_start.shape[0] != n + 1 or np.any(np.diff(self.zone) < 0)):
            raise ValueError(f"FacePV: {n} faces need sorted zones, a tilt, azimuth and system "
                             f"each and n + 1 point starts")

    def hourly_ac(self, start: int, stop: int, weather: Weather) -> np.ndarray:
        """AC power of the faces of zones start..stop-1 summed per zone, (stop - start,
        n_hours) [W]."""
        f0, f1 = np.searchsorted(self.zone, [start, stop])
        if f0 == f1:
            return np.zeros((stop - start, weather.n_hours))
        p0, p1 = self.point_start[f0], self.point_start[f1]
        groups = np.searchsorted(self.zone[f0:f1], np.arange(start, stop + 1))
        out = face_solar(self.tilt[f0:f1], self.azimuth[f0:f1],
                         self.systems.take(slice(f0, f1)), self.horizon[p0:p1],
                         self.point_start[f0:f1 + 1] - p0, weather, groups, hourly=True)
        assert out.hourly_ac_w is not None
        return out.hourly_ac_w
