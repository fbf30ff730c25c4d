"""Heights of the ground under features, for drawing roads and points on the terrain."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

HeightAt = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Ground height (m) at world points (x, y); NaN where unknown."""


def ground_heights(xy: np.ndarray, ground: HeightAt | None) -> np.ndarray:
    """Ground height at each point of ``xy`` (n × 2, world m); 0 where unknown or no ground model."""
    if ground is None or len(xy) == 0:
        return np.zeros(len(xy))
    return np.nan_to_num(ground(xy[:, 0], xy[:, 1]))
