"""Daily departure-time profile of car trips and seeded departure times drawn from it.

``WEEKDAY_PROFILE`` is the share (%) of a weekday's car trips starting in each hour of the day
(local time of the twin's clock), an illustrative urban profile with a morning peak at 07-09 h
(15.5 % of the day) and a broader evening peak at 15-18 h (23.9 %), peak hours at 8.0 % (08-09 h)
and 8.6 % (17-18 h): the range of peak-hour shares (design-hour K factors of 8-10 %) that traffic
counts on urban roads show. Within an hour departures are uniform. Replace it with local counts
where they exist.
"""

from __future__ import annotations

import numpy as np

WEEKDAY_PROFILE: tuple[float, ...] = (
    0.6, 0.3, 0.2, 0.2, 0.4, 1.2, 3.5, 7.5,   # 00-08 h
    8.0, 5.5, 5.0, 5.4, 6.0, 5.8, 6.0, 7.0,   # 08-16 h
    8.3, 8.6, 6.8, 4.6, 3.5, 2.6, 1.9, 1.1,   # 16-24 h
)
"""% of a weekday's trips departing in each hour 0..23; sums to 100."""


def profile_share(start: float, end: float, profile: tuple[float, ...] = WEEKDAY_PROFILE) -> float:
    """Share of a day's trips (1 = all of them) departing in [start, end) s of the day (the
    profile repeats every 24 h, so end may pass midnight).

    Parameters
    ----------
    start : float
        Start of the window [s after midnight], >= 0.
    end : float
        End of the window (excluded) [s after midnight], after ``start``.
    profile : tuple of float, default ``WEEKDAY_PROFILE``
        Share of a day's trips departing in each hour 0..23 [%] (24 values >= 0, normalised
        to their sum); uniform within an hour.

    Returns
    -------
    float
        Share of the day's trips in the window [-]: 0..1 for a window of at most 24 h, more
        for a longer one.

    Raises
    ------
    ValueError
        When the window is not 0 <= start < end (finite) or the profile is not 24 shares >= 0.
    """
    _, weights = _pieces(start, end, profile)
    return float(weights.sum())


def departure_times(n: int, start: float, end: float, rng: np.random.Generator,
                    profile: tuple[float, ...] = WEEKDAY_PROFILE) -> np.ndarray:
    """``n`` sorted departure times (s of the day) in [start, end), distributed as ``profile``.

    Parameters
    ----------
    n : int
        Number of departure times [trips].
    start : float
        Start of the window [s after midnight], >= 0.
    end : float
        End of the window (excluded) [s after midnight], after ``start``; may pass midnight.
    rng : numpy.random.Generator
        Source of the random draws.
    profile : tuple of float, default ``WEEKDAY_PROFILE``
        Share of a day's trips departing in each hour 0..23 [%] (24 values >= 0, only their
        ratios matter); uniform within an hour.

    Returns
    -------
    ndarray
        Departure times, float64, sorted, shape (n,) [s after midnight].

    Raises
    ------
    ValueError
        When the window is not 0 <= start < end (finite), the profile is not 24 shares >= 0,
        or it has no trips in the window.
    """
    edges, weights = _pieces(start, end, profile)
    if weights.sum() <= 0:
        raise ValueError(f"departure_times: the profile has no trips between {start} s and {end} s")
    piece = rng.choice(weights.size, size=n, p=weights / weights.sum())
    return np.sort(edges[piece] + rng.random(n) * (edges[piece + 1] - edges[piece]))


def _pieces(start: float, end: float, profile: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Edges of [start, end) cut at whole hours, and the share of the day's trips in each piece."""
    if not (np.isfinite(start) and np.isfinite(end) and 0 <= start < end):
        raise ValueError(f"departure window: expected 0 <= start < end (s), got [{start}, {end})")
    rates = np.asarray(profile, dtype=np.float64)
    if rates.size != 24 or np.any(rates < 0):
        raise ValueError("departure profile: expected 24 hourly shares >= 0")
    rates = rates / rates.sum()
    hours = np.arange(np.floor(start / 3600.0) + 1, np.ceil(end / 3600.0)) * 3600.0
    edges = np.concatenate(([start], hours, [end]))
    hour_of_day = (np.floor(edges[:-1] / 3600.0) % 24).astype(np.int64)
    return edges, rates[hour_of_day] * np.diff(edges) / 3600.0
