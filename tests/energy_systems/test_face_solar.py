"""Roof faces: PV yield per face against pvlib's ModelChain (unshaded), horizons from edges
against the analytic skyline of walls, and the shaded irradiation of a face behind a taller
neighbour against the analytic case."""

from __future__ import annotations

import numpy as np
import pytest
from pvlib_reference import modelchain_pvwatts

from simulation.energy import PVSystems, edge_horizons, face_solar, pv_annual, sky_view_ratio
from simulation.energy.irradiance import plane_irradiance

pytestmark = pytest.mark.filterwarnings("ignore:DatetimeIndex.dayofyear is deprecated")

# (tilt, azimuth) of roof faces: the two sides of a gable N/S and E/W, a steep SW face
FACES = [(35.0, 180.0), (35.0, 0.0), (25.0, 90.0), (25.0, 270.0), (50.0, 225.0)]


def test_unshaded_faces_match_pvlib_modelchain(tmy) -> None:
    tilt, azimuth = np.array(FACES).T
    n = len(FACES)
    systems = PVSystems(pdc0=np.full(n, 8000.0), tilt=tilt, azimuth=azimuth)
    points = 4  # several sample points per face, none shaded
    out = face_solar(tilt, azimuth, systems, np.zeros((n * points, 72)),
                     np.arange(n + 1) * points, tmy.energy)
    for i, (t, a) in enumerate(FACES):
        ac_w, poa_w = modelchain_pvwatts(tmy, t, a, 8000.0)
        ac, poa = ac_w.sum() / 1000.0, poa_w.sum() / 1000.0
        assert out.ac_kwh[i] == pytest.approx(ac, rel=0.01), (tmy.name, t, a)  # the 1 %
        assert out.irradiation_kwh_m2[i] == pytest.approx(poa, rel=0.01), (tmy.name, t, a)
    # a flat horizon only takes the beam of the hours whose mid-point sun is below it
    assert np.all((out.sunlit_share > 0.99) & (out.sunlit_share <= 1.0))


def test_one_point_per_face_is_the_fused_city_chain(tmy) -> None:
    rng = np.random.default_rng(3)
    n = 40
    tilt, azimuth = rng.uniform(0.0, 60.0, n), rng.uniform(0.0, 360.0, n)
    systems = PVSystems(pdc0=rng.uniform(1e3, 1e4, n), tilt=tilt, azimuth=azimuth)
    horizon = rng.uniform(0.0, 40.0, (n, 72))
    faces = face_solar(tilt, azimuth, systems, horizon, np.arange(n + 1), tmy.energy,
                       group_start=[0, 10, 10, 25, n], hourly=True)
    city = pv_annual(systems, tmy.energy, horizon)
    np.testing.assert_allclose(faces.ac_kwh, city.ac_kwh, rtol=1e-10)
    np.testing.assert_allclose(faces.dc_kwh, city.dc_kwh, rtol=1e-10)
    assert faces.hourly_ac_w is not None
    np.testing.assert_allclose(faces.hourly_ac_w.sum(axis=0), city.hourly_ac_w, rtol=1e-10)
    np.testing.assert_allclose(faces.hourly_ac_w[1], 0.0)
    np.testing.assert_allclose(faces.hourly_ac_w[0].sum() / 1000.0, city.ac_kwh[:10].sum(),
                               rtol=1e-10)


def test_wall_horizon_is_the_analytic_skyline() -> None:
    # a 2 km long wall 10 m south of the point, 6 m above it: atan(6 cos(phi - 180) / 10)
    d, h = 10.0, 6.0
    edges = [[-1000.0, -d, h, 1000.0, -d, h]]
    out = edge_horizons([[0.0, 0.0, 0.0]], [0], edges, [-1], n_azimuth=72, max_distance=5000.0,
                        cell=50.0)[0]
    phi = np.radians(np.arange(72) * 5.0)
    south = np.cos(phi - np.pi) > np.cos(np.radians(88.0))
    expected = np.degrees(np.arctan(h * np.cos(phi - np.pi) / d))
    np.testing.assert_allclose(out[south], expected[south], rtol=1e-12)
    np.testing.assert_array_equal(out[np.cos(phi - np.pi) < 0.0], 0.0)
    # the point's own face never shades it; beyond max_distance nothing does
    assert not edge_horizons([[0.0, 0.0, 0.0]], [7], edges, [7], max_distance=5000.0).any()
    assert not edge_horizons([[0.0, 0.0, 0.0]], [0], edges, [-1], max_distance=9.0).any()


def _ring_wall(d: float, h: float, sides: int) -> np.ndarray:
    """Edges (sides, 6) of a regular polygon of circumradius d around the origin at height h."""
    a = np.arange(sides + 1) * 2.0 * np.pi / sides
    x, y = d * np.sin(a), d * np.cos(a)
    return np.column_stack([x[:-1], y[:-1], np.full(sides, h), x[1:], y[1:], np.full(sides, h)])


def test_face_behind_a_taller_neighbour_against_the_analytic_case(tmy) -> None:
    # a flat face ringed by neighbours h above it at distance d: the horizon is atan(h/d) all
    # round, the beam is blocked exactly while the sun stands lower, the isotropic sky seen is
    # cos² of the horizon (sky-view factor of a flat face under a uniform horizon)
    d, h = 20.0, 12.0
    wall = _ring_wall(d, h, 7200)
    horizon = edge_horizons([[0.0, 0.0, 0.0]], [0], wall, np.full(len(wall), -1),
                            max_distance=1000.0, cell=10.0)
    h0 = np.degrees(np.arctan(h / d))
    np.testing.assert_allclose(horizon, h0, rtol=1e-6)

    systems = PVSystems(pdc0=[5000.0], tilt=[0.0], azimuth=[180.0])
    shaded = face_solar([0.0], [np.nan], systems, horizon, [0, 1], tmy.energy)
    zen, az, ext = tmy.sun()
    p = plane_irradiance([0.0], [180.0], tmy.ghi, tmy.dni, tmy.dhi, zen, az, ext, 0.2)
    lit = (90.0 - zen) > h0
    beam = (p.beam[0] + p.circumsolar[0])
    expected = ((beam * lit).sum() + np.cos(np.radians(h0)) ** 2 * p.sky_isotropic[0].sum()
                + (p.horizon[0] + p.ground[0]).sum()) / 1000.0
    assert shaded.irradiation_kwh_m2[0] == pytest.approx(expected, rel=1e-5)
    assert shaded.sunlit_share[0] == pytest.approx((beam * lit).sum() / beam.sum(), rel=1e-9)
    assert sky_view_ratio(horizon, 0.0, 180.0)[0] == pytest.approx(np.cos(np.radians(h0)) ** 2,
                                                                   rel=1e-6)
    free = face_solar([0.0], [np.nan], systems, np.zeros((1, 72)), [0, 1], tmy.energy)
    assert shaded.ac_kwh[0] < free.ac_kwh[0]
    assert shaded.irradiation_kwh_m2[0] < free.irradiation_kwh_m2[0]


def test_half_the_points_shaded_halves_the_beam(tmy) -> None:
    # two points of one face, one under a horizon of 90° (never sunlit), one free
    systems = PVSystems(pdc0=[5000.0], tilt=[30.0], azimuth=[180.0])
    both = face_solar([30.0], [180.0], systems, np.array([np.zeros(72), np.full(72, 90.0)]),
                      [0, 2], tmy.energy)
    free = face_solar([30.0], [180.0], systems, np.zeros((1, 72)), [0, 1], tmy.energy)
    assert both.sunlit_share[0] == pytest.approx(0.5 * free.sunlit_share[0], rel=1e-12)


def test_bad_inputs_are_named() -> None:
    systems = PVSystems(pdc0=[1.0], tilt=[30.0], azimuth=[180.0])
    with pytest.raises(ValueError, match="point_start"):
        face_solar([30.0], [180.0], systems, np.zeros((1, 72)), [0, 0], None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="owners"):
        edge_horizons([[0.0, 0.0, 0.0]], [0, 1], [[0.0] * 6], [-1])
