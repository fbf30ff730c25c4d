"""Hourly irradiance on another time base than the file's clock, moved onto the clock.

The Deutscher Wetterdienst's TRY 2011 reference years give the hours in MEZ (HH = end of the
hour), but not their solar irradiance (B direct, D diffuse): a measured value (``IK`` 1) is the
mean of the hour ending HH in true local solar time (wahre Ortszeit), a computed one (``IK`` 9)
the mean of the hour centred on HH in MEZ (the time base found by the TRNSYS developers with the
DWD, trnsys.de FAQ "Konvertieren der TRY 2011"; the manual does not say). The files bear it out:
over the 15 stations, from 6°58' E to 13°04' E, the direct irradiance of the stations with
measured values is centred on 12:00 solar time (within the scatter of afternoon clouds), and
that of the stations with computed values on solar noon in MEZ less half an hour. Read as MEZ
hours ending at HH, a roof sees its sun up to half an hour early, and east faces gain what
west faces lose.

A value covering [h - 1, h] on its own time base, which runs ``shift`` h ahead of the clock,
covers [h - 1 - shift, h - shift] on the clock; the clock hour's value is the mean over it of
the values it overlaps, each taken as constant over its hour. True solar time runs
(longitude - 15° x UTC offset) x 4 min/° + the equation of time (Spencer 1971, as pvlib gives
it) ahead of the clock; a value centred on the clock's HH runs -0.5 h ahead. The year wraps
around (a reference year is a typical year), so the annual sum is kept.
"""

from __future__ import annotations

import numpy as np


def solar_time_shift(day_of_year: np.ndarray, longitude: float, utc_offset: float) -> np.ndarray:
    """True solar time minus clock time, h, per day of the year.

    Parameters
    ----------
    day_of_year : ndarray
        Day of the year of each value, 1..366 [-].
    longitude : float
        East positive [degree].
    utc_offset : float
        The clock's offset from UTC [h].

    Returns
    -------
    ndarray
        The shift, float64 [h].
    """
    from pvlib.solarposition import equation_of_time_spencer71

    eot_minutes = equation_of_time_spencer71(np.asarray(day_of_year, dtype=np.float64))
    return ((longitude - 15.0 * utc_offset) * 4.0 + np.asarray(eot_minutes)) / 60.0


def on_clock_time(values: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Hourly means on another time base (value i: its hour ending i + 1 h after the first)
    moved onto the clock hours of the same rows, that time base running ``shift`` h ahead of
    the clock (per row; between -24 and 24; e.g. :func:`solar_time_shift`).

    Parameters
    ----------
    values : ndarray
        Hourly means on their own time base, one per row of a whole cyclic year [unit of the
        values, e.g. W/m²].
    shift : ndarray
        How far the values' time base runs ahead of the clock, per row [h].

    Returns
    -------
    ndarray
        Hourly means of the clock hours, float64 [same unit].
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    start = np.arange(n) + np.asarray(shift, dtype=np.float64)
    first = np.floor(start)
    share = start - first  # of the clock hour in the solar hour after the first one
    k = first.astype(np.int64) % n
    return (1.0 - share) * values[k] + share * values[(k + 1) % n]
