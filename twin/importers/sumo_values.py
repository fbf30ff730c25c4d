"""The numbers of a SUMO net's records (junction positions, lane speeds, lengths and shapes,
signal phase durations), read and bounded: a value that is not a number, not finite or that
no road can have is a ``BadValue``, so the reader can reject its record alone and count it.
"""

from __future__ import annotations

import math
from xml.etree.ElementTree import Element

from twin.importers.osm_tags import MAX_SPEED_KMH
from twin.quantities import MS_PER_KMH

Point = tuple[float, float]

MAX_SPEED = MAX_SPEED_KMH * MS_PER_KMH
"""m/s; the fastest lane speed read (300 km/h, the bound of OSM ``maxspeed`` values too)."""
MAX_LENGTH = 20_037_508.0
"""m; half the Earth's equator (WGS84): no edge is longer."""
MAX_PHASE = 86_400.0
"""s; the longest signal phase read (a day): a fixed-time program cycles within a day."""


class BadValue(ValueError):
    """A record's value the twin cannot use: ``field`` (``"lane 1_0.speed"``) and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def _name(element: Element, attribute: str) -> str:
    return f"{element.tag} {element.get('id', '')}".strip() + f".{attribute}"


def number(element: Element, attribute: str, low: float = -math.inf, high: float = math.inf) -> float:
    """The attribute as a finite float within [``low``, ``high``]; BadValue otherwise."""
    value = element.get(attribute)
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadValue(_name(element, attribute), f"expected a number, found {value!r}") from None
    if not math.isfinite(result):
        raise BadValue(_name(element, attribute), f"{value!r} is not a finite number")
    if not low <= result <= high:
        raise BadValue(_name(element, attribute), f"{value!r} is outside {low:g}..{high:g}")
    return result


def shape(lane: Element) -> list[Point]:
    """A lane's ``shape`` as finite (x, y) points (a z value is dropped); BadValue for fewer
    than two or unreadable points."""
    value = lane.get("shape", "")
    try:
        points = [(float(p.split(",")[0]), float(p.split(",")[1])) for p in value.split()]
    except (IndexError, ValueError):
        points = []
    if len(points) < 2 or not all(math.isfinite(x) and math.isfinite(y) for x, y in points):
        raise BadValue(_name(lane, "shape"), f"expected 'x,y x,y ...' of finite numbers, "
                                             f"found {value[:80]!r}")
    return points
