"""Text for people: input made printable (control characters shown as ``\\xNN``) and numbers
as a planner reads them.

Ids and names come from files nobody here wrote. A NUL would be cut off by the GeoPackage (two
ids becoming one), an ANSI escape would restyle a terminal: both are shown as text instead.
"""

from __future__ import annotations

import math
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` with every control character but newline and tab shown as ``\\xNN``.

    Parameters
    ----------
    text : str
        Text that may come from input.

    Returns
    -------
    str
        The same text, ANSI escapes, NUL and other control characters made visible.
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character other than newline and tab."""
    return _CONTROL.search(text) is not None


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
