"""Rooftop PV (PVWatts chain) against pvlib: each step on the same POA input, and a full
``ModelChain.with_pvwatts`` on two real TMY years (annual AC energy within 1 %)."""

from __future__ import annotations

import numpy as np
import pvlib
import pytest
from pvlib_reference import MOUNT, modelchain_pvwatts

from simulation.energy.horizon import beam_sunlit, sky_view_ratio
from simulation.energy.irradiance import plane_irradiance
from simulation.energy.pv import (
    SAPM_MOUNTING,
    PVSystems,
    iam_physical,
    pdc0_from_area,
    pv_annual,
    pv_from_weather,
    pv_power,
    pvwatts_inverter,
    pvwatts_losses,
    self_consumption,
)

pytestmark = pytest.mark.filterwarnings("ignore:DatetimeIndex.dayofyear is deprecated")

# (tilt, azimuth): pitched roofs S/E/W, a flat roof, a south facade
ORIENTATIONS = [(35.0, 180.0), (20.0, 90.0), (45.0, 270.0), (0.0, 180.0), (90.0, 180.0)]


def _systems(**kw) -> PVSystems:
    tilt, az = np.array(ORIENTATIONS).T
    return PVSystems(pdc0=np.array([4000.0, 3000.0, 5000.0, 10000.0, 2000.0]), tilt=tilt,
                     azimuth=az, **kw)


def test_components_match_pvlib_on_same_poa(tmy) -> None:
    sysm = _systems()
    zen, az, ext = tmy.sun()
    irr = plane_irradiance(sysm.tilt, sysm.azimuth, tmy.ghi, tmy.dni, tmy.dhi, zen, az, ext, 0.2)
    out = pv_power(sysm, irr, tmy.temp_air, tmy.wind_speed)
    a, b, dt = SAPM_MOUNTING[MOUNT]
    assert (a, b, dt) == tuple(pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][MOUNT]
                               .values())
    for i in range(len(sysm)):
        aoi = np.degrees(np.arccos(irr.cos_aoi[i]))
        iam = pvlib.iam.physical(aoi)
        poa_direct = irr.beam[i]
        poa_diffuse = irr.sky_diffuse[i] + irr.ground[i]
        eff = poa_direct * iam + poa_diffuse
        tc = pvlib.temperature.sapm_cell(poa_direct + poa_diffuse, tmy.temp_air, tmy.wind_speed,
                                         a, b, dt)
        dc = pvlib.pvsystem.pvwatts_dc(eff, tc, sysm.pdc0[i], sysm.gamma_pdc[i])
        dc = dc * (1.0 - pvlib.pvsystem.pvwatts_losses() / 100.0)
        ac = pvlib.inverter.pvwatts(dc, sysm.pdc0_inverter[i])
        np.testing.assert_allclose(out.dc[i], dc, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(out.ac[i], ac, rtol=1e-12, atol=1e-9)


def test_iam_inverter_losses_functions() -> None:
    aoi = np.linspace(0.0, 100.0, 201)
    np.testing.assert_allclose(iam_physical(np.cos(np.radians(aoi)), 1.526, 4.0, 0.002),
                               pvlib.iam.physical(aoi), atol=1e-12)
    assert pvwatts_losses() == pytest.approx(14.08, abs=0.005)
    assert pvwatts_losses(shading=0.0) == pytest.approx(pvlib.pvsystem.pvwatts_losses(shading=0))
    pdc = np.linspace(0.0, 6000.0, 301)
    np.testing.assert_allclose(pvwatts_inverter(pdc, 4000.0, 0.96, 0.9637),
                               pvlib.inverter.pvwatts(pdc, 4000.0), atol=1e-9)


def test_annual_energy_matches_pvlib_modelchain(tmy) -> None:
    sysm = _systems()
    zen, _, _ = tmy.sun()
    ours = pv_from_weather(sysm, tmy.energy)
    for i, (tilt, azm) in enumerate(ORIENTATIONS):
        ref, _ = modelchain_pvwatts(tmy, tilt, azm, sysm.pdc0[i], sysm.gamma_pdc[i])
        ratio = ours.annual_kwh[i] / (ref.sum() / 1000.0)
        assert abs(ratio - 1.0) < 0.01, (tmy.name, tilt, azm, ratio)  # the tolerance
        assert abs(ratio - 1.0) < 0.001, (tmy.name, tilt, azm, ratio)  # what it achieves
        # hour by hour too, apart from the sunrise/sunset hours (pvlib: no sky diffuse there)
        up = (zen < 88.0) & (tmy.ghi > 0.0)
        assert np.abs(ours.ac[i][up] - ref[up]).max() < 1e-5 * sysm.pdc0[i]
        assert np.abs(ours.ac[i] - ref).max() < 0.006 * sysm.pdc0[i]


def test_shading_inputs_scale_irradiance(tmy) -> None:
    sysm = _systems()
    zen, az, ext = tmy.sun()
    irr = plane_irradiance(sysm.tilt, sysm.azimuth, tmy.ghi, tmy.dni, tmy.dhi, zen, az, ext, 0.2)
    free = pv_power(sysm, irr, tmy.temp_air, tmy.wind_speed)
    ones = pv_power(sysm, irr, tmy.temp_air, tmy.wind_speed,
                    beam_sunlit=np.ones(irr.beam.shape, bool), sky_view_ratio=np.ones(5))
    np.testing.assert_array_equal(free.ac, ones.ac)
    dark = pv_power(sysm, irr, tmy.temp_air, tmy.wind_speed,
                    beam_sunlit=np.zeros(irr.beam.shape, bool), sky_view_ratio=np.zeros(5))
    assert np.all(dark.ac <= free.ac + 1e-9)
    # with no beam, circumsolar and isotropic sky only horizon band and ground remain
    eff_left = np.maximum(irr.horizon + irr.ground, 0.0)
    assert np.all(dark.dc <= eff_left / 1000.0 * sysm.pdc0[:, None] * 1.2 + 1e-9)


def test_self_consumption_arithmetic() -> None:
    pv = np.array([[0.0, 500.0, 2000.0, 1000.0], [0.0, 0.0, 0.0, 0.0]])
    load = np.array([300.0, 300.0, 300.0, 1500.0])
    sc = self_consumption(pv, load)
    np.testing.assert_allclose(sc.self_consumed, [0 + 300 + 300 + 1000, 0.0])
    np.testing.assert_allclose(sc.exported, [200 + 1700, 0.0])
    np.testing.assert_allclose(sc.imported, [300 + 0 + 0 + 500, 2400.0])
    np.testing.assert_allclose(sc.self_consumed + sc.exported, pv.sum(axis=1))
    np.testing.assert_allclose(sc.self_consumed + sc.imported, [2400.0, 2400.0])
    np.testing.assert_allclose(sc.self_consumption_ratio, [1600 / 3500, 0.0])
    np.testing.assert_allclose(sc.self_sufficiency, [1600 / 2400, 0.0])
    with pytest.raises(ValueError):
        self_consumption(-pv, load)


def test_systems_validation_and_sizing() -> None:
    s = PVSystems(pdc0=[1000.0, 2000.0], tilt=30.0, azimuth=[180.0, 90.0])
    assert s.tilt.shape == (2,) and len(s) == 2
    assert s.pdc0_inverter[0] == pytest.approx(1000.0 / 1.2 / 0.96)
    with pytest.raises(ValueError, match="azimuth"):
        PVSystems(pdc0=[1.0, 2.0], tilt=30.0, azimuth=[180.0, 90.0, 0.0])
    assert pdc0_from_area(50.0) == pytest.approx(50 * 0.7 * 0.2 * 1000)


def test_fused_annual_equals_hourly_chain(tmy) -> None:
    rng = np.random.default_rng(5)
    n = 300
    sysm = PVSystems(pdc0=rng.uniform(1e3, 2e4, n), tilt=rng.uniform(0.0, 90.0, n),
                     azimuth=rng.uniform(0.0, 360.0, n), gamma_pdc=rng.uniform(-0.005, -0.003, n))
    zen, az, _ = tmy.sun()
    hourly = pv_from_weather(sysm, tmy.energy)
    fused = pv_annual(sysm, tmy.energy)
    np.testing.assert_allclose(fused.ac_kwh, hourly.annual_kwh, rtol=1e-9)
    np.testing.assert_allclose(fused.dc_kwh, hourly.dc.sum(axis=1) / 1000.0, rtol=1e-9)
    np.testing.assert_allclose(fused.hourly_ac_w, hourly.ac.sum(axis=0), rtol=1e-9, atol=1e-6)
    # with horizons: the same as the hourly chain given the sunlit mask and sky-view ratio
    h = rng.uniform(0.0, 40.0, (n, 36)) * (rng.uniform(size=(n, 1)) < 0.7)
    shaded = pv_annual(sysm, tmy.energy, horizon_deg=h)
    ref = pv_from_weather(sysm, tmy.energy, beam_sunlit=beam_sunlit(h, zen, az),
                          sky_view_ratio=sky_view_ratio(h, sysm.tilt, sysm.azimuth))
    np.testing.assert_allclose(shaded.ac_kwh, ref.annual_kwh, rtol=1e-9)
    assert np.all(shaded.ac_kwh <= fused.ac_kwh + 1e-9)
    assert shaded.ac_kwh.sum() < 0.95 * fused.ac_kwh.sum()
