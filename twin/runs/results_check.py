"""``twin verify RESULTS.h5``: do the inputs a results file records still match?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from twin.errors import TwinError
from twin.hashing import sha256_file
from twin.runs.provenance import scenario_inputs
from twin.runs.results_file import read_results
from twin.scenarios import scenario_from_text, twin_sha256


@dataclass(frozen=True)
class InputCheck:
    """One recorded input: what it is, where, the recorded and the current SHA-256 (None if
    it cannot be read now) and the verdict: ``ok``, ``changed`` or ``missing``.

    Attributes
    ----------
    what : str
        Which input: ``scenario``, ``base twin``, ``scenario file`` (a weather, OD or zones
        file the scenario named and the run read) or ``source`` (a file the base twin was
        imported from).
    path : str
        Where it is: the file or twin folder path as recorded, or ``sample NAME``.
    recorded : str
        Its SHA-256 when the run was made, lowercase hex.
    current : str or None
        Its SHA-256 now, lowercase hex; None when it cannot be read.
    """

    what: str
    path: str
    recorded: str
    current: str | None

    @property
    def status(self) -> str:
        if self.current is None:
            return "missing"
        return "ok" if self.current == self.recorded else "changed"


def check_results_inputs(path: str | Path) -> list[InputCheck]:
    """The scenario file, the base twin and every other input file of a results file (the
    files the scenario named, the base twin's sources), each with its recorded and current hash.

    Parameters
    ----------
    path : str or Path
        A results file (``write_results``).

    Returns
    -------
    list of InputCheck
        The scenario file, then the base twin, then the other input files by path, each with
        its recorded and current SHA-256 and status.

    Raises
    ------
    InputError
        When ``path`` is not a readable results file.
    ScenarioError
        When the scenario text the file records no longer reads as a scenario.
    """
    prov = read_results(path).provenance
    checks = [InputCheck("scenario", prov["scenario_path"], prov["scenario_sha256"],
                         _file_hash(prov["scenario_path"]))]
    scenario = scenario_from_text(prov["scenario_text"], prov["scenario_path"])
    ref = scenario.twin
    try:
        current = twin_sha256(ref.path, ref.sample)
    except (TwinError, OSError):
        current = None
    checks.append(InputCheck("base twin", str(ref.path or f"sample {ref.sample}"),
                             prov["twin_sha256"], current))
    named = {str(path) for path in scenario_inputs(scenario)}
    checks += [InputCheck("scenario file" if path in named else "source", path, digest, _file_hash(path))
               for path, digest in sorted(prov["inputs"].items())]
    return checks


def _file_hash(path: str) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None
