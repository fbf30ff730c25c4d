"""The energy model of buildings in one call: ``simulate(zones, drivers, weather, heating, pv)``.

Block by block of zones, the ISO 13790 5R1C model (``rc5r1c.simulate_zones``) gives each
zone's ideal hourly heating and cooling need; the hourly energy balance (``balance.balance``)
turns it into final energy on the heating system's carrier, electricity demand, rooftop PV
yield on the module plane shared by all systems (sun, plane irradiance and horizon shading from
the weather) and self-consumption, and keeps the sums, peaks, monthly sums and district totals.
No buildings x hours array is formed: memory is the block buffers (about 20 bytes x block_size
x n_hours with an hourly callback, 12 without).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .balance import Balance, balance, shared_hours
from .face_solar import FacePV
from .pv import PVSystems
from .rc5r1c import Drivers, HourlyLoads, ZoneResults, Zones, simulate_zones
from .systems import HeatingSystems
from .weather import Sun, Weather

__all__ = ["HourlyBlock", "Result", "Settings", "simulate"]


@dataclass(frozen=True)
class HourlyBlock:
    """The hourly series of one block of zones, handed to ``Settings.hourly_callback``.

    The arrays are float32, shape (stop - start, n_hours), and reused for the next block: copy
    what you keep.

    Attributes
    ----------
    start, stop : int
        The block's zones, ``start:stop`` in zone order [-].
    heating_W, cooling_W : ndarray
        Ideal heating and cooling need, both positive [W].
    air_temp_C : ndarray
        Air temperature of the zone [°C].
    electricity_W : ndarray
        Electricity demand: appliances and lighting, heat pumps and electric heating,
        cooling [W].
    pv_W : ndarray
        PV AC yield [W].
    """

    start: int
    stop: int
    heating_W: np.ndarray
    cooling_W: np.ndarray
    air_temp_C: np.ndarray
    electricity_W: np.ndarray
    pv_W: np.ndarray


@dataclass(frozen=True)
class Settings:
    """How :func:`simulate` runs.

    Attributes
    ----------
    warmup_hours : int
        Hours simulated before the first, taken from the end of the series as for a periodic
        typical year [h].
    block_size : int
        Zones per block [-]; memory grows with it (see the module docstring).
    n_districts : int
        Number of districts of ``Zones.district`` for the hourly district totals, >= 1 [-].
    hourly_callback : callable, optional
        Called with the :class:`HourlyBlock` of each block of zones, in zone order.
    theta_m0 : float
        Mass temperature of every zone at the start of the warm-up [°C].
    n_threads : int, optional
        Worker threads of the zone model (default: numba's) [-].
    """

    warmup_hours: int = 336
    block_size: int = 1024
    n_districts: int = 1
    hourly_callback: Callable[[HourlyBlock], None] | None = None
    theta_m0: float = 20.0
    n_threads: int | None = None


@dataclass(frozen=True)
class Result:
    """What :func:`simulate` returns, per zone in zone order.

    Attributes
    ----------
    zones : ZoneResults
        Heating and cooling need: sums [Wh], peaks [W] and their hour, monthly sums [Wh], air
        temperatures [°C], hourly district totals [W].
    balance : Balance
        Final energy per carrier, electricity, PV and self-consumption: sums [Wh], peaks [W],
        monthly sums [Wh], hourly district totals [W].
    """

    zones: ZoneResults
    balance: Balance


def _module_plane(pv: PVSystems) -> tuple[float, float]:
    """(tilt, azimuth) [deg] shared by every PV system; ValueError if they differ."""
    tilt, azimuth = pv.tilt[0], pv.azimuth[0]
    if np.any(pv.tilt != tilt) or np.any(pv.azimuth != azimuth):
        raise ValueError("PVSystems: every system must share one module plane (tilt and azimuth)")
    return float(tilt), float(azimuth)


def simulate(zones: Zones, drivers: Drivers, weather: Weather, heating: HeatingSystems,
             pv: PVSystems, settings: Settings | None = None,
             pv_horizon: np.ndarray | None = None, face_pv: FacePV | None = None,
             sun: Sun | None = None) -> Result:
    """Hourly heating and cooling need of every zone and its energy balance.

    Parameters
    ----------
    zones : Zones
        The building zones, with their appliance electricity.
    drivers : Drivers
        Outdoor temperature, solar sources, month and schedules of each hour.
    weather : Weather
        The same hours: air temperature and wind (heat pumps, PV cells), irradiance and site
        (PV plane).
    heating : HeatingSystems
        The heating system (and cooling EER) of each zone.
    pv : PVSystems
        The rooftop PV of each zone (nameplate 0: none), all on one module plane.
    settings : Settings, optional
        Warm-up, block size, districts, hourly callback; default ``Settings()``.
    pv_horizon : ndarray, optional
        Horizon seen from each zone's PV, shape (n_zones, n_azimuth) [deg], bin k at azimuth
        k 360/n_azimuth east of north; rows with NaN (or None) unshaded.
    face_pv : FacePV, optional
        PV on the zones' roof faces at their own tilt and azimuth, added to the zones' PV
        (give such zones a ``pv`` nameplate of 0 unless they carry both).
    sun : Sun, optional
        The weather's sun at the interval midpoints (``weather.sun_positions(weather)``) when
        the caller has it; computed from the weather otherwise.

    Returns
    -------
    Result
        Zone results and energy balance.

    Raises
    ------
    ValueError
        If the systems, horizons, weather or districts do not fit the zones and drivers.
    """
    settings = settings or Settings()
    n = zones.n
    if len(heating) != n or len(pv) != n:
        raise ValueError(f"{n} zones but {len(heating)} heating and {len(pv)} PV systems")
    if weather.n_hours != drivers.n_hours:
        raise ValueError(f"weather has {weather.n_hours} hours, drivers {drivers.n_hours}")
    if pv_horizon is not None and (pv_horizon.ndim != 2 or pv_horizon.shape[0] != n):
        raise ValueError(f"pv_horizon: expected ({n}, n_azimuth), got {pv_horizon.shape}")
    if face_pv is not None and len(face_pv.zone) and (face_pv.zone[0] < 0
                                                      or face_pv.zone[-1] >= n):
        raise ValueError(f"face_pv: zones must lie within 0..{n - 1}")
    if settings.n_districts < 1:
        raise ValueError(f"Settings.n_districts must be >= 1, got {settings.n_districts}")
    totals = Balance.zeros(n, settings.n_districts, drivers.n_hours)
    if not n:
        return Result(zones=_zone_loads(zones, drivers, settings, None), balance=totals)
    shared = shared_hours(weather, drivers.month, drivers.gains, *_module_plane(pv), sun=sun)
    callback = settings.hourly_callback
    out: tuple[np.ndarray, np.ndarray] | None = None

    def block(start: int, stop: int, heating_w: np.ndarray, cooling_w: np.ndarray,
              air_temp_c: np.ndarray) -> None:
        nonlocal out
        rows = slice(start, stop)
        if callback is not None and (out is None or out[0].shape != heating_w.shape):
            out = (np.empty(heating_w.shape, np.float32), np.empty(heating_w.shape, np.float32))
        part = balance(heating_w, cooling_w, heating.take(rows), zones.appliances[rows],
                       zones.gains_profile[rows], pv.take(rows),
                       None if pv_horizon is None else pv_horizon[rows], zones.district[rows],
                       settings.n_districts, shared, out,
                       face_pv_w=None if face_pv is None else face_pv.hourly_ac(start, stop,
                                                                                weather))
        totals.put(start, part)
        if callback is not None and out is not None:
            callback(HourlyBlock(start, stop, heating_w, cooling_w, air_temp_c, *out))

    return Result(zones=_zone_loads(zones, drivers, settings, block), balance=totals)


def _zone_loads(zones: Zones, drivers: Drivers, settings: Settings,
                block: HourlyLoads | None) -> ZoneResults:
    """The 5R1C run of :func:`simulate`, handing each block's hourly loads to ``block``."""
    return simulate_zones(zones, drivers, warmup_hours=settings.warmup_hours,
                          theta_m0=settings.theta_m0, n_districts=settings.n_districts,
                          hourly_callback=block, block_size=settings.block_size,
                          n_threads=settings.n_threads)
