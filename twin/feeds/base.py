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

    Attributes
    ----------
    sensor : str
        Id of the sensor.
    quantity : str
        What was measured (``intensity``, ``temperature``, ``temp_air``, ...).
    time : int
        When [ms since 1970-01-01 UTC].
    value : float
        The measured value [``unit``].
    unit : str, default ""
        Unit of ``value``: SI, or a count (vehicles per observation for ``intensity``).
    lon, lat : float or None, default None
        Sensor position, WGS84 [degree], when the message gives it.
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
    reconnects with the seconds spent disconnected before them.

    Attributes
    ----------
    received : int, default 0
        Messages received [-].
    observations : int, default 0
        Observations parsed from them [-].
    malformed : int, default 0
        Messages that could not be parsed [-].
    oversized : int, default 0
        Messages larger than the payload limit, dropped unread [-].
    reconnects : int, default 0
        Reconnections after a lost connection [-].
    offline_seconds : float, default 0.0
        Time spent disconnected before the reconnects [s].
    errors : list of str, optional
        The first 100 rejection messages.
    """

    received: int = 0
    observations: int = 0
    malformed: int = 0
    oversized: int = 0
    reconnects: int = 0
    offline_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def reject(self, kind: str, source: str, reason: str) -> None:
        """Count a rejected message of ``kind`` (``malformed`` or ``oversized``) and log why.

        Parameters
        ----------
        kind : {"malformed", "oversized"}
            The counter to increase.
        source : str
            Where the message came from (topic, URL).
        reason : str
            Why it was rejected.
        """
        setattr(self, kind, getattr(self, kind) + 1)
        message = f"{source}: {kind} message: {reason}"
        log.warning(message)
        if len(self.errors) < 100:
            self.errors.append(message)


class Feed(Protocol):
    """A source of observations. ``connect`` opens it, ``subscribe`` names what to receive,
    ``poll`` returns what arrived (waiting at most ``timeout`` s), ``close`` releases it.

    Attributes
    ----------
    name : str
        Name of the feed (its ``[[feeds]]`` name).
    stats : FeedStats
        Its counters.
    """

    name: str
    stats: FeedStats

    def connect(self) -> None:
        """Open the source (an MQTT feed keeps reconnecting until ``close``)."""
        ...

    def subscribe(self) -> None:
        """Ask for the topics, entities or datastreams the feed is configured for."""
        ...

    def poll(self, timeout: float = 0.0) -> list[Observation]:
        """The observations that arrived since the last poll.

        Parameters
        ----------
        timeout : float, default 0.0
            Longest wait for the first one when none is waiting [s].

        Returns
        -------
        list of Observation
            What arrived, in arrival order; empty when nothing did.
        """
        ...

    def close(self) -> None:
        """Release the connection and any open files."""
        ...
