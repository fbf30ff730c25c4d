"""Building energy model: numpy arrays and small dataclasses in and out (SI units, UTC unix s).

One entry point, like ``simulation.mobility.simulate``::

    from simulation.energy import Settings, Site, Weather, simulate
    result = simulate(zones, drivers, weather, heating, pv, Settings(n_districts=1))
    result.zones.heating_Wh           # (n_zones,) Wh, ideal heating need
    result.balance.column("pv")       # (n_zones,) Wh, rooftop PV yield

Modules, each one job:

- ``weather``: the weather series of a site (``Weather``, ``Site``) and the sun over it.
- ``sky``: the sky temperature depression of each hour from the weather.
- ``solar_position``: NREL SPA sun position.
- ``irradiance``: extraterrestrial DNI, air mass, angle of incidence, Perez 1990 transposition.
- ``glazing``: angle-dependent transmittance and SHGC of clear multi-pane glazing.
- ``overhangs``: window overhangs (beam sunlit fraction, sky-view ratio).
- ``horizon``: DSM horizons of surface points, beam shading and sky-view factors.
- ``edge_horizon``: horizons of surface points from the 3D edges of neighbouring faces.
- ``face_solar``: annual irradiation and PV yield of roof faces shaded per sample point.
- ``solar_gains``: hourly solar per m² of each surface or orientation class.
- ``envelope``: U-values, internal heat capacity, solar apertures, ventilation conductance.
- ``rc5r1c``: ISO 13790 hourly 5R1C zone model over buildings x hours.
- ``systems``: heating and cooling systems, carriers, CO2, primary energy, label.
- ``per_system``: the per-system parameter fields of heating and PV systems.
- ``pv``: the PVWatts chain of rooftop PV (one copy, ``pv.pv_hour``).
- ``balance``: hourly energy balance of buildings (systems, electricity, PV, self-consumption).
- ``model``: ``simulate``, the zone model and the balance block by block.

See ``MODEL_CARD.md`` and ``SYSTEMS_MODEL_CARD.md`` beside this file for inputs, assumptions,
validity and validation.
"""

from simulation.energy.balance import Balance
from simulation.energy.edge_horizon import edge_horizons
from simulation.energy.envelope import (
    opaque_solar_aperture,
    sky_loss_coefficient,
    ventilation_conductance,
)
from simulation.energy.face_solar import FacePV, FaceSolar, face_solar
from simulation.energy.horizon import (
    DsmGrid,
    facade_points,
    horizon_profiles,
    roof_points,
    sky_view_ratio,
    sunlit_factor,
)
from simulation.energy.model import HourlyBlock, Result, Settings, simulate
from simulation.energy.pv import (
    MODULE_EFFICIENCY,
    PACKING,
    PVWATTS_LOSSES,
    PVAnnual,
    PVSystems,
    pdc0_from_area,
    pv_annual,
    pvwatts_losses,
)
from simulation.energy.rc5r1c import (
    H_IS,
    H_MS,
    LAMBDA_AT,
    MASS_CLASSES,
    Drivers,
    ZoneResults,
    Zones,
    simulate_zones,
)
from simulation.energy.sky import SkyDepression, sky_temperature_depression
from simulation.energy.solar_gains import SurfaceSolar, surface_solar
from simulation.energy.systems import (
    LABELS,
    CarrierFactors,
    HeatingKind,
    HeatingSystems,
    design_supply_temperature,
    energy_label,
)
from simulation.energy.weather import Site, Sun, Weather, sun_positions

__all__ = [
    "H_IS", "H_MS", "LABELS", "LAMBDA_AT", "MASS_CLASSES", "MODULE_EFFICIENCY", "PACKING",
    "PVWATTS_LOSSES",
    "Balance", "CarrierFactors", "Drivers", "DsmGrid", "FacePV", "FaceSolar", "HeatingKind",
    "HeatingSystems",
    "HourlyBlock", "PVAnnual", "PVSystems", "Result", "Settings", "Site", "SkyDepression", "Sun",
    "SurfaceSolar", "Weather", "ZoneResults", "Zones", "design_supply_temperature",
    "edge_horizons", "energy_label", "face_solar", "facade_points", "horizon_profiles", "opaque_solar_aperture",
    "pdc0_from_area", "pv_annual", "pvwatts_losses", "roof_points", "simulate",
    "simulate_zones", "sky_loss_coefficient", "sky_temperature_depression", "sky_view_ratio", "sun_positions",
    "sunlit_factor", "surface_solar", "ventilation_conductance",
]
