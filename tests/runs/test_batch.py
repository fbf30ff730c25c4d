"""Batch sweeps on a real dask.distributed LocalCluster of worker processes: results files and
summary, failed runs recorded while the others finish, resume by run key, reproducible seeds,
and the ``twin batch`` command."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from twin.cli import main
from twin.runs import read_results
from twin.runs.batch import SUMMARY, local_cluster, run_sweep
from twin.runs.sweep import Sweep, load_sweep

BASE = Path(__file__).resolve().parents[2] / "tests" / "data" / "sweeps" / "helsinki_small.toml"
KPIS = ["mobility.arrived", "mobility.vehicle_km", "mobility.mean_travel_time"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two single-threaded worker processes, shared by the tests of this file."""
    with local_cluster(2) as running:
        yield running


def _sweep(folder: Path, parameters: str, head: str = "") -> Sweep:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BASE, folder / "base.toml")
    path = folder / "sweep.toml"
    path.write_text(f'format = 1\nbase = "base.toml"\n{head}\n{parameters}', encoding="utf-8")
    return load_sweep(path)


FACTORS = '[[parameters]]\nkey = "interventions[0].factor"\nvalues = [0.8, 1.0, 1.2]\n'


def test_workers_are_single_threaded_processes(cluster: LocalCluster) -> None:
    def probe() -> tuple[int, int]:
        import numba

        return os.getpid(), numba.config.NUMBA_NUM_THREADS

    with Client(cluster) as client:
        found = client.run(probe)
    assert len(found) == 2
    assert all(pid != os.getpid() and threads == 1 for pid, threads in found.values())
    assert all(w.nthreads == 1 for w in cluster.scheduler.workers.values())
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")


def test_failed_runs_are_recorded_and_the_others_finish(tmp_path: Path,
                                                       cluster: LocalCluster) -> None:
    sweep = _sweep(tmp_path / "sweep", """[[parameters]]
key = "interventions[1].select.names"
values = [["Mannerheimintie"], ["No Such Street"]]

[[parameters]]
key = "interventions[0].factor"
values = [0.8, 1.2, -1.0]
""")
    seen: list[str] = []
    out = tmp_path / "out"
    table = run_sweep(sweep, out, scheduler=cluster.scheduler_address,
                      progress=lambda row: seen.append(row["name"]))
    assert sorted(seen) == [f"run-00{k}" for k in range(6)]
    assert list(table.columns) == ["name", "interventions[1].select.names",
                                   "interventions[0].factor", "seed", "status", "error",
                                   "elapsed_s", *KPIS]
    assert list(table["status"]) == ["ok", "ok", "failed", "failed", "failed", "failed"]
    assert table.loc[2, "error"].startswith("ScenarioError: interventions[0].factor: -1.0 is "
                                            "below the minimum 0")
    assert table.loc[3, "error"].startswith("ScenarioError: ")
    assert "'No Such Street'" in table.loc[3, "error"]
    assert table.loc[3, "elapsed_s"] > 0 and pd.isna(table.loc[2, "elapsed_s"])
    assert sorted(p.name for p in out.iterdir()) == ["run-000.h5", "run-001.h5", SUMMARY]
    for k in (0, 1):
        results = read_results(out / f"run-00{k}.h5")
        assert results.provenance["run_key"] == sweep.runs[k].run_key
        assert results.kpis.loc[KPIS, "value"].tolist() == table.loc[k, KPIS].tolist()
    assert table.loc[0, "mobility.arrived"] < table.loc[1, "mobility.arrived"]  # 0.8 vs 1.2
    written = pd.read_csv(out / SUMMARY)
    assert list(written["status"]) == list(table["status"])
    assert written["mobility.vehicle_km"].tolist()[:2] == table["mobility.vehicle_km"].tolist()[:2]


def test_resume_skips_complete_runs_and_reruns_missing_or_stale(tmp_path: Path,
                                                               cluster: LocalCluster) -> None:
    sweep = _sweep(tmp_path / "sweep", FACTORS)
    out = tmp_path / "out"
    first = run_sweep(sweep, out, scheduler=cluster.scheduler_address)
    assert list(first["status"]) == ["ok"] * 3
    files = [out / f"run-00{k}.h5" for k in range(3)]
    mtimes = [f.stat().st_mtime_ns for f in files]

    again = run_sweep(sweep, out, scheduler=cluster.scheduler_address, resume=True)
    assert list(again["status"]) == ["skipped"] * 3
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    assert again[KPIS].equals(first[KPIS])

    files[1].unlink()
    shutil.copy(files[0], files[2])  # a whole file, but of another run: its run key differs
    stale = files[2].stat().st_mtime_ns
    resumed = run_sweep(sweep, out, scheduler=cluster.scheduler_address, resume=True)
    assert list(resumed["status"]) == ["skipped", "ok", "ok"]
    assert files[0].stat().st_mtime_ns == mtimes[0] and files[2].stat().st_mtime_ns != stale
    assert read_results(files[2]).provenance["run_key"] == sweep.runs[2].run_key
    assert resumed[KPIS].equals(first[KPIS])
    assert list(pd.read_csv(out / SUMMARY)["status"]) == ["skipped", "ok", "ok"]


def test_same_seed_same_kpis_on_a_new_local_cluster(tmp_path: Path,
                                                    cluster: LocalCluster) -> None:
    sweep = _sweep(tmp_path / "sweep", '[[parameters]]\nkey = "mobility.trips"\nvalues = [250]\n',
                   head="seeds = [1, 2]")
    own = run_sweep(sweep, tmp_path / "a", workers=2)  # its own LocalCluster
    shared = run_sweep(sweep, tmp_path / "b", scheduler=cluster.scheduler_address)
    assert list(own["seed"]) == [1, 2] and list(own["status"]) == ["ok", "ok"]
    assert own[KPIS].equals(shared[KPIS])
    assert own.loc[0, "mobility.vehicle_km"] != own.loc[1, "mobility.vehicle_km"]


def test_workers_and_scheduler_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        run_sweep(_sweep(tmp_path, FACTORS), tmp_path / "out", workers=1,
                  scheduler="tcp://127.0.0.1:1")


def test_twin_batch_prints_the_runs_and_exits_1_on_a_failed_run(
        tmp_path: Path, cluster: LocalCluster, capsys: pytest.CaptureFixture[str]) -> None:
    sweep = _sweep(tmp_path / "sweep", '[[parameters]]\nkey = "interventions[0].factor"\n'
                                       'values = [1.0, -2.0]\n')
    out = tmp_path / "out"
    code = main(["batch", str(sweep.path), "-o", str(out), "--scheduler",
                 cluster.scheduler_address])
    printed = capsys.readouterr()
    assert code == 1
    assert "run-001 failed: ScenarioError: interventions[0].factor" in printed.err
    assert "runs per minute" in printed.out and "skipped" in printed.out
    assert (out / "run-000.h5").is_file() and (out / SUMMARY).is_file()
    assert main(["batch", str(sweep.path), "-o", str(out), "--resume", "--workers", "1"]) == 1
    assert list(pd.read_csv(out / SUMMARY)["status"]) == ["skipped", "failed"]
