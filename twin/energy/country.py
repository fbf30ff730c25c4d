"""The country of a twin, offline: the one whose outline holds the centre of the twin.

``typology/countries.geojson`` holds the outlines (Natural Earth 1:110m admin-0 countries,
public domain; ``typology/README.md``) of the countries that have a building typology. The
centre of the twin's extent, in longitude / latitude, falls in one outline, or else the
nearest outline within ``NEAREST_KM`` takes it (the coarse outlines cut off coasts and
islands); farther away the country is unknown. No network is used.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from twin.energy.building_types import TYPOLOGY_FOLDER
from twin.model import Twin

COUNTRIES_FILE = TYPOLOGY_FOLDER / "countries.geojson"
NEAREST_KM = 50.0
"""km: a centre outside every outline takes the nearest one within this distance."""
KM_PER_DEGREE = 111.2


@cache
def _outlines() -> tuple[np.ndarray, np.ndarray]:
    frame = pyogrio.read_dataframe(COUNTRIES_FILE)
    return frame["code"].to_numpy(dtype=object), frame.geometry.to_numpy()


def country_at(lon: float, lat: float) -> str | None:
    """ISO 3166-1 alpha-2 code of the typology country at (lon, lat) degrees, None if none."""
    codes, shapes = _outlines()
    inside = shapely.contains_xy(shapes, lon, lat)
    if inside.any():
        return str(codes[np.flatnonzero(inside)[0]])
    # degrees of longitude shrink with the latitude: distances on a local equirectangular grid
    scale = np.cos(np.radians(lat))
    scaled = shapely.transform(shapes, lambda xy: xy * [scale, 1.0])
    km = shapely.distance(scaled, shapely.Point(lon * scale, lat)) * KM_PER_DEGREE
    nearest = int(np.argmin(km))
    return str(codes[nearest]) if km[nearest] <= NEAREST_KM else None


def twin_country(twin: Twin) -> str | None:
    """Country of the centre of the twin's extent (``country_at``), None without an extent."""
    extent = twin.extent()
    if extent is None:
        return None
    x = (extent[0] + extent[2]) / 2.0
    y = (extent[1] + extent[3]) / 2.0
    lon, lat = Transformer.from_crs(twin.crs, "EPSG:4326", always_xy=True).transform(x, y)
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return None
    return country_at(float(lon), float(lat))
