"""Link model: Newell's simplified kinematic wave theory as a link transmission model (LTM).

For link a at step k (time t = k dt) with cumulative counts N_up (entered) and N_down (left):

* sending: vehicles whose free-flow exit time entry + L / v has come (FIFO, so this is
  N_up(t + dt - L/v) - N_down(t) in whole vehicles), at most the accumulated capacity
  q_max dt g, where g is the green share of the step at a signal;
* receiving: N_down(t + dt - L/w) + k_jam L - N_up(t) (jam storage freed by the backward wave),
  at most the accumulated inflow capacity q_max dt.

Capacity not used in a step is not banked: an accumulator keeps only its fraction below one
vehicle, so integer vehicle counts follow the fractional capacity exactly over time. The
cumulative counts at past step boundaries are read with linear
interpolation at the fractional look-back times (never later than the step's start: a backward
wave faster than one step is clamped to one step). The counts at past boundaries come from the
links' event logs (see ``state``).

The sending side of a link is prepared by its downstream node and the receiving side by its
upstream node, inside the node's part of the time step (``nodes.node_step``). An idle side (no
vehicle to send, accumulator full) is left untouched: the update would not change it.
"""

from __future__ import annotations

import math

import numba

from simulation.mobility.signals import green_fraction
from simulation.mobility.state import (
    ACC_CAP,
    ALLOW,
    CYCLE,
    DCUR,
    DL_MASK,
    DL_START,
    FREE_STEPS,
    G_END,
    G_START,
    IN_ACC,
    N_UP,
    OFFSET,
    OUT_ACC,
    PER_STEP,
    R_STEP,
    RECV,
    RING_MASK,
    RING_START,
    S_OCC,
    S_QUEUE,
    STORAGE,
    T_ACC,
    T_Q,
    UCUR,
    WAVE_STEPS,
    Q,
)


@numba.njit(cache=True, inline="always")
def entries_before(LI, ring, a, n0, lower, j):
    """How many of the first ``n0`` vehicles to enter link ``a`` entered in a step before
    ``j``, counting on from ``lower`` (at most the answer; the log holds the look-back window)."""
    start, mask = LI[a, RING_START], LI[a, RING_MASK]
    c = max(lower, n0 - mask - 1 + LI[a, PER_STEP], 0)
    while c < n0 and ring[start + (c & mask), R_STEP] < j:
        c += 1
    return c


@numba.njit(cache=True, inline="always")
def departures_before(LI, dlog, a, n0, lower, j):
    """As ``entries_before``, for the first ``n0`` vehicles to leave link ``a``."""
    start, mask = LI[a, DL_START], LI[a, DL_MASK]
    c = max(lower, n0 - mask - 1 + LI[a, PER_STEP], 0)
    while c < n0 and dlog[start + (c & mask)] < j:
        c += 1
    return c


@numba.njit(cache=True, inline="always")
def n_up_at(LI, ring, a, tau, k, n0, lower):
    """``N_UP`` of link ``a`` at fractional step boundary ``tau`` <= ``k`` (linear between
    boundaries; ``n0`` is its value at ``k``), and the count at floor(tau) as the next
    ``lower``."""
    if tau >= k:
        return float(n0), lower
    j = int(math.floor(tau))
    lo = entries_before(LI, ring, a, n0, lower, j)
    hi = entries_before(LI, ring, a, n0, lo, j + 1)
    return lo + (tau - j) * (hi - lo), lo


@numba.njit(cache=True, inline="always")
def n_down_at(LI, dlog, a, tau, k, n0, lower):
    """As ``n_up_at``, for ``N_DOWN``."""
    if tau >= k:
        return float(n0), lower
    j = int(math.floor(tau))
    lo = departures_before(LI, dlog, a, n0, lower, j)
    hi = departures_before(LI, dlog, a, n0, lo, j + 1)
    return lo + (tau - j) * (hi - lo), lo


@numba.njit(cache=True, inline="always")
def prepare_sending(LF, LI, TF, turn_start, a, t, dt, busy):
    """Sending side of link ``a`` for the step at ``t``: capacity x green share joins the
    accumulator (and those of the link's capped turns); ``ALLOW`` is its whole part. Skipped
    when the link has nothing to send and every accumulator is full (or has no capacity)."""
    q = LF[a, Q]
    t0, t1 = turn_start[a], turn_start[a + 1]
    if not busy and (LF[a, OUT_ACC] >= ACC_CAP or q == 0.0):
        full = True
        for j in range(t0, t1):
            if TF[j, T_ACC] < ACC_CAP and TF[j, T_Q] > 0.0:
                full = False
        if full:
            return
    g = green_fraction(t, dt, LF[a, CYCLE], LF[a, OFFSET], LF[a, G_START], LF[a, G_END])
    LF[a, OUT_ACC] += q * dt * g
    LI[a, ALLOW] = int(math.floor(LF[a, OUT_ACC]))
    for j in range(t0, t1):
        TF[j, T_ACC] += TF[j, T_Q] * dt * g


NOT_ADDED, ADDED = -2, -1
"""``RECV`` before the receiving flow of the step is known: the step's inflow capacity was not yet
added to a full accumulator, or was added."""


@numba.njit(cache=True, inline="always")
def open_receiving(LF, LI, b, dt):
    """Start the step of link ``b``'s receiving side: the step's inflow capacity joins the
    accumulator (unless it is full: then only if a vehicle asks, in ``receiving_flow``)."""
    if LF[b, IN_ACC] < ACC_CAP:
        LF[b, IN_ACC] += LF[b, Q] * dt
        LI[b, RECV] = ADDED
    else:
        LI[b, RECV] = NOT_ADDED


@numba.njit(cache=True, inline="always")
def receiving_flow(LF, LI, dlog, DNK, b, k, dt):
    """Vehicles link ``b`` may still receive in step ``k``: the storage freed by the backward
    wave, at most the accumulated inflow capacity; computed when first asked in the step."""
    r = LI[b, RECV]
    if r >= 0:
        return r
    if r == NOT_ADDED:
        LF[b, IN_ACC] += LF[b, Q] * dt
    # N_DOWN at the step's start: the downstream node may be changing it now
    n_down_back, LI[b, DCUR] = n_down_at(LI, dlog, b, k + 1.0 - LF[b, WAVE_STEPS], k,
                                         DNK[k & 1, b], LI[b, DCUR])
    space = math.floor(n_down_back + LF[b, STORAGE] - LI[b, N_UP] + 1e-9)
    r = int(min(space, math.floor(LF[b, IN_ACC])))
    r = max(r, 0)
    LI[b, RECV] = r
    return r


@numba.njit(cache=True, inline="always")
def finish_sending(LF, TF, turn_start, a):
    """Unused sending capacity is not banked."""
    LF[a, OUT_ACC] = min(LF[a, OUT_ACC], ACC_CAP)
    for j in range(turn_start[a], turn_start[a + 1]):
        TF[j, T_ACC] = min(TF[j, T_ACC], ACC_CAP)


@numba.njit(cache=True, inline="always")
def link_stats(LF, LI, ring, ST, a, k, kb, dt, n_up, n_down, head_late):
    """Add the occupancy and vertical queue of link ``a`` at the end of step ``k - 1`` (its
    cumulative counts at boundary ``k`` are ``n_up`` and ``n_down``) to bin ``kb``. Run by the
    link's downstream node at the start of step ``k``, when the upstream node's count is known.
    ``head_late``: the vehicle at the head reaches its exit time after step ``k``, so no
    vehicle is past it (the vertical queue is zero)."""
    if n_up == n_down:  # empty: no occupancy, and no vehicle can be past its exit time
        return
    ST[kb, a, S_OCC] += (n_up - n_down) * dt
    if head_late:
        return
    n_up_back, LI[a, UCUR] = n_up_at(LI, ring, a, k - LF[a, FREE_STEPS], k, n_up, LI[a, UCUR])
    queue = n_up_back - n_down
    if queue > 0.0:
        ST[kb, a, S_QUEUE] += queue * dt
