"""FIFO queues of vehicles as singly linked lists: O(1) push at the tail, pop at the head.

Queue ``q``'s first and last vehicles are ``LI[q, head]`` and ``LI[q, tail]`` (``head``/``tail``
are field constants of ``state``); the next vehicle after ``v`` is ``VI[v, NXT]`` (-1 at the end).
"""

from __future__ import annotations

import numba

from simulation.mobility.state import NXT


@numba.njit(cache=True)
def push(LI, head, tail, VI, q, v):
    """Append vehicle ``v`` to queue ``q``."""
    VI[v, NXT] = -1
    last = LI[q, tail]
    if last < 0:
        LI[q, head] = v
    else:
        VI[last, NXT] = v
    LI[q, tail] = v


@numba.njit(cache=True)
def pop(LI, head, tail, VI, q):
    """Remove and return the first vehicle of the non-empty queue ``q``."""
    v = LI[q, head]
    nxt = VI[v, NXT]
    LI[q, head] = nxt
    if nxt < 0:
        LI[q, tail] = -1
    VI[v, NXT] = -1
    return v
