"""Temporal queries over stored observations, mirroring NGSI-LD's temporal API (ETSI GS CIM 009 §4.11):
``timerel`` before / after / between with ``timeAt`` / ``endTimeAt``, ``lastN``, and
``aggrMethods`` (avg, min, max, sum, totalCount) per ``aggrPeriodDuration`` (ISO 8601, e.g. PT1H)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.feeds.archive import read_series

AGGREGATIONS = {"avg": "mean", "min": "min", "max": "max", "sum": "sum", "totalCount": "count"}
"""NGSI-LD aggregation methods supported and the pandas reduction each one is."""


def temporal_query(folder: str | Path, sensor: str, quantity: str, *, timerel: str | None = None,
                   time_at: str | pd.Timestamp | None = None, end_time_at: str | pd.Timestamp | None = None,
                   last_n: int | None = None, aggr_methods: Sequence[str] = (),
                   aggr_period: str | None = None) -> pd.DataFrame:
    """Observations of ``sensor``'s ``quantity`` as a DataFrame indexed by UTC time.

    timerel: ``before`` (t < timeAt), ``after`` (t > timeAt) or ``between`` (timeAt <= t < endTimeAt).
    last_n: keep only the last N instances that pass the time filter.
    aggr_methods with aggr_period: one row per period (labelled by its start, periods counted
    from timeAt, else from the epoch) and one column per method; otherwise one column ``value``.
    The unit is in ``DataFrame.attrs["unit"]``.
    """
    series, unit = read_series(folder, sensor, quantity)
    series = _filter(series, timerel, time_at, end_time_at)
    if last_n is not None:
        if last_n < 1:
            raise InputError(None, "lastN", f"must be a positive integer, got {last_n}")
        series = series.iloc[-last_n:]
    if aggr_methods:
        frame = _aggregate(series, aggr_methods, aggr_period, time_at)
    else:
        frame = series.rename("value").to_frame()
    frame.attrs["unit"] = unit
    return frame


def _timestamp(value: str | pd.Timestamp | None, field: str) -> pd.Timestamp:
    if value is None:
        raise InputError(None, field, "required by this timerel")
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise InputError(None, field, f"not an ISO 8601 time: {value!r}") from None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _filter(series: pd.Series, timerel: str | None, time_at: object, end_time_at: object) -> pd.Series:
    if timerel is None:
        return series
    start = _timestamp(time_at, "timeAt")
    if timerel == "before":
        return series[series.index < start]
    if timerel == "after":
        return series[series.index > start]
    if timerel == "between":
        end = _timestamp(end_time_at, "endTimeAt")
        return series[(series.index >= start) & (series.index < end)]
    raise InputError(None, "timerel", f"expected before, after or between, got {timerel!r}")


def _aggregate(series: pd.Series, methods: Sequence[str], period: str | None,
               time_at: object) -> pd.DataFrame:
    unknown = [m for m in methods if m not in AGGREGATIONS]
    if unknown:
        raise InputError(None, "aggrMethods", f"unsupported {unknown}; expected some of {list(AGGREGATIONS)}")
    if period is None:
        raise InputError(None, "aggrPeriodDuration", "required with aggrMethods")
    try:
        width = pd.Timedelta(period)
    except ValueError:
        raise InputError(None, "aggrPeriodDuration", f"not an ISO 8601 duration: {period!r}") from None
    origin = _timestamp(time_at, "timeAt") if time_at is not None else "epoch"
    grouped = series.resample(width, origin=origin, label="left", closed="left")
    frame = pd.DataFrame({m: getattr(grouped, AGGREGATIONS[m])() for m in methods})
    return frame[frame.get("totalCount", grouped.count()) > 0]
