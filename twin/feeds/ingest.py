"""Observations from feeds into the twin folder: checked, mapped to twin objects, buffered and
appended in batches (``twin.feeds.archive``, which skips duplicates and counts those out of
order). An observation that cannot be stored (``twin.feeds.observation_checks``) is rejected
alone, counted and kept in the twin's quarantine file (``twin.feeds.quarantine``), as is one of
a new series beyond the twin's ``MAX_SERIES`` (``twin.feeds.archive``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from twin.feeds.archive import MAX_SERIES, append_observations
from twin.feeds.base import Observation, log
from twin.feeds.mapping import SensorMapper
from twin.feeds.observation_checks import observation_problem
from twin.feeds.quarantine import quarantine, quarantine_path


@dataclass
class IngestStats:
    """Counters over a run: observations ``stored``, ``duplicates`` skipped, ``out_of_order``
    (older than one before them in the same series; still stored, in time order), ``unmapped``
    sensors (no twin object found; still stored), ``rejected`` (unit differs from the stored series),
    ``quarantined`` (not storable: a bad id, time or value, or a new series beyond
    ``MAX_SERIES``; kept in the quarantine file)."""

    stored: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    unmapped: int = 0
    rejected: int = 0
    quarantined: int = 0


class Ingestor:
    """Buffers observations for the twin in ``folder`` and appends them with ``flush``."""

    def __init__(self, folder: str | Path, mapper: SensorMapper | None = None) -> None:
        self.folder = Path(folder)
        self.mapper = mapper
        self.stats = IngestStats()
        self._buffer: list[Observation] = []
        self._unmapped: set[str] = set()

    @property
    def pending(self) -> int:
        """Observations buffered and not yet stored."""
        return len(self._buffer)

    def add(self, observations: Iterable[Observation]) -> None:
        """Buffer ``observations``, mapping their sensors to twin objects; those that cannot be
        stored go to the quarantine file instead."""
        bad = []
        for o in observations:
            problem = observation_problem(o)
            if problem:
                bad.append((o, problem))
                continue
            if self.mapper is not None and self.mapper.target(o.sensor, o.quantity, o.lon, o.lat) is None \
                    and o.sensor not in self._unmapped:
                self._unmapped.add(o.sensor)
                log.info("%s: no link or building within %.0f m; stored unmapped", o.sensor,
                         self.mapper.max_distance)
            self._buffer.append(o)
        if bad:
            quarantine(self.folder, bad)
            self.stats.quarantined += len(bad)
            log.warning("%s: %d observations not storable (first: %r %r: %s); kept in %s",
                        self.folder.name, len(bad), bad[0][0].sensor[:40], bad[0][0].quantity[:40],
                        bad[0][1], quarantine_path(self.folder).name)

    def flush(self) -> int:
        """Append the buffer to the twin folder; returns the number of observations newly stored.
        On failure the buffer is kept, so a later flush can store it."""
        if not self._buffer:
            return 0
        targets = self.mapper.targets if self.mapper is not None else None
        result = append_observations(self.folder, self._buffer, targets)
        self._buffer = []
        if result.refused:
            reason = f"series: the twin holds {MAX_SERIES} series, the most it takes"
            quarantine(self.folder, [(o, reason) for o in result.refused])
            self.stats.quarantined += len(result.refused)
        self.stats.stored += result.stored
        self.stats.duplicates += result.duplicates
        self.stats.out_of_order += result.out_of_order
        self.stats.rejected += result.rejected
        self.stats.unmapped = len(self._unmapped)
        return result.stored
