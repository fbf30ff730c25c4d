"""OGC SensorThings client and feed: HTTP paging and polling against a spec-built service, and
Observations from the Datastream MQTT topics of a real mosquitto."""

from __future__ import annotations

import json
import time

import pytest
from entities import LINK_LON_LAT
from mqtt_publisher import Publisher
from sensorthings_server import SensorThingsService

from twin.feeds.mqtt import MqttSettings
from twin.feeds.sensorthings import SensorThingsClient, SensorThingsFeed


@pytest.fixture
def sta():
    service = SensorThingsService(page=50)
    service.add_thing("counter-1", *LINK_LON_LAT, {"1": ("intensity", "veh"), "2": ("speed", "m/s")})
    service.add_thing("weather-1", 24.94, 60.17, {"3": ("temp_air", "°C")})
    yield service
    service.stop()


def test_things_datastreams_and_paged_observations(sta):
    for minute in range(120):
        sta.add_observation("1", f"2026-05-01T{8 + minute // 60:02d}:{minute % 60:02d}:00.000Z", minute)
    client = SensorThingsClient(f"{sta.url}/v1.1")
    assert [t["name"] for t in client.things()] == ["counter-1", "weather-1"]
    streams = {ds.id: ds for ds in client.datastreams()}
    assert (streams["1"].sensor, streams["1"].quantity, streams["1"].unit) == ("counter-1", "intensity", "veh")
    assert streams["3"].lon == 24.94
    assert [o["result"] for o in client.observations("1")] == list(range(120))  # 3 pages


def test_http_polling_feed_returns_each_observation_once(sta):
    feed = SensorThingsFeed(SensorThingsClient(f"{sta.url}/v1.1"))
    feed.connect()
    feed.subscribe()
    for second in range(60):
        sta.add_observation("1", f"2026-05-01T08:00:{second:02d}.000Z", second)
    sta.add_observation("3", "2026-05-01T08:00:00.000Z", 12.5)
    first = feed.poll()
    assert len(first) == 61 and {o.unit for o in first} == {"veh", "°C"}
    sta.add_observation("1", "2026-05-01T08:01:00.000Z", 60)
    sta.observations["2"].append({"phenomenonTime": "not a time", "result": 1})
    again = feed.poll()
    assert [o.value for o in again] == [60.0]
    assert feed.stats.malformed == 1
    feed.close()


def test_mqtt_topics(sta, broker):
    feed = SensorThingsFeed(SensorThingsClient(f"{sta.url}/v1.1"),
                            mqtt=MqttSettings(port=broker.port, client_id="sta-test"))
    feed.connect()
    feed.subscribe()
    time.sleep(0.3)
    pub = Publisher(broker.port)
    infos = [pub.publish("v1.1/Datastreams(2)/Observations",
                         json.dumps({"phenomenonTime": f"2026-05-01T08:00:{s:02d}Z", "result": 10 + s}).encode())
             for s in range(30)]
    infos.append(pub.publish("v1.1/Datastreams(99)/Observations", b'{"phenomenonTime": "2026-05-01", "result": 1}'))
    pub.wait_all_acked(infos)
    got, deadline = [], time.monotonic() + 10
    while len(got) < 30 and time.monotonic() < deadline:
        got += feed.poll(timeout=0.2)
    assert {(o.sensor, o.quantity, o.unit) for o in got} == {("counter-1", "speed", "m/s")}
    assert len(got) == 30 and got[0].lon == LINK_LON_LAT[0]
    time.sleep(0.2)
    assert feed.stats.malformed == 0  # Datastream 99 is not subscribed: never delivered
    feed.close()
    pub.close()
