"""Colour ranges (2–98 % quantiles, symmetric differences, manual min/max) and the legend
column, without Qt or a 3D view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import pyvista as pv

from twin.colour_range import robust_range, symmetric_range
from viewer.layers import Layer
from viewer.legend_layout import SWATCH_HEIGHT, Box, stack_legends
from viewer.series import Series


def _layer(values: np.ndarray, **kwargs) -> Layer:
    return Layer("buildings", "buildings", pv.PolyData(), table=pd.DataFrame({"heat": values}),
                 units={"heat": "kWh/m2"}, color_by="heat", **kwargs)


def test_one_huge_outlier_does_not_stretch_the_range() -> None:
    values = np.concatenate([np.linspace(30.0, 130.0, 999), [1250.0]])  # one 2.9 m² building
    layer = _layer(values)
    colour_range = layer.colour_range("heat")
    low, high = np.quantile(values, [0.02, 0.98], method="inverted_cdf")
    assert layer.value_range("heat") == (low, high) and high < 130.0
    assert colour_range.clipped_low and colour_range.clipped_high and not colour_range.manual
    assert layer.legend_title() == (f"buildings\nheat (kWh/m²)\n≤ {low:.4g} · ≥ {high:.4g}")


def test_few_values_keep_min_and_max_and_unknown_values_are_ignored() -> None:
    colour_range = robust_range([np.array([9.0, np.nan, 15.0])])
    assert colour_range.bounds() == (9.0, 15.0) and colour_range.note() == ""
    assert robust_range([np.array([np.nan])]).bounds() == (0.0, 0.0)


def test_a_difference_range_is_symmetric_about_zero() -> None:
    rng = np.random.default_rng(1)
    changes = np.concatenate([rng.normal(2.0, 5.0, 2000), [-580.0]])
    layer = _layer(changes, diverging=True)
    low, high = layer.value_range("heat")
    assert low == -high and 5.0 < high < 30.0
    assert symmetric_range([changes]).clipped_low


def test_series_and_linked_layers_share_one_range() -> None:
    a = _layer(np.arange(100.0))
    b = _layer(np.arange(100.0) + 1000.0)
    a.linked.append(b)
    b.linked.append(a)
    assert a.value_range("heat") == b.value_range("heat")
    assert a.value_range("heat")[0] < 100.0 < 1000.0 < a.value_range("heat")[1]
    over_time = Layer("traffic", "lines", pv.PolyData(), table=pd.DataFrame({"id": range(60)}),
                      series={"speed": Series(np.stack([np.full(60, 5.0), np.full(60, 20.0)]),
                                              np.array([0, 1]))})
    assert over_time.value_range("speed") == (5.0, 20.0)  # every frame counts


def test_a_manual_range_replaces_the_robust_one_until_cleared() -> None:
    layer = _layer(np.linspace(0.0, 100.0, 500))
    fields: list[str] = []
    layer.changed.connect(fields.append)
    layer.set_value_range("heat", (10.0, 50.0))
    assert layer.value_range("heat") == (10.0, 50.0) and fields == ["ranges"]
    assert layer.legend_title().endswith("\nmanual range")
    with pytest.raises(ValueError, match="min < max"):
        layer.set_value_range("heat", (50.0, 10.0))
    layer.set_value_range("heat", None)
    assert layer.value_range("heat") == robust_range([layer.values("heat")]).bounds()


@pytest.mark.parametrize("size", [(640, 480), (1280, 800), (1920, 1080)])
@pytest.mark.parametrize("lines", [[2], [3, 2], [2, 3, 3], [3, 3, 3, 3]])
def test_stacked_legends_stay_apart_and_inside_the_view(size: tuple[int, int], lines: list[int]) -> None:
    width, height = size
    places = stack_legends(lines, width, height)
    boxes = [box for place in places for box in (place.title, place.bar)]
    assert len(boxes) == 2 * len(lines)
    for i, box in enumerate(boxes):
        assert 0 <= box.x and box.x + box.width <= width and 0 <= box.y <= box.y + box.height <= height
        assert not any(box.intersects(other) for other in boxes[i + 1:])
    assert all(place.bar.height > 40 for place in places)


@pytest.mark.parametrize("size", [(450, 700), (1280, 800), (1920, 1080)])
def test_legends_keep_clear_of_the_corner_labels_and_swatches_take_their_height(
        size: tuple[int, int]) -> None:
    width, height = size
    label = Box(10, height - 60, 320, 50)  # a pane's name and time reaching into the column
    scale = Box(20, 20, 300, 20)  # a scale bar with its label
    caps = [4 * SWATCH_HEIGHT, None, None]  # the base map's four kinds, two colour bars
    places = stack_legends([1, 3, 3], width, height, caps, keep_out=[label, scale])
    boxes = [box for place in places for box in (place.title, place.bar)]
    for i, box in enumerate(boxes):
        assert 0 <= box.x and box.x + box.width <= width and 0 <= box.y <= box.y + box.height <= height
        assert not any(box.intersects(other) for other in boxes[i + 1:])
        assert not box.intersects(label) and not box.intersects(scale)
    assert places[0].bar.height == 4 * SWATCH_HEIGHT
    # the height the swatches leave goes to the colour bars
    assert places[1].bar.height == places[2].bar.height > 4 * SWATCH_HEIGHT
