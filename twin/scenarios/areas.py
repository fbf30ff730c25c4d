"""Polygons in scenario files: ``polygon`` in the twin's CRS (m) or ``geojson`` in WGS84."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from pyproj import CRS, Transformer

from twin.model import Twin

WGS84 = CRS.from_epsg(4326)


class AreaError(ValueError):
    """A polygon that is not usable (invalid, empty, or outside the twin)."""


@dataclass(frozen=True)
class Area:
    """A polygon as written: ``key`` is ``polygon`` (twin CRS, m) or ``geojson`` (WGS84 lon/lat)."""

    key: str
    geometry: shapely.Geometry

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Area | None:
        """The area of a table with ``polygon`` or ``geojson``, or None; AreaError if unusable."""
        if "polygon" in table:
            area = cls("polygon", shapely.Polygon([tuple(p) for p in table["polygon"]]))
        elif "geojson" in table:
            shape = {k: v for k, v in table["geojson"].items() if k != "bbox"}
            try:
                geometry = shapely.geometry.shape(shape)
            except (ValueError, TypeError, IndexError) as error:
                raise AreaError(f"not a GeoJSON {shape.get('type')}: {error}") from None
            area = cls("geojson", shapely.force_2d(geometry))
        else:
            return None
        if area.geometry.is_empty or area.geometry.area <= 0:
            raise AreaError("the polygon encloses no area")
        if not area.geometry.is_valid:
            raise AreaError(f"invalid polygon: {shapely.is_valid_reason(area.geometry)}")
        return area

    def in_twin(self, twin: Twin) -> shapely.Geometry:
        """The polygon in the twin's CRS; AreaError if it misses the twin's extent."""
        geometry = self.geometry
        if self.key == "geojson":
            transformer = Transformer.from_crs(WGS84, twin.crs, always_xy=True)
            geometry = shapely.transform(
                geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
            )
        extent = twin.extent()
        if extent is None or not geometry.intersects(shapely.box(*extent)):
            box = (
                "an empty twin"
                if extent is None
                else (f"x {extent[0]:.0f}..{extent[2]:.0f}, y {extent[1]:.0f}..{extent[3]:.0f} m")
            )
            hint = (
                "polygon coordinates are in the twin's CRS (m); use geojson for longitude/latitude"
                if self.key == "polygon"
                else "geojson coordinates are [longitude, latitude]"
            )
            raise AreaError(f"lies outside the twin ({box}); {hint}")
        return geometry
