"""A/B compare of two results scenes: one timeline and origin (B is built at A's), the layers
both have coloured alike over a shared colour range, and difference layers (B − A per link and
per building) added to B. ``link_cameras`` makes two plotters show the same view. Qt-free."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyvista as pv

from viewer.layers import ColourMap, Layer
from viewer.meshes import FEATURE
from viewer.results_scene import ResultsScene
from viewer.series import Series

DIFFERENCE = " B−A"
"""Suffix of a difference layer's name."""
DIFFERENCE_CMAP: ColourMap = "coolwarm"
COMPARED = ("traffic", "buildings")
"""Layers that get a difference layer; their features are matched by ``id``."""
MIRRORED = ("color_by", "cmap", "opacity", "ranges", "classification", "class_count")
"""Drawing state a layer of A and the same layer of B share."""


class Comparison:
    """Scenes ``a`` and ``b`` compared (B follows A's timeline from now on); ``differences`` are
    the B − A layers (in ``b``, hidden until ``show_differences``), coloured by what the layer
    of A is coloured by."""

    def __init__(self, a: ResultsScene, b: ResultsScene) -> None:
        if not np.array_equal(a.timeline.steps, b.timeline.steps) or b.origin != a.origin:
            raise ValueError("build scene B at scene A's timeline steps and origin")
        b.set_timeline(a.timeline)
        self.a, self.b = a, b
        self._followers: list[tuple[Layer, Callable[[str], None]]] = []
        for name, layer in a.layers.items():
            if name in b.layers:
                other = b.layers[name]
                layer.linked.append(other)
                other.linked.append(layer)
                self._follow(layer, other, MIRRORED)
                self._follow(other, layer, MIRRORED)
        self.differences: list[Layer] = []
        for name in COMPARED:
            if name in a.layers and name in b.layers:
                difference = difference_layer(a.layers[name], b.layers[name])
                self._follow(a.layers[name], difference,
                             ("color_by", "classification", "class_count"))
                b.add_layer(difference)
                self.differences.append(difference)

    def close(self) -> None:
        """Leave A's layers as they were before the comparison (B is no longer shown)."""
        for layer, slot in self._followers:
            layer.changed.disconnect(slot)
        for layer in self.a.layers.values():
            layer.linked.clear()
        self._followers.clear()

    def show_differences(self, shown: bool) -> None:
        """Show the difference layers in B's view in place of B's own layers, or B's again."""
        for difference in self.differences:
            difference.set_visible(shown)
            self.b.layers[difference.name.removesuffix(DIFFERENCE)].set_visible(not shown)


    def _follow(self, source: Layer, target: Layer, fields: tuple[str, ...]) -> None:
        slot = _follower(source, target, fields)
        source.changed.connect(slot)
        self._followers.append((source, slot))


def difference_layer(a: Layer, b: Layer, key: str = "id") -> Layer:
    """B's features (a copy of its mesh) with B − A of every attribute and series both layers
    have, features matched by ``key``: NaN where A lacks the feature. Hidden; diverging colours."""
    assert a.table is not None and b.table is not None
    match = pd.Index(a.table[key]).get_indexer(b.table[key])
    table = pd.DataFrame({key: b.table[key].to_numpy()})
    shared = [name for name in b.attributes() if name in a.attributes() and name not in b.series
              and not b.is_point_attribute(name)]
    for name in shared:
        table[name] = b.values(name) - _take(a.values(name), match)
    series = {name: _series_difference(a.series[name], b.series[name], match)
              for name in b.series if name in a.series}
    color_by = a.color_by if a.color_by in shared or a.color_by in series else None
    return Layer(b.name + DIFFERENCE, b.kind, _bare_copy(b.mesh), table=table,
                 proxy=None if b.proxy is None else _bare_copy(b.proxy), colour=b.colour,
                 visible=False, color_by=color_by, cmap=DIFFERENCE_CMAP, series=series,
                 units=dict(b.units), diverging=True)


def link_cameras(first: pv.BasePlotter, second: pv.BasePlotter) -> None:
    """Give ``second`` the camera of ``first``; when either draws a frame after the camera moved,
    the other draws one too."""
    camera = first.renderer.camera
    second.renderer.camera = camera
    moved = [False]

    def on_moved(*_: object) -> None:
        moved[0] = True

    def redraw(other: pv.BasePlotter) -> Callable[..., None]:
        def on_frame(*_: object) -> None:
            if moved[0]:
                moved[0] = False
                other.render()
        return on_frame

    first_window, second_window = first.render_window, second.render_window
    assert first_window is not None and second_window is not None  # neither plotter is closed
    camera.AddObserver("ModifiedEvent", on_moved)
    first_window.AddObserver("EndEvent", redraw(second))
    second_window.AddObserver("EndEvent", redraw(first))


def _follower(source: Layer, target: Layer, fields: tuple[str, ...]) -> Callable[[str], None]:
    """A slot giving ``target`` the ``fields`` of ``source`` when they change (a colour-by only
    if ``target`` has the attribute)."""
    def follow(field: str) -> None:
        if field not in fields:
            return
        if field == "color_by":
            if source.color_by is None or source.color_by in target.attributes():
                target.set_color_by(source.color_by)
        elif field == "cmap":
            target.set_cmap(source.cmap)
        elif field in ("classification", "class_count"):
            target.set_classification(source.classification, source.class_count)
        elif field == "opacity":
            target.set_opacity(source.opacity)
        elif field == "ranges":
            for attribute in {*source.ranges, *target.ranges}:
                target.set_value_range(attribute, source.ranges.get(attribute))
    return follow


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, NaN where a row is -1."""
    return np.where(rows >= 0, values[np.maximum(rows, 0)], np.nan)


def _series_difference(a: Series, b: Series, match: np.ndarray) -> Series:
    """B − A at every step, one frame per distinct pair of A's and B's frames."""
    pairs, frame = np.unique(np.column_stack([a.frame_of_step, b.frame_of_step]), axis=0,
                             return_inverse=True)
    values = np.stack([_frame(b, fb) - _take(_frame(a, fa), match) for fa, fb in pairs])
    return Series(values.astype(np.float32), frame.ravel())


def _frame(series: Series, frame: int) -> np.ndarray:
    if frame < 0:
        return np.full(series.values.shape[1], np.nan)
    return series.values[frame].astype(np.float64)


def _bare_copy(mesh: pv.PolyData) -> pv.PolyData:
    """A copy of ``mesh`` with only its ``FEATURE`` cell array (no colours of another view)."""
    copy = mesh.copy()
    features = copy.cell_data[FEATURE].copy()
    copy.clear_data()
    copy.cell_data[FEATURE] = features
    return copy
