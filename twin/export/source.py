"""What an export reads: a twin folder, or a results file together with the twin its run
simulated (the base twin the results name, the scenario's interventions applied, the run's
per-building results as further building columns)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.errors import InputError
from twin.model import Twin
from twin.runs.results_file import Results, read_results
from twin.runs.simulated_twin import simulated_twin
from twin.scenarios import Scenario
from twin.store import load_twin


@dataclass(frozen=True)
class ExportSource:
    """The twin to export, and the results file and scenario it came from (None for a twin
    folder)."""

    twin: Twin
    results: Results | None = None
    scenario: Scenario | None = None


def read_source(path: Path) -> ExportSource:
    """A twin folder (``NAME.twin``) or a results file (``.h5``) to export; InputError naming
    the file when it is neither, or when the results' base twin cannot be loaded."""
    if path.is_dir():
        return ExportSource(load_twin(path))
    if not path.exists():
        raise InputError(path, None, "no such twin folder or results file")
    results = read_results(path)
    twin, scenario = simulated_twin(results)
    return ExportSource(twin, results, scenario)
