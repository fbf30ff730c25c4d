"""The public entry point: ``simulate(graph, demand, settings, signals) -> Result``."""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from simulation.graph import RoadGraph, build_road_graph
from simulation.mobility import kernel
from simulation.mobility.access import access_flags
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
from simulation.mobility.routing import Router
from simulation.mobility.settings import PARALLEL_MIN_LINKS, Settings
from simulation.mobility.signals import SignalPlan
from simulation.mobility.state import (
    ARRIVAL,
    DISTANCE,
    IN,
    OUT,
    RELEASES,
    ROUTE_LEN,
    ROUTE_START,
    S_DEP,
    S_IN,
    S_OCC_DOWN,
    S_OCC_UP,
    S_OUT,
    S_QUEUE,
    S_WAIT,
    SER_ARRIVED,
    SER_DEPARTED,
    SER_ON_LINKS,
    SER_WAITING,
    STATUS,
    WORK,
    State,
    build_state,
)

MOVE_WEIGHT = 20.0
"""Cost of moving one vehicle across a node relative to one link's idle step (load balance)."""
CHUNK_STEPS = 300
"""Steps per chunk when the thread count is chosen during the run (``ThreadChoice``)."""

__all__ = ["Router", "simulate"]


def node_blocks(st: State, threads: int, steps: int) -> np.ndarray:
    """Split the nodes into ``threads`` contiguous blocks of about equal work: every link costs
    a little per step, every vehicle moved (as counted in ``st.work`` since the last split)
    more. Returns the block boundaries (threads + 1); the move counts start again from 0.

    Parameters
    ----------
    st : State
        The run's state; its node work counts are reset in place.
    threads : int
        Number of blocks [-].
    steps : int
        Steps the blocks will run, weighing the links' per-step cost [steps].

    Returns
    -------
    ndarray
        Block boundaries in node numbers, int64 (threads + 1,) [-] (two if one block).
    """
    n_nodes = st.NS.shape[1] - 1
    if threads <= 1 or n_nodes <= threads:
        st.NODE[:, WORK] = 0
        return np.array([0, n_nodes], np.int64)
    degree = np.diff(st.NS[IN]) + np.diff(st.NS[OUT])
    w = np.cumsum(degree * float(max(steps, 1)) + MOVE_WEIGHT * st.NODE[:, WORK])
    cuts = np.searchsorted(w, w[-1] * np.arange(1, threads) / threads)
    st.NODE[:, WORK] = 0
    return np.concatenate([[0], np.maximum.accumulate(cuts), [n_nodes]]).astype(np.int64)


class ThreadChoice:
    """Steps on ``threads`` threads or on one, whichever is faster per unit of work, measured
    on the run itself: each step synchronises the threads, so on a machine whose other cores
    are busy one thread can be many times faster. Both are tried on the first chunks of steps;
    the other is looked at again ``RETRY_CHUNKS`` chunks later, and each time it is still the
    slower, the wait until the next look doubles (up to ``MAX_RETRY_CHUNKS``): a look at the
    slower option costs a whole chunk at its speed. The cost of a chunk is that of
    ``node_blocks``.

    Parameters
    ----------
    threads : int
        The thread count tried against one thread [-].
    """

    RETRY_CHUNKS = 16
    MAX_RETRY_CHUNKS = 128

    def __init__(self, threads: int) -> None:
        """Nothing measured yet (see the class parameters)."""
        self.options = (threads, 1)
        self.seconds_per_work = [math.inf, math.inf]
        self.chunk = 0
        self.current = 0
        self.gap = self.RETRY_CHUNKS
        self.retry_at = self.RETRY_CHUNKS
        self.looking = False

    def next(self) -> int:
        """The thread count of the next chunk.

        Returns
        -------
        int
            Threads to step the next chunk on [-].
        """
        self.looking = False
        if self.chunk < 2:
            self.current = self.chunk
        elif self.chunk >= self.retry_at:
            self.current = 1 - int(np.argmin(self.seconds_per_work))  # look at the other again
            self.looking = True
            self.retry_at = self.chunk + self.gap
        else:
            self.current = int(np.argmin(self.seconds_per_work))
        self.chunk += 1
        return self.options[self.current]

    def record(self, seconds: float, work: float) -> None:
        """The wall time and work of the chunk just stepped.

        Parameters
        ----------
        seconds : float
            Wall-clock time of the chunk [s].
        work : float
            Its work in link steps, a moved vehicle counting ``MOVE_WEIGHT`` [-].

        Returns
        -------
        None
        """
        if work > 0:
            self.seconds_per_work[self.current] = seconds / work
        if self.looking:  # the other option again: wait longer if it lost again
            lost = int(np.argmin(self.seconds_per_work)) != self.current
            self.gap = min(2 * self.gap, self.MAX_RETRY_CHUNKS) if lost else self.RETRY_CHUNKS
            self.retry_at = self.chunk + self.gap - 1


def simulate(graph: RoadGraph, demand: Demand, settings: Settings | None = None,
             signals: SignalPlan | None = None, turns: TurnCapacities | None = None,
             events: CapacityEvents | None = None,
             access_only: np.ndarray | None = None) -> Result:
    """Run the mesoscopic traffic simulation of ``demand`` on ``graph``.

    Vehicles without a route in ``demand`` take the fastest route at free flow (with the mean red
    wait of signals); with ``settings.reroute_interval > 0`` a seeded ``reroute_share`` of the
    vehicles on the network (or departing before the next re-routing) takes the currently
    fastest route, from the head of its current link, at each re-routing. The same inputs give
    the same result, for any number of threads.

    Parameters
    ----------
    graph : RoadGraph
        The road network (lengths in m, free speeds in m/s, capacities in veh/h).
    demand : Demand
        The trips (departures in s from 0).
    settings : Settings, optional
        Time step, horizon, output bins, re-routing, sampling and threads; default
        ``Settings()``.
    signals : SignalPlan, optional
        Fixed-time signal plans; default none.
    turns : TurnCapacities, optional
        Capacities of single turning movements; default none.
    events : CapacityEvents, optional
        Link capacity changes during the run; default none.
    access_only : ndarray, optional
        Links a trip may use only at its start or end, never to pass through (e.g. service
        roads; the rule is in ``simulation.mobility.access``), bool (n_links,) [-]; default
        none.

    Returns
    -------
    Result
        Per-link series, trips, network totals and positions (see :class:`Result`).

    Raises
    ------
    ValueError
        If the demand, signals, turns or events do not fit the graph.
    """
    settings = settings or Settings()
    # numba sets its configuration as module attributes at run time
    available: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined, unused-ignore]
    if settings.threads is not None:
        step_threads = route_threads = max(1, min(settings.threads, available))
    else:  # routing: one barrier per batch of trees, always worth it; stepping: one per step
        route_threads = available
        step_threads = available if graph.n_links >= PARALLEL_MIN_LINKS else 1
    before = numba.get_num_threads()
    try:
        return _simulate(graph, demand, settings, signals, turns, events, access_only,
                         step_threads, route_threads)
    finally:
        numba.set_num_threads(before)


def _simulate(graph: RoadGraph, demand: Demand, settings: Settings, signals: SignalPlan | None,
              turns: TurnCapacities | None, events: CapacityEvents | None,
              access_only: np.ndarray | None, step_threads: int, route_threads: int) -> Result:
    """``simulate`` on the given thread counts for the time steps and for routing."""
    t_start = time.perf_counter()
    demand.check(graph)
    ev = events or CapacityEvents(np.zeros(0), np.zeros(0, np.int32), np.zeros(0))
    ev.check(graph)
    dt = settings.dt
    if signals is not None:
        sig = signals.link_arrays(graph)
    else:
        sig = (np.zeros(graph.n_links), np.zeros(graph.n_links), np.zeros(graph.n_links),
               np.zeros(graph.n_links))
    if turns is not None:
        turns.csr(graph)  # checks against the caller's link ids
    access = access_flags(graph, access_only)  # checks its shape
    # the kernels number links by downstream node: the links a node sends from are adjacent in
    # memory, and nearby nodes' links too (routing still breaks ties on the caller's link ids)
    perm = np.argsort(graph.link_to, kind="stable")
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    ext = graph
    graph = build_road_graph(ext.node_x, ext.node_y, ext.link_from[perm], ext.link_to[perm],
                             ext.length[perm], ext.free_speed[perm], ext.capacity[perm],
                             ext.lanes[perm])
    sig = (sig[0][perm], sig[1][perm], sig[2][perm], sig[3][perm])
    if turns is not None:
        turns = TurnCapacities(inv[turns.from_link], inv[turns.to_link], turns.capacity)
    turn_csr = turns.csr(graph) if turns is not None else no_turns(graph.n_links)
    model = triangular(graph, settings.jam_density, dt)
    ev_q = ev.capacity / 3600.0
    ev_link = inv[ev.link].astype(np.int64)
    q_peak = model.capacity.copy()
    np.maximum.at(q_peak, ev_link, ev_q)
    n_steps = settings.n_steps
    bin_steps = settings.bin_steps
    n_veh = demand.n_vehicles
    st = build_state(graph, model, sig, turn_csr, demand.departure, demand.origin,
                     demand.destination, q_peak, dt, math.ceil(n_steps / bin_steps), n_steps)
    ctr = np.zeros(kernel.N_COUNTERS, np.int64)

    given = np.zeros(n_veh, dtype=bool)
    route_start, route_links = demand.route_start, demand.route_links
    if route_start is not None and route_links is not None:  # both or neither
        lens = np.diff(route_start)
        given = lens > 0
        if route_links.size >= np.iinfo(np.int32).max:
            raise ValueError("Demand.route_links: more than 2**31 - 1 route links")
        st.VI[:, ROUTE_START] = route_start[:-1]
        st.VI[:, ROUTE_LEN] = lens
        st.route_links = inv[route_links].astype(np.int32)
    banned = None if turns is None else (turns.from_link[turns.capacity == 0],
                                         turns.to_link[turns.capacity == 0])
    router = Router(graph, demand.destination, link_ids=perm, banned=banned,
                    u_turns=settings.u_turns,
                    access_only=None if access is None else np.asarray(access_only, bool)[perm])
    reroute_steps = settings.reroute_steps
    # every trip starts with its free-flow route (its habitual route); re-routing then moves a
    # share of the drivers onto the routes that are fastest at the time
    t0 = time.perf_counter()
    numba.set_num_threads(route_threads)
    todo = np.nonzero(~given)[0]
    router.route(st, 0, todo, np.ones(todo.size, dtype=bool))
    routing_time = time.perf_counter() - t0
    builds = 1

    rng = np.random.default_rng(settings.seed)
    smp = (np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(0, np.int32),
           np.zeros(0, np.float32))
    k = 0
    stepping_time = 0.0
    choice = ThreadChoice(step_threads) if settings.threads is None and step_threads > 1 else None
    link_steps = float(np.sum(np.diff(st.NS[IN]) + np.diff(st.NS[OUT])))
    while k < n_steps:
        boundary = n_steps if reroute_steps == 0 else min(n_steps, (k // reroute_steps + 1) * reroute_steps)
        k_next = boundary if choice is None else min(boundary, k + CHUNK_STEPS)
        t0 = time.perf_counter()
        threads = step_threads if choice is None else choice.next()
        numba.set_num_threads(threads)
        blocks = node_blocks(st, threads, k_next - k)
        part = np.zeros((blocks.size - 1, 3), np.int64)
        k_new = kernel.advance(
            st.LF, st.LI, st.dlog, st.ring, st.turn_start, st.turn_to, st.TF, st.VF, st.VI,
            st.order, st.route_links, st.tree, st.NS, st.NL, st.vclock, st.MVS, st.MVI, st.MVT,
            st.ST, st.SER, st.NODE, st.PUB, blocks, part, ctr, ev.time, ev_link,
            ev_q, inv, *smp, k, k_next, dt, bin_steps, settings.sample_steps,
            settings.release_steps, settings.stop_when_empty)
        if choice is not None:
            work = link_steps * (k_new - k) + MOVE_WEIGHT * float(st.NODE[:, WORK].sum())
            choice.record(time.perf_counter() - t0, work)
        if ctr[kernel.C_NEED]:  # grow the sample buffers in place, take the sample, go on
            size = max(int(ctr[kernel.C_NEED]), smp[0].size + smp[0].size // 2, 1 << 16)
            for arr in smp:
                arr.resize(size, refcheck=False)
            kernel.sample(st.LF, st.LI, st.ring, st.VF, inv, k_new * dt, *smp, ctr)
            ctr[kernel.C_NEED] = 0
            if k_new < k_next:
                stepping_time += time.perf_counter() - t0
                k = k_new
                continue
        stepping_time += time.perf_counter() - t0
        stopped = k_new < k_next
        k = k_new
        if stopped or k >= n_steps:
            break
        if k < boundary:  # a chunk of steps ended between two re-routings
            continue
        if (settings.stop_when_empty and ctr[kernel.C_RELEASED] == n_veh
                and st.SER[SER_ON_LINKS, k - 1] == 0 and st.SER[SER_WAITING, k - 1] == 0):
            break
        t0 = time.perf_counter()
        numba.set_num_threads(route_threads)
        cand = router.candidates(st, (k + reroute_steps) * dt)
        if settings.reroute_share < 1.0:
            chosen = rng.random(cand.size) < settings.reroute_share
        else:
            chosen = np.ones(cand.size, dtype=bool)
        router.route(st, k, cand, chosen)
        routing_time += time.perf_counter() - t0
        builds += 1

    n_bins = math.ceil(k / bin_steps)
    kernel.finish_occupancy(st.LI, st.ST, k, bin_steps, dt)
    # the tree pool and the statistics are released before the results are made (on a day of
    # a country both are large); the columns of the statistics in the caller's link order
    st.tree = np.empty((0, st.tree.shape[1]), st.tree.dtype)
    stats = {s: st.ST[:n_bins, inv, s]
             for s in (S_OCC_UP, S_OCC_DOWN, S_QUEUE, S_IN, S_OUT, S_DEP, S_WAIT)}
    st.ST = np.empty((0, *st.ST.shape[1:]), st.ST.dtype)
    occupancy = stats.pop(S_OCC_UP) - stats.pop(S_OCC_DOWN)
    links = link_results(occupancy, stats[S_QUEUE], stats[S_IN], stats[S_OUT], stats[S_DEP],
                         stats[S_WAIT], ext.length, ext.free_speed, bin_steps * dt)
    arrival = st.VF[:, ARRIVAL].copy()
    trips = TripResults(departure=demand.departure.copy(), arrival=arrival,
                        travel_time=arrival - demand.departure, distance=st.VF[:, DISTANCE].copy(),
                        status=st.VI[:, STATUS].astype(np.int8),
                        releases=st.VI[:, RELEASES].copy())
    network = NetworkSeries(time=(np.arange(k) + 1) * dt, departed=st.SER[SER_DEPARTED, :k].copy(),
                            waiting=st.SER[SER_WAITING, :k].copy(),
                            on_links=st.SER[SER_ON_LINKS, :k].copy(),
                            arrived=st.SER[SER_ARRIVED, :k].copy())
    m = int(ctr[kernel.C_SAMPLES])
    for arr in smp:  # no copies: a day of samples can hold a large share of the run's memory
        arr.resize(m, refcheck=False)
    pos = Positions(time=smp[0], vehicle=smp[1], link=smp[2], fraction=smp[3])
    timings = {"total": time.perf_counter() - t_start, "routing": routing_time,
               "stepping": stepping_time}
    return Result(links=links, trips=trips, network=network, positions=pos, end_time=k * dt,
                  route_builds=builds, timings=timings)
