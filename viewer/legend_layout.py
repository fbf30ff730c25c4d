"""Where the legends of a view go: a column at the right edge, one legend under the other, each
a title block above its colour bar, so no two legends or titles overlap. Qt-free, in pixels."""

from __future__ import annotations

from dataclasses import dataclass

MARGIN = 12
"""Space between the column and the view's edges, and between legends (px)."""
COLUMN_WIDTH = 190
"""Width of the column (px); titles are right-aligned in it."""
BAR_WIDTH = 90
"""Width of a colour bar with its labels (px)."""
LINE_HEIGHT = 17
"""Height of one title line (px)."""
MAX_BAR_HEIGHT = 260
"""Tallest colour bar (px); fewer legends do not stretch beyond it."""


@dataclass(frozen=True)
class Box:
    """A rectangle on the screen: lower-left corner and size (px, origin at the view's lower
    left as VTK counts)."""

    x: float
    y: float
    width: float
    height: float

    def intersects(self, other: Box) -> bool:
        """True if the two boxes share an area (touching edges do not count)."""
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


@dataclass(frozen=True)
class LegendPlace:
    """Where one legend goes: its title block and its colour bar (with labels)."""

    title: Box
    bar: Box


def stack_legends(title_lines: list[int], width: float, height: float) -> list[LegendPlace]:
    """Places for legends whose titles have ``title_lines`` lines each, top to bottom in a
    column at the right edge of a ``width`` x ``height`` view (px); the colour bars share the
    height left after the titles and margins, at most ``MAX_BAR_HEIGHT`` each."""
    if not title_lines:
        return []
    left = width - MARGIN - COLUMN_WIDTH
    titles = [lines * LINE_HEIGHT for lines in title_lines]
    free = height - MARGIN * (2 * len(titles) + 1) - sum(titles)
    bar_height = max(min(MAX_BAR_HEIGHT, free / len(titles)), 1.0)
    places = []
    top = height - MARGIN
    for title_height in titles:
        title = Box(left, top - title_height, COLUMN_WIDTH, title_height)
        bar_top = title.y - MARGIN
        bar = Box(width - MARGIN - BAR_WIDTH, bar_top - bar_height, BAR_WIDTH, bar_height)
        places.append(LegendPlace(title, bar))
        top = bar.y - MARGIN
    return places
