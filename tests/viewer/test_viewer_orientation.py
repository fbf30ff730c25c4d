"""The north arrow points to true north at the twin's centre (the meridian there, turned from
the CRS's grid north by the meridian convergence), and the scale bar names the CRS whose metres
it measures. Off screen, on the Helsinki and Delft samples."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import pyvista as pv
from pyproj import CRS, Proj, Transformer

from twin.importers.assemble import import_files
from twin.importers.crs import WGS84
from twin.importers.samples import sample_files
from twin.model import Twin
from viewer.orientation import arrow_direction
from viewer.renderer import SceneRenderer
from viewer.scene import Scene, scene_origin

TOLERANCE_DEG = 0.1
"""The arrow's angle against pyproj's convergence (issue 14)."""


@pytest.fixture
def draw() -> Iterator:
    """Draws a twin's scene (no layers: the orientation aids only) off screen."""
    plotters = []

    def renderer_of(twin: Twin) -> SceneRenderer:
        plotter = pv.Plotter(off_screen=True, window_size=[400, 300])
        plotters.append(plotter)
        renderer = SceneRenderer(plotter, Scene(twin, scene_origin(twin), []))
        plotter.show(auto_close=False)
        return renderer

    yield renderer_of
    for plotter in plotters:
        plotter.close()


def _centre_lonlat(twin: Twin) -> tuple[float, float]:
    xmin, ymin, xmax, ymax = twin.extent()
    to_lonlat = Transformer.from_crs(twin.crs, WGS84, always_xy=True)
    return to_lonlat.transform((xmin + xmax) / 2, (ymin + ymax) / 2)


def _arrow_angle(renderer: SceneRenderer) -> float:
    """Degrees counter-clockwise from the CRS's +y to where the arrow points."""
    x, y = arrow_direction(renderer.north_arrow)
    return math.degrees(math.atan2(-x, y))


def _meridian_angle(twin: Twin) -> float:
    """Degrees counter-clockwise from the CRS's +y to the meridian through the twin's centre,
    northwards (from the centre and a point 11 m north of it on the ellipsoid)."""
    lon, lat = _centre_lonlat(twin)
    to_crs = Transformer.from_crs(WGS84, twin.crs, always_xy=True)
    (x0, x1), (y0, y1) = to_crs.transform([lon, lon], [lat, lat + 1e-4])
    return math.degrees(math.atan2(-(x1 - x0), y1 - y0))


def _convergence(twin: Twin) -> float:
    return Proj(twin.crs).get_factors(*_centre_lonlat(twin)).meridian_convergence


def test_far_from_the_central_meridian_the_arrow_turns_to_true_north(draw, helsinki: Twin) -> None:
    # UTM zone 35N has its central meridian at 27° E; Helsinki lies at 24.9° E
    assert helsinki.crs.to_epsg() == 32635
    renderer = draw(helsinki)
    convergence = _convergence(helsinki)
    assert convergence < -1.5  # grid north is 1.8° east of true north there
    assert _arrow_angle(renderer) == pytest.approx(convergence, abs=TOLERANCE_DEG)
    assert _arrow_angle(renderer) == pytest.approx(_meridian_angle(helsinki), abs=TOLERANCE_DEG)
    assert renderer.scale_bar.label.GetInput().endswith(" m (EPSG:32635)")


def test_in_rd_new_the_arrow_turns_to_true_north(draw, delft: Twin) -> None:
    # the Dutch stereographic projection, centred at Amersfoort (5.39° E); Delft lies at 4.36° E
    renderer = draw(delft)
    convergence = _convergence(delft)
    assert convergence < -0.5
    assert _arrow_angle(renderer) == pytest.approx(convergence, abs=TOLERANCE_DEG)
    assert _arrow_angle(renderer) == pytest.approx(_meridian_angle(delft), abs=TOLERANCE_DEG)
    assert renderer.scale_bar.label.GetInput().endswith(" m (EPSG:28992)")


def test_on_the_central_meridian_the_arrow_points_to_grid_north(draw, helsinki: Twin) -> None:
    # Helsinki imported into a transverse Mercator zone (UTM's scale) centred on the city
    lon, _ = _centre_lonlat(helsinki)
    zone = CRS.from_proj4(f"+proj=tmerc +lon_0={lon} +k=0.9996 +x_0=500000 +datum=WGS84 +units=m")
    centred = import_files(sample_files("helsinki"), name="helsinki", twin_crs=zone)
    renderer = draw(centred)
    assert abs(_convergence(centred)) < 0.01
    assert _arrow_angle(renderer) == pytest.approx(0.0, abs=0.01)
    assert _arrow_angle(renderer) == pytest.approx(_meridian_angle(centred), abs=TOLERANCE_DEG)
