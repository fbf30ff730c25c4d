"""Running feeds headless (``twin listen``): build them from a checked feeds file, poll them,
ingest what arrives into the twin folder, stop after a duration or a number of messages."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from twin.feeds.base import Feed, FeedStats, log
from twin.feeds.config import FeedSpec, ListenConfig, secret
from twin.feeds.ingest import Ingestor, IngestStats
from twin.feeds.mapping import SensorMapper
from twin.feeds.mqtt import MqttFeed, MqttSettings
from twin.feeds.ngsild import GeoQuery, NgsiLdClient, NgsiLdFeed
from twin.feeds.payloads import PARSERS
from twin.feeds.replay import Recorder, ReplayFeed
from twin.feeds.sensorthings import SensorThingsClient, SensorThingsFeed
from twin.store import load_twin

_MQTT_OPTIONS = ("host", "port", "qos", "client_id", "mqtt5", "session_expiry", "keepalive", "tls_ca",
                 "tls_cert", "tls_key", "max_payload", "min_backoff", "max_backoff")


def build_feed(config: ListenConfig, spec: FeedSpec) -> Feed:
    """The feed object a ``[[feeds]]`` table describes, with credentials from the environment."""
    o = spec.options
    if spec.kind == "mqtt":
        settings = MqttSettings(topics=tuple(o["topics"]), username=secret(config.path, spec, "username_env"),
                                password=secret(config.path, spec, "password_env"),
                                **{k: o[k] for k in _MQTT_OPTIONS if k in o})
        recorder = Recorder(o["record"]) if "record" in o else None
        return MqttFeed(settings, PARSERS[o.get("format", "plain")], spec.name, recorder)
    if spec.kind == "ngsi-ld":
        client = NgsiLdClient(o["url"], o.get("context"), o.get("tenant"), secret(config.path, spec, "token_env"))
        geo = GeoQuery(o["georel"], o["geometry"], o["coordinates"]) if "georel" in o else None
        return NgsiLdFeed(client, o["type"], o.get("q"), geo, o.get("notify_port", 0), o.get("backfill_after"),
                          spec.name)
    if spec.kind == "sensorthings":
        mqtt = None
        if "mqtt_host" in o:
            mqtt = MqttSettings(host=o["mqtt_host"], port=o.get("mqtt_port", 1883), client_id=o.get("client_id", ""),
                                tls_ca=o.get("tls_ca"), username=secret(config.path, spec, "username_env"),
                                password=secret(config.path, spec, "password_env"))
        return SensorThingsFeed(SensorThingsClient(o["url"], secret(config.path, spec, "token_env")), mqtt, spec.name)
    return ReplayFeed(o["path"], o.get("format", "plain"), o.get("speed"), name=spec.name)


@dataclass
class ListenReport:
    """What a run did: per feed counters, ingest counters and the wall-clock seconds."""

    feeds: dict[str, FeedStats]
    ingest: IngestStats
    seconds: float


def listen(config: ListenConfig, duration: float | None = None, max_messages: int | None = None,
           progress: Callable[[ListenReport], None] | None = None) -> ListenReport:
    """Run the feeds of ``config`` into its twin until ``duration`` s passed, ``max_messages``
    messages were received, every feed is a finished replay, or Ctrl-C; then store what is
    buffered and close the feeds. ``progress`` is called after every append."""
    twin = load_twin(config.folder)
    ingestor = Ingestor(config.folder, SensorMapper(twin, config.max_distance, config.targets))
    feeds = [build_feed(config, spec) for spec in config.feeds]
    report = ListenReport({f.name: f.stats for f in feeds}, ingestor.stats, 0.0)
    start = last_flush = time.monotonic()
    opened: list[Feed] = []
    try:
        for feed in feeds:
            feed.connect()
            opened.append(feed)
            feed.subscribe()
        while True:
            for feed in feeds:
                ingestor.add(feed.poll(timeout=0.05 / len(feeds)))
            now = time.monotonic()
            received = sum(f.stats.received for f in feeds)
            finished = all(isinstance(f, ReplayFeed) and f.done for f in feeds)
            if (finished or (duration is not None and now - start >= duration)
                    or (max_messages is not None and received >= max_messages)):
                break
            if now - last_flush >= config.flush_interval:
                _flush(ingestor)
                last_flush = now
                report.seconds = now - start
                if progress is not None:
                    progress(report)
    except KeyboardInterrupt:
        log.info("interrupted; storing what arrived")
    finally:
        for feed in opened:  # closed first, so what arrived (and was acknowledged) until now is kept
            feed.close()
            ingestor.add(feed.poll())
        ingestor.flush()
    report.seconds = time.monotonic() - start
    if progress is not None:
        progress(report)
    return report


def _flush(ingestor: Ingestor) -> None:
    """Append the buffer; a failing append is logged and retried at the next flush."""
    try:
        ingestor.flush()
    except OSError as error:
        log.error("appending to %s failed (%s); keeping %d observations to retry", ingestor.folder, error,
                  ingestor.pending)
