"""Terrain as a surface of quads through the DTM's cell centres, decimated if the grid is huge."""

from __future__ import annotations

import math

import numpy as np
import pyvista as pv

from twin.model import Raster

ELEVATION = "elevation"
"""Point array of the terrain surface: height of each point, m."""
MAX_POINTS = 100_000
"""Grids larger than this are sampled every k-th row and column to stay below it (about 200,000
triangles: a frame in well under 0.1 s even on software OpenGL)."""
PROXY_POINTS = 10_000
"""Size of the coarse surface drawn while the camera moves."""


def terrain_surface(raster: Raster, origin: tuple[float, float],
                    max_points: int = MAX_POINTS) -> pv.PolyData:
    """The surface through ``raster``'s cell centres; cells with an unknown (NaN) corner are left out."""
    rows, cols = raster.shape
    step = max(1, math.ceil(math.sqrt(rows * cols / max_points)))
    row_index = np.arange(0, rows, step)
    col_index = np.arange(0, cols, step)
    z = raster.values[np.ix_(row_index, col_index)].astype(np.float64)
    col_grid, row_grid = np.meshgrid(col_index + 0.5, row_index + 0.5)
    x, y = raster.transform @ (col_grid.ravel(), row_grid.ravel())
    known = np.isfinite(z.ravel())
    fill = float(np.nanmedian(z)) if known.any() else 0.0
    points = np.column_stack([np.asarray(x) - origin[0], np.asarray(y) - origin[1],
                              np.where(known, z.ravel(), fill)]).astype(np.float32)
    n_rows, n_cols = z.shape
    corner = (np.arange(n_rows - 1)[:, None] * n_cols + np.arange(n_cols - 1)[None, :]).ravel()
    quads = np.column_stack([corner, corner + 1, corner + n_cols + 1, corner + n_cols])
    quads = quads[known[quads].all(axis=1)]
    # pyvista's MatrixLike[float] stub takes float64 arrays only; these points are float32
    surface = pv.PolyData.from_regular_faces(points, quads.astype(np.int64))  # type: ignore[arg-type]
    surface.point_data[ELEVATION] = np.where(known, z.ravel(), np.nan).astype(np.float32)
    return surface
