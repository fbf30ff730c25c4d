"""Rooftop PV of a twin's buildings: systems from ``pv_share`` and the shared module plane.

Suitable roof: the twin's roofs are flat (LoD1 footprints extruded; ``roof_area`` is their
area), so every roof counts, whatever its orientation; modules stand on racks tilted
``PV_TILT`` = 15° facing south (``PV_AZIMUTH`` 180°), covering ``SUITABLE_SHARE`` = 0.7 of the
roof (the packing of ``simulation.energy.pv.pdc0_from_area``: edge set-backs, access paths and
row spacing). A building's DC nameplate = pv_share x 0.7 x roof_area x pv_kwp_m2 (kWp per m²
of module, default 0.2 = 20 % efficient modules). Shading: the roof point's DSM horizon where
the run has one (then the PVWatts losses without their 3 % shading, 11.42 %), else the
PVWatts default 14.08 %. Columns ``pv_share`` (0..1) and ``pv_kwp_m2`` are those the
``add_pv`` scenario intervention writes; null means no PV / the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.energy.irradiance import PlaneIrradiance, plane_irradiance
from simulation.energy.pv import PVWATTS_LOSSES, PVSystems, pvwatts_losses
from simulation.energy.solar_gains import sun_for_intervals
from twin.energy.solar import unix_seconds
from twin.errors import InputError
from twin.model import Twin, Weather

PV_TILT = 15.0
"""deg, module tilt on the flat roofs."""
PV_AZIMUTH = 180.0
"""deg east of north, module azimuth."""
SUITABLE_SHARE = 0.7
"""Module area per m² of roof area."""
DEFAULT_KWP_M2 = 0.2
"""kWp per m² of module where ``pv_kwp_m2`` is not given."""


def _column(b: pd.DataFrame, name: str, default: float, low: float, high: float) -> np.ndarray:
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
    share = _column(b, "pv_share", 0.0, 0.0, 1.0)
    kwp_m2 = _column(b, "pv_kwp_m2", DEFAULT_KWP_M2, 1e-6, 0.3)
    roof = np.nan_to_num(b["roof_area"].to_numpy(np.float64))
    pdc0 = share * SUITABLE_SHARE * roof * kwp_m2 * 1000.0
    losses = np.where(shaded, pvwatts_losses(shading=0.0), PVWATTS_LOSSES)
    return PVSystems(pdc0=pdc0, tilt=PV_TILT, azimuth=PV_AZIMUTH, losses_percent=losses)


def pv_plane(weather: Weather, albedo: float) -> tuple[PlaneIrradiance, np.ndarray, np.ndarray]:
    """Irradiance components on the module plane (1, n_hours) W/m² and the sun (apparent
    zenith, azimuth, deg) at the middle of each hour."""
    d = weather.data
    loc = weather.location
    zen, az, ext = sun_for_intervals(
        unix_seconds(d.index), loc.latitude, loc.longitude, loc.elevation,
        pressure=d["pressure"].to_numpy(np.float64),
        temperature=d["temp_air"].to_numpy(np.float64))
    plane = plane_irradiance(PV_TILT, PV_AZIMUTH, d["ghi"].to_numpy(np.float64),
                             d["dni"].to_numpy(np.float64), d["dhi"].to_numpy(np.float64),
                             zen[0], az[0], ext, albedo)
    return plane, zen[0], az[0]
