"""Outputs of a run as frozen dataclasses of plain arrays, with units.

Per link and time bin: inflow and outflow (veh/h), mean density (veh/km), mean speed (km/h,
Edie's space-mean speed: vehicle-distance over vehicle-time, with the distance counted as link
length per vehicle leaving the link in the bin, capped at the free speed) and mean vertical
queue (veh: vehicles past their free-flow exit time still on the link), departures onto the link
(veh/h: trips whose first link it is, by the time they enter) and their mean wait to enter (s,
from departure to entry). Per vehicle: departure,
arrival, travel time (s), distance (m) and status. Per step: network totals. Sampled positions:
one row per (sample time, vehicle on a link).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.mobility.state import ARRIVED, NOT_RELEASED, ON_LINK, UNROUTABLE, WAITING


@dataclass(frozen=True, eq=False)
class LinkResults:
    """Arrays of shape (n_bins, n_links); bin i covers [bin_start[i], bin_start[i] + bin_width) s."""

    bin_start: np.ndarray
    bin_width: float
    inflow: np.ndarray   # veh/h
    outflow: np.ndarray  # veh/h
    density: np.ndarray  # veh/km, time mean
    speed: np.ndarray    # km/h, NaN where the link was empty throughout the bin
    queue: np.ndarray    # veh, time mean of the vertical queue
    departures: np.ndarray  # veh/h, trips entering the network onto the link
    entry_wait: np.ndarray  # s, their mean wait to enter (NaN where none entered)


@dataclass(frozen=True, eq=False)
class TripResults:
    """Per vehicle, in demand order. Status: 0 not departed within the horizon, 1 waiting to
    enter the network at the end, 2 on a link at the end, 3 arrived, 4 unroutable."""

    departure: np.ndarray    # s
    arrival: np.ndarray      # s, NaN if not arrived
    travel_time: np.ndarray  # s, NaN if not arrived
    distance: np.ndarray     # m, links completed
    status: np.ndarray       # int8

    @property
    def n_arrived(self) -> int:
        return int(np.count_nonzero(self.status == ARRIVED))

    @property
    def n_stuck(self) -> int:
        """Departed but not arrived by the end of the run (waiting to enter or on a link)."""
        return int(np.count_nonzero((self.status == WAITING) | (self.status == ON_LINK)))

    @property
    def n_unroutable(self) -> int:
        return int(np.count_nonzero(self.status == UNROUTABLE))

    @property
    def n_not_departed(self) -> int:
        return int(np.count_nonzero(self.status == NOT_RELEASED))


@dataclass(frozen=True, eq=False)
class NetworkSeries:
    """Network totals at the end of each step (time, s): cumulative departures and arrivals,
    vehicles waiting to enter, and vehicles on links (summed from the links' own counts)."""

    time: np.ndarray
    departed: np.ndarray
    waiting: np.ndarray
    on_links: np.ndarray
    arrived: np.ndarray


@dataclass(frozen=True, eq=False)
class Positions:
    """Sampled vehicle positions, one row per (sample time, vehicle on a link): at ``time`` (s)
    vehicle ``vehicle`` is on ``link`` at ``fraction`` of its length from the upstream node.
    Compact (16 bytes a row); :meth:`xy` gives coordinates on the straight line between the
    link's nodes."""

    time: np.ndarray      # float32, s (exact for whole seconds up to 194 days)
    vehicle: np.ndarray   # int32
    link: np.ndarray      # int32
    fraction: np.ndarray  # float32, 0..1

    def xy(self, graph) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of every row in the graph's CRS, m."""
        f = self.fraction.astype(np.float64)
        a, b = graph.link_from[self.link], graph.link_to[self.link]
        x0, y0 = graph.node_x[a], graph.node_y[a]
        return x0 + f * (graph.node_x[b] - x0), y0 + f * (graph.node_y[b] - y0)


@dataclass(frozen=True, eq=False)
class Result:
    """Everything a run produces. ``end_time`` is the simulated time (s); ``route_builds`` counts
    routing rounds; ``timings`` (wall-clock s) splits the run time. Arrays compare with numpy, not ``==``."""

    links: LinkResults
    trips: TripResults
    network: NetworkSeries
    positions: Positions
    end_time: float
    route_builds: int
    timings: dict = field(default_factory=dict)


def link_results(occupancy: np.ndarray, queue: np.ndarray, inflow: np.ndarray,
                 outflow: np.ndarray, departures: np.ndarray, wait: np.ndarray,
                 length: np.ndarray, free_speed: np.ndarray, bin_width: float) -> LinkResults:
    """Convert per-bin accumulators (veh s, veh) into rates and means."""
    per_hour = 3600.0 / bin_width
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(occupancy > 0, outflow * length / occupancy, np.nan)
        entry_wait = np.where(departures > 0, wait / departures, np.nan)
    speed = np.minimum(speed, free_speed) * 3.6
    n_bins = occupancy.shape[0]
    return LinkResults(
        bin_start=np.arange(n_bins) * bin_width, bin_width=bin_width,
        inflow=inflow * per_hour, outflow=outflow * per_hour,
        density=occupancy / bin_width / length * 1000.0, speed=speed, queue=queue / bin_width,
        departures=departures * per_hour, entry_wait=entry_wait,
    )
