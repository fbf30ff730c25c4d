"""The viewer's subcommands of the ``twin`` command line: ``view`` and ``render``.

``twin.cli`` finds ``register`` through the entry point group ``localtwin.commands``, so the
twin package never imports the viewer. Qt and pyvista are imported only when a command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.camera import PRESETS

DEFAULT_SIZE = "1600x1000"


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``view`` and ``render`` to the ``twin`` subcommands."""
    view = commands.add_parser(
        "view", help="open the 3D desktop viewer",
        description="Open the desktop viewer, with the twin folder TWIN if given.")
    view.add_argument("twin", nargs="?", type=Path, help="twin folder (NAME.twin)")
    view.add_argument("--anti-aliasing", action="store_true",
                      help="smooth edges (FXAA); off by default")
    view.set_defaults(handler=_view_command)

    render = commands.add_parser(
        "render", help="render the 3D view of a twin off screen (PNG)",
        description="Draw the twin as the viewer does, without a window, into a PNG.")
    render.add_argument("twin", type=Path, help="twin folder (NAME.twin)")
    render.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    render.add_argument("--color-by", default="height",
                        help="numeric attribute to colour by (buildings first, then other layers), "
                             "or 'none' (default: height)")
    render.add_argument("--camera", choices=PRESETS, default="iso", help="view (default: iso)")
    render.add_argument("--size", default=DEFAULT_SIZE, type=_size,
                        help=f"image width x height in pixels (default: {DEFAULT_SIZE})")
    render.add_argument("--anti-aliasing", action="store_true", help="smooth edges (FXAA)")
    render.set_defaults(handler=_render_command)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if width < 16 or height < 16:
        raise argparse.ArgumentTypeError(f"image too small: {text}")
    return width, height


def _view_command(args: argparse.Namespace) -> int:
    from viewer.app import run
    from viewer.settings import ViewerSettings

    return run(args.twin, ViewerSettings(anti_aliasing=args.anti_aliasing))


def _render_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from twin.store import load_twin
    from viewer.offscreen import render_twin
    from viewer.settings import ViewerSettings

    color_by = None if args.color_by.lower() == "none" else args.color_by
    render_twin(load_twin(args.twin), args.output, color_by=color_by, camera=args.camera,
                size=args.size, settings=ViewerSettings(anti_aliasing=args.anti_aliasing))
    Console().print(f"written [bold]{args.output}[/]")
    return 0
