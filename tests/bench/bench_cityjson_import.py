"""Benchmark: CityJSON import of N synthetic LoD1 buildings, ours against cjio's load.

Generates a 3dfier-like CityJSON file (see ``synthetic_cityjson.py``), then times in the same
process ``twin.importers.cityjson.read_cityjson`` (parse + footprints, areas, volumes) and cjio's
load of the same file (``cityjson.reader`` + ``check_version``, what every ``cjio FILE ...``
command does first; cjio 0.10 has no separate ``load``). Numba kernels are compiled (or loaded
from cache) on a small file first, so the figures are steady-state.

    .venv/bin/python tests/bench/bench_cityjson_import.py [--buildings 100000] [--keep FILE]

Targets: at least 3x faster than cjio and under 20 s for 100,000 buildings on 2 cores (checked,
with a non-zero exit when missed, from 100,000 buildings up).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_cityjson import write_synthetic_cityjson

from twin.importers.cityjson import read_cityjson

TARGET_RATIO = 3.0
TARGET_SECONDS_100K = 20.0


def time_ours(path: Path) -> tuple[float, int]:
    """Seconds for our import and the number of buildings it returned."""
    start = time.perf_counter()
    source = read_cityjson(path)
    elapsed = time.perf_counter() - start
    return elapsed, len(source.buildings)


def time_cjio(path: Path) -> tuple[float, int]:
    """Seconds for cjio's load and the number of Buildings in what it loaded."""
    from cjio import cityjson

    start = time.perf_counter()
    with open(path, encoding="utf-8-sig") as handle:
        model = cityjson.reader(file=handle)
    model.check_version()
    elapsed = time.perf_counter() - start
    count = sum(1 for obj in model.j["CityObjects"].values() if obj["type"] == "Building")
    return elapsed, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the synthetic file here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warmup = write_synthetic_cityjson(Path(folder) / "warmup.city.json", 50)
        read_cityjson(warmup)
        path = args.keep or Path(folder) / "synthetic.city.json"
        if not path.exists():
            start = time.perf_counter()
            write_synthetic_cityjson(path, args.buildings)
            print(f"generated {path.name}: {args.buildings} buildings, "
                  f"{path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
        ours, n_ours = time_ours(path)
        gc.collect()
        theirs, n_theirs = time_cjio(path)
    if n_ours != args.buildings or n_theirs != args.buildings:
        print(f"building counts differ: ours {n_ours}, cjio {n_theirs}, "
              f"expected {args.buildings}")
        return 1
    ratio = theirs / ours
    print(f"\nCityJSON import, {args.buildings} LoD1 buildings, {os.cpu_count()} cores")
    print(f"{'tool':<28}{'seconds':>10}{'buildings/s':>14}{'vs cjio':>10}")
    print(f"{'twin read_cityjson':<28}{ours:>10.2f}{n_ours / ours:>14,.0f}{ratio:>9.1f}x")
    print(f"{'cjio reader (load only)':<28}{theirs:>10.2f}{n_theirs / theirs:>14,.0f}{1.0:>9.1f}x")
    if args.buildings < 100_000:
        print("\n(the targets are set for 100,000 buildings; fixed costs weigh more here)")
        return 0
    limit = TARGET_SECONDS_100K * args.buildings / 100_000
    ok = ratio >= TARGET_RATIO and ours <= limit
    print(f"\ntargets: >= {TARGET_RATIO:.0f}x cjio and <= {limit:.1f} s: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
