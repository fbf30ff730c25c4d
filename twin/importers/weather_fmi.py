"""Test reference years of the Finnish Meteorological Institute (FMI TRY2020, CSV).

Semicolon-separated: one comment line (``#Ilmatieteen laitos, ...``), the column names
``STEP;YEAR;MON;DAY;HOUR;TEMP;RH;WS;WDIR;GHI;DHI;DNI``, then 8,760 hourly rows in Finnish
standard time (UTC+2, no daylight saving), HOUR 0..23 the START of each hour; TEMP °C, RH %,
WS m/s, WDIR degrees, GHI / DHI / DNI W/m² as hourly means. YEAR is the year each month was
taken from (a TRY stitches months), so the rows are put in a typical year. The files carry no
site and no air pressure: the site comes from ``SITES`` by the station in the file name (FMI
publishes TRY2020 for four stations, each with climates of 2030, 2050 and 2080), and the
pressure is the standard atmosphere's at the site's elevation.

Source of the format and the Helsinki-Vantaa site: Jylhä et al. (2020), "Energy demand of
buildings under changing climate", FMI, http://hdl.handle.net/10138/321164.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.model import SiteLocation

FMI_UTC_OFFSET = 2.0
"""h; Finnish standard time, the time of every FMI TRY file."""
HEADER = "STEP;YEAR;MON;DAY;HOUR;TEMP;RH;WS;WDIR;GHI;DHI;DNI"
COLUMNS: dict[str, str] = {
    "YEAR": "year", "MON": "month", "DAY": "day", "HOUR": "hour", "TEMP": "temp_air",
    "RH": "relative_humidity", "WS": "wind_speed", "WDIR": "wind_direction", "GHI": "ghi",
    "DHI": "dhi", "DNI": "dni",
}
"""FMI column -> name in the returned table."""
SITES: dict[str, SiteLocation] = {
    "vantaa": SiteLocation(latitude=60.327, longitude=24.957, elevation=51.0,
                           name="Helsinki-Vantaa airport", utc_offset=FMI_UTC_OFFSET),
}
"""Stations by the name that starts their file names (``Vantaa-TRY2020.csv``,
``Vantaa_TRY2020_RCP45_2050.csv``)."""


def is_fmi_try(lines: list[str]) -> bool:
    """Whether ``lines`` (the first of a file) are an FMI TRY CSV: its column line is there."""
    return any(line.strip().upper().replace(" ", "") == HEADER for line in lines[:3])


def standard_pressure(elevation: float) -> float:
    """Air pressure of the standard atmosphere (ISO 2533) at ``elevation`` m above sea level, Pa."""
    return 101325.0 * (1.0 - 2.25577e-5 * elevation) ** 5.25588


def read_fmi_try(path: Path, lines: list[str]) -> tuple[pd.DataFrame, SiteLocation, int, list[str]]:
    """Parse an FMI TRY file's ``lines``.

    Parameters
    ----------
    path : Path
        The file (its name gives the station).
    lines : list of str
        Its text lines.

    Returns
    -------
    tuple
        The hourly table (year, month, day, hour = START hour 0..23 in UTC+2, temp_air [°C],
        relative_humidity [%], wind_speed [m/s], wind_direction [degree], ghi / dhi / dni
        [W/m²], pressure [Pa]), the site, the file line number (1-based) of the first row,
        and warnings.

    Raises
    ------
    InputError
        For a file of a station not in ``SITES`` or rows that cannot be read.
    """
    station = path.name.replace("-", "_").split("_")[0].lower()
    if station not in SITES:
        raise InputError(path, "site", f"FMI TRY file of an unknown station {station!r}; known: "
                                       f"{', '.join(sorted(SITES))} (the file holds no position)")
    site = SITES[station]
    header_at = next(i for i, line in enumerate(lines[:3])
                     if line.strip().upper().replace(" ", "") == HEADER)
    try:
        raw = pd.read_csv(io.StringIO("\n".join(lines[header_at:])), sep=";",
                          skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, "data", f"{exc} (counting from line {header_at + 2}, the first "
                                       "row)") from exc
    table = raw.rename(columns=lambda c: c.strip().upper())[list(COLUMNS)].rename(columns=COLUMNS)
    table["year"] = float("nan")  # stitched months: a typical year
    table["pressure"] = standard_pressure(site.elevation)
    warnings = [f"{path.name}: pressure: not in the file; the standard atmosphere at the site's "
                f"{site.elevation:g} m ({table['pressure'].iloc[0] / 100:.1f} hPa)"]
    return table, site, header_at + 2, warnings
