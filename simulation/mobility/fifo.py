"""FIFO queues of vehicles.

* Entry queues (vehicles waiting at their origin to enter their first link) are singly linked
  lists: queue ``q``'s first and last vehicles are ``LI[q, head]`` and ``LI[q, tail]``
  (``head``/``tail`` are field constants of ``state``); the next vehicle after ``v`` is
  ``VI[v, NXT]`` (-1 at the end). O(1) push at the tail, pop at the head.
* Vehicles on a link are a ring buffer of the link indexed by its cumulative counts, with the
  step each entered (see ``state``): ``ring_push``, ``ring_head`` and ``ring_at``.
"""

from __future__ import annotations

import numba

from simulation.mobility.state import N_DOWN, N_UP, NXT, R_STEP, R_VEH, RING_MASK, RING_START


@numba.njit(cache=True, inline="always")
def push(LI, head, tail, VI, q, v):
    """Append vehicle ``v`` to queue ``q``."""
    VI[v, NXT] = -1
    last = LI[q, tail]
    if last < 0:
        LI[q, head] = v
    else:
        VI[last, NXT] = v
    LI[q, tail] = v


@numba.njit(cache=True, inline="always")
def pop(LI, head, tail, VI, q):
    """Remove and return the first vehicle of the non-empty queue ``q``."""
    v = LI[q, head]
    nxt = VI[v, NXT]
    LI[q, head] = nxt
    if nxt < 0:
        LI[q, tail] = -1
    VI[v, NXT] = -1
    return v


@numba.njit(cache=True, inline="always")
def ring_push(LI, ring, a, v, k):
    """Vehicle ``v`` joins the tail of link ``a`` in step ``k`` (counts it in ``N_UP``)."""
    n = LI[a, N_UP]
    slot = LI[a, RING_START] + (n & LI[a, RING_MASK])
    ring[slot, R_VEH] = v
    ring[slot, R_STEP] = k
    LI[a, N_UP] = n + 1


@numba.njit(cache=True, inline="always")
def ring_at(LI, ring, a, i):
    """The vehicle that entered link ``a`` as number ``i`` (``N_DOWN`` <= i < ``N_UP``)."""
    return ring[LI[a, RING_START] + (i & LI[a, RING_MASK]), R_VEH]


@numba.njit(cache=True, inline="always")
def ring_head(LI, ring, a):
    """The vehicle at the head of the non-empty link ``a``."""
    return ring[LI[a, RING_START] + (LI[a, N_DOWN] & LI[a, RING_MASK]), R_VEH]
