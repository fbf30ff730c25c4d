"""Results files in a real Qt window under Xvfb: the time slider moves traffic and vehicles,
colour by a building result, identify a building by a click, and A/B compare in two linked views.

One window showing the Helsinki baseline results serves the module; each test puts back what it
changes, the compare test (which ends with B shown) runs last.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from legend_checks import assert_legends_apart
from PyQt6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PyQt6.QtGui import QDropEvent
from qt_wait import LOAD_TIMEOUT_MS, shown_window, wait_for

from twin.quantities import typeset
from twin.runs import Results, read_results
from viewer.meshes import FEATURE
from viewer.picking import Identified, world_to_display
from viewer.widgets.main_window import MainWindow


@pytest.fixture(scope="module")
def results(helsinki_results: dict[str, Path]) -> dict[str, Results]:
    return {key: read_results(path) for key, path in helsinki_results.items()}


@pytest.fixture(scope="module")
def window(qapp, helsinki_results: dict[str, Path]) -> Iterator[MainWindow]:
    """The main window showing the Helsinki baseline results."""
    with shown_window(helsinki_results["a"]) as window:
        yield window



def test_time_slider_moves_traffic_and_vehicles(window: MainWindow, results: dict[str, Results]) -> None:
    mobility = results["a"].mobility
    scene, bar = window.scene, window.time_bar
    assert {"traffic", "vehicles"} <= set(scene.layers) and bar.slider.isEnabled()
    assert bar.slider.maximum() == len(scene.timeline.steps) - 1 == 180
    assert "Europe/Helsinki" in bar.label.text()
    traffic, vehicles = scene.layers["traffic"], scene.layers["vehicles"]
    view = window.renderer.views["traffic"]
    speed = view.layer.mesh.cell_data.GetArray("speed")
    bar.slider.setValue(4)  # 07:04, the first bin
    before = np.asarray(window.plotter.screenshot(return_img=True))
    bar.slider.setValue(5)  # 07:05, the second bin
    assert scene.timeline.index == 5
    np.testing.assert_allclose(traffic.values("speed"), mobility.series["speed"][1], equal_nan=True)
    rows = traffic.mesh.cell_data[FEATURE]
    np.testing.assert_allclose(view.scalars(), mobility.series["speed"][1][rows], equal_nan=True)
    assert traffic.mesh.cell_data.GetArray("speed") is speed  # updated in place
    assert view.lookup_table.scalar_range == pytest.approx(traffic.value_range("speed"))
    samples = int((mobility.positions["time"] == 7 * 3600 + 5 * 60).sum())
    assert vehicles.mesh.n_points == samples > 0
    after = np.asarray(window.plotter.screenshot(return_img=True))
    assert after.std() > 20 and np.abs(after.astype(int) - before).sum() > 0
    assert "07:05" in window.renderer.time_label.text()
    bar.slider.setValue(0)


def test_colour_buildings_by_a_result(window: MainWindow, results: dict[str, Results]) -> None:
    panel = window.layer_panel
    panel.tree.setCurrentItem(panel.item("buildings"))
    assert panel.color_by.currentText() == "heating_kWh_m2"  # the default for results
    panel.color_by.setCurrentText("cooling_kWh")
    panel.color_by.activated.emit(panel.color_by.currentIndex())
    layer, view = window.scene.layers["buildings"], window.renderer.views["buildings"]
    cooling = results["a"].energy.buildings["cooling_kWh"].reindex(layer.table["id"]).to_numpy()
    assert layer.color_by == "cooling_kWh"
    np.testing.assert_allclose(view.scalars(), cooling[layer.mesh.cell_data[FEATURE]], rtol=1e-6)
    assert window.renderer.legends.shown["buildings"].title.GetInput().startswith(
        "buildings\ncooling_kWh (kWh)")
    layer.set_color_by("heating_kWh_m2")


def test_click_identifies_a_building_with_its_results(qtbot, window: MainWindow,
                                                      results: dict[str, Results]) -> None:
    window.view_preset("top")
    buildings = window.scene.twin.buildings
    row = int(buildings["height"].to_numpy().argmax())  # the tallest: nothing hides its roof
    inner = shapely.point_on_surface(buildings.geometry.iloc[row])
    roof = window.scene.to_scene([inner.x, inner.y, buildings["base_elevation"].iloc[row]
                                  + buildings["height"].iloc[row]])
    x, y, _ = world_to_display(window.plotter.renderer, roof)
    ratio = window.plotter.devicePixelRatioF()
    height = window.plotter.render_window.GetSize()[1]
    with qtbot.waitSignal(window.identified, timeout=5_000) as signal:
        qtbot.mouseClick(window.plotter, Qt.MouseButton.LeftButton,
                         pos=QPoint(round(x / ratio), round((height - 1 - y) / ratio)))
    hit = signal.args[0]
    building = buildings["id"].iloc[row]
    assert window.renderer.highlighted == ("buildings", hit.row)  # outlined
    assert hit.layer == "buildings" and hit.attributes["id"] == building
    heating = results["a"].energy.buildings.loc[building, "heating_kWh_m2"]
    assert hit.attributes["heating_kWh_m2"] == pytest.approx(heating)
    assert window.attribute_panel.value("heating_kWh_m2") == f"{heating:.6g}"
    assert window.attribute_panel.value("monthly_heating_kWh") is not None
    _assert_every_number_has_its_unit(window, hit)
    assert window.attribute_panel.unit("heating_kWh_m2") == "kWh/m²"
    chart = window.attribute_panel.chart  # monthly heating over the morning: March's
    assert not chart.isHidden() and chart.choice.currentText() == "monthly_heating_kWh"
    times, values = chart.line()
    assert len(times) == 181 and chart.axes.lines[0].get_drawstyle() == "steps-post"
    assert chart.axes.get_xlabel() == "Europe/Helsinki" and times[0] == datetime(2025, 3, 11, 7)
    chart.utc.setChecked(True)  # UTC on demand
    assert chart.line()[0][0] == datetime(2025, 3, 11, 5) and chart.axes.get_xlabel() == "UTC"
    chart.utc.setChecked(False)
    np.testing.assert_allclose(values, results["a"].energy.monthly_heating_kWh.loc[building, 3], rtol=1e-6)


def test_click_identifies_a_link_with_its_speeds_over_time(qtbot, window: MainWindow,
                                                           results: dict[str, Results]) -> None:
    mobility = results["a"].mobility
    busy = int(np.nanargmax(mobility.series["outflow"].sum(axis=0)))  # the busiest link
    middle = mobility.links.geometry.iloc[busy].interpolate(0.5, normalized=True)
    window.scene.layers["buildings"].set_visible(False)  # nothing over the link
    try:
        x, y, _ = world_to_display(window.plotter.renderer, window.scene.to_scene([middle.x, middle.y, 0.8]))
        hit = window.identify_at(x, y)
    finally:
        window.scene.layers["buildings"].set_visible(True)
    assert hit.layer == "traffic" and hit.attributes["id"] == mobility.links["id"].iloc[hit.row]
    row = hit.row
    bins = window.scene.layers["traffic"].series["speed"].frame_of_step
    assert bins[-1] == -1  # 10:00, the end of the last bin: no values
    expected = np.where(bins >= 0, mobility.series["speed"][bins, row], np.nan)
    np.testing.assert_allclose(hit.series["speed"], expected, equal_nan=True)
    chart = window.attribute_panel.chart
    chart.choice.setCurrentText("speed")
    np.testing.assert_allclose(chart.line()[1], hit.series["speed"], equal_nan=True)
    assert window.attribute_panel.unit("speed") == window.attribute_panel.unit("free_speed") == "km/h"
    _assert_every_number_has_its_unit(window, hit)
    window.time_bar.slider.setValue(30)
    local = pd.Timestamp(window.scene.timeline.steps[30]).tz_localize("UTC").tz_convert("Europe/Helsinki")
    assert chart.marker.get_xdata()[0] == local.tz_localize(None).to_pydatetime()
    window.time_bar.slider.setValue(0)


def _assert_every_number_has_its_unit(window: MainWindow, hit: Identified) -> None:
    """The identify panel lists every numeric attribute of ``hit`` with the unit its layer
    gives (typeset; "" only for the ids and counts the quantities table gives no unit)."""
    layer = window.scene.layers[hit.layer]
    numbers = [name for name, value in hit.attributes.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    assert len(numbers) > 5
    for name in numbers:
        assert name in layer.units, name
        assert window.attribute_panel.unit(name) == typeset(layer.units[name]), name


def test_legends_of_all_coloured_layers_never_overlap(window: MainWindow) -> None:
    layers = window.scene.layers
    layers["vehicles"].set_color_by(layers["vehicles"].attributes()[0])
    try:
        coloured = [name for name, layer in layers.items() if layer.visible and layer.color_by]
        assert {"traffic", "buildings", "vehicles"} <= set(coloured)
        assert_legends_apart(window, {"a": ["basemap", *coloured]})
        title = window.renderer.legends.shown["buildings"].title.GetInput()
        assert title.startswith("buildings\nheating_kWh_m2 (kWh/m²)\n")  # with its clipped ends
    finally:
        layers["vehicles"].set_color_by(None)


def test_a_twin_folder_is_not_compared(qtbot, window: MainWindow, delft_folder: Path,
                                       monkeypatch) -> None:
    from PyQt6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    scene, renderer = window.scene, window.renderer
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT_MS) as signal:
        window.compare_with(delft_folder)
    assert "only results files are compared" in signal.args[0]
    assert window.comparison is None and window.compare_plotter is None
    assert window.scene is scene and window.renderer is renderer and window.progress.isHidden()


def test_drop_two_results_compares_them(qtbot, window: MainWindow,
                                        helsinki_results: dict[str, Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(helsinki_results[key])) for key in ("a", "b")])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    wait_for(window.comparison_shown, lambda: window.dropEvent(drop))
    comparison, b = window.comparison, window.compare_plotter
    assert comparison is not None and b is not None and b.isVisible()
    assert comparison.a is window.scene and comparison.b.title == "Helsinki centre 2035"
    assert abs(b.width() - window.plotter.width()) < 20  # side by side, halves
    assert window.renderer.label().startswith("A  Helsinki centre: baseline\n")
    assert window.compare_renderer.label().startswith("B  Helsinki centre 2035\n")
    renderer = window.compare_renderer.plotter.renderer  # the whole twin in the half pane
    width, height = renderer.GetSize()
    for corner in itertools.product(*np.reshape(comparison.b.bounds(), (3, 2))):
        x, y, _ = world_to_display(renderer, np.array(corner))
        assert 0 <= x <= width and 0 <= y <= height, corner
    # one timeline
    window.time_bar.slider.setValue(40)
    assert comparison.b.layers["traffic"].step == 40
    # one camera: moving A's redraws B
    frames = []
    b.render_window.AddObserver("EndEvent", lambda *_: frames.append(1))
    window.plotter.camera.Azimuth(30)
    window.plotter.render()
    assert frames and b.camera.position == pytest.approx(window.plotter.camera.position)
    window.view_preset("top")
    assert window.compare_renderer.camera_pose() == window.renderer.camera_pose()
    # one legend per layer, in A's view, over a range shared by A and B
    for name in ("traffic", "buildings"):
        ranges = {renderer.views[name].lookup_table.scalar_range
                  for renderer in (window.renderer, window.compare_renderer)}
        both = comparison.a.layers[name].value_range(comparison.a.layers[name].color_by)
        assert ranges == {both}
    assert_legends_apart(window, {"a": ["basemap", "buildings", "traffic"], "b": []})
    # the difference: B − A per link, centred on 0
    window.show_differences(True)
    difference = comparison.b.layers["traffic B−A"]
    assert difference.visible and not comparison.b.layers["traffic"].visible
    view = window.compare_renderer.views["traffic B−A"]
    low, high = view.lookup_table.scalar_range
    assert low == pytest.approx(-high) and high > 0 and difference.cmap == "coolwarm"
    assert_legends_apart(window, {"a": ["basemap", "buildings", "traffic"],
                                   "b": ["traffic B−A", "buildings B−A"]})
    assert view.scalars() is not None
    ids = [scene.layers["traffic"].table["id"].to_numpy() for scene in (comparison.a, comparison.b)]
    np.testing.assert_array_equal(*ids)  # the same links in the same order
    a_speed, b_speed = (scene.layers["traffic"].values("speed")
                        for scene in (comparison.a, comparison.b))
    np.testing.assert_allclose(difference.values("speed"), b_speed - a_speed, atol=1e-4)
    image = np.asarray(b.screenshot(return_img=True))
    assert image.std() > 20
    assert window.show_differences_action.isChecked()
