"""The fit of a run's simulated link flows to the counts observed in its twin (GEH)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from twin.feeds.count_comparison import compare_counts
from twin.mobility.results import MobilityRun
from twin.scenarios.scenario import Period

GEH_ACCEPTED = 5.0
"""GEH below which a link-hour counts as fitting (the usual acceptance threshold)."""


class Binned(Protocol):
    """Mobility output with bins: a run (``MobilityRun``) or a results file's part."""

    @property
    def bin_start(self) -> np.ndarray:
        """Start of each bin [s after local midnight]."""
        ...


def bin_start_utc(mobility: Binned, period: Period) -> pd.DatetimeIndex:
    """UTC start of each bin of ``mobility`` (a run or a results file's mobility part).

    The run's clock is the local clock time at the period's start plus the seconds elapsed
    (``Period.local_window``), so a bin lies ``bin_start - start`` seconds after the period's
    UTC start, also across a daylight-saving change.
    """
    start, _ = period.local_window()
    elapsed = pd.to_timedelta(np.asarray(mobility.bin_start, dtype=np.float64) - start, unit="s")
    return pd.DatetimeIndex(pd.Timestamp(period.start).tz_convert("UTC") + elapsed)


def count_fit(folder: str | Path, mobility: MobilityRun,
              period: Period) -> tuple[pd.DataFrame, dict[str, float]] | None:
    """Observed counts of the twin folder's link sensors against the run's outflows per bin
    (link, sensor, bin_start, observed, simulated veh/h, geh) and the fit KPIs
    (``twin.quantities`` ``COUNT_FIT_KPIS``); None if no observed count falls in the run's bins."""
    table = compare_counts(folder, [str(i) for i in mobility.link_ids],
                           bin_start_utc(mobility, period), mobility.bin_width,
                           mobility.links["outflow"])
    if table.empty:
        return None
    simulated = float(table["simulated"].sum())
    return table, {
        "counts_compared": float(len(table)),
        "geh_mean": float(table["geh"].mean()),
        "geh_share_below_5": float((table["geh"] < GEH_ACCEPTED).mean()),
        "count_ratio": float(table["observed"].sum()) / simulated if simulated else float("nan"),
    }
