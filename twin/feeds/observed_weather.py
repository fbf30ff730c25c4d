"""Observed weather as a Weather table for the energy run: a weather sensor's hourly means, the
rest from a typical year, DNI and DHI split from GHI where only GHI is observed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

from twin.errors import InputError
from twin.feeds.archive import read_series
from twin.model import WEATHER_COLUMNS, Weather


def observed_weather(folder: str | Path, sensor: str, base: Weather) -> Weather:
    """The hours observed by weather ``sensor`` as a Weather table (hourly means labelled by the
    UTC end of each hour). Quantities it does not observe come from ``base`` at the same month,
    day and hour (a typical year stands in); with GHI observed but no DNI/DHI, those are split
    from GHI with the Erbs model at the middle of each hour at ``base.location``.

    Parameters
    ----------
    folder : str or Path
        The twin folder with the observations.
    sensor : str
        Id of the weather sensor; its series are named like the ``WEATHER_COLUMNS``
        (``temp_air`` [°C], ``ghi`` [W/m2], ...) and stored in their units.
    base : Weather
        A typical year for what the sensor does not observe, and the site.

    Returns
    -------
    Weather
        Hourly rows from the first to the last observed hour, labelled by the UTC end of each
        hour, with every weather column in its unit; ``source_format`` ``observed``.

    Raises
    ------
    InputError
        When the sensor stores no weather quantity, or one in another unit.
    """
    observed = {}
    for column, unit in WEATHER_COLUMNS.items():
        try:
            series, stored_unit = read_series(folder, sensor, column)
        except InputError:
            continue
        if stored_unit != unit:
            raise InputError(folder, f"{sensor}/{column}", f"stored in {stored_unit!r}, expected {unit!r}")
        observed[column] = series.resample("1h", closed="right", label="right").mean()
    if not observed:
        raise InputError(folder, sensor, f"no weather quantities stored (expected some of {list(WEATHER_COLUMNS)})")
    data = pd.DataFrame(observed)
    data = data.reindex(pd.date_range(data.index.min(), data.index.max(), freq="1h", name="time"))
    if "ghi" in observed and not {"dni", "dhi"} & observed.keys():
        data["dni"], data["dhi"] = _split_ghi(data["ghi"], base)
    typical = _typical(base, data.index)
    for column in WEATHER_COLUMNS:  # a twin stored before the sky columns has none: NaN
        fill = typical[column] if column in typical else float("nan")
        data[column] = data[column].fillna(fill) if column in data else fill
    return Weather(data=data[list(WEATHER_COLUMNS)], location=base.location, source_format="observed")


def _typical(base: Weather, index: pd.DatetimeIndex) -> pd.DataFrame:
    """``base`` values at the same (month, day, hour) as each time of ``index``."""
    b = base.data
    keyed = b.set_axis(pd.MultiIndex.from_arrays([b.index.month, b.index.day, b.index.hour]))
    keyed = keyed[~keyed.index.duplicated()]
    wanted = pd.MultiIndex.from_arrays([index.month, index.day, index.hour])
    return keyed.reindex(wanted).set_axis(index)


def _split_ghi(ghi: pd.Series, base: Weather) -> tuple[pd.Series, pd.Series]:
    middle = ghi.index - pd.Timedelta(minutes=30)
    loc = base.location
    sun = pvlib.solarposition.get_solarposition(middle, loc.latitude, loc.longitude, loc.elevation)
    parts = pvlib.irradiance.erbs(ghi.to_numpy(), sun["zenith"].to_numpy(), middle)
    return (pd.Series(np.asarray(parts["dni"]), index=ghi.index),
            pd.Series(np.asarray(parts["dhi"]), index=ghi.index))

