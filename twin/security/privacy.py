"""Trip-level results leave the machine only as aggregates: OD counts per departure period with
cells of fewer than k trips suppressed (k-anonymity)."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
