"""The local east-north-up frame of glTF and 3D Tiles exports, against pyproj and geodesics."""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Geod, Transformer

from twin.export.frame import frame_of

EARTH_RADIUS = 6_371_000.0  # m, mean


def test_enu_distances_are_geodesic_distances() -> None:
    crs = CRS("EPSG:28992")  # RD New: scale 0.9999079 at its origin, not distance-true here
    points = np.array([[84900.0, 447500.0, 0.0], [85400.0, 447900.0, 0.0],
                       [84500.0, 447000.0, 0.0]])
    frame = frame_of(crs, points)
    enu = frame.to_enu(points)
    lon, lat, height = Transformer.from_crs(crs.to_3d(), "EPSG:4979", always_xy=True).transform(
        points[:, 0], points[:, 1], points[:, 2])
    geod = Geod(ellps="WGS84")  # of the longitudes, latitudes and heights above
    for i, j in ((0, 1), (0, 2), (1, 2)):
        _, _, on_ellipsoid = geod.inv(lon[i], lat[i], lon[j], lat[j])
        # the points lie at the height of the CRS's own ellipsoid, some 40 m off WGS84's
        at_height = on_ellipsoid * (1 + (height[i] + height[j]) / 2 / EARTH_RADIUS)
        chord = np.linalg.norm(enu[i] - enu[j])
        # a chord of at most 1.3 km is shorter than its arc by d^3 / (24 R^2) < 0.1 mm
        assert abs(chord - at_height) < 1e-3
    # up is up: a point 10 m higher is 10 m up
    raised = frame.to_enu(points + [0.0, 0.0, 10.0])
    assert np.allclose(raised[:, 2] - enu[:, 2], 10.0, atol=1e-6)


def test_the_matrix_takes_enu_back_to_earth_centred_coordinates() -> None:
    crs = CRS("EPSG:3067")  # Helsinki's ETRS-TM35FIN
    points = np.array([[385000.0, 6672000.0, 5.0], [386200.0, 6672900.0, 40.0]])
    frame = frame_of(crs, points)
    enu = frame.to_enu(points)
    matrix = frame.enu_to_ecef_matrix()
    back = (matrix @ np.column_stack([enu, np.ones(len(enu))]).T).T[:, :3]
    direct = np.column_stack(Transformer.from_crs(crs.to_3d(), "EPSG:4978", always_xy=True)
                             .transform(points[:, 0], points[:, 1], points[:, 2]))
    assert np.allclose(back, direct, atol=1e-6)
    assert np.allclose(enu.mean(axis=0)[:2], 0.0, atol=5.0)  # origin at the centre
