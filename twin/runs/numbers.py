"""Numbers as a planner reads them: thousands separated, no exponent in the usual ranges."""

from __future__ import annotations

import math


def readable(value: float, sign: str = "") -> str:
    """``value`` as text: ``243,200`` rather than ``2.432e+05``, four significant digits below
    1,000, an exponent only beyond 1e15 or below 1e-3; ``""`` for NaN.

    Parameters
    ----------
    value : float
        The number [any unit].
    sign : str, default ""
        ``"+"`` to show the sign of positive numbers too (changes).

    Returns
    -------
    str
        The text.
    """
    if value is None or math.isnan(value):
        return ""
    size = abs(value)
    if size >= 1e15 or 0 < size < 1e-3:
        return f"{value:{sign}.3e}"
    if size >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.4g}"
