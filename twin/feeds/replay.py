"""Recorded feeds: ``Recorder`` writes raw messages as JSON Lines, ``ReplayFeed`` plays them back.

One line per message: ``{"t": received, s since the epoch, "topic": ..., "payload": text}``
(``"payload_b64"`` instead when the payload is not UTF-8). Replay runs as fast as it can, or at
``speed`` times the recorded pace; bad lines are counted as malformed with their line number.
"""

from __future__ import annotations

import base64
import threading
import time
from pathlib import Path
from typing import IO

import orjson

from twin.feeds.base import MAX_PAYLOAD_BYTES, FeedStats, Observation
from twin.feeds.payloads import PARSERS, MalformedMessage
from twin.json_text import loads_json


def record_line(topic: str, payload: bytes, received: float | None = None) -> bytes:
    """One recorded message as a JSON Lines line (see the module docstring)."""
    line: dict[str, object] = {"t": time.time() if received is None else received, "topic": topic}
    try:
        line["payload"] = payload.decode("utf-8")
    except UnicodeDecodeError:
        line["payload_b64"] = base64.b64encode(payload).decode("ascii")
    return orjson.dumps(line) + b"\n"


class Recorder:
    """Appends raw messages to a JSON Lines file (thread-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._handle: IO[bytes] | None = open(self.path, "ab")

    def write(self, topic: str, payload: bytes, received: float | None = None) -> None:
        line = record_line(topic, payload, received)
        with self._lock:
            if self._handle is not None:
                self._handle.write(line)

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


class ReplayFeed:
    """Plays back a recorded file of messages in ``format`` (``plain`` or ``ngsi-ld``).

    ``speed`` None replays at once; a number replays at that multiple of the recorded pace.
    ``batch`` bounds the messages one ``poll`` returns; ``done`` says when the file is exhausted."""

    def __init__(self, path: str | Path, format: str = "plain", speed: float | None = None,
                 batch: int = 10_000, max_payload: int = MAX_PAYLOAD_BYTES, name: str = "replay") -> None:
        if format not in PARSERS:
            raise ValueError(f"format: expected one of {sorted(PARSERS)}, got {format!r}")
        self.name = name
        self.path = Path(path)
        self.stats = FeedStats()
        self.done = False
        self._parser = PARSERS[format]
        self._speed = speed
        self._batch = batch
        self._max_payload = max_payload
        self._handle: IO[bytes] | None = None
        self._line = 0
        self._held: tuple[float, str, bytes] | None = None
        self._start: tuple[float, float] | None = None

    def connect(self) -> None:
        self._handle = open(self.path, "rb")

    def subscribe(self) -> None:
        """Nothing to subscribe: the file holds what was subscribed when it was recorded."""

    def poll(self, timeout: float = 0.0) -> list[Observation]:
        out: list[Observation] = []
        for _ in range(self._batch):
            message = self._held or self._next()
            self._held = None
            if message is None:
                break
            if not self._due(message[0]):
                self._held = message
                break
            self._parse(message[1], message[2], out)
        if not out and not self.done and timeout > 0:
            time.sleep(min(timeout, 0.05))
        return out

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _next(self) -> tuple[float, str, bytes] | None:
        if self._handle is None:  # not connected, or closed
            return None
        while raw := self._handle.readline():
            self._line += 1
            self.stats.received += 1
            where = f"{self.path}:{self._line}"
            if len(raw) > 2 * self._max_payload:
                self.stats.reject("oversized", where, f"line of {len(raw)} bytes")
                continue
            try:
                line = loads_json(raw)
                payload = (line["payload"].encode() if "payload" in line
                           else base64.b64decode(line["payload_b64"], validate=True))
                return float(line.get("t", 0.0)), str(line.get("topic", "")), payload
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
                self.stats.reject("malformed", where, f"not a recorded message: {error}")
        self.done = True
        return None

    def _due(self, recorded: float) -> bool:
        if self._speed is None:
            return True
        now = time.monotonic()
        if self._start is None:
            self._start = (now, recorded)
        return now - self._start[0] >= (recorded - self._start[1]) / self._speed

    def _parse(self, topic: str, payload: bytes, out: list[Observation]) -> None:
        where = f"{self.path}:{self._line} {topic}"
        if len(payload) > self._max_payload:
            self.stats.reject("oversized", where, f"{len(payload)} bytes > {self._max_payload}")
            return
        try:
            observations = self._parser(topic, payload)
        except MalformedMessage as error:
            self.stats.reject("malformed", where, str(error))
            return
        self.stats.observations += len(observations)
        out.extend(observations)
