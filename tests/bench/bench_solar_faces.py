"""Benchmark: solar cadastre (irradiation and PV per roof face) of N synthetic LoD2 houses.

Generates a CityGML 2.0 file of gabled houses (``synthetic_citygml.py``: two roof faces each,
any orientation, 20-50° pitch, on a 30 m grid), imports it, gives it the DWD TRY 2011 year of
Essen shipped in demandlib, and times ``solar_cadastre``: roof faces and their sample points,
horizons from the neighbouring faces' edges, and a year of Perez irradiance and the PVWatts
chain per face. The numba kernels are loaded from their cache on a small twin first, so the
figure is steady-state; the import is timed apart and not counted.

    .venv/bin/python tests/bench/bench_solar_faces.py [--buildings 10000] [--repeat 3]

Target (checked from 10,000 buildings up, non-zero exit when missed): at most 30 s.
"""

from __future__ import annotations

import argparse
import importlib.resources
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_citygml import write_synthetic_citygml

TARGET_SECONDS_10K = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from twin.energy.solar import energy_weather
    from twin.energy.solar_cadastre import solar_cadastre
    from twin.importers.assemble import assemble
    from twin.importers.citygml import read_citygml
    from twin.importers.weather import read_weather

    resource = importlib.resources.files("demandlib") / "vdi" / "resources_weather"
    weather = read_weather(Path(str(resource / "TRY2010_05_Jahr.dat"))).weather
    site = energy_weather(weather, 0.2)
    with tempfile.TemporaryDirectory() as folder:
        small = assemble("warmup", [read_citygml(
            write_synthetic_citygml(Path(folder) / "warmup.gml", 20))])
        solar_cadastre(small, site)
        start = time.perf_counter()
        twin = assemble("bench", [read_citygml(
            write_synthetic_citygml(Path(folder) / "city.gml", args.buildings))])
        imported = time.perf_counter() - start
    times, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        cadastre = solar_cadastre(twin, site)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert cadastre is not None
    faces = cadastre.faces
    median = statistics.median(times)
    print(f"buildings {len(twin.buildings)}, roof faces {len(faces)}, sample points "
          f"{len(cadastre.geometry.points)}, edges {len(cadastre.geometry.edges)}")
    print(f"import (not counted) {imported:.1f} s; solar cadastre "
          f"{', '.join(f'{t:.2f}' for t in times)} s, median {median:.2f} s (CPU time of all "
          f"threads, median {statistics.median(cpu):.2f} s)")
    q = faces["irradiation_kWh_m2"].quantile([0.05, 0.5, 0.95])
    print(f"irradiation kWh/m2 a: p5 {q.iloc[0]:.0f}, median {q.iloc[1]:.0f}, p95 "
          f"{q.iloc[2]:.0f}; sunlit share median {faces['sunlit_share'].median():.3f}")
    if args.buildings >= 10_000 and median > TARGET_SECONDS_10K * args.buildings / 10_000:
        print(f"MISSED: over {TARGET_SECONDS_10K:.0f} s per 10,000 buildings")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
