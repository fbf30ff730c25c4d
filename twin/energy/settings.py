"""Settings of an energy run on a twin, including the hooks for shading, systems and PV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twin.energy.archetypes import Archetypes
from twin.energy.party_walls import DEFAULT_TOLERANCE

HourlyConsumer = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
"""Called with (rows, heating_W, cooling_W, air_temp_C) for successive blocks of the simulated
buildings: rows are their positions in ``Twin.buildings`` (and ``EnergyRun.buildings``), the
arrays float32 (len(rows), n_hours) and reused after the call: copy what you keep. This is
where hourly system models (heat pump COP by hour, boilers) and PV netting read the ideal
loads."""

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
    shading: sunlit factors on the solar apertures (None: unshaded), see :data:`Shading`.
    heating_efficiency, cooling_efficiency: delivered heat (cold) per unit of final energy,
    scalar or one per building (1 = ideal: final = need); the annual final energy is
    need / efficiency. Hour-dependent systems use ``hourly``.
    hourly: consumers of the hourly loads per building (see :data:`HourlyConsumer`); empty
    means no hourly series per building are formed at all.
    """

    archetypes: Archetypes | None = None
    party_wall_tolerance: float = DEFAULT_TOLERANCE
    albedo: float = 0.2
    sun_samples: int = 1
    sky_temperature_depression: float = 11.0
    warmup_hours: int = 336
    district_column: str | None = None
    shading: Shading | None = None
    heating_efficiency: float | np.ndarray = 1.0
    cooling_efficiency: float | np.ndarray = 1.0
    hourly: tuple[HourlyConsumer, ...] = ()


DEFAULT_SETTINGS = EnergySettings()
"""Archetype table beside the package, no shading, ideal systems, no hourly consumers."""
