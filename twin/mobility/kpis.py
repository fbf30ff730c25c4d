"""Key performance indicators of a mobility run, each with its unit (``twin.quantities``
``MOBILITY_KPIS``): trip counts by status, the not arrived ones by reason (waiting to enter,
still driving, released from a jam) and in total (``unfinished``), the arrived trips released
from a jam on the way and all releases; vehicle-km and vehicle-hours on the links; their ratio;
mean, median and 95th percentile travel time of arrived trips (the ``unfinished`` trips are
left out); their total delay against the free-flow fastest path; length of the links that were
in the congested branch of the fundamental diagram in at least one bin; tailpipe CO2 and NOx."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from twin.mobility.network import RoutableNetwork
from twin.mobility.results import TRIP_STATUSES, congested
from twin.quantities import MOBILITY_KPIS, SECONDS_PER_HOUR, units

UNFINISHED = ("waiting", "on_link", "released")
"""Statuses of the trips that departed but did not arrive by the end."""


def kpi_table(trips: pd.DataFrame, links: Mapping[str, np.ndarray],
              network: RoutableNetwork) -> pd.DataFrame:
    """The KPIs as a table indexed by name (the table's ``MOBILITY_KPIS``) with columns value
    and unit."""
    arrived = trips[trips["status"] == "arrived"]
    travel = arrived["travel_time"].to_numpy(dtype=np.float64)
    vkm = float(links["vehicle_km"].sum())
    vh = float(links["vehicle_hours"].sum())
    jammed = congested(links["density"], network).any(axis=0)
    counts = trips["status"].value_counts()
    values = {
        "trips": len(trips),
        **{status: int(counts.get(status, 0)) for status in TRIP_STATUSES},
        "unfinished": int(sum(counts.get(status, 0) for status in UNFINISHED)),
        "arrived_after_release": int((arrived["jam_releases"] > 0).sum()),
        "jam_releases": int(trips["jam_releases"].sum()),
        "vehicle_km": vkm,
        "vehicle_hours": vh,
        "mean_speed": vkm / vh if vh > 0 else float("nan"),
        "mean_travel_time": float(travel.mean()) if travel.size else float("nan"),
        "median_travel_time": float(np.median(travel)) if travel.size else float("nan"),
        "p95_travel_time": float(np.percentile(travel, 95)) if travel.size else float("nan"),
        "total_delay": float(arrived["delay"].sum()) / SECONDS_PER_HOUR,
        "congested_link_km": float(network.graph.length[jammed].sum()) / 1000.0,
        "co2": float(links["co2"].sum()),
        "nox": float(links["nox"].sum()),
    }
    unit = units(MOBILITY_KPIS, values)
    return pd.DataFrame({"value": pd.Series(values, dtype=np.float64),
                         "unit": pd.Series(unit, dtype=object)}).rename_axis("kpi")
