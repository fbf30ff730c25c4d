"""Node model: one node's part of a time step (``step_block``), in the order

1. whether it has work in the step (see ``state``), and if so, catching up the steps it skipped;
2. the vertical queue of the previous step on the incoming links (their counts at the step
   boundary are published by then);
3. sending side of the incoming links and receiving side of the outgoing links (``links``);
4. phase A: which vehicles leave the incoming links or enter from the node's origin, then which
   vehicles blocked at a link's head too long are released from the jam;
5. phase B: they join their next links;
6. capacity not used is dropped; the step's counts are published for the next step, and the
   node's next step with work is noted.

Phase A: a vehicle at the head of an incoming link goes when its free-flow exit time has come,
its link still has sending allowance (capacity x green share) and its next link still has
receiving flow (and its turn, if capped, still has capacity). A vehicle that cannot go holds
back the vehicles behind it (FIFO, as in first-order node models). Only vehicles that were on
the link at the step's start can leave in the step.

**Entering traffic.** Vehicles departing from the node wait in the entry queue of their first
link and compete for its receiving flow with the through traffic as one more approach of the
node, weighted by the capacity of the link they enter (zipper: where an approach of the same
capacity also queues for the link, the two alternate; in general entering traffic gets at least
q_b / (q_b + sum of the contending approaches' capacities) of what the link receives, and all of
it while no through vehicle wants it). So no origin starves on a busy road.

**Jam release.** A vehicle that has been at the head of its link, past its free-flow exit
time, for ``release_steps`` steps without being able to leave (its next link full, its own
link closed) is released, as SUMO's ``--time-to-teleport`` teleports a vehicle that
waited that long at the front of a lane: it moves on to its next link whatever that link's
receiving flow, sending allowance and turn capacity (as long as the link's vehicle ring has
room), and the release is counted on the vehicle. A closure holds: nothing is released onto a
closed link (capacity 0).

Merges and diverges share a downstream link's receiving flow among the incoming links **in
proportion to the incoming links' capacities**, with unused shares passed on to links that still
have demand (the capacity-proportional priority rule of Tampère et al. (2011), general
first-order node model, with priorities = capacities). Vehicle by vehicle this is self-clocked
fair queuing: each incoming link carries a service tag that grows by 1 / q_max per vehicle sent,
and the next vehicle comes from the eligible link with the smallest tag. The rule is
deterministic, so runs are reproducible without random draws.

Phase B appends the moved and entering vehicles to their next links in order of transfer time.

A node writes only the sides of links it owns (see ``state``), so all nodes of a step run in
parallel with the same result as one after the other.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.mobility.fifo import pop, ring_head, ring_push
from simulation.mobility.jit import njit_no_refcount
from simulation.mobility.links import (
    catch_up,
    count_down,
    count_up,
    finish_sending,
    open_receiving,
    prepare_sending,
    queue_stats,
    receiving_flow,
)
from simulation.mobility.state import (
    ACC_CAP,
    ALLOW,
    ARRIVAL,
    ARRIVED,
    AVAIL,
    DEPARTURE,
    DISTANCE,
    DL_MASK,
    DL_START,
    DN0,
    DN1,
    ENT_HEAD,
    ENT_TAIL,
    ENTRY_FAIR,
    ENTRY_TIME,
    FAIR,
    FREE_TIME,
    HEAD_IDX,
    HEAD_NEXT,
    HEAD_READY,
    HEAD_SINCE,
    IN,
    IN_ACC,
    LAST_ENTRY,
    LAST_STEP,
    LENGTH,
    LINK,
    MV_LINK,
    MV_VEH,
    N_DOWN,
    N_ENTRY,
    N_UP,
    NEVER,
    ON_LINK,
    ON_PART,
    OUT,
    OUT_ACC,
    PER_STEP,
    READY,
    RECV,
    RELEASES,
    RING_MASK,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    S_DEP,
    S_IN,
    S_OUT,
    S_WAIT,
    SEEN,
    SINCE_IDX,
    STATUS,
    T_ACC,
    TROW,
    UP0,
    UP1,
    WAIT_PART,
    WAITING,
    WAKE,
    WORK,
    Q,
)


@numba.njit(cache=True, inline="always")
def _find_turn(turn_start: np.ndarray, turn_to: np.ndarray, a: int, b: int) -> int:
    """The capped turn from link ``a`` into link ``b`` (-1 if not capped)."""
    for j in range(turn_start[a], turn_start[a + 1]):
        if turn_to[j] == b:
            return j
    return -1


@numba.njit(cache=True, inline="always")
def next_link(VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray, v: int, a: int) -> int:
    """The link vehicle ``v`` takes after link ``a`` (-1: ``a`` ends at its destination).

    Parameters
    ----------
    VI : ndarray
        Vehicle integer fields, int32 (n_vehicles, ``N_VI``) [-].
    route_links : ndarray
        Pool of explicit routes, int32 [-].
    tree : ndarray
        Pool of routing trees: the next link after every link (-1 where it ends at the
        destination), then the first link from every node, int32 (rows, n_links + n_nodes)
        [-].
    v : int
        Vehicle [-].
    a : int
        The vehicle's current link [-].

    Returns
    -------
    int
        The next link, -1 at the destination [-].
    """
    r = VI[v, TROW]
    if r >= 0:
        return tree[r, a]
    p = VI[v, ROUTE_POS] + 1
    if p < VI[v, ROUTE_LEN]:
        return route_links[VI[v, ROUTE_START] + p]
    return -1


@njit_no_refcount()
def _enter(LF: np.ndarray, LI: np.ndarray, ring: np.ndarray, VF: np.ndarray, VI: np.ndarray,
           ST: np.ndarray, b: int, v: int, tau: float, k: int, kb: int, bin_steps: int,
           dt: float) -> None:
    """Vehicle ``v`` enters link ``b`` at ``tau`` in step ``k`` (no earlier than the vehicle
    ahead of it)."""
    tau = max(tau, LF[b, LAST_ENTRY])
    LF[b, LAST_ENTRY] = tau
    count_up(LI, ST, b, k, bin_steps, dt)
    ring_push(LI, ring, b, v, k)
    LF[b, IN_ACC] -= 1.0
    ST[kb, b, S_IN] += 1.0
    VF[v, ENTRY_TIME] = tau
    VF[v, READY] = tau + LF[b, FREE_TIME]
    VI[v, LINK] = b


@njit_no_refcount()
def _head(LF: np.ndarray, LI: np.ndarray, ring: np.ndarray, VF: np.ndarray, VI: np.ndarray,
          route_links: np.ndarray, tree: np.ndarray, a: int, k: int) -> None:
    """Note the exit time and next link of the vehicle now at the head of link ``a`` (in step
    ``k``), and the step it came to the head in if it is new there."""
    v = ring_head(LI, ring, a)
    LF[a, HEAD_READY] = VF[v, READY]
    LI[a, HEAD_NEXT] = next_link(VI, route_links, tree, v, a)
    LI[a, HEAD_IDX] = LI[a, N_DOWN]
    if LI[a, SINCE_IDX] != LI[a, N_DOWN]:
        LI[a, SINCE_IDX] = LI[a, N_DOWN]
        LI[a, HEAD_SINCE] = k


@njit_no_refcount()
def _pop_head(LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray, ring: np.ndarray,
              VF: np.ndarray, VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray,
              ST: np.ndarray, a: int, n: int, k: int, kb: int, bin_steps: int,
              dt: float) -> int:
    """Take the vehicle at the head of link ``a`` off it in step ``k`` (counts, departure log,
    the next vehicle to the head); returns it."""
    v = ring_head(LI, ring, a)
    count_down(LI, ST, a, k, bin_steps, dt)
    dlog[LI[a, DL_START] + (LI[a, N_DOWN] & LI[a, DL_MASK])] = k
    LI[a, N_DOWN] += 1
    LI[a, AVAIL] -= 1
    if LI[a, AVAIL] > 0:  # the next vehicle comes to the head
        _head(LF, LI, ring, VF, VI, route_links, tree, a, k)
    ST[kb, a, S_OUT] += 1.0
    VF[v, DISTANCE] += LF[a, LENGTH]
    return v


@njit_no_refcount()
def release_blocked(LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray, ring: np.ndarray,
                    VF: np.ndarray, VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray,
                    NS: np.ndarray, NL: np.ndarray, MVI: np.ndarray, MVT: np.ndarray,
                    ST: np.ndarray, PUB: np.ndarray, n: int, base: int, moved: int, k: int,
                    kb: int, t: float, dt: float, bin_steps: int,
                    release_steps: int) -> tuple[int, int]:
    """Release the vehicles blocked at the heads of node ``n``'s incoming links for
    ``release_steps`` steps (see the module doc): each moves on to its next link (buffered for
    phase B from ``base + moved``) or arrives, whatever the receiving flow.

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
    VF : ndarray
        Vehicle float fields, float64 (n_vehicles, ``N_VF``) [s, m per field].
    VI : ndarray
        Vehicle integer fields, int32 (n_vehicles, ``N_VI``) [-].
    route_links : ndarray
        Pool of explicit routes, int32 [-].
    tree : ndarray
        Pool of routing trees: next link from every node (-1 at the destination), int32 (rows,
        n_nodes) [-].
    NS : ndarray
        Offsets of each node's incoming (row ``IN``) and outgoing (row ``OUT``) links, int64 (2,
        n_nodes + 1) [-].
    NL : ndarray
        Link ids of those CSRs, int64 (2, n_links) [-].
    MVI : ndarray
        Vehicle and next link of each buffered move, int64 (2, size) [-].
    MVT : ndarray
        Transfer time of each buffered move, float64 (size,) [s].
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    PUB : ndarray
        Counts each link end publishes for the other, int64 (5, n_links) [veh].
    n : int
        Node [-].
    base : int
        Start of the node's move buffer [-].
    moved : int
        Moves already buffered in the step [-].
    k : int
        Time step [steps].
    kb : int
        Output bin of the step [-].
    t : float
        Start of the step, k dt [s].
    dt : float
        Time step [s].
    bin_steps : int
        Time steps per output bin [steps].
    release_steps : int
        Steps a vehicle may be blocked at a link's head before it is released [steps].

    Returns
    -------
    moved : int
        Moves buffered in the step, the releases included [-].
    arrived : int
        Released vehicles that arrived (their link was the last of the route) [veh].
    """
    arrived = 0
    horizon = t + dt
    dn_now = DN0 + (k & 1)
    for j in range(NS[IN, n], NS[IN, n + 1]):
        a = NL[IN, j]
        if LI[a, AVAIL] <= 0 or LF[a, HEAD_READY] > horizon:
            continue
        blocked_from = max(LI[a, HEAD_SINCE], int(LF[a, HEAD_READY] / dt))
        if k - blocked_from < release_steps:
            continue
        b = LI[a, HEAD_NEXT]
        if b >= 0 and LF[b, Q] <= 0.0:
            continue  # a closure holds: nothing is released onto a closed link
        if b >= 0 and (LI[b, N_UP] - PUB[dn_now, b] + (NS[IN, n + 1] - NS[IN, n])
                       + 2 * LI[b, PER_STEP] > LI[b, RING_MASK] + 1):
            continue  # no room left in the next link's ring for this step's entries
        v = _pop_head(LF, LI, dlog, ring, VF, VI, route_links, tree, ST, a, n, k, kb,
                      bin_steps, dt)
        VI[v, RELEASES] += 1
        tau = max(VF[v, READY], t)
        if b < 0:
            VF[v, ARRIVAL] = tau
            VI[v, STATUS] = ARRIVED
            VI[v, LINK] = -1
            arrived += 1
        else:
            MVI[MV_VEH, base + moved] = v
            MVI[MV_LINK, base + moved] = b
            MVT[base + moved] = tau
            moved += 1
    return moved, arrived


@njit_no_refcount()
def step_block(n0: int, n1: int, LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray,
               ring: np.ndarray, turn_start: np.ndarray, turn_to: np.ndarray, TF: np.ndarray,
               VF: np.ndarray, VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray,
               NS: np.ndarray, NL: np.ndarray, vclock: np.ndarray, MVS: np.ndarray,
               MVI: np.ndarray, MVT: np.ndarray, ST: np.ndarray, NODE: np.ndarray,
               PUB: np.ndarray, k: int, kb: int, kb_prev: int, stats_prev: bool, t: float,
               dt: float, bin_steps: int, release_steps: int) -> tuple[int, int, int]:
    """Step ``k`` (time ``t``, output bin ``kb``) at nodes n0..n1-1; ``stats_prev``: first add
    the vertical queue of step k - 1 to bin ``kb_prev``. Returns (arrivals, vehicles on links,
    vehicles waiting) of the block's share (see ``ON_PART``).

    (Compiled without reference counting: it allocates nothing, and counting the references of
    its arrays at every node would cost more than most nodes' step.)

    Parameters
    ----------
    n0 : int
        First node of the block [-].
    n1 : int
        Node after the last of the block [-].
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
        Pool of routing trees: next link from every node (-1 at the destination), int32 (rows,
        n_nodes) [-].
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
    arrivals : int
        Trips that arrived at the block's nodes in the step [veh].
    on_links : int
        The block's share of the vehicles on links at the step's end [veh].
    waiting : int
        Vehicles waiting to enter the block's outgoing links at the step's end [veh].
    """
    horizon = t + dt
    par = k & 1
    up_now, up_next = UP0 + par, UP1 - par
    dn_next = DN1 - par
    arrivals = 0
    on_total = 0
    wait_total = 0
    for n in range(n0, n1):
        i0, i1 = NS[IN, n], NS[IN, n + 1]
        o0, o1 = NS[OUT, n], NS[OUT, n + 1]
        run = NODE[n, WAKE] <= k
        if not run:
            for j in range(i0, i1):
                a = NL[IN, j]
                if PUB[up_now, a] != PUB[SEEN, a]:  # a vehicle arrived
                    run = True
                    break
        if not run:
            on_total += NODE[n, ON_PART]
            wait_total += NODE[n, WAIT_PART]
            continue
        if NODE[n, LAST_STEP] < k - 1:
            catch_up(LF, TF, turn_start, NS, NL, n, NODE[n, LAST_STEP] + 1, k, dt)
        NODE[n, LAST_STEP] = k

        busy = False  # a vehicle may cross or enter at the node in this step
        any_ready = False  # a vehicle at a head has reached its exit time
        stale = False  # ... and has been at the head long enough to be released from a jam
        for j in range(i0, i1):
            a = NL[IN, j]
            # vehicles that were on the link at the step's start (the upstream node may be
            # adding vehicles right now)
            n_up = PUB[up_now, a]
            PUB[SEEN, a] = n_up
            avail = n_up - LI[a, N_DOWN]
            LI[a, AVAIL] = avail
            ready = False
            if avail > 0:
                if LI[a, HEAD_IDX] != LI[a, N_DOWN]:  # a new vehicle at the head
                    _head(LF, LI, ring, VF, VI, route_links, tree, a, k)
                ready = LF[a, HEAD_READY] <= horizon
                # no vehicle is past its exit time before the head is (margin for rounding)
                if stats_prev and LF[a, HEAD_READY] <= horizon + 1e-6:
                    queue_stats(LF, LI, ring, ST, a, k, kb_prev, dt, n_up, LI[a, N_DOWN])
            prepare_sending(LF, LI, TF, turn_start, a, t, dt, ready)
            if ready:
                any_ready = True
                # heads that come up during the step have been there 0 steps
                stale = stale or k - LI[a, HEAD_SINCE] >= release_steps
                if LI[a, ALLOW] > 0:
                    busy = True
        waiting = 0
        for j in range(o0, o1):
            b = NL[OUT, j]
            waiting += LI[b, N_ENTRY]
            open_receiving(LF, LI, b, dt)
        busy = busy or waiting > 0

        moved = 0
        arrived = 0
        if busy:
            # phase A: pop the vehicles that cross the node or enter at it in this step
            base = MVS[n]
            while True:
                best_a = -1
                best_b = -1
                best_turn = -1
                best_key = np.inf
                for j in range(i0, i1):
                    a = NL[IN, j]
                    if LI[a, AVAIL] <= 0 or LF[a, HEAD_READY] > horizon or LI[a, ALLOW] <= 0:
                        continue
                    b = LI[a, HEAD_NEXT]
                    tj = -1
                    if b >= 0:
                        if receiving_flow(LF, LI, dlog, PUB, b, k, dt) <= 0:
                            continue
                        if turn_start[a + 1] > turn_start[a]:
                            tj = _find_turn(turn_start, turn_to, a, b)
                            if tj >= 0 and TF[tj, T_ACC] < 1.0:
                                continue
                    key = max(LF[a, FAIR], vclock[n])
                    if key < best_key:
                        best_key = key
                        best_a = a
                        best_b = b
                        best_turn = tj
                if waiting > 0:  # the entry queues compete as approaches of their own
                    for j in range(o0, o1):
                        b = NL[OUT, j]
                        if LI[b, ENT_HEAD] < 0 or receiving_flow(LF, LI, dlog, PUB, b, k, dt) <= 0:
                            continue
                        key = max(LF[b, ENTRY_FAIR], vclock[n])
                        if key < best_key:
                            best_key = key
                            best_a = -1
                            best_b = b
                if best_b < 0 and best_a < 0:
                    break
                vclock[n] = best_key
                if best_a < 0:  # a vehicle enters from the node's origin
                    b = best_b
                    v = pop(LI, ENT_HEAD, ENT_TAIL, VI, b)
                    LI[b, N_ENTRY] -= 1
                    LI[b, RECV] -= 1
                    LF[b, ENTRY_FAIR] = best_key + 1.0 / LF[b, Q]
                    waiting -= 1
                    MVI[MV_VEH, base + moved] = v
                    MVI[MV_LINK, base + moved] = b
                    MVT[base + moved] = max(VF[v, DEPARTURE], t)
                    moved += 1
                    continue
                a = best_a
                v = _pop_head(LF, LI, dlog, ring, VF, VI, route_links, tree, ST, a, n, k, kb,
                              bin_steps, dt)
                LI[a, ALLOW] -= 1
                LF[a, OUT_ACC] -= 1.0
                LF[a, FAIR] = best_key + 1.0 / LF[a, Q]
                tau = max(VF[v, READY], t)
                if best_b < 0:
                    VF[v, ARRIVAL] = tau
                    VI[v, STATUS] = ARRIVED
                    VI[v, LINK] = -1
                    arrived += 1
                else:
                    LI[best_b, RECV] -= 1
                    if best_turn >= 0:
                        TF[best_turn, T_ACC] -= 1.0
                    MVI[MV_VEH, base + moved] = v
                    MVI[MV_LINK, base + moved] = best_b
                    MVT[base + moved] = tau
                    moved += 1
        if release_steps > 0 and stale:
            moved, released = release_blocked(LF, LI, dlog, ring, VF, VI, route_links, tree, NS,
                                               NL, MVI, MVT, ST, PUB, n, MVS[n], moved, k, kb,
                                               t, dt, bin_steps, release_steps)
            arrived += released
        if moved > 0:
            # phase B: the moved vehicles join their next links in order of transfer time
            base = MVS[n]
            end = base + moved
            for i in range(base + 1, end):  # insertion sort (few moves per step)
                tv, vv, bv = MVT[i], MVI[MV_VEH, i], MVI[MV_LINK, i]
                j = i - 1
                while j >= base and MVT[j] > tv:
                    MVT[j + 1] = MVT[j]
                    MVI[MV_VEH, j + 1] = MVI[MV_VEH, j]
                    MVI[MV_LINK, j + 1] = MVI[MV_LINK, j]
                    j -= 1
                MVT[j + 1] = tv
                MVI[MV_VEH, j + 1] = vv
                MVI[MV_LINK, j + 1] = bv
            for i in range(base, end):
                v = MVI[MV_VEH, i]
                b = MVI[MV_LINK, i]
                if VI[v, STATUS] == WAITING:  # enters the network
                    VI[v, STATUS] = ON_LINK
                    _enter(LF, LI, ring, VF, VI, ST, b, v, MVT[i], k, kb, bin_steps, dt)
                    ST[kb, b, S_DEP] += 1.0
                    ST[kb, b, S_WAIT] += VF[v, ENTRY_TIME] - VF[v, DEPARTURE]
                else:
                    if VI[v, TROW] < 0:
                        VI[v, ROUTE_POS] += 1
                    _enter(LF, LI, ring, VF, VI, ST, b, v, MVT[i], k, kb, bin_steps, dt)
        NODE[n, WORK] += moved + arrived
        arrivals += arrived

        # close the step: unused capacity is not banked, counts at the step's end are published
        on_links = 0
        waiting = 0
        wake = NEVER
        for j in range(i0, i1):
            a = NL[IN, j]
            finish_sending(LF, TF, turn_start, a)
            PUB[dn_next, a] = LI[a, N_DOWN]
            on_links -= LI[a, N_DOWN]
            if LI[a, AVAIL] > 0:  # run again when the vehicle at the head may leave
                wake = min(wake, max(k + 1, int(LF[a, HEAD_READY] / dt) - 1))
        for j in range(o0, o1):
            b = NL[OUT, j]
            LF[b, IN_ACC] = min(LF[b, IN_ACC], ACC_CAP)
            PUB[up_next, b] = LI[b, N_UP]
            on_links += LI[b, N_UP]
            waiting += LI[b, N_ENTRY]
        NODE[n, ON_PART] = on_links
        NODE[n, WAIT_PART] = waiting
        if moved + arrived > 0 or any_ready or waiting > 0:
            # next step: publish the new counts for both parities, add the vertical queue,
            # retry the vehicles that could not go
            wake = k + 1
        NODE[n, WAKE] = wake
        on_total += on_links
        wait_total += waiting
    return arrivals, on_total, wait_total
