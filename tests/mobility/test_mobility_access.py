"""Access-only links (service roads): taken at a trip's start or end, never to pass through."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.graph import build_road_graph
from simulation.mobility import Demand, Settings, simulate
from simulation.mobility.equilibrium import equilibrate
from simulation.mobility.routing import Router, build_trees
from tests.mobility.mobility_networks import grid

KMH = 1.0 / 3.6


def _street_with_yard():
    """A street 0 - 1 ... 2 - 3 whose through way from 1 to 2 is a 720 m detour over 4, while a
    yard of service roads 1 - 5 - 2 (100 m each) with a parking aisle 5 - 6 (50 m) is the
    short way; all two-way, 36 km/h. Returns the graph and its access-only flags."""
    x = np.array([0.0, 100.0, 300.0, 400.0, 200.0, 200.0, 200.0])
    y = np.array([0.0, 0.0, 0.0, 0.0, 300.0, 0.0, -50.0])
    ways = [(0, 1, 100.0, False), (1, 4, 360.0, False), (4, 2, 360.0, False),
            (2, 3, 100.0, False), (1, 5, 100.0, True), (5, 2, 100.0, True),
            (5, 6, 50.0, True)]
    frm, to, length, service = [], [], [], []
    for a, b, length_m, is_service in ways:
        frm += [a, b]
        to += [b, a]
        length += [length_m, length_m]
        service += [is_service, is_service]
    n = len(frm)
    g = build_road_graph(x, y, np.array(frm), np.array(to), np.array(length),
                         np.full(n, 10.0), np.full(n, 900.0), np.ones(n))
    return g, np.array(service)


@pytest.mark.parametrize(("origin", "destination", "through", "by_rule"), [
    (0, 3, 400.0, 920.0),   # through traffic keeps to the street: the detour
    (1, 3, 300.0, 820.0),   # a node with a street out never leaves over the yard
    (0, 6, 250.0, 250.0),   # into the yard to a destination in it
    (6, 3, 250.0, 250.0),   # out of the yard from an origin in it
    (6, 5, 50.0, 50.0),     # within the yard
])
def test_service_roads_start_and_end_trips_but_carry_none_through(
        origin: int, destination: int, through: float, by_rule: float) -> None:
    g, service = _street_with_yard()
    demand = Demand([0.0], [origin], [destination])
    settings = Settings(end_time=900.0)
    free = simulate(g, demand, settings)
    ruled = simulate(g, demand, settings, access_only=service)
    assert free.trips.distance[0] == through
    assert ruled.trips.status[0] == 3
    assert ruled.trips.distance[0] == by_rule


def test_equilibrium_routes_keep_the_access_rule() -> None:
    g, service = _street_with_yard()
    demand = Demand(np.arange(6) * 60.0, [0, 1, 0, 6, 6, 3], [3, 3, 6, 3, 5, 6])
    eq = equilibrate(g, demand, Settings(end_time=1800.0), iterations=2, access_only=service)
    expected = [920.0, 820.0, 250.0, 250.0, 50.0, 250.0]
    assert eq.result.trips.distance.tolist() == expected


def _path_ok(path: list[int], access: np.ndarray, origin_inside: bool) -> bool:
    """A path keeps the rule: access-only links only as a leading run (from an origin whose ways
    out are all access-only) and a trailing run."""
    kinds = [bool(access[a]) for a in path]
    i = 0
    if origin_inside:
        while i < len(kinds) and kinds[i]:
            i += 1
    while i < len(kinds) and not kinds[i]:
        i += 1
    return all(kinds[i:])


@pytest.mark.parametrize("heap", [False, True])
def test_trees_on_a_grid_with_yards_keep_the_rule_and_are_shortest(heap: bool) -> None:
    """Every path of the trees keeps the rule, the heap and bucket versions agree, and each
    path is as short as the time-dependent forward search of the equilibrium finds it (an
    independent search over the rule's states) at constant link times."""
    from simulation.graph import csr_out_links
    from simulation.mobility.access import access_flags
    from simulation.mobility.equilibrium import _td_tree
    from simulation.turns import allowed_turns

    rng = np.random.default_rng(11)
    g = grid(7, 7, length_jitter=0.5, rng=rng)
    access = np.zeros(g.n_links, bool)
    # two-way yards: about half of the streets
    access[rng.random(g.n_links) < 0.3] = True
    back = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(g.link_from, g.link_to))}
    for i in np.nonzero(access)[0]:
        access[back[(int(g.link_to[i]), int(g.link_from[i]))]] = True
    dests = np.arange(0, g.n_nodes, 5)
    router = Router(g, dests, access_only=access)
    router.heap = heap
    cost = g.length / g.free_speed
    width = g.n_links + g.n_nodes
    trees = np.empty((dests.size, width), np.int32)
    build_trees(router._arcs(cost), router._roots(np.arange(dests.size)), trees,
                np.arange(dests.size), first_links=router.first, access=router.access,
                heap=heap)
    flags = access_flags(g, access)
    assert flags is not None
    # the forward search from every origin
    out_start, out_links = csr_out_links(g.n_nodes, g.link_from)
    tf, tt_ = allowed_turns(g, np.zeros(0), np.zeros(0))
    turn_start, order = csr_out_links(g.n_links, tf)
    turn_to = tt_[order].astype(np.int64)
    times = cost[None, :]
    unreached = inside = 0
    for o in range(g.n_nodes):
        arrive = np.empty(2 * g.n_links)
        reach = np.empty(g.n_nodes)
        pred = np.empty(2 * g.n_links + g.n_nodes, np.int32)
        hkey = np.empty(2 * (turn_to.size + g.n_links) + 1)
        hnode = np.empty_like(hkey, dtype=np.int64)
        _td_tree(out_start.astype(np.int64), out_links.astype(np.int64), turn_start, turn_to,
                 g.link_to.astype(np.int64), times, np.zeros_like(times), 1e9, flags, o, 0.0,
                 arrive, reach, pred, hkey, hnode)
        for r, d in enumerate(dests):
            if d == o:
                continue
            a = int(trees[r, g.n_links + o])
            if a < 0:  # no path under the rule: the forward search finds none either
                assert reach[d] == np.inf
                unreached += 1
                continue
            path = [a]
            while trees[r, path[-1]] >= 0:
                path.append(int(trees[r, path[-1]]))
            assert g.link_to[path[-1]] == d
            assert _path_ok(path, access, bool(flags[g.n_links + o]))
            if flags[g.n_links + o]:
                # from inside a yard the tree keeps to the access-only way to a destination
                # it reaches on them alone (no state per vehicle), where the forward search
                # may leave the yard and come back in
                assert cost[path].sum() >= reach[d] * (1 - 1e-12)
                inside += cost[path].sum() > reach[d] * (1 + 1e-12)
            else:
                assert cost[path].sum() == pytest.approx(reach[d], rel=1e-12)
    assert unreached < dests.size * g.n_nodes // 4
    assert inside < dests.size * g.n_nodes // 20
    if not heap:
        heap_trees = np.empty_like(trees)
        build_trees(router._arcs(cost), router._roots(np.arange(dests.size)), heap_trees,
                    np.arange(dests.size), first_links=router.first, access=router.access,
                    heap=True)
        assert (heap_trees == trees).all()


def test_access_only_of_the_wrong_length_is_refused() -> None:
    g, service = _street_with_yard()
    with pytest.raises(ValueError, match="access_only"):
        simulate(g, Demand([0.0], [0], [3]), Settings(end_time=60.0), access_only=service[:-1])
