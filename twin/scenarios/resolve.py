"""Check a scenario against its base twin before anything runs.

``resolve`` loads the base twin, checks its content hash, that the files the scenario names
exist, that the twin has what the simulations need, and that every intervention applies
(ids exist, filters fit the columns, polygons lie on the twin, selections match). Every problem
found goes into one ScenarioError with file, line and key; nothing runs if there is any.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from twin.errors import InputError, IntegrityError
from twin.importers.samples import SAMPLES
from twin.model import Twin
from twin.scenarios.base import Intervention
from twin.scenarios.errors import InterventionError, KeyPath, ScenarioError
from twin.scenarios.interventions import AppliedScenario, apply_interventions
from twin.scenarios.loader import located
from twin.scenarios.sample_cache import load_sample
from twin.scenarios.scenario import Scenario
from twin.scenarios.twin_hash import sample_sha256, twin_folder_sha256

Problems = list[tuple[KeyPath, str]]


def resolve(scenario: Scenario) -> tuple[Twin, tuple[Intervention, ...]]:
    """The base twin and the interventions, once everything checks out (ScenarioError if not).

    Apply them with ``apply_interventions(twin, interventions)``.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.

    Returns
    -------
    tuple of (Twin, tuple of Intervention)
        The base twin and the scenario's interventions.

    Raises
    ------
    ScenarioError
        Listing every problem (see :func:`load_base_twin` and :func:`check_scenario`).
    """
    twin = load_base_twin(scenario)
    check_scenario(scenario, twin)
    return twin, scenario.interventions


def load_base_twin(scenario: Scenario) -> Twin:
    """The twin ``[twin]`` names, after its content hash matched ``sha256`` (when given).

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.

    Returns
    -------
    Twin
        The saved twin (every file verified) or the sample city imported from its sources.

    Raises
    ------
    ScenarioError
        At ``twin.path`` / ``twin.sample`` when there is no such twin folder or sample or it
        cannot be loaded, at ``twin.sha256`` when the content hash differs.
    """
    ref = scenario.twin
    key: KeyPath = ("twin", "sample") if ref.sample is not None else ("twin", "path")
    try:
        digest, load = _sample(ref.sample) if ref.sample is not None else _folder(ref.path)
    except InputError as error:
        _fail(scenario, [(key, error.reason)])
    if ref.sha256 is not None and digest != ref.sha256:
        message = (
            f"the base twin's content hash is {digest}: "
            "it is not the twin this scenario was written for"
        )
        _fail(scenario, [(("twin", "sha256"), message)])
    try:
        return load()
    except (InputError, IntegrityError) as error:
        _fail(scenario, [(key, str(error))])


def _sample(name: str) -> tuple[str, Callable[[], Twin]]:
    """Content hash of a sample city and how to load it (from the cache of imported samples)."""
    if name not in SAMPLES:
        raise InputError(
            None, None, f"unknown sample {name!r}; the samples are {', '.join(SAMPLES)}"
        )
    digest = sample_sha256(name)
    return digest, lambda: load_sample(name, digest)


def _folder(folder: Path | None) -> tuple[str, Callable[[], Twin]]:
    """Content hash of a saved twin folder and how to load it (verifying every file)."""
    assert folder is not None, "the schema requires path or sample"
    from twin.store import MANIFEST, load_twin  # the store only for saved twins, not samples

    if not (folder / MANIFEST).is_file():
        raise InputError(None, None, f"no twin folder at {folder} (no {MANIFEST})")
    return twin_folder_sha256(folder), lambda: load_twin(folder)


def check_scenario(scenario: Scenario, twin: Twin) -> AppliedScenario:
    """Check ``scenario`` against ``twin`` (its base twin) and apply its interventions.

    ScenarioError lists every problem: missing files, a twin without the roads, buildings or
    weather a simulation needs, interventions that do not apply.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    twin : Twin
        Its base twin.

    Returns
    -------
    AppliedScenario
        The twin with the interventions applied, the demand modifiers and the reports.

    Raises
    ------
    ScenarioError
        Listing every problem with its line and key.
    """
    problems = _file_problems(scenario) + _twin_problems(scenario, twin)
    applied = None
    try:
        applied = apply_interventions(twin, scenario.interventions)
    except InterventionError as error:
        problems += error.problems
    if problems:
        _fail(scenario, problems)
    assert applied is not None
    return applied


def _file_problems(scenario: Scenario) -> Problems:
    files: list[tuple[KeyPath, Path | str | None]] = []
    if scenario.mobility is not None:
        files += [
            (("mobility", "demand"), scenario.mobility.demand),
            (("mobility", "zones"), scenario.mobility.zones),
        ]
    if scenario.energy is not None:
        files.append((("energy", "weather"), scenario.energy.weather))
    return [
        (key, f"no such file: {path}")
        for key, path in files
        if isinstance(path, Path) and not path.is_file()
    ]


def _twin_problems(scenario: Scenario, twin: Twin) -> Problems:
    problems: Problems = []
    run = scenario.simulations
    if "mobility" in run and twin.network.is_empty():
        problems.append(
            (
                ("simulations", "run", run.index("mobility")),
                f"the twin {twin.name!r} has no road network for mobility",
            )
        )
    if "energy" in run:
        if len(twin.buildings) == 0:
            problems.append(
                (
                    ("simulations", "run", run.index("energy")),
                    f"the twin {twin.name!r} has no buildings for energy",
                )
            )
        own_weather = scenario.energy is None or scenario.energy.weather is None
        if own_weather and twin.weather is None:
            key = (
                ("energy", "weather")
                if scenario.energy is not None
                else ("simulations", "run", run.index("energy"))
            )
            problems.append(
                (
                    key,
                    (
                        f"the twin {twin.name!r} has no weather; "
                        "name a weather file in [energy] weather"
                    ),
                )
            )
    return problems


def _fail(scenario: Scenario, problems: Problems) -> NoReturn:
    raise ScenarioError(scenario.path, located(scenario.path, scenario.text, problems))
