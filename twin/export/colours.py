"""Colouring buildings by a numeric attribute: a matplotlib colour map over the attribute's
range, with a legend of values and colours for the file's ``extras``."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from matplotlib import colormaps

from twin.export.attributes import numeric_values, unit_of

COLOUR_MAP = "viridis"
MISSING = (0.6, 0.6, 0.6, 1.0)
"""Linear RGBA of buildings without a value."""
LEGEND_STOPS = 5
DEFAULT_ATTRIBUTES = ("heating_kWh_m2", "height")
"""What an export colours by when not told: the first the buildings have."""


@dataclass(frozen=True)
class Colouring:
    """RGBA per building (n, 4) [0..1, sRGB] and the legend (attribute, unit, colour map,
    range, stops of value and colour)."""

    rgba: np.ndarray
    legend: dict[str, object]


def default_attribute(buildings: gpd.GeoDataFrame) -> str | None:
    """The attribute an export colours by when not told (``DEFAULT_ATTRIBUTES``)."""
    return next((a for a in DEFAULT_ATTRIBUTES if a in buildings.columns), None)


def colour_by(buildings: gpd.GeoDataFrame, attribute: str | None) -> Colouring:
    """Each building's colour on ``COLOUR_MAP`` over the attribute's range (grey where it has
    no value; all grey without an attribute)."""
    if attribute is None:
        return Colouring(np.tile(MISSING, (len(buildings), 1)), {})
    values = numeric_values(buildings, attribute, "--colour-by")
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    span = high - low if high > low else 1.0
    cmap = colormaps[COLOUR_MAP]
    rgba = np.array(cmap(np.clip((np.nan_to_num(values, nan=low) - low) / span, 0, 1)))
    rgba[~np.isfinite(values)] = MISSING
    stops = np.linspace(low, high, LEGEND_STOPS)
    legend = {
        "attribute": attribute, "unit": unit_of(attribute), "colour_map": COLOUR_MAP,
        "minimum": low, "maximum": high, "missing_colour": list(MISSING),
        "stops": [{"value": float(v), "colour": [round(float(c), 4) for c in cmap((v - low) / span)]}
                  for v in stops],
    }
    return Colouring(rgba, legend)
