"""Heating/cooling systems: COP formula at the EN 14825 points and its monotonicity, energy
conservation per carrier, CO2 and primary energy arithmetic, the label scale."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.energy.systems import (
    EN14825_AVERAGE,
    CarrierFactors,
    HeatingKind,
    HeatingSystems,
    design_supply_temperature,
    energy_label,
    heat_pump_cop,
    supply_temperature,
)

T_OUT = np.linspace(-25.0, 30.0, 111)


def test_cop_formula_at_en14825_points() -> None:
    t_out, low, medium = EN14825_AVERAGE.T
    for sink in (low, medium):
        expect = np.clip(0.40 * (sink + 273.15) / (sink - t_out), 1.0, 7.0)
        np.testing.assert_allclose(heat_pump_cop(t_out, sink), expect, rtol=1e-12)
    # A7/W35 and A2/W35 of the formula, spelled out
    assert heat_pump_cop(7.0, 35.0) == pytest.approx(0.4 * 308.15 / 28.0)
    assert heat_pump_cop(2.0, 35.0) == pytest.approx(0.4 * 308.15 / 33.0)
    assert heat_pump_cop(30.0, 25.0) == 7.0  # no lift: capped
    assert heat_pump_cop(-30.0, 70.0) == pytest.approx(0.4 * 343.15 / 100.0)
    assert heat_pump_cop(-30.0, 70.0, eta=0.2) == 1.0  # 0.69 raised to the floor


def test_heating_curve_reproduces_en14825_outlets() -> None:
    t_out, low, medium = EN14825_AVERAGE.T
    assert np.abs(supply_temperature(t_out, 35.0) - low).max() <= 1.0
    assert np.abs(supply_temperature(t_out, 55.0) - medium).max() <= 1.0
    assert supply_temperature(-15.0, 55.0) == 55.0 and supply_temperature(25.0, 55.0) == 20.0


def test_cop_monotonic_in_source_temperature_and_bounded() -> None:
    years = np.array([1900, 1960, 1980, 2000, 2020])
    hs = HeatingSystems(kind=HeatingKind.HEAT_PUMP, supply_design=design_supply_temperature(years))
    np.testing.assert_array_equal(hs.supply_design, [65.0, 60.0, 55.0, 45.0, 35.0])
    cop = hs.cop(T_OUT)
    assert cop.shape == (5, T_OUT.size)
    assert np.all(np.diff(cop[:, T_OUT >= -20.0], axis=1) >= 0.0)
    assert np.all((cop >= 1.0) & (cop <= 7.0))
    assert np.all(cop[:, T_OUT < -20.0] == 1.0)  # backup resistance
    assert np.all(np.diff(cop[:, 40], axis=0) >= 0.0)  # newer (cooler supply) -> higher COP
    for sink in (35.0, 55.0):
        c = heat_pump_cop(T_OUT, sink)
        assert np.all(np.diff(c) >= 0.0)


def test_conservation_per_carrier() -> None:
    rng = np.random.default_rng(3)
    n, hours = 8, 240
    temp = rng.uniform(-22.0, 25.0, hours)
    q = rng.uniform(0.0, 8000.0, (n, hours))
    qc = rng.uniform(0.0, 3000.0, (n, hours))
    kind = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    hs = HeatingSystems(kind=kind, boiler_efficiency=[0.92, 1, 1, 1, 0.8, 1, 1, 1],
                        district_loss=0.12, supply_design=[45.0] * 4 + [60.0] * 4, eer=3.5)
    d = hs.delivered(q, qc, temp)
    cop = hs.cop(temp)
    eff = {0: hs.boiler_efficiency[:, None], 2: 1.0 - hs.district_loss[:, None]}
    for i, k in enumerate(kind):
        cool = qc[i] / 3.5
        if k == HeatingKind.GAS_BOILER:
            np.testing.assert_allclose(d.gas[i] * eff[0][i], q[i])
            np.testing.assert_allclose(d.electricity[i], cool)
        elif k == HeatingKind.HEAT_PUMP:
            np.testing.assert_allclose((d.electricity[i] - cool) * cop[i], q[i])
        elif k == HeatingKind.DISTRICT_HEAT:
            np.testing.assert_allclose(d.district_heat[i] * eff[2][i], q[i])
        else:
            np.testing.assert_allclose(d.electricity[i] - cool, q[i])
    # each building draws on its own carrier only (plus electricity for cooling)
    assert np.all(d.gas[kind != 0] == 0.0) and np.all(d.district_heat[kind != 2] == 0.0)
    annual = d.annual_kwh()
    np.testing.assert_allclose(annual["gas"], d.gas.sum(axis=1) / 1000.0)


def test_co2_primary_energy_and_label() -> None:
    annual = {"gas": np.array([10000.0, 0.0]), "electricity": np.array([1000.0, 4000.0]),
              "district_heat": np.array([0.0, 2000.0])}
    f = CarrierFactors(co2_electricity=0.3, co2_district_heat=0.1)
    np.testing.assert_allclose(f.co2_kg(annual), [10000 * 0.202 + 300.0, 1200.0 + 200.0])
    np.testing.assert_allclose(f.primary_kwh(annual), [10000 + 1450.0, 5800.0 + 2000.0])
    # the Dutch classes: A++++ <= 0 < A+++ <= 50 < A++ <= 75 < A+ <= 105 < A <= 160 < B <= 190
    # < C <= 250 < D <= 290 < E <= 335 < F <= 380 < G
    labels = energy_label([-5.0, 0.0, 0.01, 50.0, 75.0, 104.9, 160.0, 160.01, 190.0, 250.0,
                           290.0, 335.0, 380.0, 380.01, 900.0])
    assert labels.tolist() == ["A++++", "A++++", "A+++", "A+++", "A++", "A+", "A", "B", "B",
                               "C", "D", "E", "F", "G", "G"]
    with pytest.raises(ValueError, match="unknown carriers"):
        f.co2_kg({"coal": np.ones(1)})


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="kind"):
        HeatingSystems(kind=[7])
    with pytest.raises(ValueError, match="boiler_efficiency"):
        HeatingSystems(kind=[0, 0], boiler_efficiency=[0.9, 0.0])
    with pytest.raises(ValueError, match="expected 1 or 3 values, got 2"):
        HeatingSystems(kind=[0, 0], eer=[3.0, 3.0, 3.0])
    hs = HeatingSystems(kind=[0, 1])
    with pytest.raises(ValueError, match="shape"):
        hs.delivered(np.ones((3, 4)), np.ones((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=">= 0"):
        hs.delivered(-np.ones((2, 4)), np.ones((2, 4)), np.zeros(4))
