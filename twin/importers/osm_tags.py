"""Parsing of OpenStreetMap tag values: speeds, lengths, lanes, direction, access, building use.

The ``parse_*`` functions take one tag value and raise ``ValueError`` for text they cannot read;
values that deliberately carry no number (``maxspeed=none``) read as ``None``. The functions of a
whole object take ``Tags``, which reads unreadable values as absent and counts them by key.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, overload

from twin.importers.building_values import RANGES
from twin.model import STOREY_HEIGHT

MPH = 1.609344
"""km/h per mile per hour."""
KNOT = 1.852
"""km/h per knot."""
FOOT = 0.3048
"""m per foot."""
INCH = 0.0254
"""m per inch."""


class TagLookup(Protocol):
    """What the parsers need of a tag list: ``get`` with a default (a dict or an osmium TagList)."""

    # two signatures, as ``dict.get`` has them, so that a ``dict[str, str | None]`` is one too
    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str | None, /) -> str | None: ...


T = TypeVar("T")


@dataclass
class Tags:
    """The tags of one object; ``read`` parses a value, counting unreadable ones in ``problems``."""

    source: TagLookup
    problems: Counter[str] = field(default_factory=Counter)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.source.get(key, default)

    def read(self, key: str, parser: Callable[[str | None], T | None]) -> T | None:
        """``parser(value of key)``, or None (counted under ``key``) if it cannot be read."""
        try:
            return parser(self.source.get(key))
        except ValueError:
            self.problems[key] += 1
            return None


# --- speeds -----------------------------------------------------------------------------------

IMPLICIT_MAXSPEED_KMH: dict[str, float] = {
    "AT:urban": 50, "AT:rural": 100, "AT:trunk": 100, "AT:motorway": 130,
    "BE:urban": 50, "BE-VLG:rural": 70, "BE-WAL:rural": 90, "BE-BRU:rural": 70,
    "BE:trunk": 120, "BE:motorway": 120,
    "CH:urban": 50, "CH:rural": 80, "CH:trunk": 100, "CH:motorway": 120,
    "CZ:urban": 50, "CZ:rural": 90, "CZ:trunk": 110, "CZ:motorway": 130,
    "DE:urban": 50, "DE:rural": 100, "DE:motorway": 130, "DE:living_street": 7,
    "DE:bicycle_road": 30,
    "DK:urban": 50, "DK:rural": 80, "DK:motorway": 130,
    "EE:urban": 50, "EE:rural": 90,
    "ES:urban": 50, "ES:rural": 90, "ES:trunk": 100, "ES:motorway": 120,
    "FI:urban": 50, "FI:rural": 80, "FI:trunk": 100, "FI:motorway": 120, "FI:living_street": 20,
    "FR:urban": 50, "FR:rural": 80, "FR:trunk": 110, "FR:motorway": 130, "FR:living_street": 20,
    "GB:nsl_single": 60 * MPH, "GB:nsl_dual": 70 * MPH, "GB:motorway": 70 * MPH,
    "GB:urban": 30 * MPH,
    "IE:urban": 50, "IE:rural": 80, "IE:national": 100, "IE:motorway": 120,
    "IT:urban": 50, "IT:rural": 90, "IT:trunk": 110, "IT:motorway": 130,
    "LT:urban": 50, "LT:rural": 90,
    "LV:urban": 50, "LV:rural": 90,
    "NL:urban": 50, "NL:rural": 80, "NL:trunk": 100, "NL:motorway": 100, "NL:living_street": 15,
    "NO:urban": 50, "NO:rural": 80, "NO:motorway": 110,
    "PL:urban": 50, "PL:rural": 90, "PL:expressway": 120, "PL:motorway": 140,
    "PT:urban": 50, "PT:rural": 90, "PT:motorway": 120,
    "SE:urban": 50, "SE:rural": 70, "SE:motorway": 110,
    "US:urban": 25 * MPH, "US:rural": 55 * MPH,
}
"""km/h of implicit ``maxspeed`` zones ``CC:zone`` (national rules as of 2024; motorway values are
the legal or advisory limits). ``CC:zoneNN`` / ``CC:zone:NN`` read as NN km/h in any country."""

MAX_SPEED_KMH = 300.0
"""km/h: a ``maxspeed`` above this is no road's limit (a typo or a unit mix-up) and reads as
unreadable."""
MAX_LANES = 16
"""A ``lanes*`` value above this (both directions together) is no road's and reads as
unreadable."""

SPEED_WITHOUT_NUMBER = frozenset({"none", "walk", "signals", "variable", "unposted", "implicit"})
"""``maxspeed`` values that name no limit: the road class default applies."""

_SPEED = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?$")
_ZONE_NUMBER = re.compile(r"^[A-Z]{2}(?:-[A-Z]+)?:zone:?(\d+)$")


def parse_maxspeed(value: str | None) -> float | None:
    """Speed limit in km/h of a ``maxspeed`` value; None when absent or naming no number.

    Reads ``50``, ``50 km/h``, ``30 mph``, ``10 knots``, implicit zones (``FI:urban``,
    ``DE:zone30``) and takes the first of ``;``-separated values. Raises ValueError otherwise.
    """
    if value is None:
        return None
    text = value.split(";")[0].strip()
    if not text or text.lower() in SPEED_WITHOUT_NUMBER:
        return None
    if text in IMPLICIT_MAXSPEED_KMH:
        return float(IMPLICIT_MAXSPEED_KMH[text])
    zone = _ZONE_NUMBER.match(text)
    if zone:
        return float(zone.group(1))
    match = _SPEED.match(text.lower())
    if not match:
        raise ValueError(f"unreadable speed {value!r}")
    number = float(match.group(1).replace(",", "."))
    factor = {"mph": MPH, "knots": KNOT}.get(match.group(2) or "", 1.0)
    if not 0 < number * factor <= MAX_SPEED_KMH:
        raise ValueError(f"speed must be in (0, {MAX_SPEED_KMH:.0f}] km/h, got {value!r}")
    return number * factor


def implicit_maxspeed(tags: TagLookup) -> float | None:
    """km/h of the zone named by ``maxspeed:type``, ``source:maxspeed`` or ``zone:maxspeed``."""
    for key in ("maxspeed:type", "source:maxspeed", "zone:maxspeed"):
        zone = tags.get(key)
        if zone and (zone in IMPLICIT_MAXSPEED_KMH or _ZONE_NUMBER.match(zone)):
            return parse_maxspeed(zone)
    return None


# --- lengths (heights) ------------------------------------------------------------------------

_METRES = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(m|metres?|meters?)?$")
_FEET = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:'|ft|feet|foot)\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|in))?$")


def parse_length(value: str | None) -> float | None:
    """Length in m of an OSM length value (``12``, ``12.5 m``, ``12,5``, ``40'``, ``40 ft``,
    ``12'6"``); None when absent. Raises ValueError for other text."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    metres = _METRES.match(text)
    if metres:
        return float(metres.group(1).replace(",", "."))
    feet = _FEET.match(text)
    if feet:
        return float(feet.group(1)) * FOOT + float(feet.group(2) or 0.0) * INCH
    raise ValueError(f"unreadable length {value!r}")


def parse_levels(value: str | None) -> float | None:
    """Number of storeys of a ``building:levels`` / ``roof:levels`` value (first of ``;`` list);
    None when absent. Raises ValueError for text, negative numbers and more storeys than any
    building has (``twin.importers.building_values.RANGES``)."""
    if value is None or not value.strip():
        return None
    levels = float(value.split(";")[0].strip().replace(",", "."))
    if not 0 <= levels <= RANGES["floors"][1]:  # NaN fails too
        raise ValueError(f"levels must be a number from 0 to {RANGES['floors'][1]:g}, got {value!r}")
    return levels


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_year(value: str | None) -> int | None:
    """The first 4-digit year in a date value (``1912``, ``1912-05-01``, ``~1890``,
    ``1850..1860``); None when there is none."""
    if not value:
        return None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


# --- roads ------------------------------------------------------------------------------------

NO_MOTOR_ACCESS = frozenset({"no", "private", "agricultural", "forestry", "emergency"})
"""Access values that close a road to general motor traffic."""
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
"""Access keys from the most to the least specific for a car."""
IMPLIED_ONEWAY_CLASSES = frozenset({"motorway", "motorway_link"})
"""Road classes that are one-way unless tagged ``oneway=no`` (OSM wiki)."""


def maxspeed_per_direction(tags: Tags) -> tuple[float | None, float | None]:
    """(forward, backward) speed limits in km/h: ``maxspeed:forward`` / ``maxspeed:backward``,
    else ``maxspeed``, else an implicit zone tag; None where the road class default applies."""
    both = tags.read("maxspeed", parse_maxspeed) or implicit_maxspeed(tags)
    forward = tags.read("maxspeed:forward", parse_maxspeed) or both
    backward = tags.read("maxspeed:backward", parse_maxspeed) or both
    return forward, backward


def open_to_cars(tags: TagLookup) -> bool:
    """False for ``area=yes`` and for roads whose most specific car access tag is closed."""
    if tags.get("area") == "yes":
        return False
    for key in ACCESS_KEYS:
        value = tags.get(key)
        if value is not None:
            return value.split(";")[0].strip() not in NO_MOTOR_ACCESS
    return True


def travel_directions(tags: TagLookup) -> tuple[bool, bool]:
    """(forward, backward): may cars travel along / against the way's node order.

    ``oneway=yes|true|1`` forward only, ``-1|reverse`` backward only, ``no|false|0`` both;
    without a ``oneway`` tag, roundabouts and motorways (and their links) are forward only.
    Other values (``reversible``, ``alternating``) carry both directions over the day: both.
    """
    oneway = tags.get("oneway")
    if oneway in ("yes", "true", "1"):
        return True, False
    if oneway in ("-1", "reverse"):
        return False, True
    if oneway is None and (
        tags.get("junction") in ("roundabout", "circular")
        or tags.get("highway") in IMPLIED_ONEWAY_CLASSES
    ):
        return True, False
    return True, True


def parse_lanes(value: str | None) -> int | None:
    """Lane count of a ``lanes*`` value (first of a ``;`` list); None when absent.
    Raises ValueError for anything but a whole number from 0 to ``MAX_LANES``."""
    if value is None or not value.strip():
        return None
    lanes = int(value.split(";")[0].strip())
    if not 0 <= lanes <= MAX_LANES:
        raise ValueError(f"lanes must be 0..{MAX_LANES}, got {value!r}")
    return lanes


def lanes_per_direction(tags: Tags, forward: bool, backward: bool,
                        default: int) -> tuple[int, int]:
    """(forward lanes, backward lanes); 0 for a direction cars may not use.

    ``lanes:forward`` / ``lanes:backward`` win; a two-way road's ``lanes`` (less
    ``lanes:both_ways``) is split between directions, the larger half forward; one-way roads take
    all of ``lanes``; without tags the class ``default`` applies. Open directions get at least 1.
    """
    lanes_f = tags.read("lanes:forward", parse_lanes)
    lanes_b = tags.read("lanes:backward", parse_lanes)
    total = tags.read("lanes", parse_lanes)
    if forward and backward:
        if total is not None:
            usable = total - (tags.read("lanes:both_ways", parse_lanes) or 0)
            if lanes_f is None and lanes_b is None:
                lanes_f, lanes_b = math.ceil(usable / 2), usable // 2
            elif lanes_f is None:
                lanes_f = usable - (lanes_b or 0)
            elif lanes_b is None:
                lanes_b = usable - lanes_f
        return max(1, _first(lanes_f, default)), max(1, _first(lanes_b, default))
    if forward:
        return max(1, _first(lanes_f, total, default)), 0
    return 0, max(1, _first(lanes_b, total, default))


def _first(*values: int | None) -> int:
    """The first value that is not None (the last one always is a number)."""
    return next(v for v in values if v is not None)


# --- buildings --------------------------------------------------------------------------------

USE_BY_BUILDING: dict[str, str] = {
    **dict.fromkeys(("residential", "house", "apartments", "detached", "semidetached_house",
                     "terrace", "dormitory", "bungalow", "cabin", "farm", "houseboat",
                     "static_caravan", "semi"), "residential"),
    **dict.fromkeys(("office", "commercial", "bank"), "office"),
    **dict.fromkeys(("retail", "supermarket", "kiosk", "shop", "mall", "department_store",
                     "marketplace"), "retail"),
    **dict.fromkeys(("school", "university", "college", "kindergarten", "library"),
                    "education"),
    **dict.fromkeys(("hospital", "clinic", "healthcare"), "health"),
    **dict.fromkeys(("industrial", "factory", "manufacture", "works", "power",
                     "service", "transformer_tower"), "industrial"),
    **dict.fromkeys(("hotel", "hostel", "motel"), "hotel"),
    **dict.fromkeys(("restaurant", "cafe"), "restaurant"),
    **dict.fromkeys(("sports_hall", "sports_centre", "stadium", "grandstand", "riding_hall",
                     "pavilion", "swimming_pool"), "sport"),
    **dict.fromkeys(("public", "civic", "government", "townhall", "fire_station",
                     "train_station", "transportation", "museum", "theatre", "courthouse",
                     "police", "prison", "military", "embassy", "toilets"), "public"),
    **dict.fromkeys(("church", "cathedral", "chapel", "mosque", "synagogue", "temple",
                     "shrine", "religious", "monastery"), "religious"),
    **dict.fromkeys(("warehouse", "storage_tank", "garage", "garages", "shed", "barn",
                     "hangar", "carport", "parking", "silo", "greenhouse", "stable"), "storage"),
}
"""``building=*`` values and the BUILDING_USES class they name; ``yes`` and unlisted values
fall back to the amenity / shop / office / tourism tags, then to ``unknown`` / ``other``."""

USE_BY_AMENITY: dict[str, str] = {
    **dict.fromkeys(("school", "university", "college", "kindergarten", "library",
                     "language_school", "music_school"), "education"),
    **dict.fromkeys(("hospital", "clinic", "doctors", "dentist", "pharmacy", "nursing_home"),
                    "health"),
    **dict.fromkeys(("restaurant", "cafe", "bar", "pub", "fast_food", "food_court",
                     "ice_cream", "biergarten", "nightclub"), "restaurant"),
    **dict.fromkeys(("townhall", "courthouse", "police", "fire_station", "post_office",
                     "community_centre", "theatre", "cinema", "arts_centre", "embassy",
                     "public_building", "social_facility", "conference_centre"), "public"),
    **dict.fromkeys(("place_of_worship", "monastery"), "religious"),
    **dict.fromkeys(("bank", "bureau_de_change"), "office"),
    **dict.fromkeys(("marketplace",), "retail"),
    **dict.fromkeys(("parking", "bicycle_parking"), "storage"),
}
"""``amenity=*`` values and their BUILDING_USES class."""

GENERIC_BUILDING_VALUES = frozenset({"yes", "building", "true", "1"})
"""``building=*`` values that say nothing about the use."""

def building_type(tags: TagLookup) -> str | None:
    """The ``building=*`` value of a building (first of a ``;`` list), None for the generic
    values (``GENERIC_BUILDING_VALUES``) that name no type."""
    value = (tags.get("building") or "").split(";")[0].strip().lower()
    return None if not value or value in GENERIC_BUILDING_VALUES else value


def building_use(tags: TagLookup) -> str:
    """BUILDING_USES class of a building from ``building``, then ``amenity``, ``shop``,
    ``office``, ``tourism`` (hotels) and ``leisure``; ``unknown`` for a bare ``building=yes``."""
    value = tags.get("building") or "yes"
    if value in USE_BY_BUILDING:
        return USE_BY_BUILDING[value]
    amenity = tags.get("amenity")
    if amenity in USE_BY_AMENITY:
        return USE_BY_AMENITY[amenity]
    if tags.get("shop"):
        return "retail"
    if tags.get("office"):
        return "office"
    if tags.get("tourism") in ("hotel", "hostel", "motel", "guest_house", "apartment"):
        return "hotel"
    if tags.get("leisure") in ("sports_centre", "sports_hall", "stadium", "fitness_centre",
                               "swimming_pool", "ice_rink"):
        return "sport"
    return "unknown" if value in GENERIC_BUILDING_VALUES else "other"


DEFAULT_HEIGHT_BY_BUILDING: dict[str, float] = {
    **dict.fromkeys(("house", "detached", "semidetached_house", "farm"), 7.0),
    "terrace": 8.0,
    **dict.fromkeys(("bungalow", "cabin", "kiosk", "roof", "carport", "greenhouse"), 4.0),
    **dict.fromkeys(("hut", "shed", "garage", "garages", "toilets", "transformer_tower"), 3.0),
    "apartments": 15.0,
    **dict.fromkeys(("church", "cathedral", "mosque", "synagogue", "temple"), 18.0),
    "chapel": 8.0,
}
"""m: default height of a building without height or levels, by ``building=*`` value."""

DEFAULT_HEIGHT_BY_USE: dict[str, float] = {
    "office": 15.0, "retail": 6.0, "education": 10.0, "health": 15.0,
    "industrial": 8.0, "hotel": 18.0, "restaurant": 6.0, "sport": 10.0, "public": 12.0,
    "religious": 15.0, "storage": 5.0, "other": 6.0, "unknown": 9.0,
}
"""m: default height by use class where the ``building=*`` value is not in the table above."""


SIZE_CLASS_DEFAULT_USES = ("residential", "unknown")
"""Use classes left without a height here: the import fills them from the DSM, else by size
class from the footprint (``building_completion.default_dwelling_height``)."""


def default_height(building: str | None, use: str) -> float:
    """Default height in m of a building of type ``building`` and class ``use``; NaN for
    dwellings and untyped buildings of no listed type (filled by the import from the DSM or
    their footprint)."""
    if building in DEFAULT_HEIGHT_BY_BUILDING:
        return DEFAULT_HEIGHT_BY_BUILDING[building]
    if use in SIZE_CLASS_DEFAULT_USES:
        return math.nan
    return DEFAULT_HEIGHT_BY_USE.get(use, DEFAULT_HEIGHT_BY_USE["unknown"])


def building_height(tags: Tags, use: str) -> tuple[float, str | None, int | None]:
    """(height m, height_source, floors) of a building.

    ``height`` / ``building:height`` give ``attribute``; ``building:levels`` (+ half of
    ``roof:levels``) × STOREY_HEIGHT gives ``levels``; otherwise ``default_height`` with
    ``default`` (NaN and None for dwellings and untyped buildings: the import fills them).
    floors are the ``building:levels`` (halves rounded up), None when absent.
    """
    levels = tags.read("building:levels", parse_levels)
    floors = None if levels is None else int(math.floor(levels + 0.5))
    for key in ("height", "building:height"):
        height = tags.read(key, parse_length)
        if height is not None and height > 0:
            return height, "attribute", floors
    if levels:
        roof = tags.read("roof:levels", parse_levels) or 0.0
        return (levels + 0.5 * roof) * STOREY_HEIGHT, "levels", floors
    height = default_height(tags.get("building"), use)
    return height, ("default" if math.isfinite(height) else None), floors


POI_KEYS = ("amenity", "shop", "office", "tourism", "leisure", "public_transport")
"""Keys that make a point of interest, in the order the POI category is chosen."""


def poi_category(tags: TagLookup) -> tuple[str, str] | None:
    """(category key, kind value) of the first POI key present, None if the object is no POI."""
    for key in POI_KEYS:
        value = tags.get(key)
        if value and value != "no":
            return key, value
    return None
