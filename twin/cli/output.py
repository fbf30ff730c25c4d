"""The CLI's consoles: text from input printed as written.

Names, titles, ids, paths and error messages come from files and messages the user did not
write: a CityObject type ``[/]``, a scenario title ``[link=...]`` or an ANSI escape in an id
must show as text, not restyle the terminal or break the print. Consoles here interpret no
markup or emoji codes and show control characters as ``\\xNN``; the CLI's own emphasis is given
as :class:`rich.text.Text` with styles (:func:`styled`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from twin.printable import without_controls


class PlainConsole(Console):
    """A rich console that prints strings as written (no markup, no emoji codes, no control
    characters); styled output goes through :class:`rich.text.Text`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Render ``text`` (a print argument, a table cell or title) as plain text."""
        return super().render_str(without_controls(text), **kwargs)


def console(stderr: bool = False) -> PlainConsole:
    """A console for standard output, or standard error with ``stderr``.

    Parameters
    ----------
    stderr : bool, default False
        Print to standard error (messages, progress) instead of standard output (results).

    Returns
    -------
    PlainConsole
        The console.
    """
    return PlainConsole(stderr=stderr)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text of plain parts and (text, style) parts, every part shown as written.

    Parameters
    ----------
    *parts : str or (str, str)
        Plain text, or text with a rich style such as ``"bold"`` or ``"red"``.

    Returns
    -------
    rich.text.Text
        The assembled text, control characters made visible.
    """
    return Text.assemble(*(without_controls(p) if isinstance(p, str)
                           else (without_controls(p[0]), p[1]) for p in parts))
