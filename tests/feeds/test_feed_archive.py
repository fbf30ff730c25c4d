"""Observations in timeseries.h5: atomic, idempotent appends that keep the manifest right, and the
NGSI-LD-style temporal queries over them."""

from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, IntegrityError
from twin.feeds.archive import append_observations, list_series, read_series
from twin.feeds.base import Observation
from twin.feeds.payloads import to_ms
from twin.feeds.temporal import temporal_query
from twin.store import TIMESERIES, load_twin, read_manifest, verify_files

T0 = to_ms("2026-05-01T00:00:00Z")


def _obs(n: int, sensor: str = "s1", quantity: str = "intensity", step_s: int = 60) -> list[Observation]:
    return [Observation(sensor, quantity, T0 + i * step_s * 1000, float(i), "veh") for i in range(n)]


def test_append_keeps_manifest_right_and_weather(twin_folder):
    before = load_twin(twin_folder).weather.data
    result = append_observations(twin_folder, _obs(100), {"s1": ("link", "L1")})
    assert result.stored == 100
    manifest = read_manifest(twin_folder)
    assert verify_files(twin_folder, manifest) == []
    pd.testing.assert_frame_equal(load_twin(twin_folder).weather.data, before)
    series, unit = read_series(twin_folder, "s1", "intensity")
    assert unit == "veh" and len(series) == 100 and series.iloc[-1] == 99.0
    row = list_series(twin_folder).iloc[0]
    assert (row.sensor, row.target_kind, row.target_id, row["count"]) == ("s1", "link", "L1", 100)


def test_same_observation_twice_is_stored_once(twin_folder):
    append_observations(twin_folder, _obs(50))
    again = append_observations(twin_folder, _obs(60) + _obs(60))
    assert (again.stored, again.duplicates) == (10, 110)
    assert len(read_series(twin_folder, "s1", "intensity")[0]) == 60


def test_out_of_order_append_is_sorted(twin_folder):
    obs = _obs(20)
    assert append_observations(twin_folder, obs[10:]).out_of_order == 0
    assert append_observations(twin_folder, obs[:10][::-1]).out_of_order == 10
    series, _ = read_series(twin_folder, "s1", "intensity")
    assert series.index.is_monotonic_increasing
    np.testing.assert_array_equal(series.to_numpy(), np.arange(20.0))


def test_unit_change_is_rejected_not_stored(twin_folder):
    append_observations(twin_folder, _obs(5))
    result = append_observations(twin_folder, [Observation("s1", "intensity", T0 + 10**9, 1.0, "veh/h")])
    assert result.rejected == 1 and len(read_series(twin_folder, "s1", "intensity")[0]) == 5


def test_failed_append_loses_nothing(twin_folder, monkeypatch):
    append_observations(twin_folder, _obs(30))
    import twin.feeds.archive as archive

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "replace_folder", broken)
    with pytest.raises(OSError):
        append_observations(twin_folder, _obs(40))
    assert verify_files(twin_folder, read_manifest(twin_folder)) == []
    assert len(read_series(twin_folder, "s1", "intensity")[0]) == 30
    assert [p.name for p in twin_folder.parent.iterdir() if p.name.startswith(".")] == []


def test_tampered_timeseries_is_not_appended_to(twin_folder):
    with h5py.File(twin_folder / TIMESERIES, "a") as store:
        store.attrs["tampered"] = 1
    with pytest.raises(IntegrityError, match="timeseries.h5"):
        append_observations(twin_folder, _obs(3))


def test_temporal_query_mirrors_ngsi_ld(twin_folder):
    append_observations(twin_folder, _obs(180))  # 3 h of minutes, values 0..179
    q = lambda **kw: temporal_query(twin_folder, "s1", "intensity", **kw)  # noqa: E731
    assert len(q(timerel="before", time_at="2026-05-01T01:00:00Z")) == 60
    assert len(q(timerel="after", time_at="2026-05-01T01:00:00Z")) == 119
    between = q(timerel="between", time_at="2026-05-01T01:00:00Z", end_time_at="2026-05-01T02:00:00Z")
    assert between["value"].tolist() == list(np.arange(60.0, 120.0))
    assert q(last_n=3)["value"].tolist() == [177.0, 178.0, 179.0]
    hourly = q(aggr_methods=["avg", "min", "max", "sum", "totalCount"], aggr_period="PT1H")
    assert hourly["min"].tolist() == [0.0, 60.0, 120.0]
    assert hourly["avg"].tolist() == [29.5, 89.5, 149.5]
    assert hourly["sum"].iloc[0] == sum(range(60)) and hourly["totalCount"].tolist() == [60, 60, 60]
    assert hourly.attrs["unit"] == "veh"


def test_temporal_query_errors_name_the_parameter(twin_folder):
    append_observations(twin_folder, _obs(3))
    with pytest.raises(InputError, match="timerel"):
        temporal_query(twin_folder, "s1", "intensity", timerel="during", time_at="2026-05-01")
    with pytest.raises(InputError, match="endTimeAt"):
        temporal_query(twin_folder, "s1", "intensity", timerel="between", time_at="2026-05-01")
    with pytest.raises(InputError, match="aggrMethods"):
        temporal_query(twin_folder, "s1", "intensity", aggr_methods=["median"], aggr_period="PT1H")
    with pytest.raises(InputError, match="nope/intensity"):
        temporal_query(twin_folder, "nope", "intensity")


def _append_in_process(folder, start):
    append_observations(folder, _obs(200)[start:start + 50])


def test_concurrent_appends_from_processes_lose_nothing(twin_folder):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_in_process, args=(twin_folder, s)) for s in (0, 50, 100, 150)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(read_series(twin_folder, "s1", "intensity")[0]) == 200
    assert verify_files(twin_folder, read_manifest(twin_folder)) == []
