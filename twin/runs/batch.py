"""Run a sweep's scenarios in parallel on dask.distributed and tabulate their KPIs.

    sweep = load_sweep("scenarios/sweeps/helsinki_demand_pv.toml")
    summary = run_sweep(sweep, "out/helsinki_demand_pv", workers=2)

By default the runs go to a ``LocalCluster`` of single-threaded worker processes on 127.0.0.1
(one per CPU, each with ``NUMBA_NUM_THREADS=1`` so that numba's parallel kernels do not
oversubscribe the cores; spawned workers import the ``__main__`` module first, so a script that
imports numba at its top level defeats this: import localtwin inside its main function). With
``scheduler="tcp://HOST:PORT"`` they go to a running cluster whose workers have localtwin
installed and see the same files (base scenario, twin, output folder) at the same paths.

Every run writes ``OUTPUT/NAME.h5`` (``write_results``); ``OUTPUT/summary.csv`` has one row per
finished run (name, parameter values, seed, status ok/failed/skipped, error, elapsed_s, then
one column per KPI) and is rewritten as runs finish, so an interrupted sweep keeps what it did.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, LocalCluster, as_completed

from twin.errors import InputError
from twin.runs.execute import run_scenario
from twin.runs.results_file import read_results, write_results
from twin.runs.sweep import Sweep, SweepRun
from twin.scenarios import scenario_from_text

SUMMARY = "summary.csv"
SUMMARY_INTERVAL = 1.0
"""Least time between two rewrites of the summary while runs finish, s."""
WORKER_ENV = {"NUMBA_NUM_THREADS": "1"}
"""Environment of every local worker process."""

Progress = Callable[[dict[str, Any]], None]
"""Told each run's summary row as the run finishes (or is skipped)."""


def local_cluster(workers: int | None = None) -> LocalCluster:
    """A cluster of ``workers`` (default: the CPU count) single-threaded worker processes on
    127.0.0.1 with ``WORKER_ENV``, no dashboard (the scheduler's health endpoint on a free
    loopback port); close it (or use it as a context manager)."""
    return LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                        processes=True, host="127.0.0.1", dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        env=WORKER_ENV, silence_logs=logging.ERROR)


def run_sweep(sweep: Sweep, output_dir: str | Path, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False,
              progress: Progress | None = None) -> pd.DataFrame:
    """Run every run of ``sweep`` into ``output_dir`` and return the summary table (also
    written to ``output_dir/summary.csv``). workers: local worker processes (default: the CPU
    count); scheduler: address of a running cluster to use instead; resume: skip runs whose
    results file exists and records the same run key. A failed run is a row with its error."""
    if workers is not None and scheduler is not None:
        raise ValueError("give workers or scheduler, not both")
    output = Path(output_dir).resolve()
    output.mkdir(parents=True, exist_ok=True)
    summary = _Summary(output / SUMMARY, sweep)
    say = progress or (lambda _row: None)
    pending: list[SweepRun] = []
    for run in sweep.runs:
        kpis = _completed_kpis(output / f"{run.name}.h5", run.run_key) if resume else None
        if run.error is not None:
            say(summary.add(run, "failed", run.error))
        elif kpis is not None:
            say(summary.add(run, "skipped", kpis=kpis))
        else:
            pending.append(run)
    try:
        if pending:
            with _client(workers, scheduler, len(pending)) as client:
                futures = {client.submit(execute_run, run.text, str(sweep.base), run.seed,
                                         str(output / f"{run.name}.h5"), pure=False): run
                           for run in pending}
                for future in as_completed(futures):
                    say(summary.add(futures[future], **_outcome(future)))
                    future.release()
    finally:
        summary.write()
    return summary.table()


def execute_run(text: str, base: str, seed: int | None, output: str) -> dict[str, Any]:
    """The task of one run on a worker: read the scenario ``text`` as if from the file
    ``base``, run it with ``seed``, write ``output``. Returns status, error ("Type: message"),
    elapsed_s (s) and the KPI values by name; an exception is returned, not raised."""
    clock = time.perf_counter()
    try:
        run = run_scenario(scenario_from_text(text, base), seed=seed)
        write_results(run, output)
    except Exception as error:  # noqa: BLE001 - a failed run is a result of the sweep
        return {"status": "failed", "error": f"{type(error).__name__}: {error}",
                "elapsed_s": time.perf_counter() - clock}
    return {"status": "ok", "elapsed_s": time.perf_counter() - clock,
            "kpis": {str(k): float(v) for k, v in run.kpis["value"].items()}}


@contextmanager
def _client(workers: int | None, scheduler: str | None, runs: int) -> Iterator[Client]:
    """A client of a new local cluster (no more workers than ``runs``) or of ``scheduler``."""
    if scheduler is None:
        count = min(workers or os.cpu_count() or 1, runs)
        with local_cluster(count) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, ValueError) as error:
        raise InputError(None, "scheduler", f"cannot connect to {scheduler}: {error}") from None
    with client:
        yield client


def _outcome(future: Any) -> dict[str, Any]:
    """The task's result; a worker that died or a lost task is a failed run."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - recorded; the sweep goes on
        return {"status": "failed", "error": f"{type(error).__name__}: {error}"}


def _completed_kpis(path: Path, key: str) -> dict[str, float] | None:
    """The KPI values in the results file ``path`` if it exists, reads back and records the
    run key ``key``; else None."""
    if not path.is_file():
        return None
    try:
        results = read_results(path)
    except (InputError, OSError, KeyError):
        return None
    if results.provenance.get("run_key") != key:
        return None
    return {str(k): float(v) for k, v in results.kpis["value"].items()}


class _Summary:
    """The summary rows by run name, written to ``path`` at most every SUMMARY_INTERVAL s."""

    def __init__(self, path: Path, sweep: Sweep) -> None:
        self.path, self.sweep = path, sweep
        self.rows: dict[str, dict[str, Any]] = {}
        self.written = time.monotonic()

    def add(self, run: SweepRun, status: str, error: str = "", elapsed_s: float = float("nan"),
            kpis: dict[str, float] | None = None) -> dict[str, Any]:
        row = {"name": run.name, **run.values, "seed": run.seed, "status": status,
               "error": error, "elapsed_s": elapsed_s, **(kpis or {})}
        self.rows[run.name] = row
        if time.monotonic() - self.written >= SUMMARY_INTERVAL:
            self.write()
        return row

    def table(self) -> pd.DataFrame:
        """Rows in the sweep's run order; KPI columns in the order they first appear."""
        rows = [self.rows[run.name] for run in self.sweep.runs if run.name in self.rows]
        head = ["name", *(p.key for p in self.sweep.parameters), "seed", "status", "error",
                "elapsed_s"]
        kpis = list(dict.fromkeys(k for row in rows for k in row if k not in head))
        return pd.DataFrame(rows, columns=head + kpis)

    def write(self) -> None:
        """Write the table to a temporary file and rename it over ``path``."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.table().to_csv(tmp, index=False)
        os.replace(tmp, self.path)
        self.written = time.monotonic()
