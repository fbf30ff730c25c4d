"""The ruler: a distance measured along points picked in the view, free of Qt.

Points are in the twin CRS (m), as identification gives them: a projected, distance-true CRS
(the importers see to that), so lengths are metres on the ground.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.printable import readable


@dataclass
class Measurement:
    """Points picked in order, and the lengths along them.

    Attributes
    ----------
    points : list of tuple of float
        The picked points, twin CRS [m].
    """

    points: list[tuple[float, float, float]] = field(default_factory=list)

    def add(self, point: tuple[float, float, float] | np.ndarray) -> None:
        """Append a picked point (twin CRS, m)."""
        x, y, z = (float(v) for v in point)
        self.points.append((x, y, z))

    def clear(self) -> None:
        """Forget every point."""
        self.points.clear()

    @property
    def length(self) -> float:
        """Length of the polyline through the points, m (0 below two points)."""
        return self._along(3)

    @property
    def horizontal(self) -> float:
        """Length of the polyline seen from above, m."""
        return self._along(2)

    @property
    def rise(self) -> float:
        """Height of the last point above the first, m (0 below two points)."""
        return self.points[-1][2] - self.points[0][2] if len(self.points) > 1 else 0.0

    def text(self) -> str:
        """The measurement for the status bar, e.g. ``distance 1,234 m (horizontal 1,230 m,
        height +12.00 m), 3 points``."""
        if len(self.points) < 2:
            return "measure: click a second point" if self.points else "measure: click a point"
        return (f"distance {readable(self.length)} m (horizontal {readable(self.horizontal)} m, "
                f"height {readable(self.rise, '+')} m), {len(self.points)} points")

    def _along(self, dimensions: int) -> float:
        if len(self.points) < 2:
            return 0.0
        xyz = np.asarray(self.points)[:, :dimensions]
        return float(np.linalg.norm(np.diff(xyz, axis=0), axis=1).sum())
