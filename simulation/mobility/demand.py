"""Travel demand: one row per vehicle (trip), optionally with a given route.

A :class:`Demand` holds departure time (s from the simulation start), origin and destination node
index per vehicle, and optionally each vehicle's initial route as a compressed sparse row (CSR)
over vehicles: the links of vehicle ``i`` are ``route_links[route_start[i]:route_start[i + 1]]``.
Vehicles without a given route are routed on free-flow travel times before the run starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.graph import RoadGraph


@dataclass(frozen=True)
class Demand:
    """Trips of individual vehicles.

    departure: s from the simulation start (float64); origin, destination: node index (int32).
    route_start (n_vehicles + 1, int64) and route_links (int32): optional CSR of initial routes;
    a route is a connected sequence of links from the origin to the destination.

    Attributes
    ----------
    departure : ndarray
        Departure time of each vehicle from the simulation start, finite and >= 0, float64
        [s].
    origin, destination : ndarray
        Origin and destination node of each vehicle, int32 [-].
    route_start : ndarray or None
        CSR offsets of the vehicles' initial routes, int64, shape (n_vehicles + 1,) [-]; an
        empty route (or None) lets the run route the vehicle.
    route_links : ndarray or None
        Links of the initial routes, int32 [-]; given with ``route_start`` or not at all.

    Raises
    ------
    ValueError
        On construction, naming the field whose shape or values do not fit.
    """

    departure: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    route_start: np.ndarray | None = None
    route_links: np.ndarray | None = None

    def __post_init__(self) -> None:
        dep = np.ascontiguousarray(self.departure, dtype=np.float64)
        org = np.ascontiguousarray(self.origin, dtype=np.int32)
        dst = np.ascontiguousarray(self.destination, dtype=np.int32)
        if not (dep.ndim == org.ndim == dst.ndim == 1) or not (dep.size == org.size == dst.size):
            raise ValueError("Demand: departure, origin and destination must be 1-D arrays of one length")
        if dep.size and not np.all(np.isfinite(dep)):
            raise ValueError("Demand.departure: every departure time must be finite (s)")
        if dep.size and dep.min() < 0.0:
            raise ValueError("Demand.departure: departure times must be >= 0 s")
        object.__setattr__(self, "departure", dep)
        object.__setattr__(self, "origin", org)
        object.__setattr__(self, "destination", dst)
        if (self.route_start is None) != (self.route_links is None):
            raise ValueError("Demand: give both route_start and route_links, or neither")
        if self.route_start is not None:
            rs = np.ascontiguousarray(self.route_start, dtype=np.int64)
            rl = np.ascontiguousarray(self.route_links, dtype=np.int32)
            if rs.shape != (dep.size + 1,) or rs[0] != 0 or np.any(np.diff(rs) < 0) or rs[-1] != rl.size:
                raise ValueError("Demand.route_start: expected a CSR index of n_vehicles + 1 "
                                 "non-decreasing offsets from 0 to len(route_links)")
            object.__setattr__(self, "route_start", rs)
            object.__setattr__(self, "route_links", rl)

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles (trips) [veh]."""
        return int(self.departure.shape[0])

    def check(self, graph: RoadGraph) -> None:
        """Raise ValueError naming the field if a node or route does not fit ``graph``.

        Parameters
        ----------
        graph : RoadGraph
            The graph the trips run on.

        Returns
        -------
        None
        """
        n = graph.n_nodes
        for name in ("origin", "destination"):
            arr = getattr(self, name)
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise ValueError(f"Demand.{name}: node index outside 0..{n - 1}")
        rl, rs = self.route_links, self.route_start
        if rl is None or rs is None:  # both or neither (checked on construction)
            return
        if rl.size and (rl.min() < 0 or rl.max() >= graph.n_links):
            raise ValueError(f"Demand.route_links: link index outside 0..{graph.n_links - 1}")
        lens = np.diff(rs)
        has = lens > 0
        first = rl[rs[:-1][has]]
        last = rl[rs[1:][has] - 1]
        if np.any(graph.link_from[first] != self.origin[has]):
            raise ValueError("Demand.route_links: a route does not start at its vehicle's origin")
        if np.any(graph.link_to[last] != self.destination[has]):
            raise ValueError("Demand.route_links: a route does not end at its vehicle's destination")
        starts = np.zeros(rl.size + 1, dtype=bool)
        starts[rs[:-1]] = True  # position i + 1 opens a new route: (i, i + 1) is no link pair
        idx = np.nonzero(~starts[1:rl.size])[0]
        if idx.size and np.any(graph.link_to[rl[idx]] != graph.link_from[rl[idx + 1]]):
            raise ValueError("Demand.route_links: a route has consecutive links that do not connect")


def random_demand(graph: RoadGraph, n_trips: int, start: float, end: float, seed: int,
                  nodes: np.ndarray | None = None) -> Demand:
    """Uniformly random trips between distinct ``nodes`` (default: all), departing in [start, end) s.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    n_trips : int
        Number of trips [veh].
    start, end : float
        Departure period from the simulation start [s]; departures are uniform over it.
    seed : int
        Seed of the draws [-].
    nodes : ndarray, optional
        Node indices to draw origins and destinations from (at least two) [-]; default all.

    Returns
    -------
    Demand
        The trips, sorted by departure time.

    Raises
    ------
    ValueError
        If fewer than two nodes are given.
    """
    rng = np.random.default_rng(seed)
    pool = np.arange(graph.n_nodes, dtype=np.int32) if nodes is None else np.asarray(nodes, np.int32)
    if pool.size < 2:
        raise ValueError("random_demand: need at least two nodes to draw trips between")
    o = rng.integers(0, pool.size, size=n_trips)
    d = rng.integers(0, pool.size - 1, size=n_trips)
    d = d + (d >= o)  # distinct from the origin, still uniform
    dep = np.sort(rng.uniform(start, end, size=n_trips))
    return Demand(departure=dep, origin=pool[o], destination=pool[d])


def demand_from_od(od: np.ndarray, zone_nodes: np.ndarray, start: float, end: float,
                   seed: int) -> Demand:
    """Trips from an origin-destination matrix of vehicle counts over [start, end) s.

    ``od[i, j]`` is the number of trips from zone ``i`` to zone ``j``; each zone is loaded at node
    ``zone_nodes[i]``. Fractional counts are rounded stochastically (seeded); departure times are
    uniform over the period.

    Parameters
    ----------
    od : ndarray
        Trips from zone i to zone j, finite and >= 0, shape (n_zones, n_zones) [veh].
    zone_nodes : ndarray
        Node at which each zone is loaded, shape (n_zones,) [-].
    start, end : float
        Departure period from the simulation start [s].
    seed : int
        Seed of the rounding and departure draws [-].

    Returns
    -------
    Demand
        The trips, sorted by departure time.

    Raises
    ------
    ValueError
        If ``od`` is not square, does not match ``zone_nodes`` or holds negative or
        non-finite counts.
    """
    od = np.asarray(od, dtype=np.float64)
    zone_nodes = np.asarray(zone_nodes, dtype=np.int32)
    if od.ndim != 2 or od.shape[0] != od.shape[1] or od.shape[0] != zone_nodes.size:
        raise ValueError("demand_from_od: od must be a square (n_zones, n_zones) matrix matching zone_nodes")
    if np.any(od < 0) or not np.all(np.isfinite(od)):
        raise ValueError("demand_from_od: od counts must be finite and >= 0")
    rng = np.random.default_rng(seed)
    whole = np.floor(od)
    counts = (whole + (rng.random(od.shape) < od - whole)).astype(np.int64).ravel()
    pair = np.repeat(np.arange(counts.size), counts)
    dep = rng.uniform(start, end, size=pair.size)
    order = np.argsort(dep, kind="stable")
    n = od.shape[0]
    return Demand(departure=dep[order], origin=zone_nodes[pair[order] // n],
                  destination=zone_nodes[pair[order] % n])
