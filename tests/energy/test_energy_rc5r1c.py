"""ISO 13790 5R1C kernel: equal to the literal ISO procedure, analytic limits, bookkeeping."""

from __future__ import annotations

import tracemalloc

import bestest as B
import numpy as np
import pytest
from iso13790_reference import Zone5R1C, run_year

from simulation.energy import H_IS, MASS_CLASSES, Drivers, Zones, simulate_zones


def _zones(kw: dict, **over) -> Zones:
    kw = {**kw, **over}
    return Zones.create(kw.pop("floor_area"), kw.pop("h_tr_w"), kw.pop("h_tr_op"), kw.pop("h_ve"),
                        mass_class=None, **kw)


def _synthetic(n: int, n_hours: int = 8760, n_src: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_hours)
    te = 8.0 - 10.0 * np.cos(2 * np.pi * t / 8760) + 4.0 * np.sin(2 * np.pi * (t % 24) / 24)
    day = np.maximum(0.0, np.sin(np.pi * ((t % 24) - 6) / 12))
    solar = day[None, :] * rng.uniform(100, 700, (n_src, 1))
    fa = rng.uniform(40, 3000, n)
    zones = Zones.create(
        fa, h_tr_w=0.2 * fa * rng.uniform(1, 3, n), h_tr_op=fa * rng.uniform(0.3, 1.2, n),
        h_ve=fa * rng.uniform(0.1, 0.6, n), mass_class="medium", internal_gains=4.0 * fa,
        solar_aperture=rng.uniform(0, 0.05, (n, n_src)) * fa[:, None], sky_loss=0.01 * fa,
        district=rng.integers(0, 4, n),
    )
    return zones, Drivers.create(te, solar)


@pytest.mark.parametrize("case, cap", [("600", 2500.0), ("640", np.inf), ("650", np.inf)])
def test_kernel_equals_literal_iso_procedure(case, cap):
    """Hour by hour against the plain-Python C.4.2 procedure with its 10 W/m^2 test, with
    capped power, night set-back and scheduled ventilation."""
    kw = B.zone_inputs(B.CASES[case])
    src, *_ = B.solar_sources(4)
    heat, cool, vent = B.profiles()
    w = B.weather()
    hourly = {}

    def keep(start, stop, h, c, ta):
        hourly.update(h=h.astype(float), c=c.astype(float), ta=ta.copy())

    res = simulate_zones(_zones(kw, heating_max=cap, cooling_max=cap),
                   Drivers.create(w.temp_air, src, w.month, heat_setpoint=heat,
                                  cool_setpoint=cool, vent=vent),
                   hourly_callback=keep)
    ref = Zone5R1C(kw["floor_area"], kw["h_tr_w"], kw["h_tr_op"], kw["a_m"], kw["c_m"],
                   kw["a_t"], kw["h_ve"], kw["convective_fraction"], cap, cap)
    s = kw["setpoint_profile"]
    phi_sol = kw["solar_aperture"] @ src - kw["sky_loss"] * 11.0
    h_ve = kw["h_ve"] + kw["h_ve_extra"] * vent[kw["vent_profile"]]
    phi, ta = run_year(ref, w.temp_air, np.full(8760, 200.0), phi_sol, heat[s], cool[s], h_ve)
    phi = np.array(phi)
    assert res.heating_Wh[0] == pytest.approx(phi.clip(min=0).sum(), rel=1e-9)
    assert res.cooling_Wh[0] == pytest.approx(-phi.clip(max=0).sum(), rel=1e-9)
    # hourly series are float32: compare to ~1e-6 relative
    assert np.max(np.abs(hourly["h"] - hourly["c"] - phi)) < 1e-2
    assert np.max(np.abs(hourly["ta"] - np.array(ta))) < 1e-4
    if np.isfinite(cap):
        assert res.peak_heating_W[0] == pytest.approx(cap)


def test_steady_state_loss_through_the_5r1c_network():
    """No gains, constant outdoor 0 degC, set point 20 degC: every hour the heating equals the
    steady loss of the network: H_ve + (H_tr_w + H_tr_op) in series with H_tr_is."""
    fa = np.array([100.0, 250.0])
    h_w, h_op, h_ve = np.array([30.0, 80.0]), np.array([60.0, 90.0]), np.array([25.0, 0.0])
    zones = Zones.create(fa, h_w, h_op, h_ve, mass_class="heavy")
    drv = Drivers.create(np.zeros(8760), heat_setpoint=20.0, cool_setpoint=26.0)
    res = simulate_zones(zones, drv, warmup_hours=8760)
    h_is = H_IS * 4.5 * fa
    loss = 20.0 * (h_ve + (h_w + h_op) * h_is / (h_is + h_w + h_op))
    assert np.allclose(res.peak_heating_W, loss, rtol=1e-9)
    assert np.allclose(res.heating_Wh, 8760 * loss, rtol=1e-6)
    assert np.allclose(res.air_temp_min, 20.0) and np.all(res.cooling_Wh == 0.0)


def test_free_float_with_no_gains_follows_outdoor_air():
    zones = Zones.create([100.0], 30.0, 60.0, 20.0, mass_class="light")
    te = np.full(8760, 7.5)
    res = simulate_zones(zones, Drivers.create(te, heat_setpoint=-np.inf, cool_setpoint=np.inf),
                   warmup_hours=8760)
    assert res.air_temp_min[0] == pytest.approx(7.5) and res.air_temp_max[0] == pytest.approx(7.5)
    assert res.heating_Wh[0] == 0.0 and res.cooling_Wh[0] == 0.0


def test_chunking_threads_blocks_and_districts_agree():
    zones, drv = _synthetic(150)  # 3 chunks of 64, the last padded
    full = simulate_zones(zones, drv, n_districts=4)
    single = simulate_zones(zones, drv, n_threads=1)
    for a, b in ((full.heating_Wh, single.heating_Wh), (full.cooling_Wh, single.cooling_Wh),
                 (full.peak_heating_hour, single.peak_heating_hour)):
        assert np.array_equal(a, b)
    # one zone alone gives the same as inside a chunk
    i = 137
    sub = Zones(**{f: (getattr(zones, f)[:, i:i + 1] if f == "solar_aperture_t"
                       else getattr(zones, f)[i:i + 1]) for f in zones.__dataclass_fields__})
    alone = simulate_zones(sub, drv)
    assert alone.heating_Wh[0] == full.heating_Wh[i]
    assert alone.cooling_Wh[0] == full.cooling_Wh[i]
    # monthly sums add up to the year
    assert np.allclose(full.monthly_heating_Wh.sum(axis=1), full.heating_Wh, rtol=1e-12)
    assert np.allclose(full.monthly_cooling_Wh.sum(axis=1), full.cooling_Wh, rtol=1e-12)
    # hourly blocks through the callback: sums, peaks and district totals
    heat_h = np.zeros((zones.n, drv.n_hours))
    cool_h = np.zeros((zones.n, drv.n_hours))
    seen = []

    def keep(start, stop, h, c, ta):
        seen.append((start, stop))
        heat_h[start:stop] = h
        cool_h[start:stop] = c

    simulate_zones(zones, drv, hourly_callback=keep, block_size=40)
    assert seen == [(0, 40), (40, 80), (80, 120), (120, 150)]
    assert np.allclose(heat_h.sum(axis=1), full.heating_Wh, rtol=1e-5)
    assert np.array_equal(np.argmax(heat_h, axis=1), full.peak_heating_hour)
    assert np.allclose(heat_h.max(axis=1), full.peak_heating_W, rtol=1e-6)
    for d in range(4):
        sel = zones.district == d
        assert np.allclose(full.district_heating_W[d], heat_h[sel].sum(axis=0), rtol=1e-5)
        assert np.allclose(full.district_cooling_W[d], cool_h[sel].sum(axis=0), rtol=1e-5,
                           atol=1e-3)


def test_memory_stays_far_below_buildings_times_hours():
    zones, drv = _synthetic(10_000, seed=3)
    simulate_zones(_synthetic(70)[0], drv)  # compiled and warm
    tracemalloc.start()
    simulate_zones(zones, drv, n_districts=4)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.05 * zones.n * drv.n_hours * 8  # < 5 % of one float64 (n x T) array


def test_mass_classes_and_errors_name_the_field():
    assert MASS_CLASSES["heavy"] == (260_000.0, 3.0)
    z = Zones.create([100.0], 10.0, 50.0, 20.0, mass_class="very_heavy")
    assert z.c_m[0] == 370_000.0 * 100 and z.a_m[0] == 350.0
    with pytest.raises(ValueError, match="mass_class"):
        Zones.create([100.0], 10.0, 50.0, 20.0, mass_class="granite")
    with pytest.raises(ValueError, match="floor_area"):
        Zones.create([0.0], 10.0, 50.0, 20.0)
    with pytest.raises(ValueError, match="a_t"):
        Zones.create([100.0], 10.0, 50.0, 20.0, a_t=100.0, a_m=250.0, c_m=1e7)
    with pytest.raises(ValueError, match="h_tr_w"):
        Zones.create([100.0, 50.0], [10.0, 1.0, 3.0], 50.0, 20.0)
    drv = Drivers.create(np.zeros(48), np.zeros((2, 48)))
    with pytest.raises(ValueError, match="solar"):
        simulate_zones(Zones.create([100.0], 10.0, 50.0, 20.0, solar_aperture=[[1.0]]), drv)
    with pytest.raises(ValueError, match="setpoint_profile"):
        simulate_zones(Zones.create([100.0], 10.0, 50.0, 20.0, solar_aperture=[[1.0, 1.0]],
                              setpoint_profile=3), drv)
    with pytest.raises(ValueError, match="heat_setpoint"):
        Drivers.create(np.zeros(24), heat_setpoint=22.0, cool_setpoint=21.0)
    with pytest.raises(ValueError, match="theta_e"):
        Drivers.create(np.array([0.0, np.nan]))


def test_energy_kernels_import_only_numpy_and_numba():
    """simulation.energy is pure numerics: importable with pvlib, pandas, scipy blocked."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for m in ('pvlib', 'pandas', 'scipy', 'twin', 'geopandas', 'h5py'):\n"
        "    sys.modules[m] = None\n"
        "import simulation.energy.solar_position, simulation.energy.irradiance\n"
        "import simulation.energy.glazing, simulation.energy.overhangs\n"
        "import simulation.energy.solar_gains, simulation.energy.rc5r1c\n"
        "import simulation.energy.envelope\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
