"""The daily departure profile, the doubly constrained gravity model and where buildings' trips
start and end."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from twin.mobility import WEEKDAY_PROFILE, departure_times, profile_share, routable_network
from twin.mobility.gravity import draw_pairs, gravity_matrix, node_floor_areas
from twin.model import (
    BUILDING_COLUMNS,
    LINK_COLUMNS,
    NODE_COLUMNS,
    Network,
    Twin,
    conform_buildings,
)


def test_profile_shares() -> None:
    assert len(WEEKDAY_PROFILE) == 24 and sum(WEEKDAY_PROFILE) == pytest.approx(100.0)
    assert profile_share(0.0, 86400.0) == pytest.approx(1.0)
    assert profile_share(7 * 3600.0, 9 * 3600.0) == pytest.approx(0.155)
    assert profile_share(7.5 * 3600.0, 8.5 * 3600.0) == pytest.approx((7.5 + 8.0) / 200.0)
    assert profile_share(23 * 3600.0, 25 * 3600.0) == pytest.approx((1.1 + 0.6) / 100.0)  # past midnight
    with pytest.raises(ValueError, match="start < end"):
        profile_share(10.0, 10.0)


def test_departure_times_follow_the_profile() -> None:
    start, end = 6 * 3600.0, 10 * 3600.0
    times = departure_times(200_000, start, end, np.random.default_rng(5))
    assert np.all(np.diff(times) >= 0) and times.min() >= start and times.max() < end
    counts = np.bincount((times // 3600).astype(int) - 6, minlength=4)
    shares = np.array(WEEKDAY_PROFILE[6:10]) / sum(WEEKDAY_PROFILE[6:10])
    np.testing.assert_allclose(counts / times.size, shares, atol=0.005)
    again = departure_times(200_000, start, end, np.random.default_rng(5))
    np.testing.assert_array_equal(times, again)


def test_gravity_matrix_meets_both_margins_and_prefers_near_pairs() -> None:
    production = np.array([100.0, 300.0, 50.0])
    attraction = np.array([2.0, 1.0, 1.0, 4.0])  # scaled to the production total
    time = np.array([[60.0, 600.0, 300.0, 900.0],
                     [600.0, 60.0, 900.0, 300.0],
                     [300.0, 300.0, np.inf, 60.0]])
    trips = gravity_matrix(production, attraction, time, beta=1 / 300)
    np.testing.assert_allclose(trips.sum(axis=1), production, rtol=1e-5)
    np.testing.assert_allclose(trips.sum(axis=0), attraction * production.sum() / attraction.sum(), rtol=1e-5)
    assert trips[2, 2] == 0.0
    flat = gravity_matrix(production, attraction, np.where(np.isfinite(time), 0.0, np.inf), beta=1 / 300)
    assert trips[0, 0] / trips[0].sum() > flat[0, 0] / flat[0].sum()  # a short trip gains


def test_gravity_matrix_without_reachable_pairs_is_empty() -> None:
    trips = gravity_matrix(np.array([5.0]), np.array([5.0]), np.array([[np.inf]]), beta=0.01)
    assert trips.shape == (1, 1) and trips.sum() == 0.0


def test_gravity_matrix_leaves_out_zones_that_reach_only_empty_ones() -> None:
    """Production zone 1 reaches only attraction zone 2, which attracts nothing; zone 1 and
    zone 2 get no trips and nothing turns NaN."""
    production = np.array([10.0, 10.0])
    attraction = np.array([4.0, 6.0, 0.0])
    time = np.array([[60.0, 120.0, np.inf], [np.inf, np.inf, 60.0]])
    trips = gravity_matrix(production, attraction, time, beta=1 / 600)
    assert np.isfinite(trips).all()
    np.testing.assert_allclose(trips.sum(axis=1), [10.0, 0.0], rtol=1e-6)
    assert trips[:, 2].sum() == 0.0


def test_drawn_pairs_follow_the_matrix() -> None:
    trips = np.array([[0.0, 1.0, 3.0], [6.0, 0.0, 0.0]])
    pairs = draw_pairs(trips, 100_000, np.random.default_rng(3))
    counts = np.bincount(pairs, minlength=trips.size)
    assert counts[trips.ravel() == 0].sum() == 0
    expected = trips.ravel() / trips.sum() * pairs.size
    nonzero = expected > 0
    # within 4 standard deviations of the multinomial counts
    sd = np.sqrt(expected * (1 - trips.ravel() / trips.sum()))
    assert (np.abs(counts - expected)[nonzero] < 4 * sd[nonzero]).all()
    assert np.any(np.diff(pairs) < 0)  # in random order, not sorted
    np.testing.assert_array_equal(pairs, draw_pairs(trips, 100_000, np.random.default_rng(3)))


def test_a_building_sends_its_trips_from_the_street_it_fronts() -> None:
    """A triangle of two-way streets P(0, 0) - Q(400, 0) - R(200, 60); a house at (200, 12) is
    12 m from street P-Q and 48 m from junction R: its trips start at an end of P-Q (P or Q),
    not at the nearer junction R, and its destinations' at the other end."""
    crs = CRS.from_epsg(3067)
    points = {"P": (0.0, 0.0), "Q": (400.0, 0.0), "R": (200.0, 60.0)}
    nodes = gpd.GeoDataFrame(pd.DataFrame({"id": list(points), "control": "none"}).astype(NODE_COLUMNS),
                             geometry=shapely.points(list(points.values())), crs=crs)
    pairs = [(a, b) for a in points for b in points if a != b]
    links = pd.DataFrame({
        "id": [f"{a}{b}" for a, b in pairs], "from_node": [a for a, _ in pairs],
        "to_node": [b for _, b in pairs],
        "length": [float(np.hypot(*np.subtract(points[b], points[a]))) for a, b in pairs],
        "lanes": 1, "free_speed": 13.9, "capacity": 900.0, "road_class": "residential",
        "name": None}).astype(LINK_COLUMNS)
    network = Network(nodes=nodes, links=gpd.GeoDataFrame(
        links, geometry=shapely.linestrings([[points[a], points[b]] for a, b in pairs]), crs=crs))
    house = gpd.GeoDataFrame(pd.DataFrame({"id": ["h"], "use": ["unknown"], "height": [6.0],
                                           "floors": [2], "footprint_area": [100.0]}),
                             geometry=[shapely.box(195.0, 7.0, 205.0, 17.0)], crs=crs)
    twin = Twin(name="triangle", crs=crs, buildings=conform_buildings(house), network=network)
    assert set(BUILDING_COLUMNS) <= set(twin.buildings.columns)
    net = routable_network(twin)
    homes = node_floor_areas(net, twin.buildings, ("unknown",), end="from")
    jobs = node_floor_areas(net, twin.buildings, ("unknown",), end="to")
    ids = net.node_ids
    assert homes.sum() == jobs.sum() == 200.0
    start, end = ids[homes > 0], ids[jobs > 0]
    assert len(start) == len(end) == 1 and {start[0], end[0]} == {"P", "Q"}
