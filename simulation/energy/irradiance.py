"""Solar irradiance on tilted surfaces: extraterrestrial DNI, air mass, angle of incidence,
Perez (1990) sky-diffuse transposition, ground reflection and beam.

All kernels are vectorised over surfaces x hours: surface arrays (tilt, azimuth) have shape
``(n_surfaces,)``, weather and sun arrays shape ``(n_hours,)``, results ``(n_surfaces, n_hours)``.

Units and conventions
---------------------
- Irradiance W/m^2 (an hourly mean; times one hour it is Wh/m^2).
- Angles in degrees. Surface tilt from horizontal (0 = roof/horizontal facing up, 90 =
  facade); surface azimuth east of north like the sun's (0 = N, 90 = E, 180 = S, 270 = W).
- Sun: apparent (refracted) zenith and azimuth from :mod:`simulation.energy.solar_position`.

Time convention (important)
---------------------------
Hourly weather (EPW, TMY3, the twin's weather table) labels each value with the END of its
interval: the row labelled 13:00 is the mean irradiance over 12:00-13:00. The sun must then be
taken at the MIDDLE of the interval, i.e. at ``label - 1800 s``. :func:`interval_midpoints` does
that; the caller passes the midpoint times to ``solar_position`` and the resulting sun angles
here. Taking the sun at the label instead shifts every facade's irradiance by half an hour and
puts e.g. the Denver west facade ~4 % off.

Sun below the horizon at the midpoint while the interval still has diffuse light (the hours of
sunrise/sunset): the Perez brightness coefficients are undefined there (no air mass), so the
sky is taken as isotropic (F1 = F2 = 0). pvlib sets the sky diffuse to 0 in these hours; the
difference is a few W/m^2 in a handful of hours and < 0.3 % of a year.

References
----------
- Perez, R., Ineichen, P., Seals, R., Michalsky, J., Stewart, R. (1990), "Modeling daylight
  availability and irradiance components from direct and global irradiance", Solar Energy 44(5),
  271-289 (coefficients: "allsitescomposite1990").
- Kasten, F. and Young, A. T. (1989), "Revised optical air mass tables and approximation
  formula", Applied Optics 28, 4735-4738.
- Spencer, J. W. (1971), "Fourier series representation of the position of the sun", Search 2(5).
- Duffie, J. A. and Beckman, W. A., Solar Engineering of Thermal Processes (angle of incidence,
  ground-reflected irradiance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "PEREZ_1990",
    "PlaneIrradiance",
    "airmass_kasten_young",
    "cos_angle_of_incidence",
    "extraterrestrial_dni",
    "interval_midpoints",
    "interval_samples",
    "perez_brightness_coefficients",
    "perez_sky_parts",
    "plane_irradiance",
]

#: Perez et al. (1990) "allsitescomposite1990" coefficients, one row per clearness bin
#: (eps bounds 1, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2, inf): f11 f12 f13 f21 f22 f23.
PEREZ_1990 = np.array(
    [
        [-0.0080, 0.5880, -0.0620, -0.0600, 0.0720, -0.0220],
        [0.1300, 0.6830, -0.1510, -0.0190, 0.0660, -0.0290],
        [0.3300, 0.4870, -0.2210, 0.0550, -0.0640, -0.0260],
        [0.5680, 0.1870, -0.2950, 0.1090, -0.1520, -0.0140],
        [0.8730, -0.3920, -0.3620, 0.2260, -0.4620, 0.0010],
        [1.1320, -1.2370, -0.4120, 0.2880, -0.8230, 0.0560],
        [1.0600, -1.6000, -0.3590, 0.2640, -1.1270, 0.1310],
        [0.6780, -0.3270, -0.2500, 0.1560, -1.3770, 0.2510],
    ],
    dtype=np.float64,
)
_EPS_BOUNDS = np.array([1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2], dtype=np.float64)
_KAPPA = 1.041  # Perez: zenith term of the clearness, rad^-3
_DEG = np.pi / 180.0
_COS85 = np.cos(85.0 * _DEG)

SOLAR_CONSTANT = 1366.1  # W/m^2, the value pvlib uses by default


def interval_midpoints(end_labels_unix: npt.ArrayLike, step_seconds: float = 3600.0) -> np.ndarray:
    """Midpoints of intervals labelled by their END (EPW, the twin's weather table), unix s."""
    return np.asarray(end_labels_unix, dtype=np.float64) - 0.5 * float(step_seconds)


def interval_samples(end_labels_unix: npt.ArrayLike, n_samples: int = 1,
                     step_seconds: float = 3600.0) -> np.ndarray:
    """Sample times inside intervals labelled by their END, shape (n_samples, n_intervals).

    Sample i sits at ``end - step + (i + 0.5) step / n_samples``; ``n_samples=1`` gives the
    midpoints. Averaging the irradiance on a plane over a few samples (4 matches EnergyPlus'
    15-minute sun updates) removes the midpoint bias of the hours near sunrise and sunset.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    end = np.asarray(end_labels_unix, dtype=np.float64).ravel()
    offs = -float(step_seconds) + (np.arange(n_samples) + 0.5) * float(step_seconds) / n_samples
    return end[None, :] + offs[:, None]


def extraterrestrial_dni(unix_time: npt.ArrayLike,
                         solar_constant: float = SOLAR_CONSTANT) -> np.ndarray:
    """Extraterrestrial normal irradiance, W/m^2, by Spencer's (1971) Fourier series.

    The day of year (1..366) is taken from the UTC date of ``unix_time``; the series uses
    ``B = 2 pi (doy - 1) / 365`` as pvlib's ``get_extra_radiation(method="spencer")``.
    """
    t = np.asarray(unix_time, dtype=np.float64)
    dt64 = np.floor(t).astype("int64").astype("datetime64[s]")
    doy = (dt64.astype("datetime64[D]") - dt64.astype("datetime64[Y]")).astype(np.int64) + 1
    b = 2.0 * np.pi * (doy - 1.0) / 365.0
    rover_r0_sqrd = (
        1.00011
        + 0.034221 * np.cos(b)
        + 0.00128 * np.sin(b)
        + 0.000719 * np.cos(2.0 * b)
        + 0.000077 * np.sin(2.0 * b)
    )
    return solar_constant * rover_r0_sqrd


@numba.njit(cache=True, inline="always")
def _kasten_young(z_deg: float) -> float:
    """Kasten-Young relative air mass at a zenith angle [deg]; NaN below the horizon."""
    if z_deg > 90.0 or np.isnan(z_deg):
        return np.nan
    return 1.0 / (np.cos(z_deg * _DEG) + 0.50572 * (96.07995 - z_deg) ** -1.6364)


@numba.njit(cache=True)
def _airmass_kernel(z: np.ndarray, out: np.ndarray) -> None:
    for i in range(z.shape[0]):
        out[i] = _kasten_young(z[i])


def airmass_kasten_young(apparent_zenith: npt.ArrayLike) -> np.ndarray:
    """Relative (sea-level) optical air mass of Kasten & Young (1989); NaN where zenith > 90 deg."""
    z = np.ascontiguousarray(np.asarray(apparent_zenith, dtype=np.float64).ravel())
    out = np.empty_like(z)
    _airmass_kernel(z, out)
    return out.reshape(np.shape(apparent_zenith))


@numba.njit(cache=True, inline="always")
def _cos_aoi(cos_tilt: float, sin_tilt: float, az_surf_rad: float, cos_z: float, sin_z: float,
             az_sun_rad: float) -> float:
    """Cosine of the angle of incidence on a plane, clipped to -1..1."""
    c = cos_z * cos_tilt + sin_z * sin_tilt * np.cos(az_sun_rad - az_surf_rad)
    if c > 1.0:
        c = 1.0
    elif c < -1.0:
        c = -1.0
    return c


@numba.njit(cache=True)
def _cos_aoi_kernel(tilt: np.ndarray, azimuth: np.ndarray, zenith: np.ndarray,
                    sun_azimuth: np.ndarray, out: np.ndarray) -> None:
    n_s = tilt.shape[0]
    n_t = zenith.shape[0]
    for s in range(n_s):
        ct = np.cos(tilt[s] * _DEG)
        st = np.sin(tilt[s] * _DEG)
        a = azimuth[s] * _DEG
        for t in range(n_t):
            z = zenith[t] * _DEG
            out[s, t] = _cos_aoi(ct, st, a, np.cos(z), np.sin(z), sun_azimuth[t] * _DEG)


def cos_angle_of_incidence(tilt: npt.ArrayLike, azimuth: npt.ArrayLike, zenith: npt.ArrayLike,
                           sun_azimuth: npt.ArrayLike) -> np.ndarray:
    """Cosine of the sun's angle of incidence on each surface, shape (n_surfaces, n_hours).

    Negative values mean the sun is behind the surface (clip at 0 for beam irradiance).
    """
    tilt_a, az_a = _surfaces(tilt, azimuth)
    z, saz = _hours(zenith, sun_azimuth)
    out = np.empty((tilt_a.shape[0], z.shape[0]))
    _cos_aoi_kernel(tilt_a, az_a, z, saz, out)
    return out


@numba.njit(cache=True)
def _perez_f_kernel(dhi: np.ndarray, dni: np.ndarray, dni_extra: np.ndarray, zenith: np.ndarray,
                    coef: np.ndarray, bounds: np.ndarray, f1: np.ndarray,
                    f2: np.ndarray) -> None:
    for t in range(dhi.shape[0]):
        z = zenith[t]
        am = _kasten_young(z)
        if dhi[t] <= 0.0 or np.isnan(am):
            # no diffuse, or sun below the horizon: isotropic sky (F1 = F2 = 0)
            f1[t] = 0.0
            f2[t] = 0.0
            continue
        zr = z * _DEG
        kz3 = _KAPPA * zr * zr * zr
        eps = ((dhi[t] + dni[t]) / dhi[t] + kz3) / (1.0 + kz3)
        delta = dhi[t] * am / dni_extra[t]
        b = 0
        while b < bounds.shape[0] and eps >= bounds[b]:
            b += 1
        v1 = coef[b, 0] + coef[b, 1] * delta + coef[b, 2] * zr
        f1[t] = max(0.0, v1)
        f2[t] = coef[b, 3] + coef[b, 4] * delta + coef[b, 5] * zr


def perez_brightness_coefficients(dhi: npt.ArrayLike, dni: npt.ArrayLike, dni_extra: npt.ArrayLike,
                                  apparent_zenith: npt.ArrayLike
                                  ) -> tuple[np.ndarray, np.ndarray]:
    """Perez (1990) circumsolar (F1) and horizon (F2) brightening coefficients per hour.

    Where DHI <= 0 or the sun is below the horizon (no air mass) both are 0 (isotropic sky).
    """
    dhi_a, dni_a, ext_a, z_a = (
        np.ascontiguousarray(np.asarray(v, dtype=np.float64).ravel())
        for v in (dhi, dni, dni_extra, apparent_zenith)
    )
    n = dhi_a.shape[0]
    for name, v in (("dni", dni_a), ("dni_extra", ext_a), ("apparent_zenith", z_a)):
        if v.shape[0] != n:
            raise ValueError(f"{name}: expected {n} hourly values like dhi, got {v.shape[0]}")
    f1 = np.empty(n)
    f2 = np.empty(n)
    _perez_f_kernel(dhi_a, dni_a, ext_a, z_a, PEREZ_1990, _EPS_BOUNDS, f1, f2)
    return f1, f2


@numba.njit(cache=True, inline="always")
def perez_sky_parts(dhi: float, f1: float, f2: float, cos_aoi_pos: float, cos_zenith: float,
                    view_sky: float, sin_tilt: float) -> tuple[float, float, float]:
    """Perez (1990) sky diffuse on one plane and hour in its three parts, W/m^2.

    (isotropic, circumsolar, horizon band) from DHI W/m^2, the brightness coefficients F1, F2,
    max(cos AOI, 0), cos zenith, the plane's sky view (1 + cos tilt)/2 and sin tilt; all 0
    without diffuse light or where the negative horizon term outweighs the rest (as pvlib).
    """
    if dhi <= 0.0:
        return 0.0, 0.0, 0.0
    iso = dhi * (1.0 - f1) * view_sky
    circ = dhi * f1 * cos_aoi_pos / max(_COS85, cos_zenith)
    hor = dhi * f2 * sin_tilt
    if iso + circ + hor < 0.0:
        return 0.0, 0.0, 0.0
    return iso, circ, hor


@numba.njit(cache=True, inline="always")
def plane_hour(cos_aoi: float, cos_tilt: float, sin_tilt: float, ghi: float, dni: float,
               dhi: float, cos_zenith: float, albedo: float, f1: float,
               f2: float) -> tuple[float, float, float, float, float]:
    """Irradiance components on one plane in one hour [W/m²]: (beam, isotropic sky,
    circumsolar, horizon band, ground).

    The sun's angle of incidence on the plane by its cosine (clipped to -1..1), the plane by
    the cosine and sine of its tilt, the sun by the cosine of its apparent zenith; F1, F2 the
    hour's Perez brightness coefficients. Shared by every kernel that needs plane-of-array
    irradiance.
    """
    aa = max(0.0, cos_aoi)
    iso, circ, hor = perez_sky_parts(dhi, f1, f2, aa, cos_zenith, 0.5 * (1.0 + cos_tilt),
                                     sin_tilt)
    return dni * aa, iso, circ, hor, ghi * albedo * (0.5 * (1.0 - cos_tilt))


@numba.njit(cache=True)
def _plane_kernel(
    tilt: np.ndarray, azimuth: np.ndarray, ghi: np.ndarray, dni: np.ndarray, dhi: np.ndarray,
    zenith: np.ndarray, sun_azimuth: np.ndarray, albedo: np.ndarray, f1: np.ndarray,
    f2: np.ndarray, beam: np.ndarray, iso: np.ndarray, circ: np.ndarray, hor: np.ndarray,
    ground: np.ndarray, cosaoi: np.ndarray,
) -> None:
    n_s = tilt.shape[0]
    n_t = ghi.shape[0]
    for s in range(n_s):
        ct = np.cos(tilt[s] * _DEG)
        st = np.sin(tilt[s] * _DEG)
        a = azimuth[s] * _DEG
        for t in range(n_t):
            zr = zenith[t] * _DEG
            cz = np.cos(zr)
            c = _cos_aoi(ct, st, a, cz, np.sin(zr), sun_azimuth[t] * _DEG)
            cosaoi[s, t] = c
            beam[s, t], iso[s, t], circ[s, t], hor[s, t], ground[s, t] = plane_hour(
                c, ct, st, ghi[t], dni[t], dhi[t], cz, albedo[t], f1[t], f2[t])


@dataclass(frozen=True)
class PlaneIrradiance:
    """Irradiance components on surfaces, each (n_surfaces, n_hours), W/m^2.

    ``sky_isotropic + circumsolar + horizon`` is the Perez sky diffuse. Keeping the parts apart
    lets shading treat them differently (circumsolar follows the beam, isotropic the sky view).
    """

    beam: np.ndarray
    sky_isotropic: np.ndarray
    circumsolar: np.ndarray
    horizon: np.ndarray
    ground: np.ndarray
    cos_aoi: np.ndarray

    @property
    def sky_diffuse(self) -> np.ndarray:
        """Perez sky diffuse: isotropic, circumsolar and horizon band."""
        return self.sky_isotropic + self.circumsolar + self.horizon

    @property
    def diffuse(self) -> np.ndarray:
        """Sky plus ground-reflected diffuse."""
        return self.sky_diffuse + self.ground

    @property
    def total(self) -> np.ndarray:
        """Beam, sky diffuse and ground-reflected."""
        return self.beam + self.sky_diffuse + self.ground


def _surfaces(tilt: npt.ArrayLike, azimuth: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Tilt and azimuth [deg] as equal-length contiguous float64 arrays, checked."""
    tilt_a = np.atleast_1d(np.asarray(tilt, dtype=np.float64)).ravel()
    az_a = np.atleast_1d(np.asarray(azimuth, dtype=np.float64)).ravel()
    if tilt_a.shape != az_a.shape:
        raise ValueError(
            f"tilt and azimuth need one value per surface, got {tilt_a.size} and {az_a.size}"
        )
    if np.any((tilt_a < 0.0) | (tilt_a > 180.0)):
        raise ValueError("tilt must be within 0..180 deg")
    return np.ascontiguousarray(tilt_a), np.ascontiguousarray(az_a)


def _hours(*arrays: npt.ArrayLike) -> list[np.ndarray]:
    """Hourly series as contiguous float64 arrays of one length, checked."""
    out = [np.ascontiguousarray(np.asarray(a, dtype=np.float64).ravel()) for a in arrays]
    n = out[0].shape[0]
    for a in out[1:]:
        if a.shape[0] != n:
            raise ValueError(f"hourly arrays differ in length: {n} vs {a.shape[0]}")
    return out


def plane_irradiance(
    tilt: npt.ArrayLike,
    azimuth: npt.ArrayLike,
    ghi: npt.ArrayLike,
    dni: npt.ArrayLike,
    dhi: npt.ArrayLike,
    apparent_zenith: npt.ArrayLike,
    sun_azimuth: npt.ArrayLike,
    dni_extra: npt.ArrayLike,
    albedo: npt.ArrayLike = 0.2,
) -> PlaneIrradiance:
    """Beam, Perez sky diffuse (three parts) and ground-reflected irradiance on surfaces.

    tilt, azimuth: (n_surfaces,) deg. ghi, dni, dhi, dni_extra: (n_hours,) W/m^2. Sun angles
    (n_hours,) deg at the middle of each interval (see the module docstring). albedo: ground
    reflectance, scalar or (n_hours,).
    beam = DNI max(cos AOI, 0); ground = GHI albedo (1 - cos tilt)/2;
    sky = DHI [(1 - F1)(1 + cos tilt)/2 + F1 max(cos AOI, 0)/max(cos 85deg, cos zenith) + F2 sin tilt].
    """
    tilt_a, az_a = _surfaces(tilt, azimuth)
    ghi_a, dni_a, dhi_a, z_a, saz_a, ext_a = _hours(
        ghi, dni, dhi, apparent_zenith, sun_azimuth, dni_extra
    )
    n_t = ghi_a.shape[0]
    alb = np.asarray(albedo, dtype=np.float64)
    alb_a = np.full(n_t, float(alb)) if alb.ndim == 0 else np.ascontiguousarray(alb.ravel())
    if alb_a.shape[0] != n_t:
        raise ValueError(f"albedo: expected a scalar or {n_t} hourly values, got {alb_a.shape[0]}")
    f1, f2 = perez_brightness_coefficients(dhi_a, dni_a, ext_a, z_a)
    shape = (tilt_a.shape[0], n_t)
    arrs = [np.empty(shape) for _ in range(6)]
    _plane_kernel(tilt_a, az_a, ghi_a, dni_a, dhi_a, z_a, saz_a, alb_a, f1, f2, *arrs)
    return PlaneIrradiance(*arrs)
