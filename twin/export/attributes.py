"""The per-building values an export carries: the twin's building columns and, from a results
file, the run's per-building results, with their units from ``twin.quantities``."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.quantities import ENERGY_BUILDINGS, TWIN_BUILDINGS, quantity

LEFT_OUT = ("geometry",)


def exported_columns(buildings: gpd.GeoDataFrame) -> list[str]:
    """The building columns an export writes: all but the footprint."""
    return [str(c) for c in buildings.columns if c not in LEFT_OUT]


def numeric_columns(buildings: gpd.GeoDataFrame) -> list[str]:
    """The exported columns holding numbers (not ids, names or classes)."""
    return [c for c in exported_columns(buildings)
            if pd.api.types.is_numeric_dtype(buildings[c]) and not pd.api.types.is_bool_dtype(
                buildings[c])]


def unit_of(name: str) -> str:
    """The unit of a building column (``""`` for ids, names, classes and unknown columns)."""
    for group in (TWIN_BUILDINGS, ENERGY_BUILDINGS):
        try:
            return quantity(group, name).unit
        except KeyError:
            continue
    return ""


def plain(value: Any) -> Any:
    """A table value as JSON: numbers and text as they are, times as ISO 8601 text (UTC),
    None for missing values."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return plain(value.item())
    return value


def numeric_values(buildings: gpd.GeoDataFrame, attribute: str, option: str) -> np.ndarray:
    """The values of a numeric building column as float64, NaN where missing; InputError
    naming ``option`` and the columns to choose from when it has no such column."""
    offered = numeric_columns(buildings)
    if attribute not in offered:
        raise InputError(None, option, f"the buildings have no numeric attribute {attribute!r}; "
                                       f"choose one of {', '.join(offered)}")
    return pd.to_numeric(buildings[attribute], errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
