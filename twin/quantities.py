"""Every quantity the twin reports or stores, in one table: name, unit, SI conversion, a
one-line description and which way is better.

The KPI tables, the results file (each dataset's ``unit`` and ``description`` attributes), the
reports and the viewer read units and descriptions here and nowhere else. Quantities come in
groups (``group(MOBILITY_KPIS)``, ``group(LINK_SERIES)``, ``group(ENERGY_BUILDINGS)`` ...); a
name may hold one varying part, ``label_share_<class>`` or ``sunlit_<source>``, and is then one
pattern entry that :func:`quantity` resolves.

Units are written in one ASCII notation (``m2``, ``kWh/m2``, ``km/h``, ``veh km``, ``degC``,
``1`` for shares and ratios, ``""`` for ids, names and classes); :func:`typeset` renders them
for legends (``m²``, ``°C``). Results keep the units their readers use (km/h, veh/h, kWh, MWh
...): :data:`UNITS` gives each one's SI unit and factor (value x factor + offset = SI value)
and, where it is not SI, why the twin keeps it. Pure data: no imports of the twin, no pandas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

KMH_PER_MS = 3.6
"""km/h per m/s."""
MS_PER_KMH = 1.0 / KMH_PER_MS
"""m/s per km/h."""
SECONDS_PER_HOUR = 3600.0
"""s per h."""
DEG = 0.017453292519943295
"""rad per degree (pi / 180)."""
TIMESTAMP = "ns since 1970 UTC"
"""The unit of stored time stamps (int64 ns since 1970-01-01 UTC, numpy's datetime64[ns])."""


@dataclass(frozen=True)
class Unit:
    """A unit: ``symbol`` as stored and reported, the ``si`` unit it converts to (value x
    ``factor`` + ``offset`` = SI value), and ``reason``: why results keep it where it is not
    SI. ``si`` is "" for ids, names and classes (not quantities)."""

    symbol: str
    si: str
    factor: float = 1.0
    offset: float = 0.0
    reason: str = ""

    def to_si(self, value: float) -> float:
        """``value`` in this unit as a value in the SI unit."""
        return value * self.factor + self.offset


_COUNT = "a count (unit one), named for what it counts"
_ENERGY = "energy in kWh and MWh as bills, meters and EN ISO 52000 report it"
_POWER = "loads in kW and MW as grid operators and EN ISO 52000 report them"

UNITS: dict[str, Unit] = {u.symbol: u for u in (
    Unit("", ""),
    Unit("node id", ""),
    Unit("1", "1"),
    Unit("trips", "1", reason=_COUNT),
    Unit("veh", "1", reason=_COUNT),
    Unit("releases", "1", reason=_COUNT),
    Unit("bins", "1", reason=_COUNT),
    Unit("link-bins", "1", reason=_COUNT),
    Unit("buildings", "1", reason=_COUNT),
    Unit("m", "m"),
    Unit("km", "m", 1e3, reason="network lengths in km as traffic statistics report them"),
    Unit("m2", "m2"),
    Unit("m3", "m3"),
    Unit("s", "s"),
    Unit("min", "s", 60.0, reason="travel times in minutes as travellers read them"),
    Unit("h", "s", SECONDS_PER_HOUR, reason="durations in hours as traffic statistics "
                                            "report them"),
    Unit(TIMESTAMP, "s", 1e-9, reason="time stamps as numpy and pandas hold them "
                                      "(datetime64[ns])"),
    Unit("m/s", "m/s"),
    Unit("km/h", "m/s", 1.0 / KMH_PER_MS, reason="speeds in km/h as planners, road signs and "
                                                 "the HCM read them"),
    Unit("veh/h", "1/s", 1.0 / SECONDS_PER_HOUR, reason="flows and capacities per hour as "
                                                        "counts and the HCM report them"),
    Unit("veh/km", "1/m", 1e-3, reason="densities per km as the HCM draws the fundamental "
                                       "diagram"),
    Unit("veh km", "m", 1e3, reason="vehicle-kilometres as traffic statistics report them"),
    Unit("veh h", "s", SECONDS_PER_HOUR, reason="vehicle-hours as traffic statistics report "
                                                "them"),
    Unit("kg", "kg"),
    Unit("t", "kg", 1e3, reason="annual CO2 in tonnes as emission inventories report it"),
    Unit("kWh", "J", 3.6e6, reason=_ENERGY),
    Unit("MWh", "J", 3.6e9, reason=_ENERGY),
    Unit("kWh/m2", "J/m2", 3.6e6, reason="energy per m2 of floor as EN ISO 52000 and energy "
                                         "labels report it, and irradiation per m2 of a roof "
                                         "face as solar cadastres do"),
    Unit("kWh/kWp", "s", SECONDS_PER_HOUR, reason="specific PV yield (full-load hours) as PV "
                                                  "yields are quoted"),
    Unit("kW", "W", 1e3, reason=_POWER),
    Unit("MW", "W", 1e6, reason=_POWER),
    Unit("kWp", "W", 1e3, reason="PV nameplate power (kW peak at standard test conditions) "
                                 "as PV is sold"),
    Unit("deg", "rad", DEG, reason="angles in degrees as surveys, CityGML and PV tools give "
                                   "them"),
    Unit("degC", "K", 1.0, 273.15, reason="temperatures in degC as EN ISO 52016 and weather "
                                          "files report them"),
)}
"""Every unit a quantity of the table is in, by symbol."""

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Quantity:
    """One reported or stored quantity: its ``group``, ``name`` (a pattern such as
    ``label_share_<class>`` where part of it varies), ``unit`` (a key of :data:`UNITS`), a
    one-line ``description`` and whether a ``higher`` or ``lower`` value is ``better`` (None:
    neither)."""

    group: str
    name: str
    unit: str
    description: str
    better: Better | None = None

    @property
    def si_unit(self) -> str:
        """The SI unit the value converts to ("" for ids, names and classes)."""
        return UNITS[self.unit].si

    @property
    def si_factor(self) -> float:
        """value x si_factor (+ the unit's offset) = value in ``si_unit``."""
        return UNITS[self.unit].factor

    @property
    def is_pattern(self) -> bool:
        """True if the name has a varying part (``<...>``)."""
        return "<" in self.name

    def resolve(self, name: str) -> Quantity | None:
        """This quantity as ``name`` (the varying part filled in, also in the description), or
        None if ``name`` is not one of its names."""
        if not self.is_pattern:
            return self if name == self.name else None
        match = _pattern(self.name).fullmatch(name)
        if match is None:
            return None
        description = self.description.replace(f"<{_varying(self.name)}>", match.group(1))
        return replace(self, name=name, description=description)


_VARYING = re.compile(r"<([a-z_]+)>")


def _varying(name: str) -> str:
    """The name of the varying part of a pattern name (``class`` of ``label_share_<class>``)."""
    match = _VARYING.search(name)
    assert match is not None, name
    return match.group(1)


def _pattern(name: str) -> re.Pattern[str]:
    before, _, after = _VARYING.split(name)
    return re.compile(re.escape(before) + "(.+)" + re.escape(after))


MOBILITY_KPIS = "mobility.kpis"
"""KPIs of a mobility run (``MobilityRun.kpis``)."""
COUNT_FIT_KPIS = "mobility.count_fit"
"""KPIs of the fit of simulated flows to observed counts (``twin.runs.observed``)."""
ENERGY_KPIS = "energy.kpis"
"""KPIs of an energy run (``EnergyRun.kpis``)."""
MOBILITY_CLOCK = "mobility.clock"
"""The time axis of a mobility run."""
LINK_SERIES = "mobility.link_series"
"""Per link and time bin (``MobilityRun.links``; the results file's ``link_series``)."""
LINK_TOTALS = "mobility.link_totals"
"""Per link over the run (``MobilityRun.link_frame``)."""
NETWORK_LINKS = "network.links"
"""Columns of the road links (``Network.links``; the results file's ``links`` table)."""
TRIPS = "mobility.trips"
"""Columns of ``MobilityRun.trips``."""
POSITIONS = "mobility.positions"
"""Columns of ``MobilityRun.positions`` (sampled vehicle positions)."""
COUNTS = "mobility.counts"
"""Columns of the observed counts compared with the simulated flows."""
ENERGY_BUILDINGS = "energy.buildings"
"""Columns of ``EnergyRun.buildings`` (per-building energy results)."""
ENERGY_MONTHLY = "energy.monthly"
"""Per building and month of an energy run."""
ENERGY_DISTRICT = "energy.district"
"""Per district and hour of an energy run."""
SOLAR_FACES = "energy.solar_faces"
"""Columns of the solar cadastre per roof face (``EnergyRun.solar_faces``)."""
SOLAR_BUILDINGS = "energy.solar_buildings"
"""Columns of the solar cadastre per building (``EnergyRun.solar_buildings``)."""
TWIN_BUILDINGS = "twin.buildings"
"""Numeric columns of ``Twin.buildings``."""
TWIN_TERRAIN = "twin.terrain"
"""The terrain surface."""


def _group(group: str, *rows: tuple[str, str, str] | tuple[str, str, str, Better]
           ) -> tuple[Quantity, ...]:
    return tuple(Quantity(group, *row) for row in rows)


QUANTITIES: tuple[Quantity, ...] = (
    *_group(
        MOBILITY_KPIS,
        ("trips", "trips", "trips in the demand"),
        ("not_departed", "trips", "trips departing after the end of the period"),
        ("waiting", "trips", "trips still waiting to enter the network at the end",
         "lower"),
        ("on_link", "trips", "trips still driving on the network at the end, never released "
                             "from a jam", "lower"),
        ("arrived", "trips", "trips that reached their destination", "higher"),
        ("unroutable", "trips", "trips without a path to their destination, or with an end "
                                "no routable junction is within reach of (not simulated)",
         "lower"),
        ("outside_network", "trips", "trips starting or ending at a junction the twin does "
                                     "not have (not simulated)"),
        ("same_node", "trips", "trips starting where they end (not simulated)"),
        ("released", "trips", "trips on the network at the end that were released from a jam "
                              "(blocked at a link's head for the release time, then moved on)",
         "lower"),
        ("unfinished", "trips", "trips departed but not arrived at the end (waiting, on_link, "
                                "released): the travel-time statistics leave them out", "lower"),
        ("arrived_after_release", "trips", "arrived trips that were released from a jam on the "
                                           "way (their travel time includes the release)",
         "lower"),
        ("jam_releases", "releases", "releases of vehicles blocked at a link's head for the "
                                     "release time (SUMO: teleports)", "lower"),
        ("vehicle_km", "veh km", "vehicle-kilometres driven on the links"),
        ("vehicle_hours", "veh h", "vehicle-hours spent on the links", "lower"),
        ("mean_speed", "km/h", "vehicle-km / vehicle-hours", "higher"),
        ("mean_travel_time", "s", "mean travel time of the arrived trips, departure to "
                                  "arrival (leaves out the unfinished trips)", "lower"),
        ("median_travel_time", "s", "median travel time of the arrived trips (leaves out the "
                                    "unfinished trips)", "lower"),
        ("p95_travel_time", "s", "95th percentile of the arrived trips' travel times (leaves "
                                 "out the unfinished trips)", "lower"),
        ("total_delay", "veh h", "sum over arrived trips of travel time less the free-flow "
                                 "fastest path time", "lower"),
        ("congested_link_km", "km", "length of the links in the congested branch of the "
                                    "fundamental diagram in at least one time bin", "lower"),
        ("co2", "kg", "tailpipe CO2 of the traffic (HBEFA-based factors, fleet mix)", "lower"),
        ("nox", "kg", "tailpipe NOx of the traffic (HBEFA-based factors, fleet mix)", "lower"),
    ),
    *_group(
        COUNT_FIT_KPIS,
        ("counts_compared", "link-bins", "link-bins with observed counts in the twin compared "
                                         "with simulated flows"),
        ("geh_mean", "1", "mean GEH statistic of simulated against observed hourly flows",
         "lower"),
        ("geh_share_below_5", "1", "share of the compared link-bins with GEH < 5", "higher"),
        ("count_ratio", "1", "observed / simulated vehicles over the compared link-bins "
                             "(demand scale)"),
    ),
    *_group(
        ENERGY_KPIS,
        ("buildings", "buildings", "buildings simulated"),
        ("floor_area_m2", "m2", "conditioned floor area of the simulated buildings"),
        ("heating_MWh", "MWh", "annual ideal heating need (ISO 13790 5R1C)", "lower"),
        ("cooling_MWh", "MWh", "annual ideal cooling need (ISO 13790 5R1C)", "lower"),
        ("heating_kWh_m2", "kWh/m2", "annual heating need per m2 of conditioned floor",
         "lower"),
        ("cooling_kWh_m2", "kWh/m2", "annual cooling need per m2 of conditioned floor",
         "lower"),
        ("heating_final_MWh", "MWh", "annual final energy for heating (need / system "
                                     "efficiency)", "lower"),
        ("hot_water_MWh", "MWh", "annual domestic hot-water need at the taps", "lower"),
        ("hot_water_final_MWh", "MWh", "annual final energy for hot water on the heating "
                                       "system's carrier (need / storage, distribution and "
                                       "generator efficiency)", "lower"),
        ("cooling_final_MWh", "MWh", "annual final energy for cooling (need / system "
                                     "efficiency)", "lower"),
        ("peak_heating_MW", "MW", "largest hourly heating load of all buildings together",
         "lower"),
        ("peak_cooling_MW", "MW", "largest hourly cooling load of all buildings together",
         "lower"),
        ("gas_MWh", "MWh", "annual gas delivered to boilers (heating and hot water)", "lower"),
        ("district_heat_MWh", "MWh", "annual district heat delivered (heating and hot water), "
                                     "network losses included", "lower"),
        ("electricity_MWh", "MWh", "annual electricity demand: appliances, lighting, heat "
                                   "pumps and electric heating and hot water, cooling",
         "lower"),
        ("grid_import_MWh", "MWh", "annual electricity from the grid: demand less self-consumed "
                                   "PV", "lower"),
        ("peak_electricity_MW", "MW", "largest hourly electricity demand of all buildings "
                                      "together", "lower"),
        ("pv_kWp", "kWp", "installed rooftop PV peak power", "higher"),
        ("pv_yield_MWh", "MWh", "annual rooftop PV yield (PVWatts-style, DSM-shaded)",
         "higher"),
        ("pv_self_consumption_share", "1", "share of the PV yield used hour by hour in its "
                                           "building", "higher"),
        ("pv_export_MWh", "MWh", "annual PV yield fed into the grid"),
        ("co2_t", "t", "annual CO2 of the delivered energy by carrier (factors: systems model "
                       "card)", "lower"),
        ("primary_kWh_m2", "kWh/m2", "non-renewable primary energy per m2 of floor (NTA 8800 "
                                     "factors)", "lower"),
        ("label_share_<class>", "1", "share of the floor area in energy label class <class>"),
    ),
    *_group(
        MOBILITY_CLOCK,
        ("start", "s", "clock time at simulation time 0, s after local midnight"),
        ("bin_width", "s", "width of a time bin"),
        ("bin_start", "s", "start of each time bin, s after local midnight"),
    ),
    *_group(
        LINK_SERIES,
        ("inflow", "veh/h", "vehicles entering the link in the bin, per hour"),
        ("outflow", "veh/h", "vehicles leaving the link in the bin, per hour"),
        ("density", "veh/km", "mean density on the link in the bin", "lower"),
        ("speed", "km/h", "space-mean speed on the link in the bin (NaN where empty)", "higher"),
        ("queue", "veh", "mean vertical queue at the link's end in the bin", "lower"),
        ("vehicle_km", "veh km", "vehicle-kilometres driven on the link in the bin"),
        ("vehicle_hours", "veh h", "vehicle-hours spent on the link in the bin"),
        ("co2", "kg", "tailpipe CO2 on the link in the bin", "lower"),
        ("nox", "kg", "tailpipe NOx on the link in the bin", "lower"),
    ),
    *_group(
        LINK_TOTALS,
        ("id", "", "link id"),
        ("vehicle_km", "veh km", "vehicle-kilometres driven on the link over the run"),
        ("vehicle_hours", "veh h", "vehicle-hours spent on the link over the run"),
        ("speed", "km/h", "mean speed over the run: vehicle-km / vehicle-hours, at most the "
                          "free speed", "higher"),
        ("max_queue", "veh", "largest bin-mean queue", "lower"),
        ("congested_bins", "bins", "bins in the congested branch of the fundamental diagram",
         "lower"),
        ("co2", "kg", "tailpipe CO2 on the link over the run", "lower"),
        ("nox", "kg", "tailpipe NOx on the link over the run", "lower"),
    ),
    *_group(
        NETWORK_LINKS,
        ("id", "", "link id"),
        ("from_node", "", "id of the node the link starts at"),
        ("to_node", "", "id of the node the link ends at"),
        ("length", "m", "length along the link's geometry"),
        ("lanes", "", "lanes in the link's direction"),
        ("free_speed", "m/s", "free-flow speed (the speed limit)"),
        ("capacity", "veh/h", "capacity over all lanes"),
        ("road_class", "", "road class"),
        ("name", "", "street name"),
    ),
    *_group(
        TRIPS,
        ("origin", "node id", "node the trip starts at"),
        ("destination", "node id", "node the trip ends at"),
        ("departure", "s", "departure time, s after local midnight"),
        ("arrival", "s", "arrival time, s after local midnight (NaN if not arrived)"),
        ("travel_time", "s", "departure to arrival", "lower"),
        ("free_flow_time", "s", "time of the fastest path at free-flow speeds"),
        ("delay", "s", "travel time less the free-flow time", "lower"),
        ("distance", "m", "distance driven"),
        ("jam_releases", "releases", "times the trip was released from a jam (blocked at a "
                                     "link's head for the release time, then moved on)"),
        ("status", "", "not departed, waiting, on a link, arrived, unroutable, outside the "
                       "network, same node, or released from a jam and on a link at the end"),
    ),
    *_group(
        POSITIONS,
        ("time", "s", "sample time, s after local midnight"),
        ("trip", "", "row label of the trip in the demand"),
        ("link_id", "", "link the vehicle is on"),
        ("fraction", "1", "share of the link's length travelled"),
        ("x", "m", "x in the twin CRS"),
        ("y", "m", "y in the twin CRS"),
    ),
    *_group(
        COUNTS,
        ("link", "", "link the sensor counts on"),
        ("sensor", "", "sensor id"),
        ("bin_start", TIMESTAMP, "start of the bin (UTC)"),
        ("observed", "veh/h", "vehicles counted in the bin, per hour"),
        ("simulated", "veh/h", "simulated outflow of the link in the bin"),
        ("geh", "1", "GEH statistic of the simulated against the observed flow", "lower"),
    ),
    *_group(
        ENERGY_BUILDINGS,
        ("use", "", "use class of the building"),
        ("archetype", "", "energy archetype"),
        ("band", "", "building type of the national typology (TABULA code, or FI.<era>)"),
        ("size_class", "", "size class of the building type (SFH, TH, MFH, AB)"),
        ("state", "", "refurbishment state of the building type (existing, usual, advanced)"),
        ("hot_water_kWh", "kWh", "annual hot-water need at the taps (building type or use)",
         "lower"),
        ("heating_system", "", "heating system"),
        ("floor_area_m2", "m2", "conditioned floor area"),
        ("heating_kWh", "kWh", "annual ideal heating need (ISO 13790 5R1C)", "lower"),
        ("cooling_kWh", "kWh", "annual ideal cooling need (ISO 13790 5R1C)", "lower"),
        ("heating_kWh_m2", "kWh/m2", "annual heating need per m2 of conditioned floor",
         "lower"),
        ("cooling_kWh_m2", "kWh/m2", "annual cooling need per m2 of conditioned floor",
         "lower"),
        ("peak_heating_kW", "kW", "largest hourly heating load", "lower"),
        ("peak_cooling_kW", "kW", "largest hourly cooling load", "lower"),
        ("peak_heating_time", TIMESTAMP, "end of the hour of the largest heating load (UTC)"),
        ("peak_cooling_time", TIMESTAMP, "end of the hour of the largest cooling load (UTC)"),
        ("heating_final_kWh", "kWh", "annual final energy for heating on the system's carrier "
                                     "(need / system efficiency)", "lower"),
        ("hot_water_final_kWh", "kWh", "annual final energy for hot water on the heating "
                                       "system's carrier", "lower"),
        ("cooling_final_kWh", "kWh", "annual electricity for cooling (need / system "
                                     "efficiency)", "lower"),
        ("gas_kWh", "kWh", "annual gas delivered to the boiler (heating and hot water)",
         "lower"),
        ("district_heat_kWh", "kWh", "annual district heat delivered, network losses included",
         "lower"),
        ("appliances_kWh", "kWh", "annual electricity of appliances and lighting", "lower"),
        ("heating_electricity_kWh", "kWh", "annual electricity for heating", "lower"),
        ("hot_water_electricity_kWh", "kWh", "annual electricity for hot water (heat pumps, "
                                             "electric)", "lower"),
        ("cooling_electricity_kWh", "kWh", "annual electricity for cooling", "lower"),
        ("electricity_kWh", "kWh", "annual electricity demand: appliances, lighting, heat "
                                   "pumps and electric heating and hot water, cooling",
         "lower"),
        ("peak_electricity_kW", "kW", "largest hourly electricity demand", "lower"),
        ("pv_kWp", "kWp", "installed rooftop PV peak power", "higher"),
        ("pv_kWh", "kWh", "annual rooftop PV yield", "higher"),
        ("pv_self_kWh", "kWh", "annual PV yield used hour by hour in the building", "higher"),
        ("pv_export_kWh", "kWh", "annual PV yield fed into the grid"),
        ("grid_import_kWh", "kWh", "annual electricity from the grid: demand less self-consumed "
                                   "PV", "lower"),
        ("peak_grid_import_kW", "kW", "largest hourly electricity from the grid", "lower"),
        ("co2_kg", "kg", "annual CO2 of the delivered energy by carrier (gas, district heat, "
                         "grid import)", "lower"),
        ("primary_kWh_m2", "kWh/m2", "non-renewable primary energy per m2 of floor (NTA 8800 "
                                     "factors)", "lower"),
        ("label", "", "energy label class of the primary energy per m2"),
        ("sunlit_<source>", "1", "sunlit factor of the <source> solar aperture (1: unshaded)"),
        ("air_temp_mean_C", "degC", "mean indoor air temperature over the year"),
        ("air_temp_min_C", "degC", "lowest hourly indoor air temperature"),
        ("air_temp_max_C", "degC", "highest hourly indoor air temperature"),
        ("simulated", "", "whether the building was simulated"),
    ),
    *_group(
        ENERGY_MONTHLY,
        ("monthly_heating_kWh", "kWh", "heating need per building and month", "lower"),
        ("monthly_cooling_kWh", "kWh", "cooling need per building and month", "lower"),
    ),
    *_group(
        ENERGY_DISTRICT,
        ("time", TIMESTAMP, "end of each hour (UTC)"),
        ("districts", "", "district names"),
        ("heating_kW", "kW", "hourly heating load of the district's buildings", "lower"),
        ("cooling_kW", "kW", "hourly cooling load of the district's buildings", "lower"),
    ),
    *_group(
        SOLAR_FACES,
        ("building_id", "", "building the roof face belongs to"),
        ("face_id", "", "the source's id of the roof face (else building id/roof<k>)"),
        ("area_m2", "m2", "area of the roof face"),
        ("tilt_deg", "deg", "tilt of the face from the horizontal"),
        ("azimuth_deg", "deg", "azimuth of the face's normal from grid north clockwise (NaN: "
                               "horizontal)"),
        ("irradiation_kWh_m2", "kWh/m2", "annual global irradiation on the face's own plane, "
                                         "shaded by neighbours and terrain", "higher"),
        ("sunlit_share", "1", "beam irradiation the face receives over what it would unshaded",
         "higher"),
        ("usable_m2", "m2", "area of the face after a 0.5 m set-back from its edges"),
        ("module_m2", "m2", "module area the face can carry (flush on pitched faces, racked "
                            "rows on flat ones)"),
        ("kWp", "kWp", "PV peak power the face can carry", "higher"),
        ("yield_kWh", "kWh", "annual AC yield of that PV (PVWatts chain, shaded)", "higher"),
        ("specific_yield_kWh_kWp", "kWh/kWp", "annual yield per kWp", "higher"),
    ),
    *_group(
        SOLAR_BUILDINGS,
        ("roof_faces", "", "roof faces of the building"),
        ("roof_area_m2", "m2", "area of the building's roof faces"),
        ("usable_m2", "m2", "roof area after set-backs"),
        ("module_m2", "m2", "module area the roof can carry"),
        ("kWp", "kWp", "PV peak power the roof can carry", "higher"),
        ("yield_kWh", "kWh", "annual AC yield of that PV", "higher"),
        ("irradiation_kWh_m2", "kWh/m2", "annual irradiation of the roof faces, mean weighted "
                                         "by area", "higher"),
    ),
    *_group(
        TWIN_BUILDINGS,
        ("height", "m", "height of the building above its base"),
        ("base_elevation", "m", "ground elevation at the building's base"),
        ("floors", "", "storeys above ground"),
        ("year", "", "construction year"),
        ("footprint_area", "m2", "area of the footprint"),
        ("roof_area", "m2", "area of the roof surfaces"),
        ("wall_area", "m2", "area of the outer walls"),
        ("wall_area_n", "m2", "area of the walls facing north"),
        ("wall_area_e", "m2", "area of the walls facing east"),
        ("wall_area_s", "m2", "area of the walls facing south"),
        ("wall_area_w", "m2", "area of the walls facing west"),
        ("ground_area", "m2", "area of the ground floor slab"),
        ("volume", "m3", "enclosed volume"),
    ),
    *_group(
        TWIN_TERRAIN,
        ("elevation", "m", "terrain height"),
    ),
)
"""The table: every reported or stored quantity, by group in the order callers list them."""


def group(name: str) -> tuple[Quantity, ...]:
    """The quantities of group ``name`` (e.g. :data:`MOBILITY_KPIS`), in table order."""
    found = tuple(q for q in QUANTITIES if q.group == name)
    if not found:
        raise KeyError(f"no quantity group {name!r} in twin.quantities")
    return found


def names(group_name: str, expand: Mapping[str, Sequence[str]] | None = None
          ) -> tuple[str, ...]:
    """The names of a group in table order; a pattern is expanded with the values ``expand``
    gives its varying part (``{"class": LABELS}`` for ``label_share_<class>``)."""
    out: list[str] = []
    for q in group(group_name):
        if not q.is_pattern:
            out.append(q.name)
            continue
        key = _varying(q.name)
        if expand is None or key not in expand:
            raise KeyError(f"{q.name}: give the values of <{key}> to expand it")
        out += [q.name.replace(f"<{key}>", str(value)) for value in expand[key]]
    return tuple(out)


def quantity(group_name: str, name: str) -> Quantity:
    """The quantity ``name`` of a group (a pattern resolved to ``name``); KeyError if the
    table does not have it."""
    for q in group(group_name):
        found = q.resolve(name)
        if found is not None:
            return found
    raise KeyError(f"{name!r} is not a quantity of {group_name!r}: add it to twin.quantities")


def units(group_name: str, of: Iterable[str] | None = None) -> dict[str, str]:
    """Unit by name: of the names ``of`` (patterns resolved), else of the group's fixed names."""
    if of is None:
        return {q.name: q.unit for q in group(group_name) if not q.is_pattern}
    return {name: quantity(group_name, name).unit for name in of}


def descriptions(group_name: str, of: Iterable[str]) -> dict[str, str]:
    """Description by name of the names ``of`` (patterns resolved)."""
    return {name: quantity(group_name, name).description for name in of}


def factor(unit: str, to: str) -> float:
    """What a value in ``unit`` is multiplied by to be in ``to`` (same SI unit, no offset)."""
    a, b = UNITS[unit], UNITS[to]
    if a.si != b.si or a.offset or b.offset:
        raise ValueError(f"cannot convert {unit!r} to {to!r} by a factor")
    return a.factor / b.factor


_TYPESET = ((re.compile(r"(?<=m)2(?![0-9])"), "²"), (re.compile(r"(?<=m)3(?![0-9])"), "³"),
            (re.compile(r"\bdegC\b"), "°C"))


def typeset(unit: str) -> str:
    """A unit as a legend shows it: ``m2`` -> ``m²``, ``kWh/m2`` -> ``kWh/m²``, ``degC`` ->
    ``°C``; other units as they are."""
    for pattern, text in _TYPESET:
        unit = pattern.sub(text, unit)
    return unit
