"""Trip-level results leave the machine only as aggregates: OD counts per departure period with
cells of fewer than k trips suppressed (k-anonymity).

Two aggregations of the same trips leak what each suppressed: an hour's cell less its two
published half-hour cells is the suppressed one. So a results file is released in one
aggregation only, as statistical disclosure control does: the first export records its period
and k beside the file (``RESULTS.released.json``, with the file's SHA-256), and an export with
another period or k of the same results is refused. A new run written to the same path is a
new release.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.hashing import sha256_file
from twin.json_text import loads_json

K_ANONYMITY = 5
"""Smallest count of trips an exported OD cell may hold."""


def aggregate_od(trips: pd.DataFrame, period: float = 3600.0,
                 k: int = K_ANONYMITY) -> tuple[pd.DataFrame, int]:
    """OD counts of ``trips`` (origin, destination, departure s after midnight) per departure
    ``period`` (s) as an OD matrix table (origin, destination, period "HH:MM-HH:MM", trips),
    without the cells of fewer than ``k`` trips; returns it and the number of trips left out.

    Parameters
    ----------
    trips : pandas.DataFrame
        One row per trip with ``origin``, ``destination`` (zone or node ids) and ``departure``
        [s after local midnight].
    period : float, default 3600.0
        Width of the departure periods [s].
    k : int, default 5
        Smallest count of trips a cell may hold to be kept [trips].

    Returns
    -------
    table : pandas.DataFrame
        ``origin``, ``destination``, ``period`` (``"HH:MM-HH:MM"``) and ``trips`` [trips],
        one row per kept cell.
    suppressed : int
        Trips in the cells left out [trips].

    Raises
    ------
    ValueError
        When ``period`` is not positive or ``k`` is less than 1.
    """
    if period <= 0:
        raise ValueError(f"aggregate_od: period must be > 0 s, got {period}")
    if k < 1:
        raise ValueError(f"aggregate_od: k must be >= 1, got {k}")
    start = np.floor(trips["departure"].to_numpy(dtype=np.float64) / period) * period
    cells = (pd.DataFrame({"origin": trips["origin"].astype(str).to_numpy(),
                           "destination": trips["destination"].astype(str).to_numpy(),
                           "start": start})
             .groupby(["origin", "destination", "start"], sort=True).size()
             .rename("trips").reset_index())
    small = cells["trips"] < k
    kept = cells[~small]
    table = pd.DataFrame({
        "origin": kept["origin"].to_numpy(), "destination": kept["destination"].to_numpy(),
        "period": [f"{_clock(s)}-{_clock(s + period)}" for s in kept["start"]],
        "trips": kept["trips"].to_numpy(np.int64)})
    return table, int(cells.loc[small, "trips"].sum())


def _clock(seconds: float) -> str:
    whole = round(seconds)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}"
    return text if whole % 60 == 0 else f"{text}:{whole % 60:02d}"


def release_record(results: Path) -> Path:
    """Where the aggregation released from ``results`` is recorded.

    Parameters
    ----------
    results : Path
        A results file.

    Returns
    -------
    Path
        ``RESULTS.released.json`` beside it.
    """
    return results.with_name(results.name + ".released.json")


def released_od(results: str | Path, trips: pd.DataFrame, period: float = 3600.0,
                k: int = K_ANONYMITY) -> tuple[pd.DataFrame, int]:
    """:func:`aggregate_od` of the trips of the results file ``results``, in the one
    aggregation that file may be released in.

    Parameters
    ----------
    results : str or Path
        The results file the trips come from.
    trips : pandas.DataFrame
        Its trips (``origin``, ``destination``, ``departure`` [s after local midnight]).
    period : float, default 3600.0
        Width of the departure periods [s].
    k : int, default 5
        Smallest count of trips a cell may hold to be kept [trips].

    Returns
    -------
    table : pandas.DataFrame
        The OD table (see :func:`aggregate_od`).
    suppressed : int
        Trips in the cells left out [trips].

    Raises
    ------
    InputError
        At ``period`` when the same results were released before with another period or k.
    """
    results = Path(results)
    record = release_record(results)
    digest = sha256_file(results)
    if record.exists():
        before = loads_json(record.read_bytes())
        same = before.get("sha256") == digest
        if same and (before.get("period"), before.get("k")) != (period, k):
            raise InputError(results, "period", (
                f"released before as {before['period']:g} s periods with k = {before['k']} "
                f"({before['released']}); another aggregation of the same trips could reveal "
                f"the cells left out by subtraction: export with --period {before['period']:g} "
                f"--k {before['k']}"))
    table, suppressed = aggregate_od(trips, period, k)
    if not record.exists() or loads_json(record.read_bytes()).get("sha256") != digest:
        record.write_text(json.dumps({
            "sha256": digest, "period": period, "k": k,
            "released": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=1),
            encoding="utf-8")
    return table, suppressed
