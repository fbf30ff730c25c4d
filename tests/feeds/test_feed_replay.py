"""Recording a live MQTT feed and replaying the file: same observations, bad lines counted."""

from __future__ import annotations

import time

from mqtt_publisher import Publisher, message

from twin.feeds.mqtt import MqttFeed, MqttSettings
from twin.feeds.replay import Recorder, ReplayFeed


def test_record_then_replay(broker, tmp_path):
    path = tmp_path / "feed.jsonl"
    feed = MqttFeed(MqttSettings(port=broker.port, topics=("city/#",)), recorder=Recorder(path))
    feed.connect()
    feed.subscribe()
    time.sleep(0.3)
    pub = Publisher(broker.port)
    pub.wait_all_acked([pub.publish("city/s1", message(i)) for i in range(200)] +
                       [pub.publish("city/s1", b"\xff\xfe binary")])
    # Wait for all 201 messages, the binary one too: it is recorded even though it holds no
    # observation, and it may arrive after the 200 good ones have been polled.
    live, deadline = [], time.monotonic() + 10
    while feed.stats.received < 201 and time.monotonic() < deadline:
        live += feed.poll(timeout=0.2)
    feed.close()
    pub.close()
    with open(path, "ab") as handle:
        handle.write(b"{broken line\n")

    replay = ReplayFeed(path)
    replay.connect()
    replayed = []
    while not replay.done:
        replayed += replay.poll()
    replay.close()
    assert sorted(replayed, key=lambda o: o.time) == sorted(live, key=lambda o: o.time)
    assert replay.stats.received == 202 and replay.stats.malformed == 2
    assert any("feed.jsonl:202" in e for e in replay.stats.errors)


def test_replay_keeps_the_recorded_pace(tmp_path):
    path = tmp_path / "paced.jsonl"
    recorder = Recorder(path)
    for i in range(5):
        recorder.write("city/s1", message(i), received=1000.0 + i)
    recorder.close()
    replay = ReplayFeed(path, speed=10.0)
    replay.connect()
    start, got = time.monotonic(), []
    while not (replay.done and len(got) == 5) and time.monotonic() - start < 5:
        got += replay.poll(timeout=0.01)
    elapsed = time.monotonic() - start
    assert len(got) == 5 and 0.35 <= elapsed < 2.0
