"""Off-screen rendering (``twin render``), orbit export and identify by ray, without Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
import shapely
from PIL import Image
from vtkmodules.vtkCommonCore import VTK_COLOR_MODE_DIRECT_SCALARS

from twin.basemap_colours import BASEMAP_NAMES, basemap_colour
from twin.cli import EXIT_INPUT_ERROR, main
from twin.model import Twin
from twin.quantities import KMH_PER_MS
from viewer.export import save_orbit
from viewer.meshes import FEATURE
from viewer.orientation import SCALE_BAR_PX, length_label, round_length
from viewer.picking import Identifier, world_to_display
from viewer.renderer import SceneRenderer
from viewer.scene import Scene, build_scene


def _viridis_pixels(image: np.ndarray) -> tuple[int, int]:
    """Purple and green pixels: colours of viridis that neither tan terrain nor the sky has."""
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return int(((b > r + 20) & (r > g + 10)).sum()), int(((g > r + 30) & (g > b + 10)).sum())


def test_twin_render_writes_a_png_with_building_colours(delft_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "delft.png"
    assert main(["render", str(delft_folder), "-o", str(out), "--size", "800x500",
                 "--camera", "top"]) == 0
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (500, 800, 3)
    assert image.std() > 20
    purple, green = _viridis_pixels(image)
    assert purple > 500 and green > 50
    plain = tmp_path / "plain.png"
    assert main(["render", str(delft_folder), "-o", str(plain), "--size", "800x500",
                 "--color-by", "none"]) == 0
    assert _viridis_pixels(np.asarray(Image.open(plain).convert("RGB")))[0] < purple / 10


def test_twin_render_refuses_an_unknown_attribute(delft_folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.png"
    assert main(["render", str(delft_folder), "-o", str(out), "--color-by", "colour"]) == EXIT_INPUT_ERROR
    assert "--color-by" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def helsinki_view(helsinki: Twin) -> Iterator[tuple[Scene, SceneRenderer]]:
    scene = build_scene(helsinki)
    plotter = pv.Plotter(off_screen=True, window_size=[900, 700])
    renderer = SceneRenderer(plotter, scene)
    renderer.view_preset("top")
    plotter.show(auto_close=False)
    yield scene, renderer
    plotter.close()


def test_identify_links_and_buildings_by_ray(helsinki_view, helsinki: Twin) -> None:
    scene, renderer = helsinki_view
    identifier = Identifier(scene)
    links = helsinki.network.links
    found = 0
    for row in range(0, len(links), 40):
        middle = links.geometry.iloc[row].interpolate(0.5, normalized=True)
        x, y, _ = world_to_display(renderer.plotter.renderer, scene.to_scene([middle.x, middle.y, 0.3]))
        hit = identifier.identify(renderer.plotter.renderer, x, y)
        # a link under a roof is hidden; one that shares its middle with a reverse link may be either
        if hit is not None and hit.layer == "roads":
            assert links.geometry.iloc[hit.row].distance(middle) < 0.5
            assert hit.attributes["id"] == links["id"].iloc[hit.row]
            found += 1
    assert found > 0.7 * len(range(0, len(links), 40))
    scene.layers["roads"].set_visible(False)
    hit = identifier.identify(renderer.plotter.renderer, x, y)
    assert hit is None or hit.layer != "roads"  # hidden layers are not identified
    scene.layers["roads"].set_visible(True)
    buildings = helsinki.buildings
    row = int(buildings["height"].to_numpy().argmax())
    inside = shapely.point_on_surface(buildings.geometry.iloc[row])
    x, y, _ = world_to_display(renderer.plotter.renderer,
                               scene.to_scene([inside.x, inside.y, buildings["height"].iloc[row]]))
    hit = identifier.identify(renderer.plotter.renderer, x, y)
    assert hit.layer == "buildings" and hit.attributes["id"] == buildings["id"].iloc[row]
    assert hit.point[2] == pytest.approx(buildings["height"].iloc[row], abs=0.01)
    assert identifier.identify(renderer.plotter.renderer, 2, 2) is None  # the sky
    assert not scene.layers["pois"].visible  # off by default
    scene.layers["pois"].set_visible(True)
    pois = helsinki.layers["pois"].geometry
    roofed = buildings.sindex.query(pois, predicate="within")[0]  # hidden by their building
    outside = np.setdiff1d(np.arange(0, len(pois), 25), roofed)
    exact = hidden = 0
    for row in outside:
        point = pois.iloc[row]
        x, y, _ = world_to_display(renderer.plotter.renderer, scene.to_scene([point.x, point.y, 1.0]))
        hit = identifier.identify(renderer.plotter.renderer, x, y)
        exact += hit is not None and hit.layer == "pois" and pois.iloc[hit.row].distance(point) < 0.5
        # the top view looks down at a slant: a roof next to a POI may stand in front of it
        hidden += hit is not None and hit.layer == "buildings" and hit.point[2] > 1.0
    assert len(outside) - hidden > 20 and exact >= 0.9 * (len(outside) - hidden)
    scene.layers["pois"].set_visible(False)


def test_colour_roads_by_free_speed(helsinki_view, helsinki: Twin) -> None:
    scene, renderer = helsinki_view
    roads = scene.layers["roads"]
    roads.set_color_by("free_speed")
    view = renderer.views["roads"]
    speed = helsinki.network.links["free_speed"].to_numpy() * KMH_PER_MS  # shown in km/h
    assert roads.unit("free_speed") == "km/h"
    np.testing.assert_allclose(view.scalars(), speed, rtol=1e-6)
    assert view.lookup_table.scalar_range == pytest.approx(np.quantile(speed, [0.02, 0.98], method="inverted_cdf"))
    assert list(renderer.legends.shown) == ["basemap", "buildings", "roads"]
    roads.set_visible(False)
    assert list(renderer.legends.shown) == ["basemap", "buildings"]  # a hidden layer has none
    roads.set_visible(True)
    roads.set_color_by(None)


def test_classified_roads_get_one_colour_and_label_per_class(helsinki_view, helsinki: Twin) -> None:
    scene, renderer = helsinki_view
    roads = scene.layers["roads"]
    roads.set_color_by("free_speed")
    roads.set_classification("quantile", 4)
    view = renderer.views["roads"]
    classes = roads.colour_classes("free_speed")
    assert classes is not None and view.legend_table().GetIndexedLookup()
    speed = roads.values("free_speed")
    np.testing.assert_allclose(speed, helsinki.network.links["free_speed"] * KMH_PER_MS, rtol=1e-12)
    np.testing.assert_array_equal(view.scalars(), classes.index(speed))
    annotations = view.legend_table().GetAnnotations()
    assert [annotations.GetValue(i) for i in range(annotations.GetNumberOfValues())] \
        == classes.labels()
    assert renderer.legends.shown["roads"].bar.GetLookupTable() is view.legend_table()
    roads.set_classification("continuous")
    assert not renderer.legends.shown["roads"].bar.GetLookupTable().GetIndexedLookup()
    roads.set_color_by(None)


def test_the_scale_bar_measures_the_ground_at_the_focal_point(helsinki_view) -> None:
    scene, renderer = helsinki_view
    renderer.view_preset("top")
    bar = renderer.scale_bar
    assert bar.length in (10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
    assert 0.4 * SCALE_BAR_PX < bar.width_px <= SCALE_BAR_PX
    focal = np.array(renderer.plotter.camera.focal_point)
    start, end = (world_to_display(renderer.plotter.renderer, focal + (dx, 0.0, 0.0))
                  for dx in (0.0, bar.length))
    assert np.hypot(*(end - start)[:2]) == pytest.approx(bar.width_px, rel=0.01)
    assert bar.label.GetInput() == f"{length_label(bar.length)} (EPSG:32635)"  # metres of the twin CRS
    assert [round_length(x) for x in (0.9, 7.0, 19.9, 4999.0)] == [0.5, 5.0, 10.0, 2000.0]
    assert length_label(2000.0) == "2 km" and length_label(50.0) == "50 m"


def test_the_identified_feature_is_outlined(helsinki_view) -> None:
    scene, renderer = helsinki_view
    renderer.highlight("roads", 3)
    assert renderer.highlighted == ("roads", 3)
    outline = renderer._highlight_actor.GetMapper().GetInput()
    road = scene.layers["roads"].mesh.extract_cells(
        np.flatnonzero(scene.layers["roads"].mesh.cell_data[FEATURE] == 3))
    assert outline.n_points > 1 and outline.bounds == pytest.approx(road.bounds)
    renderer.highlight(None, None)
    assert renderer.highlighted is None and renderer._highlight_actor is None


def test_orbit_gif_and_bad_suffix(helsinki_view, tmp_path: Path) -> None:
    _, renderer = helsinki_view
    start = renderer.camera_pose()
    gif = save_orbit(renderer, tmp_path / "orbit.gif", frames=3)
    frames = Image.open(gif)
    assert frames.n_frames == 3 and frames.size == (900, 700)
    assert renderer.camera_pose().position == pytest.approx(start.position)
    with pytest.raises(ValueError, match="orbit"):
        save_orbit(renderer, tmp_path / "orbit.avi", frames=2)
    assert not (tmp_path / "orbit.avi").exists()


def test_twin_command_has_view_and_render() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "twin.cli", "--help"], check=False,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "view" in result.stdout and "render" in result.stdout


def test_twin_view_without_a_screen_says_so_instead_of_aborting(monkeypatch, capsys) -> None:
    from twin.cli import main

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["view"]) == 2
    assert "display: no screen to open the viewer on" in capsys.readouterr().err


def test_twin_view_refuses_what_it_cannot_open_before_any_window(
        monkeypatch, capsys, tmp_path: Path, delft_folder: Path,
        helsinki_results: dict[str, Path]) -> None:
    from twin.cli import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # a screen: the paths are what is wrong
    monkeypatch.setattr("viewer.app.run", lambda *_: pytest.fail("a window was opened"))
    text = tmp_path / "notes.txt"
    text.write_text("not a run")
    cases = {
        (tmp_path / "missing.twin",): "missing.twin: no such file or folder",
        (tmp_path,): "not a twin folder (no twin.toml in it)",
        (text,): "notes.txt: not a results file",
        (delft_folder, helsinki_results["a"]): "a twin folder; only two results files are compared",
        (helsinki_results["a"],) * 3: "paths: open one twin or results file",
    }
    for paths, message in cases.items():
        assert main(["view", *map(str, paths)]) == 2, paths
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err


def test_the_basemap_is_drawn_in_its_colours_and_toggles(helsinki_view) -> None:
    scene, renderer = helsinki_view
    green = np.array(pv.Color(basemap_colour("green")).int_rgb)

    def green_pixels() -> int:
        renderer.plotter.render()
        image = np.asarray(renderer.plotter.screenshot(return_img=True))[..., :3].astype(int)
        return int((np.abs(image - green).max(axis=-1) <= 3).sum())

    view = renderer.views["basemap"]
    assert view.actor.GetVisibility() and view.mappers[0].GetColorMode() == VTK_COLOR_MODE_DIRECT_SCALARS
    assert green_pixels() > 5000  # the parks, unlit in their own colour
    scene.layers["basemap"].set_visible(False)
    assert not view.actor.GetVisibility() and green_pixels() < 100
    scene.layers["basemap"].set_visible(True)


def test_the_basemap_has_a_legend_of_its_kinds(helsinki_view, helsinki: Twin) -> None:
    scene, renderer = helsinki_view
    kinds = set(helsinki.layers["basemap"]["kind"])
    assert kinds == {"water", "green", "landuse", "rail"}
    legend = renderer.legends.shown["basemap"]
    assert legend.title.GetInput() == "basemap"
    table = legend.bar.GetLookupTable()
    swatches = {table.GetAnnotation(i): pv.Color(table.GetTableValue(i)[:3]).hex_rgb
                for i in range(table.GetNumberOfAnnotatedValues())}
    assert swatches == {BASEMAP_NAMES[kind]: pv.Color(basemap_colour(kind)).hex_rgb for kind in kinds}
    # laid out in the column with the other legends, none on another
    scene.layers["roads"].set_color_by("free_speed")
    try:
        renderer.plotter.render()
        assert list(renderer.legends.shown) == ["basemap", "buildings", "roads"]
        boxes = renderer.legends.screen_boxes() + renderer.overlay_boxes()
        for i, box in enumerate(boxes):
            assert not any(box.intersects(other) for other in boxes[i + 1:]), i
    finally:
        scene.layers["roads"].set_color_by(None)
    scene.layers["basemap"].set_visible(False)
    assert "basemap" not in renderer.legends.shown
    scene.layers["basemap"].set_visible(True)
    assert "basemap" in renderer.legends.shown


def test_a_removed_scene_renderer_goes_without_a_garbage_collection(helsinki: Twin) -> None:
    """Nothing the renderer leaves in its plotter (legend callbacks, labels) holds it: it is
    freed when dropped, while its VTK widgets still have their render window, never by a later
    garbage collection (which crashed in the VTK destructors after the window had closed)."""
    import gc
    import weakref

    plotter = pv.Plotter(off_screen=True, window_size=[600, 400])
    renderer = SceneRenderer(plotter, build_scene(helsinki))
    plotter.render()
    gone = weakref.ref(renderer)
    gc.disable()
    try:
        renderer.remove()
        del renderer
        assert gone() is None
    finally:
        gc.enable()
        plotter.close()


def test_the_viewer_deletes_its_window_when_it_ends(qapp, monkeypatch) -> None:
    from PyQt6 import sip
    from PyQt6.QtWidgets import QApplication

    from viewer import app as viewer_app

    opened = viewer_app.MainWindow
    windows = []
    monkeypatch.setattr(viewer_app, "MainWindow",
                        lambda settings: windows.append(opened(settings)) or windows[-1])
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)  # the window closed at once
    assert viewer_app.run([]) == 0
    assert len(windows) == 1 and sip.isdeleted(windows[0])
