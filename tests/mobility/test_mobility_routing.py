"""Routing: Dijkstra against scipy, routing tables, re-routing around a closed link."""

from __future__ import annotations

import numba
import numpy as np
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


def random_demand_for(g):
    from simulation.mobility import random_demand

    return random_demand(g, 3000, 0.0, 1000.0, seed=5)
