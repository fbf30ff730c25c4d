"""Defaults for road links by class (OSM ``highway`` values), used where a source gives no value.

Per class: lanes per direction, free speed in km/h (urban values; OSM ``maxspeed`` wins) and the
saturation flow per lane in veh/h: what one lane discharges in a queue, undiminished. The
junction control does the reduction (a signal's green share, ``twin.mobility.signals``) and the
link's free speed caps it (``twin.mobility.network``: the triangular diagram with a sensible
backward wave speed), so a value here is never lowered "for junction spacing".

Source of the flows: Highway Capacity Manual, 6th ed. (TRB 2016). Urban streets take the base
saturation flow rate of a signalised approach, 1,900 passenger cars/h/lane (Chapter 19, urban
areas of 250,000 inhabitants or more); the minor classes (unclassified, residential, living
streets, service roads) 1,800, with the HCM lane-width adjustment for lanes narrower than 10 ft
(3.05 m, factor 0.96) rounded down; motorways and trunk roads 2,000 veh/h/lane, the basic
freeway segment capacity of 2,400 pc/h/lane (Chapter 12) in vehicles with a share of heavy
vehicles (factor about 0.85), rounded down. For comparison, SUMO's default car (Krauss model,
tau 1 s, 7.5 m per stopped vehicle) discharges about 1,900 veh/h per lane at 30 km/h.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoadClassDefaults:
    """Lanes per direction [-], free speed [km/h], saturation flow per lane [veh/h]."""

    lanes: int
    speed_kmh: float
    capacity_per_lane: float


URBAN_SATURATION_FLOW = 1900.0
"""veh/h per lane: HCM base saturation flow rate of a signalised urban approach."""
MINOR_SATURATION_FLOW = 1800.0
"""veh/h per lane: the urban base flow with HCM's adjustment for lanes under 3.05 m wide."""
MOTORWAY_CAPACITY = 2000.0
"""veh/h per lane: HCM basic freeway segment capacity in vehicles (heavy vehicles included)."""

ROAD_CLASS_DEFAULTS: dict[str, RoadClassDefaults] = {
    "motorway": RoadClassDefaults(2, 110.0, MOTORWAY_CAPACITY),
    "trunk": RoadClassDefaults(2, 80.0, MOTORWAY_CAPACITY),
    "primary": RoadClassDefaults(2, 50.0, URBAN_SATURATION_FLOW),
    "secondary": RoadClassDefaults(1, 50.0, URBAN_SATURATION_FLOW),
    "tertiary": RoadClassDefaults(1, 40.0, URBAN_SATURATION_FLOW),
    "unclassified": RoadClassDefaults(1, 40.0, MINOR_SATURATION_FLOW),
    "residential": RoadClassDefaults(1, 30.0, MINOR_SATURATION_FLOW),
    "living_street": RoadClassDefaults(1, 10.0, MINOR_SATURATION_FLOW),
    "service": RoadClassDefaults(1, 20.0, MINOR_SATURATION_FLOW),
    "motorway_link": RoadClassDefaults(1, 60.0, MOTORWAY_CAPACITY),
    "trunk_link": RoadClassDefaults(1, 50.0, MOTORWAY_CAPACITY),
    "primary_link": RoadClassDefaults(1, 40.0, URBAN_SATURATION_FLOW),
    "secondary_link": RoadClassDefaults(1, 40.0, URBAN_SATURATION_FLOW),
    "tertiary_link": RoadClassDefaults(1, 30.0, URBAN_SATURATION_FLOW),
}
"""Drivable road classes and their defaults; a class not listed here is not drivable."""

FALLBACK_CLASS = "unclassified"

ACCESS_ONLY_CLASSES: tuple[str, ...] = ("service",)
"""Classes a car uses only to start or end a trip, never to pass through
(``simulation.mobility.access``): service roads (parking aisles, driveways, yards), which
SUMO's OSM type map (``highway.service``) closes to passenger cars altogether."""

PRIORITY: dict[str, int] = {
    "motorway": 14, "trunk": 13, "primary": 12, "secondary": 11, "tertiary": 10,
    "motorway_link": 9, "trunk_link": 8, "primary_link": 7, "secondary_link": 6,
    "tertiary_link": 5, "unclassified": 4, "residential": 3, "living_street": 2, "service": 1,
}
"""Right of way by class at junctions without signals: the higher number has priority (the
edge priorities of SUMO's OSM type map, ``data/typemap/osmNetconvert.typ.xml``)."""


def defaults_for(road_class: str | None) -> RoadClassDefaults:
    """Defaults of ``road_class``; unknown or missing classes get those of ``unclassified``."""
    return ROAD_CLASS_DEFAULTS.get(road_class or FALLBACK_CLASS, ROAD_CLASS_DEFAULTS[FALLBACK_CLASS])


def priority_of(road_class: str | None) -> int:
    """Right-of-way rank of ``road_class`` (``PRIORITY``; unknown classes rank as ``unclassified``)."""
    return PRIORITY.get(road_class or FALLBACK_CLASS, PRIORITY[FALLBACK_CLASS])


def is_drivable(road_class: str | None) -> bool:
    """True for the classes a car may use (the keys of ``ROAD_CLASS_DEFAULTS``)."""
    return road_class in ROAD_CLASS_DEFAULTS
