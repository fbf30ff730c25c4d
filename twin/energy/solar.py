"""Solar sources of a twin's weather: irradiance on the horizontal and on N, E, S, W facades.

The zone kernel takes solar as a small matrix of shared series (W/m², one row per orientation
class) and a per-building aperture (m²) for each row. The classes follow the twin's wall
orientation bins (``twin.model.ORIENTATIONS``): a facade's bin N/E/S/W is represented by the
vertical plane facing 0/90/180/270°; roofs by the horizontal.

Sun: NREL SPA at the middle of each hourly interval (``sun_for_intervals``; the weather table is
labelled by the interval's END), at the weather file's site (its irradiance was measured or
decomposed for that site). Irradiance on each plane: Perez 1990 (``plane_irradiance`` through
``surface_solar``), ground albedo scalar. Grid north of the twin CRS is taken as true north
(meridian convergence of a local projected CRS is a fraction of a degree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.energy.solar_gains import sun_for_intervals, surface_solar
from twin.model import Weather

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
    hour means; ``names``, ``tilt`` and ``azimuth`` (deg) describe the rows. The sun they were
    computed with: ``apparent_zenith`` and ``sun_azimuth`` (n_samples, n_hours) deg,
    ``dni_extra`` (n_hours,) W/m²; ``albedo`` of the ground."""

    names: tuple[str, ...]
    tilt: np.ndarray
    azimuth: np.ndarray
    irradiance: np.ndarray
    apparent_zenith: np.ndarray
    sun_azimuth: np.ndarray
    dni_extra: np.ndarray
    albedo: float


def unix_seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """UTC unix seconds (float) of a tz-aware or naive-UTC DatetimeIndex."""
    utc = index.tz_convert("UTC") if index.tz is not None else index
    return (utc.as_unit("s").asi8).astype(np.float64)


def solar_sources(weather: Weather, albedo: float = 0.2, n_samples: int = 1) -> SolarSources:
    """Hourly incident solar on the horizontal and the four facade orientations.

    n_samples: sun positions per hour averaged by ``surface_solar`` (1 = the midpoint).
    """
    data = weather.data
    loc = weather.location
    zen, az, ext = sun_for_intervals(
        unix_seconds(data.index), loc.latitude, loc.longitude, loc.elevation,
        pressure=data["pressure"].to_numpy(np.float64),
        temperature=data["temp_air"].to_numpy(np.float64), n_samples=n_samples,
    )
    incident = surface_solar(
        SOURCE_TILT, SOURCE_AZIMUTH, data["ghi"].to_numpy(np.float64),
        data["dni"].to_numpy(np.float64), data["dhi"].to_numpy(np.float64), zen, az, ext,
        albedo,
    ).incident
    return SolarSources(names=SOURCE_NAMES, tilt=SOURCE_TILT.copy(),
                        azimuth=SOURCE_AZIMUTH.copy(), irradiance=incident,
                        apparent_zenith=zen, sun_azimuth=az, dni_extra=ext, albedo=albedo)
