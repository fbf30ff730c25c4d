"""glTF binary out: passes the Khronos glTF validator, holds every building and road, coloured
by the attribute on the legend's colour map, in a frame whose origin the asset records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygltflib
import pytest
import shapely
from gltf_validator import validate_gltf
from matplotlib import colormaps
from pyproj import Proj
from scene_content import accessor_values

from twin.export.run import export
from twin.model import Twin


@pytest.fixture(scope="module")
def helsinki_glb(helsinki_folder: Path, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("glb") / "helsinki.glb"
    export(helsinki_folder, output, "glb", "height")
    return output


def test_the_scene_passes_the_khronos_validator(helsinki_glb: Path) -> None:
    report = validate_gltf(helsinki_glb)
    issues = report["issues"]
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"]
    assert report["info"]["totalTriangleCount"] > 10_000


def test_a_broken_file_fails_the_validator(helsinki_glb: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.glb"
    data = bytearray(helsinki_glb.read_bytes())
    data[12:16] = (len(data)).to_bytes(4, "little")  # the JSON chunk's length, past the file
    broken.write_bytes(bytes(data))
    assert validate_gltf(broken)["issues"]["numErrors"] > 0


def test_buildings_and_roads_coloured_by_height(helsinki_glb: Path, helsinki: Twin) -> None:
    gltf = pygltflib.GLTF2().load(str(helsinki_glb))
    assert [m.name for m in gltf.meshes] == ["buildings", "roads"]
    buildings = gltf.meshes[0].primitives[0]
    feature = accessor_values(gltf, buildings.attributes._FEATURE_ID_0)[:, 0].astype(int)
    colour = accessor_values(gltf, buildings.attributes.COLOR_0)
    heights = helsinki.buildings["height"].to_numpy()
    assert set(feature) == set(np.flatnonzero(heights > 0))
    legend = gltf.asset.extras["legend"]
    assert legend["attribute"] == "height" and legend["unit"] == "m"
    assert legend["minimum"] == pytest.approx(heights.min())
    assert legend["maximum"] == pytest.approx(heights.max())
    expected = colormaps[legend["colour_map"]]((heights - heights.min()) / np.ptp(heights))
    assert np.allclose(colour, expected[feature], atol=1e-6)
    table = gltf.extensions["EXT_structural_metadata"]["propertyTables"][0]
    assert table["count"] == len(helsinki.buildings)
    # the roads: each link's ribbon on its right, lanes x 3.5 m wide, its triangles covering
    # the ribbon without gap or overlap (areas to the UTM scale factor here, within 0.1 % of 1)
    roads = accessor_values(gltf, gltf.meshes[1].primitives[0].attributes.POSITION)
    corners = roads.reshape(-1, 3, 3)[:, :, [0, 2]]
    edges = corners[:, 1:] - corners[:, :1]
    a, b = edges[:, 0], edges[:, 1]
    area = 0.5 * np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum()
    links = helsinki.network.links
    ribbons = shapely.buffer(links.geometry.to_numpy(), -3.5 * links["lanes"].to_numpy(),
                             cap_style="flat", single_sided=True)
    assert area == pytest.approx(shapely.area(ribbons).sum(), rel=2e-3)


def test_the_frame_origin_is_recorded(helsinki_glb: Path, helsinki: Twin) -> None:
    gltf = pygltflib.GLTF2().load(str(helsinki_glb))
    frame = gltf.asset.extras["frame"]
    assert frame["origin_crs"] == ":".join(helsinki.crs.to_authority())
    lon, lat = frame["origin_lon_lat_deg"]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2  # central Helsinki
    # east and north are the projected offsets turned by the meridian convergence and divided
    # by the projection's scale factor at the origin; across a scene of about 1 km both vary
    # by less than 2e-4, so corners agree within 0.2 m
    factors = Proj(helsinki.crs).get_factors(lon, lat)
    turn, scale = -np.radians(factors.meridian_convergence), factors.meridional_scale
    x0, y0, z0 = frame["origin_xyz_m"]
    footprint = helsinki.buildings.geometry.iloc[0].exterior.coords[0]
    dx, dy = footprint[0] - x0, footprint[1] - y0
    east = (dx * np.cos(turn) - dy * np.sin(turn)) / scale
    north = (dx * np.sin(turn) + dy * np.cos(turn)) / scale
    base = helsinki.buildings["base_elevation"].fillna(0.0).iloc[0] - z0
    positions = accessor_values(gltf, gltf.meshes[0].primitives[0].attributes.POSITION)
    nearest = np.linalg.norm(positions - [east, base, -north], axis=1).min()
    assert nearest < 0.2


def test_results_colour_by_heating_need(delft_results: Path, tmp_path: Path) -> None:
    output = tmp_path / "baseline.glb"
    report = export(delft_results, output, "glb")
    assert any("heating_kWh_m2" in fact and "kWh/m2" in fact for fact in report.facts)
    issues = validate_gltf(output)["issues"]
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"]
