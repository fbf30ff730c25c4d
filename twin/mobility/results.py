"""A mobility run's results in the twin's terms: link ids, node ids, clock times, geometry.

Link results are arrays (n_bins, n_links) by name, columns in the order of ``link_ids``; trips and
vehicle positions are pandas tables; KPIs a table of value and unit. Times are seconds after
midnight of the simulated day, coordinates in the twin CRS (m).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from twin.mobility.network import RoutableNetwork

LINK_UNITS: dict[str, str] = {
    "inflow": "veh/h", "outflow": "veh/h", "density": "veh/km", "speed": "km/h", "queue": "veh",
    "vehicle_km": "veh km", "vehicle_hours": "veh h", "co2": "kg", "nox": "kg",
}
"""Per link and bin: flows in and out, mean density, space-mean speed (NaN where empty), mean
vertical queue, vehicle-km and vehicle-hours driven, tailpipe CO2 and NOx."""

LINK_TOTAL_UNITS: dict[str, str] = {
    "vehicle_km": "veh km", "vehicle_hours": "veh h", "speed": "km/h", "max_queue": "veh",
    "congested_bins": "bins", "co2": "kg", "nox": "kg",
}
"""Columns of ``MobilityRun.link_frame``: totals over the run, mean speed (veh-km / veh-h), the
largest bin-mean queue and the number of bins in the congested branch of the fundamental diagram."""

TRIP_UNITS: dict[str, str] = {
    "origin": "node id", "destination": "node id", "departure": "s", "arrival": "s",
    "travel_time": "s", "free_flow_time": "s", "delay": "s", "distance": "m", "status": "",
}
"""Columns of ``MobilityRun.trips``; departure and arrival are seconds after midnight."""

TRIP_STATUSES: tuple[str, ...] = (
    "not_departed", "waiting", "on_link", "arrived", "unroutable", "outside_network", "same_node",
)
"""Trip status: not departed within the horizon, waiting to enter the network at the end, on a
link at the end, arrived, no path (kernel codes 0-4); origin or destination outside the routable
network, origin equal to destination (not simulated)."""

POSITION_UNITS: dict[str, str] = {
    "time": "s", "trip": "", "link_id": "", "fraction": "", "x": "m", "y": "m",
}
"""Columns of ``MobilityRun.positions``: clock time, trip (row label of the demand), link, share
of the link's length travelled, and coordinates on the link's geometry."""


@dataclass(frozen=True, eq=False)
class MobilityRun:
    """Everything a mobility run on a twin produced (see the *_UNITS for columns and units).

    network: what it ran on; crs: the twin CRS; start: s after midnight at simulation time 0;
    bin_start: s after midnight, per bin; links: arrays (n_bins, n_links) by ``LINK_UNITS`` name;
    trips, positions, kpis: tables; notes: what was dropped or assumed; timings: wall-clock s.
    """

    network: RoutableNetwork
    crs: CRS
    start: float
    bin_start: np.ndarray
    bin_width: float
    links: Mapping[str, np.ndarray]
    trips: pd.DataFrame
    positions: pd.DataFrame
    kpis: pd.DataFrame
    notes: tuple[str, ...]
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def link_ids(self) -> np.ndarray:
        return self.network.link_ids

    def link_series(self, link_id: str) -> pd.DataFrame:
        """The bins of one link: a table indexed by bin start (s after midnight)."""
        column = self.network.network.links.index[self.network.network.links["id"] == link_id]
        if column.size == 0:
            raise KeyError(f"link {link_id!r} is not in the routable network")
        a = int(column[0])
        return pd.DataFrame({name: values[:, a] for name, values in self.links.items()},
                            index=pd.Index(self.bin_start, name="bin_start"))

    def link_frame(self) -> gpd.GeoDataFrame:
        """Per link totals over the run (``LINK_TOTAL_UNITS``) with the link's id and geometry."""
        vkm = self.links["vehicle_km"].sum(axis=0)
        vh = self.links["vehicle_hours"].sum(axis=0)
        links = self.network.network.links
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(vh > 0, vkm / vh, np.nan)
        table = pd.DataFrame({
            "id": links["id"].to_numpy(),
            "vehicle_km": vkm, "vehicle_hours": vh,
            "speed": np.minimum(speed, links["free_speed"].to_numpy() * 3.6),
            "max_queue": self.links["queue"].max(axis=0, initial=0.0),
            "congested_bins": congested(self.links["density"], self.network).sum(axis=0),
            "co2": self.links["co2"].sum(axis=0), "nox": self.links["nox"].sum(axis=0),
        })
        return gpd.GeoDataFrame(table, geometry=links.geometry.to_numpy(), crs=self.crs)


def critical_density(network: RoutableNetwork) -> np.ndarray:
    """veh/km per link: capacity / free speed, where the triangular diagram peaks."""
    return network.graph.capacity / (network.graph.free_speed * 3.6)


def congested(density: np.ndarray, network: RoutableNetwork) -> np.ndarray:
    """Bins (n_bins, n_links) whose mean density exceeds the link's critical density."""
    return density > critical_density(network)[None, :]
