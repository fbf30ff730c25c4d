"""Benchmark: CityGML import of N synthetic LoD2 gabled houses, ours against GDAL's GML driver.

Generates a CityGML 2.0 file like the German states' LoD2 tiles (see ``synthetic_citygml.py``),
then runs, each in a fresh child process so that its peak memory is its own, our
``twin.importers.citygml.read_citygml`` (streamed parse, footprints, areas, volumes, the surfaces
layer) and GDAL's GML driver reading the ``Building`` layer of the same file through pyogrio
(``read_dataframe``, no ``.gfs`` written). Our numba kernels are loaded from their cache on a
small file first, so the figures are steady-state.

    .venv/bin/python tests/bench/bench_citygml_import.py [--buildings 100000] [--keep FILE]

Targets (checked from 100,000 buildings up, non-zero exit when missed): at most 30 s, peak
memory under 2 GB, and at least 3x faster than GDAL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_citygml import write_synthetic_citygml

TARGET_RATIO = 3.0
TARGET_SECONDS_100K = 30.0
TARGET_PEAK_MB = 2000.0


def _peak_mb() -> float:
    """Peak resident memory of this process [MB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(tool: str, path: Path) -> dict[str, float]:
    """Seconds, buildings read and peak memory [MB] of one tool on ``path`` (in this process)."""
    if tool == "ours":
        from twin.importers.citygml import read_citygml

        with tempfile.TemporaryDirectory() as folder:
            read_citygml(write_synthetic_citygml(Path(folder) / "warmup.gml", 20))
        start = time.perf_counter()
        source = read_citygml(path)
        elapsed = time.perf_counter() - start
        count = len(source.buildings)
    else:
        import pyogrio

        start = time.perf_counter()
        frame = pyogrio.read_dataframe(path, layer="Building", WRITE_GFS="NO")
        elapsed = time.perf_counter() - start
        count = len(frame)
    return {"seconds": elapsed, "buildings": count, "peak_mb": _peak_mb()}


def in_child(tool: str, path: Path) -> dict[str, float]:
    """:func:`measure` run in a fresh Python process."""
    root = str(Path(__file__).resolve().parents[2])  # this checkout's packages first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, __file__, "--measure", tool, str(path)],
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the synthetic file here")
    parser.add_argument("--measure", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "synthetic.gml"
        if not path.exists():
            start = time.perf_counter()
            write_synthetic_citygml(path, args.buildings)
            print(f"generated {path.name}: {args.buildings} buildings, "
                  f"{path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
        ours = in_child("ours", path)
        gdal = in_child("gdal", path)
    if ours["buildings"] != args.buildings or gdal["buildings"] != args.buildings:
        print(f"building counts differ: ours {ours['buildings']}, GDAL {gdal['buildings']}, "
              f"expected {args.buildings}")
        return 1
    ratio = gdal["seconds"] / ours["seconds"]
    print(f"\nCityGML import, {args.buildings} LoD2 buildings, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'tool':<30}{'seconds':>10}{'buildings/s':>14}{'peak MB':>10}{'vs GDAL':>10}")
    for name, row, factor in (("twin read_citygml", ours, ratio),
                              ("GDAL GML driver (pyogrio)", gdal, 1.0)):
        print(f"{name:<30}{row['seconds']:>10.2f}{row['buildings'] / row['seconds']:>14,.0f}"
              f"{row['peak_mb']:>10.0f}{factor:>9.1f}x")
    if args.buildings < 100_000:
        return 0
    missed = []
    if ours["seconds"] > TARGET_SECONDS_100K * args.buildings / 100_000:
        missed.append(f"time {ours['seconds']:.1f} s over {TARGET_SECONDS_100K} s per 100,000")
    if ours["peak_mb"] >= TARGET_PEAK_MB:
        missed.append(f"peak memory {ours['peak_mb']:.0f} MB over {TARGET_PEAK_MB:.0f} MB")
    if ratio < TARGET_RATIO:
        missed.append(f"only {ratio:.1f}x faster than GDAL (target {TARGET_RATIO}x)")
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
