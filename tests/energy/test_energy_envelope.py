"""Envelope helpers: U-values, internal heat capacity, mass parameters, apertures."""

from __future__ import annotations

import bestest as B
import pytest

from simulation.energy import envelope as env


def test_bestest_u_values_and_heat_capacity():
    r_si, r_se = 1 / B.H_IN, 1 / B.H_OUT
    # the U-values Standard 140 quotes for the light constructions
    assert env.u_value(B.CONSTRUCTIONS["LTWALL"], r_si, r_se) == pytest.approx(0.514, abs=1e-3)
    assert env.u_value(B.CONSTRUCTIONS["LTROOF"], r_si, r_se) == pytest.approx(0.318, abs=1e-3)
    assert env.u_value(B.CONSTRUCTIONS["LTFLOOR"], r_si, r_se) == pytest.approx(0.039, abs=1e-3)
    assert env.u_value(B.CONSTRUCTIONS["HWWALL"], r_si, r_se) == pytest.approx(0.512, abs=1e-3)
    # kappa: inner layers up to the insulation (plasterboard) or 10 cm (concrete)
    assert env.areal_heat_capacity(B.CONSTRUCTIONS["LTWALL"]) == pytest.approx(0.012 * 950 * 840)
    assert env.areal_heat_capacity(B.CONSTRUCTIONS["HWWALL"]) == pytest.approx(0.1 * 1400 * 1000)
    assert env.areal_heat_capacity(B.CONSTRUCTIONS["HWFLOOR"]) == pytest.approx(0.08 * 1.4e6)
    thick = [env.Layer(0.2, 1.0, 2000.0, 1000.0)]
    assert env.areal_heat_capacity(thick) == pytest.approx(0.1 * 2e6)  # 10 cm limit


def test_mass_parameters_iso_eqs_65_66():
    c_m, a_m = env.mass_parameters([10.0, 30.0], [100e3, 10e3])
    assert c_m == pytest.approx(10 * 100e3 + 30 * 10e3)
    assert a_m == pytest.approx(c_m**2 / (10 * 100e3**2 + 30 * 10e3**2))
    with pytest.raises(ValueError):
        env.mass_parameters([10.0], [0.0])


def test_apertures_and_air():
    assert env.window_solar_aperture(10.0, 0.6, 0.3, 0.9) == pytest.approx(0.9 * 0.9 * 0.6 * 0.7 * 10)
    assert env.opaque_solar_aperture(0.6, 0.5, 20.0, 0.04) == pytest.approx(0.24)
    assert env.sky_loss_coefficient(0.5, 20.0, 0.04, 0.9, 1.0) == pytest.approx(0.04 * 10 * 4.5)
    assert env.air_density() == pytest.approx(1.204, abs=2e-3)
    assert env.standard_pressure(1650.0) == pytest.approx(83_011, rel=1e-4)
    assert env.ventilation_conductance(3600.0, 1.2, 1000.0) == pytest.approx(1200.0)
