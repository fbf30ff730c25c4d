"""Storage stays bounded: chunks fit each series (small at first, longer as it grows), a
one-value series takes a few kB, and a new series beyond the twin's limit is refused alone,
counted and kept in the quarantine file."""

from __future__ import annotations

import json

import h5py
import numpy as np

from twin.feeds import archive
from twin.feeds.archive import (
    FIRST_CHUNK,
    MAX_CHUNK,
    append_observations,
    chunk_length,
    compact,
    read_series,
)
from twin.feeds.base import Observation
from twin.feeds.ingest import Ingestor
from twin.feeds.payloads import to_ms
from twin.feeds.quarantine import quarantine_path
from twin.store import TIMESERIES, read_manifest, verify_files
from twin.store.segments import segment_names

T0 = to_ms("2026-05-01T00:00:00Z")


def _one(sensor: str, i: int = 0) -> Observation:
    return Observation(sensor, "intensity", T0 + i * 1000, float(i), "veh")


def _chunk(folder, sensor: str, part: str = TIMESERIES) -> int:
    with h5py.File(folder / part, "r") as store:
        return store[f"observations/{sensor}/intensity/time"].chunks[0]


def _newest_segment(folder) -> str:
    return segment_names(read_manifest(folder))[-1]


def test_chunk_length_fits_the_series() -> None:
    assert chunk_length(1) == FIRST_CHUNK
    assert chunk_length(10**7) == MAX_CHUNK
    for n in (1, 100, 1000, 10_000, 100_000):
        length = chunk_length(n)
        assert length & (length - 1) == 0 and (length == FIRST_CHUNK or n > length * archive.GROWTH // 2)


def test_a_one_value_series_takes_a_few_kilobytes(twin_folder) -> None:
    append_observations(twin_folder, [_one("warm-up")])
    compact(twin_folder)
    before = (twin_folder / TIMESERIES).stat().st_size
    append_observations(twin_folder, [_one(f"sensor-{i:04d}") for i in range(1000)])
    segment = _newest_segment(twin_folder)
    assert (twin_folder / segment).stat().st_size / 1000 < 4096  # 64 KiB chunks took 73 kB
    assert _chunk(twin_folder, "sensor-0000", segment) == FIRST_CHUNK
    compact(twin_folder)
    per_series = ((twin_folder / TIMESERIES).stat().st_size - before) / 1000
    assert per_series < 4096, per_series
    assert _chunk(twin_folder, "sensor-0000") == FIRST_CHUNK


def test_a_growing_series_gets_longer_chunks_and_keeps_every_value(twin_folder) -> None:
    values = np.random.default_rng(1).permutation(3000)  # out of order too
    for batch in np.array_split(values, 30):
        append_observations(twin_folder, [_one("s1", int(i)) for i in batch])
    compact(twin_folder)
    assert _chunk(twin_folder, "s1") == chunk_length(3000) > FIRST_CHUNK
    series, _ = read_series(twin_folder, "s1", "intensity")
    assert series.to_numpy().tolist() == list(map(float, range(3000)))
    assert verify_files(twin_folder, read_manifest(twin_folder)) == []


def test_new_series_beyond_the_limit_are_refused_alone_and_kept(twin_folder, monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_SERIES", 3)
    ingestor = Ingestor(twin_folder)
    ingestor.add([_one("a"), _one("b"), _one("c")])
    ingestor.flush()
    ingestor.add([_one("a", 1), _one("d"), _one("e"), _one("c", 1)])
    assert ingestor.flush() == 2  # the known series take more values
    assert (ingestor.stats.stored, ingestor.stats.quarantined) == (5, 2)
    kept = [json.loads(line) for line in quarantine_path(twin_folder).read_text().splitlines()]
    assert [k["observation"]["sensor"] for k in kept] == ["d", "e"]
    assert all(k["reason"].startswith("series: ") for k in kept)
    assert len(read_series(twin_folder, "a", "intensity")[0]) == 2
