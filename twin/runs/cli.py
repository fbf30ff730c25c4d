"""``twin run`` and ``twin compare``: run a scenario into a results file, compare two."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``run`` and ``compare`` subcommands."""
    run = commands.add_parser(
        "run", help="run a scenario headless and write its results file (HDF5)",
        description="Check a scenario against its base twin, apply its interventions, run its "
                    "simulations and write one HDF5 results file with KPIs and provenance.")
    run.add_argument("scenario", type=Path, help="scenario file (TOML)")
    run.add_argument("-o", "--output", type=Path,
                     help="results file to write (default: SCENARIO_NAME.h5 here)")
    run.add_argument("--seed", type=int, help="seed of every random draw (default: the scenario's)")
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


def _run_command(args: argparse.Namespace) -> int:
    from twin.runs.execute import run_scenario
    from twin.runs.results_file import write_results
    from twin.scenarios import load_scenario

    scenario = load_scenario(args.scenario)
    output = args.output or Path(f"{args.scenario.stem}.h5")
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("reading the scenario", total=None)
        run = run_scenario(scenario, lambda stage: progress.update(task, description=stage),
                           seed=args.seed)
        progress.update(task, description=f"writing {output}")
        write_results(run, output)
    out = Console()
    out.print(_kpi_rich_table(run.kpis, scenario.metadata.title))
    for report in run.applied.reports:
        out.print(f"  - {report.summary()}", highlight=False, soft_wrap=True)
    out.print(f"written [bold]{output}[/]")
    return 0


def _compare_command(args: argparse.Namespace) -> int:
    from twin.runs.compare import compare_kpis
    from twin.runs.report import write_report
    from twin.runs.results_file import read_results

    a, b = read_results(args.a), read_results(args.b)
    table = compare_kpis(a, b)
    output = args.output or args.b.with_name(f"{args.b.stem}_vs_{args.a.stem}.html")
    write_report(a, b, output)
    out = Console()
    out.print(_comparison_rich_table(table, a.title, b.title))
    out.print(f"written [bold]{output}[/]")
    return 0


def _kpi_rich_table(kpis: pd.DataFrame, title: str) -> Table:
    table = Table("KPI", "value", "unit", title=title)
    for name, row in kpis.iterrows():
        table.add_row(str(name), f"{row['value']:,.4g}", row["unit"])
    return table


def _comparison_rich_table(comparison: pd.DataFrame, title_a: str, title_b: str) -> Table:
    table = Table("KPI", "A", "B", "change", "% change", "unit",
                  title=f"A: {title_a}  |  B: {title_b}")
    for name, row in comparison.iterrows():
        pct = "" if pd.isna(row["pct_change"]) else f"{row['pct_change']:+.1f} %"
        table.add_row(str(name), _number(row["a"]), _number(row["b"]), _number(row["change"], "+"),
                      pct, row["unit"])
    return table


def _number(value: float, sign: str = "") -> str:
    return "" if pd.isna(value) else f"{value:{sign},.4g}"
