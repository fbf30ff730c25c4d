"""The ranges a building attribute can take; a source value outside its range is read as
unknown (and counted), so the completion fills it as it fills a missing one.

A source that gives a height of 1e20 m, floors of 1e300 or -5, an elevation of infinity or a
year 30000 is wrong, not extreme: no building is taller than 1000 m (the tallest, 828 m), has
more than 200 floors (163) or stands below 500 m under sea level or above 9000 m.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

RANGES: dict[str, tuple[float, float, str]] = {
    "height": (0.0, 1000.0, "m"),
    "floors": (1.0, 200.0, ""),
    "base_elevation": (-500.0, 9000.0, "m"),
    "year": (1000.0, 2100.0, ""),
}
"""Per column: lowest and highest value read as known, and the unit; the height's lower bound
is exclusive (a height of 0 m is no building)."""


def outside_range(column: str, values: np.ndarray) -> np.ndarray:
    """Mask of the known values of ``column`` outside its range (NaN counts as unknown).

    Parameters
    ----------
    column : str
        A key of ``RANGES``.
    values : ndarray of float
        The values, NaN where unknown [unit of the column].

    Returns
    -------
    ndarray of bool
        True where a value is known (not NaN) and out of range or infinite [-].
    """
    low, high, _ = RANGES[column]
    values = np.asarray(values, dtype=np.float64)
    known = ~np.isnan(values)
    inside = (values > low if column == "height" else values >= low) & (values <= high)
    return known & ~inside


def clear_implausible(buildings: gpd.GeoDataFrame, warnings: list[str]) -> None:
    """Set every out-of-range value of the ``RANGES`` columns to unknown, in place, with one
    warning line per source file and column.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Conformed buildings (``twin.model.BUILDING_COLUMNS``, ``source`` naming the file).
    warnings : list of str
        Where the lines go, e.g. ``"a.geojson: 2 buildings with height outside 0-1000 m:
        read as unknown"``.
    """
    for column, (low, high, unit) in RANGES.items():
        values = pd.to_numeric(buildings[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                              na_value=np.nan)
        bad = outside_range(column, values)
        if not bad.any():
            continue
        for source, count in buildings.loc[bad, "source"].fillna("?").value_counts().items():
            warnings.append(f"{source}: {count} buildings with {column} outside {low:g}-{high:g}"
                            f"{' ' + unit if unit else ''}: read as unknown")
        buildings.loc[bad, column] = np.nan if buildings[column].dtype.kind == "f" else pd.NA
        if column == "height":
            buildings.loc[bad, "height_source"] = None
