"""Benchmark: sweep throughput of ``run_sweep`` on 1 and on 2 local worker processes.

16 runs of the Helsinki sample baseline (4,000 generated car trips over the morning peak and
the hourly energy of its 444 buildings over a year, results files written), one per mobility
seed. For each worker count: the cluster start-up, a warm-up sweep of one run per worker
(imports, numba cache loads), then the timed sweep; runs per minute of the timed sweep and,
for reference, counting start-up and warm-up too. Scaling efficiency = throughput on 2 workers
/ (2 x throughput on 1); target above 80 %. The load average is printed before and after:
the figures only mean something on an otherwise idle machine.

    .venv/bin/python tests/bench/bench_batch.py [--runs 16]

Only the standard library is imported at the top: spawned workers import this module first,
and numba imported there would keep its thread count from NUMBA_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET_EFFICIENCY = 0.80
SWEEP = """format = 1
name = "bench"
base = "helsinki_baseline.toml"

[[parameters]]
key = "mobility.seed"
range = {{ start = {first}, stop = {last}, step = 1 }}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16, help="runs in the timed sweep")
    args = parser.parse_args()
    print(f"load average before: {_load()}")
    throughput = {n: _measure(n, args.runs) for n in (1, 2)}
    efficiency = throughput[2] / (2 * throughput[1])
    verdict = "meets" if efficiency > TARGET_EFFICIENCY else "misses"
    print(f"scaling efficiency 1 -> 2 workers: {efficiency:.0%} ({verdict} the "
          f"{TARGET_EFFICIENCY:.0%} target)")
    print(f"load average after: {_load()}")


def _measure(workers: int, runs: int) -> float:
    """Runs per minute of a timed sweep of ``runs`` runs on ``workers`` warm workers."""
    from twin.runs.batch import local_cluster, run_sweep
    from twin.runs.sweep import sweep_from_text

    def sweep(first: int, count: int):
        text = SWEEP.format(first=first, last=first + count - 1)
        return sweep_from_text(text, REPO / "scenarios" / "bench_sweep.toml")

    timed = sweep(1, runs)
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        with local_cluster(workers) as cluster:
            started = time.perf_counter() - clock
            warm = run_sweep(sweep(1001, workers), Path(tmp) / "warm",
                             scheduler=cluster.scheduler_address)
            warmed = time.perf_counter() - clock - started
            clock_runs = time.perf_counter()
            table = run_sweep(timed, Path(tmp) / "timed", scheduler=cluster.scheduler_address)
            seconds = time.perf_counter() - clock_runs
        total = time.perf_counter() - clock
    assert (warm["status"] == "ok").all() and (table["status"] == "ok").all(), table["error"]
    per_minute = 60 * runs / seconds
    print(f"{workers} worker{'s' * (workers > 1)}: start-up {started:.1f} s, warm-up "
          f"{warmed:.1f} s, {runs} runs in {seconds:.1f} s = {per_minute:.1f} runs/min "
          f"(median run {table['elapsed_s'].median():.2f} s; with start-up and warm-up "
          f"{60 * runs / total:.1f} runs/min)", flush=True)
    return per_minute


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    main()
