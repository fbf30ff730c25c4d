"""The run's mutable state: a few 2-D arrays with named columns (fields).

Kernels take whole matrices and index them by field constants (``LF[a, Q]`` is the capacity of
link ``a``; one row per link or vehicle, so the fields a kernel touches share cache lines). A
function with a handful of array arguments compiles in a fraction of the time of one taking
dozens of arrays or a large named tuple, and per-item helper calls are avoided in hot loops:
each array argument of a numba call costs an atomic reference-count round trip.

Vehicles on a link form a FIFO queue kept as a singly linked list (``HEAD``/``TAIL`` per link,
``NXT`` per vehicle); vehicles that have departed but wait to enter their first link form a
second FIFO per link (``ENT_HEAD``/``ENT_TAIL``). Cumulative counts per link (``N_UP`` entered,
``N_DOWN`` left) and their values at past step boundaries (a ring buffer per link in ``hist``)
feed Newell's sending and receiving flows.

Vehicle status codes: 0 not released yet, 1 waiting to enter its first link, 2 on a link,
3 arrived, 4 unroutable (no path from origin to destination; never departs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.graph import RoadGraph, csr_out_links
from simulation.mobility.fundamental import LinkModel

NOT_RELEASED, WAITING, ON_LINK, ARRIVED, UNROUTABLE = 0, 1, 2, 3, 4
ACC_CAP = 1.0 - 1e-9
"""Upper bound of an unused capacity accumulator: capacity not used in a step is not banked."""

# link float fields (LF, float64, shape (n_links, N_LF): one row per link); times s, flows veh/s, counts veh
(LENGTH,       # m
 FREE_TIME,    # s, L / v
 Q,            # veh/s, current capacity (capacity events change it)
 STORAGE,      # veh, k_jam L (at least 1)
 WAVE_STEPS,   # L / (w dt)
 FREE_STEPS,   # L / (v dt)
 CYCLE,        # s, signal cycle at the downstream node (0 = uncontrolled)
 OFFSET,       # s
 G_START,      # s into the cycle
 G_END,        # s into the cycle
 GREEN_SHARE,  # green / cycle (1 if uncontrolled)
 OUT_ACC,      # accumulated sending capacity, veh
 IN_ACC,       # accumulated inflow capacity, veh
 LAST_ENTRY,   # s, entry time of the last vehicle that entered
 FAIR,         # node-model service tag (self-clocked fair queuing)
 ) = range(15)
N_LF = 15

# link integer fields (LI, int64, shape (n_links, N_LI))
(FRM,          # upstream node
 TO,           # downstream node
 N_UP,         # cumulative vehicles entered
 N_DOWN,       # cumulative vehicles left
 ALLOW,        # vehicles the link may still send in this step
 RECV,         # vehicles the link may still receive in this step
 HEAD,         # first vehicle of the link's FIFO (-1 = empty)
 TAIL,         # last vehicle of the link's FIFO
 ENT_HEAD,     # first vehicle waiting to enter the link from its upstream node
 ENT_TAIL,
 N_ENTRY,      # vehicles waiting to enter
 HIST_START,   # offset of the link's ring buffers in hist
 HIST_SIZE,    # ring length, steps
 ) = range(13)
N_LI = 13

# columns of hist (int64, shape (sum of ring lengths, 2)): cumulative counts at step boundaries
H_DOWN, H_UP = 0, 1

# vehicle float fields (VF, float64, shape (n_vehicles, N_VF)): one row per vehicle, so the
# fields a move touches share cache lines
(DEPARTURE,    # s
 ENTRY_TIME,   # s, entered the current link
 READY,        # s, earliest exit from the current link (entry + L / v)
 ARRIVAL,      # s, NaN until arrived
 DISTANCE,     # m, links completed
 ) = range(5)
N_VF = 5

# vehicle integer fields (VI, int64, shape (n_vehicles, N_VI))
(ORIGIN,       # node
 DEST,         # node
 ROUTE_START,  # offset of the route in route_links
 ROUTE_LEN,
 ROUTE_POS,    # index in the route of the current (or first) link
 STATUS,       # see the module doc
 LINK,         # current link (or the link waited for), -1 otherwise
 NXT,          # next vehicle in the same FIFO
 ) = range(8)
N_VI = 8

# turn float fields (TF, float64, shape (n_turns, 2))
T_Q, T_ACC = 0, 1
# node CSR rows: NS (2, n_nodes + 1) offsets, NL (2, n_links) link ids
IN, OUT = 0, 1
# move buffer rows: MVN (3, n_nodes + 1) int64 (buffer offset, moves and arrivals of the step),
# MVI (2, size) int64
MV_START, MV_COUNT, MV_ARRIVED = 0, 1, 2
MV_VEH, MV_LINK = 0, 1
# per-bin statistics (ST, float64, shape (4, n_bins, n_links))
S_IN, S_OUT, S_OCC, S_QUEUE = 0, 1, 2, 3  # veh, veh, veh s, veh s
# per-step network series (SER, int64, shape (4, n_steps))
SER_DEPARTED, SER_WAITING, SER_ON_LINKS, SER_ARRIVED = 0, 1, 2, 3


@dataclass
class State:
    """All arrays of a run; the driver passes them to the kernels."""

    LF: np.ndarray
    LI: np.ndarray
    hist: np.ndarray
    turn_start: np.ndarray   # int64 (n_links + 1)
    turn_to: np.ndarray      # int64
    TF: np.ndarray
    VF: np.ndarray
    VI: np.ndarray
    order: np.ndarray        # int64 vehicles by departure time
    route_links: np.ndarray  # int64 pool of all routes
    NS: np.ndarray
    NL: np.ndarray
    vclock: np.ndarray       # per node, virtual time of the node's fair queuing
    MVN: np.ndarray
    MVI: np.ndarray
    MVT: np.ndarray          # s, transfer time of each buffered move
    ST: np.ndarray
    SER: np.ndarray


def build_state(graph: RoadGraph, model: LinkModel, signal_arrays: tuple, turns: tuple,
                departure: np.ndarray, origin: np.ndarray, destination: np.ndarray,
                q_peak: np.ndarray, dt: float, n_bins: int, n_steps: int) -> State:
    """Fresh state: empty links, all vehicles not released and without routes."""
    n = graph.n_links
    cyc, off, gs, ge = signal_arrays
    span = np.where(ge >= gs, ge - gs, cyc - gs + ge)
    LF = np.zeros((n, N_LF))
    LF[:, LENGTH] = graph.length
    LF[:, FREE_TIME] = model.free_time
    LF[:, Q] = model.capacity
    LF[:, STORAGE] = model.storage
    LF[:, WAVE_STEPS] = model.wave_steps
    LF[:, FREE_STEPS] = model.free_steps
    LF[:, CYCLE], LF[:, OFFSET], LF[:, G_START], LF[:, G_END] = cyc, off, gs, ge
    LF[:, GREEN_SHARE] = np.where(cyc > 0, span / np.where(cyc > 0, cyc, 1.0), 1.0)
    LI = np.zeros((n, N_LI), np.int64)
    LI[:, FRM], LI[:, TO] = graph.link_from, graph.link_to
    LI[:, [HEAD, TAIL, ENT_HEAD, ENT_TAIL]] = -1
    if n:
        np.cumsum(model.history[:-1], out=LI[1:, HIST_START])
    LI[:, HIST_SIZE] = model.history
    turn_start, turn_to, turn_q = turns
    TF = np.zeros((turn_q.size, 2))
    TF[:, T_Q] = turn_q

    n_veh = departure.size
    VF = np.zeros((n_veh, N_VF))
    VF[:, DEPARTURE] = departure
    VF[:, ARRIVAL] = np.nan
    VI = np.zeros((n_veh, N_VI), np.int64)
    VI[:, ORIGIN], VI[:, DEST] = origin, destination
    VI[:, [LINK, NXT]] = -1

    in_start, in_links = csr_out_links(graph.n_nodes, graph.link_to)
    NS = np.stack([in_start, graph.out_start]).astype(np.int64)
    NL = np.stack([in_links, graph.out_links]).astype(np.int64)
    max_moves = np.floor(q_peak * dt + 1.0)  # an accumulator stays below 1 + q dt
    per_node = np.bincount(graph.link_to, weights=max_moves, minlength=graph.n_nodes)
    MVN = np.zeros((3, graph.n_nodes + 1), np.int64)
    np.cumsum(per_node.astype(np.int64), out=MVN[MV_START, 1:])
    size = int(MVN[MV_START, -1])
    return State(
        LF=LF, LI=LI, hist=np.zeros((int(model.history.sum()), 2), np.int64),
        turn_start=turn_start.astype(np.int64), turn_to=turn_to.astype(np.int64), TF=TF,
        VF=VF, VI=VI, order=np.argsort(departure, kind="stable").astype(np.int64),
        route_links=np.zeros(0, np.int64), NS=NS, NL=NL,
        vclock=np.zeros(graph.n_nodes), MVN=MVN, MVI=np.zeros((2, size), np.int64),
        MVT=np.zeros(size), ST=np.zeros((4, n_bins, n)), SER=np.zeros((4, n_steps), np.int64),
    )
