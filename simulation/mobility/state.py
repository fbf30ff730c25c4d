"""The run's mutable state: a few 2-D arrays with named columns (fields).

Kernels take whole matrices and index them by field constants (``LF[a, Q]`` is the capacity of
link ``a``; one row per link or vehicle, so the fields a kernel touches share cache lines). A
function with a handful of array arguments compiles in a fraction of the time of one taking
dozens of arrays or a large named tuple.

**Ownership.** One time step is one parallel loop over the nodes, and every field has one writer
in it: a link's *downstream* node owns its sending side (``N_DOWN``, ``OUT_ACC``, ``ALLOW``,
``AVAIL``, ``FAIR``, ``HEAD_SINCE``, its turns, the ``N_DOWN`` history) and its *upstream* node owns its receiving
side (``N_UP``, ``IN_ACC``, ``RECV``, ``LAST_ENTRY``, ``ENTRY_FAIR``, the entry queue, the ``N_UP``
history). A
vehicle is written only by the node at the end of its current link. So nodes never share a write
and results do not depend on the number of threads or on how nodes are split between them.

Vehicles on a link form a FIFO in a ring buffer of the link (``RING_START``, power-of-two length
``RING_MASK + 1``), indexed by the cumulative counts themselves: the vehicle entering as number
``N_UP`` goes to slot ``N_UP & RING_MASK`` and the one at the head is at ``N_DOWN & RING_MASK``.
The receiving flow never lets more than the link's storage onto it, so the upstream node's
writes never reach the slots the downstream node reads in the same step. Vehicles that have
departed but wait to enter their first link form a second FIFO per link, a linked list
(``ENT_HEAD``/``ENT_TAIL`` per link, ``NXT`` per vehicle), owned by the link's upstream node.
**Histories.** Newell's receiving flow, the vertical queue and routing need cumulative counts
at past step boundaries. They come from event logs, written only when a vehicle moves: the ring
also holds the step in which each vehicle entered (so ``N_UP`` at boundary j is the number of
entries logged with a step before j) and the departure log ``dlog`` the step in which each
vehicle left (``N_DOWN`` at boundary j likewise). Both are long enough for the look-back of the
link's free-flow time and backward wave; a reader counts from a cursor it owns. Each link's
``N_UP`` and ``N_DOWN`` at the step's start are published by step parity (rows of ``PUB``) for
the node at its other end, which may be changing them in the same step.

**Events.** A node runs in a step only if it has work (``WAKE``) or a vehicle arrived on one of
its incoming links (its published ``N_UP`` changed); otherwise its step would change nothing but
its capacity accumulators and the links' occupancy, which it brings up to date when it next
runs (``links.catch_up``; occupancy is summed per side whenever a count changes).

**Routes.** A vehicle follows either a row of the routing-tree pool (``TROW`` >= 0: the next link
after link ``a`` is ``tree[TROW, a]``, -1 where ``a`` ends at its destination, and its first link
from origin node ``n`` is ``tree[TROW, n_links + n]``), or an explicit route (``TROW`` = -1:
links ``route_links[ROUTE_START:ROUTE_START + ROUTE_LEN]``, the current one at ``ROUTE_POS``),
used for routes given in the demand, for the vehicles of tree rows freed when the pool is at its
memory budget (the rest of the row's path) and when a re-routing wants more trees than the
budget holds. Routing drops the explicit routes no longer followed from the pool when they take
more room than those followed (see ``routing.Router``).

Vehicle status codes: 0 not released yet, 1 waiting to enter its first link, 2 on a link,
3 arrived, 4 unroutable (no path from origin to destination; never departs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from simulation.graph import RoadGraph, csr_out_links
from simulation.mobility.fundamental import LinkModel

NOT_RELEASED, WAITING, ON_LINK, ARRIVED, UNROUTABLE = 0, 1, 2, 3, 4
ACC_CAP = 1.0 - 1e-9
"""Upper bound of an unused capacity accumulator: capacity not used in a step is not banked."""

# Link rows are 64-byte aligned; the fields every step reads for a link with vehicles on it are
# in a row's first cache line.

# link float fields (LF, float64, shape (n_links, N_LF): one row per link); times s, flows veh/s, counts veh
(OUT_ACC,      # accumulated sending capacity, veh (downstream node)
 IN_ACC,       # accumulated inflow capacity, veh (upstream node)
 HEAD_READY,   # s, READY of the vehicle at the head (downstream node; valid if HEAD_IDX = N_DOWN;
               # the driver invalidates it when routes change)
 Q,            # veh/s, current capacity (capacity events change it)
 FAIR,         # node-model service tag, self-clocked fair queuing (downstream node)
 LAST_ENTRY,   # s, entry time of the last vehicle that entered (upstream node)
 CYCLE,        # s, signal cycle at the downstream node (0 = uncontrolled)
 OFFSET,       # s
 G_START,      # s into the cycle
 G_END,        # s into the cycle
 LENGTH,       # m
 FREE_TIME,    # s, L / v
 STORAGE,      # veh, k_jam L (at least 1)
 WAVE_STEPS,   # L / (w dt)
 FREE_STEPS,   # L / (v dt)
 ENTRY_FAIR,   # node-model service tag of the vehicles entering the link from its upstream
               # node, self-clocked fair queuing (upstream node)
 ) = range(16)
N_LF = 16

# link integer fields (LI, int64, shape (n_links, N_LI))
(N_DOWN,       # cumulative vehicles left (downstream node)
 AVAIL,        # vehicles on the link at the step's start not yet sent (downstream node)
 HEAD_IDX,     # N_DOWN when HEAD_READY was read (downstream node)
 N_UP,         # cumulative vehicles entered (upstream node)
 N_ENTRY,      # vehicles waiting to enter (upstream node)
 ALLOW,        # vehicles the link may still send in this step (downstream node)
 RECV,         # vehicles the link may still receive in this step (upstream node)
 HEAD_NEXT,    # next link of the vehicle at the head (downstream node; valid as HEAD_READY)
 UCUR,         # entries before the last look-back's boundary + 1 of the vertical queue
               # (downstream node)
 RING_START,   # offset of the link's vehicle ring in ring
 RING_MASK,    # ring length - 1 (a power of two less one)
 DL_START,     # offset of the link's departure log in dlog
 DL_MASK,      # its length - 1 (a power of two less one)
 DCUR,         # departures before the last look-back of the receiving flow (upstream node)
 PER_STEP,     # most vehicles entering or leaving the link in a step: floor(q_max dt) + 1
 ENT_HEAD,     # first vehicle waiting to enter the link from its upstream node (-1 = none)
 ENT_TAIL,
 FRM,          # upstream node
 TO,           # downstream node
 UPSTEP,       # first step whose end has the current N_UP (upstream node; lazy occupancy)
 DOWNSTEP,     # first step whose end has the current N_DOWN (downstream node)
 HEAD_SINCE,   # step in which the vehicle at the head came to the head (downstream node)
 SINCE_IDX,    # N_DOWN when HEAD_SINCE was set
 UCUR_STEP,    # step in which entry number UCUR entered (-1: not yet; downstream node)
 ) = range(24)
N_LI = 24  # padded to whole cache lines

# vehicle float fields (VF, float64, shape (n_vehicles, N_VF)): one row per vehicle, so the
# fields a move touches share cache lines
(DEPARTURE,    # s
 ENTRY_TIME,   # s, entered the current link
 READY,        # s, earliest exit from the current link (entry + L / v)
 ARRIVAL,      # s, NaN until arrived
 DISTANCE,     # m, links completed
 ) = range(5)
N_VF = 5

# vehicle integer fields (VI, int32, shape (n_vehicles, N_VI))
(ORIGIN,       # node
 DEST,         # node
 ROUTE_START,  # offset of the explicit route in route_links
 ROUTE_LEN,
 ROUTE_POS,    # index in the explicit route of the current (or first) link
 STATUS,       # see the module doc
 LINK,         # current link (or the link waited for), -1 otherwise
 NXT,          # next vehicle in the same entry queue
 TROW,         # row of the routing-tree pool followed, -1 = explicit route
 RELEASES,     # times released from the head of a link it had been blocked at too long
 ) = range(10)
N_VI = 10

# turn float fields (TF, float64, shape (n_turns, 2))
T_Q, T_ACC = 0, 1
# node CSR rows: NS (2, n_nodes + 1) offsets, NL (2, n_links) link ids
IN, OUT = 0, 1
# ring columns (int32, shape (sum of ring lengths, 2))
R_VEH, R_STEP = 0, 1
# move buffer rows: MVI (2, size) int64 (vehicle, next link)
MV_VEH, MV_LINK = 0, 1
# per-bin statistics (ST, float64, shape (n_bins, n_links, 7)); occupancy is the sum over the
# bin's steps of N_UP less that of N_DOWN at the step's end, each side added by its owner;
# S_DEP counts the trips entering the network onto the link, S_WAIT their waits to enter
(S_IN, S_OUT, S_OCC_UP, S_OCC_DOWN, S_QUEUE,  # veh, veh, veh s, veh s, veh s
 S_DEP, S_WAIT) = range(7)                     # veh, veh s
N_ST = 7
# per-step network series (SER, int64, shape (4, n_steps))
SER_DEPARTED, SER_WAITING, SER_ON_LINKS, SER_ARRIVED = 0, 1, 2, 3
# per-block sums of a step (PART, int64, shape (n_blocks, 3))
P_ARRIVED, P_ON_LINKS, P_WAITING = 0, 1, 2
# node fields (NODE, int64, shape (n_nodes, N_NODE))
(WAKE,         # next step at which the node has work (a vehicle at a head reaches its exit
               # time, vehicles wait to enter, it moved vehicles in the last step)
 LAST_STEP,    # last step the node ran (its links' accumulators are up to date to its end)
 ON_PART,      # the node's part of the vehicles on links: sum N_UP out - sum N_DOWN in
 WAIT_PART,    # vehicles waiting to enter the node's outgoing links
 WORK,         # vehicles moved since the last split of the nodes between threads
 ) = range(5)
N_NODE = 5
NEVER = 1 << 62
# rows of PUB (int64, shape (5, n_links)): counts a link's end publishes for the other end
# (N_UP and N_DOWN at the step's start, by step parity) and N_UP as its downstream node last saw
UP0, UP1, DN0, DN1, SEEN = 0, 1, 2, 3, 4


def aligned_zeros(shape: tuple[int, ...], dtype: DTypeLike) -> np.ndarray:
    """Zeros whose first element starts a 64-byte cache line.

    Parameters
    ----------
    shape : tuple of int
        Shape of the array [-].
    dtype : dtype-like
        Element type.

    Returns
    -------
    ndarray
        C-contiguous zeros (a view into a slightly larger buffer).
    """
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    buf = np.zeros(n + 64 // dtype.itemsize, dtype)
    skip = (-buf.ctypes.data % 64) // dtype.itemsize
    return buf[skip:skip + n].reshape(shape)


def pow2_at_least(x: np.ndarray) -> np.ndarray:
    """Smallest power of two >= x, elementwise (x >= 1).

    Parameters
    ----------
    x : ndarray
        Sizes; values below 1 count as 1 [-].

    Returns
    -------
    ndarray
        Powers of two, int64 [-].
    """
    x = np.maximum(np.asarray(x, dtype=np.int64), 1)
    return (1 << np.ceil(np.log2(x)).astype(np.int64)).astype(np.int64)


@dataclass
class State:
    """All arrays of a run; the driver passes them to the kernels.

    Field matrices hold one row per link, vehicle or node and a column per field; a field's
    unit is given where its constant is defined in this module.

    Attributes
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [s, veh, veh/s, m per field].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [veh, steps or index per field].
    dlog : ndarray
        Step of every departure from a link, one ring per link, int32 [steps].
    ring : ndarray
        Vehicles on links and the step each entered, one ring per link, int32 (n, 2) [-,
        steps].
    turn_start : ndarray
        CSR offsets of the capped turns of each link, int64 (n_links + 1,) [-].
    turn_to : ndarray
        Exit link of each capped turn, int64 [-].
    TF : ndarray
        Turn fields, float64 (n_turns, 2): capacity [veh/s] and accumulator [veh].
    VF : ndarray
        Vehicle float fields, float64 (n_vehicles, ``N_VF``) [s, m per field].
    VI : ndarray
        Vehicle integer fields, int32 (n_vehicles, ``N_VI``) [-].
    order : ndarray
        Vehicles by departure time, int64 [-].
    route_links : ndarray
        Pool of explicit routes, int32 [-].
    tree : ndarray
        Pool of routing trees, int32 (rows, n_links + n_nodes): next link after every link, then
        the first link from every node [-].
    NS : ndarray
        Offsets of each node's incoming (row ``IN``) and outgoing (row ``OUT``) links, int64
        (2, n_nodes + 1) [-].
    NL : ndarray
        Link ids of those CSRs, int64 (2, n_links) [-].
    vclock : ndarray
        Virtual time of each node's fair queuing, float64 (n_nodes,) [s].
    MVS : ndarray
        Offsets of each node's move buffer, int64 (n_nodes + 1,) [-].
    MVI : ndarray
        Vehicle and next link of each buffered move, int64 (2, size) [-].
    MVT : ndarray
        Transfer time of each buffered move, float64 (size,) [s].
    ST : ndarray
        Per-bin statistics, float64 (n_bins, n_links, ``N_ST``) [veh, veh s per field].
    SER : ndarray
        Network totals per step, int64 (4, n_steps) [veh].
    NODE : ndarray
        Node fields, int64 (n_nodes, ``N_NODE``) [steps, veh per field].
    PUB : ndarray
        Counts each link end publishes for the other, int64 (5, n_links) [veh].
    """

    LF: np.ndarray
    LI: np.ndarray
    dlog: np.ndarray         # int32 departure step of every departure, one ring per link
    ring: np.ndarray         # int32 (n, 2) vehicles on links and their entry steps, per link
    turn_start: np.ndarray   # int64 (n_links + 1)
    turn_to: np.ndarray      # int64
    TF: np.ndarray
    VF: np.ndarray
    VI: np.ndarray
    order: np.ndarray        # int64 vehicles by departure time
    route_links: np.ndarray  # int32 pool of explicit routes
    tree: np.ndarray         # int32 (rows, n_links + n_nodes) routing trees: next link per link, first per node
    NS: np.ndarray
    NL: np.ndarray
    vclock: np.ndarray       # per node, virtual time of the node's fair queuing
    MVS: np.ndarray          # int64 (n_nodes + 1) offsets of each node's move buffer
    MVI: np.ndarray          # int64 (2, size) vehicle and next link of each buffered move
    MVT: np.ndarray          # s, transfer time of each buffered move
    ST: np.ndarray
    SER: np.ndarray
    NODE: np.ndarray         # int64 (n_nodes, N_NODE)
    PUB: np.ndarray          # int64 (5, n_links), see UP0


def build_state(graph: RoadGraph, model: LinkModel,
                signal_arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                turns: tuple[np.ndarray, np.ndarray, np.ndarray], departure: np.ndarray,
                origin: np.ndarray, destination: np.ndarray, q_peak: np.ndarray, dt: float,
                n_bins: int, n_steps: int) -> State:
    """Fresh state: empty links, all vehicles not released and without routes.

    Parameters
    ----------
    graph : RoadGraph
        The graph in the kernels' link numbering.
    model : LinkModel
        Triangular diagram of every link for ``dt``.
    signal_arrays : tuple of ndarray
        Per-link (cycle, offset, green start, green end) as from
        :meth:`SignalPlan.link_arrays` [s].
    turns : tuple of ndarray
        Turn CSR (turn_start [-], turn_to [-], turn capacity [veh/s]) as from
        :meth:`TurnCapacities.csr`.
    departure : ndarray
        Departure time of each vehicle [s].
    origin, destination : ndarray
        Origin and destination node of each vehicle [-].
    q_peak : ndarray
        Highest capacity each link has during the run [veh/s]; sizes the event logs.
    dt : float
        Time step [s].
    n_bins : int
        Number of output bins [-].
    n_steps : int
        Number of time steps [steps].

    Returns
    -------
    State
        The arrays of the run (see :class:`State`).
    """
    n = graph.n_links
    cyc, off, gs, ge = signal_arrays
    LF = aligned_zeros((n, N_LF), np.float64)
    LF[:, LENGTH] = graph.length
    LF[:, FREE_TIME] = model.free_time
    LF[:, Q] = model.capacity
    LF[:, STORAGE] = model.storage
    LF[:, WAVE_STEPS] = model.wave_steps
    LF[:, FREE_STEPS] = model.free_steps
    LF[:, CYCLE], LF[:, OFFSET], LF[:, G_START], LF[:, G_END] = cyc, off, gs, ge
    LI = aligned_zeros((n, N_LI), np.int64)
    LI[:, FRM], LI[:, TO] = graph.link_from, graph.link_to
    LI[:, [ENT_HEAD, ENT_TAIL, HEAD_IDX, SINCE_IDX, UCUR_STEP]] = -1
    # a step moves at most floor(q dt) + 1 vehicles in or out of a link (accumulators stay
    # below 1 + q dt); a look-back reads the events of its window (up to the step's start) while
    # the other end of the link may log this step's events
    per_step = np.floor(q_peak * dt).astype(np.int64) + 1
    dlog_len = pow2_at_least((np.ceil(model.wave_steps).astype(np.int64) + 3) * per_step + 1)
    if n:
        np.cumsum(dlog_len[:-1], out=LI[1:, DL_START])
    LI[:, DL_MASK] = dlog_len - 1
    LI[:, PER_STEP] = per_step
    # at most floor(storage) vehicles are on a link (the receiving flow sees to it), and as
    # many again released onto it from jams (``nodes.release_blocked`` checks the room); the
    # entry log needs the entries of the free-flow time's look-back
    whole = np.floor(model.storage + 1e-9).astype(np.int64) + 1
    in_degree = np.bincount(graph.link_to, minlength=graph.n_nodes)[graph.link_from]
    ring_len = pow2_at_least(np.maximum(
        whole, (np.ceil(model.free_steps).astype(np.int64) + 3) * per_step + 1)
        + whole + in_degree)
    if n:
        np.cumsum(ring_len[:-1], out=LI[1:, RING_START])
    LI[:, RING_MASK] = ring_len - 1
    turn_start, turn_to, turn_q = turns
    TF = np.zeros((turn_q.size, 2))
    TF[:, T_Q] = turn_q

    n_veh = departure.size
    VF = np.zeros((n_veh, N_VF))
    VF[:, DEPARTURE] = departure
    VF[:, ARRIVAL] = np.nan
    VI = np.zeros((n_veh, N_VI), np.int32)
    VI[:, ORIGIN], VI[:, DEST] = origin, destination
    VI[:, [LINK, NXT, TROW]] = -1

    in_start, in_links = csr_out_links(graph.n_nodes, graph.link_to)
    NS = np.stack([in_start, graph.out_start]).astype(np.int64)
    NL = np.stack([in_links, graph.out_links]).astype(np.int64)
    # a step moves at most floor(q dt) + 1 vehicles off an incoming link (an accumulator stays
    # below 1 + q dt) plus one released from a jam, and as many onto an outgoing link from the
    # origin's entry queue
    max_moves = np.floor(q_peak * dt + 1.0)
    per_node = (np.bincount(graph.link_to, weights=max_moves + 1.0, minlength=graph.n_nodes)
                + np.bincount(graph.link_from, weights=max_moves, minlength=graph.n_nodes))
    MVS = np.zeros(graph.n_nodes + 1, np.int64)
    np.cumsum(per_node.astype(np.int64), out=MVS[1:])
    size = int(MVS[-1])
    node = np.zeros((graph.n_nodes, N_NODE), np.int64)
    node[:, WAKE] = NEVER
    node[:, LAST_STEP] = -1
    return State(
        LF=LF, LI=LI, dlog=np.zeros(int(dlog_len.sum()), np.int32),
        ring=np.full((int(ring_len.sum()), 2), -1, np.int32),
        turn_start=turn_start.astype(np.int64), turn_to=turn_to.astype(np.int64), TF=TF,
        VF=VF, VI=VI, order=np.argsort(departure, kind="stable").astype(np.int64),
        route_links=np.zeros(0, np.int32), tree=np.zeros((0, graph.n_links + graph.n_nodes), np.int32),
        NS=NS, NL=NL, vclock=np.zeros(graph.n_nodes), MVS=MVS,
        MVI=np.zeros((2, size), np.int64), MVT=np.zeros(size),
        ST=np.zeros((n_bins, n, N_ST)), SER=np.zeros((4, n_steps), np.int64),
        NODE=node, PUB=np.zeros((5, n), np.int64),
    )
