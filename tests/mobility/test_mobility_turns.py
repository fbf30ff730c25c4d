"""Routing on turns: banned turns and U-turns are never taken, and without them the edge-based
trees give the node-based shortest paths."""

from __future__ import annotations

import numpy as np

from simulation.graph import build_road_graph
from simulation.mobility import Demand, Settings, TurnCapacities, simulate, trees_to
from simulation.turns import allowed_turns
from tests.mobility.mobility_networks import grid


def _link(g, a: int, b: int) -> int:
    return int(np.nonzero((g.link_from == a) & (g.link_to == b))[0][0])


def _links_driven(result, vehicle: int = 0) -> list[int]:
    """Links vehicle ``vehicle`` was sampled on, in order, without repeats."""
    p = result.positions
    links = p.link[p.vehicle == vehicle]
    return [int(x) for i, x in enumerate(links) if i == 0 or x != links[i - 1]]


def test_a_banned_turn_is_never_taken_and_the_trip_goes_round() -> None:
    # 3 x 3 grid, 200 m blocks; node 3 -> 4 -> 5 is the straight middle row
    g = grid(3, 3)
    into, on = _link(g, 3, 4), _link(g, 4, 5)
    free = simulate(g, Demand([0.0], [3], [5]), Settings(end_time=600.0, sample_interval=1.0))
    assert _links_driven(free) == [into, on]
    banned = TurnCapacities([into], [on], [0.0])
    routed = simulate(g, Demand([0.0], [3], [5]), Settings(end_time=600.0, sample_interval=1.0),
                      turns=banned)
    path = _links_driven(routed)
    assert routed.trips.status[0] == 3
    assert all((a, b) != (into, on) for a, b in zip(path, path[1:]))
    # the shortest way round is four blocks (3-0-1-2-5, 3-4-1-2-5, 3-6-7-8-5 or 3-4-7-8-5)
    assert routed.trips.distance[0] == 4 * 200.0


def test_u_turns_only_at_dead_ends() -> None:
    # a street 0 - 1 - 2 with a dead-end spur 1 - 3, all two-way
    frm = np.array([0, 1, 1, 2, 1, 3])
    to = np.array([1, 0, 2, 1, 3, 1])
    n = frm.size
    g = build_road_graph(np.array([0.0, 100.0, 200.0, 100.0]), np.array([0.0, 0.0, 0.0, 100.0]),
                         frm, to, np.full(n, 100.0), np.full(n, 10.0), np.full(n, 900.0),
                         np.ones(n))
    turns = set(zip(*(x.tolist() for x in allowed_turns(g, np.zeros(0), np.zeros(0)))))
    uturn = {(a, b) for a in range(n) for b in range(n)
             if g.link_to[a] == g.link_from[b] and g.link_to[b] == g.link_from[a]}
    # back at the dead ends 0, 2 and 3, never at the junction 1
    assert turns & uturn == {(_link(g, 1, 0), _link(g, 0, 1)), (_link(g, 1, 2), _link(g, 2, 1)),
                             (_link(g, 1, 3), _link(g, 3, 1))}
    assert len(turns - uturn) == 6  # every other turn at the junction
    everywhere = set(zip(*(x.tolist() for x in allowed_turns(g, np.zeros(0), np.zeros(0),
                                                              u_turns=True))))
    assert uturn <= everywhere


def test_without_bans_trips_take_node_shortest_paths() -> None:
    # jittered lengths make every shortest path unique; each trip's free-flow travel time and
    # distance must be that of the node-based tree
    rng = np.random.default_rng(3)
    g = grid(6, 6, length_jitter=0.5, rng=rng)
    origins = rng.integers(0, g.n_nodes, 40).astype(np.int32)
    dests = rng.integers(0, g.n_nodes, 40).astype(np.int32)
    keep = origins != dests
    origins, dests = origins[keep], dests[keep]
    departures = np.arange(origins.size) * 400.0  # one car at a time: free flow
    r = simulate(g, Demand(departures, origins, dests), Settings(end_time=departures[-1] + 900))
    dist, _, _ = trees_to(g, g.length, np.unique(dests))
    row = np.searchsorted(np.unique(dests), dests)
    assert np.allclose(r.trips.distance, dist[row, origins], rtol=1e-9)


def test_trees_grown_only_to_their_targets_give_the_full_trees_paths() -> None:
    """A destination tree that stops once its targets are settled gives every target the same
    path as the whole tree (the kernel follows rows only from the vertices it asked for)."""
    from simulation.mobility.routing import Router, build_trees

    rng = np.random.default_rng(5)
    g = grid(8, 8, length_jitter=0.5, rng=rng)
    dests = np.array([0, 27, 63])
    router = Router(g, dests)
    arcs = router._arcs(g.length / g.free_speed)
    roots = router._roots(np.arange(dests.size))
    width = g.n_links + g.n_nodes
    full = np.empty((dests.size, width), np.int32)
    build_trees(arcs, roots, full, np.arange(dests.size), first_links=router.first)
    aims = rng.integers(0, g.n_links, (dests.size, 4))
    grown = np.empty_like(full)
    build_trees(arcs, roots, grown, np.arange(dests.size), first_links=router.first,
                targets=(np.arange(0, aims.size + 1, 4, dtype=np.int64),
                         aims.ravel().astype(np.int64)))
    assert (grown != full).any()  # the trees did stop early
    for r in range(dests.size):
        for a in aims[r]:
            path_full, path_grown = [int(a)], [int(a)]
            while full[r, path_full[-1]] >= 0:
                path_full.append(int(full[r, path_full[-1]]))
            while grown[r, path_grown[-1]] >= 0:
                path_grown.append(int(grown[r, path_grown[-1]]))
            assert path_grown == path_full
