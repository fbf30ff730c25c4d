"""What every feed yields and how it is driven: ``Observation``, ``FeedStats`` and ``Feed``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("twin.feeds")

MAX_PAYLOAD_BYTES = 256 * 1024
"""Messages larger than this are counted as oversized and dropped unread."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One measured value: ``sensor`` id, ``quantity`` (e.g. ``intensity``, ``temperature``),
    ``time`` in ms since 1970-01-01 UTC, ``value`` in ``unit`` (SI or a count), and where it came from.

    Optional ``lon``/``lat`` are the sensor position in WGS84 degrees when the message gives it.
    """

    sensor: str
    quantity: str
    time: int
    value: float
    unit: str = ""
    lon: float | None = None
    lat: float | None = None


@dataclass
class FeedStats:
    """Counters of one feed: messages received, observations parsed, what was rejected, and the
    reconnects with the seconds spent disconnected before them."""

    received: int = 0
    observations: int = 0
    malformed: int = 0
    oversized: int = 0
    reconnects: int = 0
    offline_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def reject(self, kind: str, source: str, reason: str) -> None:
        """Count a rejected message of ``kind`` (``malformed`` or ``oversized``) and log why."""
        setattr(self, kind, getattr(self, kind) + 1)
        message = f"{source}: {kind} message: {reason}"
        log.warning(message)
        if len(self.errors) < 100:
            self.errors.append(message)


class Feed(Protocol):
    """A source of observations. ``connect`` opens it, ``subscribe`` names what to receive,
    ``poll`` returns what arrived (waiting at most ``timeout`` s), ``close`` releases it."""

    name: str
    stats: FeedStats

    def connect(self) -> None: ...

    def subscribe(self) -> None: ...

    def poll(self, timeout: float = 0.0) -> list[Observation]: ...

    def close(self) -> None: ...
