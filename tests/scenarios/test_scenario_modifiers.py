"""Demand modifiers on a trip table over the Helsinki sample's nodes; the period's local clock."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from twin.mobility import demand_frame
from twin.model import Twin
from twin.scenarios import DemandAddition, DemandModifiers, DemandScale, Period

N = 2000


@pytest.fixture(scope="module")
def trips(helsinki: Twin) -> pd.DataFrame:
    """N trips between random nodes departing uniformly 07:00-10:00."""
    rng = np.random.default_rng(0)
    ids = helsinki.network.nodes["id"].to_numpy()
    return demand_frame(rng.uniform(7 * 3600, 10 * 3600, N), rng.choice(ids, N), rng.choice(ids, N))


@pytest.fixture(scope="module")
def west(helsinki: Twin) -> shapely.Geometry:
    xmin, ymin, xmax, ymax = helsinki.extent()
    return shapely.box(xmin, ymin, (xmin + xmax) / 2, ymax)


def test_scale_all(trips: pd.DataFrame, helsinki: Twin) -> None:
    nodes = helsinki.network.nodes
    doubled = DemandModifiers((DemandScale(2.0),)).apply(trips, nodes, seed=1)
    assert len(doubled) == 2 * N
    assert doubled["departure"].is_monotonic_increasing
    fewer = DemandModifiers((DemandScale(0.7),)).apply(trips, nodes, seed=1)
    assert abs(len(fewer) - 0.7 * N) < 4 * np.sqrt(N * 0.21)
    again = DemandModifiers((DemandScale(0.7),)).apply(trips, nodes, seed=1)
    pd.testing.assert_frame_equal(fewer, again)
    assert len(DemandModifiers((DemandScale(0.0),)).apply(trips, nodes, seed=1)) == 0


def test_scale_a_window_and_an_origin_area(
    trips: pd.DataFrame, helsinki: Twin, west: shapely.Geometry
) -> None:
    nodes = helsinki.network.nodes
    window = (8 * 3600.0, 9 * 3600.0)
    out = DemandModifiers((DemandScale(0.0, window=window),)).apply(trips, nodes, seed=1)
    in_window = trips["departure"].between(*window, inclusive="left")
    assert len(out) == N - in_window.sum()
    assert not out["departure"].between(*window, inclusive="left").any()
    xy = nodes.set_index("id").geometry
    starts_west = shapely.contains_xy(
        west, xy.loc[trips["origin"]].x.to_numpy(), xy.loc[trips["origin"]].y.to_numpy()
    )
    out = DemandModifiers((DemandScale(0.0, origin=west),)).apply(trips, nodes, seed=1)
    assert len(out) == N - starts_west.sum() and 0 < starts_west.sum() < N


def test_add_trips_between_areas(
    trips: pd.DataFrame, helsinki: Twin, west: shapely.Geometry
) -> None:
    nodes = helsinki.network.nodes
    east = shapely.box(*shapely.bounds(west)[[2, 1]], *helsinki.extent()[2:])
    step = DemandAddition(300, (7 * 3600.0, 7.5 * 3600.0), origin=west, destination=east)
    out = DemandModifiers((step,)).apply(trips, nodes, seed=2)
    assert len(out) == N + 300
    added = out.merge(trips, how="left", indicator=True).query("_merge == 'left_only'")
    assert len(added) == 300
    assert added["departure"].between(7 * 3600, 7.5 * 3600).all()
    xy = nodes.set_index("id").geometry
    assert shapely.contains_xy(west, xy.loc[added["origin"]].x, xy.loc[added["origin"]].y).all()
    assert shapely.contains_xy(
        east, xy.loc[added["destination"]].x, xy.loc[added["destination"]].y
    ).all()
    assert (added["origin"] != added["destination"]).all()


def test_steps_run_in_order(trips: pd.DataFrame, helsinki: Twin, west: shapely.Geometry) -> None:
    add = DemandAddition(100, (7 * 3600.0, 8 * 3600.0), origin=west, destination=west)
    assert len(
        DemandModifiers((add, DemandScale(2.0))).apply(trips, helsinki.network.nodes, 0)
    ) == 2 * (N + 100)
    assert (
        len(DemandModifiers((DemandScale(2.0), add)).apply(trips, helsinki.network.nodes, 0))
        == 2 * N + 100
    )


def test_then_keeps_order_and_the_last_ev_share() -> None:
    a = DemandModifiers((DemandScale(0.9),), ev_share=0.2)
    b = DemandModifiers((DemandScale(1.1),))
    c = DemandModifiers(ev_share=0.5)
    combined = a.then(b).then(c)
    assert [s.factor for s in combined.steps] == [0.9, 1.1]
    assert combined.ev_share == 0.5 and a.then(b).ev_share == 0.2


def test_period_local_window() -> None:
    utc = dt.UTC
    winter = Period(
        dt.datetime(2025, 3, 11, 5, tzinfo=utc),
        dt.datetime(2025, 3, 11, 8, tzinfo=utc),
        timezone="Europe/Helsinki",
    )
    assert winter.local_window() == (7 * 3600.0, 10 * 3600.0)
    summer = Period(
        dt.datetime(2025, 6, 10, 22, tzinfo=utc),
        dt.datetime(2025, 6, 11, 1, tzinfo=utc),
        timezone="Europe/Helsinki",
    )
    assert summer.local_window() == (1 * 3600.0, 4 * 3600.0)
    assert Period(
        dt.datetime(2025, 1, 1, 6, tzinfo=utc), dt.datetime(2025, 1, 2, 6, tzinfo=utc)
    ).local_window() == (6 * 3600.0, 30 * 3600.0)
