"""NGSI-LD (ETSI GS CIM 009) client and feed: entity queries (type, q, geo-queries, paging),
temporal queries, and subscriptions whose notifications arrive at a receiver on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from twin.feeds.base import FeedStats, Observation, log
from twin.feeds.http import FeedError, NotificationReceiver, request_json
from twin.feeds.payloads import MalformedMessage, parse_entities, parse_entity, parse_temporal

API = "/ngsi-ld/v1"
PAGE = 100
"""Entities fetched per request when paging (``limit``)."""


@dataclass(frozen=True)
class GeoQuery:
    """An NGSI-LD geo-query: ``georel`` (e.g. ``near;maxDistance==500`` m, ``within``,
    ``intersects``), ``geometry`` (``Point``, ``Polygon``...) and its WGS84 ``coordinates``."""

    georel: str
    geometry: str
    coordinates: Any

    def params(self) -> dict[str, str]:
        return {"georel": self.georel, "geometry": self.geometry,
                "coordinates": json.dumps(self.coordinates, separators=(",", ":"))}


class NgsiLdClient:
    """Calls to one NGSI-LD context broker at ``base_url`` (without ``/ngsi-ld/v1``); ``context``
    is the @context sent in a Link header; ``tenant`` the NGSILD-Tenant; ``token`` a bearer token."""

    def __init__(self, base_url: str, context: str | None = None, tenant: str | None = None,
                 token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers: dict[str, str] = {}
        if context:
            self.headers["Link"] = (f'<{context}>; rel="http://www.w3.org/ns/json-ld#context"; '
                                    'type="application/ld+json"')
        if tenant:
            self.headers["NGSILD-Tenant"] = tenant
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, params: Mapping[str, Any] | None = None,
              body: Any = None) -> tuple[Any, dict[str, str]]:
        return request_json(method, f"{self.base_url}{API}{path}", params, body, self.headers, self.timeout)

    def query_entities(self, type: str | None = None, q: str | None = None, geo: GeoQuery | None = None,
                       attrs: list[str] | None = None, key_values: bool = False,
                       page: int = PAGE) -> Iterator[dict[str, Any]]:
        """Every entity matching, fetched ``page`` at a time (limit / offset)."""
        params: dict[str, Any] = {"type": type, "q": q, "attrs": ",".join(attrs) if attrs else None,
                                  "options": "keyValues" if key_values else None, **(geo.params() if geo else {})}
        yield from self._pages("/entities", params, page)

    def temporal_entities(self, type: str | None = None, id: str | None = None, timerel: str | None = None,
                          time_at: str | None = None, end_time_at: str | None = None,
                          last_n: int | None = None, attrs: list[str] | None = None,
                          page: int = PAGE) -> Iterator[dict[str, Any]]:
        """Temporal representations of the matching entities (``/temporal/entities``)."""
        params = {"type": type, "id": id, "timerel": timerel, "timeAt": time_at, "endTimeAt": end_time_at,
                  "lastN": last_n, "attrs": ",".join(attrs) if attrs else None}
        yield from self._pages("/temporal/entities", params, page)

    def _pages(self, path: str, params: dict[str, Any], page: int) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            batch, _ = self._call("GET", path, {**params, "limit": page, "offset": offset})
            if not isinstance(batch, list):
                raise FeedError(f"{self.base_url}{API}{path}: expected a JSON array of entities")
            yield from batch
            if len(batch) < page:
                return
            offset += page

    def subscribe(self, endpoint: str, type: str, q: str | None = None, geo: GeoQuery | None = None,
                  watched: list[str] | None = None) -> str:
        """Create a subscription notifying ``endpoint`` of changes to entities of ``type``; its id."""
        subscription: dict[str, Any] = {
            "id": f"urn:ngsi-ld:Subscription:twin-{uuid.uuid4().hex[:12]}", "type": "Subscription",
            "entities": [{"type": type}],
            "notification": {"endpoint": {"uri": endpoint, "accept": "application/json"}, "format": "normalized"},
        }
        if q:
            subscription["q"] = q
        if watched:
            subscription["watchedAttributes"] = watched
        if geo:
            subscription["geoQ"] = {"georel": geo.georel, "geometry": geo.geometry, "coordinates": geo.coordinates}
        self._call("POST", "/subscriptions", body=subscription)
        return subscription["id"]

    def unsubscribe(self, subscription_id: str) -> None:
        self._call("DELETE", f"/subscriptions/{subscription_id}")


class NgsiLdFeed:
    """Observations of entities of one observed type (``TrafficFlowObserved``, ``WeatherObserved``, ...).

    ``connect`` starts the notification receiver (``notify_port``, 0 = free port) and, with
    ``backfill_after`` (ISO time), reads what the broker's temporal API holds since then;
    ``subscribe`` creates the subscription; ``poll`` returns notified observations; ``close``
    deletes the subscription and stops the receiver."""

    def __init__(self, client: NgsiLdClient, type: str, q: str | None = None, geo: GeoQuery | None = None,
                 notify_port: int = 0, backfill_after: str | None = None, name: str = "ngsi-ld") -> None:
        self.name = name
        self.client = client
        self.type = type
        self.q = q
        self.geo = geo
        self.backfill_after = backfill_after
        self.stats = FeedStats()
        self._receiver = NotificationReceiver(parse_entities, self.stats, notify_port)
        self._subscription: str | None = None
        self._backlog: list[Observation] = []

    def connect(self) -> None:
        self._receiver.start()
        for entity in self.client.query_entities(type=self.type, q=self.q, geo=self.geo):
            self._backlog += self._parse(entity, parse_entity)
        if self.backfill_after:
            for entity in self.client.temporal_entities(type=self.type, timerel="after",
                                                        time_at=self.backfill_after):
                self._backlog += self._parse(entity, parse_temporal)

    def _parse(self, entity: dict[str, Any], parser: Any) -> list[Observation]:
        self.stats.received += 1
        try:
            observations = parser(entity)
        except MalformedMessage as error:
            self.stats.reject("malformed", str(entity.get("id", "?")), str(error))
            return []
        self.stats.observations += len(observations)
        return observations

    def subscribe(self) -> None:
        self._subscription = self.client.subscribe(self._receiver.url, self.type, self.q, self.geo)
        log.info("%s: subscribed %s as %s", self.name, self.type, self._subscription)

    def poll(self, timeout: float = 0.0) -> list[Observation]:
        backlog, self._backlog = self._backlog, []
        return backlog + self._receiver.take(0.0 if backlog else timeout)

    def close(self) -> None:
        if self._subscription is not None:
            try:
                self.client.unsubscribe(self._subscription)
            except FeedError as error:
                log.warning("%s: %s", self.name, error)
        self._receiver.stop()
