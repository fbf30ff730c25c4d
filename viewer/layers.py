"""A layer of the scene: its mesh, the attribute table of its features, and how it is drawn
(visibility, opacity, solid colour or colour by a numeric attribute with a colour map)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, get_args

import numpy as np
import pandas as pd
import pyvista as pv

from twin.colour_range import ColourRange, manual_range, robust_range, symmetric_range
from twin.quantities import typeset
from viewer.colour_classes import (
    DEFAULT_CLASS_COUNT,
    Classification,
    ColourClasses,
    check_classification,
    classify,
)
from viewer.display_units import in_display_units
from viewer.events import Signal
from viewer.meshes import FEATURE
from viewer.series import MovingPoints, Series

LayerKind = Literal["buildings", "terrain", "basemap", "lines", "points"]
ColourMap = Literal["viridis", "plasma", "inferno", "magma", "cividis", "turbo", "coolwarm",
                    "RdYlGn", "Spectral", "gist_earth", "terrain"]
"""Colour maps offered for colour-by (matplotlib names)."""
COLOUR_MAPS: tuple[ColourMap, ...] = get_args(ColourMap)


@dataclass(eq=False)
class Layer:
    """One drawable layer.

    ``mesh`` is in scene coordinates; for feature layers its cell array ``FEATURE`` gives the row
    of ``table`` each cell draws. ``proxy`` is an optional lighter mesh (same arrays) drawn while
    the camera moves. Attributes to colour by are the numeric columns of ``table``, the ``series``
    (values per feature that change with the timeline) and the point arrays of ``mesh``.
    ``moving`` points replace the mesh's points at every step. ``swatches`` (name -> colour)
    are the legend of a layer drawn in its own colours (the base map's kinds) while it is not
    coloured by an attribute. ``units`` name the attributes'
    units (those of ``twin.quantities`` for the twin's layers, those of the results file for
    results), converted at creation to those the viewer shows (``display_units``: speeds in
    km/h). The colour range of an attribute is its 2–98 % quantiles (``colour_range``), over
    the layer and its ``linked`` layers (the same layer of a compared scene), symmetric around 0
    for a ``diverging`` layer (differences), or the manual min/max in ``ranges``; the colour
    map covers it continuously or in ``class_count`` classes by ``classification``.
    Change the drawing state through the setters: each emits ``changed`` with the name of the
    field, ``"values"`` when a step changed the values or points shown.
    """

    name: str
    kind: LayerKind
    mesh: pv.PolyData
    table: pd.DataFrame | None = None
    proxy: pv.PolyData | None = None
    colour: str = "lightgray"
    visible: bool = True
    opacity: float = 1.0
    color_by: str | None = None
    cmap: ColourMap = "viridis"
    series: dict[str, Series] = field(default_factory=dict)
    moving: MovingPoints | None = None
    units: dict[str, str] = field(default_factory=dict)
    diverging: bool = False
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    classification: Classification = "continuous"
    class_count: int = DEFAULT_CLASS_COUNT
    swatches: dict[str, str] = field(default_factory=dict)
    linked: list[Layer] = field(default_factory=list, repr=False)
    step: int = 0
    changed: Signal = field(default_factory=Signal, repr=False)

    def __post_init__(self) -> None:
        self.table, self.units = in_display_units(self.table, self.units)

    def attributes(self) -> list[str]:
        """Names this layer can be coloured by: numeric attributes with at least one value."""
        names = []
        if self.table is not None:
            for column in self.table.columns:
                values = self.table[column]
                if (column != "geometry" and pd.api.types.is_numeric_dtype(values)
                        and not pd.api.types.is_bool_dtype(values) and values.notna().any()):
                    names.append(column)
        names += list(self.series)
        names += [name for name in self.mesh.point_data
                  if np.isfinite(self.mesh.point_data[name]).any()]
        return names

    def values(self, attribute: str) -> np.ndarray:
        """The attribute per feature (table row; series at the current step) or per mesh point,
        float64 with NaN where unknown."""
        if attribute in self.series:
            return self.series[attribute].at(self.step)
        if self.table is not None and attribute in self.table.columns:
            return self.table[attribute].to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(self.mesh.point_data[attribute], dtype=np.float64)

    def colour_range(self, attribute: str) -> ColourRange:
        """The range the colour map spans for ``attribute``: the manual one if set, else the
        robust one over the layer and its ``linked`` layers (a series over all its steps)."""
        if attribute in self.ranges:
            return manual_range(*self.ranges[attribute])
        values = [layer._all_values(attribute) for layer in (self, *self.linked)
                  if attribute in layer.attributes()]
        return symmetric_range(values) if self.diverging else robust_range(values)

    def colour_classes(self, attribute: str) -> ColourClasses | None:
        """The classes of ``attribute`` within its ``colour_range`` (over the layer and its
        ``linked`` layers, a series over all its steps), None for a continuous colour map."""
        if self.classification == "continuous":
            return None
        values = [layer._all_values(attribute) for layer in (self, *self.linked)
                  if attribute in layer.attributes()]
        return classify(values, self.colour_range(attribute), self.classification,
                        self.class_count, self.diverging)

    def value_range(self, attribute: str) -> tuple[float, float]:
        """(low, high) of ``colour_range`` (the attribute's unit)."""
        return self.colour_range(attribute).bounds()

    def _all_values(self, attribute: str) -> np.ndarray:
        if attribute in self.series:
            return self.series[attribute].values
        return self.values(attribute)

    def is_point_attribute(self, attribute: str) -> bool:
        """True if the attribute lives on the mesh points rather than on the features."""
        return attribute not in self.series and (self.table is None or attribute not in self.table.columns)

    def is_time_varying(self, attribute: str | None) -> TypeGuard[str]:
        """True if what ``attribute`` colours changes with the step (a series, moving points)."""
        return attribute is not None and (attribute in self.series or self.moving is not None)

    def feature_row(self, cell: int) -> int | None:
        """The table row drawn by ``cell`` of the mesh; None for a layer without features."""
        if self.table is None or FEATURE not in self.mesh.cell_data:
            return None
        return int(self.mesh.cell_data[FEATURE][cell])

    def feature_attributes(self, row: int) -> dict[str, Any]:
        """The attributes of feature ``row`` (geometry left out), unknown values as None."""
        assert self.table is not None
        record = self.table.drop(columns="geometry", errors="ignore").iloc[row].to_dict()
        record.update({name: series.at(self.step)[row] for name, series in self.series.items()})
        return {name: (None if pd.isna(value) else value.item() if hasattr(value, "item") else value)
                for name, value in record.items()}

    def feature_series(self, row: int) -> dict[str, np.ndarray]:
        """The time-varying attributes of feature ``row`` at every timeline step."""
        return {name: series.of_feature(row) for name, series in self.series.items()}

    def unit(self, attribute: str) -> str:
        """The unit of ``attribute`` as stored (``kWh/m2``), "" if unknown."""
        return self.units.get(attribute, "")

    def legend_title(self) -> str:
        """Title of the legend of the current colour-by: the layer, below it attribute and unit
        (typeset: ``m²``), and on a third line what clipped ends stand for (``≥ 412``) or the
        classification (``natural breaks``)."""
        unit = typeset(self.unit(self.color_by or ""))
        title = f"{self.name}\n{self.color_by}" + (f" ({unit})" if unit else "")
        colour_range = self.colour_range(self.color_by) if self.color_by else None
        note = "" if colour_range is None else colour_range.note()
        if self.classification != "continuous" and not (colour_range and colour_range.manual):
            note = self.classification  # the class labels say which ends are clipped
        return title + (f"\n{note}" if note else "")

    def set_step(self, step: int) -> None:
        """Show timeline step ``step``; emits ``changed("values")`` if that changes what is shown."""
        if step == self.step:
            return
        frames = [series.frame(self.step) != series.frame(step) for series in self.series.values()]
        self.step = step
        if self.moving is not None:
            self.moving.show(self.mesh, step)
        if any(frames) or self.moving is not None:
            self.changed.emit("values")

    def set_visible(self, visible: bool) -> None:
        """Show or hide the layer."""
        self._set("visible", bool(visible))

    def set_opacity(self, opacity: float) -> None:
        """Opacity as a fraction: 0 transparent .. 1 opaque (ValueError outside)."""
        if not 0.0 <= opacity <= 1.0:
            raise ValueError(f"opacity must be within 0..1, got {opacity}")
        self._set("opacity", float(opacity))

    def set_color_by(self, attribute: str | None) -> None:
        """Colour by ``attribute`` (one of ``attributes()``), or the solid colour with None."""
        if attribute is not None and attribute not in self.attributes():
            raise ValueError(f"layer {self.name!r} has no numeric attribute {attribute!r}; "
                             f"choose one of {', '.join(self.attributes())}")
        self._set("color_by", attribute)

    def set_cmap(self, cmap: str) -> None:
        """Colour by the colour map ``cmap``, one of ``COLOUR_MAPS`` (ValueError for another)."""
        if cmap not in COLOUR_MAPS:
            raise ValueError(f"unknown colour map {cmap!r}; choose one of {', '.join(COLOUR_MAPS)}")
        self._set("cmap", cmap)

    def set_value_range(self, attribute: str, bounds: tuple[float, float] | None) -> None:
        """Colour ``attribute`` over the manual (min, max) ``bounds`` (the attribute's unit;
        ValueError unless min < max), or over its robust range again with None."""
        ranges = {name: r for name, r in self.ranges.items() if name != attribute}
        if bounds is not None:
            ranges[attribute] = manual_range(*bounds).bounds()
        self._set("ranges", ranges)

    def set_classification(self, classification: str, count: int | None = None) -> None:
        """Colour by ``classification`` (one of ``CLASSIFICATIONS``) in ``count`` classes
        (1..12; unchanged if None). ValueError for another classification or count."""
        count = self.class_count if count is None else int(count)
        check_classification(classification, count)
        self._set("class_count", count)
        self._set("classification", classification)

    def _set(self, name: str, value: Any) -> None:
        if getattr(self, name) != value:
            setattr(self, name, value)
            self.changed.emit(name)
