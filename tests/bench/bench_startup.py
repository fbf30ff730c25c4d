"""Start-up of the `twin` command against a bare Python interpreter.

Times `python -c pass`, `twin --help` and `twin info` on the Delft sample (imported into a
temporary folder first), each as a whole process, median of seven runs, and prints every figure
and its ratio to the bare interpreter. The issue's target: `twin --help` and `twin info` in
0.5 s or less. Then runs the mobility of the Helsinki baseline (`twin run --only mobility`) and
prints where its time went (the run's own time line: start-up, loading, network, demand,
mobility and within it the simulation, writing); the target: everything but the simulation
under 2 s with numba's cache warm (the first run fills it and is not counted).

    python tests/bench/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "helsinki_baseline.toml"


def median_seconds(command: list[str]) -> float:
    """Median wall time of ``RUNS`` runs of ``command`` [s]; a failing run raises."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the start-up figures."""
    twin = [sys.executable, "-m", "twin.cli"]
    with tempfile.TemporaryDirectory() as folder:
        delft = Path(folder) / "delft.twin"
        subprocess.run([*twin, "import", "--sample", "delft", "-o", str(delft)], check=True,
                       capture_output=True, timeout=600)
        bare = median_seconds([sys.executable, "-c", "pass"])
        print(f"python -c pass   {bare:6.3f} s")
        for name, args in (("twin --help", ["--help"]), ("twin info", ["info", str(delft)])):
            seconds = median_seconds([*twin, *args])
            print(f"{name:<16} {seconds:6.3f} s  ({seconds / bare:5.1f} x python -c pass; "
                  f"target 0.5 s)")
        mobility = [*twin, "run", str(BASELINE), "--only", "mobility", "-o",
                    str(Path(folder) / "mobility.h5")]
        subprocess.run(mobility, check=True, capture_output=True, timeout=600)  # fills the cache
        err = " ".join(subprocess.run(mobility, check=True, capture_output=True, text=True,
                                      timeout=600).stderr.split())
        print(f"twin run --only mobility (Helsinki baseline): {err[err.rindex('time (s):'):]}")


if __name__ == "__main__":
    main()
