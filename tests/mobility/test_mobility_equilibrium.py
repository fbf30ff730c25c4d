"""Day-to-day equilibrium (MSA): Wardrop's principle on two routes with a bottleneck, against
the analytical dynamic equilibrium; convergence, reproducibility and valid routes on a grid."""

from __future__ import annotations

import numpy as np
import pytest
from mobility_networks import grid

from simulation.graph import build_road_graph
from simulation.mobility import Demand, Settings, random_demand, two_phase_plan
from simulation.mobility.equilibrium import equilibrate

SPEED = 15.0  # m/s
RATE = 2400.0 / 3600.0  # veh/s departing, one hour
Q_A = 900.0 / 3600.0  # veh/s, the bottleneck of the short route


def two_routes():
    """Origin 0, destination 3. Route A 0-1-3: 1 km with a one-lane bottleneck (900 veh/h) on
    its second link; route B 0-2-3: 3 km of two lanes (3600 veh/h), never congested here."""
    x, y = np.array([0.0, 500.0, 0.0, 1000.0]), np.array([0.0, 0.0, 1000.0, 0.0])
    return build_road_graph(x, y, np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3]),
                            np.array([500.0, 500.0, 1500.0, 1500.0]), np.full(4, SPEED),
                            np.array([1800.0, 900.0, 3600.0, 3600.0]),
                            np.array([1.0, 1.0, 2.0, 2.0]))


@pytest.fixture(scope="module")
def bottleneck():
    g = two_routes()
    n = 2400
    d = Demand(np.arange(n) / RATE, np.zeros(n, np.int32), np.full(n, 3, np.int32))
    settings = Settings(end_time=7200.0, bin_width=60.0)
    return d, equilibrate(g, d, settings, iterations=25, period=60.0, seed=1)


def test_the_routes_share_the_demand_as_the_dynamic_equilibrium_does(bottleneck) -> None:
    # Wardrop: A is used alone until its queue delay equals the free-flow difference
    # delta = (3000 - 1000) / 15 s; from then on A carries its capacity and B the rest
    d, eq = bottleneck
    delta = 2000.0 / SPEED
    t_fill = Q_A * delta / (RATE - Q_A)  # s until the queue on A holds Q_A * delta vehicles
    departures_end = d.departure[-1]
    expected_b = (RATE - Q_A) * (departures_end - t_fill)
    first = eq.demand.route_links[eq.demand.route_start[:-1]]
    on_b = int(np.count_nonzero(first == 2))
    # tolerance: the costs are resolved per departure period of 60 s, one period of demand
    assert abs(on_b - expected_b) <= RATE * 60.0, (on_b, expected_b)


def test_the_last_day_travels_at_the_equilibrium_cost_within_its_gap(bottleneck) -> None:
    # at equilibrium every driver who departs after the queue has formed needs B's free-flow
    # time; the mean can exceed it by no more than the remaining relative gap
    d, eq = bottleneck
    t_b = 3000.0 / SPEED
    late = d.departure > 300.0
    mean = float(np.mean(eq.result.trips.travel_time[late]))
    assert eq.result.trips.n_arrived == d.n_vehicles
    assert abs(mean - t_b) <= eq.relative_gap[-1] * t_b + 1.0, (mean, eq.relative_gap[-1])


def test_the_gap_falls_from_all_or_nothing(bottleneck) -> None:
    _, eq = bottleneck
    gap = eq.relative_gap
    assert eq.iterations == 25
    assert gap[0] > 1.0  # day one: everybody on the short route
    assert gap[-5:].max() < gap[0] / 20.0
    assert eq.switched[0] > 0 and eq.switched[-1] == 0


def test_a_grid_converges_reproducibly_with_valid_routes() -> None:
    g = grid(6, 6, block=150.0, lanes=1.0)
    d = random_demand(g, 4000, 0.0, 1200.0, seed=11)
    settings = Settings(end_time=3000.0, bin_width=60.0)
    plan = two_phase_plan(g)
    a = equilibrate(g, d, settings, plan, iterations=6, period=120.0, seed=3)
    b = equilibrate(g, d, settings, plan, iterations=6, period=120.0, seed=3)
    a.demand.check(g)
    assert np.all(np.diff(a.demand.route_start) > 0)
    assert np.array_equal(a.demand.route_links, b.demand.route_links)
    assert np.array_equal(a.result.trips.travel_time, b.result.trips.travel_time, equal_nan=True)
    assert np.array_equal(a.relative_gap, b.relative_gap)
    assert a.relative_gap[-1] < a.relative_gap[0]
    assert a.result.trips.n_arrived == d.n_vehicles


def test_stop_at_the_gap_and_bad_arguments() -> None:
    g = two_routes()
    d = Demand(np.arange(100.0), np.zeros(100, np.int32), np.full(100, 3, np.int32))
    settings = Settings(end_time=1000.0, bin_width=60.0)
    eq = equilibrate(g, d, settings, iterations=10, gap=0.5)  # uncongested: day one is at it
    assert eq.iterations == 1 and eq.relative_gap[0] <= 0.5
    with pytest.raises(ValueError, match="iterations"):
        equilibrate(g, d, settings, iterations=0)
    with pytest.raises(ValueError, match="period"):
        equilibrate(g, d, settings, period=-5.0)
