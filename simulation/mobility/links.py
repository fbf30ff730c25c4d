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
import numpy as np

from simulation.mobility.jit import njit_no_refcount
from simulation.mobility.signals import green_fraction
from simulation.mobility.state import (
    ACC_CAP,
    ALLOW,
    CYCLE,
    DCUR,
    DL_MASK,
    DL_START,
    DN0,
    DOWNSTEP,
    FREE_STEPS,
    G_END,
    G_START,
    IN,
    IN_ACC,
    N_DOWN,
    N_UP,
    OFFSET,
    OUT,
    OUT_ACC,
    PER_STEP,
    R_STEP,
    RECV,
    RING_MASK,
    RING_START,
    S_OCC_DOWN,
    S_OCC_UP,
    S_QUEUE,
    STORAGE,
    T_ACC,
    T_Q,
    UCUR,
    UCUR_STEP,
    UPSTEP,
    WAVE_STEPS,
    Q,
)


@njit_no_refcount()
def entries_before(LI: np.ndarray, ring: np.ndarray, a: int, n0: int, lower: int, j: int) -> int:
    """How many of the first ``n0`` vehicles to enter link ``a`` entered in a step before
    ``j``, counting on from ``lower`` (at most the answer; the log holds the look-back window).

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2)
        [-, steps].
    a : int
        Link [-].
    n0 : int
        Vehicles entered so far (``N_UP``) [veh].
    lower : int
        A count known not to exceed the answer, where the scan starts [veh].
    j : int
        Step boundary [steps].

    Returns
    -------
    int
        Vehicles that entered in a step before ``j`` [veh].
    """
    start, mask = LI[a, RING_START], LI[a, RING_MASK]
    c = max(lower, n0 - mask - 1 + LI[a, PER_STEP], 0)
    while c < n0 and ring[start + (c & mask), R_STEP] < j:
        c += 1
    return c


@njit_no_refcount()
def departures_before(LI: np.ndarray, dlog: np.ndarray, a: int, n0: int, lower: int,
                      j: int) -> int:
    """As ``entries_before``, for the first ``n0`` vehicles to leave link ``a``.

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    dlog : ndarray
        Departure logs of all links: the step of each departure, int32 [steps].
    a : int
        Link [-].
    n0 : int
        Vehicles left so far (``N_DOWN``) [veh].
    lower : int
        A count known not to exceed the answer, where the scan starts [veh].
    j : int
        Step boundary [steps].

    Returns
    -------
    int
        Vehicles that left in a step before ``j`` [veh].
    """
    start, mask = LI[a, DL_START], LI[a, DL_MASK]
    c = max(lower, n0 - mask - 1 + LI[a, PER_STEP], 0)
    while c < n0 and dlog[start + (c & mask)] < j:
        c += 1
    return c


@njit_no_refcount()
def n_up_at(LI: np.ndarray, ring: np.ndarray, a: int, tau: float, k: int, n0: int,
            lower: int) -> tuple[float, int]:
    """``N_UP`` of link ``a`` at fractional step boundary ``tau`` <= ``k`` (linear between
    boundaries; ``n0`` is its value at ``k``), and the count at floor(tau) as the next
    ``lower``.

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2)
        [-, steps].
    a : int
        Link [-].
    tau : float
        Fractional step boundary looked back to [steps].
    k : int
        Current step boundary [steps].
    n0 : int
        ``N_UP`` at boundary ``k`` [veh].
    lower : int
        A count known not to exceed ``N_UP`` at floor(tau) [veh].

    Returns
    -------
    n_up : float
        Cumulative entries at ``tau``, interpolated [veh].
    lower : int
        Cumulative entries at floor(tau) [veh].
    """
    if tau >= k:
        return float(n0), lower
    j = int(math.floor(tau))
    lo = entries_before(LI, ring, a, n0, lower, j)
    hi = entries_before(LI, ring, a, n0, lo, j + 1)
    return lo + (tau - j) * (hi - lo), lo


@njit_no_refcount()
def n_down_at(LI: np.ndarray, dlog: np.ndarray, a: int, tau: float, k: int, n0: int,
              lower: int) -> tuple[float, int]:
    """As ``n_up_at``, for ``N_DOWN``.

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    dlog : ndarray
        Departure logs of all links: the step of each departure, int32 [steps].
    a : int
        Link [-].
    tau : float
        Fractional step boundary looked back to [steps].
    k : int
        Current step boundary [steps].
    n0 : int
        ``N_DOWN`` (or its published value) at boundary ``k`` [veh].
    lower : int
        A count known not to exceed ``N_DOWN`` at floor(tau) [veh].

    Returns
    -------
    n_down : float
        Cumulative departures at ``tau``, interpolated [veh].
    lower : int
        Cumulative departures at floor(tau) [veh].
    """
    if tau >= k:
        return float(n0), lower
    j = int(math.floor(tau))
    lo = departures_before(LI, dlog, a, n0, lower, j)
    hi = departures_before(LI, dlog, a, n0, lo, j + 1)
    return lo + (tau - j) * (hi - lo), lo


@numba.njit(cache=True, inline="always")
def prepare_sending(LF: np.ndarray, LI: np.ndarray, TF: np.ndarray, turn_start: np.ndarray,
                    a: int, t: float, dt: float, busy: bool) -> None:
    """Sending side of link ``a`` for the step at ``t``: capacity x green share joins the
    accumulator (and those of the link's capped turns); ``ALLOW`` is its whole part. Skipped
    when the link has nothing to send and every accumulator is full (or has no capacity).

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    turn_start : ndarray
        CSR offsets of each link's capped turns in ``TF``, int64 (n_links + 1,) [-].
    a : int
        Link [-].
    t : float
        Start of the step [s].
    dt : float
        Time step [s].
    busy : bool
        Whether the vehicle at the link's head may leave in the step.

    Returns
    -------
    None
        ``OUT_ACC`` and ``ALLOW`` of the link and its turns' accumulators are updated in place.
    """
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
def open_receiving(LF: np.ndarray, LI: np.ndarray, b: int, dt: float) -> None:
    """Start the step of link ``b``'s receiving side: the step's inflow capacity joins the
    accumulator (unless it is full: then only if a vehicle asks, in ``receiving_flow``).

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    b : int
        Link [-].
    dt : float
        Time step [s].

    Returns
    -------
    None
        ``IN_ACC`` and ``RECV`` of the link are updated in place.
    """
    if LF[b, IN_ACC] < ACC_CAP:
        LF[b, IN_ACC] += LF[b, Q] * dt
        LI[b, RECV] = ADDED
    else:
        LI[b, RECV] = NOT_ADDED


@njit_no_refcount()
def receiving_flow(LF: np.ndarray, LI: np.ndarray, dlog: np.ndarray, PUB: np.ndarray, b: int,
                   k: int, dt: float) -> int:
    """Vehicles link ``b`` may still receive in step ``k``: the storage freed by the backward
    wave, at most the accumulated inflow capacity; computed when first asked in the step.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    dlog : ndarray
        Departure logs of all links: the step of each departure, int32 [steps].
    PUB : ndarray
        Counts published by the links' ends, int64 (5, n_links) [veh].
    b : int
        Link [-].
    k : int
        Time step [steps].
    dt : float
        Time step [s].

    Returns
    -------
    int
        Vehicles the link may still receive in the step, >= 0 [veh].
    """
    r = LI[b, RECV]
    if r >= 0:
        return r
    if r == NOT_ADDED:
        LF[b, IN_ACC] += LF[b, Q] * dt
    # N_DOWN at the step's start: the downstream node may be changing it now
    n_down_back, LI[b, DCUR] = n_down_at(LI, dlog, b, k + 1.0 - LF[b, WAVE_STEPS], k,
                                         PUB[DN0 + (k & 1), b], LI[b, DCUR])
    space = math.floor(n_down_back + LF[b, STORAGE] - LI[b, N_UP] + 1e-9)
    r = int(min(space, math.floor(LF[b, IN_ACC])))
    r = max(r, 0)
    LI[b, RECV] = r
    return r


@numba.njit(cache=True, inline="always")
def finish_sending(LF: np.ndarray, TF: np.ndarray, turn_start: np.ndarray, a: int) -> None:
    """Unused sending capacity is not banked.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    turn_start : ndarray
        CSR offsets of each link's capped turns in ``TF``, int64 (n_links + 1,) [-].
    a : int
        Link [-].

    Returns
    -------
    None
        The link's and its turns' accumulators are capped at ``ACC_CAP`` in place.
    """
    LF[a, OUT_ACC] = min(LF[a, OUT_ACC], ACC_CAP)
    for j in range(turn_start[a], turn_start[a + 1]):
        TF[j, T_ACC] = min(TF[j, T_ACC], ACC_CAP)


@njit_no_refcount()
def add_steps(ST: np.ndarray, a: int, col: int, value: float, s0: int, s1: int, bin_steps: int,
              dt: float) -> None:
    """Add ``value`` x dt for every step in [s0, s1) to column ``col`` of link ``a`` in the
    step's bin (lazy occupancy: a count held over several steps).

    Parameters
    ----------
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    a : int
        Link [-].
    col : int
        Column of ``ST`` [-].
    value : float
        Count held over the steps [veh].
    s0, s1 : int
        First step and the step after the last [steps].
    bin_steps : int
        Time steps per output bin [steps].
    dt : float
        Time step [s].

    Returns
    -------
    None
        ``ST`` is updated in place (adds [veh s]).
    """
    while s0 < s1:
        kb = s0 // bin_steps
        end = min(s1, (kb + 1) * bin_steps)
        ST[kb, a, col] += value * (end - s0) * dt
        s0 = end


@njit_no_refcount()
def count_up(LI: np.ndarray, ST: np.ndarray, a: int, k: int, bin_steps: int, dt: float) -> None:
    """Link ``a``'s ``N_UP`` is about to change in step ``k``: the steps since the last change
    held the old count (occupancy, upstream side).

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    a : int
        Link [-].
    k : int
        Time step [steps].
    bin_steps : int
        Time steps per output bin [steps].
    dt : float
        Time step [s].

    Returns
    -------
    None
        ``ST`` and the link's ``UPSTEP`` are updated in place.
    """
    if LI[a, UPSTEP] < k:
        add_steps(ST, a, S_OCC_UP, LI[a, N_UP], LI[a, UPSTEP], k, bin_steps, dt)
        LI[a, UPSTEP] = k


@njit_no_refcount()
def count_down(LI: np.ndarray, ST: np.ndarray, a: int, k: int, bin_steps: int,
               dt: float) -> None:
    """As ``count_up``, for ``N_DOWN`` (downstream side).

    Parameters
    ----------
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    a : int
        Link [-].
    k : int
        Time step [steps].
    bin_steps : int
        Time steps per output bin [steps].
    dt : float
        Time step [s].

    Returns
    -------
    None
        ``ST`` and the link's ``DOWNSTEP`` are updated in place.
    """
    if LI[a, DOWNSTEP] < k:
        add_steps(ST, a, S_OCC_DOWN, LI[a, N_DOWN], LI[a, DOWNSTEP], k, bin_steps, dt)
        LI[a, DOWNSTEP] = k


@njit_no_refcount(inline="always")
def _replayed(acc: float, q: float, s0: int, s1: int, dt: float, cyc: float, off: float,
              gs: float, ge: float) -> float:
    """Accumulator ``acc`` after steps s0..s1-1 of adding ``q`` dt x the green share (cycle 0:
    always green), capped at ``ACC_CAP`` each step; stops once full."""
    s = s0
    while s < s1 and acc < ACC_CAP and q > 0.0:
        acc += q * dt * green_fraction(s * dt, dt, cyc, off, gs, ge)
        acc = min(acc, ACC_CAP)
        s += 1
    return acc


@njit_no_refcount()
def catch_up(LF: np.ndarray, TF: np.ndarray, turn_start: np.ndarray, NS: np.ndarray,
             NL: np.ndarray, n: int, s0: int, s1: int, dt: float) -> None:
    """Node ``n`` did not run in steps s0..s1-1: nothing entered or left its links, so each
    step only added capacity to the accumulators of their sides it owns, capped as at the end
    of every step. Replayed step by step (the same arithmetic) until an accumulator is full.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    turn_start : ndarray
        CSR offsets of each link's capped turns in ``TF``, int64 (n_links + 1,) [-].
    NS : ndarray
        Offsets of each node's incoming and outgoing links, int64 (2, n_nodes + 1) [-].
    NL : ndarray
        Link ids of those CSRs, int64 (2, n_links) [-].
    n : int
        Node [-].
    s0, s1 : int
        First skipped step and the step after the last [steps].
    dt : float
        Time step [s].

    Returns
    -------
    None
        The accumulators of the node's link sides are updated in place.
    """
    for j in range(NS[IN, n], NS[IN, n + 1]):
        a = NL[IN, j]
        cyc, off, gs, ge = LF[a, CYCLE], LF[a, OFFSET], LF[a, G_START], LF[a, G_END]
        LF[a, OUT_ACC] = _replayed(LF[a, OUT_ACC], LF[a, Q], s0, s1, dt, cyc, off, gs, ge)
        for jt in range(turn_start[a], turn_start[a + 1]):
            TF[jt, T_ACC] = _replayed(TF[jt, T_ACC], TF[jt, T_Q], s0, s1, dt, cyc, off, gs, ge)
    for j in range(NS[OUT, n], NS[OUT, n + 1]):
        b = NL[OUT, j]  # entering is never signalled
        LF[b, IN_ACC] = _replayed(LF[b, IN_ACC], LF[b, Q], s0, s1, dt, 0.0, 0.0, 0.0, 0.0)


@njit_no_refcount(inline="always")
def _first_entry_from(LI: np.ndarray, ring: np.ndarray, a: int, n0: int, c: int, c_step: int,
                      j: int) -> tuple[int, int]:
    """The first of the first ``n0`` entries of link ``a`` from number ``c`` on that entered
    in step ``j`` or later (``n0`` if none), and that step (-1 if none); ``c_step`` is the
    step of entry ``c`` if known (-1 otherwise: read from the ring)."""
    start, mask = LI[a, RING_START], LI[a, RING_MASK]
    while c < n0:
        s = c_step if c_step >= 0 else ring[start + (c & mask), R_STEP]
        if s >= j:
            return c, s
        c += 1
        c_step = -1
    return c, -1


@njit_no_refcount()
def queue_stats(LF: np.ndarray, LI: np.ndarray, ring: np.ndarray, ST: np.ndarray, a: int, k: int,
                kb: int, dt: float, n_up: int, n_down: int) -> None:
    """Add the vertical queue of link ``a`` at the end of step ``k - 1`` (its cumulative counts
    at boundary ``k`` are ``n_up`` and ``n_down``) to bin ``kb``: vehicles past their free-flow
    exit time. Run by the link's downstream node at the start of step ``k``, when the upstream
    node's count is known; zero unless the vehicle at the head has reached its exit time.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2)
        [-, steps].
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per column].
    a : int
        Link [-].
    k : int
        Step boundary [steps].
    kb : int
        Output bin [-].
    dt : float
        Time step [s].
    n_up, n_down : int
        Cumulative entries and departures of the link at boundary ``k`` [veh].

    Returns
    -------
    None
        Adds the queue x dt to ``ST[kb, a, S_QUEUE]`` [veh s] in place.
    """
    if n_up == n_down:
        return
    tau = k - LF[a, FREE_STEPS]
    if tau >= k:
        n_up_back = float(n_up)
    else:
        # the cursor is the count before the previous look-back's boundary + 1, a lower bound
        # now (boundaries only grow), with the step of that entry if it had entered: the
        # look-back reads the ring only for entries at its boundary (``n_up_at``'s answer)
        j = int(math.floor(tau))
        c, c_step = LI[a, UCUR], LI[a, UCUR_STEP]
        window = n_up - LI[a, RING_MASK] - 1 + LI[a, PER_STEP]
        if window > c:
            c, c_step = window, -1
        if c < 0:
            c, c_step = 0, -1
        lo, lo_step = _first_entry_from(LI, ring, a, n_up, c, c_step, j)
        hi, hi_step = _first_entry_from(LI, ring, a, n_up, lo, lo_step, j + 1)
        n_up_back = lo + (tau - j) * (hi - lo)
        LI[a, UCUR] = hi
        LI[a, UCUR_STEP] = hi_step
    queue = n_up_back - n_down
    if queue > 0.0:
        ST[kb, a, S_QUEUE] += queue * dt
