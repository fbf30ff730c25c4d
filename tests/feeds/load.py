"""The feed load run shared by the quick test and ``tests/bench/bench_feeds.py``: a publisher
process at a fixed rate into a real mosquitto, the MQTT feed and the ingest into a twin folder,
and the figures (rates, lost messages, append times, reconnects)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from mqtt_broker import Broker

from twin.feeds.archive import list_series
from twin.feeds.ingest import Ingestor
from twin.feeds.mqtt import MqttFeed, MqttSettings

HERE = Path(__file__).resolve().parent


def run_load(broker: Broker, folder: Path, rate: int, seconds: float, sensors: int = 100,
             flush_interval: float = 1.0, restart_at: float | None = None, mqtt5: bool = False) -> dict:
    """Publish ``rate`` msg/s for ``seconds`` s and ingest them into ``folder``; optionally restart
    the broker ``restart_at`` s into the run. Returns the figures."""
    expected = int(rate * seconds)
    feed = MqttFeed(MqttSettings(port=broker.port, topics=("city/#",), client_id="load-subscriber",
                                 mqtt5=mqtt5, min_backoff=1, max_backoff=2))
    feed.connect()
    feed.subscribe()
    time.sleep(0.5)
    ingest = Ingestor(folder)
    publisher = subprocess.Popen([sys.executable, str(HERE / "load_publisher.py"), str(broker.port), str(rate),
                                  str(seconds), str(sensors)], stdout=subprocess.PIPE, text=True,
                                 env={"PYTHONPATH": str(HERE)})
    restart = None
    if restart_at is not None:
        restart = threading.Timer(restart_at, broker.restart, kwargs={"downtime": 1.0})
        restart.start()
    start = time.monotonic()
    flushes: list[float] = []
    last_flush = start
    first_seen = last_seen = None
    deadline = start + seconds + 90
    while time.monotonic() < deadline:
        got = feed.poll(timeout=0.05)
        if got:
            now = time.monotonic()
            first_seen = first_seen or now
            last_seen = now
            ingest.add(got)
        if time.monotonic() - last_flush >= flush_interval:
            t = time.monotonic()
            ingest.flush()
            flushes.append(time.monotonic() - t)
            last_flush = time.monotonic()
            if ingest.stats.stored >= expected and publisher.poll() is not None:
                break
    publisher_out = publisher.communicate(timeout=150)[0]
    if restart is not None:
        restart.join()
    feed.close()
    ingest.add(feed.poll())
    ingest.flush()
    stored = int(list_series(folder)["count"].sum())
    pub = json.loads(publisher_out.strip().splitlines()[-1])
    return {
        "target_rate": rate, "seconds": seconds, "messages": expected,
        "publish_rate": expected / pub["publish_seconds"], "publisher_unacked": pub["unacked"],
        "received": feed.stats.received, "receive_rate": feed.stats.received / max(last_seen - first_seen, 1e-9)
        if first_seen else 0.0,
        "stored": stored, "lost": expected - stored, "duplicates": ingest.stats.duplicates,
        "malformed": feed.stats.malformed, "reconnects": feed.stats.reconnects,
        "offline_s": feed.stats.offline_seconds,
        "flushes": len(flushes), "max_flush_s": max(flushes, default=0.0),
        "mean_flush_s": sum(flushes) / len(flushes) if flushes else 0.0,
        "drain_after_publish_s": (last_seen - start - pub["publish_seconds"]) if last_seen else None,
    }
