"""The ``twin`` command line, one module per command group: ``twin_folder`` (import, info,
map), ``runs`` (run, compare, batch), ``export`` (export), ``sharing`` (keygen, pack, sign, verify, trust,
export-od) and ``feeds`` (listen). Packages above twin add their subcommands (the viewer:
``view``, ``render``) through entry points."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, entry_points, version

from twin.cli import export, feeds, runs, sharing, twin_folder
from twin.errors import TwinError

EXIT_INPUT_ERROR = 2
COMMAND_PLUGINS = "localtwin.commands"
"""Entry point group of functions that add subcommands from packages above twin (the viewer's
``view`` and ``render``), so that twin never imports them."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``twin`` console script; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except TwinError as error:
        _print_error(str(error))
        return EXIT_INPUT_ERROR
    except OSError as error:  # a full disk or a file size limit where no StorageError names it
        where = f"{error.filename}: " if error.filename else ""
        _print_error(f"{where}{error.strerror or error}")
        return EXIT_INPUT_ERROR


def _print_error(message: str) -> None:
    """Print ``error: message`` on standard error (rich is imported here, not at start-up)."""
    from twin.cli.output import console, styled

    console(stderr=True).print(styled(("error:", "bold red"), f" {message}"), highlight=False,
                               soft_wrap=True)


def _version() -> str:
    """The installed version of the engine ("unknown" when run from a checkout not installed)."""
    try:
        return version("localtwin")
    except PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twin", description="Local digital twin engine for cities.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (twin_folder, runs, export, sharing, feeds):
        group.register(commands)
    for plugin in entry_points(group=COMMAND_PLUGINS):
        plugin.load()(commands)
    return parser

