"""Numbers of a weather file's columns, read without overflow: every weather format goes
through ``finite_numbers`` before a value is compared or computed with."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_NUMBER_TEXT = 40
"""Characters of the longest text read as a number: a 400-digit integer would overflow the
conversion to float (and is no weather value)."""


def finite_numbers(column: pd.Series) -> pd.Series:
    """``column`` as float64, NaN where a value is not a finite number (text or a whole number
    of more than ``MAX_NUMBER_TEXT`` characters is none).

    Parameters
    ----------
    column : pandas.Series
        Values as read from the file: numbers, or text where a cell did not parse as one.

    Returns
    -------
    pandas.Series
        float64 values [the unit of the column], NaN where missing or not a finite number.
    """
    if column.dtype == object:
        text = column.astype(str).str.strip()
        column = text.where(text.str.len() <= MAX_NUMBER_TEXT)
    values = pd.to_numeric(column, errors="coerce").astype(np.float64)
    return values.where(np.isfinite(values))
