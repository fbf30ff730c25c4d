"""Routing: Dijkstra against scipy, routing tables, re-routing around a closed link."""

from __future__ import annotations

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from mobility_networks import KMH, grid
from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

from simulation.graph import build_road_graph
from simulation.mobility import (
    CapacityEvents,
    Demand,
    Settings,
    shortest_path_tree,
    shortest_path_trees,
    simulate,
    trees_to,
)
from simulation.mobility.routing import path_links


def _random_grid():
    rng = np.random.default_rng(7)
    g = grid(12, 9, rng=rng, length_jitter=0.8)
    cost = rng.uniform(1.0, 60.0, g.n_links)
    matrix = sp.csr_matrix((cost, (g.link_from, g.link_to)), shape=(g.n_nodes, g.n_nodes))
    return g, cost, matrix


def test_dijkstra_matches_scipy_on_a_random_grid() -> None:
    g, cost, matrix = _random_grid()
    origins = np.arange(g.n_nodes)
    dist, pred = shortest_path_trees(g, cost, origins)
    ref = scipy_dijkstra(matrix, directed=True, indices=origins)
    assert np.allclose(dist, ref, rtol=1e-12, atol=1e-9)
    # every predecessor link closes its node's distance
    o, v = np.nonzero(pred >= 0)
    e = pred[o, v]
    assert np.all(g.link_to[e] == v)
    assert np.allclose(dist[o, g.link_from[e]] + cost[e], dist[o, v])
    assert np.all(pred[origins, origins] == -1)
    d1, p1 = shortest_path_tree(g, cost, 5)
    assert np.array_equal(d1, dist[5]) and np.array_equal(p1, pred[5])
    links = path_links(p1, g.link_from, 5, 40)
    assert np.isclose(cost[links].sum(), dist[5, 40])


def test_trees_to_destinations_match_scipy_on_the_reversed_graph() -> None:
    g, cost, matrix = _random_grid()
    dests = np.array([0, 17, 50, g.n_nodes - 1])
    dist, nxt, hops = trees_to(g, cost, dests)
    ref = scipy_dijkstra(matrix.T.tocsr(), directed=True, indices=dests)
    assert np.allclose(dist, ref, rtol=1e-12, atol=1e-9)
    for i, d in enumerate(dests):  # following the table from any node reaches d at cost dist
        for s in range(0, g.n_nodes, 7):
            node, total, n = s, 0.0, 0
            while node != d:
                e = nxt[i, node]
                total += cost[e]
                node = g.link_to[e]
                n += 1
            assert np.isclose(total, dist[i, s]) and n == hops[i, s]


def test_parallel_trees_equal_serial_trees() -> None:
    g, cost, _ = _random_grid()
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        d1, p1 = shortest_path_trees(g, cost, np.arange(g.n_nodes))
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        d2, p2 = shortest_path_trees(g, cost, np.arange(g.n_nodes))
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(d1, d2) and np.array_equal(p1, p2)


def _two_routes():
    """0 -> 1, then 1 -> 2 -> 4 (short, via link 1) or 1 -> 3 -> 4 (longer), then 4 -> 5."""
    x = np.array([0.0, 300.0, 600.0, 600.0, 900.0, 1200.0])
    y = np.array([0.0, 0.0, 100.0, -400.0, 0.0, 0.0])
    frm = [0, 1, 2, 1, 3, 4]
    to = [1, 2, 4, 3, 4, 5]
    length = [300.0, 320.0, 320.0, 500.0, 500.0, 300.0]
    n = len(frm)
    return build_road_graph(x, y, frm, to, length, np.full(n, 50 * KMH), np.full(n, 3600.0),
                            np.full(n, 2.0))


def test_rerouting_moves_vehicles_off_a_closed_link() -> None:
    g = _two_routes()
    n = 400
    dep = np.arange(n) * 3.0  # 1200 veh/h over 1200 s
    d = Demand(dep, np.zeros(n, np.int32), np.full(n, 5, np.int32))
    closure = CapacityEvents(time=[600.0], link=[1], capacity=[0.0])
    short = 300.0 + 320.0 + 320.0 + 300.0
    long = 300.0 + 500.0 + 500.0 + 300.0

    fixed = simulate(g, d, Settings(end_time=3000.0), events=closure)
    rerouted = simulate(g, d, Settings(end_time=3000.0, reroute_interval=30.0, reroute_share=0.1),
                        events=closure)
    # without re-routing every vehicle stays on the short route and those after the closure
    # are stuck in front of (or on) the closed link
    assert np.all(fixed.trips.distance[fixed.trips.status == 3] == short)
    assert fixed.trips.n_stuck > 150
    # with re-routing, only vehicles already committed to the closed link stay stuck: those on
    # it at 600 s plus those that left node 0 before the next re-routing (at most 30 s + its
    # free-flow time of 21.6 s, at 1200 veh/h)
    late = dep >= 600.0 + 30.0
    assert np.all(rerouted.trips.status[late] == 3)
    assert np.all(rerouted.trips.distance[late] == long)
    assert np.all(rerouted.trips.distance[dep < 500.0] == short)
    stuck_limit = (320.0 / (50 * KMH) + 30.0 + 300.0 / (50 * KMH)) / 3.0 + 1
    assert rerouted.trips.n_stuck <= stuck_limit
    # nobody enters the closed link after the closure
    assert rerouted.links.inflow[(600 // 300) + 1:, 1].sum() == 0.0


def test_bucket_and_heap_dijkstra_give_identical_trees() -> None:
    # whole-second costs (many ties), a wide spread (many buckets) and closed links (costs
    # beyond the bucket ring, held in its overflow list): the two versions agree to the bit
    from simulation.mobility.routing import CLOSED_COST, _arcs, bucket_width, build_trees

    g, _, _ = _random_grid()
    rng = np.random.default_rng(3)
    for cost in (np.full(g.n_links, 12.0), np.round(rng.uniform(1.0, 60.0, g.n_links)),
                 np.where(rng.random(g.n_links) < 0.1, CLOSED_COST, rng.uniform(5.0, 9.0, g.n_links))):
        arcs = _arcs(g.out_start, g.out_links, g.link_to, cost)
        assert bucket_width(arcs[3])[1] > 0
        origins = np.arange(g.n_nodes)
        trees = []
        for heap in (False, True):
            pred = np.empty((origins.size, g.n_nodes), np.int32)
            dist = np.empty((origins.size, g.n_nodes))
            build_trees(arcs, origins, pred, origins, dist, heap=heap)
            trees.append((pred, dist))
        assert np.array_equal(trees[0][0], trees[1][0])
        assert np.array_equal(trees[0][1], trees[1][1])
        matrix = sp.csr_matrix((cost, (g.link_from, g.link_to)), shape=(g.n_nodes, g.n_nodes))
        assert np.allclose(trees[0][1], scipy_dijkstra(matrix, directed=True), rtol=1e-12)


def test_ties_go_to_the_lowest_link_id() -> None:
    # two paths of equal cost from node 0 to node 3: via node 1 (links 0, 2) and via node 2
    # (links 1, 3); whatever the order of the links, the lower id wins at the tie
    x = np.array([0.0, 100.0, 0.0, 100.0])
    y = np.array([0.0, 0.0, 100.0, 100.0])
    for frm, to, via in (([0, 0, 1, 2], [1, 2, 3, 3], [0, 2]),
                         ([0, 0, 2, 1], [2, 1, 3, 3], [0, 2])):
        g = build_road_graph(x, y, frm, to, np.full(4, 100.0), np.full(4, 10.0),
                             np.full(4, 1800.0), np.full(4, 1.0))
        cost = np.full(4, 10.0)
        _, pred = shortest_path_tree(g, cost, 0)
        assert pred[3] == 2  # the lower of links 2 and 3 into node 3
        _, nxt, hops = trees_to(g, cost, np.array([3]))
        assert nxt[0, 0] == 0 and hops[0, 0] == 2  # the lower of links 0 and 1 out of node 0
        assert list(path_links(pred, g.link_from, 0, 3)) == via


def test_routes_written_per_vehicle_beyond_the_tree_budget_give_the_same_run(monkeypatch) -> None:
    # with no memory for routing trees, every re-routing writes explicit routes per vehicle
    # (for large networks): the run is the same, closure and re-routing included
    import dataclasses

    from simulation.mobility import routing, two_phase_plan

    g = grid(6, 6, block=150.0, lanes=1.0)
    d = random_demand_for(g)
    events = CapacityEvents(time=[400.0, 900.0], link=[10, 10], capacity=[0.0, 1800.0])
    settings = Settings(end_time=1300.0, bin_width=60.0, reroute_interval=120.0,
                        reroute_share=0.5, sample_interval=30.0, seed=3, threads=1)
    pooled = simulate(g, d, settings, two_phase_plan(g), events=events)
    monkeypatch.setattr(routing, "TREE_BUDGET", 1)
    written = simulate(g, d, settings, two_phase_plan(g), events=events)
    for part in ("links", "trips", "network", "positions"):
        a, b = getattr(pooled, part), getattr(written, part)
        for f in dataclasses.fields(a):
            assert np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True), (part, f.name)


def random_demand_for(g, n_trips=3000, end=1000.0):
    from simulation.mobility import random_demand

    return random_demand(g, n_trips, 0.0, end, seed=5)


def _compare_runs(a, b) -> None:
    import dataclasses

    for part in ("links", "trips", "network", "positions"):
        x, y = getattr(a, part), getattr(b, part)
        for f in dataclasses.fields(x):
            assert np.array_equal(getattr(x, f.name), getattr(y, f.name), equal_nan=True), (part, f.name)


@pytest.mark.parametrize("release_after", [300.0, 0.0])
def test_freeing_tree_rows_beyond_the_budget_gives_the_same_run(monkeypatch, release_after) -> None:
    # a tree pool of a few rows more than the destinations: nearly every re-routing frees rows
    # (their followers, many in mid-route, take the rest of the row's path as explicit routes)
    # instead of writing every route per vehicle; the run is the same as with room for all
    # trees, with a closure, and in a gridlock (no jam release) where vehicles stand for good
    from simulation.mobility import routing, two_phase_plan
    from simulation.mobility.state import ON_LINK, STATUS, TROW

    g = grid(7, 7, block=120.0, lanes=1.0)
    d = random_demand_for(g, 6000 if release_after else 9000, 900.0)
    events = CapacityEvents(time=[200.0, 1000.0], link=[20, 20], capacity=[0.0, 1800.0])
    settings = Settings(end_time=1500.0, bin_width=60.0, reroute_interval=60.0,
                        reroute_share=0.2, sample_interval=30.0, seed=3, threads=1,
                        release_after=release_after)
    pooled = simulate(g, d, settings, two_phase_plan(g), events=events)
    seen = {"calls": 0, "rows": 0, "mid_route": 0}
    evict_rows = routing._evict_rows

    def counted(VI, tree, n_links, evict, ref, offset):
        follows = (VI[:, TROW] >= 0) & evict[np.maximum(VI[:, TROW], 0)]
        seen["calls"] += 1
        seen["rows"] += int(evict.sum())
        seen["mid_route"] += int(np.sum(follows & (VI[:, STATUS] == ON_LINK)))
        return evict_rows(VI, tree, n_links, evict, ref, offset)

    def never(*args):
        raise AssertionError("routes written per vehicle although rows could be freed")

    monkeypatch.setattr(routing, "_evict_rows", counted)
    monkeypatch.setattr(routing.Router, "_explicit", never)
    monkeypatch.setattr(routing, "TREE_BUDGET", (g.n_nodes + 3) * (g.n_links + g.n_nodes))
    freed = simulate(g, d, settings, two_phase_plan(g), events=events)
    assert seen["calls"] >= 20 and seen["rows"] > 500 and seen["mid_route"] > 1000
    if not release_after:
        assert np.sum(pooled.trips.status == 3) < 0.5 * d.n_vehicles  # a gridlock
    _compare_runs(pooled, freed)


def _remaining(st, v, n_links):
    """The links vehicle ``v`` has still to take: its current link (once released) and those
    after it, as its tree row or its explicit route gives them."""
    from simulation.mobility import state as s

    r = st.VI[v, s.TROW]
    if r < 0:
        a = st.VI[v, s.ROUTE_START]
        return list(st.route_links[a + st.VI[v, s.ROUTE_POS]:a + st.VI[v, s.ROUTE_LEN]])
    out = [] if st.VI[v, s.STATUS] == s.NOT_RELEASED else [st.VI[v, s.LINK]]
    e = st.tree[r, st.VI[v, s.LINK] if out else n_links + st.VI[v, s.ORIGIN]]
    while e >= 0:
        out.append(e)
        e = st.tree[r, e]
    return out


def test_followers_of_freed_tree_rows_keep_their_remaining_path() -> None:
    from simulation.mobility.controls import no_turns
    from simulation.mobility.fundamental import triangular
    from simulation.mobility.routing import Router
    from simulation.mobility.state import (
        ARRIVED,
        LINK,
        ON_LINK,
        ROUTE_LEN,
        ROUTE_POS,
        ROUTE_START,
        STATUS,
        TROW,
        WAITING,
        build_state,
    )

    g = grid(6, 6, block=150.0, lanes=1.0)
    d = random_demand_for(g, 800, 600.0)
    model = triangular(g, 0.15, 1.0)
    zeros = np.zeros(g.n_links)
    st = build_state(g, model, (zeros, zeros, zeros, zeros), no_turns(g.n_links), d.departure,
                     d.origin, d.destination, model.capacity, 1.0, 1, 600)
    router = Router(g, d.destination)
    router.route(st, 0, np.arange(d.n_vehicles), np.ones(d.n_vehicles, dtype=bool))
    assert np.all(st.VI[:, TROW] >= 0)
    # a third not yet released, a third waiting at their first link, a third on their way
    rng = np.random.default_rng(1)
    for v in range(d.n_vehicles):
        path = _remaining(st, v, g.n_links)
        kind = v % 3
        if kind and path:
            st.VI[v, STATUS] = WAITING if kind == 1 else ON_LINK
            st.VI[v, LINK] = path[0] if kind == 1 else path[rng.integers(len(path))]
    before = [_remaining(st, v, g.n_links) for v in range(d.n_vehicles)]
    busy = np.count_nonzero(router.ref)
    rows = router._evict(st, np.zeros(0, np.int64), busy // 2)
    assert rows.size == busy // 2 and np.all(router.ref[rows] == 0)
    explicit = st.VI[:, TROW] < 0
    assert explicit.sum() > 0.2 * d.n_vehicles
    assert [_remaining(st, v, g.n_links) for v in range(d.n_vehicles)] == before
    # most of the explicit routes are then no longer followed (arrived, or links passed):
    # freeing the other rows drops them from the route pool
    done = np.nonzero(explicit)[0][::2]
    st.VI[done, STATUS] = ARRIVED
    moving = np.nonzero(explicit)[0][1::2]
    moving = moving[(st.VI[moving, STATUS] == ON_LINK) & (st.VI[moving, ROUTE_LEN] > 1)]
    st.VI[moving, ROUTE_POS] += 1
    st.VI[moving, LINK] = st.route_links[st.VI[moving, ROUTE_START] + st.VI[moving, ROUTE_POS]]
    before = [_remaining(st, v, g.n_links) for v in range(d.n_vehicles)]
    rest = router._evict(st, np.zeros(0, np.int64), np.count_nonzero(router.ref))
    assert np.all(router.ref == 0) and np.all(st.VI[:, TROW] < 0) and rest.size > 0
    going = np.setdiff1d(np.arange(d.n_vehicles), done)
    left = [_remaining(st, v, g.n_links) for v in going]
    assert left == [before[v] for v in going]
    assert st.route_links.size == sum(len(p) for p in left)
