"""Shortest paths on link travel times and dynamic re-routing of vehicles.

* ``shortest_path_tree``: shortest paths from one origin node over the link CSR, returning
  distances and the predecessor link of every node (-1 where unreachable).
* ``shortest_path_trees``: the same from many origins, in parallel (numba's thread count).
* ``trees_to``: trees towards destinations on the reversed graph, giving for every node the next
  link on its shortest path to the destination: the routing table of all vehicles heading there.
* ``link_costs``: current link travel time estimates for routing, s.
* ``Router``: re-routes the vehicles of a run. Vehicles follow rows of a pool of such trees (one
  row per destination and re-routing), so re-routing builds trees and points vehicles at them,
  without writing routes; a row is reused once no vehicle follows it. When the pool has reached
  its memory budget and too few rows are free, rows are freed: the vehicles following them
  (those not re-routed first, mostly vehicles standing in jams) take the rest of the row's path
  as an explicit route, the same links. Only a re-routing that wants more trees than the whole
  budget holds writes its routes out per vehicle (in blocks of destinations).

**Ties.** Among links that reach a node at the same (floating-point) shortest distance, the one
with the lowest link id is the predecessor (or next link). With positive link costs the trees
are then unique, whatever the algorithm or the order of the work, so the bucket and heap
versions below give identical trees.

**Algorithms.** With positive costs, Dial's buckets of width Δ just below the smallest link
cost: every node in the lowest non-empty bucket is final (no link is shorter than a bucket), so
a bucket is settled in any order, without a heap. A ring of buckets spans the largest cost of an
open link; costs beyond it (closed links) wait in an overflow list. Where costs spread over more
than ``MAX_BUCKETS`` widths (or one is zero), a binary heap with lazy deletion is used.
"""

from __future__ import annotations

import functools
import math
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from simulation.graph import RoadGraph, csr_out_links
from simulation.mobility.access import access_flags
from simulation.mobility.jit import njit_no_refcount
from simulation.mobility.links import n_up_at
from simulation.mobility.signals import green_fraction
from simulation.mobility.state import (
    ARRIVED,
    CYCLE,
    DEST,
    FREE_STEPS,
    FREE_TIME,
    G_END,
    G_START,
    LINK,
    N_DOWN,
    N_UP,
    NOT_RELEASED,
    OFFSET,
    ORIGIN,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    STATUS,
    TROW,
    UNROUTABLE,
    Q,
    State,
)
from simulation.mobility.turn_graph import turn_graph
from simulation.turns import allowed_turns

CLOSED_COST = 1.0e7
"""Travel time (s) routing gives a link of zero capacity: avoided whenever another path exists."""
TREE_BUDGET = 1 << 26
"""Most entries (int32) of the routing-tree pool (256 MB). Once the pool is that large, a
re-routing that finds too few free rows frees rows (their followers take explicit routes); one
that wants more trees than the budget holds writes its routes per vehicle, which costs a second
tree build per block of destinations. A country the size of Liechtenstein (16,132 vertices,
2,418 destinations for 20,000 trips) fits: its routing takes two thirds of the time it took
with half the budget, the same routes."""
TABLE_BUDGET = 1 << 24
"""Most routing-table entries (int32) held at once when routes are written per vehicle."""
MAX_BUCKETS = 4096
"""Most buckets of the bucket version of Dijkstra's algorithm (else the heap version)."""
_I64_MAX = np.iinfo(np.int64).max
_NO_LABELS = np.zeros(0, np.int32)
_NO_COUNTS = np.zeros(0, np.int64)
_NO_FIRST = (np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
_NO_TARGETS = (np.zeros(0, np.int64), np.zeros(0, np.int64))
_NO_ACCESS = np.zeros(0, np.uint8)

Arcs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""CSR arcs as the tree kernels read them: (start offsets per node, int64; neighbour node of
each arc, int32; link id of each arc, int32; cost of each arc, float64)."""


@numba.njit(cache=True)
def heap_push(hkey: np.ndarray, hnode: np.ndarray, size: int, key: float, node: int) -> int:
    """Push (key, node) on the binary min-heap of ``size`` entries; returns the new size.

    Parameters
    ----------
    hkey : ndarray
        Keys of the heap entries, with room for one more, float64 [cost unit, e.g. s].
    hnode : ndarray
        Nodes of the heap entries, integer [-].
    size : int
        Entries on the heap [-].
    key : float
        Key of the new entry [cost unit, e.g. s].
    node : int
        Node of the new entry [-].

    Returns
    -------
    int
        The new number of entries [-].
    """
    i = size
    while i > 0:  # sift up
        parent = (i - 1) >> 1
        if hkey[parent] <= key:
            break
        hkey[i] = hkey[parent]
        hnode[i] = hnode[parent]
        i = parent
    hkey[i] = key
    hnode[i] = node
    return size + 1


@numba.njit(cache=True)
def heap_pop(hkey: np.ndarray, hnode: np.ndarray, size: int) -> tuple[float, int, int]:
    """Remove the root of the binary min-heap of ``size`` > 0 entries; returns (its key, its
    node, the new size).

    Parameters
    ----------
    hkey : ndarray
        Keys of the heap entries, float64 [cost unit, e.g. s].
    hnode : ndarray
        Nodes of the heap entries, integer [-].
    size : int
        Entries on the heap, > 0 [-].

    Returns
    -------
    key : float
        The smallest key [cost unit, e.g. s].
    node : int
        Its node [-].
    size : int
        The new number of entries [-].
    """
    key = hkey[0]
    node = hnode[0]
    size -= 1
    if size > 0:  # move the last entry to the root and sift it down
        xk = hkey[size]
        xn = hnode[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and hkey[c + 1] < hkey[c]:
                c += 1
            if hkey[c] >= xk:
                break
            hkey[i] = hkey[c]
            hnode[i] = hnode[c]
            i = c
        hkey[i] = xk
        hnode[i] = xn
    return key, node, size


THROUGH, ACCESS, SUFFIX = 0, 1, 2
"""Per-tree state of a vertex under the access rule: a through link (or a node), an access-only
link, and an access-only link that reaches the tree's destination on access-only links (its
path is then fixed)."""


@numba.njit(cache=True)
def _reset_tree(start: np.ndarray, nbr: np.ndarray, edge: np.ndarray, wgt: np.ndarray,
                source: int, access: np.ndarray, n_links: int, dist: np.ndarray,
                pred: np.ndarray, state: np.ndarray, hkey: np.ndarray, hnode: np.ndarray) -> None:
    """Start a tree: every vertex unreached (dist inf, pred -1). With ``access`` given, the
    first pass of the access rule (``simulation.mobility.access``) follows: shortest paths from ``source`` over
    the access-only links alone, setting ``state`` (``THROUGH``, ``ACCESS``, or ``SUFFIX`` for
    the links that reach the destination on access-only links: their ``dist`` and ``pred`` are
    then final). Heap as in ``_sssp_heap``."""
    for i in range(dist.size):
        dist[i] = np.inf
        pred[i] = -1
    if access.size == 0:
        return
    for i in range(dist.size):
        state[i] = ACCESS if i < n_links and access[i] else THROUGH
    dist[source] = 0.0
    size = heap_push(hkey, hnode, 0, 0.0, source)
    while size > 0:
        du, u, size = heap_pop(hkey, hnode, size)
        if du > dist[u]:
            continue
        if u != source:
            state[u] = SUFFIX
        for j in range(start[u], start[u + 1]):
            v = nbr[j]
            if state[v] != ACCESS:
                continue
            nd = du + wgt[j]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = edge[j]
                size = heap_push(hkey, hnode, size, nd, v)
            elif nd == dist[v] and edge[j] < pred[v]:
                pred[v] = edge[j]


@numba.njit(cache=True)
def _sssp_heap(start: np.ndarray, nbr: np.ndarray, edge: np.ndarray, wgt: np.ndarray,
               source: int, dist: np.ndarray, pred: np.ndarray, hkey: np.ndarray,
               hnode: np.ndarray, want: np.ndarray, n_want: int, access: np.ndarray,
               state: np.ndarray, n_links: int) -> None:
    """Shortest paths from ``source`` over a CSR graph (the arcs of node u are
    j in start[u]:start[u+1], leading to node nbr[j] at cost wgt[j] >= 0, labelled edge[j]):
    fills ``dist`` and ``pred`` (label of the arc reaching each node, lowest label among ties;
    -1 if none). Binary heap with lazy deletion; ``hkey``/``hnode`` hold len(nbr) + 1. With
    ``n_want`` > 0 it stops once the ``n_want`` nodes marked in ``want`` are settled: their
    ``pred`` and that of every node on their paths are final (see ``_settled``). With
    ``access`` given (a flag per vertex), the access rule holds: ``_reset_tree``'s first pass, then
    no arc back from a vertex into a ``SUFFIX`` link (its path is fixed), and none from an
    ``ACCESS`` link into a ``THROUGH`` one (a through link never turns into an access-only link
    that does not lead to the destination on access-only links)."""
    rule = access.size > 0
    _reset_tree(start, nbr, edge, wgt, source, access, n_links, dist, pred, state, hkey, hnode)
    dist[source] = 0.0
    size = heap_push(hkey, hnode, 0, 0.0, source)
    if rule:
        for u in range(n_links):
            if state[u] == SUFFIX:
                size = heap_push(hkey, hnode, size, dist[u], u)
    while size > 0:
        du, u, size = heap_pop(hkey, hnode, size)
        if du > dist[u]:  # stale entry
            continue
        if n_want > 0 and want[u]:
            n_want -= 1
            if n_want == 0:
                return
        su = state[u] if rule else THROUGH
        for j in range(start[u], start[u + 1]):
            v = nbr[j]
            if rule:
                sv = state[v]
                if sv == SUFFIX or (sv == THROUGH and su == ACCESS):
                    continue
            nd = du + wgt[j]
            dv = dist[v]
            if nd < dv:
                dist[v] = nd
                pred[v] = edge[j]
                size = heap_push(hkey, hnode, size, nd, v)
            elif nd == dv and edge[j] < pred[v]:
                pred[v] = edge[j]


@numba.njit(cache=True, inline="always")
def _bucket_push(enode: np.ndarray, enext: np.ndarray, bhead: np.ndarray, n_entries: int,
                 bucket: int, node: int) -> int:
    """Put ``node`` at the head of ``bucket``'s list (entry ``n_entries``); returns the entry
    count."""
    enode[n_entries] = node
    enext[n_entries] = bhead[bucket]
    bhead[bucket] = n_entries
    return n_entries + 1


@numba.njit(cache=True, inline="always")
def _enqueue(enode: np.ndarray, enext: np.ndarray, bhead: np.ndarray, ovn: np.ndarray,
             ovb: np.ndarray, n_entries: int, in_ring: int, n_ov: int, ov_min: int, bucket: int,
             cur: int, nb: int, node: int) -> tuple[int, int, int, int]:
    """Put ``node`` in ``bucket``: in the ring if within its reach from ``cur``, else in the
    overflow list; returns the updated (entries, in the ring, in the overflow, least overflow
    bucket)."""
    if bucket < cur + nb:
        n_entries = _bucket_push(enode, enext, bhead, n_entries, bucket & (nb - 1), node)
        in_ring += 1
    else:
        ovn[n_ov] = node
        ovb[n_ov] = bucket
        n_ov += 1
        ov_min = min(ov_min, bucket)
    return n_entries, in_ring, n_ov, ov_min


@numba.njit(cache=True)
def _sssp_buckets(start: np.ndarray, nbr: np.ndarray, edge: np.ndarray, wgt: np.ndarray,
                  source: int, dist: np.ndarray, pred: np.ndarray, done: np.ndarray,
                  bhead: np.ndarray, enode: np.ndarray, enext: np.ndarray, ovn: np.ndarray,
                  ovb: np.ndarray, inv: float, nb: int, want: np.ndarray, n_want: int,
                  access: np.ndarray, state: np.ndarray, n_links: int, hkey: np.ndarray) -> None:
    """As ``_sssp_heap``, for costs of at least the bucket width 1 / ``inv``, with a ring of
    ``nb`` (a power of two) buckets; ``enode``/``enext`` hold 2 len(nbr) + 2 entries,
    ``ovn``/``ovb`` and ``hkey`` (the heap of the access rule's first pass) len(nbr) + 1."""
    n = dist.size
    rule = access.size > 0
    _reset_tree(start, nbr, edge, wgt, source, access, n_links, dist, pred, state, hkey, ovn)
    for i in range(n):
        done[i] = 0
    for b in range(nb):
        bhead[b] = -1
    mask = nb - 1
    dist[source] = 0.0
    enode[0] = source
    enext[0] = -1
    bhead[0] = 0
    n_entries = 1
    in_ring = 1
    n_ov = 0
    ov_min = _I64_MAX
    cur = 0
    if rule:  # the access-only paths found first enter the ring at their distances
        for u in range(n_links):
            if state[u] == SUFFIX:
                n_entries, in_ring, n_ov, ov_min = _enqueue(
                    enode, enext, bhead, ovn, ovb, n_entries, in_ring, n_ov, ov_min,
                    int(dist[u] * inv), cur, nb, u)
    while True:
        if in_ring == 0:
            if n_ov == 0:
                break
            cur = ov_min  # nothing in the ring: jump to the overflow
        if n_ov > 0 and ov_min < cur + nb:  # overflow entries now within the ring's reach
            m = 0
            ov_min = _I64_MAX
            for i in range(n_ov):
                u = ovn[i]
                bi = ovb[i]
                if done[u] or int(dist[u] * inv) != bi:
                    continue  # settled or improved since
                # kept entries are written back from the front (m <= i)
                n_entries, in_ring, m, ov_min = _enqueue(
                    enode, enext, bhead, ovn, ovb, n_entries, in_ring, m, ov_min, bi, cur, nb, u)
            n_ov = m
        b = cur & mask
        e = bhead[b]
        bhead[b] = -1
        while e >= 0:
            u = enode[e]
            e = enext[e]
            in_ring -= 1
            if done[u]:  # an older entry of a node improved since
                continue
            done[u] = 1
            if n_want > 0 and want[u]:
                n_want -= 1
                if n_want == 0:
                    return
            du = dist[u]
            su = state[u] if rule else THROUGH
            for j in range(start[u], start[u + 1]):
                v = nbr[j]
                if rule:
                    sv = state[v]
                    if sv == SUFFIX or (sv == THROUGH and su == ACCESS):
                        continue
                nd = du + wgt[j]
                dv = dist[v]
                if nd < dv:
                    dist[v] = nd
                    pred[v] = edge[j]
                    n_entries, in_ring, n_ov, ov_min = _enqueue(
                        enode, enext, bhead, ovn, ovb, n_entries, in_ring, n_ov, ov_min,
                        int(nd * inv), cur, nb, v)
                elif nd == dv and edge[j] < pred[v]:
                    pred[v] = edge[j]
        cur += 1


@numba.njit(cache=True, nogil=True)
def _trees(start: np.ndarray, nbr: np.ndarray, edge: np.ndarray, wgt: np.ndarray,
           sources: np.ndarray, rows: np.ndarray, pred: np.ndarray, dist: np.ndarray, inv: float,
           nb: int, chunk: int, n_chunks: int, relabel: np.ndarray, unreached: np.ndarray,
           first_start: np.ndarray, first_links: np.ndarray, link_label: np.ndarray,
           target_start: np.ndarray, targets: np.ndarray, access: np.ndarray) -> None:
    """Trees from sources chunk, chunk + n_chunks, ... into ``pred[rows[i]]`` (and ``dist[i]``
    if ``dist`` has a row per source); buckets if ``nb`` > 0. Arc labels ``edge`` (which break
    ties) become ``relabel[label]`` if ``relabel`` is given; ``unreached[i]`` (if given) counts
    the vertices tree i does not reach. Releases the GIL: chunks run in parallel on Python
    threads.

    With ``target_start`` given (CSR offsets per source into ``targets``), tree i stops growing
    once its targets are settled: the paths from them are final (every vertex on a path settles
    before the vertices behind it, and with positive costs no later vertex ties with it), the
    rest of the row is not to be followed.

    On the edge-based graph (``turn_graph``), ``first_start``/``first_links`` (the links leaving
    each node) are given: the vertices after the links then receive the first link of a trip
    starting at each node (the one of least distance, lowest ``link_label`` among ties). With
    ``access`` given (a flag per vertex: access-only links, and nodes whose links out are all
    access-only), the trees keep the access rule (see ``Router``): a trip starts on an
    access-only link that does not lead to its destination on access-only links only where
    its node has no other way out."""
    n = pred.shape[1]
    m = nbr.size
    keep_dist = dist.shape[0] == sources.size
    n_links = first_links.size
    d = np.empty(n)
    done = np.empty(n, np.uint8)
    bhead = np.empty(max(nb, 1), np.int64)
    enode = np.empty(2 * m + 2, np.int32)
    enext = np.empty(2 * m + 2, np.int32)
    ovn = np.empty(m + 1, np.int32)
    ovb = np.empty(m + 1, np.int64)
    hkey = np.empty(m + 1)
    want = np.zeros(n, np.uint8)
    state = np.zeros(n if access.size else 0, np.uint8)
    for i in range(chunk, sources.size, n_chunks):
        row = pred[rows[i]]
        n_want = 0
        if target_start.size:
            for j in range(target_start[i], target_start[i + 1]):
                t = targets[j]
                if not want[t] and t != sources[i]:
                    want[t] = 1
                    n_want += 1
        if nb > 0:
            _sssp_buckets(start, nbr, edge, wgt, sources[i], d, row, done, bhead, enode, enext,
                          ovn, ovb, inv, nb, want, n_want, access, state, n_links, hkey)
        else:
            _sssp_heap(start, nbr, edge, wgt, sources[i], d, row, hkey, enode, want, n_want,
                       access, state, n_links)
        if target_start.size:
            for j in range(target_start[i], target_start[i + 1]):
                want[targets[j]] = 0
        for node in range(first_start.size - 1):
            u = n_links + node
            best = -1
            best_d = np.inf
            for j in range(first_start[node], first_start[node + 1]):
                b = first_links[j]
                if access.size and state[b] == ACCESS and not access[u]:
                    continue  # an access-only way out, where the node has a through one
                if d[b] < best_d or (d[b] == best_d and best_d < np.inf
                                     and link_label[b] < best):
                    best = link_label[b]
                    best_d = d[b]
            row[u] = -1 if u == sources[i] else best
        if keep_dist:
            for u in range(n):
                dist[i, u] = d[u]
        if unreached.size:
            c = 0
            for u in range(n):
                if row[u] < 0 and d[u] == np.inf:
                    c += 1
            unreached[i] = c
        if relabel.size:
            for u in range(n):
                if row[u] >= 0:
                    row[u] = relabel[row[u]]


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The threads that build trees in parallel, made on first use."""
    # numba sets its configuration as module attributes at run time
    threads: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined, unused-ignore]
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mobility-trees")


def _arcs(start: np.ndarray, links: np.ndarray, other: np.ndarray, cost: np.ndarray) -> Arcs:
    """The CSR arcs (start, neighbour node, link id, cost) in the form the kernels read."""
    links = links.astype(np.int32)
    return (start.astype(np.int64), other[links].astype(np.int32), links,
            np.ascontiguousarray(cost[links], dtype=np.float64))


def bucket_width(cost: np.ndarray) -> tuple[float, int]:
    """(1 / bucket width, ring size) for the bucket version on ``cost``, or (0, 0) for the heap.

    Parameters
    ----------
    cost : ndarray
        Cost of each arc [cost unit, e.g. s]; ``CLOSED_COST`` and above mark closed links.

    Returns
    -------
    inv : float
        Inverse of the bucket width [1/cost unit]; 0 for the heap.
    nb : int
        Number of buckets in the ring, a power of two [-]; 0 for the heap.
    """
    open_ = cost[cost < CLOSED_COST]
    if open_.size == 0:
        return 0.0, 0
    lo = float(open_.min())
    if not lo > 0.0:
        return 0.0, 0
    width = lo * (1.0 - 1e-4)  # margin for rounding in the bucket index
    span = math.ceil(float(open_.max()) / width) + 2
    if span > MAX_BUCKETS:
        return 0.0, 0
    return 1.0 / width, 1 << max(1, (span - 1).bit_length())


def build_trees(arcs: Arcs, sources: np.ndarray, out: np.ndarray, rows: np.ndarray,
                dist: np.ndarray | None = None, heap: bool = False,
                relabel: np.ndarray | None = None, unreached: np.ndarray | None = None,
                first_links: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                targets: tuple[np.ndarray, np.ndarray] | None = None,
                access: np.ndarray | None = None) -> None:
    """Trees from ``sources`` over ``arcs`` (see ``_arcs``) into rows ``rows`` of ``out``, in
    parallel over numba's current threads; distances into ``dist`` (a row per source) if given;
    arc labels mapped through ``relabel`` if given; nodes not reached counted per tree into
    ``unreached`` if given.

    Parameters
    ----------
    arcs : Arcs
        The graph (or the reversed graph) and its costs, as from ``_arcs`` [-, -, -, cost unit].
    sources : ndarray
        Root node of each tree [-].
    out : ndarray
        Receives the trees: the arc label reaching every node (-1 at the root or where
        unreached), int32 (rows, n_nodes) [-].
    rows : ndarray
        Row of ``out`` for each source [-].
    dist : ndarray, optional
        Receives the distances, float64 (n_sources, n_nodes) [cost unit, e.g. s].
    heap : bool
        Use the heap version of Dijkstra's algorithm even where buckets would do.
    relabel : ndarray, optional
        New label of each arc label, int32 [-].
    unreached : ndarray, optional
        Receives the number of vertices each tree does not reach, int64 (n_sources,) [-].
    first_links : tuple of ndarray, optional
        On the edge-based graph of ``turn_graph``: the links leaving each node (CSR offsets,
        link ids) and each link's label; the node vertices then receive the first link of a
        trip starting there [-].
    targets : tuple of ndarray, optional
        Per source, the vertices its tree must reach (CSR offsets per source, int64; vertices,
        int64): the tree stops growing once they are settled, and only the paths from them
        may be followed [-].
    access : ndarray, optional
        On the edge-based graph: 1 for access-only links and for nodes whose links out are
        all access-only, uint8 (n_links + n_nodes,); the trees then keep the access rule
        (``simulation.mobility.access``) [-].

    Returns
    -------
    None
        ``out`` (and ``dist``, ``unreached``) are filled in place.
    """
    inv, nb = (0.0, 0) if heap else bucket_width(arcs[3])
    args = (*arcs, np.ascontiguousarray(sources, dtype=np.int64),
            np.ascontiguousarray(rows, dtype=np.int64), out,
            np.zeros((0, 0)) if dist is None else dist, inv, nb)
    labels = _NO_LABELS if relabel is None else relabel
    counts = _NO_COUNTS if unreached is None else unreached
    first = _NO_FIRST if first_links is None else first_links
    aims = _NO_TARGETS if targets is None else targets
    rule = _NO_ACCESS if access is None else access
    n_chunks = max(1, min(numba.get_num_threads(), sources.size))

    def chunk(c: int) -> None:
        _trees(*args, c, n_chunks, labels, counts, *first, *aims, rule)  # type: ignore[call-arg, unused-ignore]

    if n_chunks == 1:
        chunk(0)
        return
    jobs = [_pool().submit(chunk, c) for c in range(n_chunks)]
    for job in jobs:
        job.result()


def _check_cost(graph: RoadGraph, cost: np.ndarray) -> np.ndarray:
    """``cost`` as contiguous float64, or a ValueError if it does not fit Dijkstra's algorithm."""
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    if cost.shape != (graph.n_links,):
        raise ValueError(f"link cost: expected one value per link ({graph.n_links}), got {cost.shape}")
    if np.any(cost < 0) or np.any(np.isnan(cost)):
        raise ValueError("link cost: Dijkstra needs costs >= 0 (no NaN)")
    return cost


def shortest_path_trees(graph: RoadGraph, cost: np.ndarray, origins: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n_origins, n_nodes) and predecessor links (-1 = origin or unreachable) from
    each origin node, on link costs ``cost`` (any additive unit, e.g. s). Trees run in parallel.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    cost : ndarray
        Cost of each link, >= 0 and not NaN, shape (n_links,) [cost unit, e.g. s].
    origins : ndarray
        Origin node of each tree [-].

    Returns
    -------
    dist : ndarray
        Shortest distance from each origin to each node, (n_origins, n_nodes) [cost unit,
        e.g. s]; inf where unreachable.
    pred : ndarray
        Link reaching each node on its shortest path, int32 (n_origins, n_nodes) [-]; -1 at
        the origin or where unreachable.

    Raises
    ------
    ValueError
        If ``cost`` has the wrong shape, a negative value or NaN.
    """
    cost = _check_cost(graph, cost)
    origins = np.ascontiguousarray(np.atleast_1d(origins), dtype=np.int64)
    dist = np.empty((origins.size, graph.n_nodes))
    pred = np.empty((origins.size, graph.n_nodes), np.int32)
    build_trees(_arcs(graph.out_start, graph.out_links, graph.link_to, cost), origins, pred,
                np.arange(origins.size), dist)
    return dist, pred


def shortest_path_tree(graph: RoadGraph, cost: np.ndarray, origin: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n_nodes) and predecessor links from one origin node.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    cost : ndarray
        Cost of each link, >= 0 and not NaN, shape (n_links,) [cost unit, e.g. s].
    origin : int
        Origin node [-].

    Returns
    -------
    dist : ndarray
        Shortest distance to each node, (n_nodes,) [cost unit, e.g. s]; inf where unreachable.
    pred : ndarray
        Link reaching each node, int32 (n_nodes,) [-]; -1 at the origin or where unreachable.
    """
    dist, pred = shortest_path_trees(graph, cost, np.array([origin]))
    return dist[0], pred[0]


def reverse_csr(graph: RoadGraph) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the links entering each node.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.

    Returns
    -------
    in_start : ndarray
        Start offsets per node, int64 (n_nodes + 1,) [-].
    in_links : ndarray
        Link ids grouped by head node, int32 (n_links,) [-].
    """
    start, links = csr_out_links(graph.n_nodes, graph.link_to)
    return start.astype(np.int64), links.astype(np.int32)


@numba.njit(cache=True)
def _hops(nxt: np.ndarray, link_to: np.ndarray, out: np.ndarray) -> None:
    """Links on the table's path from every node (0 at the destination or if unreachable)."""
    n = nxt.shape[1]
    stack = np.empty(n, np.int64)
    for r in range(nxt.shape[0]):
        for i in range(n):
            out[r, i] = -1
        for s in range(n):
            top = 0
            u = s
            while out[r, u] < 0 and nxt[r, u] >= 0:
                stack[top] = u
                top += 1
                u = link_to[nxt[r, u]]
            out[r, u] = max(out[r, u], 0)
            h = out[r, u]
            while top > 0:
                top -= 1
                h += 1
                out[r, stack[top]] = h


def trees_to(graph: RoadGraph, cost: np.ndarray, destinations: np.ndarray,
             in_csr: tuple[np.ndarray, np.ndarray] | None = None, distances: bool = True,
             hops: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trees towards each destination on the reversed graph: distances to it (n_dest, n_nodes;
    empty if not ``distances``), the next link from every node on its shortest path there (-1 at
    the destination or where it is unreachable) and the number of links on that path (empty if
    not ``hops``). The next links are the routing table of every vehicle heading there.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    cost : ndarray
        Cost of each link, >= 0 and not NaN, shape (n_links,) [cost unit, e.g. s].
    destinations : ndarray
        Destination node of each tree [-].
    in_csr : tuple of ndarray, optional
        The graph's incoming-link CSR as from :func:`reverse_csr` (computed if not given) [-].
    distances : bool
        Whether to return the distances.
    hops : bool
        Whether to return the number of links of each path.

    Returns
    -------
    dist : ndarray
        Shortest distance from each node to each destination, (n_dest, n_nodes) [cost unit,
        e.g. s], inf where unreachable; shape (0, n_nodes) if not ``distances``.
    nxt : ndarray
        Next link from each node towards each destination, int32 (n_dest, n_nodes) [-]; -1 at
        the destination or where unreachable.
    n_hops : ndarray
        Links on each path, int32 (n_dest, n_nodes) [-]; 0 at the destination or where
        unreachable; shape (0, n_nodes) if not ``hops``.

    Raises
    ------
    ValueError
        If ``cost`` has the wrong shape, a negative value or NaN.
    """
    cost = _check_cost(graph, cost)
    destinations = np.ascontiguousarray(np.atleast_1d(destinations), dtype=np.int64)
    in_start, in_links = reverse_csr(graph) if in_csr is None else in_csr
    dist = np.empty((destinations.size, graph.n_nodes)) if distances else None
    nxt = np.empty((destinations.size, graph.n_nodes), np.int32)
    build_trees(_arcs(in_start, in_links, graph.link_from, cost), destinations, nxt,
                np.arange(destinations.size), dist)
    n_hops = np.empty((destinations.size if hops else 0, graph.n_nodes), np.int32)
    if hops:
        _hops(nxt, graph.link_to.astype(np.int64), n_hops)
    return (np.zeros((0, graph.n_nodes)) if dist is None else dist), nxt, n_hops


def path_links(pred: np.ndarray, link_from: np.ndarray, origin: int, node: int) -> np.ndarray:
    """Links of the path origin -> node from a predecessor-link array (empty if unreachable).

    Parameters
    ----------
    pred : ndarray
        Link reaching each node, as from :func:`shortest_path_tree` (-1 = none) [-].
    link_from : ndarray
        Tail node of each link [-].
    origin : int
        Root of the tree [-].
    node : int
        End of the path [-].

    Returns
    -------
    ndarray
        The path's links, first link first, int32 [-]; empty if ``node`` is the origin or
        unreachable.
    """
    out = []
    while node != origin:
        e = int(pred[node])
        if e < 0:
            return np.zeros(0, np.int32)
        out.append(e)
        node = int(link_from[e])
    return np.asarray(out[::-1], dtype=np.int32)


@numba.njit(cache=True)
def link_costs(LF: np.ndarray, LI: np.ndarray, ring: np.ndarray, k: int) -> np.ndarray:
    """Current travel time estimate per link (s): free-flow time, plus the mean red wait of a
    fixed-time signal (cycle (1 - g/C)^2 / 2), plus the vertical queue discharged at capacity
    x green share; ``CLOSED_COST`` for links of zero capacity.

    Parameters
    ----------
    LF : ndarray
        Link float fields, float64 (n_links, ``N_LF``) [field units, see ``state``].
    LI : ndarray
        Link integer fields, int64 (n_links, ``N_LI``) [-] (see ``state``).
    ring : ndarray
        Vehicle rings of all links with each vehicle's entry step, int32 (n_slots, 2) [-, steps].
    k : int
        Time step [steps].

    Returns
    -------
    ndarray
        Travel time estimate of each link (kernel numbering), float64 (n_links,) [s].
    """
    n = LF.shape[0]
    out = np.empty(n)
    for a in range(n):
        cycle = LF[a, CYCLE]  # green share over a whole cycle
        share = green_fraction(0.0, cycle, cycle, LF[a, OFFSET], LF[a, G_START], LF[a, G_END])
        q_eff = LF[a, Q] * share
        if q_eff <= 0.0:
            out[a] = CLOSED_COST
            continue
        red = 1.0 - share
        c = LF[a, FREE_TIME] + 0.5 * LF[a, CYCLE] * red * red
        n_up_back, _ = n_up_at(LI, ring, a, k - LF[a, FREE_STEPS], k, LI[a, N_UP], 0)
        queue = n_up_back - LI[a, N_DOWN]
        if queue > 0.0:
            c += queue / q_eff
        out[a] = c
    return out


# ---------------------------------------------------------------------------------------------
# re-routing the vehicles of a run

KEEP, NEW, NO_PATH = 0, 1, 2


@numba.njit(cache=True)
def _refresh_live(VI: np.ndarray, order: np.ndarray, live: np.ndarray, n_live: int,
                  released: int, ref: np.ndarray) -> tuple[int, int]:
    """Drop finished vehicles from the ``live`` list (released, not arrived) and add those
    released since; finished vehicles give up their tree row. Returns (n_live, released)."""
    m = 0
    for i in range(n_live):
        v = live[i]
        st = VI[v, STATUS]
        if st == ARRIVED or st == UNROUTABLE:
            if VI[v, TROW] >= 0:
                ref[VI[v, TROW]] -= 1
                VI[v, TROW] = -1
        else:
            live[m] = v
            m += 1
    while released < order.size and VI[order[released], STATUS] != NOT_RELEASED:
        v = order[released]
        released += 1
        st = VI[v, STATUS]
        if st == ARRIVED or st == UNROUTABLE:
            if VI[v, TROW] >= 0:
                ref[VI[v, TROW]] -= 1
                VI[v, TROW] = -1
        else:
            live[m] = v
            m += 1
    return m, released


@njit_no_refcount()
def _closed_ahead(VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray,
                  closed: np.ndarray, v: int) -> bool:
    """Whether the rest of vehicle ``v``'s route after its current link uses a closed link."""
    r = VI[v, TROW]
    if r >= 0:
        e = tree[r, VI[v, LINK]]
        while e >= 0:
            if closed[e]:
                return True
            e = tree[r, e]
        return False
    r0 = VI[v, ROUTE_START]
    for j in range(r0 + VI[v, ROUTE_POS] + 1, r0 + VI[v, ROUTE_LEN]):
        if closed[route_links[j]]:
            return True
    return False


@numba.njit(cache=True)
def _select(VI: np.ndarray, route_links: np.ndarray, tree: np.ndarray, closed: np.ndarray, any_closed: bool, vids: np.ndarray, chosen: np.ndarray,
            dest_index: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """The vehicles of ``vids`` to route anew: the ``chosen`` ones not arrived, and, if a link
    is closed, every released one whose route runs over a closed link ahead. Marks their
    destinations in ``needed``; returns the vehicles."""
    out = np.empty(vids.size, np.int64)
    m = 0
    for i in range(vids.size):
        v = vids[i]
        st = VI[v, STATUS]
        if st == ARRIVED or st == UNROUTABLE:
            continue
        if chosen[i] or (any_closed and st != NOT_RELEASED
                         and _closed_ahead(VI, route_links, tree, closed, v)):
            out[m] = v
            m += 1
            needed[dest_index[v]] = True
    return out[:m]


@njit_no_refcount()
def _start_node(VI: np.ndarray, link_to: np.ndarray, v: int) -> int:
    """Where a new route of ``v`` starts: its origin before departure, else the head of its
    current link (which the route keeps)."""
    if VI[v, STATUS] == NOT_RELEASED:
        return VI[v, ORIGIN]
    return link_to[VI[v, LINK]]


@njit_no_refcount()
def _start_vertex(VI: np.ndarray, n_links: int, v: int) -> int:
    """The tree vertex a new route of ``v`` starts from: its origin node's before departure,
    else its current link (see ``turn_graph``)."""
    if VI[v, STATUS] == NOT_RELEASED:
        return n_links + VI[v, ORIGIN]
    return VI[v, LINK]


@njit_no_refcount()
def _has_route(VI: np.ndarray, v: int) -> bool:
    """Whether vehicle ``v`` follows a tree row or has explicit route links left."""
    return VI[v, TROW] >= 0 or VI[v, ROUTE_LEN] - VI[v, ROUTE_POS] > 0


@numba.njit(cache=True)
def _assign_rows(VI: np.ndarray, tree: np.ndarray, link_to: np.ndarray, vids: np.ndarray,
                 row_of: np.ndarray, complete: np.ndarray, dest_index: np.ndarray,
                 ref: np.ndarray) -> int:
    """Point each vehicle of ``vids`` at the new tree row of its destination if it has a path
    there (always, if the tree is ``complete``); else it keeps its route, or, without one,
    becomes unroutable. Returns the number of newly unroutable vehicles."""
    bad = 0
    for i in range(vids.size):
        v = vids[i]
        di = dest_index[v]
        r = row_of[di]
        if (complete[di] or _start_node(VI, link_to, v) == VI[v, DEST]
                or tree[r, _start_vertex(VI, link_to.size, v)] >= 0):
            old = VI[v, TROW]
            if old >= 0:
                ref[old] -= 1
            VI[v, TROW] = r
            ref[r] += 1
        elif not _has_route(VI, v):
            VI[v, STATUS] = UNROUTABLE
            bad += 1
    return bad


@njit_no_refcount()
def _walk(VI: np.ndarray, table: np.ndarray, r: int, n_links: int, v: int, pool: np.ndarray,
          o: int) -> int:
    """Vehicle ``v``'s route on row ``r`` of ``table`` from where it is (its current link, if
    released, then the links the row gives from there) into ``pool`` from offset ``o``, or
    only counted if ``pool`` is empty; returns the offset after it."""
    write = pool.size > 0
    if VI[v, STATUS] != NOT_RELEASED:
        if write:
            pool[o] = VI[v, LINK]
        o += 1
    e = table[r, _start_vertex(VI, n_links, v)]
    while e >= 0:
        if write:
            pool[o] = e
        o += 1
        e = table[r, e]
    return o


@njit_no_refcount()
def _set_route(VI: np.ndarray, ref: np.ndarray, v: int, start: int, length: int) -> None:
    """Vehicle ``v`` follows the explicit route of ``length`` links at ``start`` of the route
    pool from its first link, giving up its tree row."""
    if VI[v, TROW] >= 0:
        ref[VI[v, TROW]] -= 1
        VI[v, TROW] = -1
    VI[v, ROUTE_START] = start
    VI[v, ROUTE_LEN] = length
    VI[v, ROUTE_POS] = 0


@numba.njit(cache=True)
def _path_lengths(VI: np.ndarray, table: np.ndarray, row_of: np.ndarray,
                  dest_index: np.ndarray, link_to: np.ndarray, vids: np.ndarray,
                  mode: np.ndarray, length: np.ndarray) -> None:
    """Explicit routes: length of each vehicle's new route (its current link, if on one, then
    the table's path) and how to make it (``mode``)."""
    count_only = np.empty(0, np.int32)
    for i in range(vids.size):
        v = vids[i]
        r = row_of[dest_index[v]]
        if (table[r, _start_vertex(VI, link_to.size, v)] >= 0
                or _start_node(VI, link_to, v) == VI[v, DEST]):
            mode[i] = NEW
            length[i] = _walk(VI, table, r, link_to.size, v, count_only, 0)
        elif _has_route(VI, v):
            mode[i] = KEEP
            length[i] = 0
        else:
            mode[i] = NO_PATH
            length[i] = 0


@numba.njit(cache=True)
def _path_fill(VI: np.ndarray, table: np.ndarray, row_of: np.ndarray, dest_index: np.ndarray,
               link_to: np.ndarray, vids: np.ndarray, mode: np.ndarray, starts: np.ndarray,
               pool: np.ndarray, offset: int, ref: np.ndarray) -> None:
    """Write the new explicit routes of ``_path_lengths`` into ``pool`` (offsets ``starts``
    within it, ``offset`` in the final route pool)."""
    for i in range(vids.size):
        if mode[i] != NEW:
            continue
        v = vids[i]
        o = _walk(VI, table, row_of[dest_index[v]], link_to.size, v, pool, starts[i])
        _set_route(VI, ref, v, offset + starts[i], o - starts[i])


@numba.njit(cache=True)
def _explicit_vehicles(VI: np.ndarray, order: np.ndarray, keep_out: np.ndarray) -> np.ndarray:
    """Vehicles not finished that follow an explicit route and keep it."""
    m = 0
    out = np.empty(order.size, np.int64)
    for v in range(VI.shape[0]):
        st = VI[v, STATUS]
        if st == ARRIVED or st == UNROUTABLE or VI[v, TROW] >= 0 or keep_out[v]:
            continue
        if VI[v, ROUTE_LEN] - VI[v, ROUTE_POS] > 0:
            out[m] = v
            m += 1
    return out[:m]


@numba.njit(cache=True)
def _copy_routes(VI: np.ndarray, route_links: np.ndarray, vids: np.ndarray,
                 pool: np.ndarray) -> int:
    """Move the rest of each vehicle's explicit route (from its current link) into ``pool``."""
    o = 0
    for i in range(vids.size):
        v = vids[i]
        r0 = VI[v, ROUTE_START]
        n = VI[v, ROUTE_LEN] - VI[v, ROUTE_POS]
        for j in range(n):
            pool[o + j] = route_links[r0 + VI[v, ROUTE_POS] + j]
        VI[v, ROUTE_START] = o
        VI[v, ROUTE_LEN] = n
        VI[v, ROUTE_POS] = 0
        o += n
    return o


@numba.njit(cache=True)
def _evict_rows(VI: np.ndarray, tree: np.ndarray, n_links: int, evict: np.ndarray,
                ref: np.ndarray, offset: int) -> np.ndarray:
    """The vehicles following the tree rows marked in ``evict`` take the rest of their row's
    path (from their current link, or their origin before departure) as an explicit route, at
    ``offset`` of the route pool and on; the rows are then followed by none. Returns these
    routes, int32."""
    count_only = np.empty(0, np.int32)
    total = 0
    for v in range(VI.shape[0]):
        r = VI[v, TROW]
        if r >= 0 and evict[r]:
            total = _walk(VI, tree, r, n_links, v, count_only, total)
    pool = np.empty(total, np.int32)
    o = 0
    for v in range(VI.shape[0]):
        r = VI[v, TROW]
        if r >= 0 and evict[r]:
            end = _walk(VI, tree, r, n_links, v, pool, o)
            _set_route(VI, ref, v, offset + o, end - o)
            o = end
    return pool


def _kept_routes(st: State, keep_out: np.ndarray) -> tuple[np.ndarray, int]:
    """The vehicles that follow an explicit route and keep it (not in ``keep_out``, a bool per
    vehicle), and the links left on their routes."""
    kept = _explicit_vehicles(st.VI, st.order, keep_out)
    left = st.VI[kept, ROUTE_LEN].astype(np.int64) - st.VI[kept, ROUTE_POS]
    return kept, int(left.sum())


def _compacted(st: State, kept: np.ndarray, size: int) -> np.ndarray:
    """The rest of the explicit routes of ``kept`` (``size`` links in all, as from
    ``_kept_routes``) in a new pool, from its start; the vehicles point into it."""
    pool = np.empty(size, np.int32)
    _copy_routes(st.VI, st.route_links, kept, pool)
    return pool


def _set_route_pool(st: State, pools: list[np.ndarray]) -> None:
    """The route pool becomes ``pools`` one after the other (the vehicles' offsets point into
    that)."""
    size = sum(p.size for p in pools)
    if size >= np.iinfo(np.int32).max:
        raise MemoryError("routing: explicit routes exceed 2**31 links; raise TREE_BUDGET")
    st.route_links = pools[0] if len(pools) == 1 else np.concatenate(pools)


class Router:
    """Re-routes the vehicles of one run on current link travel times.

    Keeps the per-run indexes (destinations, the edge-based graph of the turns routing may
    take), the list of vehicles on the network, and the reference count of every row of the
    state's tree pool (``st.tree``: a row per destination, the next link after every link and
    the first link from every node, see ``turn_graph``) with the re-routing that last built it
    (among rows followed by as many vehicles, the least recently built is freed first).

    Parameters
    ----------
    graph : RoadGraph
        The graph of the run, in the kernels' link numbering.
    destination : ndarray
        Destination node of each vehicle [-].
    link_ids : ndarray, optional
        The caller's id of each link of ``graph`` (if the run renumbered them), on which
        routing breaks ties [-]; default the link's own number.
    banned : tuple of ndarray, optional
        The banned turns (from links, to links) [-]; default none.
    u_turns : bool
        Allow U-turns everywhere, not only at dead ends.
    access_only : ndarray, optional
        Whether each link may only start or end a trip (``simulation.mobility.access``),
        bool (n_links,) [-]; default none.
    """

    def __init__(self, graph: RoadGraph, destination: np.ndarray,
                 link_ids: np.ndarray | None = None,
                 banned: tuple[np.ndarray, np.ndarray] | None = None,
                 u_turns: bool = False, access_only: np.ndarray | None = None) -> None:
        """Index the destinations and the turn graph (see the class parameters)."""
        self.graph = graph
        if link_ids is None:
            self.labels = np.arange(graph.n_links, dtype=np.int32)
            self.relabel = None
        else:
            self.labels = np.asarray(link_ids, dtype=np.int32)
            self.relabel = np.empty(graph.n_links, np.int32)
            self.relabel[self.labels] = np.arange(graph.n_links, dtype=np.int32)
        self.dest_nodes, dest_index = np.unique(destination, return_inverse=True)
        self.dest_index = dest_index.astype(np.int64)
        banned_from, banned_to = banned or (np.zeros(0, np.int32), np.zeros(0, np.int32))
        self.turns = turn_graph(graph, *allowed_turns(graph, banned_from, banned_to, u_turns))
        self.first = (graph.out_start.astype(np.int64), graph.out_links.astype(np.int32),
                      self.labels)
        self.width = graph.n_links + graph.n_nodes
        self.access = access_flags(graph, access_only)
        self.link_to = graph.link_to.astype(np.int64)
        self.ref = np.zeros(0, np.int64)
        self.built = np.zeros(0, np.int64)  # when each row of the pool was last built
        self.builds = 0
        self.evicted = 0
        self.live = np.zeros(len(destination), np.int64)
        self.n_live = 0
        self.released = 0
        self.dep_sorted: np.ndarray | None = None
        self.heap = False  # force the heap version of Dijkstra (tests)

    def _arcs(self, cost: np.ndarray) -> Arcs:
        """Arcs of the reversed turn graph on ``cost``, labelled with the caller's link ids."""
        return self.turns.arcs(cost, self.labels)

    def _roots(self, dests: np.ndarray) -> np.ndarray:
        """The tree roots (vertices) of the destinations of index ``dests``."""
        return self.graph.n_links + self.dest_nodes[dests]

    def _targets(self, st: State, vids: np.ndarray, dests: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Per destination of index ``dests``, the vertices its tree must reach to route the
        vehicles ``vids`` heading there: the current link of a vehicle on the network, every
        link out of the origin of one not yet released (CSR offsets per destination, vertices)."""
        position = np.full(self.dest_nodes.size, -1, np.int64)
        position[dests] = np.arange(dests.size)
        tree_of = position[self.dest_index[vids]]
        waiting = st.VI[vids, STATUS] == NOT_RELEASED
        origin = st.VI[vids[waiting], ORIGIN].astype(np.int64)
        degree = np.diff(self.graph.out_start)[origin]
        first = np.repeat(self.graph.out_start[origin], degree)
        within = np.arange(first.size) - np.repeat(np.cumsum(degree) - degree, degree)
        tree = np.concatenate([tree_of[~waiting], np.repeat(tree_of[waiting], degree)])
        vertex = np.concatenate([st.VI[vids[~waiting], LINK].astype(np.int64),
                                 self.graph.out_links[first + within].astype(np.int64)])
        order = np.argsort(tree, kind="stable")
        start = np.zeros(dests.size + 1, np.int64)
        np.cumsum(np.bincount(tree, minlength=dests.size), out=start[1:])
        return start, np.ascontiguousarray(vertex[order])

    def candidates(self, st: State, horizon: float) -> np.ndarray:
        """Vehicles on the network (waiting to enter or on a link) and those departing before
        ``horizon`` (s), in that order.

        Parameters
        ----------
        st : State
            The run's state.
        horizon : float
            Time before which departing vehicles count [s].

        Returns
        -------
        ndarray
            The vehicles, int64 [-].
        """
        self.n_live, self.released = _refresh_live(st.VI, st.order, self.live, self.n_live,
                                                   self.released, self.ref)
        if self.dep_sorted is None:
            self.dep_sorted = np.ascontiguousarray(st.VF[st.order, 0])
        hi = int(np.searchsorted(self.dep_sorted, horizon, side="left"))
        soon = st.order[self.released:hi]
        soon = soon[st.VI[soon, STATUS] == NOT_RELEASED]
        return np.concatenate([self.live[:self.n_live], soon])

    def reroute(self, st: State, k: int, mask: np.ndarray) -> int:
        """New routes on the link travel times at step ``k`` for the vehicles in ``mask`` (a
        boolean per vehicle). Returns the number of vehicles newly unroutable.

        Parameters
        ----------
        st : State
            The run's state; routes and tree pool are updated in place.
        k : int
            Time step whose link travel times route [steps].
        mask : ndarray
            Whether to route each vehicle, bool (n_vehicles,).

        Returns
        -------
        int
            Vehicles newly unroutable [veh].
        """
        vids = np.nonzero(mask)[0]
        return self.route(st, k, vids, np.ones(vids.size, dtype=bool))

    def route(self, st: State, k: int, vids: np.ndarray, chosen: np.ndarray) -> int:
        """The ``chosen`` vehicles of ``vids`` take the fastest route at step ``k``, from the
        head of their current link (or their origin before departure); vehicles of ``vids``
        whose route runs over a closed link ahead do too. A vehicle without a path keeps its
        route, or without one becomes unroutable (the count of these is returned).

        Parameters
        ----------
        st : State
            The run's state; routes and tree pool are updated in place.
        k : int
            Time step whose link travel times route [steps].
        vids : ndarray
            Candidate vehicles [-].
        chosen : ndarray
            Whether each candidate takes the fastest route, bool (len(vids),).

        Returns
        -------
        int
            Vehicles newly unroutable [veh].
        """
        if self.ref.size < st.tree.shape[0]:
            more = np.zeros(st.tree.shape[0] - self.ref.size, np.int64)
            self.ref = np.concatenate([self.ref, more])
            self.built = np.concatenate([self.built, more])
        self.n_live, self.released = _refresh_live(st.VI, st.order, self.live, self.n_live,
                                                   self.released, self.ref)
        cost = link_costs(st.LF, st.LI, st.ring, k)
        closed = cost >= CLOSED_COST
        needed = np.zeros(self.dest_nodes.size, dtype=bool)
        redo = _select(st.VI, st.route_links, st.tree, closed, bool(closed.any()),
                       np.ascontiguousarray(vids, dtype=np.int64),
                       np.ascontiguousarray(chosen, dtype=np.bool_), self.dest_index, needed)
        want = np.nonzero(needed)[0]
        if want.size == 0:
            return 0
        arcs = self._arcs(cost)
        limit = TREE_BUDGET // self.width  # rows the pool may have
        if want.size > limit:
            return self._explicit(st, arcs, redo, want)
        free = np.nonzero(self.ref == 0)[0]
        if free.size < want.size:  # grow the pool within its budget, else free rows
            rows = st.tree.shape[0]
            grow = min(max(want.size - free.size, rows // 2), limit - rows)
            if grow > 0:
                tree = np.empty((rows + grow, self.width), np.int32)
                tree[:rows] = st.tree
                st.tree = tree
                self.ref = np.concatenate([self.ref, np.zeros(grow, np.int64)])
                self.built = np.concatenate([self.built, np.zeros(grow, np.int64)])
                free = np.concatenate([free, np.arange(rows, rows + grow)])
            if free.size < want.size:
                free = np.concatenate([free, self._evict(st, redo, want.size - free.size)])
        rows = free[:want.size]
        self.builds += 1
        self.built[rows] = self.builds
        unreached = np.empty(want.size, np.int64)
        build_trees(arcs, self._roots(want), st.tree, rows, heap=self.heap,
                    relabel=self.relabel, unreached=unreached, first_links=self.first,
                    targets=self._targets(st, redo, want), access=self.access)
        row_of = np.full(self.dest_nodes.size, -1, np.int64)
        row_of[want] = rows
        complete = np.zeros(self.dest_nodes.size, dtype=bool)
        complete[want] = unreached == 0
        return int(_assign_rows(st.VI, st.tree, self.link_to, redo, row_of, complete,
                                self.dest_index, self.ref))

    def _evict(self, st: State, redo: np.ndarray, n: int) -> np.ndarray:
        """Free ``n`` rows of the tree pool, all of which are followed: the rows fewest
        vehicles follow that are not re-routed now (``redo``), the least recently built among
        equals. Their followers take the rest of the row's path as an explicit route, the
        same links; the explicit routes no longer followed are dropped first once they take
        more room than those followed. Returns the rows.

        Parameters
        ----------
        st : State
            The run's state; routes are updated in place.
        redo : ndarray
            Vehicles re-routed now [-].
        n : int
            Rows to free, at most the rows followed [-].

        Returns
        -------
        ndarray
            The freed rows, int64 [-].
        """
        rows = st.tree.shape[0]
        trow = st.VI[redo, TROW]
        staying = self.ref - np.bincount(trow[trow >= 0], minlength=rows)
        busy = np.nonzero(self.ref > 0)[0]
        out = busy[np.lexsort((self.built[busy], staying[busy]))[:n]]
        evict = np.zeros(rows, dtype=np.bool_)
        evict[out] = True
        kept, size = _kept_routes(st, np.zeros(st.VI.shape[0], dtype=np.bool_))
        base = _compacted(st, kept, size) if st.route_links.size > 2 * size else st.route_links
        tail = _evict_rows(st.VI, st.tree, self.link_to.size, evict, self.ref, base.size)
        _set_route_pool(st, [base, tail])
        self.evicted += out.size
        return out

    def _explicit(self, st: State, arcs: Arcs, redo: np.ndarray, want: np.ndarray) -> int:
        """Routes written per vehicle, trees built in blocks of at most ``TABLE_BUDGET``
        entries: for networks whose tree pool would outgrow ``TREE_BUDGET``."""
        per_block = max(1, TABLE_BUDGET // self.width)
        redo = redo[np.argsort(self.dest_index[redo], kind="stable")]
        block_of = np.full(self.dest_nodes.size, -1, np.int64)
        block_of[want] = np.arange(want.size) // per_block
        first = np.searchsorted(block_of[self.dest_index[redo]], np.arange(
            (want.size + per_block - 1) // per_block + 1))
        new_pools: list[np.ndarray] = []
        offset = 0
        newly = np.zeros(st.VI.shape[0], dtype=bool)
        bad = 0
        # the explicit routes kept go first: they are copied before new ones overwrite VI
        table = np.empty((min(per_block, want.size), self.width), np.int32)
        plans: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for b in range(first.size - 1):
            vids = redo[first[b]:first[b + 1]]
            dests = want[b * per_block:(b + 1) * per_block]
            build_trees(arcs, self._roots(dests), table, np.arange(dests.size),
                        heap=self.heap, relabel=self.relabel, first_links=self.first,
                        access=self.access)
            row_of = np.full(self.dest_nodes.size, -1, np.int64)
            row_of[dests] = np.arange(dests.size)
            mode = np.empty(vids.size, np.int8)
            length = np.empty(vids.size, np.int64)
            _path_lengths(st.VI, table, row_of, self.dest_index, self.link_to, vids, mode, length)
            newly[vids[mode == NEW]] = True
            plans.append((vids, dests, mode, length))
        kept, offset = _kept_routes(st, newly)
        new_pools.append(_compacted(st, kept, offset))
        for vids, dests, mode, length in plans:
            if len(plans) > 1:  # the table holds the last block: rebuild this one
                build_trees(arcs, self._roots(dests), table, np.arange(dests.size),
                            heap=self.heap, relabel=self.relabel, first_links=self.first,
                            access=self.access)
            row_of = np.full(self.dest_nodes.size, -1, np.int64)
            row_of[dests] = np.arange(dests.size)
            starts = np.zeros(vids.size + 1, np.int64)
            np.cumsum(length, out=starts[1:])
            pool = np.empty(int(starts[-1]), np.int32)
            _path_fill(st.VI, table, row_of, self.dest_index, self.link_to, vids, mode, starts,
                       pool, offset, self.ref)
            offset += pool.size
            new_pools.append(pool)
            no_path = vids[mode == NO_PATH]
            st.VI[no_path, STATUS] = UNROUTABLE
            bad += no_path.size
        _set_route_pool(st, new_pools)
        return bad
