"""Link model: Newell's simplified kinematic wave theory as a link transmission model (LTM).

For link a at step k (time t = k dt) with cumulative counts N_up (entered) and N_down (left):

* sending: vehicles whose free-flow exit time entry + L / v has come (FIFO, so this is
  N_up(t + dt - L/v) - N_down(t) in whole vehicles), at most the accumulated capacity
  q_max dt g, where g is the green share of the step at a signal;
* receiving: N_down(t + dt - L/w) + k_jam L - N_up(t) (jam storage freed by the backward wave),
  at most the accumulated inflow capacity q_max dt.

Capacity not used in a step is not banked: an accumulator keeps only its fraction below one
vehicle, so integer vehicle counts follow the fractional capacity exactly over time. The
cumulative counts are kept at step boundaries in a ring buffer per link and read with linear
interpolation at the fractional look-back times.
"""

from __future__ import annotations

import math

import numba

from simulation.mobility.signals import green_fraction
from simulation.mobility.state import (
    ACC_CAP,
    ALLOW,
    CYCLE,
    FREE_STEPS,
    G_END,
    G_START,
    H_DOWN,
    H_UP,
    HIST_SIZE,
    HIST_START,
    IN_ACC,
    N_DOWN,
    N_ENTRY,
    N_UP,
    OFFSET,
    OUT_ACC,
    RECV,
    S_OCC,
    S_QUEUE,
    STORAGE,
    T_ACC,
    T_Q,
    WAVE_STEPS,
    Q,
)


@numba.njit(cache=True)
def history_at(hist, row, start, size, tau, k, current):
    """Cumulative count of column ``row`` at fractional step boundary ``tau`` (boundaries up to
    ``k`` are stored, ``current`` is the value at ``k``); zero before the start."""
    if tau >= k:
        return float(current)
    j = int(math.floor(tau))
    f = tau - j
    lo = 0.0 if j < 0 else float(hist[start + j % size, row])
    hi = 0.0 if j + 1 < 0 else float(hist[start + (j + 1) % size, row])
    return lo + f * (hi - lo)


@numba.njit(cache=True, parallel=True)
def prepare_links(LF, LI, hist, turn_start, TF, k, t, dt):
    """Sending allowance and receiving flow of every link for step ``k`` (time ``t``)."""
    for a in numba.prange(LF.shape[0]):
        g = green_fraction(t, dt, LF[a, CYCLE], LF[a, OFFSET], LF[a, G_START], LF[a, G_END])
        q = LF[a, Q]
        LF[a, OUT_ACC] += q * dt * g
        LI[a, ALLOW] = int(math.floor(LF[a, OUT_ACC]))
        LF[a, IN_ACC] += q * dt
        n_down_back = history_at(hist, H_DOWN, LI[a, HIST_START], LI[a, HIST_SIZE],
                                 k + 1.0 - LF[a, WAVE_STEPS], k, LI[a, N_DOWN])
        space = math.floor(n_down_back + LF[a, STORAGE] - LI[a, N_UP] + 1e-9)
        r = min(space, math.floor(LF[a, IN_ACC]))
        LI[a, RECV] = int(r) if r > 0 else 0
        for j in range(turn_start[a], turn_start[a + 1]):
            TF[j, T_ACC] += TF[j, T_Q] * dt * g


@numba.njit(cache=True, parallel=True)
def finish_links(LF, LI, hist, turn_start, TF, ST, k, kb, dt):
    """Close step ``k`` for every link: drop unused capacity, store the cumulative counts, add
    occupancy and vertical queue to bin ``kb``. Returns (vehicles on links, vehicles waiting)."""
    n = LF.shape[0]
    for a in numba.prange(n):
        LF[a, OUT_ACC] = min(LF[a, OUT_ACC], ACC_CAP)
        LF[a, IN_ACC] = min(LF[a, IN_ACC], ACC_CAP)
        for j in range(turn_start[a], turn_start[a + 1]):
            TF[j, T_ACC] = min(TF[j, T_ACC], ACC_CAP)
        start, size = LI[a, HIST_START], LI[a, HIST_SIZE]
        slot = start + (k + 1) % size
        n_up, n_down = LI[a, N_UP], LI[a, N_DOWN]
        hist[slot, H_DOWN] = n_down
        hist[slot, H_UP] = n_up
        occ = n_up - n_down
        ST[S_OCC, kb, a] += occ * dt
        n_up_back = history_at(hist, H_UP, start, size, k + 1.0 - LF[a, FREE_STEPS], k + 1, n_up)
        queue = n_up_back - n_down
        if queue > 0.0:
            ST[S_QUEUE, kb, a] += queue * dt
    on_links = 0
    waiting = 0
    for a in range(n):  # totals in a plain loop: exact integers, no parallel reduction
        on_links += LI[a, N_UP] - LI[a, N_DOWN]
        waiting += LI[a, N_ENTRY]
    return on_links, waiting
