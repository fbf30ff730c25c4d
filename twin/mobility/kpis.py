"""Key performance indicators of a mobility run, each with its unit."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from twin.mobility.network import RoutableNetwork
from twin.mobility.results import TRIP_STATUSES, congested

KPI_UNITS: dict[str, str] = {
    "trips": "trips",
    **{status: "trips" for status in TRIP_STATUSES},
    "vehicle_km": "veh km",
    "vehicle_hours": "veh h",
    "mean_speed": "km/h",
    "mean_travel_time": "s",
    "p95_travel_time": "s",
    "total_delay": "veh h",
    "congested_link_km": "km",
    "co2": "kg",
    "nox": "kg",
}
"""KPIs: trip counts by status; vehicle-km and vehicle-hours on the links; their ratio; mean and
95th percentile travel time of arrived trips; their total delay against the free-flow fastest
path; length of the links that were in the congested branch of the fundamental diagram in at
least one bin; tailpipe CO2 and NOx."""

COUNT_FIT_UNITS: dict[str, str] = {
    "counts_compared": "link-bins",
    "geh_mean": "1",
    "geh_share_below_5": "1",
    "count_ratio": "1",
}
"""KPIs of the fit of simulated link flows to observed counts, where the twin has counts of
sensors mapped to links in the run's period (``twin.runs.observed``): link-bins compared, mean
GEH, share of link-bins with GEH < 5, and Σ observed / Σ simulated."""


def kpi_table(trips: pd.DataFrame, links: Mapping[str, np.ndarray],
              network: RoutableNetwork) -> pd.DataFrame:
    """The KPIs as a table indexed by name with columns value and unit."""
    arrived = trips[trips["status"] == "arrived"]
    travel = arrived["travel_time"].to_numpy(dtype=np.float64)
    vkm = float(links["vehicle_km"].sum())
    vh = float(links["vehicle_hours"].sum())
    jammed = congested(links["density"], network).any(axis=0)
    counts = trips["status"].value_counts()
    values = {
        "trips": len(trips),
        **{status: int(counts.get(status, 0)) for status in TRIP_STATUSES},
        "vehicle_km": vkm,
        "vehicle_hours": vh,
        "mean_speed": vkm / vh if vh > 0 else float("nan"),
        "mean_travel_time": float(travel.mean()) if travel.size else float("nan"),
        "p95_travel_time": float(np.percentile(travel, 95)) if travel.size else float("nan"),
        "total_delay": float(arrived["delay"].sum()) / 3600.0,
        "congested_link_km": float(network.graph.length[jammed].sum()) / 1000.0,
        "co2": float(links["co2"].sum()),
        "nox": float(links["nox"].sum()),
    }
    return pd.DataFrame({"value": pd.Series(values, dtype=np.float64),
                         "unit": pd.Series(KPI_UNITS)}).rename_axis("kpi")
