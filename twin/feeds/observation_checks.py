"""What makes an observation storable: ids the store can name, a time the twin's clocks can
hold, finite numbers. Anything else is rejected alone (and quarantined by the ingest), so one
bad message never stops the others nor poisons the store for later reads.
"""

from __future__ import annotations

import math
import re

from twin.feeds.base import Observation

EARLIEST_MS = -2_208_988_800_000
"""ms since 1970 UTC: 1900-01-01, the earliest observation time accepted."""
LATEST_MS = 7_258_118_400_000
"""ms since 1970 UTC: 2200-01-01, the latest observation time accepted (datetime64[ns], which
the twin's tables use, ends in 2262)."""
MAX_ID_LENGTH = 200
"""Characters at most in a sensor id, quantity or unit."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def id_problem(text: object, what: str) -> str | None:
    """Why ``text`` cannot name a sensor, quantity or unit, or None.

    Parameters
    ----------
    text : object
        The id as the message gave it.
    what : str
        Its field name, for the message (``sensor``, ``quantity``, ``unit``).

    Returns
    -------
    str or None
        E.g. ``"sensor: contains a control character"``; None when usable.
    """
    if not isinstance(text, str):
        return f"{what}: not text"
    if text in (".", ".."):
        return f"{what}: {text!r} is not a usable id"
    if len(text) > MAX_ID_LENGTH:
        return f"{what}: longer than {MAX_ID_LENGTH} characters"
    if _CONTROL.search(text):
        return f"{what}: contains a control character"
    return None


def observation_problem(observation: Observation) -> str | None:
    """Why ``observation`` cannot be stored, or None when it can.

    Parameters
    ----------
    observation : Observation
        One parsed observation: ids, ``time`` [ms since 1970 UTC], ``value`` [``unit``],
        optional ``lon``/``lat`` [degree].

    Returns
    -------
    str or None
        One line naming the field and the reason, e.g. ``"time: 100000000000000000 ms is
        outside 1900-2200"``; None when every field is usable.
    """
    o = observation
    for text, what in ((o.sensor, "sensor"), (o.quantity, "quantity")):
        problem = id_problem(text, what)
        if problem or not text:
            return problem or f"{what}: empty"
    problem = id_problem(o.unit, "unit")
    if problem:
        return problem
    if not isinstance(o.time, int) or not EARLIEST_MS <= o.time < LATEST_MS:
        return f"time: {o.time!r} ms is outside 1900-2200"
    if not isinstance(o.value, float | int) or not math.isfinite(o.value):
        return f"value: {o.value!r} is not a finite number"
    for coordinate, what, limit in ((o.lon, "lon", 180.0), (o.lat, "lat", 90.0)):
        if coordinate is not None and not (isinstance(coordinate, float | int)
                                           and math.isfinite(coordinate)
                                           and -limit <= coordinate <= limit):
            return f"{what}: {coordinate!r} is not a WGS84 coordinate"
    return None
