"""The desktop viewer in a real Qt window under Xvfb (pytest-xvfb), driven by pytest-qt.

One window showing the Delft sample serves the whole module (opening it is the slow part); each
test puts back what it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import shapely
from legend_checks import assert_legends_apart
from PyQt6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PyQt6.QtGui import QDropEvent
from qt_wait import LOAD_TIMEOUT_MS, shown_window

from twin.model import Twin
from viewer.meshes import FEATURE
from viewer.picking import world_to_display
from viewer.widgets.main_window import MainWindow


@pytest.fixture(scope="module")
def window(qapp, delft_folder: Path) -> Iterator[MainWindow]:
    """The main window showing the Delft sample."""
    with shown_window(delft_folder) as window:
        yield window



def _image(window: MainWindow) -> np.ndarray:
    return np.asarray(window.plotter.screenshot(return_img=True))


def test_shows_buildings_on_terrain(window: MainWindow) -> None:
    assert set(window.scene.layers) == {"terrain", "buildings"}
    image = _image(window).astype(np.float64)
    assert image.std() > 20  # not blank
    # the viridis colours of buildings by height: purple and green pixels, which neither the
    # tan terrain nor the blue-grey sky has
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    purple = (b > r + 20) & (r > g + 10)
    green = (g > r + 30) & (g > b + 10)
    assert purple.sum() > 200 and green.sum() > 50
    assert window.progress.isHidden()
    assert "delft" in window.windowTitle()


def test_layer_checkbox_hides_the_layer(window: MainWindow) -> None:
    item = window.layer_panel.item("terrain")
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert window.scene.layers["terrain"].visible is False
    assert window.renderer.views["terrain"].actor.GetVisibility() == 0
    window.scene.layers["terrain"].set_visible(True)  # the model drives the tree too
    assert item.checkState(0) == Qt.CheckState.Checked
    assert window.renderer.views["terrain"].actor.GetVisibility() == 1


def test_colour_by_and_opacity(window: MainWindow, delft: Twin) -> None:
    panel = window.layer_panel
    panel.tree.setCurrentItem(panel.item("buildings"))
    panel.color_by.setCurrentText("footprint_area")
    panel.color_by.activated.emit(panel.color_by.currentIndex())
    layer = window.scene.layers["buildings"]
    view = window.renderer.views["buildings"]
    assert layer.color_by == "footprint_area"
    areas = delft.buildings["footprint_area"].to_numpy()
    np.testing.assert_allclose(view.scalars(), areas[layer.mesh.cell_data[FEATURE]], rtol=1e-6)
    assert view.lookup_table.scalar_range == pytest.approx(np.quantile(areas, [0.02, 0.98], method="inverted_cdf"), rel=1e-6)
    assert view.mappers[0].GetLookupTable() is view.lookup_table
    assert window.renderer.legends.shown["buildings"].title.GetInput() == layer.legend_title()
    panel.range_min.setText("10")  # a manual range, then the robust one again
    panel.range_max.setText("200")
    panel.range_max.editingFinished.emit()
    assert layer.ranges == {"footprint_area": (10.0, 200.0)}
    assert view.lookup_table.scalar_range == (10.0, 200.0)
    assert window.renderer.legends.shown["buildings"].title.GetInput().endswith("manual range")
    panel.range_max.setText("5")  # not above the min: refused, the range in use shown again
    panel.range_max.editingFinished.emit()
    assert layer.ranges == {"footprint_area": (10.0, 200.0)} and panel.range_max.text() == "200"
    panel.range_reset.click()
    assert layer.ranges == {} and float(panel.range_max.text()) == pytest.approx(
        layer.value_range("footprint_area")[1], rel=1e-5)
    panel.class_count.setValue(4)  # classes: one colour and one legend swatch each
    panel.classification.setCurrentText("equal interval")
    panel.classification.activated.emit(panel.classification.currentIndex())
    assert (layer.classification, layer.class_count) == ("equal interval", 4)
    classes = layer.colour_classes("footprint_area")
    assert view.mappers[0].GetLookupTable() is view.legend_table() and classes.count == 4
    assert window.renderer.legends.shown["buildings"].bar.GetLookupTable().GetNumberOfAnnotatedValues() == 4
    np.testing.assert_array_equal(view.scalars(), classes.index(areas[layer.mesh.cell_data[FEATURE]]))
    panel.classification.setCurrentText("continuous")
    panel.classification.activated.emit(panel.classification.currentIndex())
    assert view.mappers[0].GetLookupTable() is view.lookup_table
    panel.cmap.setCurrentText("plasma")
    panel.cmap.activated.emit(panel.cmap.currentIndex())
    assert layer.cmap == "plasma"
    panel.opacity.setValue(40)
    assert layer.opacity == pytest.approx(0.4)
    assert view.actor.GetProperty().GetOpacity() == pytest.approx(0.4)
    panel.color_by.setCurrentText("(solid colour)")
    panel.color_by.activated.emit(panel.color_by.currentIndex())
    assert layer.color_by is None and view.scalars() is None
    assert "buildings" not in window.renderer.legends.shown
    assert view.mappers[0].GetScalarVisibility() == 0
    layer.set_color_by("height")
    layer.set_cmap("viridis")
    layer.set_opacity(1.0)
    assert panel.opacity.value() == 100  # the panel follows the model


def test_legends_stay_apart_at_both_window_sizes(window: MainWindow) -> None:
    """The Delft twin with its terrain coloured by elevation and its buildings classified by
    height (a legend of swatches) beside the time label, scale bar and north arrow."""
    terrain, buildings = window.scene.layers["terrain"], window.scene.layers["buildings"]
    terrain.set_color_by("elevation")
    buildings.set_classification("quantile", 6)
    try:
        assert_legends_apart(window, {"a": ["terrain", "buildings"]})
    finally:
        terrain.set_color_by(None)
        buildings.set_classification("continuous")


def test_click_on_a_building_shows_its_attributes(qtbot, window: MainWindow, delft: Twin) -> None:
    window.view_preset("top")
    buildings = delft.buildings
    row = int(buildings["height"].to_numpy().argmax())  # the tallest: nothing hides its roof
    footprint = buildings.geometry.iloc[row]
    inner = shapely.point_on_surface(footprint)
    roof = window.scene.to_scene([inner.x, inner.y, buildings["base_elevation"].iloc[row]
                                  + buildings["height"].iloc[row]])
    x, y, _ = world_to_display(window.plotter.renderer, roof)
    ratio = window.plotter.devicePixelRatioF()
    height = window.plotter.render_window.GetSize()[1]
    position = QPoint(round(x / ratio), round((height - 1 - y) / ratio))
    with qtbot.waitSignal(window.identified, timeout=5_000) as signal:
        qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton, pos=position)
    hit = signal.args[0]
    assert hit is not None and hit.layer == "buildings" and hit.row == row
    assert window.attribute_panel.value("id") == buildings["id"].iloc[row]
    assert window.attribute_panel.value("height") == f"{buildings['height'].iloc[row]:.6g}"


def test_time_slider_moves_the_timeline(qtbot, window: MainWindow) -> None:
    bar, timeline = window.time_bar, window.scene.timeline
    assert not bar.slider.isEnabled() and not bar.play.isEnabled()  # no results yet
    timeline.set_steps(np.arange("2024-06-01T00", "2024-06-02T00", dtype="datetime64[h]"))
    assert bar.slider.isEnabled() and bar.slider.maximum() == 23
    bar.slider.setValue(5)
    assert timeline.index == 5
    assert timeline.current == np.datetime64("2024-06-01T05:00:00")
    assert window.renderer.time_label.text() == "2024-06-01 05:00 UTC"
    bar.play.click()
    assert timeline.playing
    qtbot.waitUntil(lambda: timeline.index >= 7, timeout=5_000)
    bar.play.click()
    assert not timeline.playing and not bar.timer.isActive()
    timeline.set_steps(np.array([], dtype="datetime64[s]"))
    assert not bar.slider.isEnabled()


def test_bookmarks_presets_and_anti_aliasing(window: MainWindow) -> None:
    assert window.plotter.renderer.GetUseFXAA() is False  # off by default
    window.view_preset("top")
    top = window.renderer.camera_pose()
    window.bookmark_panel.save_view("above")
    window.view_preset("iso")
    assert window.renderer.camera_pose().position != pytest.approx(top.position)
    window.bookmark_panel.restore_view("above")
    assert window.renderer.camera_pose().position == pytest.approx(top.position)
    names = window.bookmark_panel.list
    assert [names.item(i).text() for i in range(names.count())] == ["above"]
    window.set_anti_aliasing(True)
    assert window.plotter.renderer.GetUseFXAA() is True
    window.set_anti_aliasing(False)
    assert window.plotter.renderer.GetUseFXAA() is False


def test_screenshot_and_orbit_export(window: MainWindow, tmp_path: Path) -> None:
    from PIL import Image

    png = window.save_screenshot(tmp_path / "view.png")
    assert Image.open(png).size == tuple(window.plotter.render_window.GetSize())
    gif = window.export_orbit(tmp_path / "orbit.gif", frames=4)
    assert Image.open(gif).n_frames == 4
    mp4 = window.export_orbit(tmp_path / "orbit.mp4", frames=4)
    assert mp4.stat().st_size > 1000


def test_drop_a_twin_folder_opens_it(qtbot, window: MainWindow, delft_folder: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(delft_folder))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    before = window.renderer
    with qtbot.waitSignal(window.scene_loaded, timeout=LOAD_TIMEOUT_MS):
        window.dropEvent(drop)
    assert window.renderer is not before
    shown = list(window.plotter.renderer.actors.values())
    assert not any(view.actor in shown for view in before.views.values())  # the old scene is gone
    assert all(view.actor in shown for view in window.renderer.views.values())
    assert list(window.renderer.legends.shown) == ["buildings"]


def test_a_bad_folder_is_reported(qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    from PyQt6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT_MS) as signal:
        window.open_path(tmp_path / "missing.twin")
    assert "missing.twin" in signal.args[0]
    assert window.progress.isHidden()


def test_the_ruler_measures_between_picked_roofs(window: MainWindow, delft: Twin) -> None:
    """With Measure on, clicks add the point under the cursor: the distance between two roofs
    (seen from above) is that of the picked points, in metres, and the view identifies
    nothing meanwhile."""
    window.view_preset("top")
    buildings = delft.buildings
    tallest = np.argsort(buildings["height"].to_numpy())[-2:]
    window.measure_action.setChecked(True)
    assert window.measuring and window.status_bar.currentMessage() == "measure: click a point"
    aims = []
    for row in tallest:
        inner = shapely.point_on_surface(buildings.geometry.iloc[row])
        aim = [inner.x, inner.y, buildings["base_elevation"].iloc[row] + buildings["height"].iloc[row]]
        x, y, _ = world_to_display(window.plotter.renderer, window.scene.to_scene(aim))
        window.measure_at(round(x), round(y))
        aims.append(aim)
    points = np.asarray(window.measurement.points)
    assert points.shape == (2, 3)
    # each picked point is the roof point aimed at, within the pick of one pixel (under 1 m)
    np.testing.assert_allclose(points, np.asarray(aims), atol=1.0)
    assert window.measurement.length == pytest.approx(float(np.linalg.norm(points[1] - points[0])))
    assert window.measurement.horizontal == pytest.approx(float(np.linalg.norm(points[1, :2] - points[0, :2])))
    message = window.status_bar.currentMessage()
    assert message.startswith("distance ") and " m (horizontal " in message and "2 points" in message
    line = window.plotter.actors["measurement"].GetMapper().GetInput()
    np.testing.assert_allclose(line.points, window.scene.to_scene(points))  # drawn where picked
    window.measure_action.setChecked(False)
    assert not window.measuring and window.measurement.points == []
    assert window.plotter.actors.get("measurement") is None
