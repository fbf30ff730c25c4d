"""Horizon profiles, beam shading and sky-view factors from a DSM: analytic cases (flat ground,
a long wall, a street canyon), a brute-force reference on a random city block, orientation
of the transform, and the tie-in with ``solar_gains.surface_solar``."""

from __future__ import annotations

import numpy as np
import pytest
from horizon_reference import horizon_deg

from simulation.energy import Site, Sun, Weather, surface_solar
from simulation.energy.horizon import (
    DsmGrid,
    beam_sunlit,
    facade_points,
    horizon_profiles,
    roof_points,
    sky_view_factor,
    sky_view_ratio,
)

CELL = 0.5


def _grid(z: np.ndarray, north_up: bool = True) -> DsmGrid:
    """Grid with its lower-left corner at (0, 0)."""
    n_rows = z.shape[0]
    if north_up:
        return DsmGrid.from_array(z, (CELL, 0.0, 0.0, 0.0, -CELL, n_rows * CELL))
    return DsmGrid.from_array(z[::-1], (CELL, 0.0, 0.0, 0.0, CELL, 0.0))


def _y_of_rows(n_rows: int) -> np.ndarray:
    return n_rows * CELL - (np.arange(n_rows) + 0.5) * CELL  # cell-centre y of north-up rows


def test_flat_dsm_has_no_horizon_and_full_sky() -> None:
    g = _grid(np.full((80, 90), 3.0))
    x, y, z = roof_points(g, [10.1, 30.3], [12.2, 20.0])
    assert np.allclose(z, 3.2)
    h = horizon_profiles(g, x, y, z, 72)
    assert h.shape == (2, 72) and np.all(h == 0.0)
    flat = np.zeros((4, 72))
    svf = sky_view_factor(flat, [0.0, 90.0, 30.0, 90.0], [180.0, 180.0, 200.0, 45.0])
    np.testing.assert_allclose(svf, [1.0, 0.5, 0.5 * (1 + np.cos(np.radians(30))), 0.5],
                               atol=1e-5)
    np.testing.assert_allclose(sky_view_ratio(flat, [0.0, 90.0, 30.0, 90.0], 0.0), 1.0, atol=1e-5)


def test_long_wall_gives_atan_h_over_d() -> None:
    """A 12 m wall spanning the grid, its south face at distance D north of the point."""
    n = 400
    z = np.zeros((n, n))
    y = _y_of_rows(n)
    wall_face, height = 110.0, 12.0
    z[(y > wall_face) & (y < wall_face + 1.0), :] = height
    g = _grid(z)
    px, py = 100.25, 100.25
    h = horizon_profiles(g, [px], [py], [0.0], 72)[0]
    d = wall_face - py
    assert h[0] == pytest.approx(np.degrees(np.arctan(height / d)), abs=1e-9)
    phi = np.radians(np.arange(72) * 5.0)
    # oblique rays meet the wall at D / cos(phi) as long as they reach it inside the grid
    reach = (np.cos(phi) > 0) & (np.abs(d * np.tan(phi)) < min(px, n * CELL - px))
    expect = np.degrees(np.arctan(height * np.cos(phi) / d))
    np.testing.assert_allclose(h[reach], expect[reach], atol=1e-9)
    assert np.all(h[np.cos(phi) <= 0] == 0.0)
    # a point above the wall sees nothing of it
    assert np.all(horizon_profiles(g, [px], [py], [height + 0.1], 72) == 0.0)
    # max_distance shorter than the wall's distance: no horizon
    assert np.all(horizon_profiles(g, [px], [py], [0.0], 72, max_distance=d - 0.5) == 0.0)


def _canyon(width=20.0, height=15.0, length=1000.0):
    """N-S street canyon of ``width`` between two 10 m deep rows of ``height`` m buildings."""
    n_cols = int((2 * 10.0 + width) / CELL)
    n_rows = int(length / CELL)
    z = np.zeros((n_rows, n_cols))
    x = (np.arange(n_cols) + 0.5) * CELL
    z[:, (x < 10.0) | (x > 10.0 + width)] = height
    return _grid(z), 10.0, 10.0 + width


def test_street_canyon_floor_and_facade() -> None:
    width, height = 20.0, 15.0
    g, west, east = _canyon(width, height)
    px, py = 20.25, 500.25
    h = horizon_profiles(g, [px], [py], [0.0], 72)[0]
    phi = np.radians(np.arange(72) * 5.0)
    s = np.sin(phi)
    with np.errstate(divide="ignore"):
        dist = np.where(s > 0, (east - px) / s, (px - west) / -s)
    hits = np.abs(s) > 0.05  # rays that reach a wall within the 1 km canyon
    np.testing.assert_allclose(h[hits], np.degrees(np.arctan(height / dist[hits])), atol=1e-9)
    assert h[0] == 0.0 and h[36] == 0.0  # along the street: open to the grid's edge
    # canyon floor: Oke (1981) cos(atan(2H/W)) for the infinite canyon
    svf = sky_view_factor(h[None, :], 0.0, 0.0)[0]
    assert svf == pytest.approx(np.cos(np.arctan(2 * height / width)), abs=0.01)
    # the west row's facade at mid-height, facing east (walked northward: building on the left)
    fx, fy, fz, faz = facade_points([west], [400.0], [west], [600.0], [0.0], [height])
    assert (fx[0], fy[0], fz[0], faz[0]) == (west + 0.5, 500.0, height / 2, 90.0)
    hf = horizon_profiles(g, fx, fy, fz, 72)[0]
    front = s > 0.05
    expect = np.degrees(np.arctan((height - fz[0]) * s / (east - fx[0])))
    np.testing.assert_allclose(hf[front], expect[front], atol=1e-9)
    # its sky view against the same integral over the analytic (infinite canyon) horizon
    fine = np.linspace(0.0, np.pi, 20001)[1:-1]
    h_an = np.arctan((height - fz[0]) * np.sin(fine) / (east - fx[0]))
    integrand = np.sin(fine) * (np.pi / 4 - h_an / 2 - np.sin(2 * h_an) / 4)
    svf_an = np.trapezoid(integrand, fine) / np.pi
    assert sky_view_factor(hf[None, :], 90.0, 90.0)[0] == pytest.approx(svf_an, abs=0.005)
    assert svf_an < 0.5


def _random_block(seed: int):
    rng = np.random.default_rng(seed)
    z = rng.uniform(0.0, 0.3, (44, 52))
    for _ in range(14):
        r, c = rng.integers(0, 40), rng.integers(0, 48)
        z[r:r + rng.integers(2, 12), c:c + rng.integers(2, 12)] = rng.uniform(3.0, 25.0)
    z[rng.integers(0, 44, 30), rng.integers(0, 52, 30)] = np.nan  # no data never blocks
    return z, rng


def test_matches_brute_force_reference() -> None:
    z, rng = _random_block(7)
    g = _grid(z)
    n = 40
    x = rng.uniform(0.3, 52 * CELL - 0.3, n)
    y = rng.uniform(0.3, 44 * CELL - 0.3, n)
    zp = np.where(np.arange(n) % 2 == 0, np.nan_to_num(g.sample(x, y)) + 0.2,
                  rng.uniform(0.0, 20.0, n))
    ours = horizon_profiles(g, x, y, zp, 36)
    ref = horizon_deg(z, (CELL, 0.0, 0.0, 0.0, -CELL, 44 * CELL), x, y, zp, 36)
    np.testing.assert_allclose(ours, ref, atol=1e-4)  # DSM held as float32
    assert ours.max() > 30.0 and (ours == 0.0).mean() < 0.9  # a non-trivial case


def test_transform_orientation_does_not_matter() -> None:
    z, rng = _random_block(11)
    x = rng.uniform(1.0, 25.0, 12)
    y = rng.uniform(1.0, 21.0, 12)
    zp = rng.uniform(0.0, 15.0, 12)
    a = horizon_profiles(_grid(z, north_up=True), x, y, zp, 72)
    b = horizon_profiles(_grid(z, north_up=False), x, y, zp, 72)
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_beam_sunlit_against_horizon() -> None:
    h = np.zeros((2, 72))
    h[0, 0] = 45.0  # a 45 deg obstacle due north, in the bin 357.5..2.5 deg
    zen = np.array([50.0, 40.0, 40.0, 40.0, 95.0])
    az = np.array([1.0, 359.0, 3.0, 180.0, 180.0])
    lit = beam_sunlit(h, zen, az)
    assert lit.dtype == bool and lit.shape == (2, 5)
    assert lit[0].tolist() == [False, True, True, True, False]
    assert lit[1].tolist() == [True, True, True, True, False]
    samples = beam_sunlit(h, np.stack([zen, zen]), np.stack([az, az]))
    assert samples.shape == (2, 2, 5) and np.array_equal(samples[1], lit)


def test_surface_solar_with_horizon_shading() -> None:
    """Flat surroundings change nothing; a canyon cuts beam (by sunlit hours) and sky diffuse."""
    hours = np.arange(24.0)
    zen = np.clip(np.abs(hours - 12.0) * 12.0, 0.0, 100.0)
    az = np.mod(180.0 + (hours - 12.0) * 15.0, 360.0)
    ghi = np.where(zen < 90, 800.0 * np.cos(np.radians(zen)), 0.0)
    dni = np.where(zen < 90, 700.0, 0.0)
    dhi = np.where(zen < 90, 100.0, 0.0)
    ext = np.full(24, 1367.0)
    weather = Weather(3600.0 * (hours + 1.0), 10.0, 0.0, ghi, dni, dhi, Site(52.0, 4.4))
    sun = Sun(zen[None], az[None], ext)
    tilt, azim = [0.0, 90.0], [180.0, 90.0]
    free = surface_solar(tilt, azim, weather, sun)
    flat = np.zeros((2, 72))
    same = surface_solar(tilt, azim, weather, sun, beam_sunlit=beam_sunlit(flat, zen, az),
                         sky_view_ratio=sky_view_ratio(flat, tilt, azim))
    np.testing.assert_allclose(same.incident, free.incident, rtol=1e-4)
    g, west, _ = _canyon()
    h = horizon_profiles(g, [20.25, west + 0.5], [500.25, 500.0], [0.0, 7.5], 72)
    shaded = surface_solar(tilt, azim, weather, sun, beam_sunlit=beam_sunlit(h, zen, az),
                           sky_view_ratio=sky_view_ratio(h, tilt, azim))
    assert np.all(shaded.incident <= free.incident + 1e-9)
    assert shaded.incident.sum() < 0.8 * free.incident.sum()


def test_facade_points_orientation_and_errors() -> None:
    # counter-clockwise square: S, E, N, W walls
    xs = np.array([0.0, 10.0, 10.0, 0.0, 0.0])
    ys = np.array([0.0, 0.0, 10.0, 10.0, 0.0])
    x, y, z, az = facade_points(xs[:-1], ys[:-1], xs[1:], ys[1:], 2.0, 6.0, offset=0.5)
    np.testing.assert_allclose(az, [180.0, 90.0, 0.0, 270.0])
    np.testing.assert_allclose(x, [5.0, 10.5, 5.0, -0.5])
    np.testing.assert_allclose(y, [-0.5, 5.0, 10.5, 5.0])
    np.testing.assert_allclose(z, 5.0)
    with pytest.raises(ValueError, match="positive length"):
        facade_points([0.0], [0.0], [0.0], [0.0], 0.0, 3.0)
    with pytest.raises(ValueError, match="square cells"):
        DsmGrid.from_array(np.zeros((3, 3)), (1.0, 0.0, 0.0, 0.0, -2.0, 0.0))
    with pytest.raises(ValueError, match="outside the DSM"):
        roof_points(_grid(np.zeros((4, 4))), [100.0], [1.0])
    with pytest.raises(ValueError, match="outside the DSM grid"):
        horizon_profiles(_grid(np.zeros((4, 4))), [1.0, 2.1], [1.0, -0.1], [0.0, 0.0])
    with pytest.raises(ValueError, match="tilt"):
        sky_view_factor(np.zeros((1, 8)), 120.0, 0.0)
