"""The fused hourly balance (``simulation.energy.balance``) against the separate reference
steps on real weather: ``HeatingSystems.delivered`` (final energy per carrier with the hourly
COP), ``pv.pv_power`` with ``horizon.beam_sunlit`` / ``sky_view_ratio`` (itself within 0.01 % of
pvlib's ``ModelChain.with_pvwatts``, see test_pv_pvwatts.py) and ``pv.self_consumption``."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.energy import HeatingKind, HeatingSystems, PVSystems, Sun, sky_view_ratio
from simulation.energy.balance import SharedHours, balance
from simulation.energy.horizon import beam_sunlit
from simulation.energy.irradiance import plane_irradiance
from simulation.energy.pv import pv_power, self_consumption

N = 8


def _case(tmy):
    zen, az, ext = tmy.sun()
    plane = plane_irradiance(15.0, 180.0, tmy.ghi, tmy.dni, tmy.dhi, zen, az, ext, 0.2)
    n_t = tmy.ghi.shape[0]
    month = (np.arange(n_t) // 730).clip(0, 11)
    profiles = np.vstack([np.ones(n_t), 0.5 + 0.5 * (np.arange(n_t) % 24 >= 8)])
    shared = SharedHours(tmy.energy, Sun(zen[None], az[None], ext), plane, month, profiles)
    rng = np.random.default_rng(3)
    cold = np.clip(18.0 - tmy.temp_air, 0.0, None)
    heating = (rng.uniform(200, 800, N)[:, None] * cold).astype(np.float32)
    cooling = (rng.uniform(0, 300, N)[:, None] * np.clip(tmy.temp_air - 24.0, 0.0, None)
               ).astype(np.float32)
    kinds = np.array([0, 1, 1, 2, 3, 1, 0, 1])
    systems = HeatingSystems(kind=kinds, supply_design=[55, 35, 55, 45, 45, 65, 45, 45],
                             efficiency=[np.nan] * 6 + [0.8, 3.5],
                             hot_water=[250, 0, 300, 200, 150, 100, 120, 400])
    pv = PVSystems(pdc0=np.array([0, 3000, 5000, 0, 2000, 8000, 4000, 1000.0]), tilt=15.0,
                   azimuth=180.0)
    horizon = np.zeros((N, 72))
    horizon[:, 30:42] = rng.uniform(0, 40, (N, 12))  # obstacles to the south
    horizon[0] = np.nan
    return shared, heating, cooling, systems, pv, horizon


def test_balance_equals_the_separate_steps(tmy) -> None:
    shared, heating, cooling, systems, pv, horizon = _case(tmy)
    n_t = heating.shape[1]
    base_w = np.linspace(100.0, 900.0, N)
    base_idx = np.arange(N) % 2
    district = np.arange(N) % 3
    out = (np.empty((N, n_t), np.float32), np.empty((N, n_t), np.float32))
    res = balance(heating, cooling, systems, base_w, base_idx, pv, horizon, district, 3, shared,
                  out)

    ref = systems.delivered(heating.astype(np.float64), cooling.astype(np.float64),
                            shared.weather.temp_air)
    np.testing.assert_allclose(res.column("gas") / 1e3, ref.annual_kwh()["gas"], rtol=1e-12)
    np.testing.assert_allclose(res.column("district_heat") / 1e3,
                               ref.annual_kwh()["district_heat"], rtol=1e-12)
    base = base_w[:, None] * shared.profiles[base_idx]
    demand = ref.electricity + base
    np.testing.assert_allclose(res.column("electricity"), demand.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(res.column("base_electricity"), base.sum(axis=1), rtol=1e-12)
    hp = systems.kind == HeatingKind.HEAT_PUMP
    scop = heating[hp].sum(axis=1) / res.column("heating_electricity")[hp]
    assert np.all((scop > 1.0) & (scop < 7.0))
    # hot water: the system's constant heat over its hourly efficiency, on the same carrier
    water = (systems.hot_water[:, None] / systems.hot_water_efficiency(shared.weather.temp_air)
             ).sum(axis=1)
    np.testing.assert_allclose(res.column("hot_water_final"), water, rtol=1e-12)
    heat = (heating / systems.heat_efficiency(shared.weather.temp_air)).sum(axis=1)
    np.testing.assert_allclose(res.column("heating_final"), heat, rtol=1e-9)
    electric = hp | (systems.kind == HeatingKind.ELECTRIC)
    np.testing.assert_allclose(res.column("hot_water_electricity"), np.where(electric, water, 0.0),
                               rtol=1e-12)
    # heat pumps on their own model: a seasonal hot-water COP within the clip bounds 1..7
    model_hp = hp & np.isnan(systems.efficiency) & (systems.hot_water > 0.0)
    cop_water = systems.hot_water[model_hp] * n_t / water[model_hp]
    assert np.all((cop_water > 1.0) & (cop_water < 7.0))

    shaded = ~np.isnan(horizon).any(axis=1)
    h0 = np.where(shaded[:, None], horizon, 0.0)
    zen, az = shared.sun.apparent_zenith[0], shared.sun.azimuth[0]
    sun = np.where(shaded[:, None], beam_sunlit(h0, zen, az), 1.0)
    svr = np.where(shaded, sky_view_ratio(h0, pv.tilt, pv.azimuth), 1.0)
    irr = plane_irradiance(pv.tilt, pv.azimuth, tmy.ghi, tmy.dni, tmy.dhi, zen, az,
                           tmy.sun()[2], 0.2)
    ac = pv_power(pv, irr, tmy.temp_air, tmy.wind_speed, sun, svr).ac
    np.testing.assert_allclose(out[1], ac, rtol=1e-6, atol=1e-3)  # float32 hourly copy
    np.testing.assert_allclose(res.column("pv"), ac.sum(axis=1), rtol=1e-9, atol=1e-6)
    free = pv_power(pv, irr, tmy.temp_air, tmy.wind_speed).ac.sum(axis=1)
    with_pv = pv.pdc0 > 0
    assert np.all(res.column("pv")[with_pv] < free[with_pv])  # the obstacles cost yield
    sc = self_consumption(ac, demand)
    np.testing.assert_allclose(res.column("self_consumed"), sc.self_consumed, rtol=1e-9,
                               atol=1e-6)
    np.testing.assert_allclose(res.peak_electricity_W, demand.max(axis=1), rtol=1e-12)
    np.testing.assert_allclose(res.peak_import_W, (demand - np.minimum(ac, demand)).max(axis=1),
                               rtol=1e-9)
    np.testing.assert_allclose(res.monthly_electricity_Wh.sum(axis=1), res.column("electricity"),
                               rtol=1e-12)
    np.testing.assert_allclose(res.monthly_pv_Wh.sum(axis=1), res.column("pv"), rtol=1e-12)
    for d in range(3):
        np.testing.assert_allclose(res.district_electricity_W[d], demand[district == d].sum(axis=0),
                                   rtol=1e-9)
        np.testing.assert_allclose(res.district_pv_W[d], ac[district == d].sum(axis=0),
                                   rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(out[0], demand, rtol=1e-6)


def test_balance_rejects_mismatched_buildings(tmy) -> None:
    shared, heating, cooling, systems, pv, horizon = _case(tmy)
    with pytest.raises(ValueError, match="same buildings"):
        balance(heating[:3], cooling[:3], systems, np.zeros(3), np.zeros(3, int), pv, None,
                np.zeros(3, int), 1, shared)


def test_monthly_sums_follow_the_month_of_each_hour(tmy) -> None:
    """Monthly electricity and PV equal the hourly series summed by the month of each hour,
    also where a month returns (a UTC year seen in local time ends in the next January)."""
    shared, heating, cooling, systems, pv, horizon = _case(tmy)
    n_t = heating.shape[1]
    month = np.r_[(np.arange(n_t - 2) // 730).clip(0, 11), [0, 0]]  # the last two: January
    shared = SharedHours(shared.weather, shared.sun, shared.plane, month, shared.profiles)
    out = (np.empty((N, n_t), np.float32), np.empty((N, n_t), np.float32))
    res = balance(heating, cooling, systems, np.linspace(100.0, 900.0, N), np.arange(N) % 2, pv,
                  horizon, np.zeros(N, int), 1, shared, out)
    demand = np.stack([np.bincount(month, row, 12) for row in out[0].astype(np.float64)])
    yield_pv = np.stack([np.bincount(month, row, 12) for row in out[1].astype(np.float64)])
    np.testing.assert_allclose(res.monthly_electricity_Wh, demand, rtol=1e-6)  # float32 copy
    np.testing.assert_allclose(res.monthly_pv_Wh, yield_pv, rtol=1e-6, atol=1e-3)
    assert np.all(res.monthly_pv_Wh[pv.pdc0 == 0] == 0.0)
