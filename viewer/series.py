"""What a layer shows that changes with the timeline: attribute values per time frame
(``Series``) and points that exist one step at a time (``MovingPoints``, sampled vehicles)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from viewer.meshes import FEATURE


@dataclass(frozen=True, eq=False)
class Series:
    """An attribute whose values change with time.

    ``values`` (n_frames, n_features) holds each distinct state once (a traffic bin, a month);
    ``frame_of_step`` (n_steps,) names the frame each timeline step shows, -1 for none (all
    unknown). The colour range is taken over all frames so colours compare across time.
    """

    values: np.ndarray
    frame_of_step: np.ndarray

    def frame(self, step: int) -> int:
        """The frame timeline step ``step`` shows, -1 for none."""
        return int(self.frame_of_step[step])

    def at(self, step: int) -> np.ndarray:
        """The values per feature at timeline step ``step`` (float64, NaN where unknown)."""
        frame = self.frame(step)
        if frame < 0:
            return np.full(self.values.shape[1], np.nan)
        return self.values[frame].astype(np.float64)

    def of_feature(self, row: int) -> np.ndarray:
        """The values of feature ``row`` at every step (float64, NaN where unknown)."""
        frames = self.frame_of_step
        values = self.values[np.maximum(frames, 0), row].astype(np.float64)
        return np.where(frames >= 0, values, np.nan)


@dataclass(frozen=True, eq=False)
class MovingPoints:
    """Points shown one timeline step at a time: ``points`` (n, 3, scene coordinates) sorted by
    step, each drawing the table row of its index; step ``s`` shows ``offsets[s]:offsets[s + 1]``."""

    points: np.ndarray
    offsets: np.ndarray

    def mesh(self, step: int) -> pv.PolyData:
        """A new mesh of the points of ``step``."""
        mesh = pv.PolyData()
        self.show(mesh, step)
        return mesh

    def show(self, mesh: pv.PolyData, step: int) -> None:
        """Put the points of ``step`` into ``mesh`` in place (one vertex each, ``FEATURE`` = row);
        its other arrays are dropped (the renderer writes the colours it needs again)."""
        start, stop = int(self.offsets[step]), int(self.offsets[step + 1])
        mesh.clear_data()
        mesh.points = self.points[start:stop] if stop > start else np.empty((0, 3), np.float32)
        mesh.verts = np.column_stack([np.ones(stop - start, np.int64),
                                      np.arange(stop - start, dtype=np.int64)]).ravel()
        mesh.cell_data[FEATURE] = np.arange(start, stop, dtype=np.int64)
