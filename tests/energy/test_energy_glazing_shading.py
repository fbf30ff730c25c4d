"""Angle-dependent glazing and overhang shading, checked analytically and against BESTEST."""

from __future__ import annotations

import bestest as B
import numpy as np
import pandas as pd
import pytest

from simulation.energy.glazing import Glazing, pane_constants
from simulation.energy.overhangs import overhang_sky_view_ratio, overhang_sunlit_fraction


def test_single_pane_reproduces_its_normal_properties():
    g = Glazing(tau_normal=0.834, rho_normal=0.075, n_panes=1, u_value=5.8, h_out=21.0,
                h_in=8.29)
    assert g.transmittance(1.0) == pytest.approx(0.834, abs=1e-9)
    assert g.absorptance(1.0)[0] == pytest.approx(1.0 - 0.834 - 0.075, abs=1e-9)
    n, kd = pane_constants(0.834, 0.075)
    assert 1.50 < n < 1.54 and 0.0 < kd < 0.2  # soda-lime glass


def test_bestest_double_pane_angular_behaviour():
    g = B.GLAZING
    c = np.cos(np.radians(np.arange(0.0, 90.1, 5.0)))
    tau = g.transmittance(c)
    assert np.all(np.diff(tau) <= 1e-12)  # falls with the angle of incidence
    assert tau[0] == pytest.approx(0.834**2 / (1 - 0.075**2), rel=0.01)
    assert tau[-1] == pytest.approx(0.0, abs=1e-12)
    assert 0.75 < g.shgc(1.0) < 0.78  # the standard quotes 0.769 for this glazing
    assert g.tau_diffuse < tau[0] and g.shgc_diffuse < g.shgc(1.0)
    assert np.allclose(g.inward_fractions, [(1 / 21.0) * 3.0, 3.0 * (1 / 3.0 - 1 / 8.29)])


def test_bestest_window_transmission_in_reference_ranges():
    """Tables B8-11/B8-15: annual transmitted solar and transmissivity, overhang shading."""
    t = pd.read_csv(B.DATA / "annual_solar.csv").set_index(["surface_or_case", "quantity"])

    def rng(key, q):
        return t.loc[(key, q), ["example_min", "example_max"]].astype(float).to_numpy()

    _, opaque, windows, shaded = B.solar_sources(4)
    south_tr = windows.transmitted[0].sum() / 1000.0
    west_tr = windows.transmitted[2].sum() / 1000.0
    shaded_tr = shaded.transmitted[0].sum() / 1000.0
    checks = {
        "600 south transmitted": (south_tr, rng("600 South", "transmitted_unshaded_kWh_m2")),
        "620 west transmitted": (west_tr, rng("620 West", "transmitted_unshaded_kWh_m2")),
        "610 south shaded": (shaded_tr, rng("610 South", "transmitted_shaded_kWh_m2")),
        "600 transmissivity": (south_tr / (opaque.incident[3].sum() / 1000.0),
                               rng("600 South", "window_transmissivity_annual")),
        "620 transmissivity": (west_tr / (opaque.incident[4].sum() / 1000.0),
                               rng("620 West", "window_transmissivity_annual")),
        "610/600 shading coefficient": (1.0 - shaded_tr / south_tr,
                                        rng("610/600 South", "shading_coefficient_annual")),
    }
    for name, (value, (lo, hi)) in checks.items():
        assert lo <= value <= hi, f"{name}: {value:.4f} outside {lo:.4f}..{hi:.4f}"


def test_overhang_geometry():
    # sun straight out of a south wall, on the horizon: no shadow
    assert overhang_sunlit_fraction(180.0, [90.0], [180.0], 3, 2, 2.5, 1.0, -0.5, 7.5)[0] == 1.0
    # sun behind the wall: no beam
    assert overhang_sunlit_fraction(180.0, [40.0], [0.0], 3, 2, 2.5, 1.0, -0.5, 7.5)[0] == 0.0
    # very wide slab, sun in the wall's plane of symmetry: shadow depth = D tan(elevation)
    for elev in (10.0, 30.0, 50.0, 70.0):
        depth_below_sill = 1.0 * np.tan(np.radians(elev)) - 0.5  # slab 0.5 m above the head
        expected = 1.0 - np.clip(depth_below_sill, 0.0, 2.0) / 2.0
        got = overhang_sunlit_fraction(180.0, [90.0 - elev], [180.0], 3, 2, 2.5, 1.0,
                                       -100.0, 100.0, n_strips=2000)[0]
        assert got == pytest.approx(expected, abs=1e-3)
    # oblique sun: the shadow slides sideways and the slab's end lets light in
    narrow = overhang_sunlit_fraction(180.0, [30.0], [230.0], 3, 2, 2.5, 1.0, 0.0, 3.0)[0]
    wide = overhang_sunlit_fraction(180.0, [30.0], [230.0], 3, 2, 2.5, 1.0, -5.0, 8.0)[0]
    assert narrow > wide


def test_overhang_sky_view_ratio():
    assert overhang_sky_view_ratio(3, 2, 2.5, 0.0, -0.5, 7.5) == pytest.approx(1.0)
    r1 = overhang_sky_view_ratio(3, 2, 2.5, 1.0, -0.5, 7.5)
    r2 = overhang_sky_view_ratio(3, 2, 2.5, 3.0, -0.5, 7.5)
    assert 0.0 < r2 < r1 < 1.0
