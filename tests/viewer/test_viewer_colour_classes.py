"""Colour classes (quantile, equal interval, natural breaks, diverging around 0), without Qt
or a 3D view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import pyvista as pv

from twin.colour_range import manual_range, robust_range, symmetric_range
from viewer.colour_classes import classify
from viewer.layers import Layer


def _layer(values: np.ndarray, **kwargs) -> Layer:
    return Layer("buildings", "buildings", pv.PolyData(), table=pd.DataFrame({"heat": values}),
                 units={"heat": "kWh/m2"}, color_by="heat", **kwargs)


def test_quantile_classes_hold_as_many_values_each() -> None:
    values = np.random.default_rng(0).lognormal(3.0, 1.0, 1000)
    classes = classify([values], robust_range([values]), "quantile", 5)
    assert classes is not None and classes.count == 5
    counts = np.bincount(classes.index(values).astype(int))
    assert counts.min() >= 195 and counts.max() <= 205  # 1000 / 5, ties at the edges aside


def test_equal_intervals_split_the_robust_range_and_label_its_clipped_ends() -> None:
    values = np.concatenate([np.linspace(30.0, 130.0, 999), [1250.0]])  # one huge outlier
    colour_range = robust_range([values])
    classes = classify([values], colour_range, "equal interval", 4)
    assert classes is not None
    np.testing.assert_allclose(np.diff(classes.edges), (colour_range.high - colour_range.low) / 4)
    assert classes.index(np.array([1250.0, 0.0, np.nan]))[:2].tolist() == [3.0, 0.0]
    assert np.isnan(classes.index(np.array([np.nan]))[0])
    labels = classes.labels()
    assert labels[0].startswith("≤ ") and labels[-1].startswith("> ") and " – " in labels[1]


@pytest.mark.parametrize("size", [300, 30000])  # the larger one through the sample of quantiles
def test_natural_breaks_fall_in_the_gaps_between_groups(size: int) -> None:
    rng = np.random.default_rng(2)
    groups = [rng.uniform(low, low + 10.0, size // 3) for low in (0.0, 50.0, 100.0)]
    values = np.concatenate(groups)
    classes = classify([values], manual_range(0.0, 110.0), "natural breaks", 3)
    assert classes is not None
    assert 9.0 <= classes.edges[1] < 50.0 and 59.0 <= classes.edges[2] < 100.0
    assert [np.unique(classes.index(group)).tolist() for group in groups] == [[0.0], [1.0], [2.0]]


@pytest.mark.parametrize("method", ["quantile", "equal interval", "natural breaks"])
def test_difference_classes_are_mirrored_around_zero(method: str) -> None:
    changes = np.random.default_rng(3).normal(2.0, 5.0, 2000)
    colour_range = symmetric_range([changes])
    even = classify([changes], colour_range, method, 6, diverging=True)
    odd = classify([changes], colour_range, method, 5, diverging=True)
    assert even is not None and odd is not None and (even.count, odd.count) == (6, 5)
    for classes in (even, odd):
        np.testing.assert_allclose(classes.edges, -classes.edges[::-1])
    assert 0.0 in even.edges
    assert odd.index(np.array([0.0, -0.01, 0.01])).tolist() == [2.0, 2.0, 2.0]  # one middle class


def test_continuous_has_no_classes_and_bad_settings_are_refused() -> None:
    values = np.arange(10.0)
    assert classify([values], robust_range([values]), "continuous", 5) is None
    assert classify([values], robust_range([np.array([1.0])]), "quantile", 5) is None  # empty range
    with pytest.raises(ValueError, match="unknown classification"):
        classify([values], robust_range([values]), "jenks", 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1..12"):
        _layer(values).set_classification("quantile", 0)


def test_linked_layers_share_their_classes() -> None:
    a = _layer(np.arange(100.0))
    b = _layer(np.arange(100.0) + 1000.0)
    a.linked.append(b)
    b.linked.append(a)
    fields: list[str] = []
    a.changed.connect(fields.append)
    a.set_classification("quantile", 4)
    b.set_classification("quantile", 4)
    assert fields == ["class_count", "classification"]
    edges_a, edges_b = (layer.colour_classes("heat") for layer in (a, b))
    assert edges_a is not None and edges_b is not None
    np.testing.assert_array_equal(edges_a.edges, edges_b.edges)
    assert edges_a.edges[2] == pytest.approx(550.0, abs=60.0)  # the median of both
    assert a.legend_title().endswith("\nquantile")
    a.set_classification("continuous")
    assert a.colour_classes("heat") is None
