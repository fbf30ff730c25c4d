"""Solar sources of a twin's weather: irradiance on the horizontal and on N, E, S, W facades.

The zone kernel takes solar as a small matrix of shared series (W/m², one row per orientation
class) and a per-building aperture (m²) for each row. The classes follow the twin's wall
orientation bins (``twin.model.ORIENTATIONS``): a facade's bin N/E/S/W is represented by the
vertical plane facing 0/90/180/270°; roofs by the horizontal. The wall faces of LoD2 buildings
add vertical planes between those (``wall_faces.py``) after the five.

The twin's weather table becomes the kernels' ``simulation.energy.Weather`` here
(:func:`energy_weather`), at the weather file's site (its irradiance was measured or
decomposed for that site) with the run's ground albedo. Sun: NREL SPA at the middle of each
hourly interval, or at several samples inside it (``sun_positions``; the weather table is
labelled by the interval's END). Irradiance on each plane: Perez 1990 (``surface_solar``).
Grid north of the twin CRS is taken as true north (meridian convergence of a local projected
CRS is a fraction of a degree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.energy import Site, Sun, Weather, sun_positions, surface_solar
from twin.model import Weather as WeatherTable

SOURCE_NAMES: tuple[str, ...] = ("horizontal", "north", "east", "south", "west")
SOURCE_TILT = np.array([0.0, 90.0, 90.0, 90.0, 90.0])
"""deg from horizontal of each source plane."""
SOURCE_AZIMUTH = np.array([180.0, 0.0, 90.0, 180.0, 270.0])
"""deg clockwise from north of each source plane's outward normal."""
ROOF = 0
FACADES = (1, 2, 3, 4)
"""Source rows of the wall orientation bins N, E, S, W (``twin.model.ORIENTATIONS``)."""


@dataclass(frozen=True)
class SolarSources:
    """Incident solar per m² on each source plane, ``irradiance`` (n_sources, n_hours) W/m²,
    hour means; ``names``, ``tilt`` and ``azimuth`` (deg) describe the rows; ``weather`` and
    ``sun`` are what they were computed from (the sun at (n_samples, n_hours) times)."""

    names: tuple[str, ...]
    tilt: np.ndarray
    azimuth: np.ndarray
    irradiance: np.ndarray
    weather: Weather
    sun: Sun


def unix_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """UTC unix seconds (float) of a tz-aware or naive-UTC DatetimeIndex."""
    utc = index.tz_convert("UTC") if index.tz is not None else index
    return (utc.as_unit("s").asi8).astype(np.float64)


def energy_weather(weather: WeatherTable, albedo: float) -> Weather:
    """The twin's weather table as the energy kernels' weather: the hours (UTC end of each),
    air temperature °C, wind m/s, GHI/DNI/DHI W/m², pressure Pa, relative humidity %, opaque
    sky cover tenths and longwave irradiance from the sky W/m² (NaN where the table lacks
    them), at the record's site with the ground ``albedo``."""
    d = weather.data
    loc = weather.location

    def optional(name: str) -> np.ndarray:
        return d[name].to_numpy(np.float64) if name in d else np.full(len(d), np.nan)

    return Weather(
        time=unix_seconds(pd.DatetimeIndex(d.index)),
        temp_air=d["temp_air"].to_numpy(np.float64),
        wind_speed=d["wind_speed"].to_numpy(np.float64),
        ghi=d["ghi"].to_numpy(np.float64), dni=d["dni"].to_numpy(np.float64),
        dhi=d["dhi"].to_numpy(np.float64),
        site=Site(latitude=loc.latitude, longitude=loc.longitude, elevation=loc.elevation,
                  albedo=albedo),
        pressure=d["pressure"].to_numpy(np.float64),
        relative_humidity=optional("relative_humidity"),
        opaque_sky_cover=optional("opaque_sky_cover"), longwave_down=optional("longwave_down"),
    )


def solar_sources(weather: WeatherTable, albedo: float = 0.2, n_samples: int = 1,
                  wall_azimuths: Sequence[float] = ()) -> SolarSources:
    """Hourly incident solar on the horizontal, the four facade orientations and, after them,
    the vertical planes facing ``wall_azimuths`` [deg from north clockwise] (the sources
    ``wall_<azimuth>`` of the wall faces of LoD2 buildings, ``wall_faces.py``).

    albedo: ground reflectance. n_samples: sun positions per hour averaged by
    ``surface_solar`` (1 = the midpoint).
    """
    site_weather = energy_weather(weather, albedo)
    sun = sun_positions(site_weather, n_samples)
    walls = np.asarray(wall_azimuths, dtype=np.float64)
    tilt = np.r_[SOURCE_TILT, np.full(len(walls), 90.0)]
    azimuth = np.r_[SOURCE_AZIMUTH, walls]
    incident = surface_solar(tilt, azimuth, site_weather, sun).incident
    names = SOURCE_NAMES + tuple(f"wall_{a:03.0f}" for a in walls)
    return SolarSources(names=names, tilt=tilt, azimuth=azimuth, irradiance=incident,
                        weather=site_weather, sun=sun)
