"""Benchmark: the whole energy run on a twin (archetypes, party walls, solar, kernel, results).

- the Delft sample (160 buildings) with the shipped weather file: import timed apart, then the
  first run (numba compile or cache load) and the median of repeated runs; target < 5 s;
- a synthetic twin of N buildings (default 100,000): terraces of touching houses in blocks,
  heights, uses and construction years drawn at random, walls completed by the import's own
  rules; time per stage (kernel inputs, kernel, results) and, in a second pass, the peak of
  traced (numpy) memory; the process RSS high-water mark at the end.

    .venv/bin/python tests/bench/bench_energy_city.py [--buildings 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import sys
import time
import tracemalloc

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from simulation.energy import simulate_zones
from twin.energy import EnergySettings, energy_inputs, run_energy
from twin.importers.assemble import import_files
from twin.importers.building_completion import complete_buildings
from twin.importers.samples import DATASETS, sample_files
from twin.importers.weather import read_weather
from twin.model import Network, Terrain, Twin

WEATHER_FILE = DATASETS / "weather" / "TRY2010_05_Jahr.dat"
TARGET_DELFT_SECONDS = 5.0
USES = np.array(["residential", "office", "retail", "education", "industrial", "unknown"])
USE_SHARE = np.array([0.75, 0.08, 0.05, 0.02, 0.03, 0.07])
NON_RESIDENTIAL = ["office", "retail", "education", "industrial"]


def synthetic_twin(n: int, seed: int = 7) -> Twin:
    """n buildings in rows of 8 touching houses (6-12 m wide, 8-12 m deep), rows 30 m apart."""
    rng = np.random.default_rng(seed)
    per_row = 8
    rows = -(-n // per_row)
    width = rng.uniform(6.0, 12.0, n)
    depth = rng.uniform(8.0, 12.0, n)
    row = np.arange(n) // per_row
    pos = np.arange(n) % per_row
    starts = np.zeros(n)
    for k in range(1, per_row):  # x offset = sum of the widths before it in its row
        here = pos == k
        starts[here] = starts[np.flatnonzero(here) - 1] + width[np.flatnonzero(here) - 1]
    grid = int(np.ceil(np.sqrt(rows)))
    x0 = 80000.0 + (row % grid) * 120.0 + starts  # RD New, around Delft
    y0 = 440000.0 + (row // grid) * 30.0
    boxes = shapely.box(x0, y0, x0 + width, y0 + depth)
    crs = CRS.from_epsg(28992)
    frame = gpd.GeoDataFrame({
        "id": [f"s{i}" for i in range(n)],
        "height": rng.choice([3.0, 6.0, 9.0, 12.0, 15.0], n, p=[0.1, 0.45, 0.25, 0.15, 0.05]),
        "base_elevation": np.zeros(n),
        "use": rng.choice(USES, n, p=USE_SHARE),
        "year": rng.choice(np.r_[np.arange(1900, 2024), [-1]], n).astype(float),
    }, geometry=boxes, crs=crs)
    frame.loc[frame["year"] < 0, "year"] = np.nan
    buildings, _ = complete_buildings(frame, Terrain())
    return Twin(name=f"synthetic-{n}", crs=crs, buildings=buildings, network=Network.empty(crs),
                weather=read_weather(WEATHER_FILE).weather)


def bench_delft(repeat: int) -> None:
    t0 = time.perf_counter()
    twin = import_files([*sample_files("delft"), WEATHER_FILE], "delft")
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = run_energy(twin)
    t_first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run_energy(twin)
        times.append(time.perf_counter() - t0)
    run = statistics.median(times)
    k = first.kpis
    print(f"Delft sample: {len(twin.buildings)} buildings x {len(twin.weather.data)} h")
    print(f"  import (CityJSON + DTM/DSM + weather)  {t_import:7.2f} s")
    print(f"  first run (incl. numba cache load)      {t_first:7.2f} s")
    print(f"  run, median of {repeat}                    {run:7.2f} s   "
          f"(target < {TARGET_DELFT_SECONDS:g} s: "
          f"{'met' if run < TARGET_DELFT_SECONDS else 'MISSED'})")
    print(f"  heating {k['heating_MWh']:.0f} MWh = {k['heating_kWh_m2']:.0f} kWh/m² of "
          f"{k['floor_area_m2']:.0f} m²; cooling {k['cooling_kWh_m2']:.1f} kWh/m²; "
          f"peak heating {k['peak_heating_MW']:.2f} MW, cooling {k['peak_cooling_MW']:.2f} MW")


def stages(twin: Twin) -> tuple[float, float, float, float]:
    """(inputs s, kernel s, kernel without scheduled ventilation s, whole run s)."""
    t0 = time.perf_counter()
    inputs = energy_inputs(twin, EnergySettings())
    t_inputs = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate_zones(inputs.zones, inputs.drivers, n_districts=1)
    t_kernel = time.perf_counter() - t0
    steady = dataclasses.replace(inputs.zones, h_ve_extra=np.zeros(inputs.zones.n))
    t0 = time.perf_counter()
    simulate_zones(steady, inputs.drivers, n_districts=1)
    t_steady = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_energy(twin)
    return t_inputs, t_kernel, t_steady, time.perf_counter() - t0


def bench_synthetic(n: int) -> None:
    t0 = time.perf_counter()
    twin = synthetic_twin(n)
    t_build = time.perf_counter() - t0
    t_inputs, t_kernel, t_steady, t_run = stages(twin)
    tracemalloc.start()
    run = run_energy(twin)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    k = run.kpis
    hours = len(twin.weather.data)
    print(f"Synthetic twin: {n:,} buildings x {hours} h "
          f"({int(k['buildings']):,} simulated, {len(run.warnings)} warnings)")
    print(f"  building the twin (not timed below)     {t_build:7.2f} s")
    print(f"  kernel inputs (archetypes, party walls, solar, profiles) {t_inputs:7.2f} s")
    print(f"  kernel (5R1C, + 336 h warm-up)          {t_kernel:7.2f} s   "
          f"({n * hours / t_kernel / 1e6:.0f} M building-hours/s)")
    print(f"  kernel, scheduled ventilation off       {t_steady:7.2f} s   "
          f"(the {int((twin.buildings['use'].isin(NON_RESIDENTIAL)).sum()):,} non-residential "
          "zones switch coefficient sets with their ventilation level)")
    print(f"  whole run_energy                        {t_run:7.2f} s   "
          f"(kernel {t_kernel / t_run:.0%} of it)")
    print(f"  peak traced memory during run_energy    {peak / 2**20:7.0f} MiB")
    print(f"  process RSS high-water mark             {rss:7.0f} MiB")
    print(f"  heating {k['heating_kWh_m2']:.0f} kWh/m², peak {k['peak_heating_MW']:.1f} MW")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bench_delft(args.repeat)
    bench_synthetic(args.buildings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
