"""Node model: moving vehicles across a node in a time step, in two phases.

Phase A (``node_send``, one node at a time, nodes in parallel) decides which vehicles leave the
node's incoming links: a vehicle at the head of an incoming link goes when its free-flow exit
time has come, its link still has sending allowance (capacity x green share) and its next link
still has receiving flow (and its turn, if capped, still has capacity). A vehicle that cannot
go holds back the vehicles behind it (FIFO, as in first-order node models).

Merges and diverges share a downstream link's receiving flow among the incoming links **in
proportion to the incoming links' capacities**, with unused shares passed on to links that still
have demand (the capacity-proportional priority rule of Tampère et al. (2011), general
first-order node model, with priorities = capacities). Vehicle by vehicle this is self-clocked
fair queuing: each incoming link carries a service tag that grows by 1 / q_max per vehicle sent,
and the next vehicle comes from the eligible link with the smallest tag. The rule is
deterministic, so runs are reproducible without random draws.

Phase B (``node_receive``) appends the moved vehicles to their next links in order of transfer
time, then lets vehicles waiting at the node's origins enter the outgoing links with the
receiving flow left over (through traffic has priority over entering traffic).
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.mobility.fifo import pop, push
from simulation.mobility.state import (
    ALLOW,
    ARRIVAL,
    ARRIVED,
    DEPARTURE,
    DISTANCE,
    ENT_HEAD,
    ENT_TAIL,
    ENTRY_TIME,
    FAIR,
    FREE_TIME,
    HEAD,
    IN,
    IN_ACC,
    LAST_ENTRY,
    LENGTH,
    LINK,
    MV_ARRIVED,
    MV_COUNT,
    MV_LINK,
    MV_START,
    MV_VEH,
    N_DOWN,
    N_ENTRY,
    N_UP,
    ON_LINK,
    OUT,
    OUT_ACC,
    READY,
    RECV,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    S_IN,
    S_OUT,
    STATUS,
    T_ACC,
    TAIL,
    Q,
)


@numba.njit(cache=True)
def _find_turn(turn_start, turn_to, a, b):
    for j in range(turn_start[a], turn_start[a + 1]):
        if turn_to[j] == b:
            return j
    return -1


@numba.njit(cache=True, parallel=True)
def send_all(LF, LI, turn_start, turn_to, TF, VF, VI, route_links, NS, NL, vclock,
             MVN, MVI, MVT, ST, kb, t, dt):
    """Phase A at every node: pop the vehicles that cross it in this step; return arrivals."""
    horizon = t + dt
    for n in numba.prange(vclock.size):
        arrivals = 0
        i0, i1 = NS[IN, n], NS[IN, n + 1]
        base = MVN[MV_START, n]
        moved = 0
        while True:
            best_a = -1
            best_b = -1
            best_turn = -1
            best_key = np.inf
            for j in range(i0, i1):
                a = NL[IN, j]
                if LI[a, ALLOW] <= 0:
                    continue
                v = LI[a, HEAD]
                if v < 0 or VF[v, READY] > horizon:
                    continue
                p = VI[v, ROUTE_POS] + 1
                b = -1
                tj = -1
                if p < VI[v, ROUTE_LEN]:
                    b = route_links[VI[v, ROUTE_START] + p]
                    if LI[b, RECV] <= 0:
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
            if best_a < 0:
                break
            a = best_a
            v = pop(LI, HEAD, TAIL, VI, a)
            LI[a, ALLOW] -= 1
            LF[a, OUT_ACC] -= 1.0
            LI[a, N_DOWN] += 1
            LF[a, FAIR] = best_key + 1.0 / LF[a, Q]
            vclock[n] = best_key
            ST[S_OUT, kb, a] += 1.0
            VF[v, DISTANCE] += LF[a, LENGTH]
            tau = max(VF[v, READY], t)
            if best_b < 0:
                VF[v, ARRIVAL] = tau
                VI[v, STATUS] = ARRIVED
                VI[v, LINK] = -1
                arrivals += 1
            else:
                LI[best_b, RECV] -= 1
                if best_turn >= 0:
                    TF[best_turn, T_ACC] -= 1.0
                MVI[MV_VEH, base + moved] = v
                MVI[MV_LINK, base + moved] = best_b
                MVT[base + moved] = tau
                moved += 1
        MVN[MV_COUNT, n] = moved
        MVN[MV_ARRIVED, n] = arrivals
    return MVN[MV_ARRIVED].sum()


@numba.njit(cache=True)
def _enter(LF, LI, VF, VI, ST, b, v, tau, kb):
    """Vehicle ``v`` enters link ``b`` at ``tau`` (no earlier than the vehicle ahead of it)."""
    tau = max(tau, LF[b, LAST_ENTRY])
    LF[b, LAST_ENTRY] = tau
    push(LI, HEAD, TAIL, VI, b, v)
    LI[b, N_UP] += 1
    LF[b, IN_ACC] -= 1.0
    ST[S_IN, kb, b] += 1.0
    VF[v, ENTRY_TIME] = tau
    VF[v, READY] = tau + LF[b, FREE_TIME]
    VI[v, LINK] = b


@numba.njit(cache=True, parallel=True)
def receive_all(LF, LI, VF, VI, NS, NL, MVN, MVI, MVT, ST, kb, t):
    """Phase B at every node: moved vehicles join their next links, then waiting vehicles enter."""
    for n in numba.prange(NS.shape[1] - 1):
        base = MVN[MV_START, n]
        end = base + MVN[MV_COUNT, n]
        for i in range(base + 1, end):  # insertion sort by transfer time (few moves per step)
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
            VI[v, ROUTE_POS] += 1
            _enter(LF, LI, VF, VI, ST, MVI[MV_LINK, i], v, MVT[i], kb)
        MVN[MV_COUNT, n] = 0
        for j in range(NS[OUT, n], NS[OUT, n + 1]):
            b = NL[OUT, j]
            while LI[b, RECV] > 0 and LI[b, ENT_HEAD] >= 0:
                v = pop(LI, ENT_HEAD, ENT_TAIL, VI, b)
                LI[b, N_ENTRY] -= 1
                LI[b, RECV] -= 1
                VI[v, STATUS] = ON_LINK
                _enter(LF, LI, VF, VI, ST, b, v, max(VF[v, DEPARTURE], t), kb)
