"""A layer of the scene: its mesh, the attribute table of its features, and how it is drawn
(visibility, opacity, solid colour or colour by a numeric attribute with a colour map)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyvista as pv

from viewer.events import Signal
from viewer.meshes import FEATURE

LayerKind = Literal["buildings", "terrain", "lines", "points"]
COLOUR_MAPS = ("viridis", "plasma", "inferno", "magma", "cividis", "turbo", "coolwarm",
               "RdYlGn", "Spectral", "gist_earth", "terrain")
"""Colour maps offered for colour-by (matplotlib names)."""
UNITS = {"height": "m", "base_elevation": "m", "elevation": "m", "footprint_area": "m²",
         "roof_area": "m²", "wall_area": "m²", "wall_area_n": "m²", "wall_area_e": "m²",
         "wall_area_s": "m²", "wall_area_w": "m²", "ground_area": "m²", "volume": "m³",
         "length": "m", "free_speed": "m/s", "capacity": "veh/h"}
"""Units of the twin's attributes, for legends."""


@dataclass(eq=False)
class Layer:
    """One drawable layer.

    ``mesh`` is in scene coordinates; for feature layers its cell array ``FEATURE`` gives the row
    of ``table`` each cell draws. ``proxy`` is an optional lighter mesh (same arrays) drawn while
    the camera moves. Attributes to colour by are the numeric columns of ``table`` and the point
    arrays of ``mesh``. Change the drawing state through the setters: each emits ``changed``
    with the name of the field.
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
    cmap: str = "viridis"
    changed: Signal = field(default_factory=Signal, repr=False)

    def attributes(self) -> list[str]:
        """Names this layer can be coloured by: numeric attributes with at least one value."""
        names = []
        if self.table is not None:
            for column in self.table.columns:
                values = self.table[column]
                if (column != "geometry" and pd.api.types.is_numeric_dtype(values)
                        and not pd.api.types.is_bool_dtype(values) and values.notna().any()):
                    names.append(column)
        names += [name for name in self.mesh.point_data
                  if np.isfinite(self.mesh.point_data[name]).any()]
        return names

    def values(self, attribute: str) -> np.ndarray:
        """The attribute per feature (table row) or per mesh point, float64 with NaN where unknown."""
        if self.table is not None and attribute in self.table.columns:
            return self.table[attribute].to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(self.mesh.point_data[attribute], dtype=np.float64)

    def value_range(self, attribute: str) -> tuple[float, float]:
        """(min, max) of the attribute over the layer, ignoring unknown values."""
        values = self.values(attribute)
        return float(np.nanmin(values)), float(np.nanmax(values))

    def is_point_attribute(self, attribute: str) -> bool:
        """True if the attribute lives on the mesh points rather than on the features."""
        return self.table is None or attribute not in self.table.columns

    def feature_row(self, cell: int) -> int | None:
        """The table row drawn by ``cell`` of the mesh; None for a layer without features."""
        if self.table is None or FEATURE not in self.mesh.cell_data:
            return None
        return int(self.mesh.cell_data[FEATURE][cell])

    def feature_attributes(self, row: int) -> dict[str, Any]:
        """The attributes of feature ``row`` (geometry left out), unknown values as None."""
        assert self.table is not None
        record = self.table.drop(columns="geometry", errors="ignore").iloc[row]
        return {name: (None if pd.isna(value) else value.item() if hasattr(value, "item") else value)
                for name, value in record.items()}

    def legend_title(self) -> str:
        """Title of the legend of the current colour-by: the layer, below it attribute and unit."""
        unit = UNITS.get(self.color_by or "")
        return f"{self.name}\n{self.color_by}" + (f" ({unit})" if unit else "")

    def set_visible(self, visible: bool) -> None:
        self._set("visible", bool(visible))

    def set_opacity(self, opacity: float) -> None:
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
        if cmap not in COLOUR_MAPS:
            raise ValueError(f"unknown colour map {cmap!r}; choose one of {', '.join(COLOUR_MAPS)}")
        self._set("cmap", cmap)

    def _set(self, name: str, value: Any) -> None:
        if getattr(self, name) != value:
            setattr(self, name, value)
            self.changed.emit(name)
