"""Settings of an energy run on a twin: shading, default heating system, carriers, hourly output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulation.energy import CarrierFactors
from twin.energy.archetypes import Archetypes
from twin.energy.party_walls import DEFAULT_TOLERANCE

HourlyConsumer = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
"""Called with (rows, heating_W, cooling_W, air_temp_C) for successive blocks of the simulated
buildings: rows are their positions in ``Twin.buildings`` (and ``EnergyRun.buildings``), the
arrays float32 (len(rows), n_hours) and reused after the call: copy what you keep. This is
where further hourly models read the ideal loads (the systems and PV balance of
``simulation.energy`` always runs)."""

Shading = np.ndarray | Callable[..., np.ndarray]
"""Sunlit factor 0..1 per building and base solar source, shape (n_buildings, 5) in the order
of ``Twin.buildings`` and ``solar.SOURCE_NAMES``; it multiplies the solar apertures (windows
and opaque; a wall face of an LoD2 building takes its orientation bin's factor). Either the array, or a callable ``f(twin, sources) -> array`` given the
twin and its ``solar.SolarSources`` (e.g. the irradiance-weighted sunlit fraction from a
DSM horizon)."""


@dataclass(frozen=True)
class EnergySettings:
    """How ``run_energy`` turns a twin into inputs of the energy model and what it reports.

    Attributes
    ----------
    archetypes : Archetypes or None
        The archetype table (None: ``archetypes.toml`` beside the package).
    country : str or None
        ISO 3166-1 alpha-2 code of the country whose building typology applies (None: the
        country at the centre of the twin, ``country.py``).
    party_wall_tolerance : float
        Footprints closer than this share a wall [m].
    albedo : float
        Ground reflectance for the facades and the PV plane [-].
    sun_samples : int
        Sun positions per hour for the facades [-].
    sky_from_weather : bool
        True: the sky temperature of each hour from the weather's longwave irradiance, or its
        humidity and opaque sky cover (``simulation.energy.sky``); False: the constant below.
    sky_temperature_depression : float
        ISO 13790 delta_theta_er for the sky-radiation loss, in the hours the weather gives no
        sky temperature (or all hours without ``sky_from_weather``) [K].
    setback : bool
        True: heating holds each use's set-back in its schedule's set-back hours (nights in
        dwellings, outside office hours); False: its set point in every hour (continuous
        heating, as TABULA and ISO 13790's reference conditions assume).
    warmup_hours : int
        Hours simulated before the year, taken from its end [h].
    district_column : str or None
        Buildings column whose values group the hourly totals (None: one total).
    shading : ndarray, callable, str or None
        ``"dsm"`` (default): sunlit factors from the twin's DSM horizons when it has a DSM
        (``dsm_horizons.py``; also shades the rooftop PV), none without one; None: unshaded;
        or the factors themselves [-], see :data:`Shading`.
    horizon_azimuths : int
        Azimuth bins of the DSM horizons [-].
    heating_system : str
        System of buildings whose ``heating_system`` column is null
        (``heating_assignment.py``).
    carriers : CarrierFactors
        CO2 [kg/kWh] and primary energy [kWh/kWh] factors per carrier.
    hourly_path : str, Path or None
        Write the hourly series per building to this HDF5 file (``hourly_file.py``).
    block_size : int
        Buildings per block of hourly series [-] (memory: about 20 bytes x block_size x
        hours, 180 MB for 1024 x 8760).
    hourly : tuple of HourlyConsumer
        More consumers of the hourly loads per building (see :data:`HourlyConsumer`).
    """

    archetypes: Archetypes | None = None
    country: str | None = None
    party_wall_tolerance: float = DEFAULT_TOLERANCE
    albedo: float = 0.2
    sun_samples: int = 1
    sky_from_weather: bool = True
    sky_temperature_depression: float = 11.0
    setback: bool = True
    warmup_hours: int = 336
    district_column: str | None = None
    shading: Shading | str | None = "dsm"
    horizon_azimuths: int = 72
    heating_system: str = "gas_boiler"
    carriers: CarrierFactors = field(default_factory=CarrierFactors)
    hourly_path: str | Path | None = None
    block_size: int = 1024
    hourly: tuple[HourlyConsumer, ...] = ()


DEFAULT_SETTINGS = EnergySettings()
"""Archetype table beside the package, DSM shading, gas boilers, no hourly file."""
