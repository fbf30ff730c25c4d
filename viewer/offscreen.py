"""Render a twin's or a results file's scene off screen to a PNG, for reports and headless runs
(``twin render``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyvista as pv

from twin.errors import InputError
from viewer.export import save_screenshot
from viewer.renderer import SceneRenderer
from viewer.results_scene import ResultsScene
from viewer.scene import Scene
from viewer.settings import ViewerSettings


def render_scene(scene: Scene, path: str | Path, camera: str = "iso",
                 size: tuple[int, int] = (1600, 1000),
                 settings: ViewerSettings | None = None) -> Path:
    """Draw ``scene`` as the viewer does (its current step and colours), from the preset
    ``camera`` view, into the PNG ``path`` of ``size`` (width, height) pixels."""
    settings = settings or ViewerSettings()
    _prefer_egl_without_display()
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    window = plotter.render_window
    assert window is not None  # a plotter has its window until it is closed
    window.SetMultiSamples(0)
    try:
        renderer = SceneRenderer(plotter, scene)
        renderer.set_anti_aliasing(settings.anti_aliasing)
        renderer.view_preset(camera)
        return save_screenshot(renderer, path)
    finally:
        plotter.close()


def apply_time(scene: Scene, text: str) -> None:
    """Move a results scene's timeline to the step nearest ``text`` (``ResultsScene.step_at``)."""
    if not isinstance(scene, ResultsScene):
        raise InputError(None, "--time", "only a results file has time steps")
    scene.timeline.set_index(scene.step_at(text))


def apply_color_by(scene: Scene, attribute: str | None) -> None:
    """Colour one layer by an attribute and every other layer in its solid colour; None: all in
    solid colours. ``LAYER.ATTRIBUTE`` names the layer; a bare ``ATTRIBUTE`` colours the
    buildings, or else the first layer that has it."""
    layers = sorted(scene.layers.values(), key=lambda layer: layer.kind != "buildings")
    name, _, rest = (attribute or "").partition(".")
    if rest and name in scene.layers:
        layers, attribute = [scene.layers[name]], rest
    chosen = next((layer for layer in layers if attribute in layer.attributes()), None)
    if attribute is not None and chosen is None:
        offered = sorted({f"{layer.name}.{name}" for layer in scene.layers.values()
                          for name in layer.attributes()})
        raise InputError(None, "--color-by", f"no layer has the numeric attribute {attribute!r}; "
                                             f"choose one of {', '.join(offered)} or none")
    for layer in scene.layers.values():
        layer.set_color_by(attribute if layer is chosen else None)


def _prefer_egl_without_display() -> None:
    """On Linux without an X display, ask VTK for its EGL window straight away (instead of trying
    X first and warning that there is no X server)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
