"""Benchmark: the ISO 13790 5R1C kernel on N synthetic buildings x 8760 h, against peers.

Measured in one process, on the real Denver weather of ``../shared/data/ashrae140-bestest``:

- our kernel on N synthetic buildings (default 100,000) with 9 solar sources (roof, four
  facades opaque, four facades glazed), 3 set-point profiles and 50 districts; the first call
  (numba compile, or cache load) is timed apart; peak memory is traced (numpy allocations) and
  the process RSS high-water mark is reported;
- a plain-Python per-hour 5R1C loop timed on a few buildings and extrapolated to N: the literal
  ISO 13790 Annex C transcription of ``tests/energy/iso13790_reference.py`` and, if installed,
  RC_BuildingSimulator (``pip install --no-deps rcbsim``, MIT), whose ``Zone.solve_energy`` is
  the per-hour Python step most 5R1C users run;
- solar position for a year of 15-minute samples: our NREL SPA against
  ``pvlib.solarposition.get_solarposition(method="nrel_numpy")``, and Perez transposition on 9
  surfaces against ``pvlib.irradiance.get_total_irradiance``.

    .venv/bin/python tests/bench/bench_energy.py [--buildings 100000] [--python-buildings 3]

Target: <= 5 s for 100,000 buildings x 8760 h on 2 cores (compile excluded).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "energy"))

import bestest as B
from iso13790_reference import Zone5R1C, run_year

from simulation.energy import MASS_CLASSES, Drivers, Sun, Zones, simulate_zones, surface_solar
from simulation.energy.irradiance import interval_samples, plane_irradiance
from simulation.energy.solar_position import solar_position

TARGET_SECONDS_100K = 5.0
FACADES = [0.0, 90.0, 180.0, 270.0]


def solar_drivers(n_samples: int = 4):
    """(9, 8760) W/m^2: roof and four facades incident, four facades' glazing gain."""
    w = B.weather().energy()
    sun = Sun(*B.sun(n_samples))
    opaque = surface_solar([0.0] + [90.0] * 4, [180.0] + FACADES, w, sun)
    glazed = surface_solar([90.0] * 4, FACADES, w, sun, glazing=B.GLAZING)
    return np.vstack([opaque.incident, glazed.glazing_gain])


def synthetic_zones(n: int, seed: int = 42) -> Zones:
    """A plausible building stock: floor area, storeys, age-dependent U-values, glazing ratio,
    mass class, ventilation, internal gains; apertures for the 9 solar sources."""
    rng = np.random.default_rng(seed)
    footprint = rng.lognormal(np.log(110.0), 0.6, n).clip(30.0, 5000.0)
    storeys = rng.integers(1, 8, n)
    floor = footprint * storeys
    height = 3.0 * storeys
    perimeter = 4.0 * np.sqrt(footprint) * rng.uniform(1.0, 1.3, n)
    facade = perimeter * height
    wwr = rng.uniform(0.15, 0.45, n)
    windows = wwr * facade
    age = rng.integers(0, 4, n)  # pre-1945, 1945-1975, 1975-2000, after 2000
    u_wall = np.array([1.6, 1.2, 0.6, 0.25])[age] * rng.uniform(0.8, 1.2, n)
    u_roof = np.array([1.4, 1.0, 0.4, 0.18])[age] * rng.uniform(0.8, 1.2, n)
    u_floor = np.array([1.0, 0.8, 0.5, 0.25])[age]
    u_win = np.array([5.0, 2.9, 2.0, 1.2])[age]
    h_op = u_wall * (facade - windows) + u_roof * footprint + 0.5 * u_floor * footprint
    classes = np.array(list(MASS_CLASSES))[rng.integers(1, 5, n)]
    cm_per = np.array([MASS_CLASSES[c][0] for c in classes])
    am_ratio = np.array([MASS_CLASSES[c][1] for c in classes])
    ach = rng.uniform(0.3, 1.2, n)
    h_ve = ach * floor * 2.8 / 3600.0 * 1.2 * 1006.0
    share = rng.dirichlet(np.ones(4), n)  # of facade and windows per orientation
    ap = np.zeros((n, 9))
    ap[:, 0] = 0.6 * 0.04 * u_roof * footprint
    ap[:, 1:5] = (0.6 * 0.04 * u_wall * (facade - windows))[:, None] * share
    ap[:, 5:9] = (windows * 0.7)[:, None] * share * rng.uniform(0.5, 1.0, (n, 1))  # frame, shades
    sky = 0.04 * u_roof * footprint * 5 * 0.9 + 0.5 * 0.04 * u_wall * (facade - windows) * 4.5
    return Zones.create(
        floor, h_tr_w=u_win * windows, h_tr_op=h_op, h_ve=h_ve, mass_class=None,
        c_m=cm_per * floor, a_m=am_ratio * floor, internal_gains=rng.uniform(2.0, 8.0, n) * floor,
        convective_fraction=0.5, solar_aperture=ap, sky_loss=sky,
        setpoint_profile=rng.integers(0, 3, n), district=np.sort(rng.integers(0, 50, n)),
    )


def drivers(solar: np.ndarray) -> Drivers:
    w = B.weather()
    h = w.hour
    heat = np.vstack([np.full(8760, 20.0), np.where((h >= 23) | (h <= 6), 16.0, 20.0),
                      np.full(8760, 19.0)])
    cool = np.vstack([np.full(8760, 26.0), np.full(8760, 26.0), np.full(8760, np.inf)])
    return Drivers.create(w.temp_air, solar, w.month, heat_setpoint=heat, cool_setpoint=cool)


def python_peer_seconds(zones: Zones, drv: Drivers, count: int) -> tuple[float, float | None]:
    """Seconds per building-year of the literal ISO loop and of RC_BuildingSimulator."""
    te = drv.theta_e
    phi_sol = zones.solar_aperture_t[:, :count].T @ drv.solar - zones.sky_loss[:count, None] * 11
    t0 = time.perf_counter()
    for i in range(count):
        ref = Zone5R1C(zones.floor_area[i], zones.h_tr_w[i], zones.h_tr_op[i], zones.a_m[i],
                       zones.c_m[i], zones.a_t[i], zones.h_ve[i], 0.5)
        s = zones.setpoint_profile[i]
        run_year(ref, te, np.full(8760, zones.internal_gains[i]), phi_sol[i],
                 drv.heat_setpoint[s], drv.cool_setpoint[s], warmup_hours=0)
    ours_py = (time.perf_counter() - t0) / count
    try:
        import rcbsim.emission_system as es
        import rcbsim.supply_system as ss
        from rcbsim.building_physics import Zone
    except ImportError:
        return ours_py, None
    t0 = time.perf_counter()
    for i in range(count):
        fa = float(zones.floor_area[i])
        z = Zone(window_area=float(zones.h_tr_w[i]) / 2.0, walls_area=float(zones.h_tr_op[i]),
                 floor_area=fa, room_vol=2.8 * fa, total_internal_area=float(zones.a_t[i]),
                 u_walls=1.0, u_windows=2.0, ach_vent=0.0, ach_infl=0.5,
                 ventilation_efficiency=0.0,
                 thermal_capacitance_per_floor_area=float(zones.c_m[i]) / fa,
                 t_set_heating=20.0, t_set_cooling=26.0,
                 heating_supply_system=ss.DirectHeater, cooling_supply_system=ss.DirectCooler,
                 heating_emission_system=es.AirConditioning,
                 cooling_emission_system=es.AirConditioning)
        tm = 20.0
        q = float(zones.internal_gains[i])
        for t in range(8760):
            z.solve_energy(q, phi_sol[i, t], te[t], tm)
            tm = z.t_m_next
    return ours_py, (time.perf_counter() - t0) / count


def solar_position_seconds() -> tuple[float, float, int]:
    import pandas as pd
    from pvlib.solarposition import get_solarposition

    w = B.weather()
    times = interval_samples(w.end_utc, 4).T.ravel()  # a year of 15-minute samples
    index = pd.DatetimeIndex(pd.to_datetime(times, unit="s", utc=True))
    solar_position(times[:10], w.latitude, w.longitude, w.elevation)  # compiled/cached
    t0 = time.perf_counter()
    solar_position(times, w.latitude, w.longitude, w.elevation, pressure=83000.0)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    get_solarposition(index, w.latitude, w.longitude, altitude=w.elevation, pressure=83000.0,
                      method="nrel_numpy")
    theirs = time.perf_counter() - t0
    return ours, theirs, times.size


def transposition_seconds() -> tuple[float, float]:
    import pvlib

    w = B.weather()
    zen, az, ext = B.sun(1)
    tilts = [0.0] + [90.0] * 8
    azs = [180.0] + [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]
    plane_irradiance(tilts, azs, w.ghi, w.dni, w.dhi, zen[0], az[0], ext)  # compiled/cached
    t0 = time.perf_counter()
    plane_irradiance(tilts, azs, w.ghi, w.dni, w.dhi, zen[0], az[0], ext)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for tilt, a in zip(tilts, azs):
        pvlib.irradiance.get_total_irradiance(tilt, a, zen[0], az[0], w.dni, w.ghi, w.dhi,
                                              dni_extra=ext, albedo=0.2, model="perez")
    return ours, time.perf_counter() - t0


def cold_compile_seconds() -> float:
    """Seconds to compile the 5R1C kernel from scratch (fresh numba cache, new process)."""
    import subprocess
    import tempfile

    code = (
        "import time, numpy as np\n"
        "t0 = time.perf_counter()\n"
        "from simulation.energy import Zones, Drivers, simulate_zones\n"
        "simulate_zones(Zones.create([100.0], 10.0, 50.0, 20.0, solar_aperture=[[1.0]]),\n"
        "               Drivers.create(np.zeros(48), np.zeros((1, 48))))\n"
        "print(time.perf_counter() - t0)\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             capture_output=True, text=True, cwd=HERE.parents[1])
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--python-buildings", type=int, default=3)
    args = parser.parse_args()
    n = args.buildings
    import numba

    solar = solar_drivers()
    drv = drivers(solar)
    compile_cold = cold_compile_seconds()
    t0 = time.perf_counter()
    simulate_zones(synthetic_zones(64), drv)
    first_call = time.perf_counter() - t0
    zones = synthetic_zones(n)
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    c0 = time.process_time()
    res = simulate_zones(zones, drv, n_districts=50)
    ours = time.perf_counter() - t0
    cpu = time.process_time() - c0
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # MiB on Linux
    building_hours = n * drv.n_hours
    if not np.all(np.isfinite(res.heating_Wh)) or res.heating_Wh.sum() <= 0:
        print("implausible results: heating sums are not finite and positive")
        return 1

    py_iso, py_rcb = python_peer_seconds(zones, drv, args.python_buildings)
    spa_ours, spa_pvlib, n_times = solar_position_seconds()
    tr_ours, tr_pvlib = transposition_seconds()

    threads = numba.get_num_threads()
    print(f"\nISO 13790 5R1C, {n:,} buildings x {drv.n_hours} h "
          f"(+{res.meta['warmup_hours']} h warm-up), {threads} threads, {os.cpu_count()} cores")
    print(f"  compile from scratch (new process)   {compile_cold:8.2f} s")
    print(f"  first call here (numba cache load)   {first_call:8.2f} s")
    print(f"  run                                  {ours:8.2f} s   "
          f"({building_hours / ours / 1e6:,.0f} M building-hours/s, CPU {cpu:.2f} s, "
          f"{cpu / building_hours * 1e9:.1f} ns/building-hour/core)")
    print(f"  peak traced memory (numpy)           {traced_peak / 2**20:8.1f} MiB   "
          f"(one float64 {n:,} x 8760 array: {building_hours * 8 / 2**20:,.0f} MiB)")
    print(f"  process RSS high-water mark          {rss_peak:8.1f} MiB")
    print(f"  annual heating / cooling, mean       {res.heating_Wh.mean() / 1e3:8.1f} / "
          f"{res.cooling_Wh.mean() / 1e3:.1f} kWh per building")
    print(f"\n{'peer (extrapolated to ' + f'{n:,} buildings)':<44}{'seconds':>12}{'ours faster':>14}")
    print(f"{'  numba kernel (this run)':<44}{ours:>12.2f}{1.0:>13.0f}x")
    peers = [("  plain Python, literal ISO 13790 C.4", py_iso)]
    if py_rcb is not None:
        peers.append(("  RC_BuildingSimulator (rcbsim) Zone", py_rcb))
    for name, per_building in peers:
        total = per_building * n
        print(f"{name:<44}{total:>12,.0f}{total / ours:>13,.0f}x")
    if py_rcb is None:
        print("  (RC_BuildingSimulator not installed: pip install --no-deps rcbsim)")
    print(f"\nsolar position, {n_times:,} times (a year of 15-min samples)")
    print(f"  NREL SPA numba {spa_ours:.3f} s, pvlib nrel_numpy {spa_pvlib:.3f} s: "
          f"{spa_pvlib / spa_ours:.1f}x")
    print("Perez transposition, 9 surfaces x 8760 h")
    print(f"  numba {tr_ours:.4f} s, pvlib get_total_irradiance {tr_pvlib:.3f} s: "
          f"{tr_pvlib / tr_ours:.0f}x")
    limit = TARGET_SECONDS_100K * n / 100_000
    ok = ours <= limit
    print(f"\ntarget: <= {limit:.1f} s for {n:,} buildings on 2 cores: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
