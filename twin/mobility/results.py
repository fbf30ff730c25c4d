"""A mobility run's results in the twin's terms: link ids, node ids, clock times, geometry.

Link results are arrays (n_bins, n_links) by name, columns in the order of ``link_ids``; trips and
vehicle positions are pandas tables; KPIs a table of value and unit. Times are seconds after
midnight of the simulated day, coordinates in the twin CRS (m). Names, units and descriptions of
every series and column are those of ``twin.quantities`` (groups ``LINK_SERIES``,
``LINK_TOTALS``, ``TRIPS``, ``POSITIONS``, ``MOBILITY_KPIS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from twin.mobility.network import RoutableNetwork
from twin.quantities import KMH_PER_MS

TRIP_STATUSES: tuple[str, ...] = (
    "not_departed", "waiting", "on_link", "arrived", "unroutable", "outside_network", "same_node",
    "released",
)
"""Trip status: not departed within the horizon, waiting to enter the network at the end, on a
link at the end, arrived, no path (kernel codes 0-4; also an end with no routable junction
within reach, not simulated); origin or destination at a junction the twin does not have,
origin equal to destination (not simulated); on a link at the end after being released from a
jam (kernel code 2 with releases). A trip's releases are in its ``jam_releases``."""


@dataclass(frozen=True, eq=False)
class MobilityRun:
    """Everything a mobility run on a twin produced (columns and units: ``twin.quantities``).

    network: what it ran on; crs: the twin CRS; start: s after midnight at simulation time 0;
    bin_start: s after midnight, per bin; links: arrays (n_bins, n_links) by ``LINK_SERIES``
    name; trips, positions, kpis: tables; notes: what was dropped or assumed; timings:
    wall-clock s.

    Attributes
    ----------
    network : RoutableNetwork
        The routable network the run simulated; ``link_ids`` orders the link columns.
    crs : pyproj.CRS
        The twin CRS of the geometries and positions (coordinates in m).
    start : float
        Clock time at simulation time 0 [s after local midnight of the simulated day].
    bin_start : ndarray
        Start of each time bin, float64, shape (n_bins,) [s after local midnight].
    bin_width : float
        Width of every time bin [s].
    links : mapping of str to ndarray
        Per link and bin, shape (n_bins, n_links), by ``LINK_SERIES`` name: ``inflow`` and
        ``outflow`` [veh/h], ``density`` [veh/km], ``speed`` [km/h] (NaN where the link was
        empty), ``queue`` [veh], ``vehicle_km`` [veh km], ``vehicle_hours`` [veh h], ``co2``
        and ``nox`` [kg].
    trips : pandas.DataFrame
        One row per demand trip (the demand's index), ``TRIPS`` columns: ``origin``,
        ``destination`` (node ids), ``departure``, ``arrival`` [s after local midnight],
        ``travel_time``, ``free_flow_time``, ``delay`` [s], ``distance`` driven [m] and
        ``status`` (one of ``TRIP_STATUSES``); arrival, travel time and delay are NaN where a
        trip did not arrive, free-flow time and distance where it was not simulated (free-flow
        time inf where there is no path).
    positions : pandas.DataFrame
        Sampled vehicle positions, ``POSITIONS`` columns: ``time`` [s after local midnight],
        ``trip`` (the demand's row label), ``link_id``, ``fraction`` of the link's length
        [-], ``x``, ``y`` [m in the twin CRS].
    kpis : pandas.DataFrame
        The ``MOBILITY_KPIS`` indexed by name, columns ``value`` and ``unit`` (trips, veh km,
        veh h, km/h, s, km, kg).
    notes : tuple of str
        What the run dropped or assumed, one readable line each.
    timings : mapping of str to float, default {}
        Wall-clock time of each stage of the run and ``total`` [s].
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
        """Per link totals over the run (``LINK_TOTALS``) with the link's id and geometry."""
        vkm = self.links["vehicle_km"].sum(axis=0)
        vh = self.links["vehicle_hours"].sum(axis=0)
        links = self.network.network.links
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(vh > 0, vkm / vh, np.nan)
        table = pd.DataFrame({
            "id": links["id"].to_numpy(),
            "vehicle_km": vkm, "vehicle_hours": vh,
            "speed": np.minimum(speed, links["free_speed"].to_numpy() * KMH_PER_MS),
            "max_queue": self.links["queue"].max(axis=0, initial=0.0),
            "congested_bins": congested(self.links["density"], self.network).sum(axis=0),
            "co2": self.links["co2"].sum(axis=0), "nox": self.links["nox"].sum(axis=0),
        })
        return gpd.GeoDataFrame(table, geometry=links.geometry.to_numpy(), crs=self.crs)


def critical_density(network: RoutableNetwork) -> np.ndarray:
    """veh/km per link: capacity / free speed, where the triangular diagram peaks."""
    return network.graph.capacity / (network.graph.free_speed * KMH_PER_MS)


def congested(density: np.ndarray, network: RoutableNetwork) -> np.ndarray:
    """Bins (n_bins, n_links) whose mean density exceeds the link's critical density."""
    return density > critical_density(network)[None, :]
