"""Rooftop PV of a twin's buildings: one PVWatts system per building from ``pv_share``.

Suitable roof: the twin's roofs are flat (LoD1 footprints extruded; ``roof_area`` is their
area), so every roof counts, whatever its orientation; modules stand on racks tilted
``PV_TILT`` = 15° facing south (``PV_AZIMUTH`` 180°), covering pv_share x 0.7 of the roof
(0.7: ``simulation.energy.PACKING``, edge set-backs, access paths and row spacing). A
building's DC nameplate (``pdc0_from_area``) = pv_share x 0.7 x roof_area x pv_kwp_m2 (kWp per
m² of module, default 0.2 = 20 % efficient modules). Shading: the roof point's DSM horizon
where the run has one (then the PVWatts losses without their 3 % shading, 11.42 %), else the
PVWatts default 14.08 %. Columns ``pv_share`` (0..1) and ``pv_kwp_m2`` are those the ``add_pv`` scenario
intervention writes; null means no PV / the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.energy import (
    MODULE_EFFICIENCY,
    PACKING,
    PVWATTS_LOSSES,
    PVSystems,
    pdc0_from_area,
    pvwatts_losses,
)
from twin.errors import InputError
from twin.model import Twin

PV_TILT = 15.0
"""deg, module tilt on the flat roofs."""
PV_AZIMUTH = 180.0
"""deg east of north, module azimuth."""


def numeric_column(b: pd.DataFrame, name: str, default: float, low: float, high: float) -> np.ndarray:
    """A numeric buildings column checked within low..high, ``default`` where null or absent."""
    if name not in b.columns:
        return np.full(len(b), default)
    values = pd.to_numeric(b[name], errors="coerce").to_numpy(np.float64)
    given = b[name].notna().to_numpy()
    bad = given & ~((values >= low) & (values <= high))
    if bad.any():
        raise InputError(None, f"buildings.{name}",
                         f"row {b.index[bad][0]}: {b[name].iloc[np.flatnonzero(bad)[0]]!r} is "
                         f"not a number within {low:g}..{high:g}")
    return np.where(given, values, default)


def rooftop_pv(twin: Twin, shaded: np.ndarray) -> PVSystems:
    """One PV system per building (nameplate 0 W where pv_share is null or 0).

    shaded: (n,) True where the roof's DSM horizon shades the system (losses without the
    PVWatts shading allowance).
    """
    b = twin.buildings
    share = numeric_column(b, "pv_share", 0.0, 0.0, 1.0)
    kwp_m2 = numeric_column(b, "pv_kwp_m2", MODULE_EFFICIENCY, 1e-6, 0.3)
    roof = np.nan_to_num(b["roof_area"].to_numpy(np.float64))
    losses = np.where(shaded, pvwatts_losses(shading=0.0), PVWATTS_LOSSES)
    n = len(b)
    return PVSystems(pdc0=pdc0_from_area(roof, kwp_m2, share * PACKING),
                     tilt=np.full(n, PV_TILT), azimuth=np.full(n, PV_AZIMUTH),
                     losses_percent=losses)
