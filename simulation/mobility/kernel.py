"""The time-stepping loop: release departures, link model, node model, bookkeeping, samples.

One call advances the state from step ``k0`` to ``k1`` (or until the network is empty). Each
step runs, in order:

1. capacity events due at the step's start;
2. release of trips departing in [t, t + dt) into the entry queue of their first link;
3. per link (parallel): sending allowance and receiving flow (``links.prepare_link``);
4. per node (parallel): phase A of the node model (``nodes.node_send``);
5. per node (parallel): phase B, vehicles join their next links (``nodes.node_receive``);
6. per link (parallel): unused capacity dropped, cumulative counts stored, bins updated;
7. network totals per step and, every ``sample_steps``, vehicle positions.

Each link is written only by its two end nodes, its upstream node in phase B and its downstream
node in phase A, so the parallel loops never share a write and results do not depend on the
number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.mobility.fifo import push
from simulation.mobility.links import finish_links, prepare_links
from simulation.mobility.nodes import receive_all, send_all
from simulation.mobility.state import (
    ARRIVAL,
    ARRIVED,
    DEPARTURE,
    DEST,
    ENT_HEAD,
    ENT_TAIL,
    ENTRY_TIME,
    FREE_TIME,
    HEAD,
    LENGTH,
    LINK,
    N_ENTRY,
    NXT,
    ORIGIN,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    SER_ARRIVED,
    SER_DEPARTED,
    SER_ON_LINKS,
    SER_WAITING,
    STATUS,
    STORAGE,
    UNROUTABLE,
    WAITING,
    Q,
)

# slots of the int64 counter array carried between calls
C_RELEASED, C_DEPARTED, C_ARRIVED, C_EVENT, C_SAMPLES = 0, 1, 2, 3, 4
N_COUNTERS = 5


@numba.njit(cache=True)
def _release(LI, VF, VI, order, route_links, ctr, horizon):
    """Release trips departing before ``horizon`` into their first link's entry queue."""
    n = order.size
    i = ctr[C_RELEASED]
    while i < n and VF[order[i], DEPARTURE] < horizon:
        v = order[i]
        i += 1
        if VI[v, STATUS] == UNROUTABLE:
            continue
        ctr[C_DEPARTED] += 1
        if VI[v, ROUTE_LEN] == 0:
            if VI[v, ORIGIN] != VI[v, DEST]:  # never routed: cannot depart
                VI[v, STATUS] = UNROUTABLE
                ctr[C_DEPARTED] -= 1
                continue
            VI[v, STATUS] = ARRIVED  # origin == destination: arrives as it departs
            VF[v, ARRIVAL] = VF[v, DEPARTURE]
            ctr[C_ARRIVED] += 1
            continue
        b = route_links[VI[v, ROUTE_START] + VI[v, ROUTE_POS]]
        push(LI, ENT_HEAD, ENT_TAIL, VI, b, v)
        LI[b, N_ENTRY] += 1
        VI[v, STATUS] = WAITING
        VI[v, LINK] = b
    ctr[C_RELEASED] = i


@numba.njit(cache=True)
def _grow(arr, need):
    out = np.empty(max(need, 2 * arr.size, 1024), dtype=arr.dtype)
    out[: arr.size] = arr
    return out


@numba.njit(cache=True)
def _sample(LF, LI, VF, VI, ts, smp_t, smp_v, smp_l, smp_f, count):
    """Append the position of every vehicle on a link at time ``ts``: free-flow progress,
    but never closer than one jam spacing (L / storage) behind the vehicle ahead."""
    for a in range(LF.shape[0]):
        length = LF[a, LENGTH]
        spacing = length / LF[a, STORAGE]
        prev = length
        v = LI[a, HEAD]
        while v >= 0:
            pos = (ts - VF[v, ENTRY_TIME]) / LF[a, FREE_TIME] * length
            pos = max(min(pos, prev, length), 0.0)
            smp_t[count] = ts
            smp_v[count] = v
            smp_l[count] = a
            smp_f[count] = pos / length
            count += 1
            prev = pos - spacing
            v = VI[v, NXT]
    return count


@numba.njit(cache=True, parallel=False)
def advance(LF, LI, hist, turn_start, turn_to, TF, VF, VI, order, route_links, NS, NL, vclock,
            MVN, MVI, MVT, ST, SER, ctr, ev_time, ev_link, ev_q,
            smp_t, smp_v, smp_l, smp_f, k0, k1, dt, bin_steps, sample_steps, stop_when_empty):
    """Run steps k0..k1-1; return (next step, sample buffers, possibly regrown)."""
    n_veh = order.size
    k = k0
    while k < k1:
        t = k * dt
        kb = k // bin_steps
        while ctr[C_EVENT] < ev_time.size and ev_time[ctr[C_EVENT]] <= t + 1e-9:
            e = ctr[C_EVENT]
            LF[ev_link[e], Q] = ev_q[e]
            ctr[C_EVENT] += 1
        _release(LI, VF, VI, order, route_links, ctr, t + dt)
        prepare_links(LF, LI, hist, turn_start, TF, k, t, dt)
        arrived = send_all(LF, LI, turn_start, turn_to, TF, VF, VI, route_links, NS, NL, vclock,
                           MVN, MVI, MVT, ST, kb, t, dt)
        receive_all(LF, LI, VF, VI, NS, NL, MVN, MVI, MVT, ST, kb, t)
        on_links, waiting = finish_links(LF, LI, hist, turn_start, TF, ST, k, kb, dt)
        ctr[C_ARRIVED] += arrived
        SER[SER_DEPARTED, k] = ctr[C_DEPARTED]
        SER[SER_WAITING, k] = waiting
        SER[SER_ON_LINKS, k] = on_links
        SER[SER_ARRIVED, k] = ctr[C_ARRIVED]
        k += 1
        if sample_steps > 0 and k % sample_steps == 0:
            need = ctr[C_SAMPLES] + on_links
            if need > smp_t.size:
                smp_t = _grow(smp_t, need)
                smp_v = _grow(smp_v, need)
                smp_l = _grow(smp_l, need)
                smp_f = _grow(smp_f, need)
            ctr[C_SAMPLES] = _sample(LF, LI, VF, VI, k * dt, smp_t, smp_v, smp_l, smp_f,
                                     ctr[C_SAMPLES])
        if stop_when_empty and ctr[C_RELEASED] == n_veh and on_links == 0 and waiting == 0:
            break
    return k, smp_t, smp_v, smp_l, smp_f
