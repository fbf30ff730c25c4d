"""The viewer's subcommands of the ``twin`` command line: ``view`` and ``render``.

``twin.cli`` finds ``register`` through the entry point group ``localtwin.commands``, so the
twin package never imports the viewer. Qt and pyvista are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from viewer.presets import PRESETS

DEFAULT_SIZE = "1600x1000"


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``view`` and ``render`` to the ``twin`` subcommands."""
    view = commands.add_parser(
        "view", help="open the 3D desktop viewer",
        description="Open the desktop viewer with a twin folder or a results file (twin run -o); "
                    "with two results files, compare them side by side (B - A).")
    view.add_argument("paths", nargs="*", type=Path, metavar="TWIN|RESULTS",
                      help="twin folder (NAME.twin) or results file (.h5); at most two")
    view.add_argument("--anti-aliasing", action="store_true",
                      help="smooth edges (FXAA); off by default")
    view.set_defaults(handler=_view_command)

    render = commands.add_parser(
        "render", help="render the 3D view of a twin or results file off screen (PNG)",
        description="Draw a twin or a run's results as the viewer does, without a window, into a PNG.")
    render.add_argument("source", type=Path, metavar="TWIN|RESULTS",
                        help="twin folder (NAME.twin) or results file (.h5)")
    render.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    render.add_argument("--color-by", metavar="[LAYER.]ATTRIBUTE",
                        help="numeric attribute to colour by (LAYER.ATTRIBUTE, or ATTRIBUTE of the "
                             "buildings first, then other layers), or 'none' for solid colours "
                             "(default: the viewer's: height; heating_kWh_m2 and traffic speed "
                             "for results)")
    render.add_argument("--time", metavar="HH:MM|ISO",
                        help="time step of a results file: local clock time on the run's day, or "
                             "an ISO 8601 time (UTC unless it has an offset); default: the first")
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
    from twin.errors import InputError
    from viewer.paths import check_view_paths

    check_view_paths(args.paths)
    if not _has_display():
        raise InputError(None, "display", "no screen to open the viewer on (DISPLAY and "
                                          "WAYLAND_DISPLAY are not set); make pictures with "
                                          "twin render, or run the viewer under xvfb-run")
    from viewer.app import run
    from viewer.settings import ViewerSettings

    return run(args.paths, ViewerSettings(anti_aliasing=args.anti_aliasing))


def _has_display() -> bool:
    """Whether Qt has a screen: an X or Wayland display on Linux, or a platform chosen by
    QT_QPA_PLATFORM (e.g. offscreen); other systems always have one."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _render_command(args: argparse.Namespace) -> int:
    from twin.cli.output import console, styled
    from viewer.offscreen import apply_color_by, apply_time, render_scene
    from viewer.settings import ViewerSettings
    from viewer.sources import load_scene

    scene = load_scene(args.source)
    if args.time is not None:
        apply_time(scene, args.time)
    if args.color_by is not None:
        apply_color_by(scene, None if args.color_by.lower() == "none" else args.color_by)
    render_scene(scene, args.output, camera=args.camera, size=args.size,
                 settings=ViewerSettings(anti_aliasing=args.anti_aliasing))
    console().print(styled("written ", (str(args.output), "bold")))
    return 0
