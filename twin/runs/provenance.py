"""Where a run's results come from: the scenario text and hash, the base twin, the hashes of its
source files and of every file the scenario had the run read (weather, OD matrix, zones),
package versions, seed and wall-clock times."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

from twin.hashing import sha256_file
from twin.model import Twin
from twin.scenarios import Scenario, twin_sha256

PACKAGES = ("localtwin", "numpy", "numba", "pandas", "geopandas", "shapely", "pyproj", "h5py")
"""Distributions whose versions every results file records."""


@dataclass(frozen=True)
class Provenance:
    """scenario_path: absolute; scenario_sha256: of its text; scenario_text: the whole file;
    twin_sha256: content hash of the base twin; inputs: SHA-256 of every file the base twin was
    imported from and of every file the scenario names that the run read
    (:func:`scenario_inputs`), by path; versions: of ``PACKAGES`` and Python; seed: of every random draw;
    started, finished: UTC, ISO 8601; run_key: hash of what determines the results (scenario
    text, seed, localtwin version, the simulations run where only some of the scenario's ran),
    the key ``--resume`` compares."""

    scenario_path: str
    scenario_sha256: str
    scenario_text: str
    twin_sha256: str
    inputs: dict[str, str]
    versions: dict[str, str]
    seed: int
    started: str
    finished: str
    run_key: str

    def as_dict(self) -> dict:
        return asdict(self)


def scenario_inputs(scenario: Scenario, simulations: tuple[str, ...] = ()) -> list[Path]:
    """The files named by ``scenario`` that its run reads: the weather file of an energy run,
    the OD matrix and zones of a mobility run.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    simulations : tuple of str, default ()
        The simulations that ran; empty: every simulation of the scenario.

    Returns
    -------
    list of Path
        The files, resolved against the scenario's folder.
    """
    ran = simulations or scenario.simulations
    files: list[Path | str | None] = []
    if "energy" in ran and scenario.energy is not None:
        files.append(scenario.energy.weather)
    if "mobility" in ran and scenario.mobility is not None:
        files += [scenario.mobility.demand, scenario.mobility.zones]
    return [Path(f).resolve() for f in files if isinstance(f, Path)]


def package_versions() -> dict[str, str]:
    """Installed versions of ``PACKAGES`` ("not installed" where missing) and of Python."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_key(scenario_text: str, seed: int, only: tuple[str, ...] = ()) -> str:
    """SHA-256 over the scenario text, the seed, the localtwin version and, for a run of only
    some of the scenario's simulations, their names."""
    version = package_versions()["localtwin"]
    restricted = "".join(f"\0only {name}" for name in only)
    return hashlib.sha256(f"{version}\0{seed}\0{scenario_text}{restricted}".encode()).hexdigest()


def provenance(scenario: Scenario, base: Twin, seed: int, started: dt.datetime,
               finished: dt.datetime, only: tuple[str, ...] = ()) -> Provenance:
    """The provenance of a run of ``scenario`` on its base twin ``base``; the files the scenario
    named are hashed as they are now, at the end of the run. only: the simulations that ran
    when only some of the scenario's did; empty: all of them."""
    ref = scenario.twin
    return Provenance(
        scenario_path=str(Path(scenario.path).resolve()), scenario_sha256=scenario.sha256,
        scenario_text=scenario.text,
        twin_sha256=twin_sha256(ref.path, ref.sample),
        inputs={**{source.path: source.sha256 for source in base.sources},
                **{str(path): sha256_file(path) for path in scenario_inputs(scenario, only)}},
        versions=package_versions(), seed=seed,
        started=started.isoformat(timespec="seconds"),
        finished=finished.isoformat(timespec="seconds"),
        run_key=run_key(scenario.text, seed, only),
    )
