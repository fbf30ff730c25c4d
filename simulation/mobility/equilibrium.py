"""Day-to-day dynamic user equilibrium by the method of successive averages (MSA).

For planning studies: the same demand is simulated day after day with routes fixed during a
day; after each day every driver knows the time-dependent link travel times of that day and,
with probability 1 / (n + 1) on day n (seeded), switches to the fastest route for their
departure period if it is faster than their own. The days converge towards Wardrop's dynamic
user equilibrium: no driver can arrive earlier by changing route alone.

* Experienced link travel times per time bin (s) from a run's link results: Little's law
  (mean vehicle-seconds on the link over the vehicles leaving it) where vehicles left, the free
  travel time plus the mean vertical queue discharged at capacity x green share where none left,
  the free travel time on empty links; and the mean wait of trips to enter the network onto a
  link (0 where none entered), added where a route starts. Linear in time between bin centres.
* Fastest routes: time-dependent Dijkstra (label setting over entry times) from every origin
  for every departure period that has trips, at the period's centre, in parallel.
* Relative gap, the convergence measure: sum over trips of (cost of the own route - cost of
  the fastest route) / sum of the fastest costs, both on the same day's travel times for a
  departure at the centre of the trip's period. It is 0 at equilibrium.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numba
import numpy as np

from simulation.graph import RoadGraph, csr_out_links
from simulation.mobility.access import access_flags
from simulation.mobility.controls import CapacityEvents, TurnCapacities
from simulation.mobility.demand import Demand
from simulation.mobility.results import LinkResults, Result
from simulation.mobility.routing import CLOSED_COST, heap_pop, heap_push
from simulation.mobility.run import simulate
from simulation.mobility.settings import Settings
from simulation.mobility.signals import SignalPlan
from simulation.turns import allowed_turns

_NO_ACCESS = np.zeros(0, np.uint8)

__all__ = ["EquilibriumResult", "TravelTimes", "equilibrate", "experienced_times",
           "free_link_times"]


@dataclass(frozen=True, eq=False)
class EquilibriumResult:
    """The last day's run, the demand with the routes of that day (explicit routes for every
    routable trip), and per day (iteration): the relative gap and the mean travel time of the
    arrived trips (s); ``switched`` counts the drivers who changed route after each day.

    Attributes
    ----------
    result : Result
        The run of the last day.
    demand : Demand
        The demand with that day's routes.
    relative_gap : ndarray
        Relative gap after each day [-].
    mean_travel_time : ndarray
        Mean travel time of the arrived trips of each day [s]; NaN if none arrived.
    switched : ndarray
        Drivers who changed route after each day, int64 [veh] (0 after the last day).
    """

    result: Result
    demand: Demand
    relative_gap: np.ndarray
    mean_travel_time: np.ndarray
    switched: np.ndarray

    @property
    def iterations(self) -> int:
        """Days simulated [-]."""
        return int(self.relative_gap.size)


def free_link_times(graph: RoadGraph, signals: SignalPlan | None = None) -> np.ndarray:
    """Travel time of every link on an empty network (s): length / free speed plus the mean red
    wait of a fixed-time signal, cycle x (1 - green share)^2 / 2, as the run's own router.

    Parameters
    ----------
    graph : RoadGraph
        The road graph (length in m, free speed in m/s).
    signals : SignalPlan, optional
        Fixed-time signal plans; default none.

    Returns
    -------
    ndarray
        Free travel time of each link, (n_links,) [s].
    """
    free = graph.length / graph.free_speed
    if signals is None:
        return free
    cyc, _, gs, ge = signals.link_arrays(graph)
    red = 1.0 - SignalPlan.green_share(cyc, gs, ge)
    return free + 0.5 * cyc * red * red


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Time-dependent travel times (s), shape (n_bins, n_links), for entering a link in bin i
    ([i, i + 1) x bin_width s): ``link``, the time to drive it, and ``entry``, the wait of a
    trip to enter the network onto it.

    Attributes
    ----------
    link : ndarray
        Travel time of a link entered in each bin, (n_bins, n_links) [s].
    entry : ndarray
        Wait of a trip to enter the network onto a link in each bin, (n_bins, n_links) [s].
    bin_width : float
        Width of the bins [s].
    """

    link: np.ndarray
    entry: np.ndarray
    bin_width: float


def experienced_times(links: LinkResults, graph: RoadGraph,
                      signals: SignalPlan | None = None) -> TravelTimes:
    """Mean travel and entry times of each link in each time bin of a run (s); see the module
    docstring. Links of zero capacity take ``CLOSED_COST`` to drive.

    Parameters
    ----------
    links : LinkResults
        Per-link results of a run (flows in veh/h, density in veh/km, queue in veh, waits in
        s).
    graph : RoadGraph
        The graph of the run.
    signals : SignalPlan, optional
        The run's signal plans; default none.

    Returns
    -------
    TravelTimes
        Link travel and entry times per bin [s].
    """
    free = free_link_times(graph, signals)
    if signals is not None:
        cyc, _, gs, ge = signals.link_arrays(graph)
        green = SignalPlan.green_share(cyc, gs, ge)
    else:
        green = np.ones(graph.n_links)
    q_eff = graph.capacity * green / 3600.0  # veh/s
    occupancy = links.density * graph.length / 1000.0 * links.bin_width  # veh s
    exits = links.outflow * links.bin_width / 3600.0  # veh
    with np.errstate(divide="ignore", invalid="ignore"):
        little = occupancy / exits
        queued = free + links.queue / q_eff
    tt = np.where(exits > 0.0, np.maximum(little, free), np.where(occupancy > 0.0, queued, free))
    tt = np.minimum(np.where(q_eff > 0.0, tt, CLOSED_COST), CLOSED_COST)
    return TravelTimes(link=tt, entry=np.nan_to_num(links.entry_wait, nan=0.0),
                       bin_width=links.bin_width)


@numba.njit(cache=True)
def _time_on(tt: np.ndarray, a: int, t: float, bin_width: float) -> float:
    """Travel time of link ``a`` entered at ``t`` (s): linear between bin centres."""
    n_bins = tt.shape[0]
    x = t / bin_width - 0.5
    if x <= 0.0:
        return tt[0, a]
    i = int(x)
    if i >= n_bins - 1:
        return tt[n_bins - 1, a]
    f = x - i
    return tt[i, a] * (1.0 - f) + tt[i + 1, a] * f


@numba.njit(cache=True, inline="always")
def _td_relax(tt: np.ndarray, bin_width: float, arrive: np.ndarray, pred: np.ndarray,
              hkey: np.ndarray, hnode: np.ndarray, size: int, tu: float, x: int, y: int,
              b: int) -> int:
    """Relax vertex ``y`` (on link ``b``) entered at ``tu`` from vertex ``x`` (-1 at the
    origin); returns the heap size."""
    tv = tu + _time_on(tt, b, tu, bin_width)
    if tv < arrive[y]:
        arrive[y] = tv
        pred[y] = x
        size = heap_push(hkey, hnode, size, tv, y)
    elif tv == arrive[y] and x >= 0 and pred[y] >= 0 and x < pred[y]:
        pred[y] = x
    return size


@numba.njit(cache=True)
def _td_tree(out_start: np.ndarray, out_links: np.ndarray, turn_start: np.ndarray,
             turn_to: np.ndarray, link_to: np.ndarray, tt: np.ndarray, entry: np.ndarray,
             bin_width: float, access: np.ndarray, origin: int, t0: float, arrive: np.ndarray,
             reach: np.ndarray, pred: np.ndarray, hkey: np.ndarray, hnode: np.ndarray) -> None:
    """Earliest arrival at the end of every link departing from ``origin`` at ``t0`` (s) over
    the turns routing may take (``turn_start``/``turn_to``: the turns out of each link), with
    the vertex before each (``pred``, -1 for a first link or unreached); then
    ``pred[2 n_links + n]`` is the vertex of earliest arrival at node ``n`` (-1 if none). Ties
    go to the lowest vertex.

    Vertex ``a < n_links`` is link ``a`` driven freely; with ``access`` (a flag per link and
    node, ``simulation.mobility.access``), vertex ``n_links + a`` is access-only link ``a``
    entered from a through link or from a node with a through way out: from there on only
    access-only links are taken (the access rule, in the order of a trip)."""
    n_links = link_to.size
    for i in range(arrive.size):
        arrive[i] = np.inf
    for i in range(pred.size):
        pred[i] = -1
    rule = access.size > 0
    size = 0
    for j in range(out_start[origin], out_start[origin + 1]):
        a = out_links[j]
        y = a + n_links if rule and access[a] and not access[n_links + origin] else a
        ta = t0 + _time_on(entry, a, t0, bin_width)
        size = _td_relax(tt, bin_width, arrive, pred, hkey, hnode, size, ta, -1, y, a)
    while size > 0:
        tu, x, size = heap_pop(hkey, hnode, size)
        if tu > arrive[x]:
            continue
        a = x if x < n_links else x - n_links
        for j in range(turn_start[a], turn_start[a + 1]):
            b = turn_to[j]
            y = b
            if rule:
                if x >= n_links:  # on the way in: access-only links alone
                    if not access[b]:
                        continue
                    y = b + n_links
                elif access[b] and not access[a]:  # a through link turns in: the way in
                    y = b + n_links
            size = _td_relax(tt, bin_width, arrive, pred, hkey, hnode, size, tu, x, y, b)
    for n in range(reach.size):
        reach[n] = np.inf
    n_vertices = arrive.size
    for x in range(n_vertices):
        n = link_to[x if x < n_links else x - n_links]
        if arrive[x] < reach[n]:
            reach[n] = arrive[x]
            pred[n_vertices + n] = x
    pred[n_vertices + origin] = -1


@numba.njit(cache=True, parallel=True)
def _td_trees(out_start: np.ndarray, out_links: np.ndarray, turn_start: np.ndarray,
              turn_to: np.ndarray, link_to: np.ndarray, tt: np.ndarray, entry: np.ndarray,
              bin_width: float, access: np.ndarray, origins: np.ndarray, t0s: np.ndarray,
              pred: np.ndarray, n_chunks: int) -> None:
    """``_td_tree`` for every (origin, start time) pair, in ``n_chunks`` parallel chunks; fills
    ``pred`` rows (vertices, then nodes)."""
    n_pairs = origins.size
    n_links = link_to.size
    n_vertices = 2 * n_links if access.size else n_links
    for c in numba.prange(n_chunks):
        arrive = np.empty(n_vertices)
        reach = np.empty(pred.shape[1] - n_vertices)
        hkey = np.empty(2 * (turn_to.size + n_links) + 1)
        hnode = np.empty(2 * (turn_to.size + n_links) + 1, np.int64)
        for p in range(c * n_pairs // n_chunks, (c + 1) * n_pairs // n_chunks):
            _td_tree(out_start, out_links, turn_start, turn_to, link_to, tt, entry, bin_width,
                     access, origins[p], t0s[p], arrive, reach, pred[p], hkey, hnode)


@numba.njit(cache=True)
def _route_cost(links: np.ndarray, tt: np.ndarray, entry: np.ndarray, bin_width: float,
                t0: float) -> float:
    """Time (s) to enter and drive ``links`` departing at ``t0``."""
    t = t0 + _time_on(entry, links[0], t0, bin_width)
    for a in links:
        t += _time_on(tt, a, t, bin_width)
    return t - t0


@numba.njit(cache=True, inline="always")
def _path_length(pred: np.ndarray, n_vertices: int, node: int) -> int:
    """Links on the tree's path to ``node`` (``pred`` as from ``_td_tree``, with
    ``n_vertices`` vertices before the nodes)."""
    hops = 0
    x = pred[n_vertices + node]
    while x >= 0:
        x = pred[x]
        hops += 1
    return hops


@numba.njit(cache=True, inline="always")
def _fill_path(pred: np.ndarray, n_vertices: int, n_links: int, node: int,
               out: np.ndarray) -> None:
    """The tree's path to ``node`` into ``out`` (as long as the path), first link first."""
    x = pred[n_vertices + node]
    for i in range(out.size - 1, -1, -1):
        out[i] = x if x < n_links else x - n_links
        x = pred[x]


@numba.njit(cache=True)
def _costs(route_start: np.ndarray, route_links: np.ndarray, pair: np.ndarray, pred: np.ndarray,
           n_vertices: int, n_links: int, dest: np.ndarray, tt: np.ndarray, entry: np.ndarray,
           bin_width: float, t0s: np.ndarray, own: np.ndarray, best: np.ndarray) -> None:
    """Per trip: the cost of its own route and of the fastest path of its (origin, period)
    tree, both leaving at the period's start time ``t0s[pair]`` (NaN without a route/path)."""
    for v in range(pair.size):
        p = pair[v]
        t0 = t0s[p]
        a, b = route_start[v], route_start[v + 1]
        own[v] = _route_cost(route_links[a:b], tt, entry, bin_width, t0) if b > a else np.nan
        hops = _path_length(pred[p], n_vertices, dest[v])
        if hops == 0:
            best[v] = np.nan
            continue
        path = np.empty(hops, np.int32)
        _fill_path(pred[p], n_vertices, n_links, dest[v], path)
        best[v] = _route_cost(path, tt, entry, bin_width, t0)


@numba.njit(cache=True)
def _switch_routes(route_start: np.ndarray, route_links: np.ndarray, pair: np.ndarray,
                   pred: np.ndarray, n_vertices: int, n_links: int, dest: np.ndarray,
                   switch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New route CSR: trips with ``switch`` take their tree's path, the others keep theirs."""
    n = pair.size
    lens = np.empty(n, np.int64)
    for v in range(n):
        if switch[v]:
            lens[v] = _path_length(pred[pair[v]], n_vertices, dest[v])
        else:
            lens[v] = route_start[v + 1] - route_start[v]
    start = np.zeros(n + 1, np.int64)
    for v in range(n):
        start[v + 1] = start[v] + lens[v]
    out = np.empty(start[n], np.int32)
    for v in range(n):
        if switch[v]:
            _fill_path(pred[pair[v]], n_vertices, n_links, dest[v],
                       out[start[v]:start[v + 1]])
        else:
            out[start[v]:start[v + 1]] = route_links[route_start[v]:route_start[v + 1]]
    return start, out


def _systematic_share(candidates: np.ndarray, pair: np.ndarray, dest: np.ndarray,
                      departure: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Pick ``share`` of the candidate trips of every (origin, period, destination) group, spread
    evenly over their departures (systematic sampling from a seeded random phase per group), so
    that the flows that switch are smooth in time rather than a random walk."""
    idx = np.nonzero(candidates)[0]
    out = np.zeros(candidates.size, dtype=bool)
    if idx.size == 0:
        return out
    group = pair[idx].astype(np.int64) * (int(dest.max()) + 1) + dest[idx]
    order = np.lexsort((departure[idx], group))
    idx, group = idx[order], group[order]
    new = np.ones(idx.size, dtype=bool)
    new[1:] = group[1:] != group[:-1]
    first = np.nonzero(new)[0]
    g = np.cumsum(new) - 1
    rank = np.arange(idx.size) - first[g]
    pos = rank * share + rng.random(first.size)[g]
    out[idx[np.floor(pos + share) > np.floor(pos)]] = True
    return out


def equilibrate(graph: RoadGraph, demand: Demand, settings: Settings | None = None,
                signals: SignalPlan | None = None, turns: TurnCapacities | None = None,
                events: CapacityEvents | None = None, iterations: int = 20,
                period: float | None = None, gap: float = 0.0, seed: int = 0,
                access_only: np.ndarray | None = None) -> EquilibriumResult:
    """Iterate days of ``demand`` on ``graph`` towards the dynamic user equilibrium (MSA).

    settings: the run settings of every day (re-routing during a day is switched off: routes
    are fixed per day). iterations: most days simulated. period: departure period (s) for
    which one fastest path per origin is computed (default: ``settings.bin_width``). gap: stop
    once the relative gap falls to this value or below. seed: seed of the drivers' switching
    draws. Trips with a given route start on it; the others start on the free-flow route.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    demand : Demand
        The trips, simulated every day.
    settings : Settings, optional
        Run settings of every day (``reroute_interval`` is set to 0); default ``Settings()``.
    signals : SignalPlan, optional
        Fixed-time signal plans; default none.
    turns : TurnCapacities, optional
        Capacities of single turning movements; default none.
    events : CapacityEvents, optional
        Link capacity changes during each day; default none.
    iterations : int
        Most days simulated, >= 1 [-].
    period : float, optional
        Departure period with one fastest path per origin [s]; default ``settings.bin_width``.
    gap : float
        Stop once the relative gap is at or below it [-].
    seed : int
        Seed of the drivers' switching draws [-].
    access_only : ndarray, optional
        Links a trip may use only at its start or end (``simulation.mobility.access``), bool
        (n_links,) [-]; default none.

    Returns
    -------
    EquilibriumResult
        The last day's run and routes, and the gap, mean travel time and switches per day.

    Raises
    ------
    ValueError
        If ``iterations`` < 1, ``period`` is not finite and > 0, or the demand does not fit the
        graph.
    """
    settings = dataclasses.replace(settings or Settings(), reroute_interval=0.0)
    if iterations < 1:
        raise ValueError(f"equilibrate: iterations must be >= 1, got {iterations}")
    period = float(period or settings.bin_width)
    if not (period > 0 and math.isfinite(period)):
        raise ValueError(f"equilibrate: period must be > 0 s, got {period}")
    demand.check(graph)
    out_start, out_links = csr_out_links(graph.n_nodes, graph.link_from)
    out_start = out_start.astype(np.int64)
    out_links = out_links.astype(np.int64)
    link_to = graph.link_to.astype(np.int64)
    no_turns = np.zeros(0, np.int32)
    banned_from = no_turns if turns is None else turns.from_link[turns.capacity == 0]
    banned_to = no_turns if turns is None else turns.to_link[turns.capacity == 0]
    turn_from, turn_to = allowed_turns(graph, banned_from, banned_to, settings.u_turns)
    turn_start, turn_order = csr_out_links(graph.n_links, turn_from)
    turn_to = turn_to[turn_order].astype(np.int64)
    n_links = graph.n_links
    dest = demand.destination.astype(np.int64)

    # one tree per (origin, departure period) that has trips
    key = demand.origin.astype(np.int64) * (int(demand.departure.max() // period) + 1 if
                                            demand.n_vehicles else 1)
    key += (demand.departure // period).astype(np.int64)
    keys, pair = np.unique(key, return_inverse=True)
    first = np.zeros(keys.size, np.int64)
    first[pair[::-1]] = np.arange(pair.size)[::-1]
    origins = demand.origin[first].astype(np.int64)
    t0s = (demand.departure[first] // period) * period + 0.5 * period
    access = access_flags(graph, access_only)
    rule = _NO_ACCESS if access is None else access
    n_vertices = 2 * n_links if access is not None else n_links
    pred = np.empty((keys.size, n_vertices + graph.n_nodes), np.int32)

    def fastest(times: TravelTimes) -> None:
        _td_trees(out_start, out_links, turn_start, turn_to, link_to, times.link, times.entry,
                  times.bin_width, rule, origins, t0s, pred,
                  min(keys.size, 4 * numba.get_num_threads()))

    free = free_link_times(graph, signals)[None, :]
    if demand.route_start is None or demand.route_links is None:  # both or neither
        start, links = np.zeros(demand.n_vehicles + 1, np.int64), np.zeros(0, np.int32)
    else:
        start, links = demand.route_start, demand.route_links
    fastest(TravelTimes(link=free, entry=np.zeros_like(free), bin_width=settings.end_time))
    start, links = _switch_routes(start, links, pair, pred, n_vertices, n_links, dest,
                                  np.diff(start) == 0)

    rng = np.random.default_rng(seed)
    gaps, means, switched = [], [], []
    own = np.empty(demand.n_vehicles)
    best = np.empty(demand.n_vehicles)
    for day in range(iterations):
        routed = Demand(demand.departure, demand.origin, demand.destination, start, links)
        result = simulate(graph, routed, settings, signals, turns, events, access_only)
        arrived = np.isfinite(result.trips.travel_time)
        means.append(float(result.trips.travel_time[arrived].mean()) if arrived.any() else np.nan)
        times = experienced_times(result.links, graph, signals)
        fastest(times)
        _costs(start, links, pair, pred, n_vertices, n_links, dest, times.link, times.entry,
               times.bin_width, t0s, own, best)
        ok = np.isfinite(own) & np.isfinite(best)
        gaps.append(float(np.sum(own[ok] - best[ok]) / np.sum(best[ok])) if ok.any() else 0.0)
        if gaps[-1] <= gap or day == iterations - 1:
            switched.append(0)
            break
        better = ok & (own - best > 1e-9 * np.maximum(best, 1.0))
        switch = _systematic_share(better, pair, dest, demand.departure, 1.0 / (day + 2), rng)
        switched.append(int(switch.sum()))
        start, links = _switch_routes(start, links, pair, pred, n_vertices, n_links, dest,
                                      switch)
    return EquilibriumResult(result=result, demand=routed, relative_gap=np.asarray(gaps),
                             mean_travel_time=np.asarray(means),
                             switched=np.asarray(switched, np.int64))
