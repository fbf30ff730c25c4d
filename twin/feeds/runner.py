"""Running feeds headless (``twin listen``): build them from a checked feeds file, poll them,
ingest what arrives into the twin folder, stop after a duration or a number of messages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from twin.errors import StorageError
from twin.feeds.archive import compact
from twin.feeds.base import Feed, FeedStats, log
from twin.feeds.config import FeedSpec, ListenConfig, secret
from twin.feeds.ingest import Ingestor, IngestStats
from twin.feeds.journal import Journal, journal_folder, left_segments
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
        form = o.get("format", "plain")
        journal = Journal(journal_folder(config.folder), _safe(spec.name), form)
        return MqttFeed(settings, PARSERS[form], spec.name, recorder, journal)
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
    """What a run did: per feed counters, ingest counters and the wall-clock seconds.

    Attributes
    ----------
    feeds : dict of str to FeedStats
        Counters of each feed, by name.
    ingest : IngestStats
        Observations stored, duplicates, out of order, unmapped and rejected [-].
    seconds : float
        Wall-clock time of the run so far [s].
    """

    feeds: dict[str, FeedStats]
    ingest: IngestStats
    seconds: float


def listen(config: ListenConfig, duration: float | None = None, max_messages: int | None = None,
           progress: Callable[[ListenReport], None] | None = None) -> ListenReport:
    """Run the feeds of ``config`` into its twin until ``duration`` s passed, ``max_messages``
    messages were received, every feed is a finished replay, or Ctrl-C; then store what is
    buffered and close the feeds. ``progress`` is called after every append.

    Parameters
    ----------
    config : ListenConfig
        A checked feeds file (:func:`load_config`).
    duration : float, optional
        Stop after this long [s]; None runs until interrupted or the replays end.
    max_messages : int, optional
        Stop after this many messages over all feeds [-].
    progress : callable, optional
        Called with the report after every append and at the end.

    Returns
    -------
    ListenReport
        What the run received and stored.

    Raises
    ------
    InputError
        When the twin folder cannot be loaded or a credential's environment variable is not
        set.
    IntegrityError
        When the twin's files changed since it was saved.
    FeedError
        When an HTTP endpoint (NGSI-LD, SensorThings) cannot be used.
    """
    twin = load_twin(config.folder)
    try:
        compact(config.folder)  # what the last run appended, merged into timeseries.h5
    except OSError as error:
        raise StorageError(error.filename or config.folder, error) from None
    ingestor = Ingestor(config.folder, SensorMapper(twin, config.max_distance, config.targets))
    recover_journal(config.folder, ingestor)
    feeds = [build_feed(config, spec) for spec in config.feeds]
    sealed: list[Path] = []
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
                _flush(ingestor, feeds, sealed)
                last_flush = now
                report.seconds = now - start
                if progress is not None:
                    progress(report)
    except KeyboardInterrupt:
        log.info("interrupted; storing what arrived")
    finally:
        for feed in opened:  # closed first, so what arrived (and was acknowledged) until now is kept
            feed.close()
        _flush(ingestor, feeds, sealed, final=True)
    report.seconds = time.monotonic() - start
    if progress is not None:
        progress(report)
    return report


def recover_journal(folder: Path, ingestor: Ingestor) -> int:
    """Store what the journal of the twin ``folder`` holds from a run that ended before its last
    append (a crash), then remove it; returns the observations newly stored."""
    segments = left_segments(journal_folder(folder))
    for path, form in segments:
        replay = ReplayFeed(path, form, name=f"journal {path.name}")
        replay.connect()
        while not replay.done:
            ingestor.add(replay.poll())
        replay.close()
    stored = ingestor.flush()
    for path, _ in segments:
        path.unlink()
    if segments:
        log.info("%s: %d observations recovered from the journal of an interrupted run", folder, stored)
    return stored


def _flush(ingestor: Ingestor, feeds: list[Feed], sealed: list[Path], final: bool = False) -> None:
    """Seal the feeds' journal segments, take what they received and append the buffer; the
    sealed segments go once stored. A failing append is logged and retried at the next flush
    (at the end of the run it raises StorageError: the journal keeps the messages for the next
    start)."""
    for feed in feeds:
        seal = getattr(feed, "seal_journal", None)
        segment = seal(final) if seal is not None else None
        if segment is not None:
            sealed.append(segment)
        ingestor.add(feed.poll())
    try:
        ingestor.flush()
    except OSError as error:
        if final:
            raise StorageError(error.filename or ingestor.folder, error) from None
        log.error("appending to %s failed (%s); keeping %d observations to retry", ingestor.folder, error,
                  ingestor.pending)
        return
    for segment in sealed:
        segment.unlink(missing_ok=True)
    sealed.clear()


def _safe(name: str) -> str:
    """A feed name usable in a file name."""
    return re.sub(r"[^A-Za-z0-9_\-]", "_", name) or "feed"
