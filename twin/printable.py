"""Text from input made printable: control characters shown as ``\\xNN``.

Ids and names come from files nobody here wrote. A NUL would be cut off by the GeoPackage (two
ids becoming one), an ANSI escape would restyle a terminal: both are shown as text instead.
"""

from __future__ import annotations

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
