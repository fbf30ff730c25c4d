"""How far the weather was measured from the twin: a reference year of another climate gives
heating figures of that climate, so a site far from the twin is said in the run's warnings."""

from __future__ import annotations

from pyproj import Geod

from twin.importers.crs import bounds_to_lonlat
from twin.model import Twin

FAR_WEATHER_KM = 300.0
"""km between the twin's centre and its weather site beyond which a run warns."""
_GEOD = Geod(ellps="WGS84")


def weather_distance_km(twin: Twin) -> float | None:
    """Distance from the centre of the twin to the site of its weather [km].

    Parameters
    ----------
    twin : Twin
        A twin with weather and geometry.

    Returns
    -------
    float or None
        The geodesic distance [km]; None without weather, geometry or a mappable centre.
    """
    extent = twin.extent()
    if twin.weather is None or extent is None:
        return None
    west, south, east, north = bounds_to_lonlat(extent, twin.crs)
    site = twin.weather.location
    _, _, metres = _GEOD.inv((west + east) / 2.0, (south + north) / 2.0, site.longitude,
                             site.latitude)
    return None if metres != metres else float(metres) / 1000.0  # NaN: centre not mappable


def far_weather_warning(twin: Twin) -> str | None:
    """A warning line when the twin's weather site is farther than ``FAR_WEATHER_KM``.

    Parameters
    ----------
    twin : Twin
        The twin the energy run simulates.

    Returns
    -------
    str or None
        E.g. ``"weather: measured at Essen, 1,590 km from the twin: heating and cooling are
        those of that climate"``; None when near or unknown.
    """
    distance = weather_distance_km(twin)
    if distance is None or distance <= FAR_WEATHER_KM:
        return None
    name = twin.weather.location.name if twin.weather is not None else ""
    return (f"weather: measured at {name or 'its site'}, {distance:,.0f} km from the twin: "
            f"heating and cooling are those of that climate")
