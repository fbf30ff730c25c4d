"""Sweep files: one base scenario expanded over parameter values into runs.

    format = 1
    base = "../helsinki_baseline.toml"       # relative to the sweep file
    seeds = [1, 2]                           # optional: every combination once per seed
    mode = "grid"                            # or "zip"

    [[parameters]]
    key = "interventions[0].factor"          # dotted path into the base scenario document
    range = { start = 0.8, stop = 1.2, step = 0.2 }

    [[parameters]]
    key = "interventions[1].share"
    values = [0.0, 1.0]

The file is checked against ``scenarios/sweep_schema.json``; every problem reads
``FILE:LINE: key.path: message`` in one SweepError. Each run's scenario is the base document
with the keys set, written as TOML and read with ``scenario_from_text`` as if it were the base
file (so its relative paths still resolve); a run whose values make the scenario invalid keeps
the error in ``SweepRun.error`` instead of stopping the sweep.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tomli_w

from twin.errors import InputError
from twin.runs.provenance import run_key
from twin.scenarios import ScenarioError, load_scenario, scenario_from_text
from twin.scenarios.errors import KeyPath, format_key
from twin.scenarios.loader import MAX_BYTES, located
from twin.scenarios.validation import jsonable, schema_problems
from twin.toml_text import loads_toml

SWEEP_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "sweep_schema.json"
MAX_RUNS = 10_000
"""Most runs one sweep expands to."""
_KEY_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]+)\]")


class SweepError(ScenarioError):
    """A sweep file that cannot be used; ``problems`` lists every problem found."""


@dataclass(frozen=True)
class Parameter:
    """A key of the base scenario (``key`` as written, ``path`` parsed) and its values."""

    key: str
    path: KeyPath
    values: tuple[Any, ...]


@dataclass(frozen=True)
class SweepRun:
    """One run: ``name`` (run-000, ...), the parameter ``values`` by key, the ``seed`` it runs
    with (None when its scenario is invalid and the scenario's own seed is unknown), the
    scenario ``text``, its ``run_key`` (``twin.runs.provenance.run_key``), and ``error``: why
    the scenario is invalid, None when it can run."""

    name: str
    values: dict[str, Any]
    seed: int | None
    text: str
    run_key: str
    error: str | None = None


@dataclass(frozen=True)
class Sweep:
    """A sweep file read and expanded: ``base`` is the base scenario file (absolute: workers
    read the scenarios as if from it), ``runs`` in a stable order (parameters as listed, the
    first varying slowest; seeds innermost)."""

    path: Path
    name: str
    base: Path
    mode: str
    parameters: tuple[Parameter, ...]
    seeds: tuple[int, ...] | None
    runs: tuple[SweepRun, ...]


@cache
def sweep_schema() -> dict[str, Any]:
    """The parsed sweep schema (cached; treat it as read-only)."""
    return json.loads(SWEEP_SCHEMA_PATH.read_text(encoding="utf-8"))


def load_sweep(path: str | Path) -> Sweep:
    """The sweep in the TOML file ``path``, expanded into runs; SweepError lists every problem
    of the sweep file, ScenarioError those of its base scenario."""
    path = Path(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as error:
        raise InputError(path, None, f"cannot read the sweep: {error.strerror}") from None
    if data is None:
        raise InputError(path, None, f"larger than {MAX_BYTES >> 20} MB; not a sweep file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text") from None
    return sweep_from_text(text, path)


def sweep_from_text(text: str, path: str | Path) -> Sweep:
    """The sweep in TOML ``text`` read as if from the file ``path`` (its ``base`` resolves
    against that folder), expanded into runs."""
    path = Path(path)
    try:
        document = loads_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(path, None, f"TOML syntax error: {error}") from None
    problems = schema_problems(jsonable(document), sweep_schema())
    if not problems:
        base_path = (path.parent / document["base"]).resolve()
        if not base_path.is_file():
            problems = [(("base",), f"no scenario file {document['base']!r} beside the sweep")]
    if problems:
        raise SweepError(path, located(path, text, problems))
    base = load_scenario(base_path)
    base_document = loads_toml(base.text)
    parameters, problems = _parameters(document, base_document, base_path.name)
    if problems:
        raise SweepError(path, located(path, text, problems))
    mode = document.get("mode", "grid")
    combinations, problems = _combinations(parameters, mode)
    seeds = tuple(document["seeds"]) if "seeds" in document else None
    if not problems and len(combinations) * len(seeds or (None,)) > MAX_RUNS:
        problems = [(("parameters",), f"expands to more than {MAX_RUNS} runs")]
    if problems:
        raise SweepError(path, located(path, text, problems))
    return Sweep(path=path, name=document.get("name", path.stem), base=base_path, mode=mode,
                 parameters=parameters, seeds=seeds,
                 runs=_expand(base_document, base_path, parameters, combinations, seeds))


def parse_key(key: str) -> KeyPath:
    """``"interventions[2].share"`` -> ``("interventions", 2, "share")`` (schema-valid keys)."""
    return tuple(name if name else int(index) for name, index in _KEY_PART.findall(key))


def _parameters(document: dict[str, Any], base: dict[str, Any],
                base_name: str) -> tuple[tuple[Parameter, ...], list[tuple[KeyPath, str]]]:
    """The parameters with their values; problems: keys missing from the base document or set
    twice, ranges that run backwards or are too long."""
    parameters: list[Parameter] = []
    problems: list[tuple[KeyPath, str]] = []
    for i, table in enumerate(document["parameters"]):
        at: KeyPath = ("parameters", i)
        path = parse_key(table["key"])
        missing = _missing(base, path)
        if missing:
            where, why = missing
            problems.append((at + ("key",),
                             f"{where!r} is not in the base scenario {base_name} ({why})"))
        for j, other in enumerate(parameters):
            shorter = min(len(path), len(other.path))
            if path[:shorter] == other.path[:shorter]:
                problems.append((at + ("key",), f"overlaps parameters[{j}].key {other.key!r}"))
        if "range" in table:
            values, problem = _range(table["range"])
            if problem:
                problems.append((at + ("range",), problem))
        else:
            values = tuple(table["values"])
        parameters.append(Parameter(table["key"], path, values))
    return tuple(parameters), problems


def _missing(document: Any, path: KeyPath) -> tuple[str, str] | None:
    """The first part of ``path`` that ``document`` lacks and why; None when it has them all."""
    node = document
    for n, part in enumerate(path):
        where, parent = format_key(path[: n + 1]), format_key(path[:n]) or "the document"
        if isinstance(part, int):
            if not isinstance(node, list):
                return where, f"{parent} is not an array"
            if part >= len(node):
                return where, f"{parent} has {len(node)} item{'s' * (len(node) != 1)}"
        elif not isinstance(node, dict):
            return where, f"{parent} is not a table"
        elif part not in node:
            return where, f"keys of {parent}: {', '.join(node) or 'none'}"
        node = node[part]
    return None


def _range(spec: dict[str, float]) -> tuple[tuple[float, ...], str | None]:
    """start, start + step, ... up to and including stop (floats to 12 significant digits,
    integers when all three are integers); or a problem."""
    start, stop, step = spec["start"], spec["stop"], spec["step"]
    if stop < start:
        return (), f"stop {stop} is below start {start}"
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_RUNS:
        return (), f"has {count} values, more than {MAX_RUNS}"
    if all(isinstance(v, int) for v in (start, stop, step)):
        return tuple(start + k * step for k in range(count)), None
    return tuple(float(f"{start + k * step:.12g}") for k in range(count)), None


def _combinations(parameters: tuple[Parameter, ...],
                  mode: str) -> tuple[list[tuple[Any, ...]], list[tuple[KeyPath, str]]]:
    """The value combinations: the cartesian product (grid) or side by side (zip)."""
    if mode == "grid":
        counts = [len(p.values) for p in parameters]
        if math.prod(counts) > MAX_RUNS:
            return [], [(("parameters",), f"expands to more than {MAX_RUNS} runs")]
        return list(itertools.product(*(p.values for p in parameters))), []
    first = len(parameters[0].values)
    problems: list[tuple[KeyPath, str]] = [
        (("parameters", i), (f"has {len(p.values)} values; mode zip needs as many as "
                             f"parameters[0] ({first})"))
        for i, p in enumerate(parameters) if len(p.values) != first]
    return list(zip(*(p.values for p in parameters), strict=False)), problems


def _expand(base: dict[str, Any], base_path: Path, parameters: tuple[Parameter, ...],
            combinations: list[tuple[Any, ...]],
            seeds: tuple[int, ...] | None) -> tuple[SweepRun, ...]:
    width = max(3, len(str(len(combinations) * len(seeds or (None,)) - 1)))
    runs: list[SweepRun] = []
    for combination in combinations:
        document = copy.deepcopy(base)
        for parameter, value in zip(parameters, combination, strict=True):
            _set(document, parameter.path, value)
        text = tomli_w.dumps(document)
        values = {p.key: v for p, v in zip(parameters, combination, strict=True)}
        scenario, reason = None, None
        try:
            scenario = scenario_from_text(text, base_path)
        except ScenarioError as error:
            reason = "ScenarioError: " + "; ".join(
                f"{format_key(p.key)}: {p.message}" if p.key else p.message
                for p in error.problems)
        for given_seed in seeds or (None,):
            seed = given_seed
            if scenario is not None and seed is None:
                seed = scenario.mobility.seed if scenario.mobility else 0
            runs.append(SweepRun(
                name=f"run-{len(runs):0{width}d}", values=values, seed=seed, text=text,
                run_key=run_key(text, seed or 0), error=reason))
    return tuple(runs)


def _set(document: dict[str, Any], path: KeyPath, value: Any) -> None:
    """Set the existing key ``path`` of ``document`` to ``value``."""
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
