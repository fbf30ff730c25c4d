"""Colour classes of numeric attributes, like QGIS's graduated renderer: the colour range split
into classes by quantile, equal interval or natural breaks (Fisher–Jenks, ``mapclassify``), or no
classes (a continuous ramp). Differences get classes mirrored around 0. Values beyond the range
fall into its end classes, labelled ``≤`` / ``≥``. Qt-free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import mapclassify
import numpy as np

from twin.colour_range import ColourRange
from twin.printable import readable

Classification = Literal["continuous", "quantile", "equal interval", "natural breaks"]
"""How a colour map covers the range: a continuous ramp, or classes of one colour each."""
CLASSIFICATIONS: tuple[Classification, ...] = get_args(Classification)
DEFAULT_CLASS_COUNT = 5
MAX_CLASS_COUNT = 12
NATURAL_BREAKS_SAMPLE = 2000
"""Natural breaks of more values are found among this many evenly spaced quantiles of them
(Fisher–Jenks takes quadratic time: 30,000 buildings would take seconds)."""


@dataclass(frozen=True)
class ColourClasses:
    """Classes of values (the attribute's unit): ``edges`` ascending, class ``i`` holds the
    values in ``edges[i]`` .. ``edges[i + 1]`` (its upper edge included), the first and last
    class also the values beyond ``range``'s clipped ends."""

    edges: np.ndarray
    range: ColourRange

    @property
    def count(self) -> int:
        """The number of classes."""
        return len(self.edges) - 1

    def index(self, values: np.ndarray) -> np.ndarray:
        """The class of every value (float: NaN where the value is unknown)."""
        values = np.asarray(values, dtype=np.float64)
        classes = np.searchsorted(self.edges[1:-1], values, side="left").astype(np.float64)
        classes[~np.isfinite(values)] = np.nan
        return classes

    def labels(self) -> list[str]:
        """One label per class: ``30.8 – 45.2``, its first ``≤ 45.2`` and last ``> 412`` when
        the range is clipped at that end (and there is more than one class)."""
        labels = [f"{readable(low)} – {readable(high)}"
                  for low, high in zip(self.edges[:-1], self.edges[1:])]
        if self.range.clipped_low and self.count > 1:
            labels[0] = f"≤ {readable(self.edges[1])}"
        if self.range.clipped_high and self.count > 1:
            labels[-1] = f"> {readable(self.edges[-2])}"
        return labels


def classify(values: Sequence[np.ndarray], colour_range: ColourRange,
             method: Classification, count: int, diverging: bool = False) -> ColourClasses | None:
    """``count`` classes (1..``MAX_CLASS_COUNT``; fewer when values repeat) of the known values
    of all arrays within ``colour_range`` by ``method``; mirrored around 0 if ``diverging``
    (even counts put an edge at 0, odd ones a class around it). None for ``continuous`` or when
    the range is empty. ValueError for another method or count."""
    check_classification(method, count)
    low, high = colour_range.bounds()
    if method == "continuous" or not low < high:
        return None
    finite = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values]) \
        if values else np.empty(0)
    finite = np.clip(finite[np.isfinite(finite)], low, high)
    if diverging:
        upper = _upper_edges(np.abs(finite), 0.0, high, method, (count + 1) // 2)
        edges = np.concatenate([-upper[::-1], [] if count % 2 else [0.0], upper])
    else:
        edges = np.concatenate([[low], _upper_edges(finite, low, high, method, count)])
    inner = edges[1:-1]
    edges = np.concatenate([[edges[0]], np.unique(inner[(inner > edges[0]) & (inner < edges[-1])]),
                            [edges[-1]]])
    return ColourClasses(edges, colour_range)


def check_classification(method: str, count: int) -> None:
    """ValueError unless ``method`` is one of ``CLASSIFICATIONS`` and ``count`` is within
    1..``MAX_CLASS_COUNT``."""
    if method not in CLASSIFICATIONS:
        raise ValueError(f"unknown classification {method!r}; choose one of {', '.join(CLASSIFICATIONS)}")
    if not 1 <= count <= MAX_CLASS_COUNT:
        raise ValueError(f"the number of classes must be within 1..{MAX_CLASS_COUNT}, got {count}")


def _upper_edges(values: np.ndarray, low: float, high: float, method: Classification,
                 count: int) -> np.ndarray:
    """The upper edges of ``count`` classes of ``values`` (all within low..high), the last
    one ``high``."""
    if count == 1 or method == "equal interval" or values.size == 0:
        return np.linspace(low, high, count + 1)[1:]
    if method == "quantile":
        inner = np.quantile(values, np.arange(1, count) / count)
    else:
        inner = _natural_breaks(values, count)
    return np.concatenate([np.asarray(inner, dtype=np.float64), [high]])


def _natural_breaks(values: np.ndarray, count: int) -> np.ndarray:
    """The inner upper edges of ``count`` Fisher–Jenks classes of ``values``: found among
    ``NATURAL_BREAKS_SAMPLE`` evenly spaced quantiles of many values, each edge then moved to the
    lower side of the widest gap between the values up to the next quantile (so a gap between
    groups stays whole)."""
    values = np.sort(values)
    sample = np.unique(np.quantile(values, np.linspace(0.0, 1.0, NATURAL_BREAKS_SAMPLE))
                       if values.size > NATURAL_BREAKS_SAMPLE else values)
    if sample.size <= count:
        return sample[:-1]
    inner = np.asarray(mapclassify.FisherJenks(sample, k=count).bins[:-1], dtype=np.float64)
    following = sample[np.minimum(np.searchsorted(sample, inner, side="right"), sample.size - 1)]
    edges = []
    for edge, after in zip(inner, following):
        between = values[np.searchsorted(values, edge, "left"):np.searchsorted(values, after, "right")]
        edges.append(between[np.argmax(np.diff(between))] if between.size > 1 else edge)
    return np.array(edges)
