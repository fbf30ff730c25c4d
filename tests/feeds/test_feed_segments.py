"""Appends write immutable segments beside timeseries.h5, never rewrite it: each segment is
listed in the manifest with its SHA-256 and size, readers see every segment, a changed or
dropped-in segment is named at load and refused by compaction, and compaction (at save, at the
start of the feeds and at MAX_SEGMENTS) merges them into timeseries.h5 without loss."""

from __future__ import annotations

import h5py
import pytest

from twin.errors import IntegrityError
from twin.feeds import archive
from twin.feeds.archive import append_observations, compact, list_series, read_series
from twin.feeds.base import Observation
from twin.feeds.payloads import to_ms
from twin.store import TIMESERIES, load_twin, read_manifest, save_twin, verify_files
from twin.store.segments import segment_names

T0 = to_ms("2026-05-01T00:00:00Z")


def _obs(sensor: str, start: int, n: int) -> list[Observation]:
    return [Observation(sensor, "intensity", T0 + 1000 * i, float(i), "veh") for i in range(start, start + n)]


def test_an_append_adds_a_listed_segment_and_leaves_timeseries_untouched(twin_folder) -> None:
    before = (twin_folder / TIMESERIES).read_bytes()
    append_observations(twin_folder, _obs("s1", 0, 10))
    append_observations(twin_folder, _obs("s1", 5, 10) + _obs("s2", 0, 3), {"s2": ("link", "L2")})
    assert (twin_folder / TIMESERIES).read_bytes() == before
    manifest = read_manifest(twin_folder)
    assert segment_names(manifest) == ["timeseries/segment-000001.h5", "timeseries/segment-000002.h5"]
    assert manifest["files"]["timeseries/segment-000002.h5"]["size"] == \
        (twin_folder / "timeseries/segment-000002.h5").stat().st_size
    assert verify_files(twin_folder, manifest) == []
    with h5py.File(twin_folder / "timeseries/segment-000002.h5", "r") as segment:
        assert len(segment["observations/s1/intensity/time"]) == 5  # only what was new
    assert read_series(twin_folder, "s1", "intensity")[0].tolist() == [float(i) for i in range(15)]
    table = list_series(twin_folder).set_index("sensor")
    assert table.loc["s1", "count"] == 15 and table.loc["s1", "last_value"] == 14.0
    assert (table.loc["s2", "target_kind"], table.loc["s2", "target_id"]) == ("link", "L2")
    load_twin(twin_folder)


def test_a_changed_or_added_segment_is_named_and_never_merged(twin_folder) -> None:
    append_observations(twin_folder, _obs("s1", 0, 10))
    segment = twin_folder / "timeseries/segment-000001.h5"
    with h5py.File(segment, "r+") as store:
        store["observations/s1/intensity/value"][0] = 1e9
    with pytest.raises(IntegrityError, match="segment-000001.h5"):
        load_twin(twin_folder)
    with pytest.raises(IntegrityError, match="segment-000001.h5"):
        compact(twin_folder)
    assert "timeseries/segment-000001.h5" in read_manifest(twin_folder)["files"]


def test_an_unlisted_segment_is_named_at_load(twin_folder) -> None:
    append_observations(twin_folder, _obs("s1", 0, 10))
    (twin_folder / "timeseries/segment-000002.h5").write_bytes(
        (twin_folder / "timeseries/segment-000001.h5").read_bytes())
    assert verify_files(twin_folder, read_manifest(twin_folder)) == \
        ["timeseries/segment-000002.h5 (not listed in the manifest)"]
    with pytest.raises(IntegrityError, match="not appending"):
        append_observations(twin_folder, _obs("s1", 10, 1))


def test_compaction_at_max_segments_keeps_every_value(twin_folder, monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_SEGMENTS", 4)
    for batch in range(10):
        append_observations(twin_folder, _obs("s1", 10 * batch, 10) + _obs(f"n{batch}", 0, 1))
    assert len(segment_names(read_manifest(twin_folder))) == 2  # compacted at the 4th and 8th append
    assert read_series(twin_folder, "s1", "intensity")[0].tolist() == [float(i) for i in range(100)]
    assert len(list_series(twin_folder)) == 11
    compact(twin_folder)
    assert segment_names(read_manifest(twin_folder)) == []
    assert not (twin_folder / "timeseries").exists()
    assert read_series(twin_folder, "s1", "intensity")[0].tolist() == [float(i) for i in range(100)]
    assert verify_files(twin_folder, read_manifest(twin_folder)) == []


def test_the_series_limit_counts_series_in_every_segment(twin_folder, monkeypatch) -> None:
    monkeypatch.setattr(archive, "MAX_SERIES", 2)
    append_observations(twin_folder, _obs("a", 0, 1))
    append_observations(twin_folder, _obs("b", 0, 1))
    assert len(append_observations(twin_folder, _obs("c", 0, 1) + _obs("a", 1, 1)).refused) == 1


def test_a_save_merges_the_segments(delft, twin_folder) -> None:
    append_observations(twin_folder, _obs("s1", 0, 10))
    append_observations(twin_folder, _obs("s1", 10, 10))
    save_twin(delft, twin_folder)
    assert segment_names(read_manifest(twin_folder)) == []
    assert len(read_series(twin_folder, "s1", "intensity")[0]) == 20


def test_the_bytes_an_append_writes_do_not_grow_with_the_store(twin_folder) -> None:
    def written(start: int) -> int:
        append_observations(twin_folder, _obs("probe", start, 10))
        return (twin_folder / segment_names(read_manifest(twin_folder))[-1]).stat().st_size

    small = written(0)
    append_observations(twin_folder, [o for s in range(20) for o in _obs(f"big{s}", 0, 10_000)])
    compact(twin_folder)
    assert (twin_folder / TIMESERIES).stat().st_size > 2_000_000
    assert written(10) == small


def test_an_append_that_cannot_compact_is_still_stored(twin_folder, monkeypatch, caplog) -> None:
    monkeypatch.setattr(archive, "MAX_SEGMENTS", 2)
    append_observations(twin_folder, _obs("s1", 0, 5))
    with h5py.File(twin_folder / "timeseries/segment-000001.h5", "r+") as store:
        store["observations/s1/intensity/value"][0] = 1e9  # the same size, another content
    assert append_observations(twin_folder, _obs("s1", 5, 5)).stored == 5
    assert "segments not merged" in caplog.text and "segment-000001.h5" in caplog.text
    assert segment_names(read_manifest(twin_folder))[-1] == "timeseries/segment-000002.h5"
