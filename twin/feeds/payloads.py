"""Message payloads to ``Observation``s: plain JSON, NGSI-LD entities (normalized, key-values or
temporal) of the Smart Data Models, and OGC SensorThings Observations.

Every parser raises ``MalformedMessage`` naming what was wrong; values are converted to the twin's
units (speed m/s, pressure Pa, temperature °C, relative humidity %, irradiance W/m², counts veh).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from twin.feeds.base import Observation
from twin.feeds.observation_checks import EARLIEST_MS, LATEST_MS
from twin.json_text import DuplicateKeyError, loads_json
from twin.quantities import KMH_PER_MS


class MalformedMessage(ValueError):
    """A payload that is not what its feed promised; the message says which field and why."""


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Smart Data Models attribute -> (quantity stored, unit stored, conversion to that unit)
_Conversion = tuple[str, str, Callable[[float], float]]
SDM_QUANTITIES: dict[str, dict[str, _Conversion]] = {
    "TrafficFlowObserved": {
        "intensity": ("intensity", "veh", float),
        "averageVehicleSpeed": ("speed", "m/s", lambda v: v / KMH_PER_MS),
        "occupancy": ("occupancy", "1", float),
        "averageHeadwayTime": ("headway", "s", float),
    },
    "WeatherObserved": {
        "temperature": ("temp_air", "°C", float),
        "relativeHumidity": ("relative_humidity", "%", lambda v: 100.0 * v if v <= 1.0 else v),
        "atmosphericPressure": ("pressure", "Pa", lambda v: 100.0 * v),
        "windSpeed": ("wind_speed", "m/s", float),
        "windDirection": ("wind_direction", "deg", float),
        "solarRadiation": ("ghi", "W/m2", float),
        "precipitation": ("precipitation", "mm", float),
    },
    "NoiseLevelObserved": {"LAeq": ("LAeq", "dB(A)", float)},
    "AirQualityObserved": {"no2": ("no2", "ug/m3", float), "pm10": ("pm10", "ug/m3", float),
                           "pm25": ("pm25", "ug/m3", float)},
}
"""Observed attributes read from each entity type, the quantity and unit they are stored as."""


def to_ms(value: Any, field: str = "time") -> int:
    """ms since 1970-01-01 UTC of an ISO 8601 instant (naive = UTC; an interval ``a/b`` gives its
    end), an NGSI-LD ``{"@type": "DateTime", "@value": ...}``, or a number of seconds since the epoch."""
    if isinstance(value, Mapping) and "@value" in value:
        value = value["@value"]
    if isinstance(value, bool):
        raise MalformedMessage(f"{field}: expected a time, got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not EARLIEST_MS <= value * 1000.0 < LATEST_MS:
            raise MalformedMessage(f"{field}: {value!r} s is not a time in 1900-2200")
        return int(round(value * 1000))
    if not isinstance(value, str):
        raise MalformedMessage(f"{field}: expected an ISO 8601 time, got {type(value).__name__}")
    text = value.rsplit("/", 1)[-1].strip()
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise MalformedMessage(f"{field}: not an ISO 8601 time: {value!r}") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return (instant - _EPOCH) // dt.timedelta(milliseconds=1)


def to_iso(ms: int) -> str:
    """ISO 8601 UTC text (``...Z``) of a time in ms since the epoch."""
    instant = _EPOCH + dt.timedelta(milliseconds=int(ms))
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def loads(payload: bytes | str) -> Any:
    """Parsed JSON of a payload; MalformedMessage when it is not JSON."""
    try:
        return loads_json(payload)
    except DuplicateKeyError as error:
        raise MalformedMessage(f"{error.key}: key given twice in one JSON object") from None
    except orjson.JSONDecodeError as error:
        raise MalformedMessage(f"not JSON: {error}") from None


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise MalformedMessage(f"{field}: expected a finite number, got {value!r}")
    return float(value)


def _point(geometry: Any) -> tuple[float | None, float | None]:
    """(lon, lat) of a GeoJSON Point, or the first vertex of a line / polygon; (None, None) if none."""
    if not isinstance(geometry, Mapping):
        return None, None
    coords = geometry.get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2:
        return _number(coords[0], "location"), _number(coords[1], "location")
    return None, None


def parse_plain(payload: bytes | str, topic: str = "") -> list[Observation]:
    """A plain JSON observation ``{"sensor", "quantity", "time", "value", "unit"}`` (or a list of
    them); ``sensor`` defaults to the last topic level, ``unit`` to ""."""
    data = loads(payload)
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedMessage(f"expected a JSON object, got {type(item).__name__}")
        sensor = item.get("sensor") or topic.rsplit("/", 1)[-1]
        quantity = item.get("quantity")
        if not isinstance(sensor, str) or not sensor:
            raise MalformedMessage("sensor: missing (and no topic to take it from)")
        if not isinstance(quantity, str) or not quantity:
            raise MalformedMessage("quantity: missing or not text")
        if "time" not in item:
            raise MalformedMessage("time: missing")
        unit = item.get("unit", "")
        out.append(Observation(sensor, quantity, to_ms(item["time"]), _number(item.get("value"), "value"),
                               unit if isinstance(unit, str) else str(unit), item.get("lon"), item.get("lat")))
    return out


def concise(entity: Mapping[str, Any]) -> dict[str, Any]:
    """The key-values form of an NGSI-LD entity given normalized or key-values."""
    out: dict[str, Any] = {}
    for key, given in entity.items():
        value = given
        if isinstance(value, Mapping) and value.get("type") in _ATTRIBUTE_TYPES:
            value = value.get("value", value.get("object", value.get("languageMap")))
        if isinstance(value, Mapping) and "@value" in value:
            value = value["@value"]
        out[key] = value
    return out


_ATTRIBUTE_TYPES = ("Property", "GeoProperty", "Relationship", "LanguageProperty", "ListProperty")


def _observed_at(entity: Mapping[str, Any]) -> dict[str, Any]:
    """``observedAt`` of each normalized attribute that has one."""
    return {key: value["observedAt"] for key, value in entity.items()
            if isinstance(value, Mapping) and value.get("type") in _ATTRIBUTE_TYPES and "observedAt" in value}


def parse_entity(entity: Mapping[str, Any]) -> list[Observation]:
    """Observations in one NGSI-LD entity of a type in ``SDM_QUANTITIES`` (normalized or
    key-values); time is the attribute's ``observedAt``, else ``dateObservedTo``, else ``dateObserved``."""
    if not isinstance(entity, Mapping):
        raise MalformedMessage(f"expected an NGSI-LD entity object, got {type(entity).__name__}")
    kind = entity.get("type")
    if kind not in SDM_QUANTITIES:
        raise MalformedMessage(f"type: {kind!r} is not an observed entity type "
                               f"({', '.join(SDM_QUANTITIES)})")
    sensor = entity.get("id")
    if not isinstance(sensor, str) or not sensor:
        raise MalformedMessage("id: missing")
    flat = concise(entity)
    observed = _observed_at(entity)
    default_time = flat.get("dateObservedTo") or flat.get("dateObserved")
    lon, lat = _point(flat.get("location"))
    out = []
    for attribute, (quantity, unit, convert) in SDM_QUANTITIES[kind].items():
        if attribute not in flat or flat[attribute] is None:
            continue
        when = observed.get(attribute, default_time)
        if when is None:
            raise MalformedMessage(f"{attribute}: no observedAt and no dateObserved")
        value = convert(_number(flat[attribute], attribute))
        out.append(Observation(sensor, quantity, to_ms(when, f"{attribute}.observedAt"), value, unit, lon, lat))
    return out


def parse_entities(payload: bytes | str) -> list[Observation]:
    """Observations in a JSON NGSI-LD entity, a list of them, or a notification (``data``)."""
    data = loads(payload)
    if isinstance(data, dict) and data.get("type") == "Notification":
        data = data.get("data", [])
    entities = data if isinstance(data, list) else [data]
    return [o for entity in entities for o in parse_entity(entity)]


def parse_temporal(entity: Mapping[str, Any]) -> list[Observation]:
    """Observations in an NGSI-LD temporal representation (each attribute a list of instances with
    ``observedAt``), as the temporal API returns it."""
    kind = entity.get("type")
    if kind not in SDM_QUANTITIES or not isinstance(entity.get("id"), str):
        raise MalformedMessage(f"temporal entity: type {kind!r} / id {entity.get('id')!r} not usable")
    out = []
    for attribute, (quantity, unit, convert) in SDM_QUANTITIES[kind].items():
        instances = entity.get(attribute, [])
        for instance in instances if isinstance(instances, list) else [instances]:
            if not isinstance(instance, Mapping) or "observedAt" not in instance:
                raise MalformedMessage(f"{attribute}: temporal instance without observedAt")
            out.append(Observation(entity["id"], quantity, to_ms(instance["observedAt"]),
                                   convert(_number(instance.get("value"), attribute)), unit))
    return out


def parse_sta_observation(data: Any, sensor: str, quantity: str, unit: str) -> Observation:
    """One OGC SensorThings Observation (``phenomenonTime``, ``result``) of the Datastream that is
    ``sensor`` measuring ``quantity`` in ``unit``."""
    if not isinstance(data, Mapping):
        raise MalformedMessage(f"expected a SensorThings Observation object, got {type(data).__name__}")
    if "phenomenonTime" not in data:
        raise MalformedMessage("phenomenonTime: missing")
    return Observation(sensor, quantity, to_ms(data["phenomenonTime"], "phenomenonTime"),
                       _number(data.get("result"), "result"), unit)


PARSERS: dict[str, Callable[[str, bytes], list[Observation]]] = {
    "plain": lambda topic, payload: parse_plain(payload, topic),
    "ngsi-ld": lambda topic, payload: parse_entities(payload),
}
"""Message formats a topic or a recorded feed can carry: (topic, payload) -> observations."""
