"""Shortest paths on link travel times and dynamic re-routing of vehicles.

* ``shortest_path_tree``: Dijkstra (indexed binary heap) from one origin node over the link CSR,
  returning distances and the predecessor link of every node (-1 where unreachable).
* ``shortest_path_trees``: the same from many origins, in parallel (``numba.prange``).
* ``trees_to``: trees towards destinations on the reversed graph, giving for every node the next
  link on its shortest path to the destination: the routing table of all vehicles heading there.
* ``link_costs``: current link travel time estimates for routing, s.
* ``rebuild_routes``: new routes for all (selected) vehicles not yet arrived, from the head of
  their current link (or from their origin before departure) to their destination.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.graph import RoadGraph, csr_out_links
from simulation.mobility.links import history_at
from simulation.mobility.state import (
    ARRIVED,
    CYCLE,
    DEST,
    FREE_STEPS,
    FREE_TIME,
    GREEN_SHARE,
    H_UP,
    HIST_SIZE,
    HIST_START,
    LINK,
    N_DOWN,
    N_UP,
    NOT_RELEASED,
    ORIGIN,
    ROUTE_LEN,
    ROUTE_POS,
    ROUTE_START,
    STATUS,
    UNROUTABLE,
    Q,
)

CLOSED_COST = 1.0e7
"""Travel time (s) routing gives a link of zero capacity: avoided whenever another path exists."""
TABLE_BUDGET = 1 << 24
"""Most routing-table entries (int32) held at once: destinations are routed in blocks beyond it."""


@numba.njit(cache=True)
def dijkstra(start, nbr, edge, wgt, source, dist, pred, hops, hkey, hnode, hpos):
    """One-to-all shortest paths from ``source`` over a CSR graph: the arcs of node u are
    j in start[u]:start[u+1], leading to node nbr[j] at cost wgt[j], labelled edge[j]. Fills
    ``dist``, ``pred`` (label of the arc by which each node is reached; -1 if none) and ``hops``
    (arcs on the path).

    A 4-ary heap with decrease-key keeps each entry's key beside its node (``hkey``/``hnode``),
    so sifting compares contiguous keys. The heap code is written out in place: numba helper
    calls that take arrays cost a reference-count round trip each.
    """
    n = dist.size
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
        hpos[i] = -1
    dist[source] = 0.0
    hops[source] = 0
    hkey[0] = 0.0
    hnode[0] = source
    hpos[source] = 0
    size = 1
    while size > 0:
        u = hnode[0]
        du = hkey[0]
        hpos[u] = -2  # settled
        size -= 1
        if size > 0:  # move the last entry to the root and sift it down
            xk = hkey[size]
            xn = hnode[size]
            i = 0
            while True:
                c = 4 * i + 1
                if c >= size:
                    break
                m = c
                mk = hkey[c]
                last = min(c + 4, size)
                for cc in range(c + 1, last):
                    if hkey[cc] < mk:
                        mk = hkey[cc]
                        m = cc
                if mk >= xk:
                    break
                hkey[i] = mk
                hnode[i] = hnode[m]
                hpos[hnode[m]] = i
                i = m
            hkey[i] = xk
            hnode[i] = xn
            hpos[xn] = i
        for j in range(start[u], start[u + 1]):
            v = nbr[j]
            if hpos[v] == -2:
                continue
            nd = du + wgt[j]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = edge[j]
                hops[v] = hops[u] + 1
                i = hpos[v]
                if i == -1:
                    i = size
                    size += 1
                while i > 0:  # sift up
                    parent = (i - 1) >> 2
                    pk = hkey[parent]
                    if pk <= nd:
                        break
                    hkey[i] = pk
                    hnode[i] = hnode[parent]
                    hpos[hnode[parent]] = i
                    i = parent
                hkey[i] = nd
                hnode[i] = v
                hpos[v] = i


@numba.njit(cache=True)
def _one_tree(start, nbr, edge, wgt, source, dist, pred, hops, i, keep_dist, keep_hops):
    n = pred.shape[1]
    hkey = np.empty(n)
    hnode = np.empty(n, np.int32)
    hpos = np.empty(n, np.int32)
    d = np.empty(n)
    h = np.empty(n, np.int32)
    dijkstra(start, nbr, edge, wgt, source, d, pred[i], h, hkey, hnode, hpos)
    if keep_dist:
        dist[i] = d
    if keep_hops:
        hops[i] = h


@numba.njit(cache=True, parallel=True)
def _trees(start, nbr, edge, wgt, sources, dist, pred, hops):
    """One tree per source in parallel; distances and hop counts are kept only if ``dist`` /
    ``hops`` have a row per source."""
    keep_dist = dist.shape[0] == sources.size
    keep_hops = hops.shape[0] == sources.size
    for i in numba.prange(sources.size):
        _one_tree(start, nbr, edge, wgt, sources[i], dist, pred, hops, i, keep_dist, keep_hops)


def _arcs(start: np.ndarray, links: np.ndarray, other: np.ndarray, cost: np.ndarray) -> tuple:
    """The CSR arcs (start, neighbour node, link id, cost) in the form ``dijkstra`` reads."""
    links = links.astype(np.int32)
    return (start.astype(np.int64), other[links].astype(np.int32), links,
            np.ascontiguousarray(cost[links], dtype=np.float64))


def _check_cost(graph: RoadGraph, cost: np.ndarray) -> np.ndarray:
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    if cost.shape != (graph.n_links,):
        raise ValueError(f"link cost: expected one value per link ({graph.n_links}), got {cost.shape}")
    if np.any(cost < 0) or np.any(np.isnan(cost)):
        raise ValueError("link cost: Dijkstra needs costs >= 0 (no NaN)")
    return cost


_NO_ROWS = np.zeros((0, 0), np.int32)


def shortest_path_trees(graph: RoadGraph, cost: np.ndarray, origins: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n_origins, n_nodes) and predecessor links (-1 = origin or unreachable) from
    each origin node, on link costs ``cost`` (any additive unit, e.g. s). Trees run in parallel."""
    cost = _check_cost(graph, cost)
    origins = np.ascontiguousarray(np.atleast_1d(origins), dtype=np.int64)
    dist = np.empty((origins.size, graph.n_nodes))
    pred = np.empty((origins.size, graph.n_nodes), np.int32)
    _trees(*_arcs(graph.out_start, graph.out_links, graph.link_to, cost), origins, dist, pred,
           _NO_ROWS)
    return dist, pred


def shortest_path_tree(graph: RoadGraph, cost: np.ndarray, origin: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Distances (n_nodes) and predecessor links from one origin node."""
    dist, pred = shortest_path_trees(graph, cost, np.array([origin]))
    return dist[0], pred[0]


def reverse_csr(graph: RoadGraph) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the links entering each node."""
    start, links = csr_out_links(graph.n_nodes, graph.link_to)
    return start.astype(np.int64), links.astype(np.int32)


def trees_to(graph: RoadGraph, cost: np.ndarray, destinations: np.ndarray,
             in_csr: tuple[np.ndarray, np.ndarray] | None = None, distances: bool = True
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trees towards each destination on the reversed graph: distances to it (n_dest, n_nodes;
    empty if not ``distances``), the next link from every node on its shortest path there (-1 at
    the destination or where it is unreachable) and the number of links on that path. The next
    links are the routing table of every vehicle heading to those destinations."""
    cost = _check_cost(graph, cost)
    destinations = np.ascontiguousarray(np.atleast_1d(destinations), dtype=np.int64)
    in_start, in_links = reverse_csr(graph) if in_csr is None else in_csr
    dist = np.empty((destinations.size if distances else 0, graph.n_nodes))
    nxt = np.empty((destinations.size, graph.n_nodes), np.int32)
    hops = np.empty((destinations.size, graph.n_nodes), np.int32)
    _trees(*_arcs(in_start, in_links, graph.link_from, cost), destinations, dist, nxt, hops)
    return dist, nxt, hops


def path_links(pred: np.ndarray, link_from: np.ndarray, origin: int, node: int) -> np.ndarray:
    """Links of the path origin -> node from a predecessor-link array (empty if unreachable)."""
    out = []
    while node != origin:
        e = int(pred[node])
        if e < 0:
            return np.zeros(0, np.int32)
        out.append(e)
        node = int(link_from[e])
    return np.asarray(out[::-1], dtype=np.int32)


@numba.njit(cache=True)
def link_costs(LF, LI, hist, k):
    """Current travel time estimate per link (s): free-flow time, plus the mean red wait of a
    fixed-time signal (cycle (1 - g/C)^2 / 2), plus the vertical queue discharged at capacity
    x green share; ``CLOSED_COST`` for links of zero capacity."""
    n = LF.shape[0]
    out = np.empty(n)
    for a in range(n):
        q_eff = LF[a, Q] * LF[a, GREEN_SHARE]
        if q_eff <= 0.0:
            out[a] = CLOSED_COST
            continue
        red = 1.0 - LF[a, GREEN_SHARE]
        c = LF[a, FREE_TIME] + 0.5 * LF[a, CYCLE] * red * red
        n_up_back = history_at(hist, H_UP, LI[a, HIST_START], LI[a, HIST_SIZE],
                               k - LF[a, FREE_STEPS], k, LI[a, N_UP])
        queue = n_up_back - LI[a, N_DOWN]
        if queue > 0.0:
            c += queue / q_eff
        out[a] = c
    return out


# route modes decided per vehicle when rebuilding
KEEP, NEW, NONE, NO_PATH = 0, 1, 2, 3


@numba.njit(cache=True, parallel=True)
def _route_lengths(VI, route_links, cost, table, hops, row_of, vids, link_to, mask, out_len,
                   mode):
    """Length of each vehicle's next route and how to make it (``mode``). A vehicle outside
    ``mask`` keeps the rest of its route unless that route uses a closed link."""
    for i in numba.prange(vids.size):
        v = vids[i]
        st = VI[v, STATUS]
        if st == ARRIVED or st == UNROUTABLE:
            mode[v] = NONE
            out_len[v] = 0
            continue
        r0 = VI[v, ROUTE_START]
        old = VI[v, ROUTE_LEN] - VI[v, ROUTE_POS]
        r = row_of[v]
        redo = mask[v] and r >= 0
        if not redo and r >= 0 and old > 0 and st != NOT_RELEASED:
            for j in range(r0 + VI[v, ROUTE_POS] + 1, r0 + VI[v, ROUTE_LEN]):
                if cost[route_links[j]] >= CLOSED_COST:
                    redo = True
                    break
        if not redo:
            mode[v] = KEEP
            out_len[v] = old
            continue
        if st == NOT_RELEASED:
            s = VI[v, ORIGIN]
            pre = 0
        else:
            s = link_to[VI[v, LINK]]
            pre = 1
        if s == VI[v, DEST] or table[r, s] >= 0:
            mode[v] = NEW
            out_len[v] = pre + hops[r, s]
        elif old > 0:
            mode[v] = KEEP
            out_len[v] = old
        else:
            mode[v] = NO_PATH
            out_len[v] = 0


@numba.njit(cache=True, parallel=True)
def _route_fill(VI, route_links, table, row_of, vids, link_to, mode, new_start, pool):
    """Write each vehicle's route into ``pool`` from ``new_start``: the rest of its old route,
    or its current link followed by the routing table's path to its destination."""
    for i in numba.prange(vids.size):
        v = vids[i]
        o = new_start[v]
        m = mode[v]
        if m == KEEP:
            r0 = VI[v, ROUTE_START]
            for j in range(r0 + VI[v, ROUTE_POS], r0 + VI[v, ROUTE_LEN]):
                pool[o] = route_links[j]
                o += 1
        elif m == NEW:
            if VI[v, STATUS] == NOT_RELEASED:
                s = VI[v, ORIGIN]
            else:
                s = link_to[VI[v, LINK]]
                pool[o] = VI[v, LINK]
                o += 1
            d = VI[v, DEST]
            r = row_of[v]
            while s != d:
                e = table[r, s]
                pool[o] = e
                o += 1
                s = link_to[e]


def rebuild_routes(graph: RoadGraph, VI: np.ndarray, route_links: np.ndarray, cost: np.ndarray,
                   dest_nodes: np.ndarray, dest_index: np.ndarray, by_dest: np.ndarray,
                   mask: np.ndarray, in_csr: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, int]:
    """New routes for every vehicle in ``mask`` not yet arrived, on link costs ``cost`` (s).

    ``dest_nodes`` are the distinct destinations, ``dest_index`` each vehicle's row in them and
    ``by_dest`` the vehicles sorted by that row. Vehicles outside ``mask`` keep the rest of their
    route (unless it runs over a closed link); a vehicle with no path keeps its old route, or if
    it has none and has not departed is marked unroutable. Trees are built only for destinations
    of vehicles that need one, in blocks of at most ``TABLE_BUDGET`` table entries. Updates
    ``VI`` (route start, length, position reset to the current link, status) in place; returns
    the new route pool and the number of newly unroutable vehicles.
    """
    n_veh = VI.shape[0]
    link_to = graph.link_to.astype(np.int64)
    rows = max(1, TABLE_BUDGET // max(graph.n_nodes, 1))
    bounds = np.searchsorted(dest_index[by_dest], np.arange(0, dest_nodes.size + rows, rows))
    bounds[-1] = by_dest.size
    new_len = np.zeros(n_veh, np.int64)
    mode = np.full(n_veh, NONE, np.int8)
    new_start = np.zeros(n_veh, np.int64)
    needs = np.zeros(dest_nodes.size, dtype=bool)
    active = (VI[:, STATUS] != ARRIVED) & (VI[:, STATUS] != UNROUTABLE)
    if np.any(cost >= CLOSED_COST):  # routes over closed links are redone for everybody
        needs[dest_index[active]] = True
    else:
        needs[dest_index[active & mask]] = True
    pools = []
    offset = 0
    for b, r0 in enumerate(range(0, max(dest_nodes.size, 1), rows)):
        vids = by_dest[bounds[b]:bounds[b + 1]]
        if vids.size == 0:
            continue
        r1 = min(r0 + rows, dest_nodes.size)
        # trees only for the destinations that need one; the others keep row -1 (never read)
        want = np.nonzero(needs[r0:r1])[0]
        row_map = np.full(r1 - r0, -1, np.int64)
        row_map[want] = np.arange(want.size)
        _, table, hops = trees_to(graph, cost, dest_nodes[r0 + want], in_csr, distances=False)
        row_of = np.full(n_veh, -1, np.int64)
        row_of[vids] = row_map[dest_index[vids] - r0]
        if want.size == 0:
            table = np.full((1, graph.n_nodes), -1, np.int32)
            hops = np.zeros((1, graph.n_nodes), np.int32)
        _route_lengths(VI, route_links, cost, table, hops, row_of, vids, link_to, mask, new_len,
                       mode)
        starts = np.zeros(vids.size + 1, np.int64)
        np.cumsum(new_len[vids], out=starts[1:])
        local = np.zeros(n_veh, np.int64)
        local[vids] = starts[:-1]
        pool = np.empty(int(starts[-1]), np.int64)
        _route_fill(VI, route_links, table, row_of, vids, link_to, mode, local, pool)
        new_start[vids] = starts[:-1] + offset
        pools.append(pool)
        offset += pool.size
    pool = np.concatenate(pools) if pools else np.zeros(0, np.int64)
    no_path = mode == NO_PATH
    VI[no_path, STATUS] = UNROUTABLE
    VI[:, ROUTE_START] = new_start
    VI[:, ROUTE_LEN] = new_len
    VI[:, ROUTE_POS] = 0
    return pool, int(no_path.sum())
