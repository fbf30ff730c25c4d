"""The time-stepping loop: release departures, one parallel pass over the nodes, bookkeeping.

One call advances the state from step ``k0`` to ``k1`` (or until the network is empty). Each
step runs, in order:

1. capacity events due at the step's start;
2. release of trips departing in [t, t + dt) into the entry queue of their first link;
3. per node (parallel, ``nodes.node_step``): link preparation, node model, link closing;
4. network totals per step and, every ``sample_steps``, vehicle positions.

The nodes are split into one contiguous block per thread (``blocks``, balanced on the work
measured so far), so a step synchronises the threads once. Every field of the state has one
writer in a step (see ``state``), so results do not depend on the number of threads or the
split. When the network is empty and every link has settled (capacity accumulators full), the
loop jumps to the next departure or capacity event.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.mobility.fifo import push, ring_at
from simulation.mobility.links import catch_up, count_down, count_up, queue_stats
from simulation.mobility.nodes import step_block
from simulation.mobility.state import (
    ARRIVAL,
    ARRIVED,
    DEPARTURE,
    DEST,
    ENT_HEAD,
    ENT_TAIL,
    ENTRY_TIME,
    FREE_TIME,
    FRM,
    HEAD_IDX,
    LAST_STEP,
    LENGTH,
    LINK,
    N_DOWN,
    N_ENTRY,
    N_UP,
    ORIGIN,
    P_ARRIVED,
    P_ON_LINKS,
    P_WAITING,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    SER_ARRIVED,
    SER_DEPARTED,
    SER_ON_LINKS,
    SER_WAITING,
    STATUS,
    STORAGE,
    TO,
    TROW,
    UNROUTABLE,
    WAITING,
    WAKE,
    Q,
)

# slots of the int64 counter array carried between calls
C_RELEASED, C_DEPARTED, C_ARRIVED, C_EVENT, C_SAMPLES, C_QUIET, C_NEED = 0, 1, 2, 3, 4, 5, 6
N_COUNTERS = 7


@numba.njit(cache=True)
def _release(LI: np.ndarray, VF: np.ndarray, VI: np.ndarray, order: np.ndarray,
             route_links: np.ndarray, tree: np.ndarray, NODE: np.ndarray, ctr: np.ndarray, k: int,
             horizon: float) -> None:
    """Release trips departing before ``horizon`` (in step ``k``) into their first link's
    entry queue; the link's upstream node has work in the step."""
    n = order.size
    i = ctr[C_RELEASED]
    while i < n and VF[order[i], DEPARTURE] < horizon:
        v = order[i]
        i += 1
        if VI[v, STATUS] == UNROUTABLE:
            continue
        ctr[C_DEPARTED] += 1
        if VI[v, TROW] >= 0:
            b = tree[VI[v, TROW], LI.shape[0] + VI[v, ORIGIN]]  # first link from the origin
        elif VI[v, ROUTE_LEN] > 0:
            b = route_links[VI[v, ROUTE_START] + VI[v, ROUTE_POS]]
        elif VI[v, ORIGIN] != VI[v, DEST]:  # never routed: cannot depart
            VI[v, STATUS] = UNROUTABLE
            ctr[C_DEPARTED] -= 1
            continue
        else:
            b = -1
        if b < 0:  # origin == destination: arrives as it departs
            VI[v, STATUS] = ARRIVED
            VF[v, ARRIVAL] = VF[v, DEPARTURE]
            ctr[C_ARRIVED] += 1
            continue
        push(LI, ENT_HEAD, ENT_TAIL, VI, b, v)
        LI[b, N_ENTRY] += 1
        NODE[LI[b, FRM], WAKE] = min(NODE[LI[b, FRM], WAKE], k)
        VI[v, STATUS] = WAITING
        VI[v, LINK] = b
    ctr[C_RELEASED] = i


@numba.njit(cache=True, parallel=True)
def step_nodes(LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray, ring: np.ndarray,
               turn_start: np.ndarray, turn_to: np.ndarray, TF: np.ndarray, VF: np.ndarray,
               VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray, NS: np.ndarray,
               NL: np.ndarray, vclock: np.ndarray, MVS: np.ndarray, MVI: np.ndarray,
               MVT: np.ndarray, ST: np.ndarray, NODE: np.ndarray, PUB: np.ndarray,
               blocks: np.ndarray, part: np.ndarray, k: int, kb: int, kb_prev: int,
               stats_prev: bool, t: float, dt: float, bin_steps: int,
               release_steps: int) -> None:
    """Step ``k`` at every node: one block of nodes per thread, sums per block in ``part``.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    dlog : ndarray
        Departure logs of all links: the step of each departure, int32 [steps].
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2) [-, steps].
    turn_start : ndarray
        CSR offsets of each link's capped turns, int64 (n_links + 1,) [-].
    turn_to : ndarray
        Exit link of each capped turn, int64 [-].
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    VF : ndarray
        Vehicle float fields, float64 (n_vehicles, ``N_VF``) [s, m per field].
    VI : ndarray
        Vehicle integer fields, int32 (n_vehicles, ``N_VI``) [-].
    route_links : ndarray
        Pool of explicit routes, int32 [-].
    tree : ndarray
        Pool of routing trees: next link after every link (-1 where it ends at the destination),
        then the first link from every node, int32 (rows, n_links + n_nodes) [-].
    NS : ndarray
        Offsets of each node's incoming (row ``IN``) and outgoing (row ``OUT``) links, int64 (2,
        n_nodes + 1) [-].
    NL : ndarray
        Link ids of those CSRs, int64 (2, n_links) [-].
    vclock : ndarray
        Virtual time of each node's fair queuing, float64 (n_nodes,) [s].
    MVS : ndarray
        Offsets of each node's move buffer, int64 (n_nodes + 1,) [-].
    MVI : ndarray
        Vehicle and next link of each buffered move, int64 (2, size) [-].
    MVT : ndarray
        Transfer time of each buffered move, float64 (size,) [s].
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    NODE : ndarray
        Node fields, int64 (n_nodes, ``N_NODE``) [steps, veh per field].
    PUB : ndarray
        Counts each link end publishes for the other, int64 (5, n_links) [veh].
    blocks : ndarray
        Boundaries of the node blocks, one block per thread, int64 (n_blocks + 1,) [-].
    part : ndarray
        Per-block sums of a step (arrivals, vehicles on links, waiting), int64 (n_blocks, 3) [veh].
    k : int
        Time step [steps].
    kb : int
        Output bin of the step [-].
    kb_prev : int
        Output bin of the previous step [-].
    stats_prev : bool
        Whether to add the vertical queue of the previous step first.
    t : float
        Start of the step, k dt [s].
    dt : float
        Time step [s].
    bin_steps : int
        Time steps per output bin [steps].
    release_steps : int
        Steps a vehicle may be blocked at a link's head before it is released (0 = never)
        [steps].

    Returns
    -------
    None
        The state and ``part`` are updated in place.
    """
    for c in numba.prange(blocks.size - 1):
        a, o, w = step_block(blocks[c], blocks[c + 1], LF, LI, dlog, ring, turn_start, turn_to,
                             TF, VF, VI, route_links, tree, NS, NL, vclock, MVS, MVI, MVT, ST,
                             NODE, PUB, k, kb, kb_prev, stats_prev, t, dt, bin_steps,
                             release_steps)
        part[c, P_ARRIVED] = a
        part[c, P_ON_LINKS] = o
        part[c, P_WAITING] = w


@numba.njit(cache=True)
def sample(LF: np.ndarray, LI: np.ndarray, ring: np.ndarray, VF: np.ndarray,
           link_order: np.ndarray, ts: float, smp_t: np.ndarray, smp_v: np.ndarray,
           smp_l: np.ndarray, smp_f: np.ndarray, ctr: np.ndarray) -> None:
    """Append the position of every vehicle on a link at time ``ts`` to the sample buffers:
    free-flow progress, but never closer than one jam spacing (L / storage) behind the vehicle
    ahead. Links in the caller's order: ``link_order[e]`` is the kernel's number of link e.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2) [-, steps].
    VF : ndarray
        Vehicle float fields, float64 (n_vehicles, ``N_VF``) [s, m per field].
    link_order : ndarray
        Kernel number of each link in the caller's numbering, int64 [-].
    ts : float
        Sample time [s].
    smp_t : ndarray
        Sample buffer of times, float32 [s].
    smp_v : ndarray
        Sample buffer of vehicles, int32 [-].
    smp_l : ndarray
        Sample buffer of links (caller's numbering), int32 [-].
    smp_f : ndarray
        Sample buffer of positions as a share of the link's length, float32 [-].
    ctr : ndarray
        Counters carried between calls (slots ``C_*``), int64 (``N_COUNTERS``,) [veh, -].

    Returns
    -------
    None
        The rows are written from ``ctr[C_SAMPLES]`` on, which counts them [-]; the buffers
        must hold them.
    """
    count = ctr[C_SAMPLES]
    for e in range(link_order.size):
        a = link_order[e]
        length = LF[a, LENGTH]
        spacing = length / LF[a, STORAGE]
        prev = length
        for i in range(LI[a, N_DOWN], LI[a, N_UP]):
            v = ring_at(LI, ring, a, i)
            pos = (ts - VF[v, ENTRY_TIME]) / LF[a, FREE_TIME] * length
            pos = max(min(pos, prev, length), 0.0)
            smp_t[count] = ts
            smp_v[count] = v
            smp_l[count] = e
            smp_f[count] = pos / length
            count += 1
            prev = pos - spacing
    ctr[C_SAMPLES] = count


@numba.njit(cache=True)
def _next_busy_step(VF: np.ndarray, order: np.ndarray, ctr: np.ndarray, ev_time: np.ndarray,
                    k: int, k1: int, dt: float) -> int:
    """First step at or after ``k`` (and before ``k1``) that releases a trip or applies a
    capacity event."""
    nxt = k1
    if ctr[C_RELEASED] < order.size:
        dep = VF[order[ctr[C_RELEASED]], DEPARTURE]
        s = int(np.floor(dep / dt)) - 1  # one step early: the release test decides
        nxt = min(nxt, max(s, k))
    if ctr[C_EVENT] < ev_time.size:
        s = int(np.floor((ev_time[ctr[C_EVENT]] - 1e-9) / dt)) - 1
        nxt = min(nxt, max(s, k))
    return nxt


@numba.njit(cache=True)
def advance(LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray, ring: np.ndarray,
            turn_start: np.ndarray, turn_to: np.ndarray, TF: np.ndarray, VF: np.ndarray,
            VI: np.ndarray, order: np.ndarray, route_links: np.ndarray, tree: np.ndarray,
            NS: np.ndarray, NL: np.ndarray, vclock: np.ndarray, MVS: np.ndarray, MVI: np.ndarray,
            MVT: np.ndarray, ST: np.ndarray, SER: np.ndarray, NODE: np.ndarray, PUB: np.ndarray,
            blocks: np.ndarray, part: np.ndarray, ctr: np.ndarray, ev_time: np.ndarray,
            ev_link: np.ndarray, ev_q: np.ndarray, link_order: np.ndarray, smp_t: np.ndarray,
            smp_v: np.ndarray, smp_l: np.ndarray, smp_f: np.ndarray, k0: int, k1: int,
            dt: float, bin_steps: int, sample_steps: int, release_steps: int,
            stop_when_empty: bool) -> int:
    """Run steps k0..k1-1; return the next step. Stops early when the network is empty (and
    ``stop_when_empty``), or when the sample buffers are too small for a sample due at the
    step returned: ``ctr[C_NEED]`` is then the size they need.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    dlog : ndarray
        Departure logs of all links: the step of each departure, int32 [steps].
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2) [-, steps].
    turn_start : ndarray
        CSR offsets of each link's capped turns, int64 (n_links + 1,) [-].
    turn_to : ndarray
        Exit link of each capped turn, int64 [-].
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    VF : ndarray
        Vehicle float fields, float64 (n_vehicles, ``N_VF``) [s, m per field].
    VI : ndarray
        Vehicle integer fields, int32 (n_vehicles, ``N_VI``) [-].
    order : ndarray
        Vehicles by departure time, int64 [-].
    route_links : ndarray
        Pool of explicit routes, int32 [-].
    tree : ndarray
        Pool of routing trees: next link after every link (-1 where it ends at the destination),
        then the first link from every node, int32 (rows, n_links + n_nodes) [-].
    NS : ndarray
        Offsets of each node's incoming (row ``IN``) and outgoing (row ``OUT``) links, int64 (2,
        n_nodes + 1) [-].
    NL : ndarray
        Link ids of those CSRs, int64 (2, n_links) [-].
    vclock : ndarray
        Virtual time of each node's fair queuing, float64 (n_nodes,) [s].
    MVS : ndarray
        Offsets of each node's move buffer, int64 (n_nodes + 1,) [-].
    MVI : ndarray
        Vehicle and next link of each buffered move, int64 (2, size) [-].
    MVT : ndarray
        Transfer time of each buffered move, float64 (size,) [s].
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    SER : ndarray
        Network totals per step, int64 (4, n_steps) [veh].
    NODE : ndarray
        Node fields, int64 (n_nodes, ``N_NODE``) [steps, veh per field].
    PUB : ndarray
        Counts each link end publishes for the other, int64 (5, n_links) [veh].
    blocks : ndarray
        Boundaries of the node blocks, one block per thread, int64 (n_blocks + 1,) [-].
    part : ndarray
        Per-block sums of a step (arrivals, vehicles on links, waiting), int64 (n_blocks, 3) [veh].
    ctr : ndarray
        Counters carried between calls (slots ``C_*``), int64 (``N_COUNTERS``,) [veh, -].
    ev_time : ndarray
        Time of each capacity event, sorted [s].
    ev_link : ndarray
        Link of each capacity event (kernel numbering), int64 [-].
    ev_q : ndarray
        New capacity of each event's link [veh/s].
    link_order : ndarray
        Kernel number of each link in the caller's numbering, int64 [-].
    smp_t : ndarray
        Sample buffer of times, float32 [s].
    smp_v : ndarray
        Sample buffer of vehicles, int32 [-].
    smp_l : ndarray
        Sample buffer of links (caller's numbering), int32 [-].
    smp_f : ndarray
        Sample buffer of positions as a share of the link's length, float32 [-].
    k0 : int
        First step to run [steps].
    k1 : int
        Step after the last to run [steps].
    dt : float
        Time step [s].
    bin_steps : int
        Time steps per output bin [steps].
    sample_steps : int
        Time steps between position samples (0 = none) [steps].
    release_steps : int
        Steps a vehicle may be blocked at a link's head before it is released (0 = never)
        [steps].
    stop_when_empty : bool
        End early once every trip has been released and has arrived.

    Returns
    -------
    int
        The next step to run [steps].
    """
    n_veh = order.size
    settle = 2  # steps an empty network needs before both parities of the counts agree
    for a in range(LI.shape[0]):  # routes may have changed since the last call
        LI[a, HEAD_IDX] = -1
    k = k0
    while k < k1:
        t = k * dt
        kb = k // bin_steps
        while ctr[C_EVENT] < ev_time.size and ev_time[ctr[C_EVENT]] <= t + 1e-9:
            e = ctr[C_EVENT]
            a = ev_link[e]
            for n in (LI[a, FRM], LI[a, TO]):  # bring both ends up to date on the old capacity
                if NODE[n, LAST_STEP] < k - 1:
                    catch_up(LF, TF, turn_start, NS, NL, n, NODE[n, LAST_STEP] + 1, k, dt)
                NODE[n, LAST_STEP] = max(NODE[n, LAST_STEP], k - 1)
                NODE[n, WAKE] = min(NODE[n, WAKE], k)
            LF[a, Q] = ev_q[e]
            ctr[C_EVENT] += 1
        _release(LI, VF, VI, order, route_links, tree, NODE, ctr, k, t + dt)
        if blocks.size > 2:
            step_nodes(LF, LI, dlog, ring, turn_start, turn_to, TF, VF, VI, route_links, tree,
                       NS, NL, vclock, MVS, MVI, MVT, ST, NODE, PUB, blocks, part, k, kb,
                       (k - 1) // bin_steps, k > k0, t, dt, bin_steps, release_steps)
        else:  # one thread: no parallel region
            part[0, P_ARRIVED], part[0, P_ON_LINKS], part[0, P_WAITING] = step_block(
                blocks[0], blocks[1], LF, LI, dlog, ring, turn_start, turn_to, TF, VF, VI,
                route_links, tree, NS, NL, vclock, MVS, MVI, MVT, ST, NODE, PUB, k, kb,
                (k - 1) // bin_steps, k > k0, t, dt, bin_steps, release_steps)
        arrived = 0
        on_links = 0
        waiting = 0
        for c in range(part.shape[0]):
            arrived += part[c, P_ARRIVED]
            on_links += part[c, P_ON_LINKS]
            waiting += part[c, P_WAITING]
        ctr[C_ARRIVED] += arrived
        SER[SER_DEPARTED, k] = ctr[C_DEPARTED]
        SER[SER_WAITING, k] = waiting
        SER[SER_ON_LINKS, k] = on_links
        SER[SER_ARRIVED, k] = ctr[C_ARRIVED]
        k += 1
        if sample_steps > 0 and k % sample_steps == 0 and on_links > 0:
            need = ctr[C_SAMPLES] + on_links
            if need > smp_t.size:  # the caller grows the buffers and takes the sample
                ctr[C_NEED] = need
                ctr[C_QUIET] = 0
                break
            sample(LF, LI, ring, VF, link_order, k * dt, smp_t, smp_v, smp_l, smp_f, ctr)
        if on_links == 0 and waiting == 0:
            if stop_when_empty and ctr[C_RELEASED] == n_veh:
                break
            ctr[C_QUIET] += 1
            if ctr[C_QUIET] >= settle:
                nxt = _next_busy_step(VF, order, ctr, ev_time, k, k1, dt)
                if nxt > k + 1:
                    # nothing moves before step nxt: the steps in between only repeat the
                    # network totals (nodes catch up on them when they next run)
                    for kk in range(k, nxt):
                        SER[SER_DEPARTED, kk] = ctr[C_DEPARTED]
                        SER[SER_WAITING, kk] = 0
                        SER[SER_ON_LINKS, kk] = 0
                        SER[SER_ARRIVED, kk] = ctr[C_ARRIVED]
                    k = nxt
                    k0 = k  # the skipped steps have no statistics to add
        else:
            ctr[C_QUIET] = 0
    if k > k0:  # vertical queue of the last step
        for a in range(LI.shape[0]):
            queue_stats(LF, LI, ring, ST, a, k, (k - 1) // bin_steps, dt, LI[a, N_UP],
                        LI[a, N_DOWN])
    return k


@numba.njit(cache=True)
def finish_occupancy(LI: np.ndarray, ST: np.ndarray, k: int, bin_steps: int, dt: float) -> None:
    """At the end of a run (step ``k``): the counts held since their last change.

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    k : int
        Step at which the run ended [steps].
    bin_steps : int
        Time steps per output bin [steps].
    dt : float
        Time step [s].

    Returns
    -------
    None
        The occupancy columns of ``ST`` are completed in place.
    """
    for a in range(LI.shape[0]):
        count_up(LI, ST, a, k, bin_steps, dt)
        count_down(LI, ST, a, k, bin_steps, dt)
