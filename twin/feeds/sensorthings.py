"""OGC SensorThings API (v1.1) client and feed: Things, Datastreams and Observations read over
HTTP with ``@iot.nextLink`` paging, new Observations taken by HTTP polling or from the
``v1.1/Datastreams(ID)/Observations`` MQTT topics.

A Thing is a sensor, each of its Datastreams one quantity (the ObservedProperty's name) in the
unit of its ``unitOfMeasurement.symbol``; the Thing's first Location places it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from twin.feeds.base import FeedStats, Observation
from twin.feeds.http import FeedError, request_json
from twin.feeds.mqtt import MqttFeed, MqttSettings
from twin.feeds.payloads import MalformedMessage, loads, parse_sta_observation, to_iso

_TOPIC = re.compile(r"Datastreams\((?:')?([^)']+)(?:')?\)/Observations$")


@dataclass(frozen=True)
class Datastream:
    """What the twin needs of one Datastream: its id, sensor (the Thing's name), quantity, unit
    and the Thing's WGS84 position if it has a Location."""

    id: str
    sensor: str
    quantity: str
    unit: str
    lon: float | None = None
    lat: float | None = None


class SensorThingsClient:
    """Reads one SensorThings service at ``base_url`` (ending in ``/v1.1`` or ``/v1.0``)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout

    def _collection(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every member of a collection, following ``@iot.nextLink``."""
        url: str | None = f"{self.base_url}/{path}"
        while url is not None:
            page, _ = request_json("GET", url, params, headers=self.headers, timeout=self.timeout)
            if not isinstance(page, dict) or not isinstance(page.get("value"), list):
                raise FeedError(f"{url}: expected a SensorThings collection with a 'value' array")
            yield from page["value"]
            url, params = page.get("@iot.nextLink"), None

    def things(self) -> Iterator[dict[str, Any]]:
        return self._collection("Things", {"$expand": "Locations"})

    def datastreams(self) -> list[Datastream]:
        """Every Datastream with its Thing, Location and ObservedProperty."""
        out = []
        for ds in self._collection("Datastreams", {"$expand": "Thing/Locations,ObservedProperty"}):
            thing = ds.get("Thing", {})
            locations = thing.get("Locations") or [{}]
            coords = (locations[0].get("location") or {}).get("coordinates") or [None, None]
            out.append(Datastream(
                id=str(ds["@iot.id"]), sensor=str(thing.get("name") or ds.get("name") or ds["@iot.id"]),
                quantity=str(ds.get("ObservedProperty", {}).get("name") or ds.get("name")),
                unit=str((ds.get("unitOfMeasurement") or {}).get("symbol") or ""),
                lon=coords[0], lat=coords[1]))
        return out

    def observations(self, datastream_id: str, after_ms: int | None = None,
                     page: int = 1000) -> Iterator[dict[str, Any]]:
        """Observations of a Datastream in time order, those after ``after_ms`` only if given."""
        params: dict[str, Any] = {"$orderby": "phenomenonTime asc", "$top": page}
        if after_ms is not None:
            params["$filter"] = f"phenomenonTime gt {to_iso(after_ms)}"
        return self._collection(f"Datastreams({datastream_id})/Observations", params)


class SensorThingsFeed:
    """Observations of every Datastream of a SensorThings service: over MQTT when ``mqtt`` settings
    are given (the topics are set from the Datastreams), else by polling over HTTP."""

    def __init__(self, client: SensorThingsClient, mqtt: MqttSettings | None = None,
                 name: str = "sensorthings") -> None:
        self.name = name
        self.client = client
        self.stats = FeedStats()
        self._mqtt_settings = mqtt
        self._mqtt: MqttFeed | None = None
        self._streams: dict[str, Datastream] = {}
        self._latest: dict[str, int] = {}

    def connect(self) -> None:
        self._streams = {ds.id: ds for ds in self.client.datastreams()}
        if self._mqtt_settings is not None:
            topics = tuple(f"v1.1/Datastreams({i})/Observations" for i in self._streams)
            self._mqtt = MqttFeed(replace(self._mqtt_settings, topics=topics), self._parse_topic, self.name)
            self._mqtt.stats = self.stats
            self._mqtt.connect()

    def subscribe(self) -> None:
        if self._mqtt is not None:
            self._mqtt.subscribe()

    def poll(self, timeout: float = 0.0) -> list[Observation]:
        if self._mqtt is not None:
            return self._mqtt.poll(timeout)
        out = []
        for ds in self._streams.values():
            for item in self.client.observations(ds.id, self._latest.get(ds.id)):
                self.stats.received += 1
                try:
                    observation = self._observation(ds, item)
                except MalformedMessage as error:
                    self.stats.reject("malformed", f"Datastreams({ds.id})", str(error))
                    continue
                self._latest[ds.id] = max(self._latest.get(ds.id, observation.time), observation.time)
                out.append(observation)
        self.stats.observations += len(out)
        return out

    def close(self) -> None:
        if self._mqtt is not None:
            self._mqtt.close()

    @staticmethod
    def _observation(ds: Datastream, item: Any) -> Observation:
        o = parse_sta_observation(item, ds.sensor, ds.quantity, ds.unit)
        return replace(o, lon=ds.lon, lat=ds.lat)

    def _parse_topic(self, topic: str, payload: bytes) -> list[Observation]:
        match = _TOPIC.search(topic)
        if match is None or match.group(1) not in self._streams:
            raise MalformedMessage(f"topic {topic!r} names no known Datastream")
        return [self._observation(self._streams[match.group(1)], loads(payload))]
