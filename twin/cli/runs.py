"""``twin run``, ``twin compare`` and ``twin batch``: run a scenario into a results file,
compare two, run a sweep of scenario variants in parallel."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

from twin.cli.process_clock import process_seconds
from twin.printable import readable

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``run``, ``compare`` and ``batch`` subcommands."""
    run = commands.add_parser(
        "run", help="run a scenario headless and write its results file (HDF5)",
        description="Check a scenario against its base twin, apply its interventions, run its "
                    "simulations and write one HDF5 results file with KPIs and provenance.")
    run.add_argument("scenario", type=Path,
                     help="scenario file (TOML) or scenario package (.twinpkg, verified first and "
                          "unpacked beside the results as RESULTS_NAME.unpacked/)")
    run.add_argument("-o", "--output", type=Path,
                     help="results file to write (default: SCENARIO_NAME.h5 here)")
    run.add_argument("--seed", type=int, help="seed of every random draw (default: the scenario's)")
    run.add_argument("--only", choices=("mobility", "energy"),
                     help="run only this of the scenario's simulations and report only its KPIs")
    run.add_argument("--trust", type=Path, help="trust store folder for packages")
    run.add_argument("--untrusted", action="store_true",
                     help="accept an unsigned package or an unknown signer")
    run.set_defaults(handler=_run_command)

    compare = commands.add_parser(
        "compare", help="compare the KPIs of two results files and write a report (HTML)",
        description="Print a KPI table (A, B, change, % change) and write a self-contained HTML "
                    "report with the table, travel time distributions, hourly energy profiles and "
                    "maps of the change per link and per building.")
    compare.add_argument("a", type=Path, help="results file A (e.g. the baseline)")
    compare.add_argument("b", type=Path, help="results file B (e.g. the scenario)")
    compare.add_argument("-o", "--output", type=Path,
                         help="report to write (default: B_vs_A.html beside B)")
    compare.set_defaults(handler=_compare_command)

    batch = commands.add_parser(
        "batch", help="run a sweep of scenario variants in parallel (local processes or Dask)",
        description="Expand a sweep file (a base scenario and parameter values) into runs, run "
                    "them on local worker processes or a dask.distributed cluster, and write "
                    "one results file per run and summary.csv (KPIs per run). A failed run is "
                    "recorded and the sweep goes on; the exit code is 1 if any run failed.")
    batch.add_argument("sweep", type=Path, help="sweep file (TOML)")
    batch.add_argument("-o", "--output", type=Path,
                       help="folder for the results files and summary.csv (default: SWEEP_NAME "
                            "here)")
    where = batch.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int,
                       help="local worker processes (default: the CPU count)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="run on this running dask.distributed scheduler instead")
    batch.add_argument("--resume", action="store_true",
                       help="skip runs whose results file is complete (same run key)")
    batch.set_defaults(handler=_batch_command)


def _run_command(args: argparse.Namespace) -> int:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from twin.cli.output import console, styled
    from twin.runs.execute import run_scenario
    from twin.runs.results_file import write_results
    from twin.scenarios import load_scenario

    output = args.output or Path(f"{args.scenario.stem}.h5")
    path = args.scenario
    if path.suffix == ".twinpkg":
        path = _unpack(path, output, args.trust, args.untrusted)
    scenario = load_scenario(path)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("reading the scenario", total=None)
        run = run_scenario(scenario, lambda stage: progress.update(task, description=stage),
                           seed=args.seed, only=(args.only,) if args.only else ())
        progress.update(task, description=f"writing {output}")
        clock = time.perf_counter()
        write_results(run, output)
        writing = time.perf_counter() - clock
    out = console()
    out.print(_kpi_rich_table(run.kpis, scenario.metadata.title))
    for report in run.applied.reports:
        out.print(f"  - {report.summary()}", highlight=False, soft_wrap=True)
    for line in run.energy.warnings if run.energy is not None else ():
        out.print(styled(("  ! ", "yellow"), line), highlight=False, soft_wrap=True)
    out.print(styled("written ", (str(output), "bold")))
    console(stderr=True).print(styled((_time_line({**run.timings, "writing": writing}), "dim")))
    return 0


def _time_line(timings: dict[str, float]) -> str:
    """Where a run's time went: start-up (process start to now less the stages), each stage,
    the total and the time outside the simulation kernel (the total less ``simulation``) [s]."""
    stages = {k: v for k, v in timings.items() if k != "simulation"}
    shown = [f"{k} {v:.2f}" + (f" (simulation {timings['simulation']:.2f})"
                               if k == "mobility" and "simulation" in timings else "")
             for k, v in stages.items()]
    since_start = process_seconds()
    if since_start is not None:
        shown.insert(0, f"start-up {max(since_start - sum(stages.values()), 0.0):.2f}")
    total = since_start if since_start is not None else sum(stages.values())
    outside = total - timings.get("simulation", 0.0)
    return f"time (s): {', '.join(shown)}; total {total:.2f}, outside the simulation {outside:.2f}"


def _unpack(package: Path, output: Path, trust: Path | None, untrusted: bool) -> Path:
    """Verify ``package`` and unpack it into RESULTS_NAME.unpacked/ (replacing an earlier
    unpacking of a package there); returns its scenario file."""
    import shutil

    from twin.cli.output import console
    from twin.security import TrustStore, extract_package
    from twin.security.package import MANIFEST

    folder = output.with_name(f"{output.stem}.unpacked")
    if (folder / MANIFEST).is_file():
        shutil.rmtree(folder)
    scenario = extract_package(package, folder, TrustStore(trust), untrusted=untrusted)
    console(stderr=True).print(f"{package}: verified, unpacked into {folder}")
    return scenario


def _compare_command(args: argparse.Namespace) -> int:
    from twin.cli.output import console, styled
    from twin.runs.compare import compare_kpis
    from twin.runs.report import write_report
    from twin.runs.results_file import read_results

    a, b = read_results(args.a), read_results(args.b)
    table = compare_kpis(a, b)
    output = args.output or args.b.with_name(f"{args.b.stem}_vs_{args.a.stem}.html")
    write_report(a, b, output)
    out = console()
    out.print(_comparison_rich_table(table, a.title, b.title))
    twin_a, twin_b = (r.provenance.get("twin_sha256") for r in (a, b))
    if twin_a and twin_b and twin_a != twin_b:
        out.print(styled(("  ! ", "yellow"), "A and B ran on different twins (base twin SHA-256 "
                         f"{twin_a[:12]}… and {twin_b[:12]}…): the changes compare two places, "
                         "not two scenarios of one place"), highlight=False, soft_wrap=True)
    out.print(styled("written ", (str(output), "bold")))
    return 0


def _kpi_rich_table(kpis: pd.DataFrame, title: str) -> Table:
    from rich.table import Table

    table = Table("KPI", "value", "unit", title=title)
    for name, row in kpis.iterrows():
        table.add_row(str(name), readable(row["value"]), row["unit"])
    return table


def _comparison_rich_table(comparison: pd.DataFrame, title_a: str, title_b: str) -> Table:
    from rich.table import Table

    from twin.cli.output import styled

    table = Table("KPI", "A", "B", "change", "% change", "unit",
                  title=f"A: {title_a}  |  B: {title_b}")
    colours = {"better": "green", "worse": "red", "": ""}
    for name, row in comparison.iterrows():
        pct = "" if math.isnan(row["pct_change"]) else f"{row['pct_change']:+.1f} %"
        colour = colours[row["verdict"]]
        table.add_row(str(name), readable(row["a"]), readable(row["b"]),
                      styled((readable(row["change"], "+"), colour)), styled((pct, colour)),
                      row["unit"])
    return table


def _batch_command(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from twin.cli.output import console, styled
    from twin.runs.batch import SUMMARY, run_sweep
    from twin.runs.sweep import load_sweep

    sweep = load_sweep(args.sweep)
    output = args.output or Path(args.sweep.stem)
    clock = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console(stderr=True)) as progress:
        task = progress.add_task(f"{sweep.name}: runs", total=len(sweep.runs))

        def finished(row: dict) -> None:
            progress.advance(task)
            if row["status"] == "failed":
                progress.console.print(styled((f"{row['name']} failed:", "red"), f" {row['error']}"),
                                       highlight=False, soft_wrap=True)

        summary = run_sweep(sweep, output, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, progress=finished)
    out = console()
    out.print(_batch_rich_table(summary, time.perf_counter() - clock, sweep.name))
    out.print(styled("written ", (str(output), "bold"), f": results files and {SUMMARY}"))
    return 1 if (summary["status"] == "failed").any() else 0


def _batch_rich_table(summary: pd.DataFrame, seconds: float, name: str) -> Table:
    """Runs by status, wall time and throughput (runs executed per minute of wall time)."""
    from rich.table import Table

    counts = summary["status"].value_counts()
    executed = int(summary["elapsed_s"].notna().sum())
    table = Table("runs", "", title=name)
    for status in ("ok", "failed", "skipped"):
        table.add_row(status, str(int(counts.get(status, 0))))
    table.add_row("wall time", f"{seconds:.1f} s")
    table.add_row("runs per minute", f"{60 * executed / seconds:.1f}")
    return table


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value
