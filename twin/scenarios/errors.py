"""Problems of a scenario: each names the file, the line and the key path, and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from twin.errors import InputError

KeyPath = tuple[str | int, ...]
"""Keys and array indices (0-based) from the document root, e.g. ("interventions", 2, "lanes")."""


def format_key(path: KeyPath) -> str:
    """``("interventions", 2, "select", "ids", 0)`` -> ``interventions[2].select.ids[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Problem:
    """One problem: ``FILE:LINE: key.path: message``, or ``FILE:LINE:COLUMN: message``.

    Attributes
    ----------
    file : str
        The scenario file.
    line : int
        Line of the key in the file (1-based).
    key : tuple of str or int
        Key path from the document root (``("interventions", 2, "lanes")``); empty for the
        whole file.
    message : str
        What is wrong and what was expected.
    column : int or None, default None
        Column of a TOML syntax error (1-based).
    """

    file: str
    line: int
    key: KeyPath
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column is not None else "")
        return (
            f"{where}: {format_key(self.key)}: {self.message}"
            if self.key
            else f"{where}: {self.message}"
        )


class ScenarioError(InputError):
    """A scenario that cannot be used; ``problems`` lists every problem found, one per line.

    Parameters
    ----------
    file : str or Path
        The scenario file.
    problems : sequence of Problem
        Every problem found; at least one.

    Attributes
    ----------
    problems : tuple of Problem
        The problems, by line.
    """

    def __init__(self, file: str | Path, problems: Sequence[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: (p.line, format_key(p.key)))
        first = ordered[0]
        super().__init__(file, format_key(first.key) or None, first.message)
        self.problems = tuple(ordered)
        self.args = ("\n".join(str(p) for p in ordered),)


class InterventionError(InputError):
    """An intervention that does not fit the twin it is applied to.

    ``problems`` are (key path inside the scenario document, message) pairs.

    Parameters
    ----------
    problems : sequence of (key path, str)
        (key path inside the scenario document, message) pairs; at least one.

    Attributes
    ----------
    problems : tuple of (key path, str)
        The problems as given.
    """

    def __init__(self, problems: Sequence[tuple[KeyPath, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__(None, format_key(problems[0][0]) or None, problems[0][1])
        self.args = ("\n".join(f"{format_key(k)}: {m}" for k, m in problems),)

    def within(self, prefix: KeyPath) -> InterventionError:
        """The same problems with ``prefix`` put before every key path.

        Parameters
        ----------
        prefix : tuple of str or int
            Key path to put first (``("interventions", 2)``).

        Returns
        -------
        InterventionError
            A new error with the longer key paths.
        """
        return InterventionError([(prefix + key, message) for key, message in self.problems])
