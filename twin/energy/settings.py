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
"""Sunlit factor 0..1 per building and solar source, shape (n_buildings, n_sources) in the
order of ``Twin.buildings`` and ``solar.SOURCE_NAMES``; it multiplies the solar apertures
(windows and opaque). Either the array, or a callable ``f(twin, sources) -> array`` given the
twin and its ``solar.SolarSources`` (e.g. the irradiance-weighted sunlit fraction from a
DSM horizon)."""


@dataclass(frozen=True)
class EnergySettings:
    """How ``run_energy`` turns a twin into kernel inputs and what it reports.

    archetypes: the archetype table (None: ``archetypes.toml`` beside the package).
    party_wall_tolerance: m, footprints closer than this share a wall.
    albedo: ground reflectance for the facades. sun_samples: sun positions per hour.
    sky_temperature_depression: K, ISO 13790 delta_theta_er for the sky-radiation loss.
    warmup_hours: hours simulated before the year (taken from its end).
    district_column: buildings column whose values group the hourly totals (None: one total).
    shading: ``"dsm"`` (default): sunlit factors from the twin's DSM horizons when it has a DSM
    (``dsm_horizons.py``; also shades the rooftop PV), none without one; None: unshaded; or the
    factors themselves, see :data:`Shading`. horizon_azimuths: azimuth bins of the horizons.
    heating_system: system of buildings whose ``heating_system`` column is null (``heating_assignment.py``).
    carriers: CO2 and primary energy factors per carrier.
    hourly_path: write the hourly series per building to this HDF5 file (``hourly_file.py``).
    block_size: buildings per block of hourly series (memory: about 20 bytes x block_size x
    hours, 180 MB for 1024 x 8760).
    hourly: more consumers of the hourly loads per building (see :data:`HourlyConsumer`).
    """

    archetypes: Archetypes | None = None
    party_wall_tolerance: float = DEFAULT_TOLERANCE
    albedo: float = 0.2
    sun_samples: int = 1
    sky_temperature_depression: float = 11.0
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
