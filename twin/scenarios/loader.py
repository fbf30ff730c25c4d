"""Read a scenario file: TOML syntax, the JSON Schema, then the checks that need no twin.

Every problem is reported as ``FILE:LINE: key.path: message`` (a TOML syntax error as
``FILE:LINE:COLUMN: ...``) in one ScenarioError; a file with any problem gives no Scenario.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from twin.errors import InputError
from twin.scenarios.errors import KeyPath, Problem, ScenarioError
from twin.scenarios.scenario import Scenario, scenario_from_document
from twin.scenarios.toml_lines import key_lines, line_of
from twin.scenarios.validation import jsonable, schema_problems
from twin.toml_text import loads_toml

MAX_BYTES = 4 << 20
"""Largest scenario file read, bytes."""
_AT = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$")


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the TOML file ``path``; ScenarioError lists every problem found.

    Parameters
    ----------
    path : str or Path
        The scenario file (TOML, UTF-8, at most 4 MB).

    Returns
    -------
    Scenario
        The parsed scenario, checked against the schema and for everything that needs no twin.

    Raises
    ------
    InputError
        When the file cannot be read or is larger than 4 MB.
    ScenarioError
        Listing every problem as ``FILE:LINE: key.path: message``.
    """
    path = Path(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as error:
        raise InputError(path, None, f"cannot read the scenario: {error.strerror}") from None
    if data is None:
        raise InputError(path, None, f"larger than {MAX_BYTES >> 20} MB; not a scenario file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScenarioError(path, [Problem(str(path), line, (), "not UTF-8 text")]) from None
    return scenario_from_text(text, path)


def scenario_from_text(text: str, path: str | Path) -> Scenario:
    """The scenario in TOML ``text`` read as if from the file ``path`` (relative paths in it
    resolve against its folder; problems name it); ScenarioError lists every problem found.

    Parameters
    ----------
    text : str
        The scenario as TOML text.
    path : str or Path
        The file it is read as: relative paths resolve against its folder, problems name it.

    Returns
    -------
    Scenario
        The parsed scenario.

    Raises
    ------
    ScenarioError
        Listing every problem as ``FILE:LINE: key.path: message``.
    """
    path = Path(path)
    try:
        document = loads_toml(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, [_syntax_problem(path, text, str(error))]) from None
    document = jsonable(document)
    problems = schema_problems(document)
    scenario = None
    if not problems:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        scenario, problems = scenario_from_document(document, path, text, sha256)
    if problems:
        raise ScenarioError(path, located(path, text, problems))
    assert scenario is not None
    return scenario


def located(path: Path, text: str, problems: Iterable[tuple[KeyPath, str]]) -> list[Problem]:
    """Problems with the line of their key in ``text``."""
    lines = key_lines(text)
    return [Problem(str(path), line_of(lines, key), key, message) for key, message in problems]


def _syntax_problem(path: Path, text: str, message: str) -> Problem:
    """A TOML syntax error with its line and column (tomllib: "at end of document" at the end)."""
    match = _AT.match(message)
    if match:
        return Problem(
            str(path),
            int(match.group(2)),
            (),
            f"TOML syntax error: {match.group(1)}",
            column=int(match.group(3)),
        )
    last = text.split("\n")
    reason = message.removesuffix(" (at end of document)")
    return Problem(
        str(path),
        len(last),
        (),
        f"TOML syntax error: {reason} (at the end of the file)",
        column=len(last[-1]) + 1,
    )
