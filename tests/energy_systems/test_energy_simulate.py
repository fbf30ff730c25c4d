"""``simulation.energy.simulate``: the zone model and the hourly balance in one call, block by
block, equal to running the two steps apart; its checks of the inputs."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.energy import (
    Drivers,
    HeatingSystems,
    PVSystems,
    Settings,
    Zones,
    simulate,
    simulate_zones,
    sun_positions,
    surface_solar,
)
from simulation.energy.balance import balance, shared_hours

N = 7


def _case(tmy):
    weather = tmy.energy
    rng = np.random.default_rng(11)
    area = rng.uniform(60.0, 400.0, N)
    solar = surface_solar([0.0, 90.0], [180.0, 180.0], weather, sun_positions(weather)).incident
    zones = Zones.create(area, 0.3 * area, 0.8 * area, 0.4 * area, internal_gains=4.0 * area,
                         solar_aperture=np.c_[0.02 * area, 0.05 * area],
                         district=np.arange(N) % 2, appliances=2.0 * area)
    drivers = Drivers.create(weather.temp_air, solar, heat_setpoint=20.0, cool_setpoint=26.0)
    heating = HeatingSystems(kind=np.arange(N) % 4)
    pv = PVSystems(pdc0=rng.uniform(0.0, 5000.0, N), tilt=15.0, azimuth=180.0)
    horizon = rng.uniform(0.0, 30.0, (N, 72))
    horizon[0] = np.nan
    return weather, zones, drivers, heating, pv, horizon


def test_simulate_equals_the_zone_model_then_the_balance(tmy) -> None:
    weather, zones, drivers, heating, pv, horizon = _case(tmy)
    seen = []
    result = simulate(zones, drivers, weather, heating, pv,
                      Settings(block_size=3, n_districts=2,
                               hourly_callback=lambda b: seen.append((b.start, b.stop,
                                                                      b.pv_W.sum(axis=1)))),
                      pv_horizon=horizon)
    loads = simulate_zones(zones, drivers, n_districts=2)
    np.testing.assert_array_equal(result.zones.heating_Wh, loads.heating_Wh)
    np.testing.assert_allclose(result.zones.district_cooling_W, loads.district_cooling_W,
                               rtol=1e-12, atol=1e-9)  # summed block by block

    hourly = []
    simulate_zones(zones, drivers, hourly_callback=lambda s, e, h, c, t: hourly.append(
        (h.copy(), c.copy())))
    ref = balance(hourly[0][0], hourly[0][1], heating, zones.appliances, zones.gains_profile,
                  pv, horizon, zones.district, 2,
                  shared_hours(weather, drivers.month, drivers.gains, 15.0, 180.0))
    np.testing.assert_allclose(result.balance.sums, ref.sums, rtol=1e-12)
    np.testing.assert_allclose(result.balance.district_pv_W, ref.district_pv_W, rtol=1e-12,
                               atol=1e-9)
    assert [(s, e) for s, e, _ in seen] == [(0, 3), (3, 6), (6, 7)]
    np.testing.assert_allclose(np.concatenate([p for *_, p in seen]), ref.column("pv"),
                               rtol=1e-6)


def test_simulate_checks_its_inputs(tmy) -> None:
    weather, zones, drivers, heating, pv, horizon = _case(tmy)
    with pytest.raises(ValueError, match="PV systems"):
        simulate(zones, drivers, weather, heating, pv.take(slice(0, 3)))
    with pytest.raises(ValueError, match="one module plane"):
        simulate(zones, drivers, weather, heating,
                 PVSystems(pdc0=pv.pdc0, tilt=np.linspace(10.0, 30.0, N), azimuth=180.0))
    with pytest.raises(ValueError, match="pv_horizon"):
        simulate(zones, drivers, weather, heating, pv, pv_horizon=horizon[:2])
    with pytest.raises(ValueError, match="n_districts"):
        simulate(zones, drivers, weather, heating, pv, Settings(n_districts=0))
