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

from simulation.graph import RoadGraph
from simulation.mobility.state import ARRIVED, NOT_RELEASED, ON_LINK, UNROUTABLE, WAITING


@dataclass(frozen=True, eq=False)
class LinkResults:
    """Arrays of shape (n_bins, n_links); bin i covers [bin_start[i], bin_start[i] + bin_width) s.

    Attributes
    ----------
    bin_start : ndarray
        Start of each bin, shape (n_bins,) [s].
    bin_width : float
        Width of every bin [s].
    inflow : ndarray
        Vehicles entering the link [veh/h].
    outflow : ndarray
        Vehicles leaving the link [veh/h].
    density : ndarray
        Time-mean density over the link [veh/km].
    speed : ndarray
        Space-mean speed (Edie), capped at the free speed [km/h]; NaN where the link was empty
        throughout the bin.
    queue : ndarray
        Time-mean vertical queue: vehicles past their free-flow exit time [veh].
    departures : ndarray
        Trips entering the network onto the link [veh/h].
    entry_wait : ndarray
        Their mean wait to enter, from departure to entry [s]; NaN where none entered.
    """

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
    enter the network at the end, 2 on a link at the end, 3 arrived, 4 unroutable. A vehicle
    released from a jam (``Settings.release_after``) keeps its status (it drives on); its
    releases are counted.

    Attributes
    ----------
    departure : ndarray
        Departure time from the simulation start [s].
    arrival : ndarray
        Arrival time [s]; NaN if not arrived.
    travel_time : ndarray
        Arrival less departure [s]; NaN if not arrived.
    distance : ndarray
        Length of the links completed [m].
    status : ndarray
        Status code (see above), int8 [-].
    releases : ndarray
        Times the vehicle was released from the head of a link it had been blocked at for
        ``Settings.release_after``, int32 [-].
    """

    departure: np.ndarray    # s
    arrival: np.ndarray      # s, NaN if not arrived
    travel_time: np.ndarray  # s, NaN if not arrived
    distance: np.ndarray     # m, links completed
    status: np.ndarray       # int8
    releases: np.ndarray     # int32, releases from jams

    @property
    def n_arrived(self) -> int:
        """Trips that arrived [veh]."""
        return int(np.count_nonzero(self.status == ARRIVED))

    @property
    def n_stuck(self) -> int:
        """Departed but not arrived by the end of the run (waiting to enter or on a link) [veh]."""
        return int(np.count_nonzero((self.status == WAITING) | (self.status == ON_LINK)))

    @property
    def n_released(self) -> int:
        """Trips released from a jam at least once, whatever their status [veh]."""
        return int(np.count_nonzero(self.releases > 0))

    @property
    def n_unroutable(self) -> int:
        """Trips without a path from origin to destination [veh]."""
        return int(np.count_nonzero(self.status == UNROUTABLE))

    @property
    def n_not_departed(self) -> int:
        """Trips not released within the horizon [veh]."""
        return int(np.count_nonzero(self.status == NOT_RELEASED))


@dataclass(frozen=True, eq=False)
class NetworkSeries:
    """Network totals at the end of each step (time, s): cumulative departures and arrivals,
    vehicles waiting to enter, and vehicles on links (summed from the links' own counts).

    Attributes
    ----------
    time : ndarray
        End of each step [s].
    departed : ndarray
        Trips departed so far (cumulative, unroutable ones not counted), int64 [veh].
    waiting : ndarray
        Vehicles waiting to enter their first link, int64 [veh].
    on_links : ndarray
        Vehicles on links, int64 [veh].
    arrived : ndarray
        Trips arrived so far (cumulative), int64 [veh].
    """

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
    link's nodes.

    Attributes
    ----------
    time : ndarray
        Sample time, float32 [s] (exact for whole seconds up to 194 days).
    vehicle : ndarray
        Vehicle, in demand order, int32 [-].
    link : ndarray
        Link the vehicle is on, int32 [-].
    fraction : ndarray
        Position from the link's upstream node as a share of its length, float32 [-].
    """

    time: np.ndarray      # float32, s (exact for whole seconds up to 194 days)
    vehicle: np.ndarray   # int32
    link: np.ndarray      # int32
    fraction: np.ndarray  # float32, 0..1

    def xy(self, graph: RoadGraph) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of every row in the graph's CRS, m.

        Parameters
        ----------
        graph : RoadGraph
            The graph of the run.

        Returns
        -------
        x, y : ndarray
            Coordinates of each row on the straight line between the link's nodes [m].
        """
        f = self.fraction.astype(np.float64)
        a, b = graph.link_from[self.link], graph.link_to[self.link]
        x0, y0 = graph.node_x[a], graph.node_y[a]
        return x0 + f * (graph.node_x[b] - x0), y0 + f * (graph.node_y[b] - y0)


@dataclass(frozen=True, eq=False)
class Result:
    """Everything a run produces. ``end_time`` is the simulated time (s); ``route_builds`` counts
    routing rounds; ``timings`` (wall-clock s) splits the run time. Arrays compare with numpy, not ``==``.

    Attributes
    ----------
    links : LinkResults
        Per link and time bin.
    trips : TripResults
        Per vehicle.
    network : NetworkSeries
        Network totals per step.
    positions : Positions
        Sampled vehicle positions (empty without sampling).
    end_time : float
        Simulated time from 0 [s]; less than the horizon when the run stopped early.
    route_builds : int
        Routing rounds (the initial routing and each re-routing) [-].
    timings : dict of str to float
        Wall-clock time of the run (``total``) and of its ``routing`` and ``stepping`` [s].
    """

    links: LinkResults
    trips: TripResults
    network: NetworkSeries
    positions: Positions
    end_time: float
    route_builds: int
    timings: dict[str, float] = field(default_factory=dict)


def link_results(occupancy: np.ndarray, queue: np.ndarray, inflow: np.ndarray,
                 outflow: np.ndarray, departures: np.ndarray, wait: np.ndarray,
                 length: np.ndarray, free_speed: np.ndarray, bin_width: float) -> LinkResults:
    """Convert per-bin accumulators (veh s, veh) into rates and means.

    All arrays have shape (n_bins, n_links) except ``length`` and ``free_speed`` (n_links,).

    Parameters
    ----------
    occupancy : ndarray
        Vehicles on the link summed over the bin's time [veh s].
    queue : ndarray
        Vertical queue summed over the bin's time [veh s].
    inflow, outflow : ndarray
        Vehicles entering and leaving the link in the bin [veh].
    departures : ndarray
        Trips entering the network onto the link in the bin [veh].
    wait : ndarray
        Their waits to enter, summed [veh s].
    length : ndarray
        Link length [m].
    free_speed : ndarray
        Free-flow speed [m/s].
    bin_width : float
        Bin width [s].

    Returns
    -------
    LinkResults
        Flows in veh/h, density in veh/km, speed in km/h, queue in veh, waits in s.
    """
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
