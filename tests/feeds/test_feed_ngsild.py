"""NGSI-LD client and feed against a spec-built context broker on loopback."""

from __future__ import annotations

import time
import urllib.request

import pytest
from entities import LINK_LON_LAT, traffic
from ngsild_server import NgsiLdBroker

from twin.feeds.archive import list_series, read_series
from twin.feeds.ingest import Ingestor
from twin.feeds.mapping import SensorMapper
from twin.feeds.ngsild import GeoQuery, NgsiLdClient, NgsiLdFeed
from twin.feeds.payloads import parse_entity, parse_temporal, to_ms
from twin.store import load_twin


@pytest.fixture
def ngsi():
    server = NgsiLdBroker()
    yield server
    server.stop()


def test_query_pages_filters_and_geo(ngsi, sdm):
    for i in range(250):
        lon_lat = LINK_LON_LAT if i < 10 else (25.5, 60.5)
        ngsi.upsert(traffic(sdm, f"s{i}", "2026-05-01T08:00:00Z", float(i), lon_lat))
    client = NgsiLdClient(ngsi.url, context="https://example.org/context.jsonld")
    everything = list(client.query_entities(type="TrafficFlowObserved", page=100))
    assert len({e["id"] for e in everything}) == 250
    assert sum("/entities?" in r for r in ngsi.requests) == 3
    busy = list(client.query_entities(type="TrafficFlowObserved", q="intensity>=200"))
    assert len(busy) == 50
    near = list(client.query_entities(type="TrafficFlowObserved",
                                      geo=GeoQuery("near;maxDistance==500", "Point", list(LINK_LON_LAT))))
    assert len(near) == 10
    concise = list(client.query_entities(type="TrafficFlowObserved", q="intensity==7", key_values=True))
    assert [o.value for o in parse_entity(concise[0]) if o.quantity == "intensity"] == [7.0]
    assert list(client.query_entities(type="WeatherObserved")) == []


def test_temporal_queries(ngsi, sdm):
    for minute in range(30):
        entity = traffic(sdm, "s1", f"2026-05-01T08:{minute:02d}:00Z", float(minute))
        entity["intensity"]["observedAt"] = f"2026-05-01T08:{minute:02d}:00Z"
        ngsi.upsert(entity)
    client = NgsiLdClient(ngsi.url)
    [entity] = client.temporal_entities(type="TrafficFlowObserved", timerel="between",
                                        time_at="2026-05-01T08:10:00Z", end_time_at="2026-05-01T08:20:00Z")
    assert [o.value for o in parse_temporal(entity)] == [float(m) for m in range(10, 20)]
    [last] = client.temporal_entities(id="urn:ngsi-ld:TrafficFlowObserved:s1", last_n=3)
    assert [o.value for o in parse_temporal(last)] == [27.0, 28.0, 29.0]


def test_subscription_feed_into_the_twin(ngsi, sdm, helsinki_folder):
    ngsi.upsert(traffic(sdm, "early", "2026-05-01T07:00:00Z", 5.0))
    feed = NgsiLdFeed(NgsiLdClient(ngsi.url), "TrafficFlowObserved")
    feed.connect()
    feed.subscribe()
    assert len(ngsi.subscriptions) == 1
    for minute in range(20):
        ngsi.upsert(traffic(sdm, "s1", f"2026-05-01T08:{minute:02d}:00Z", float(minute)))
    bad = urllib.request.Request(feed._receiver.url, data=b'{"type": "Notification", "data": [{"type": "Nope"}]}',
                                 method="POST", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError, match="400"):
        urllib.request.urlopen(bad, timeout=5)
    huge = urllib.request.Request(feed._receiver.url, data=b" " * 300_000, method="POST")
    with pytest.raises(urllib.error.HTTPError, match="413"):
        urllib.request.urlopen(huge, timeout=5)
    got, deadline = [], time.monotonic() + 10
    while len(got) < 21 * 5 and time.monotonic() < deadline:
        got += feed.poll(timeout=0.2)
    assert {o.quantity for o in got} == {"intensity", "speed", "occupancy", "headway"}
    assert (feed.stats.malformed, feed.stats.oversized) == (1, 1)
    twin = load_twin(helsinki_folder)
    ingest = Ingestor(helsinki_folder, SensorMapper(twin, max_distance=30))
    ingest.add(got)
    ingest.flush()
    series, unit = read_series(helsinki_folder, "urn:ngsi-ld:TrafficFlowObserved:s1", "speed")
    assert unit == "m/s" and len(series) == 20 and series.iloc[0] == pytest.approx(52.6 / 3.6)
    row = list_series(helsinki_folder).set_index(["sensor", "quantity"]).loc[
        ("urn:ngsi-ld:TrafficFlowObserved:s1", "intensity")]
    assert row.target_kind == "link" and row.target_id.startswith("4243036:1:")  # either direction
    assert series.index[0].value // 10**6 == to_ms("2026-05-01T08:00:00Z")
    feed.close()
    assert ngsi.subscriptions == {}
