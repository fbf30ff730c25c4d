"""Defaults for road links by class (OSM ``highway`` values), used where a source gives no value.

Per class: lanes per direction, free speed in km/h (urban values; OSM ``maxspeed`` wins) and
capacity per lane in veh/h (HCM-style saturation values lowered for urban junction spacing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoadClassDefaults:
    """lanes per direction, free speed km/h, capacity per lane veh/h."""

    lanes: int
    speed_kmh: float
    capacity_per_lane: float


ROAD_CLASS_DEFAULTS: dict[str, RoadClassDefaults] = {
    "motorway": RoadClassDefaults(2, 110.0, 2000.0),
    "trunk": RoadClassDefaults(2, 80.0, 1800.0),
    "primary": RoadClassDefaults(2, 50.0, 1600.0),
    "secondary": RoadClassDefaults(1, 50.0, 1400.0),
    "tertiary": RoadClassDefaults(1, 40.0, 1200.0),
    "unclassified": RoadClassDefaults(1, 40.0, 1000.0),
    "residential": RoadClassDefaults(1, 30.0, 800.0),
    "living_street": RoadClassDefaults(1, 10.0, 400.0),
    "service": RoadClassDefaults(1, 20.0, 500.0),
    "motorway_link": RoadClassDefaults(1, 60.0, 1800.0),
    "trunk_link": RoadClassDefaults(1, 50.0, 1600.0),
    "primary_link": RoadClassDefaults(1, 40.0, 1400.0),
    "secondary_link": RoadClassDefaults(1, 40.0, 1200.0),
    "tertiary_link": RoadClassDefaults(1, 30.0, 1000.0),
}
"""Drivable road classes and their defaults; a class not listed here is not drivable."""

FALLBACK_CLASS = "unclassified"


def defaults_for(road_class: str | None) -> RoadClassDefaults:
    """Defaults of ``road_class``; unknown or missing classes get those of ``unclassified``."""
    return ROAD_CLASS_DEFAULTS.get(road_class or FALLBACK_CLASS, ROAD_CLASS_DEFAULTS[FALLBACK_CLASS])


def is_drivable(road_class: str | None) -> bool:
    """True for the classes a car may use (the keys of ``ROAD_CLASS_DEFAULTS``)."""
    return road_class in ROAD_CLASS_DEFAULTS
