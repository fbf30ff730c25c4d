"""Whole runs: conservation of vehicles, reproducibility, positions, input validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mobility_networks import corridor, grid

from simulation.mobility import (
    CapacityEvents,
    Demand,
    Settings,
    demand_from_od,
    random_demand,
    shortest_path_trees,
    simulate,
    two_phase_plan,
)


def _busy_run(seed: int = 3, threads: int = 2, share: float = 0.5):
    g = grid(6, 6, block=150.0, lanes=1.0)
    d = random_demand(g, 5000, 0.0, 1200.0, seed=11)
    events = CapacityEvents(time=[400.0, 900.0], link=[10, 10], capacity=[0.0, 1800.0])
    settings = Settings(end_time=1300.0, bin_width=60.0, reroute_interval=120.0,
                        reroute_share=share, sample_interval=30.0, seed=seed, threads=threads)
    return g, d, simulate(g, d, settings, two_phase_plan(g), events=events)


@pytest.fixture(scope="module")
def busy():
    return _busy_run()


def test_every_departed_vehicle_arrives_or_is_reported_stuck(busy) -> None:
    _, d, r = busy
    tr, net = r.trips, r.network
    status = tr.status
    assert set(np.unique(status)) <= {0, 1, 2, 3, 4}
    departed = np.isin(status, [1, 2, 3])
    assert net.departed[-1] == departed.sum()
    assert net.arrived[-1] == tr.n_arrived == np.isfinite(tr.arrival).sum()
    assert tr.n_stuck == departed.sum() - tr.n_arrived > 0  # the run ends congested
    assert np.all(np.isnan(tr.travel_time[~(status == 3)]))
    # at every step: departed = arrived + waiting to enter + on links (counted on the links)
    assert np.array_equal(net.departed, net.arrived + net.waiting + net.on_links)
    # departures follow the demand: by the end of each step, every trip departing before it
    released = np.searchsorted(np.sort(d.departure), net.time, side="left")
    assert np.array_equal(net.departed, released)
    # per link: vehicles in - vehicles out = vehicles left on the link at the end
    lk = r.links
    inside = ((lk.inflow - lk.outflow) * lk.bin_width / 3600.0).sum(axis=0)
    assert np.isclose(inside.sum(), net.on_links[-1])
    assert np.all(inside > -1e-9)


def test_no_vehicle_is_duplicated_or_faster_than_free_flow(busy) -> None:
    g, d, r = busy
    p = r.positions
    for t in np.unique(p.time):
        at = p.vehicle[p.time == t]
        assert np.unique(at).size == at.size
        k = round(t) - 1
        assert at.size == r.network.on_links[k]
    assert np.all((p.fraction >= 0.0) & (p.fraction <= 1.0))
    free = g.length / g.free_speed
    dist, _ = shortest_path_trees(g, free, np.arange(g.n_nodes))
    ok = r.trips.status == 3
    fastest = dist[d.origin[ok], d.destination[ok]]
    assert np.all(r.trips.travel_time[ok] >= fastest - 1e-6)
    manhattan = (np.abs(g.node_x[d.origin] - g.node_x[d.destination])
                 + np.abs(g.node_y[d.origin] - g.node_y[d.destination]))
    assert np.all(r.trips.distance[ok] >= manhattan[ok] - 1e-6)


def test_same_inputs_give_identical_outputs_for_any_thread_count(busy) -> None:
    _, _, first = busy
    _, _, again = _busy_run()
    _, _, serial = _busy_run(threads=1)
    for other in (again, serial):
        for part in ("links", "trips", "network", "positions"):
            a, b = getattr(first, part), getattr(other, part)
            for f in dataclasses.fields(a):
                x, y = getattr(a, f.name), getattr(b, f.name)
                assert np.array_equal(x, y, equal_nan=True), (part, f.name)
    _, _, other_seed = _busy_run(seed=4)
    assert not np.array_equal(first.trips.arrival, other_seed.trips.arrival, equal_nan=True)


def test_positions_follow_a_lone_vehicle_and_give_coordinates() -> None:
    g = corridor([400.0, 400.0], [1, 1])
    r = simulate(g, Demand([5.0], [0], [2]), Settings(end_time=200.0, sample_interval=10.0))
    p = r.positions
    v = g.free_speed[0]
    expected_x = (p.time - 5.0) * v
    x, y = p.xy(g)
    assert np.allclose(x, expected_x, atol=1e-3)
    assert np.allclose(y, 0.0)
    assert np.all(p.link == (expected_x >= 400.0).astype(int))


def test_zero_length_and_unroutable_trips() -> None:
    # a one-way corridor: node 2 cannot reach node 0
    g = corridor([300.0, 300.0], [1, 1])
    d = Demand([0.0, 10.0, 20.0], [1, 2, 0], [1, 0, 2])
    r = simulate(g, d, Settings(end_time=300.0))
    assert list(r.trips.status) == [3, 4, 3]
    assert r.trips.travel_time[0] == 0.0
    assert np.isnan(r.trips.arrival[1])
    assert r.trips.n_unroutable == 1 and r.trips.n_stuck == 0


def test_given_routes_are_followed() -> None:
    g = grid(3, 3)
    # node 0 -> 1 -> 4 -> 5 instead of a shortest alternative of equal length
    links = []
    for a, b in [(0, 1), (1, 4), (4, 5)]:
        links.append(int(np.nonzero((g.link_from == a) & (g.link_to == b))[0][0]))
    d = Demand([0.0], [0], [5], route_start=[0, 3], route_links=links)
    r = simulate(g, d, Settings(end_time=300.0, sample_interval=1.0))
    assert list(np.unique(r.positions.link)) == sorted(links)


def test_od_matrix_demand_is_seeded() -> None:
    od = np.array([[0.0, 10.4], [3.0, 0.0]])
    a = demand_from_od(od, np.array([0, 5]), 0.0, 3600.0, seed=1)
    b = demand_from_od(od, np.array([0, 5]), 0.0, 3600.0, seed=1)
    assert np.array_equal(a.departure, b.departure) and a.n_vehicles in (13, 14)
    assert np.all(np.diff(a.departure) >= 0)
    assert np.count_nonzero(a.origin == 5) == 3


@pytest.mark.parametrize("kwargs,field", [
    ({"bin_width": 90.5}, "bin_width"), ({"dt": 0.0}, "dt"), ({"reroute_share": 1.5}, "reroute_share"),
    ({"sample_interval": 2.5, "dt": 2.0}, "sample_interval"),
])
def test_settings_name_the_bad_field(kwargs, field) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**kwargs)


def test_bad_inputs_are_rejected_with_the_field_named() -> None:
    g = corridor([300.0, 300.0], [1, 1])
    with pytest.raises(ValueError, match="origin"):
        simulate(g, Demand([0.0], [7], [1]))
    with pytest.raises(ValueError, match="route_links"):
        simulate(g, Demand([0.0], [0], [2], route_start=[0, 1], route_links=[1]))
    with pytest.raises(ValueError, match="departure"):
        Demand([np.nan], [0], [1])
    fast = corridor([300.0], [1], cap_per_lane=3000.0, speed=5.0)  # needs q / v < k_jam
    with pytest.raises(ValueError, match="capacity"):
        simulate(fast, Demand([0.0], [0], [1]))


def _two_parts():
    """A signalised 3x3 grid (nodes 0-8) and, apart from it, one long slow link 9 -> 10."""
    from simulation.graph import build_road_graph

    g = grid(3, 3)
    x = np.concatenate([g.node_x, [5000.0, 15000.0]])
    y = np.concatenate([g.node_y, [5000.0, 5000.0]])
    return build_road_graph(
        x, y, np.append(g.link_from, 9), np.append(g.link_to, 10),
        np.append(g.length, 10000.0), np.append(g.free_speed, 1.0),
        np.append(g.capacity, 300.0), np.append(g.lanes, 1.0))


def test_an_empty_network_is_skipped_exactly() -> None:
    # trips before and after a long empty spell; a run where a slow vehicle on a separate link
    # keeps the network busy throughout (no skipping) gives the same trips, to the bit
    g = _two_parts()
    plan = two_phase_plan(g, cycle=60.0, lost_time=4.0, offset=7.0)
    dep = np.array([0.0, 3.0, 5003.7, 5010.0, 9000.0])
    org = np.array([0, 8, 2, 6, 0], np.int32)
    dst = np.array([8, 0, 6, 2, 4], np.int32)
    settings = Settings(end_time=12000.0, bin_width=60.0, sample_interval=10.0)
    quiet = simulate(g, Demand(dep, org, dst), settings, plan)
    busy = simulate(g, Demand(np.append(dep, 1.0), np.append(org, 9).astype(np.int32),
                              np.append(dst, 10).astype(np.int32)), settings, plan)
    assert quiet.trips.n_arrived == 5 and busy.trips.n_arrived == 6
    for f in ("arrival", "travel_time", "distance", "status"):
        assert np.array_equal(getattr(quiet.trips, f), getattr(busy.trips, f)[:5])
    grid_links = slice(0, g.n_links - 1)
    n_bins = quiet.links.outflow.shape[0]
    assert np.array_equal(quiet.links.outflow[:, grid_links], busy.links.outflow[:n_bins, grid_links])
    assert np.array_equal(quiet.links.density[:, grid_links], busy.links.density[:n_bins, grid_links])


def test_results_do_not_depend_on_how_nodes_are_split_between_threads(monkeypatch) -> None:
    from simulation.mobility import run

    _g, _d, first = _busy_run(threads=2)
    rng = np.random.default_rng(0)

    def random_blocks(st, threads, steps):
        cuts = np.sort(rng.integers(0, st.NS.shape[1], 3))
        return np.concatenate([[0], cuts, [st.NS.shape[1] - 1]]).astype(np.int64)

    monkeypatch.setattr(run, "node_blocks", random_blocks)
    _, _, split = _busy_run(threads=2)
    for part in ("links", "trips", "network", "positions"):
        a, b = getattr(first, part), getattr(split, part)
        for f in dataclasses.fields(a):
            assert np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True), (part, f.name)


def test_chunked_steps_with_the_thread_count_chosen_during_the_run_change_nothing() -> None:
    g = grid(24, 24, block=150.0, lanes=1.0)  # over PARALLEL_MIN_LINKS: threads are chosen
    d = random_demand(g, 6000, 0.0, 900.0, seed=5)
    base = {"end_time": 1500.0, "bin_width": 60.0, "reroute_interval": 600.0, "sample_interval": 60.0}
    auto = simulate(g, d, Settings(**base), two_phase_plan(g))
    fixed = simulate(g, d, Settings(**base, threads=1), two_phase_plan(g))
    for part in ("links", "trips", "network", "positions"):
        a, b = getattr(auto, part), getattr(fixed, part)
        for f in dataclasses.fields(a):
            assert np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True), (part, f.name)


def test_the_thread_choice_keeps_the_faster_and_looks_at_the_other_again() -> None:
    from simulation.mobility.run import ThreadChoice

    choice = ThreadChoice(2)
    assert choice.next() == 2
    choice.record(1.0, 100.0)  # 0.01 s per unit on two threads
    assert choice.next() == 1
    choice.record(0.5, 100.0)  # 0.005 s per unit on one: faster
    picks = [choice.next() for _ in range(2, 40)]
    assert picks.count(2) == sum(1 for c in range(2, 40) if c % ThreadChoice.RETRY_CHUNKS == 0)
    assert picks[0] == 1


def test_the_thread_choice_looks_less_often_at_an_option_that_keeps_losing() -> None:
    from simulation.mobility.run import ThreadChoice

    choice = ThreadChoice(2)
    looks = []
    for c in range(400):
        threads = choice.next()
        if c >= 2 and threads == 2:
            looks.append(c)
        choice.record(2.0 if threads == 2 else 1.0, 100.0)  # two threads always the slower
    gaps = np.diff(looks)
    assert looks[0] == ThreadChoice.RETRY_CHUNKS
    assert list(gaps[:3]) == [2 * ThreadChoice.RETRY_CHUNKS, 4 * ThreadChoice.RETRY_CHUNKS,
                              8 * ThreadChoice.RETRY_CHUNKS]
    assert gaps.max() == ThreadChoice.MAX_RETRY_CHUNKS
    # when the chosen option becomes the slower, the run moves to the other at once
    choice = ThreadChoice(2)
    picks = []
    for c in range(100):
        threads = choice.next()
        picks.append(threads)
        fast = 1 if c < 20 else 2  # the machine's other work ends at chunk 20
        choice.record(1.0 if threads == fast else 2.0, 100.0)
    assert picks[2:20].count(1) >= 17 and picks[21:].count(1) <= 3
