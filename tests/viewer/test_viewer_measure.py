"""The ruler's arithmetic, without Qt."""

from __future__ import annotations

import pytest

from viewer.measure import Measurement


def test_lengths_along_the_points() -> None:
    ruler = Measurement()
    assert ruler.length == 0.0 and ruler.text() == "measure: click a point"
    ruler.add((0.0, 0.0, 10.0))
    assert ruler.text() == "measure: click a second point"
    ruler.add((3.0, 4.0, 10.0))
    ruler.add((3.0, 4.0 + 1200.0, 22.0))
    assert ruler.horizontal == pytest.approx(1205.0)
    assert ruler.length == pytest.approx(5.0 + (1200.0**2 + 12.0**2) ** 0.5)
    assert ruler.rise == 12.0
    assert ruler.text() == "distance 1,205 m (horizontal 1,205 m, height +12 m), 3 points"
    ruler.clear()
    assert ruler.points == [] and ruler.length == 0.0
