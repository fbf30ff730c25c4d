"""Heating systems of a twin's buildings (``simulation.energy.HeatingSystems``).

Per building: the ``heating_system`` column (``gas_boiler``, ``heat_pump``,
``district_heating``, ``electric``; null = ``EnergySettings.heating_system``, by default a gas
boiler) and its ``heating_efficiency`` column (a seasonal efficiency or SCOP that replaces
the kind's model; null = the model, for heat pumps the hourly COP). Heat-pump supply
temperatures follow the construction year (``design_supply_temperature``); a missing year
takes the archetypes' default year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.energy import HeatingKind, HeatingSystems, design_supply_temperature
from twin.energy.archetypes import Archetypes
from twin.errors import InputError
from twin.model import Twin

SYSTEM_KINDS: dict[str, HeatingKind] = {
    "gas_boiler": HeatingKind.GAS_BOILER,
    "heat_pump": HeatingKind.HEAT_PUMP,
    "district_heating": HeatingKind.DISTRICT_HEAT,
    "electric": HeatingKind.ELECTRIC,
}
"""Values of ``buildings.heating_system`` and ``EnergySettings.heating_system``."""


def _kinds(values: np.ndarray, field: str) -> np.ndarray:
    bad = ~np.isin(values, list(SYSTEM_KINDS))
    if bad.any():
        raise InputError(None, field, f"{values[bad][0]!r} is not one of "
                                      f"{', '.join(SYSTEM_KINDS)}")
    return np.array([int(SYSTEM_KINDS[v]) for v in values], dtype=np.int64)


def heating_systems(twin: Twin, archetypes: Archetypes, default: str) -> HeatingSystems:
    """One heating system per building of the twin (module docstring)."""
    b = twin.buildings
    n = len(b)
    _kinds(np.array([default], dtype=object), "settings.heating_system")
    given = b["heating_system"] if "heating_system" in b.columns else pd.Series([None] * n)
    kinds = _kinds(given.where(given.notna(), default).astype(str).to_numpy(),
                   "buildings.heating_system")
    efficiency = np.full(n, np.nan)
    if "heating_efficiency" in b.columns:
        efficiency = pd.to_numeric(b["heating_efficiency"], errors="coerce").to_numpy(np.float64)
        bad = b["heating_efficiency"].notna().to_numpy() & ~(efficiency > 0.0)
        if bad.any():
            raise InputError(None, "buildings.heating_efficiency",
                             f"row {b.index[bad][0]}: expected a number > 0 (heat per unit of "
                             "final energy)")
    first = float(archetypes.method["default_year"])
    year = pd.to_numeric(b["year"], errors="coerce").to_numpy(np.float64)
    supply = design_supply_temperature(np.where(np.isfinite(year), year, first))
    return HeatingSystems(kind=kinds, supply_design=supply, efficiency=efficiency)
