"""MQTT feed (paho-mqtt): QoS 1 with a persistent session, TLS and username/password, reconnect
with exponential back-off; payloads parsed in the network thread, observations handed to ``poll``.

A message is acknowledged only once it is in the journal: when the journal cannot be written
(a full disk), the feed acknowledges nothing more and ``poll`` raises the StorageError, so the
listener stops and the broker keeps the unacknowledged messages for the next start.

A broker restart loses nothing at QoS 1: the session is persistent (MQTT 3.1.1 clean_session
False, MQTT 5 clean_start False and a session expiry interval), so the broker keeps the
subscription and queues messages while the client is away, and redelivers unacknowledged ones.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from twin.errors import StorageError
from twin.feeds.base import MAX_PAYLOAD_BYTES, FeedStats, Observation, log
from twin.feeds.journal import Journal
from twin.feeds.payloads import PARSERS, MalformedMessage
from twin.feeds.replay import Recorder

Parser = Callable[[str, bytes], list[Observation]]
"""(topic, payload) -> observations; raises MalformedMessage for a bad payload."""


@dataclass(frozen=True)
class MqttSettings:
    """Where and how to connect. ``client_id`` names the persistent session (keep it stable
    across runs to resume it); ``session_expiry`` s (MQTT 5) is how long the broker keeps it;
    ``tls_ca`` (a CA file) turns TLS on, ``tls_cert``/``tls_key`` add a client certificate;
    ``min_backoff``/``max_backoff`` s (whole seconds, as paho takes them) bound the reconnect
    delay, which doubles per failed attempt."""

    host: str = "127.0.0.1"
    port: int = 1883
    topics: Sequence[str] = ("#",)
    qos: int = 1
    client_id: str = ""
    username: str | None = None
    password: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    mqtt5: bool = False
    session_expiry: int = 86400
    keepalive: int = 30
    min_backoff: int = 1
    max_backoff: int = 30
    max_payload: int = MAX_PAYLOAD_BYTES


class _DrainingClient(mqtt.Client):
    """paho's client reading every packet that has arrived per wake-up, where paho reads one per
    ``select()``: several times the message rate on a loaded machine, same protocol behaviour."""

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        while self._sock is not None:
            rc = self._packet_read()
            if rc == mqtt.MQTTErrorCode.MQTT_ERR_AGAIN:
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
            if rc > 0:
                return self._loop_rc_handle(rc)
        return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN


class MqttFeed:
    """Observations from MQTT topics. ``connect`` starts the network thread (it keeps reconnecting
    until ``close``), ``subscribe`` subscribes the topics (again after every reconnect that did not
    resume the session), ``poll`` returns what arrived."""

    def __init__(self, settings: MqttSettings, parser: Parser = PARSERS["plain"], name: str = "mqtt",
                 recorder: Recorder | None = None, journal: Journal | None = None) -> None:
        self.name = name
        self._journal = journal
        self.settings = settings
        self.stats = FeedStats()
        self._parser = parser
        self._recorder = recorder
        self._raw: list[tuple[str, bytes]] = []
        self._arrived = threading.Condition()
        self._connected = threading.Event()
        self._subscribed = False
        self._ever_connected = False
        self._lost_at: float | None = None
        self._failure: StorageError | None = None
        client_id = settings.client_id or f"twin-{uuid.uuid4().hex[:12]}"
        if settings.mqtt5:
            self._client = _DrainingClient(CallbackAPIVersion.VERSION2, client_id=client_id,
                                           protocol=mqtt.MQTTv5, manual_ack=True)
        else:
            self._client = _DrainingClient(CallbackAPIVersion.VERSION2, client_id=client_id,
                                           clean_session=False, protocol=mqtt.MQTTv311, manual_ack=True)
        if settings.username is not None:
            self._client.username_pw_set(settings.username, settings.password)
        if settings.tls_ca is not None:
            self._client.tls_set(ca_certs=settings.tls_ca, certfile=settings.tls_cert, keyfile=settings.tls_key)
        self._client.reconnect_delay_set(min_delay=settings.min_backoff, max_delay=settings.max_backoff)
        self._client.max_queued_messages_set(0)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    @property
    def connected(self) -> bool:
        """Whether the client is connected right now."""
        return self._connected.is_set()

    def connect(self, timeout: float = 10.0) -> None:
        """Connect (in the background; reconnects until ``close``) and wait up to ``timeout`` s."""
        s = self.settings
        if s.mqtt5:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = s.session_expiry
            self._client.connect_async(s.host, s.port, s.keepalive, clean_start=False, properties=properties)
        else:
            self._client.connect_async(s.host, s.port, s.keepalive)
        self._client.loop_start()
        if not self._connected.wait(timeout):
            log.warning("%s: not connected to %s:%d after %.0f s; still trying", self.name, s.host, s.port, timeout)

    def subscribe(self) -> None:
        """Subscribe the configured topics at the configured QoS (and after each new session)."""
        self._subscribed = True
        if self.connected:
            self._client.subscribe([(topic, self.settings.qos) for topic in self.settings.topics])

    def poll(self, timeout: float = 0.0) -> list[Observation]:
        """Observations that arrived since the last poll, waiting up to ``timeout`` s for one;
        StorageError once the journal could not be written (the messages before it are in
        the journal, the rest unacknowledged)."""
        with self._arrived:
            if not self._raw and self._failure is None and timeout > 0:
                self._arrived.wait(timeout)
            raw, self._raw = self._raw, []
            failure = self._failure
        if failure is not None:
            raise failure
        return self._parse(raw)

    def close(self) -> None:
        """Disconnect (the broker keeps the persistent session) and stop the network thread."""
        self._client.disconnect()
        self._client.loop_stop()
        if self._recorder is not None:
            self._recorder.close()

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags,
                    reason: object, properties: object) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("%s: connection refused: %s", self.name, reason)
            return
        if self._ever_connected:
            self.stats.reconnects += 1
            if self._lost_at is not None:
                self.stats.offline_seconds += time.monotonic() - self._lost_at
                self._lost_at = None
            log.info("%s: reconnected (session %s)", self.name,
                     "resumed" if flags.session_present else "new")
        self._ever_connected = True
        self._connected.set()
        if self._subscribed and not flags.session_present:
            client.subscribe([(topic, self.settings.qos) for topic in self.settings.topics])

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object, reason: object,
                       properties: object) -> None:
        self._connected.clear()
        self._lost_at = time.monotonic()
        log.info("%s: disconnected (%s); reconnecting with back-off", self.name, reason)

    def seal_journal(self, final: bool = False) -> Path | None:
        """Seal the journal segment of what arrived so far (all of it is in the poll buffer
        then) and start the next (``final``: start none); returns the sealed segment, None
        without a journal or messages."""
        if self._journal is None:
            return None
        with self._arrived:
            return self._journal.close() if final else self._journal.seal()

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        """Keep the raw message, in the journal first, then acknowledge it; once the journal
        could not be written, acknowledge nothing more. The network thread stays lean, so
        acknowledgements go out fast; ``poll`` parses."""
        payload = bytes(message.payload)
        with self._arrived:
            if self._failure is not None:
                return
            if self._journal is not None:
                try:
                    self._journal.write(message.topic, payload)
                except StorageError as error:
                    self._failure = error
                    self._arrived.notify()
                    return
            self._raw.append((message.topic, payload))
            self._arrived.notify()
        client.ack(message.mid, message.qos)

    def _parse(self, raw: list[tuple[str, bytes]]) -> list[Observation]:
        out: list[Observation] = []
        limit = self.settings.max_payload
        for topic, payload in raw:
            if self._recorder is not None:
                self._recorder.write(topic, payload)
            if len(payload) > limit:
                self.stats.reject("oversized", topic, f"{len(payload)} bytes > {limit}")
                continue
            try:
                out += self._parser(topic, payload)
            except MalformedMessage as error:
                self.stats.reject("malformed", topic, str(error))
            except Exception as error:  # noqa: BLE001 - a parser bug must not stop ingest
                self.stats.reject("malformed", topic, f"{type(error).__name__}: {error}")
        self.stats.received += len(raw)
        self.stats.observations += len(out)
        return out
