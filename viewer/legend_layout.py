"""Where the legends of a view go: a column at the right edge, one legend under the other, each
a title block above its colour bar, so no two legends or titles overlap. Qt-free, in pixels."""

from __future__ import annotations

from collections.abc import Sequence
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
SWATCH_HEIGHT = 22
"""Height (px) a legend of swatches (classes, the base map's kinds) gives each swatch."""


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


def stack_legends(title_lines: list[int], width: float, height: float,
                  bar_caps: list[float | None] | None = None,
                  keep_out: Sequence[Box] = ()) -> list[LegendPlace]:
    """Places for legends whose titles have ``title_lines`` lines each, top to bottom in a
    column at the right edge of a ``width`` x ``height`` view (px); the colour bars share the
    height left after the titles and margins, at most ``MAX_BAR_HEIGHT`` each or the legend's
    ``bar_caps`` entry (px; a legend of a few swatches needs less), the height a capped bar
    leaves going to the others. A ``keep_out`` box (a time label, a scale bar) reaching into
    the column's width shortens the column: from the top if the box lies in the upper half of
    the view, else from the bottom."""
    if not title_lines:
        return []
    left = width - MARGIN - COLUMN_WIDTH
    top, bottom = height - MARGIN, 0.0
    for box in keep_out:
        if box.x < width - MARGIN and box.x + box.width > left:
            if box.y + box.height / 2 > height / 2:
                top = min(top, box.y - MARGIN)
            else:
                bottom = max(bottom, box.y + box.height)
    titles = [lines * LINE_HEIGHT for lines in title_lines]
    free = top - bottom - MARGIN * 2 * len(titles) - sum(titles)
    caps = [MAX_BAR_HEIGHT if cap is None else min(cap, MAX_BAR_HEIGHT)
            for cap in (bar_caps or [None] * len(titles))]
    places = []
    for title_height, bar_height in zip(titles, _share(free, caps)):
        title = Box(left, top - title_height, COLUMN_WIDTH, title_height)
        bar_top = title.y - MARGIN
        bar = Box(width - MARGIN - BAR_WIDTH, bar_top - bar_height, BAR_WIDTH, bar_height)
        places.append(LegendPlace(title, bar))
        top = bar.y - MARGIN
    return places


def _share(free: float, caps: list[float]) -> list[float]:
    """Heights (px, at least 1) of bars sharing ``free`` px evenly, none above its cap: the
    capped ones take their cap, the rest share what is left."""
    heights = [0.0] * len(caps)
    open_bars = list(range(len(caps)))
    while open_bars:
        share = max(free, 0.0) / len(open_bars)
        capped = [i for i in open_bars if caps[i] <= share]
        if not capped:
            for i in open_bars:
                heights[i] = share
            break
        for i in capped:
            heights[i] = caps[i]
            free -= caps[i]
        open_bars = [i for i in open_bars if i not in capped]
    return [max(h, 1.0) for h in heights]
