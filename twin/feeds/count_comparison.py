"""Observed counts against simulated link flows (GEH) and the demand scale factor the counts
call for."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from twin.feeds.archive import list_series, read_series


def geh(simulated: np.ndarray | float, observed: np.ndarray | float) -> np.ndarray:
    """The GEH statistic of hourly flows (veh/h): sqrt(2 (M - C)² / (M + C)); 0 where both are 0.
    GEH < 5 is the usual acceptance threshold for a link-hour.

    Parameters
    ----------
    simulated : array_like or float
        Simulated hourly flows M [veh/h].
    observed : array_like or float
        Observed hourly flows C [veh/h], of the same shape.

    Returns
    -------
    numpy.ndarray
        GEH [-] (of flows in veh/h; by convention without unit), of the shape of the inputs.
    """
    m = np.asarray(simulated, dtype=np.float64)
    c = np.asarray(observed, dtype=np.float64)
    total = m + c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.sqrt(2.0 * (m - c) ** 2 / np.where(total > 0, total, 1.0)), 0.0)


def compare_counts(folder: str | Path, link_ids: Sequence[str], bin_start: pd.DatetimeIndex, bin_width: float,
                   flow: np.ndarray, quantity: str = "intensity") -> pd.DataFrame:
    """Observed counts of the sensors mapped to links against simulated flows, per link and bin.

    bin_start: UTC start of each simulated bin; bin_width: s; flow: simulated (n_bins, n_links)
    veh/h in the order of ``link_ids``. Observed counts (vehicles per observation) are summed per
    bin and turned into veh/h. Returns link, sensor, bin_start, observed, simulated (veh/h), geh;
    bins without observations are left out.

    Parameters
    ----------
    folder : str or Path
        The twin folder with the observations.
    link_ids : sequence of str
        Ids of the simulated links, the columns of ``flow``.
    bin_start : pandas.DatetimeIndex
        UTC start of each simulated bin.
    bin_width : float
        Width of the bins [s].
    flow : numpy.ndarray
        Simulated flows, shape (n_bins, n_links) [veh/h].
    quantity : str, default "intensity"
        The stored quantity of the counts [vehicles per observation].

    Returns
    -------
    pandas.DataFrame
        One row per link, sensor and bin with observations: ``link``, ``sensor``,
        ``bin_start``, ``observed`` and ``simulated`` [veh/h], ``geh`` [-].
    """
    column = {str(link): j for j, link in enumerate(link_ids)}
    series = list_series(folder)
    counted = series[(series["quantity"] == quantity) & (series["target_kind"] == "link")
                     & series["target_id"].isin(column.keys())]
    edges = pd.DatetimeIndex(bin_start).append(pd.DatetimeIndex([bin_start[-1] + pd.Timedelta(seconds=bin_width)]))
    rows = []
    for row in counted.itertuples(index=False):
        values, _ = read_series(folder, row.sensor, quantity)
        bins = pd.cut(values.index, edges, right=False, labels=False)
        inside = ~np.isnan(bins)
        sums = values[inside].groupby(bins[inside].astype(int)).sum()
        for i, count in sums.items():
            observed = count * 3600.0 / bin_width
            simulated = float(flow[i, column[row.target_id]])
            rows.append({"link": row.target_id, "sensor": row.sensor, "bin_start": edges[i],
                         "observed": observed, "simulated": simulated})
    table = pd.DataFrame(rows, columns=["link", "sensor", "bin_start", "observed", "simulated"])
    table["geh"] = geh(table["simulated"].to_numpy(), table["observed"].to_numpy())
    return table


def demand_scale(comparison: pd.DataFrame) -> float:
    """The factor to multiply demand by so simulated flows match the counts in total:
    Σ observed / Σ simulated over the compared link-bins (1.0 when nothing was simulated).

    Parameters
    ----------
    comparison : pandas.DataFrame
        The table of :func:`compare_counts` (``observed``, ``simulated`` [veh/h]).

    Returns
    -------
    float
        The demand factor [-].
    """
    simulated = float(comparison["simulated"].sum())
    return float(comparison["observed"].sum()) / simulated if simulated > 0 else 1.0
