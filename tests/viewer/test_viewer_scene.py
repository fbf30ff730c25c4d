"""The Qt-free scene model: layers and their state, timeline, bookmarks, camera presets."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import pyvista as pv
import shapely

from twin.basemap_colours import basemap_colour
from twin.importers.terrain_grids import sample_bilinear
from twin.model import Twin
from viewer.camera import PRESETS, CameraPose, orbit_poses, preset_pose
from viewer.layers import Layer
from viewer.meshes import FEATURE, RGB
from viewer.meshes.basemap import KIND_LIFT
from viewer.scene import ROAD_OFFSET, build_scene
from viewer.timeline import Timeline


def test_delft_scene_layers(delft: Twin) -> None:
    progress: list[tuple[int, int, str]] = []
    scene = build_scene(delft, progress=lambda *step: progress.append(step))
    assert list(scene.layers) == ["terrain", "buildings"]  # no network, sensors or other layers
    assert progress[-1][0] == progress[-1][1] and len(progress) > 2
    buildings, terrain = scene.layers["buildings"], scene.layers["terrain"]
    assert buildings.color_by == "height" and terrain.color_by is None
    assert {"height", "footprint_area", "floors", "volume"} <= set(buildings.attributes())
    assert "year" not in buildings.attributes()  # no building has a year
    assert terrain.attributes() == ["elevation"]
    heights = delft.buildings["height"]
    assert buildings.value_range("height") == tuple(np.quantile(heights, [0.02, 0.98], method="inverted_cdf"))
    # scene coordinates are world coordinates less the origin
    xmin, _, _, ymax = delft.buildings.total_bounds
    bounds = buildings.mesh.bounds
    assert bounds[0] + scene.origin[0] == pytest.approx(xmin, abs=0.01)
    assert bounds[3] + scene.origin[1] == pytest.approx(ymax, abs=0.01)
    np.testing.assert_allclose(scene.to_scene(scene.to_world([1.0, 2.0, 3.0])), [1.0, 2.0, 3.0])
    # terrain under the buildings, at the DTM's heights
    dtm = delft.terrain.dtm.values
    dtm = dtm[np.isfinite(dtm)]
    assert terrain.value_range("elevation") == pytest.approx(np.quantile(dtm, [0.02, 0.98], method="inverted_cdf"), abs=0.05)


def test_helsinki_scene_has_roads_points_and_a_flat_ground(helsinki: Twin) -> None:
    scene = build_scene(helsinki)
    assert list(scene.layers) == ["ground", "basemap", "buildings", "roads", "pois"]
    roads, pois = scene.layers["roads"], scene.layers["pois"]
    assert roads.kind == "lines" and pois.kind == "points"
    assert roads.visible and not pois.visible  # POIs off by default: they would cover the city
    assert {"free_speed", "lanes", "capacity", "length"} <= set(roads.attributes())
    assert roads.feature_row(10) == roads.mesh.cell_data[FEATURE][10]
    attributes = roads.feature_attributes(10)
    assert attributes["id"] == helsinki.network.links["id"].iloc[10] and "geometry" not in attributes
    assert scene.layers["ground"].mesh.bounds[4] == scene.layers["ground"].mesh.bounds[5] == 0.0


def test_layer_setters_validate_and_signal(delft: Twin) -> None:
    layer = build_scene(delft).layers["buildings"]
    changes: list[str] = []
    layer.changed.connect(changes.append)
    layer.set_visible(False)
    layer.set_visible(False)  # no change, no signal
    layer.set_opacity(0.5)
    layer.set_color_by("volume")
    layer.set_cmap("plasma")
    layer.set_color_by(None)
    assert changes == ["visible", "opacity", "color_by", "cmap", "color_by"]
    with pytest.raises(ValueError, match="no numeric attribute 'use'"):
        layer.set_color_by("use")
    with pytest.raises(ValueError, match="opacity"):
        layer.set_opacity(1.5)
    with pytest.raises(ValueError, match="colour map"):
        layer.set_cmap("rainbow-unicorn")
    assert layer.legend_title() == "buildings\nNone"
    layer.set_color_by("footprint_area")
    assert layer.legend_title().split("\n")[:2] == ["buildings", "footprint_area (m²)"]


def test_timeline() -> None:
    timeline = Timeline()
    changes: list[str] = []
    timeline.changed.connect(changes.append)
    assert not timeline.enabled and timeline.current is None
    timeline.set_playing(True)
    assert not timeline.playing  # nothing to play
    timeline.set_steps(np.array(["2024-01-01T00", "2024-01-01T01", "2024-01-01T02"],
                                dtype="datetime64[h]"))
    timeline.set_index(7)
    assert timeline.index == 2
    timeline.advance()
    assert timeline.index == 0 and timeline.current == np.datetime64("2024-01-01T00:00:00")
    timeline.set_playing(True)
    assert changes == ["steps", "index", "index", "playing"]


def test_bookmarks(delft: Twin) -> None:
    scene = build_scene(delft)
    calls: list[None] = []
    scene.bookmarks_changed.connect(lambda: calls.append(None))
    pose = CameraPose((1.0, 2.0, 3.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    scene.save_bookmark("a", pose)
    assert scene.bookmarks == {"a": pose}
    scene.remove_bookmark("a")
    assert scene.bookmarks == {} and len(calls) == 2


@pytest.mark.parametrize("name", PRESETS)
def test_preset_views_fit_the_box(name: str) -> None:
    bounds = (-100.0, 100.0, -50.0, 50.0, 0.0, 20.0)
    pose = preset_pose(name, bounds, view_angle=30.0, aspect=1.5)
    assert pose.focal_point == pytest.approx((0.0, 0.0, 10.0))
    direction = np.subtract(pose.position, pose.focal_point)
    assert direction[2] > 0  # looking down
    assert np.dot(direction, pose.view_up) == pytest.approx(0.0, abs=1e-9)
    if name == "top":
        assert direction[:2] == pytest.approx([0.0, 0.0])
    else:
        assert direction[0] < 0 and direction[1] < 0  # from the south-west
    with pytest.raises(ValueError, match="unknown camera preset"):
        preset_pose("side", bounds)


def test_orbit_turns_around_the_focal_point() -> None:
    pose = CameraPose((100.0, 0.0, 50.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    poses = orbit_poses(pose, 4)
    assert [p.position for p in poses] == [pytest.approx(p) for p in
                                           [(100, 0, 50), (0, 100, 50), (-100, 0, 50), (0, -100, 50)]]
    assert all(p.focal_point == pose.focal_point for p in poses)


def test_layer_without_table_colours_by_point_arrays() -> None:
    import pyvista as pv

    mesh = pv.Plane()
    mesh.clear_data()
    mesh.point_data["elevation"] = np.linspace(0, 1, mesh.n_points)
    layer = Layer("t", "terrain", mesh)
    assert layer.attributes() == ["elevation"] and layer.is_point_attribute("elevation")
    assert layer.feature_row(0) is None


def test_color_by_of_twin_render_picks_the_layer(helsinki: Twin) -> None:
    from twin.errors import InputError
    from viewer.offscreen import apply_color_by

    scene = build_scene(helsinki)
    apply_color_by(scene, "free_speed")  # not a building attribute: the roads have it
    assert scene.layers["roads"].color_by == "free_speed"
    assert scene.layers["buildings"].color_by is None
    apply_color_by(scene, "height")
    assert scene.layers["buildings"].color_by == "height" and scene.layers["roads"].color_by is None
    apply_color_by(scene, None)
    assert all(layer.color_by is None for layer in scene.layers.values())
    with pytest.raises(InputError, match="free_speed"):
        apply_color_by(scene, "colour")


def test_helsinki_basemap_lies_flat_under_the_roads_in_its_colours(helsinki: Twin) -> None:
    scene = build_scene(helsinki)
    basemap = scene.layers["basemap"]
    table = helsinki.layers["basemap"]
    assert basemap.kind == "basemap" and basemap.visible  # on by default
    assert basemap.mesh.n_lines > 0 and basemap.mesh.GetNumberOfPolys() > 0
    assert 0.0 < basemap.mesh.bounds[4] and basemap.mesh.bounds[5] < ROAD_OFFSET
    rows = basemap.mesh.cell_data[FEATURE]
    assert set(rows) == set(range(len(table)))  # every feature drawn
    kinds = table["kind"].to_numpy()[rows]
    expected = np.array([pv.Color(basemap_colour(kind)).int_rgb for kind in kinds])
    np.testing.assert_array_equal(basemap.mesh.cell_data[RGB], expected)
    assert basemap.feature_attributes(int(rows[kinds == "water"][0]))["kind"] == "water"
    basemap.set_visible(False)
    assert not basemap.visible


def test_basemap_follows_the_terrain_where_there_is_a_dtm(delft: Twin) -> None:
    xmin, ymin, xmax, ymax = delft.terrain.dtm.bounds
    park = shapely.box(xmin + 10, ymin + 10, (xmin + xmax) / 2, (ymin + ymax) / 2)
    frame = gpd.GeoDataFrame({"id": ["way/1"], "kind": ["green"]}, geometry=[park], crs=delft.crs)
    scene = build_scene(dataclasses.replace(delft, layers={**delft.layers, "basemap": frame}))
    mesh = scene.layers["basemap"].mesh
    world = scene.to_world(np.asarray(mesh.points))
    ground = np.nan_to_num(sample_bilinear(delft.terrain.dtm, world[:, 0], world[:, 1]))
    np.testing.assert_allclose(world[:, 2], ground + KIND_LIFT["green"], atol=1e-3)
    assert mesh.GetNumberOfPolys() == 2 and scene.layers["basemap"].mesh.n_lines == 0
