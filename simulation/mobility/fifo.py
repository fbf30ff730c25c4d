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
import numpy as np

from simulation.mobility.state import N_DOWN, N_UP, NXT, R_STEP, R_VEH, RING_MASK, RING_START


@numba.njit(cache=True, inline="always")
def push(LI: np.ndarray, head: int, tail: int, VI: np.ndarray, q: int, v: int) -> None:
    """Append vehicle ``v`` to queue ``q``.

    Parameters
    ----------
    LI : ndarray
        Integer fields of the queues, int64 (n_queues, n_fields) [-]; updated in place.
    head, tail : int
        Columns of ``LI`` holding each queue's first and last vehicle (-1 = empty) [-].
    VI : ndarray
        Integer vehicle fields, int32 (n_vehicles, ``N_VI``) [-]; its ``NXT`` column links
        the queue.
    q : int
        Queue (row of ``LI``) [-].
    v : int
        Vehicle [-].

    Returns
    -------
    None
        ``LI`` and ``VI`` are updated in place.
    """
    VI[v, NXT] = -1
    last = LI[q, tail]
    if last < 0:
        LI[q, head] = v
    else:
        VI[last, NXT] = v
    LI[q, tail] = v


@numba.njit(cache=True, inline="always")
def pop(LI: np.ndarray, head: int, tail: int, VI: np.ndarray, q: int) -> int:
    """Remove and return the first vehicle of the non-empty queue ``q``.

    Parameters
    ----------
    LI : ndarray
        Integer fields of the queues, int64 (n_queues, n_fields) [-]; updated in place.
    head, tail : int
        Columns of ``LI`` holding each queue's first and last vehicle (-1 = empty) [-].
    VI : ndarray
        Integer vehicle fields, int32 (n_vehicles, ``N_VI``) [-]; updated in place.
    q : int
        Queue (row of ``LI``), not empty [-].

    Returns
    -------
    int
        The vehicle that was first in the queue [-].
    """
    v = LI[q, head]
    nxt = VI[v, NXT]
    LI[q, head] = nxt
    if nxt < 0:
        LI[q, tail] = -1
    VI[v, NXT] = -1
    return v


@numba.njit(cache=True, inline="always")
def ring_push(LI: np.ndarray, ring: np.ndarray, a: int, v: int, k: int) -> None:
    """Vehicle ``v`` joins the tail of link ``a`` in step ``k`` (counts it in ``N_UP``).

    Parameters
    ----------
    LI : ndarray
        Integer link fields, int64 (n_links, ``N_LI``) [-]; ``N_UP`` is updated in place.
    ring : ndarray
        Vehicle rings of all links, int32 (n_slots, 2): vehicle and entry step [-].
    a : int
        Link [-].
    v : int
        Vehicle [-].
    k : int
        Time step of the entry [steps].

    Returns
    -------
    None
        ``LI`` and ``ring`` are updated in place.
    """
    n = LI[a, N_UP]
    slot = LI[a, RING_START] + (n & LI[a, RING_MASK])
    ring[slot, R_VEH] = v
    ring[slot, R_STEP] = k
    LI[a, N_UP] = n + 1


@numba.njit(cache=True, inline="always")
def ring_at(LI: np.ndarray, ring: np.ndarray, a: int, i: int) -> int:
    """The vehicle that entered link ``a`` as number ``i`` (``N_DOWN`` <= i < ``N_UP``).

    Parameters
    ----------
    LI : ndarray
        Integer link fields, int64 (n_links, ``N_LI``) [-].
    ring : ndarray
        Vehicle rings of all links, int32 (n_slots, 2) [-].
    a : int
        Link [-].
    i : int
        Cumulative entry number on the link, still on it [veh].

    Returns
    -------
    int
        The vehicle [-].
    """
    return ring[LI[a, RING_START] + (i & LI[a, RING_MASK]), R_VEH]


@numba.njit(cache=True, inline="always")
def ring_head(LI: np.ndarray, ring: np.ndarray, a: int) -> int:
    """The vehicle at the head of the non-empty link ``a``.

    Parameters
    ----------
    LI : ndarray
        Integer link fields, int64 (n_links, ``N_LI``) [-].
    ring : ndarray
        Vehicle rings of all links, int32 (n_slots, 2) [-].
    a : int
        Link with at least one vehicle on it [-].

    Returns
    -------
    int
        The vehicle that entered the link first of those still on it [-].
    """
    return ring[LI[a, RING_START] + (LI[a, N_DOWN] & LI[a, RING_MASK]), R_VEH]
