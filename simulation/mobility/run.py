"""The public entry point: ``simulate(graph, demand, settings, signals) -> Result``."""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from simulation.graph import RoadGraph
from simulation.mobility import kernel
from simulation.mobility.controls import CapacityEvents, TurnCapacities, no_turns
from simulation.mobility.demand import Demand
from simulation.mobility.fundamental import triangular
from simulation.mobility.results import (
    NetworkSeries,
    Positions,
    Result,
    TripResults,
    link_results,
)
from simulation.mobility.routing import link_costs, rebuild_routes, reverse_csr
from simulation.mobility.settings import PARALLEL_MIN_LINKS, Settings
from simulation.mobility.signals import SignalPlan
from simulation.mobility.state import (
    ARRIVAL,
    DISTANCE,
    NOT_RELEASED,
    ON_LINK,
    ROUTE_LEN,
    ROUTE_START,
    S_IN,
    S_OCC,
    S_OUT,
    S_QUEUE,
    SER_ARRIVED,
    SER_DEPARTED,
    SER_ON_LINKS,
    SER_WAITING,
    STATUS,
    WAITING,
    State,
    build_state,
)


class Router:
    """Re-routes the vehicles of one run: the fixed per-run indexes plus the routing call."""

    def __init__(self, graph: RoadGraph, destination: np.ndarray) -> None:
        self.graph = graph
        self.dest_nodes, dest_index = np.unique(destination, return_inverse=True)
        self.dest_index = dest_index.astype(np.int64)
        self.by_dest = np.argsort(self.dest_index, kind="stable").astype(np.int64)
        self.in_csr = reverse_csr(graph)

    def reroute(self, st: State, k: int, mask: np.ndarray) -> int:
        """New routes on the link travel times at step ``k`` for the vehicles in ``mask``."""
        cost = link_costs(st.LF, st.LI, st.hist, k)
        st.route_links, n_new_unroutable = rebuild_routes(
            self.graph, st.VI, st.route_links, cost, self.dest_nodes, self.dest_index,
            self.by_dest, mask, self.in_csr)
        return n_new_unroutable


def simulate(graph: RoadGraph, demand: Demand, settings: Settings | None = None,
             signals: SignalPlan | None = None, turns: TurnCapacities | None = None,
             events: CapacityEvents | None = None) -> Result:
    """Run the mesoscopic traffic simulation of ``demand`` on ``graph``.

    Vehicles without a route in ``demand`` take the fastest route at free flow (with the mean red
    wait of signals); with ``settings.reroute_interval > 0`` a seeded ``reroute_share`` of the
    vehicles on the network (or departing before the next re-routing) takes the currently
    fastest route, from the head of its current link, at each re-routing. The same inputs give
    the same result, for any number of threads.
    """
    settings = settings or Settings()
    available = numba.config.NUMBA_NUM_THREADS
    if settings.threads is not None:
        step_threads = route_threads = max(1, min(settings.threads, available))
    else:  # routing: one barrier per batch of trees, always worth it; stepping: four per step
        route_threads = available
        step_threads = available if graph.n_links >= PARALLEL_MIN_LINKS else 1
    before = numba.get_num_threads()
    try:
        return _simulate(graph, demand, settings, signals, turns, events, step_threads,
                         route_threads)
    finally:
        numba.set_num_threads(before)


def _simulate(graph: RoadGraph, demand: Demand, settings: Settings, signals: SignalPlan | None,
              turns: TurnCapacities | None, events: CapacityEvents | None, step_threads: int,
              route_threads: int) -> Result:
    t_start = time.perf_counter()
    demand.check(graph)
    ev = events or CapacityEvents(np.zeros(0), np.zeros(0, np.int32), np.zeros(0))
    ev.check(graph)
    dt = settings.dt
    model = triangular(graph, settings.jam_density, dt)
    if signals is not None:
        sig = signals.link_arrays(graph)
    else:
        sig = tuple(np.zeros(graph.n_links) for _ in range(4))
    turn_csr = turns.csr(graph) if turns is not None else no_turns(graph.n_links)
    ev_q = ev.capacity / 3600.0
    ev_link = ev.link.astype(np.int64)
    q_peak = model.capacity.copy()
    np.maximum.at(q_peak, ev_link, ev_q)
    n_steps = settings.n_steps
    bin_steps = settings.bin_steps
    n_veh = demand.n_vehicles
    st = build_state(graph, model, sig, turn_csr, demand.departure, demand.origin,
                     demand.destination, q_peak, dt, int(math.ceil(n_steps / bin_steps)), n_steps)
    ctr = np.zeros(kernel.N_COUNTERS, np.int64)

    given = np.zeros(n_veh, dtype=bool)
    if demand.route_start is not None:
        lens = np.diff(demand.route_start)
        given = lens > 0
        st.VI[:, ROUTE_START] = demand.route_start[:-1]
        st.VI[:, ROUTE_LEN] = lens
        st.route_links = demand.route_links.astype(np.int64)
    router = Router(graph, demand.destination)
    reroute_steps = settings.reroute_steps
    # every trip starts with its free-flow route (its habitual route); re-routing then moves a
    # share of the drivers onto the routes that are fastest at the time
    t0 = time.perf_counter()
    numba.set_num_threads(route_threads)
    router.reroute(st, 0, ~given)
    routing_time = time.perf_counter() - t0
    builds = 1

    rng = np.random.default_rng(settings.seed)
    smp = (np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(0, np.int32),
           np.zeros(0, np.float32))
    k = 0
    stepping_time = 0.0
    while k < n_steps:
        k_next = n_steps if reroute_steps == 0 else min(n_steps, (k // reroute_steps + 1) * reroute_steps)
        t0 = time.perf_counter()
        numba.set_num_threads(step_threads)
        k_new, *smp = kernel.advance(
            st.LF, st.LI, st.hist, st.turn_start, st.turn_to, st.TF, st.VF, st.VI, st.order, st.route_links,
            st.NS, st.NL, st.vclock, st.MVN, st.MVI, st.MVT, st.ST, st.SER, ctr,
            ev.time, ev_link, ev_q, *smp, k, k_next, dt, bin_steps, settings.sample_steps,
            settings.stop_when_empty)
        stepping_time += time.perf_counter() - t0
        stopped = k_new < k_next
        k = k_new
        if stopped or k >= n_steps:
            break
        if (settings.stop_when_empty and ctr[kernel.C_RELEASED] == n_veh
                and st.SER[SER_ON_LINKS, k - 1] == 0 and st.SER[SER_WAITING, k - 1] == 0):
            break
        t0 = time.perf_counter()
        status = st.VI[:, STATUS]
        soon = (status == NOT_RELEASED) & (demand.departure < (k + reroute_steps) * dt)
        active = soon | (status == WAITING) | (status == ON_LINK)
        if settings.reroute_share < 1.0:
            active &= rng.random(n_veh) < settings.reroute_share
        numba.set_num_threads(route_threads)
        router.reroute(st, k, active)
        routing_time += time.perf_counter() - t0
        builds += 1

    n_bins = int(math.ceil(k / bin_steps))
    links = link_results(st.ST[S_OCC, :n_bins], st.ST[S_QUEUE, :n_bins], st.ST[S_IN, :n_bins],
                         st.ST[S_OUT, :n_bins], graph.length, graph.free_speed, bin_steps * dt)
    arrival = st.VF[:, ARRIVAL].copy()
    trips = TripResults(departure=demand.departure.copy(), arrival=arrival,
                        travel_time=arrival - demand.departure, distance=st.VF[:, DISTANCE].copy(),
                        status=st.VI[:, STATUS].astype(np.int8))
    network = NetworkSeries(time=(np.arange(k) + 1) * dt, departed=st.SER[SER_DEPARTED, :k].copy(),
                            waiting=st.SER[SER_WAITING, :k].copy(),
                            on_links=st.SER[SER_ON_LINKS, :k].copy(),
                            arrived=st.SER[SER_ARRIVED, :k].copy())
    m = int(ctr[kernel.C_SAMPLES])
    pos = Positions(time=smp[0][:m].copy(), vehicle=smp[1][:m].copy(), link=smp[2][:m].copy(),
                    fraction=smp[3][:m].copy())
    timings = {"total": time.perf_counter() - t_start, "routing": routing_time,
               "stepping": stepping_time}
    return Result(links=links, trips=trips, network=network, positions=pos, end_time=k * dt,
                  route_builds=builds, timings=timings)
