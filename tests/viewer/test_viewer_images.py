"""Image regression checks: the Delft twin view, the Helsinki results at 08:00 and the A/B
compare view, each against its reference picture in ``tests/viewer/images`` within a tolerance.

The references change on purpose only: ``TWIN_UPDATE_IMAGES=1 pytest tests/viewer/test_viewer_images.py``
writes them anew (look at them before committing). A missing reference is a failure."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
from PIL import Image

from twin.model import Twin
from twin.runs import read_results
from viewer.compare import Comparison, link_cameras
from viewer.renderer import SceneRenderer
from viewer.results_scene import build_results_scene
from viewer.scene import build_scene

IMAGES = Path(__file__).parent / "images"
UPDATE = os.environ.get("TWIN_UPDATE_IMAGES") == "1"
SIZE = (800, 500)
COMPARE_SIZE = (1280, 500)
"""Two panes of 640 x 500 px, as a 1280 px wide window shows them."""
ERROR_LIMIT = 500.0
"""Largest ``pyvista.compare_images`` error (vtkImageDifference, threshold 1) accepted: the
failing limit pytest-pyvista's image cache uses."""


def _check(image: np.ndarray, name: str) -> None:
    """``image`` matches the reference ``name`` (or becomes it when updating on purpose)."""
    path = IMAGES / f"{name}.png"
    if UPDATE:
        Image.fromarray(image).save(path)
        return
    assert path.exists(), f"no reference {path.name}: make it with TWIN_UPDATE_IMAGES=1"
    reference = np.asarray(Image.open(path).convert("RGB"))
    assert reference.shape == image.shape
    error = pv.compare_images(reference, image)
    assert error <= ERROR_LIMIT, f"{name}: image error {error:.0f} > {ERROR_LIMIT:.0f}"


@pytest.fixture
def plotter() -> Iterator[Callable[[tuple[int, int]], pv.Plotter]]:
    """Off-screen plotters of a given size, closed after the test whatever its outcome."""
    made: list[pv.Plotter] = []

    def make(size: tuple[int, int]) -> pv.Plotter:
        made.append(pv.Plotter(off_screen=True, window_size=list(size)))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _shot(plotter: pv.Plotter) -> np.ndarray:
    plotter.render()
    return np.asarray(plotter.screenshot(return_img=True))[..., :3]


def test_the_delft_twin_looks_as_before(delft: Twin, plotter) -> None:
    view = plotter(SIZE)
    SceneRenderer(view, build_scene(delft))
    _check(_shot(view), "delft_twin")


def test_the_helsinki_results_at_8_and_the_compare_view_look_as_before(
        helsinki_results: dict[str, Path], plotter) -> None:
    a = build_results_scene(read_results(helsinki_results["a"]))
    b = build_results_scene(read_results(helsinki_results["b"]), steps=a.timeline.steps,
                            origin=a.origin)
    a.timeline.set_index(a.step_at("08:00"))
    view = plotter(SIZE)
    SceneRenderer(view, a)
    _check(_shot(view), "helsinki_results_0800")
    Comparison(a, b).show_differences(True)
    panes = [plotter((COMPARE_SIZE[0] // 2, COMPARE_SIZE[1])) for _ in range(2)]
    renderers = [SceneRenderer(pane, scene, linked_legends=key == "A")
                 for pane, scene, key in zip(panes, (a, b), "AB")]
    link_cameras(panes[0], panes[1])
    for renderer, key, scene in zip(renderers, "AB", (a, b)):
        renderer.set_pane(f"{key}  {scene.title}")
    renderers[0].view_preset("iso")
    _check(np.hstack([_shot(pane) for pane in panes]), "helsinki_compare_0800")


@pytest.mark.skipif(UPDATE, reason="updating the references")
def test_a_changed_view_fails_the_check(delft: Twin, plotter) -> None:
    view = plotter(SIZE)
    scene = build_scene(delft)
    SceneRenderer(view, scene)
    scene.layers["buildings"].set_cmap("magma")  # another colour map: not the same picture
    with pytest.raises(AssertionError, match="image error"):
        _check(_shot(view), "delft_twin")
