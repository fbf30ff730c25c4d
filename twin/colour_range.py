"""Colour ranges of numeric attributes, like QGIS's graduated renderer: by default the 2–98 %
quantiles (one outlier no longer paints the whole city one shade), symmetric about 0 for
differences, or a manual min/max. Values beyond the range take the colour of its end. The
viewer's layers and the comparison report's maps (``twin.runs.report``) both use them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LOW_QUANTILE = 0.02
HIGH_QUANTILE = 0.98
"""The default range: these quantiles of the known values (all values when fewer than 50)."""


@dataclass(frozen=True)
class ColourRange:
    """The values mapped to the two ends of a colour map (in the attribute's unit).
    ``clipped_low`` / ``clipped_high``: some values lie beyond that end and share its colour;
    ``manual``: set by hand rather than from the values."""

    low: float
    high: float
    clipped_low: bool = False
    clipped_high: bool = False
    manual: bool = False

    def bounds(self) -> tuple[float, float]:
        """(low, high)."""
        return self.low, self.high

    def note(self) -> str:
        """What the legend's ends stand for, "" when they are the data's min and max:
        ``≤ 35.2 · ≥ 412`` for clipped ends, ``manual range`` for a range set by hand."""
        if self.manual:
            return "manual range"
        ends = ([f"≤ {self.low:.4g}"] if self.clipped_low else []) + (
            [f"≥ {self.high:.4g}"] if self.clipped_high else [])
        return " · ".join(ends)


def robust_range(values: Sequence[np.ndarray]) -> ColourRange:
    """The 2–98 % quantiles of the known (finite) values of all arrays, as values that occur
    (inverted CDF: with fewer than 50 values, min and max); (0, 0) when none is known."""
    finite = _finite(values)
    if finite.size == 0:
        return ColourRange(0.0, 0.0)
    low, high = np.quantile(finite, [LOW_QUANTILE, HIGH_QUANTILE], method="inverted_cdf")
    return ColourRange(float(low), float(high), clipped_low=bool(finite.min() < low),
                       clipped_high=bool(finite.max() > high))


def symmetric_range(values: Sequence[np.ndarray]) -> ColourRange:
    """A range centred on 0 for differences: ±(the 98 % quantile of the magnitudes)."""
    finite = np.abs(_finite(values))
    if finite.size == 0:
        return ColourRange(0.0, 0.0)
    high = float(np.quantile(finite, HIGH_QUANTILE, method="inverted_cdf"))
    clipped = bool(finite.max() > high)
    return ColourRange(-high, high, clipped_low=clipped, clipped_high=clipped)


def manual_range(low: float, high: float) -> ColourRange:
    """A range set by hand (ValueError unless low < high, both finite)."""
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"a colour range needs finite min < max, got {low} .. {high}")
    return ColourRange(float(low), float(high), manual=True)


def _finite(values: Sequence[np.ndarray]) -> np.ndarray:
    flat = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values]) if values \
        else np.empty(0)
    return flat[np.isfinite(flat)]
