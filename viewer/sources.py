"""The scene of a path: a twin folder or a results file (told apart by suffix or HDF5 signature)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.runs import read_results
from twin.store import load_twin
from viewer.live_sensors import live_sensors
from viewer.paths import is_results_file
from viewer.results_scene import build_results_scene
from viewer.scene import Progress, Scene, build_scene, ground_of


def load_scene(path: str | Path, progress: Progress | None = None, steps: np.ndarray | None = None,
               origin: tuple[float, float] | None = None) -> Scene:
    """The scene of the twin folder (with its live sensors, if its feeds store observations) or
    results file ``path``; a results scene at the timeline ``steps`` and ``origin`` if given (to
    compare it with another)."""
    path = Path(path)
    if path.is_file() and is_results_file(path):
        return build_results_scene(read_results(path), progress, steps, origin)
    twin = load_twin(path)
    scene = build_scene(twin, progress=progress)
    live = live_sensors(path, twin, scene.origin, ground_of(twin.terrain.dtm))
    if live is not None:
        scene.add_layer(live.layer)
        scene.live = live
    return scene
