"""The units the viewer shows quantities in where they differ from the stored ones: speeds in
km/h throughout (a road's free speed is stored in m/s, link speeds in km/h). Conversion
factors come from ``twin.quantities``. Qt-free."""

from __future__ import annotations

import pandas as pd

from twin.quantities import factor

DISPLAY_UNITS = {"m/s": "km/h"}
"""Stored unit -> the unit the viewer shows it in."""


def in_display_units(table: pd.DataFrame | None, units: dict[str, str]
                     ) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """``table`` (a copy where a column changes) and ``units`` with every numeric column in a
    unit of ``DISPLAY_UNITS`` converted to the unit shown; unchanged if there is none."""
    converted = {name: DISPLAY_UNITS[unit] for name, unit in units.items()
                 if unit in DISPLAY_UNITS and table is not None and name in table.columns
                 and pd.api.types.is_numeric_dtype(table[name])}
    if not converted or table is None:
        return table, units
    table = table.copy()
    for name, shown in converted.items():
        table[name] = table[name] * factor(units[name], shown)
    return table, {**units, **converted}
