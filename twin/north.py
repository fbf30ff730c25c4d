"""Grid north and true north of a twin: the meridian convergence of its projected CRS (the
angle between the CRS's +y and the meridian), which the viewer's north arrow turns by."""

from __future__ import annotations

from pyproj import CRS, Proj, Transformer

from twin.importers.crs import WGS84, horizontal_crs
from twin.model import Twin


def meridian_convergence(crs: CRS, x: float, y: float) -> float:
    """Angle (degrees, counter-clockwise) from grid north (the +y axis of ``crs``) to true
    north at the point (``x``, ``y``; m in ``crs``): pyproj's meridian convergence, 0 on the
    central meridian of a transverse Mercator projection."""
    horizontal = horizontal_crs(crs)
    lon, lat = Transformer.from_crs(horizontal, WGS84, always_xy=True).transform(x, y)
    return float(Proj(horizontal).get_factors(lon, lat).meridian_convergence)


def twin_convergence(twin: Twin) -> float:
    """``meridian_convergence`` (degrees, counter-clockwise from grid to true north) at the
    centre of the twin's extent; 0 for an empty twin."""
    extent = twin.extent()
    if extent is None:
        return 0.0
    return meridian_convergence(twin.crs, (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)


def crs_label(crs: CRS) -> str:
    """A short name of the twin CRS for the view: ``EPSG:32635``, else the CRS's name."""
    code = horizontal_crs(crs).to_epsg()
    return f"EPSG:{code}" if code is not None else horizontal_crs(crs).name
