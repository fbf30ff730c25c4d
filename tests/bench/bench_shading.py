"""Benchmark: horizon shading of roofs and facades from a DSM, against a plain-numpy peer.

Measured in one process:

- a synthetic city DSM of 1 km^2 at 0.5 m (2000 x 2000 cells: street grid, ~2300 buildings of
  6-45 m on rolling terrain) with 50,000 surface points (10,000 roof samples, 40,000 facade
  points at mid-height 0.5 m out from the wall) x 72 azimuths: ``horizon_profiles`` (first
  call = numba compile or cache load, timed apart), ``sky_view_factor`` and ``beam_sunlit``
  for a year of hours at Delft's sun;
- the same rays by a plain-numpy vectorised ray march (fixed 0.25 m steps, nearest cell, all
  rays in lock-step, finished rays dropped), timed on a subset and extrapolated, with its
  difference to the exact traversal;
- the real Delft AHN3 DSM (``../shared/data/delft/dem/delft_ahn3_dsm_50cm.tif``, 530 x 460
  cells, read with rasterio here only) with the 160 CityJSON buildings' roofs and facades.

    .venv/bin/python tests/bench/bench_shading.py [--points 50000] [--numpy-points 1000]

Target: <= 10 s for 50,000 points x 72 azimuths on the 2000 x 2000 DSM on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import numba
import numpy as np

from simulation.energy import Site, Weather, sun_positions
from simulation.energy.horizon import (
    DsmGrid,
    beam_sunlit,
    facade_points,
    horizon_profiles,
    sky_view_factor,
)

TARGET_SECONDS = 10.0
CELL = 0.5
N_CELLS = 2000
DELFT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "delft"
LAT, LON = 52.012, 4.366  # Delft


def synthetic_city(seed: int = 1):
    """DSM (2000 x 2000, north-up, lower-left corner at 0, 0) and building boxes
    (x0, y0, x1, y1, roof z) of a city of 80 m blocks with 16 m streets."""
    rng = np.random.default_rng(seed)
    centres = (np.arange(N_CELLS) + 0.5) * CELL
    xx, yy = np.meshgrid(centres, centres[::-1])
    terrain = 2.0 * np.sin(xx / 150.0) * np.cos(yy / 200.0) + 0.005 * xx
    dsm = terrain.copy()
    boxes = []
    for bx in np.arange(8.0, 1000.0 - 64.0, 80.0):
        for by in np.arange(8.0, 1000.0 - 64.0, 80.0):
            for i in range(4):
                for j in range(4):
                    x0 = bx + 16.0 * i + rng.uniform(0.0, 2.0)
                    y0 = by + 16.0 * j + rng.uniform(0.0, 2.0)
                    x1 = bx + 16.0 * (i + 1) - rng.uniform(0.0, 2.0)
                    y1 = by + 16.0 * (j + 1) - rng.uniform(0.0, 2.0)
                    h = rng.choice([6.0, 9.0, 12.0, 15.0, 20.0, 30.0, 45.0],
                                   p=[0.2, 0.25, 0.2, 0.15, 0.1, 0.07, 0.03])
                    c0, c1 = round(x0 / CELL), round(x1 / CELL)
                    r0, r1 = N_CELLS - round(y1 / CELL), N_CELLS - round(y0 / CELL)
                    base = terrain[r0:r1, c0:c1].min()
                    dsm[r0:r1, c0:c1] = base + h
                    boxes.append((c0 * CELL, (N_CELLS - r1) * CELL, c1 * CELL,
                                  (N_CELLS - r0) * CELL, base, h))
    return dsm, np.array(boxes)


def city_points(boxes: np.ndarray, n_points: int, seed: int = 2):
    """Roof samples (3 x 3 per roof, 0.2 m up) and facade points (walls cut in 2 m pieces),
    subsampled to 20 % roof / 80 % facade points."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1, base, h = boxes.T
    frac = np.array([1.0, 3.0, 5.0]) / 6.0
    qx = (x0[:, None, None] + frac[None, :, None] * (x1 - x0)[:, None, None]).repeat(3, 2).ravel()
    qy = (y0[:, None, None] + frac[None, None, :] * (y1 - y0)[:, None, None]).repeat(3, 1).ravel()
    qz = np.repeat(base + h + 0.2, 9)
    walls = []
    for bx0, by0, bx1, by1, b, hh in boxes:
        ring = [(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1), (bx0, by0)]  # CCW
        for (ax, ay), (cx, cy) in itertools.pairwise(ring):
            n = max(1, int(np.hypot(cx - ax, cy - ay) // 2.0))
            f = np.arange(n + 1) / n
            for k in range(n):
                walls.append((ax + f[k] * (cx - ax), ay + f[k] * (cy - ay),
                              ax + f[k + 1] * (cx - ax), ay + f[k + 1] * (cy - ay), b, hh))
    w = np.array(walls)
    fx, fy, fz, faz = facade_points(*w.T)
    n_roof = n_points // 5
    r = np.sort(rng.choice(qx.size, n_roof, replace=False))
    f = np.sort(rng.choice(fx.size, n_points - n_roof, replace=False))
    x = np.concatenate([qx[r], fx[f]])
    y = np.concatenate([qy[r], fy[f]])
    z = np.concatenate([qz[r], fz[f]])
    tilt = np.concatenate([np.zeros(n_roof), np.full(f.size, 90.0)])
    azimuth = np.concatenate([np.full(n_roof, 180.0), faz[f]])
    return x, y, z, tilt, azimuth


def horizon_numpy(dsm, transform, x, y, z, n_azimuth: int, step: float = 0.25) -> np.ndarray:
    """Plain-numpy peer: every ray marched in fixed steps, nearest cell, vectorised over rays."""
    a, _, c, _, e, f = transform
    n_rows, n_cols = dsm.shape
    zg = np.where(np.isnan(dsm), -np.inf, dsm)
    gmax = zg.max()
    phi = np.arange(n_azimuth) * 2.0 * np.pi / n_azimuth
    c0 = np.repeat((np.asarray(x) - c) / a, n_azimuth)
    r0 = np.repeat((np.asarray(y) - f) / e, n_azimuth)
    z0 = np.repeat(np.asarray(z, float), n_azimuth)
    dc = np.tile(np.sin(phi) / a, len(x))
    dr = np.tile(np.cos(phi) / e, len(x))
    own_c = np.floor(c0)
    own_r = np.floor(r0)
    tan_max = np.zeros(c0.size)
    active = np.arange(c0.size)
    t = step
    while active.size:
        cc = np.floor(c0[active] + t * dc[active])
        rr = np.floor(r0[active] + t * dr[active])
        inside = (cc >= 0) & (cc < n_cols) & (rr >= 0) & (rr < n_rows)
        active, cc, rr = active[inside], cc[inside].astype(np.int64), rr[inside].astype(np.int64)
        tan = (zg[rr, cc] - z0[active]) / t
        tan[(cc == own_c[active]) & (rr == own_r[active])] = 0.0
        tan_max[active] = np.maximum(tan_max[active], tan)
        active = active[gmax - z0[active] > tan_max[active] * t]
        t += step
    return np.degrees(np.arctan(tan_max)).reshape(len(x), n_azimuth)


def _timed(fn, *args, **kw):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w0, time.process_time() - c0


def year_sun():
    """Apparent zenith and azimuth at the midpoints of the 8760 hours of 2021 at Delft."""
    end = np.datetime64("2021-01-01T01:00", "s").astype(np.int64) + 3600.0 * np.arange(8760)
    calm = np.zeros(end.shape[0])  # only the sun is needed: no irradiance, standard air
    sun = sun_positions(Weather(end.astype(float), 12.0, calm, calm, calm, calm, Site(LAT, LON)))
    return sun.apparent_zenith[0], sun.azimuth[0]


def _first_calls(grid, x, y, z, tilt, az, zen, saz) -> None:
    """One small call of each kernel: numba compile, or loading it from the cache."""
    h = horizon_profiles(grid, x, y, z, 72)
    sky_view_factor(h, tilt, az)
    beam_sunlit(h, zen, saz)


def bench_synthetic(n_points: int, numpy_points: int) -> None:
    dsm, boxes = synthetic_city()
    transform = (CELL, 0.0, 0.0, 0.0, -CELL, N_CELLS * CELL)
    grid, t_grid, _ = _timed(DsmGrid.from_array, dsm, transform)
    x, y, z, tilt, az = city_points(boxes, n_points)
    zen, saz = year_sun()
    _, t_first, _ = _timed(_first_calls, grid, x[:20], y[:20], z[:20], tilt[:20], az[:20],
                           zen, saz)
    h, t_h, c_h = _timed(horizon_profiles, grid, x, y, z, 72)
    svf, t_svf, c_svf = _timed(sky_view_factor, h, tilt, az)
    lit_hours = np.zeros(n_points)
    t_lit = c_lit = 0.0
    for lo in range(0, n_points, 10_000):  # blocks keep the bool mask at ~90 MB
        lit, dt, dc = _timed(beam_sunlit, h[lo:lo + 10_000], zen, saz)
        t_lit += dt
        c_lit += dc
        lit_hours[lo:lo + 10_000] = lit.sum(axis=1)
    print(f"synthetic city: {len(boxes)} buildings on {dsm.shape[0]} x {dsm.shape[1]} cells "
          f"of {CELL} m; {n_points} points ({n_points // 5} roof, {n_points - n_points // 5} "
          f"facade) x 72 azimuths")
    print(f"  pyramid build {t_grid:.2f} s; first calls (compile or cache load) {t_first:.2f} s")
    print(f"  horizon profiles: {t_h:.2f} s wall, {c_h:.2f} s CPU, "
          f"{t_h / (n_points * 72) * 1e9:.0f} ns per ray "
          f"({'meets' if t_h <= TARGET_SECONDS else 'MISSES'} the {TARGET_SECONDS:.0f} s target)")
    print(f"  sky-view factors {t_svf:.2f} s wall ({c_svf:.2f} s CPU); beam sunlit for 8760 h "
          f"{t_lit:.2f} s wall ({c_lit:.2f} s CPU)")
    print(f"  mean horizon {h.mean():.1f} deg; SVF roofs {svf[tilt == 0].mean():.3f}, facades "
          f"{svf[tilt == 90].mean():.3f}; sunlit hours (sun up) roofs "
          f"{lit_hours[tilt == 0].mean():.0f}, facades {lit_hours[tilt == 90].mean():.0f} "
          f"of {(zen < 90).sum()}")
    sub = np.linspace(0, n_points - 1, numpy_points).astype(int)
    h_np, t_np, c_np = _timed(horizon_numpy, dsm, transform, x[sub], y[sub], z[sub], 72)
    t_np_all = t_np * n_points / numpy_points
    c_np_all = c_np * n_points / numpy_points
    diff = h_np - h[sub]
    print(f"  plain numpy peer: {t_np:.2f} s for {numpy_points} points -> ~{t_np_all:.0f} s for "
          f"{n_points}: {t_np_all / t_h:.0f}x slower wall, {c_np_all / c_h:.0f}x in CPU time")
    print(f"  numpy peer vs exact traversal: mean "
          f"{diff.mean():+.3f} deg, mean |d| {np.abs(diff).mean():.3f} deg, "
          f"99th pct |d| {np.percentile(np.abs(diff), 99):.2f} deg")


def delft_points():
    """Roof (representative point) and facade points of the 160 Delft CityJSON buildings."""
    from shapely.geometry.polygon import orient

    from twin.importers.cityjson import read_cityjson

    b = read_cityjson(DELFT / "delft.city.json").buildings
    roof = b.geometry.representative_point()
    walls = []
    for poly, base, height in zip(b.geometry, b.base_elevation, b.height):
        ring = np.asarray(orient(poly, 1.0).exterior.coords)
        for (ax, ay), (cx, cy) in itertools.pairwise(ring):
            if np.hypot(cx - ax, cy - ay) >= 1.0:
                walls.append((ax, ay, cx, cy, base, height))
    return np.array([roof.x, roof.y]).T, np.array(walls)


def bench_delft() -> None:
    import rasterio

    with rasterio.open(DELFT / "dem" / "delft_ahn3_dsm_50cm.tif") as src:
        dsm = src.read(1, masked=True).filled(np.nan).astype(np.float64)
        transform = tuple(src.transform)[:6]
    grid = DsmGrid.from_array(dsm, transform)
    roof_xy, walls = delft_points()
    fx, fy, fz, faz = facade_points(*walls.T)
    rz = grid.sample(*roof_xy.T) + 0.2
    x = np.concatenate([roof_xy[:, 0], fx])
    y = np.concatenate([roof_xy[:, 1], fy])
    z = np.concatenate([rz, fz])
    tilt = np.concatenate([np.zeros(len(rz)), np.full(fx.size, 90.0)])
    az = np.concatenate([np.full(len(rz), 180.0), faz])
    h, t_h, _ = _timed(horizon_profiles, grid, x, y, z, 72)
    svf = sky_view_factor(h, tilt, az)
    exposed = grid.sample(fx, fy) < fz  # not a party wall (the point is not inside a neighbour)
    print(f"Delft AHN3 DSM {dsm.shape[1]} x {dsm.shape[0]} cells: {len(rz)} roofs + {fx.size} "
          f"facade points x 72 azimuths in {t_h * 1000:.0f} ms "
          f"({t_h / (x.size * 72) * 1e9:.0f} ns per ray)")
    print(f"  mean SVF roofs {svf[:len(rz)].mean():.3f}; facades {svf[len(rz):].mean():.3f}, "
          f"the {exposed.sum()} not on party walls {svf[len(rz):][exposed].mean():.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=50_000)
    ap.add_argument("--numpy-points", type=int, default=1_000)
    args = ap.parse_args()
    print(f"numba threads {numba.get_num_threads()}, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())} before the run")
    bench_synthetic(args.points, args.numpy_points)
    bench_delft()


if __name__ == "__main__":
    main()
