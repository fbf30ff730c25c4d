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
def _release(LI, VF, VI, order, route_links, tree, NODE, ctr, k, horizon):
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
            b = tree[VI[v, TROW], VI[v, ORIGIN]]
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
def step_nodes(LF, LI, dlog, ring, turn_start, turn_to, TF, VF, VI, route_links, tree, NS, NL,
               vclock, MVS, MVI, MVT, ST, NODE, PUB, blocks, part, k, kb, kb_prev, stats_prev, t,
               dt, bin_steps):
    """Step ``k`` at every node: one block of nodes per thread, sums per block in ``part``."""
    for c in numba.prange(blocks.size - 1):
        a, o, w = step_block(blocks[c], blocks[c + 1], LF, LI, dlog, ring, turn_start, turn_to,
                             TF, VF, VI, route_links, tree, NS, NL, vclock, MVS, MVI, MVT, ST,
                             NODE, PUB, k, kb, kb_prev, stats_prev, t, dt, bin_steps)
        part[c, P_ARRIVED] = a
        part[c, P_ON_LINKS] = o
        part[c, P_WAITING] = w


@numba.njit(cache=True)
def sample(LF, LI, ring, VF, link_order, ts, smp_t, smp_v, smp_l, smp_f, ctr):
    """Append the position of every vehicle on a link at time ``ts`` to the sample buffers:
    free-flow progress, but never closer than one jam spacing (L / storage) behind the vehicle
    ahead. Links in the caller's order: ``link_order[e]`` is the kernel's number of link e."""
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
def _next_busy_step(VF, order, ctr, ev_time, k, k1, dt):
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
def advance(LF, LI, dlog, ring, turn_start, turn_to, TF, VF, VI, order, route_links, tree, NS,
            NL, vclock, MVS, MVI, MVT, ST, SER, NODE, PUB, blocks, part, ctr, ev_time, ev_link, ev_q,
            link_order, smp_t, smp_v, smp_l, smp_f, k0, k1, dt, bin_steps, sample_steps,
            stop_when_empty):
    """Run steps k0..k1-1; return the next step. Stops early when the network is empty (and
    ``stop_when_empty``), or when the sample buffers are too small for a sample due at the
    step returned: ``ctr[C_NEED]`` is then the size they need."""
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
                       (k - 1) // bin_steps, k > k0, t, dt, bin_steps)
        else:  # one thread: no parallel region
            part[0, P_ARRIVED], part[0, P_ON_LINKS], part[0, P_WAITING] = step_block(
                blocks[0], blocks[1], LF, LI, dlog, ring, turn_start, turn_to, TF, VF, VI,
                route_links, tree, NS, NL, vclock, MVS, MVI, MVT, ST, NODE, PUB, k, kb,
                (k - 1) // bin_steps, k > k0, t, dt, bin_steps)
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
def finish_occupancy(LI, ST, k, bin_steps, dt):
    """At the end of a run (step ``k``): the counts held since their last change."""
    for a in range(LI.shape[0]):
        count_up(LI, ST, a, k, bin_steps, dt)
        count_down(LI, ST, a, k, bin_steps, dt)
