"""Live sensors: a twin folder whose feeds store observations shows its sensors at the link or
building they observe, coloured by the latest value, and follows new observations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from qt_wait import shown_window

from twin.feeds.archive import append_observations
from twin.feeds.base import Observation
from twin.model import Twin
from twin.store import save_twin
from viewer.live_sensors import LATEST, LAYER_NAME
from viewer.sources import load_scene

T0 = 1_777_593_600_000  # ms, 2026-05-01T00:00:00Z


def _observe(folder: Path, values: dict[str, float], minute: int, targets=None) -> None:
    append_observations(folder, [Observation(sensor, "intensity", T0 + 60_000 * minute, value, "veh")
                                 for sensor, value in values.items()], targets)


@pytest.fixture
def observed(helsinki: Twin, tmp_path: Path) -> tuple[Path, str, str]:
    folder = save_twin(helsinki, tmp_path / "helsinki.twin")
    link = str(helsinki.network.links["id"].iloc[10])
    building = str(helsinki.buildings["id"].iloc[5])
    targets = {"counter": ("link", link), "meter": ("building", building)}
    _observe(folder, {"counter": 12.0, "meter": 3.0, "stray": 1.0}, 0, targets)
    _observe(folder, {"counter": 15.0, "meter": 4.0}, 1)
    return folder, link, building


def test_the_sensors_stand_at_what_they_observe_with_their_latest_values(observed, helsinki) -> None:
    folder, link, _ = observed
    scene = load_scene(folder)
    assert scene.live is not None
    layer = scene.layers[LAYER_NAME]
    assert list(layer.table["sensor"]) == ["counter", "meter"]  # the unmapped one is not drawn
    assert list(layer.values(LATEST)) == [15.0, 4.0]
    assert layer.color_by == LATEST
    middle = shapely.line_interpolate_point(
        helsinki.network.links.set_index("id").geometry[link], 0.5, normalized=True)
    point = layer.mesh.points[list(layer.mesh.cell_data["feature"]).index(0)]
    assert np.allclose(point[:2] + scene.origin, (middle.x, middle.y), atol=0.01)


def test_new_observations_are_picked_up_once(observed) -> None:
    folder, _, _ = observed
    scene = load_scene(folder)
    assert scene.live.refresh() is False  # nothing new
    _observe(folder, {"counter": 30.0}, 2)
    assert scene.live.refresh() is True
    assert list(scene.layers[LAYER_NAME].values(LATEST)) == [30.0, 4.0]
    assert scene.layers[LAYER_NAME].table["last_time"].iloc[0].startswith("2026-05-01T00:02")
    assert scene.live.refresh() is False


def test_a_twin_without_observations_has_no_live_layer(delft_folder) -> None:
    scene = load_scene(delft_folder)
    assert scene.live is None and LAYER_NAME not in scene.layers


def test_the_window_follows_the_live_sensors(qapp, observed) -> None:
    folder, _, _ = observed
    with shown_window(folder, size=(900, 600)) as window:
        assert window.live_timer.isActive()
        view = window.renderer.views[LAYER_NAME]
        assert sorted(np.asarray(view.scalars()).tolist()) == [4.0, 15.0]
        _observe(folder, {"meter": 9.0}, 3)
        assert window.refresh_live_sensors() is True
        assert sorted(np.asarray(view.scalars()).tolist()) == [9.0, 15.0]
        assert view.lookup_table.scalar_range == (9.0, 15.0)
