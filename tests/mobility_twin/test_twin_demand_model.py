"""The daily departure profile and the doubly constrained gravity model."""

from __future__ import annotations

import numpy as np
import pytest

from twin.mobility import WEEKDAY_PROFILE, departure_times, profile_share
from twin.mobility.gravity import gravity_matrix


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
