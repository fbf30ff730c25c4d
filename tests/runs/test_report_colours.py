"""The comparison report's maps of changes: a diverging range set by a high quantile of the
changes' magnitudes (the viewer's rule), not by the largest one; the legend says what is clipped."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from shapely.geometry import box

from twin.colour_range import HIGH_QUANTILE, symmetric_range
from twin.runs.report import _draw_change


def _drawn(changes: np.ndarray) -> tuple[object, str, str]:
    """(norm, colour bar label, colour bar extend) of the map of ``changes`` on a row of squares."""
    frame = gpd.GeoDataFrame({"change": changes},
                             geometry=[box(i, 0, i + 1, 1) for i in range(len(changes))],
                             crs="EPSG:3067")
    fig = Figure()
    ax = fig.subplots()
    _draw_change(ax, frame, "heating_kWh_m2 (kWh/m²), B - A", linewidth=0.2)
    legend = fig.axes[-1]._colorbar  # the colour bar geopandas added beside the map
    return ax.collections[-1].norm, legend.ax.get_ylabel(), legend.extend


def test_an_outlier_does_not_set_the_range_and_the_legend_says_it_is_clipped() -> None:
    changes = np.random.default_rng(7).normal(0.0, 5.0, 400)
    changes[17] = -900.0  # one demolished building
    norm, label, extend = _drawn(changes)
    bound = np.quantile(np.abs(changes), HIGH_QUANTILE, method="inverted_cdf")
    assert (norm.vmin, norm.vcenter, norm.vmax) == (-bound, 0.0, bound)
    assert bound < 20.0  # the other changes keep their colours
    assert bound == symmetric_range([changes]).high  # the viewer's range of the same values
    assert label == f"heating_kWh_m2 (kWh/m²), B - A\ncolours clipped beyond ±{bound:.4g}"
    assert extend == "both"


def test_without_values_beyond_the_range_nothing_is_said_clipped() -> None:
    changes = np.array([-3.0, np.nan, 1.0, 2.5, 0.0])  # fewer than 50: the range is their extent
    norm, label, extend = _drawn(changes)
    assert (norm.vmin, norm.vmax) == (-3.0, 3.0)
    assert label == "heating_kWh_m2 (kWh/m²), B - A" and extend == "neither"
    norm, label, _ = _drawn(np.zeros(3))  # no change at all: a range of ±1
    assert (norm.vmin, norm.vmax) == (-1.0, 1.0) and "clipped" not in label
