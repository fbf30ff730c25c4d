"""The MQTT feed against a real mosquitto on loopback: delivery, bad messages, a broker restart
mid-stream, username/password and TLS."""

from __future__ import annotations

import subprocess
import time

import pytest
from mqtt_broker import Broker
from mqtt_publisher import Publisher, message

from twin.feeds.mqtt import MqttFeed, MqttSettings


def drain(feed: MqttFeed, expected: int, timeout: float = 20.0) -> list:
    """Poll until ``expected`` distinct observations arrived (QoS 1 may deliver some twice) or
    ``timeout`` s passed."""
    got: list = []
    deadline = time.monotonic() + timeout
    while len({o.time for o in got}) < expected and time.monotonic() < deadline:
        got += feed.poll(timeout=0.2)
    return got


def subscribed_feed(port: int, **settings) -> MqttFeed:
    feed = MqttFeed(MqttSettings(port=port, topics=("city/#",), client_id="twin-test", **settings))
    feed.connect(timeout=10)
    feed.subscribe()
    time.sleep(0.3)
    return feed


def test_plain_messages_arrive_and_bad_ones_are_counted(broker):
    feed = subscribed_feed(broker.port, max_payload=4096)
    pub = Publisher(broker.port)
    infos = [pub.publish("city/traffic/s1", message(i)) for i in range(100)]
    infos += [pub.publish("city/traffic/s1", b"{not json"),
              pub.publish("city/traffic/s1", b'{"quantity": "x", "time": "yesterday", "value": 1}'),
              pub.publish("city/traffic/s1", b'{"quantity": "x", "time": 1, "value": "NaN"}'),
              pub.publish("city/traffic/s1", b"x" * 5000)]
    pub.wait_all_acked(infos)
    got = drain(feed, 100)
    time.sleep(0.2)
    got += feed.poll()
    assert sorted(o.value for o in got) == [float(i) for i in range(100)]
    assert (feed.stats.received, feed.stats.malformed, feed.stats.oversized) == (104, 3, 1)
    assert any("time" in e for e in feed.stats.errors)
    feed.close()
    pub.close()


@pytest.mark.parametrize("mqtt5", [False, True], ids=["mqtt311", "mqtt5"])
def test_broker_restart_mid_stream_loses_nothing(broker, mqtt5):
    feed = subscribed_feed(broker.port, mqtt5=mqtt5, min_backoff=1, max_backoff=2)
    pub = Publisher(broker.port)
    pub.wait_all_acked([pub.publish("city/s1", message(i)) for i in range(500)])
    broker.restart(downtime=1.0)
    pub.wait_connected()
    infos = [pub.publish("city/s1", message(i)) for i in range(500, 1000)]
    pub.wait_all_acked(infos, timeout=30)
    got = drain(feed, 1000, timeout=30)
    times = {o.time for o in got}
    assert len(times) == 1000, f"lost {1000 - len(times)} messages across the restart"
    assert feed.stats.reconnects >= 1 and 0.5 < feed.stats.offline_seconds < 10
    feed.close()
    pub.close()


def test_messages_sent_while_away_are_kept_by_the_persistent_session(broker):
    feed = subscribed_feed(broker.port)
    feed.close()
    pub = Publisher(broker.port)
    pub.wait_all_acked([pub.publish("city/s1", message(i)) for i in range(50)])
    again = MqttFeed(MqttSettings(port=broker.port, topics=("city/#",), client_id="twin-test"))
    again.connect()
    again.subscribe()
    assert len({o.time for o in drain(again, 50)}) == 50
    again.close()
    pub.close()


def test_username_and_password(tmp_path):
    folder = tmp_path / "auth"
    folder.mkdir()
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(folder / "passwd"), "twin", "s3cret"], check=True)
    server = Broker(folder, extra=f"allow_anonymous false\npassword_file {folder}/passwd\n")
    server.start()
    try:
        wrong = MqttFeed(MqttSettings(port=server.port, username="twin", password="wrong"))
        wrong.connect(timeout=2)
        assert not wrong.connected
        wrong.close()
        feed = subscribed_feed(server.port, username="twin", password="s3cret")
        assert feed.connected
        pub = Publisher(server.port, username="twin", password="s3cret")
        pub.wait_all_acked([pub.publish("city/s1", message(i)) for i in range(10)])
        assert len(drain(feed, 10)) == 10
        feed.close()
        pub.close()
    finally:
        server.stop()


def _certificates(folder):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
            "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.crt"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(folder / "server.key"), "-out", str(folder / "server.csr"))
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", str(folder / "server.csr"), "-CA", str(folder / "ca.crt"),
            "-CAkey", str(folder / "ca.key"), "-CAcreateserial", "-days", "1",
            "-extfile", str(folder / "san.ext"), "-out", str(folder / "server.crt"))


def test_tls(tmp_path):
    folder = tmp_path / "tls"
    folder.mkdir()
    _certificates(folder)
    server = Broker(folder, extra=f"allow_anonymous true\ncafile {folder}/ca.crt\n"
                                  f"certfile {folder}/server.crt\nkeyfile {folder}/server.key\n")
    server.start()
    try:
        feed = subscribed_feed(server.port, tls_ca=str(folder / "ca.crt"))
        assert feed.connected
        feed.close()
    finally:
        server.stop()
