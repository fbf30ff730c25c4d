"""Hourly weather of a site and the sun over it: the one form weather takes in the energy kernels.

Weather series are labelled by the END of each hourly interval (EPW, TMY3, DWD TRY, the
twin's weather table): the values at ``time[k]`` are the means over the hour before it. The sun
that stands for such an hour is taken inside the interval: at its midpoint, or at several
samples whose irradiance the callers average (:func:`sun_positions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .irradiance import extraterrestrial_dni, interval_samples
from .sky import ISO_DEPRESSION, SkyDepression, sky_temperature_depression
from .solar_position import solar_position

__all__ = ["Site", "Sun", "Weather", "sun_positions"]

STANDARD_PRESSURE = 101325.0
"""Pa, the default air pressure of a weather series without one."""


@dataclass(frozen=True)
class Site:
    """Where a weather series was measured (or decomposed), and the ground around it.

    Attributes
    ----------
    latitude : float
        Latitude, north positive [deg].
    longitude : float
        Longitude, east positive [deg].
    elevation : float
        Height above sea level [m].
    albedo : float
        Reflectance of the ground for the ground-reflected irradiance on tilted planes [-].
    """

    latitude: float
    longitude: float
    elevation: float = 0.0
    albedo: float = 0.2


def _hourly(value: np.ndarray | float, n: int, name: str) -> np.ndarray:
    """``value`` as a contiguous float64 series of ``n`` hours (a scalar repeated)."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    a = np.ascontiguousarray(a.ravel())
    if a.shape[0] != n:
        raise ValueError(f"Weather.{name}: expected {n} hourly values like time, got {a.shape[0]}")
    return a


@dataclass(frozen=True)
class Weather:
    """An hourly weather series of one site, each hour labelled by the end of its interval.

    Attributes
    ----------
    time : ndarray
        End of each hourly interval, UTC unix time, float64, shape (n_hours,) [s].
    temp_air : ndarray
        Air temperature, shape (n_hours,) [°C].
    wind_speed : ndarray
        Wind speed at 10 m, shape (n_hours,) [m/s].
    ghi : ndarray
        Global horizontal irradiance, hourly mean, shape (n_hours,) [W/m²].
    dni : ndarray
        Direct normal irradiance, hourly mean, shape (n_hours,) [W/m²].
    dhi : ndarray
        Diffuse horizontal irradiance, hourly mean, shape (n_hours,) [W/m²].
    site : Site
        Where the series was measured, and the ground albedo.
    pressure : ndarray
        Air pressure, shape (n_hours,) or a scalar for every hour [Pa]; it only corrects the
        sun's elevation for refraction.
    relative_humidity : ndarray
        Relative humidity, shape (n_hours,) [%]; NaN where unknown.
    opaque_sky_cover : ndarray
        Opaque sky cover, shape (n_hours,) [tenths, 0..10]; NaN where unknown.
    longwave_down : ndarray
        Horizontal infrared irradiance from the sky, shape (n_hours,) [W/m²]; NaN where
        unknown.

    Raises
    ------
    ValueError
        On construction, naming the series whose length differs from ``time``'s.
    """

    time: np.ndarray
    temp_air: np.ndarray
    wind_speed: np.ndarray
    ghi: np.ndarray
    dni: np.ndarray
    dhi: np.ndarray
    site: Site
    pressure: np.ndarray = field(default_factory=lambda: np.array(STANDARD_PRESSURE))
    relative_humidity: np.ndarray = field(default_factory=lambda: np.array(np.nan))
    opaque_sky_cover: np.ndarray = field(default_factory=lambda: np.array(np.nan))
    longwave_down: np.ndarray = field(default_factory=lambda: np.array(np.nan))

    def __post_init__(self) -> None:
        time = np.ascontiguousarray(np.asarray(self.time, dtype=np.float64).ravel())
        object.__setattr__(self, "time", time)
        for name in ("temp_air", "wind_speed", "ghi", "dni", "dhi", "pressure",
                     "relative_humidity", "opaque_sky_cover", "longwave_down"):
            object.__setattr__(self, name, _hourly(getattr(self, name), time.shape[0], name))

    @property
    def n_hours(self) -> int:
        """Number of hourly intervals [-]."""
        return int(self.time.shape[0])

    def sky_depression(self, fallback: float = ISO_DEPRESSION) -> SkyDepression:
        """delta_theta_er of each hour from the longwave irradiance, or humidity and cloud
        cover, with ``fallback`` [K] where the series has neither (:mod:`.sky`)."""
        return sky_temperature_depression(
            self.temp_air, longwave_down=self.longwave_down,
            relative_humidity=self.relative_humidity, opaque_sky_cover=self.opaque_sky_cover,
            fallback=fallback)


@dataclass(frozen=True)
class Sun:
    """The sun inside each hourly interval of a weather series.

    Attributes
    ----------
    apparent_zenith : ndarray
        Refraction-corrected zenith angle at each sample time, shape (n_samples, n_hours) [deg].
    azimuth : ndarray
        Azimuth east of north at each sample time, shape (n_samples, n_hours) [deg].
    dni_extra : ndarray
        Extraterrestrial normal irradiance at the interval midpoints, shape (n_hours,) [W/m²].
    """

    apparent_zenith: np.ndarray
    azimuth: np.ndarray
    dni_extra: np.ndarray

    @property
    def n_samples(self) -> int:
        """Sun positions per hour [-]."""
        return int(self.apparent_zenith.shape[0])


def sun_positions(weather: Weather, n_samples: int = 1, step_seconds: float = 3600.0) -> Sun:
    """The sun (NREL SPA) at ``n_samples`` times inside each interval of the weather.

    Sample ``i`` of an interval ending at ``t`` sits at ``t - step + (i + 0.5) step /
    n_samples`` (one sample: the midpoint). The air pressure and temperature of each hour
    correct the elevation for refraction.

    Parameters
    ----------
    weather : Weather
        The series and its site.
    n_samples : int
        Sun positions per interval [-]; 4 matches EnergyPlus' 15-minute sun updates.
    step_seconds : float
        Length of the intervals [s].

    Returns
    -------
    Sun
        Apparent zenith and azimuth (n_samples, n_hours), extraterrestrial DNI (n_hours,).
    """
    site = weather.site
    times = interval_samples(weather.time, n_samples, step_seconds)
    zen = np.empty_like(times)
    az = np.empty_like(times)
    for k in range(n_samples):
        sp = solar_position(times[k], site.latitude, site.longitude, site.elevation,
                            pressure=weather.pressure, temperature=weather.temp_air)
        zen[k] = sp.apparent_zenith
        az[k] = sp.azimuth
    return Sun(zen, az, extraterrestrial_dni(interval_samples(weather.time, 1, step_seconds)[0]))
