"""The local east-north-up frame of an export: metres from an origin at the centre of the
twin's buildings, exact for any twin CRS (projected corners go through Earth-centred,
Earth-fixed coordinates with pyproj). Heights are passed on as heights above the ellipsoid: the
twin's vertical datum is not converted."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from pyproj import CRS, Transformer

ECEF = "EPSG:4978"


@dataclass(frozen=True)
class LocalFrame:
    """An east-north-up frame at ``origin`` (x, y, z in ``crs``, metres).

    Attributes
    ----------
    crs : pyproj.CRS
        The twin's projected CRS.
    origin : tuple of float
        The frame's origin (x, y [m in ``crs``], z [m]).
    """

    crs: CRS
    origin: tuple[float, float, float]

    @cached_property
    def _to_ecef(self) -> Transformer:
        return Transformer.from_crs(self.crs.to_3d(), ECEF, always_xy=True)

    @cached_property
    def origin_ecef(self) -> np.ndarray:
        """The origin in Earth-centred, Earth-fixed coordinates (3,) [m]."""
        return np.array(self._to_ecef.transform(*self.origin))

    @cached_property
    def origin_lonlat(self) -> tuple[float, float, float]:
        """The origin as WGS84 longitude, latitude [degree] and height [m]."""
        to_wgs84 = Transformer.from_crs(self.crs.to_3d(), "EPSG:4979", always_xy=True)
        lon, lat, height = to_wgs84.transform(*self.origin)
        return float(lon), float(lat), float(height)

    @cached_property
    def rotation(self) -> np.ndarray:
        """(3, 3) rotation from Earth-centred axes to east, north, up at the origin."""
        lon, lat, _ = (np.radians(v) for v in self.origin_lonlat)
        return np.array([
            [-np.sin(lon), np.cos(lon), 0.0],
            [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)],
            [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)],
        ])

    def to_enu(self, points: np.ndarray) -> np.ndarray:
        """Points (n, 3) in the twin CRS [m] as east, north, up from the origin (n, 3) [m]."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        ecef = np.column_stack(self._to_ecef.transform(points[:, 0], points[:, 1], points[:, 2]))
        return (ecef - self.origin_ecef) @ self.rotation.T

    def enu_to_ecef_matrix(self) -> np.ndarray:
        """(4, 4) matrix taking east, north, up [m] to Earth-centred coordinates [m]."""
        matrix = np.eye(4)
        matrix[:3, :3] = self.rotation.T
        matrix[:3, 3] = self.origin_ecef
        return matrix

    def description(self) -> dict[str, object]:
        """The frame as JSON-ready facts: axes, origin in the twin CRS and in WGS84."""
        lon, lat, height = self.origin_lonlat
        authority = self.crs.to_authority()
        return {
            "axes": "east, north, up [m] (glTF: x east, y up, z south)",
            "origin_crs": ":".join(authority) if authority else self.crs.to_wkt(),
            "origin_xyz_m": list(self.origin),
            "origin_lon_lat_deg": [lon, lat],
            "origin_ellipsoidal_height_m": height,
        }


def frame_of(crs: CRS, points: np.ndarray) -> LocalFrame:
    """The frame at the centre of the points' horizontal extent, at their lowest z (n, 3) [m]."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    low, high = points.min(axis=0), points.max(axis=0)
    return LocalFrame(crs, (float((low[0] + high[0]) / 2), float((low[1] + high[1]) / 2),
                            float(low[2])))
