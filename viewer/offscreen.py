"""Render a twin's scene off screen to a PNG, for reports and headless runs (``twin render``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyvista as pv

from twin.errors import InputError
from twin.model import Twin
from viewer.export import save_screenshot
from viewer.renderer import SceneRenderer
from viewer.scene import Scene, build_scene
from viewer.settings import ViewerSettings


def render_twin(twin: Twin, path: str | Path, color_by: str | None = "height", camera: str = "iso",
                size: tuple[int, int] = (1600, 1000),
                settings: ViewerSettings | None = None) -> Path:
    """Draw ``twin`` as the viewer does, from the preset ``camera`` view, into the PNG ``path``.

    color_by: an attribute of the buildings (or, if they have none of that name, of another
    layer) to colour that layer by, the others in solid colours; None for solid colours.
    """
    settings = settings or ViewerSettings()
    _prefer_egl_without_display()
    scene = build_scene(twin)
    apply_color_by(scene, color_by)
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    plotter.render_window.SetMultiSamples(0)
    try:
        renderer = SceneRenderer(plotter, scene)
        renderer.set_anti_aliasing(settings.anti_aliasing)
        renderer.view_preset(camera)
        return save_screenshot(renderer, path)
    finally:
        plotter.close()


def apply_color_by(scene: Scene, attribute: str | None) -> None:
    """Colour the buildings (or else the first layer that has ``attribute``) by it and every other
    layer in its solid colour; None: all in solid colours."""
    layers = sorted(scene.layers.values(), key=lambda layer: layer.kind != "buildings")
    chosen = next((layer for layer in layers if attribute in layer.attributes()), None)
    if attribute is not None and chosen is None:
        offered = sorted({name for layer in layers for name in layer.attributes()})
        raise InputError(None, "--color-by", f"no layer has the numeric attribute {attribute!r}; "
                                             f"choose one of {', '.join(offered)} or none")
    for layer in layers:
        layer.set_color_by(attribute if layer is chosen else None)


def _prefer_egl_without_display() -> None:
    """On Linux without an X display, ask VTK for its EGL window straight away (instead of trying
    X first and warning that there is no X server)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
