"""The twin's one CRS: parse a source's CRS, take its horizontal part, choose the twin CRS,
check that coordinates can be in a declared CRS, and reproject vector layers with pyproj."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import CRS, Proj, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from pyproj.exceptions import CRSError, ProjError

from twin.errors import InputError

AREA_OF_USE_MARGIN_DEG = 1.0
"""How far (degrees) data may reach beyond a CRS's published area of use and still be accepted."""

WGS84 = CRS.from_epsg(4326)


def parse_crs(value: str | int | CRS, path: str | Path | None = None, field: str = "crs") -> CRS:
    """A pyproj CRS from an EPSG code, ``EPSG:n``, an OGC URL/URN, WKT or PROJ string.

    Raises InputError naming ``path`` and ``field`` when the value is not a CRS.
    """
    if isinstance(value, CRS):
        return value
    try:
        return CRS.from_user_input(value)
    except CRSError as error:
        raise InputError(path, field, f"not a coordinate reference system: {value!r} ({error})") from None


def horizontal_crs(crs: CRS) -> CRS:
    """The horizontal part of ``crs``: the first member of a compound CRS, 2D for a 3D one."""
    if crs.is_compound:
        crs = crs.sub_crs_list[0]
    if len(crs.axis_info) > 2:
        crs = crs.to_2d()
    return crs


def utm_crs_for(longitude: float, latitude: float) -> CRS:
    """The WGS 84 UTM zone CRS that contains the point (degrees)."""
    area = AreaOfInterest(longitude, latitude, longitude, latitude)
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=area)
    if not infos:
        raise InputError(None, "crs", f"no UTM zone for longitude {longitude}, latitude {latitude}")
    return CRS.from_epsg(int(infos[0].code))


@functools.lru_cache(maxsize=32)
def _to_lonlat(crs: CRS) -> Transformer:
    """Transformer from ``crs`` to WGS 84 longitude/latitude (cached: building one is slow)."""
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def bounds_to_lonlat(bounds: tuple[float, float, float, float], crs: CRS) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of a box given in ``crs``; NaN if it cannot be mapped."""
    if crs.equals(WGS84, ignore_axis_order=True):
        return bounds
    try:
        with np.errstate(all="ignore"):
            return _to_lonlat(crs).transform_bounds(*bounds, errcheck=True)
    except ProjError:
        return (np.nan, np.nan, np.nan, np.nan)


def _with_area_of_use(crs: CRS) -> CRS:
    """``crs``, or for a CRS read from a file's WKT without an area of use (GeoTIFF keys give
    none) the EPSG entry it matches, which has one."""
    if crs.area_of_use is not None:
        return crs
    code = crs.to_epsg(min_confidence=70)
    return CRS.from_epsg(code) if code is not None else crs


def check_coordinates_fit(
    bounds: tuple[float, float, float, float], crs: CRS, path: str | Path, field: str = "crs"
) -> None:
    """Refuse data whose ``bounds`` (in ``crs``) cannot lie in that CRS's area of use.

    A file that declares, say, RD New but holds longitude/latitude, or the reverse, lands far
    outside the CRS's published area of use (give or take AREA_OF_USE_MARGIN_DEG); this raises
    InputError naming the file and field.
    """
    values = np.asarray(bounds, dtype=float)
    shown = f"x {values[0]:.3f} to {values[2]:.3f}, y {values[1]:.3f} to {values[3]:.3f}"
    if not np.all(np.isfinite(values)):
        raise InputError(path, field, "coordinates are not finite numbers")
    area = _with_area_of_use(crs).area_of_use
    if area is None:
        return
    west, south, east, north = bounds_to_lonlat(bounds, crs)
    m = AREA_OF_USE_MARGIN_DEG
    crosses_antimeridian = area.west > area.east
    inside = bool(np.all(np.isfinite([west, south, east, north]))) and (
        area.south - m <= south and north <= area.north + m
        and (crosses_antimeridian or (area.west - m <= west and east <= area.east + m))
    )
    if not inside:
        raise InputError(
            path, field,
            f"the coordinates ({shown}) are outside the area of use of {crs.to_string()} "
            f"({crs.name}: {area.name}, {area.west}..{area.east} E, {area.south}..{area.north} N); "
            "is this the right CRS?",
        )


MAX_SCALE_ERROR = 0.01
"""Largest scale distortion (1 %) of a projected CRS at the twin's centre for it to become the
twin CRS: national grids and UTM stay within 0.1 %, Web Mercator is 1.55 at 50° N."""


def scale_error(crs: CRS, lonlat: tuple[float, float]) -> float:
    """Largest relative scale error of ``crs`` at ``lonlat`` (degrees), along meridians or
    parallels: 0 where distances are true, 0.55 where they come out 1.55 times too long."""
    factors = Proj(horizontal_crs(crs)).get_factors(*lonlat)
    return max(abs(factors.meridional_scale - 1.0), abs(factors.parallel_scale - 1.0))


def choose_twin_crs(source_crss: list[CRS], lonlat_centre: tuple[float, float] | None,
                    notes: list[str] | None = None) -> CRS:
    """The twin CRS: the first source CRS projected in metres (horizontal part) that keeps
    distances within ``MAX_SCALE_ERROR`` at ``lonlat_centre``, else the local UTM zone of
    ``lonlat_centre`` (degrees); raises InputError when neither is available. A projected
    source CRS passed over for its distortion is said in ``notes``."""
    for crs in source_crss:
        if not is_projected_metric(crs):
            continue
        if lonlat_centre is not None and (error := scale_error(crs, lonlat_centre)) > MAX_SCALE_ERROR:
            if notes is not None:
                notes.append(f"{crs.to_string()} ({crs.name}) stretches distances by {error:.0%} "
                             f"here; the twin uses the local UTM zone")
            continue
        return horizontal_crs(crs)
    if lonlat_centre is None:
        raise InputError(None, "crs", "no source has geometry to place the twin; pass --crs")
    return utm_crs_for(*lonlat_centre)


def is_projected_metric(crs: CRS) -> bool:
    """Whether the horizontal part of ``crs`` is projected with both axes in metres."""
    horizontal = horizontal_crs(crs)
    return horizontal.is_projected and {axis.unit_name for axis in horizontal.axis_info} == {"metre"}


def projected_metric_crs(crs: CRS, field: str = "--crs") -> CRS:
    """The horizontal part of ``crs`` if it is projected in metres; InputError otherwise."""
    if not is_projected_metric(crs):
        raise InputError(None, field, f"the twin CRS must be projected in metres; {crs.to_string()} "
                                      f"({crs.name}) is not")
    return horizontal_crs(crs)


def to_crs(frame: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """``frame`` in ``crs`` (the same object when it is already there)."""
    if frame.crs is not None and CRS(frame.crs).equals(crs):
        return frame
    return frame.to_crs(crs)
