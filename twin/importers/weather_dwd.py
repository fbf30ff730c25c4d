"""Test reference years (Testreferenzjahre, TRY) of the Deutscher Wetterdienst, ``TRY*_*.dat``.

Both releases share one layout: free-text header lines, a line of column names, a ``***`` line,
then one whitespace-separated row per hour. TRY 2011 (files ``TRY2010_RR_Jahr.dat``) has the
columns ``RG IS MM DD HH N WR WG t p x RF W B D IK A E IL`` and a station header
(``Station: Potsdam``, ``Lage: 52°23'N <- B. 13°04'O <- L. 81 Meter über NN``). TRY 2017 (files
``TRY2015_*.dat`` / ``TRY2045_*.dat``) has ``RW HW MM DD HH t p WR WG N x RF B D A E IL`` and
gives the 1 km grid cell as ``Rechtswert`` / ``Hochwert`` in the Lambert conformal conic grid
ETRS89-LCC Europe (EPSG:3034; checked: TRY2015_523938130651 maps to 52.3938 N 13.0651 E, the
position in its name). Columns are found by name, so either release (and reordered files) reads.

Times are MEZ (UTC+1, no daylight saving); HH 1..24 labels the END of the hour. TRY 2011's
solar irradiance (B, D) has its own time base, given per row by ``IK``: measured values are
hours of true solar time, computed ones are centred on HH; both are moved onto the MEZ hours
(``twin.importers.solar_time``). TRY 2017 gives no such column and is read as MEZ (its direct
and diffuse irradiance do not share one time base by their daily centroids either). Units: t °C,
p hPa, WR degrees (999: variable), WG m/s, RF %, B direct and D diffuse irradiance on the
horizontal W/m², A longwave irradiance from the sky on the horizontal W/m², N cloud cover in
octas (9: sky not visible, taken as overcast). A and N are read when present.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from twin.errors import InputError
from twin.importers.solar_time import on_clock_time, solar_time_shift
from twin.importers.weather_numbers import finite_numbers
from twin.model import SiteLocation

DWD_UTC_OFFSET = 1.0
"""h; MEZ, the time of every TRY file."""
TRY_GRID_CRS = "EPSG:3034"
"""The grid of TRY 2017 ``Rechtswert`` / ``Hochwert`` (ETRS89-extended / LCC Europe)."""
VARIABLE_WIND_DIRECTION = 999
COMPUTED_IRRADIANCE = 9
"""TRY 2011 ``IK`` of computed (not measured) direct and diffuse irradiance."""
CENTRED_SHIFT = -0.5
"""h: how far the time base of a value centred on HH runs ahead of one ending at HH."""

COLUMNS: dict[str, str] = {
    "MM": "month",
    "DD": "day",
    "HH": "hour",
    "t": "temp_air",
    "RF": "relative_humidity",
    "p": "pressure",
    "WG": "wind_speed",
    "WR": "wind_direction",
    "B": "direct_horizontal",
    "D": "dhi",
}
"""DWD column name -> name in the returned table (all of them required)."""
SKY_OBSCURED = 9
"""N (octas) of a sky hidden by fog or precipitation: taken as overcast (8 octas)."""

_NUMBER = r"(-?\d+(?:[.,]\d+)?)"


def column_line(lines: list[str]) -> int | None:
    """Index of the line of column names (with MM DD HH t B D), or None if there is none."""
    for number, line in enumerate(lines):
        if {"MM", "DD", "HH", "t", "B", "D"} <= set(line.split()):
            return number
    return None


def _header_value(header: list[str], pattern: str) -> re.Match | None:
    """First match of ``pattern`` in the header lines (case-insensitive)."""
    for line in header:
        match = re.search(pattern, line, flags=re.IGNORECASE)
        if match:
            return match
    return None


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _degrees(match: re.Match | None) -> float | None:
    """Decimal degrees of a ``52°23'N``-style match (sign from the hemisphere letter)."""
    if match is None:
        return None
    value = int(match.group(1)) + int(match.group(2)) / 60.0
    return -value if match.group(3).upper() in "SW" else value


@cache
def _grid_to_wgs84() -> Transformer:
    """From the TRY grid (m) to WGS84 longitude, latitude (degrees); built once (it takes as
    long as reading a year of rows)."""
    return Transformer.from_crs(TRY_GRID_CRS, "EPSG:4326", always_xy=True)


def _row_grid(first_row: pd.Series) -> tuple[float, float] | None:
    """(RW, HW) of the first row, m in the TRY grid, or None where it has no such numbers."""
    try:
        return (_float(str(first_row["RW"])), _float(str(first_row["HW"])))
    except (KeyError, ValueError):
        return None


def _lat_lon(header: list[str], first_row: pd.Series) -> tuple[float, float] | None:
    """(lat, lon) from Rechtswert/Hochwert, a ``Lage`` line, Breitengrad/Längengrad, or RW/HW."""
    east = _header_value(header, r"^\s*Rechtswert\s*:\s*" + _NUMBER)
    north = _header_value(header, r"^\s*Hochwert\s*:\s*" + _NUMBER)
    grid: tuple[float, float] | None
    if east and north:
        grid = (_float(east.group(1)), _float(north.group(1)))
    else:
        grid = _row_grid(first_row)
    if grid is not None:
        lon, lat = _grid_to_wgs84().transform(*grid)
        return lat, lon
    lat = _degrees(_header_value(header, r"(\d+)\s*°\s*(\d+)'\s*([NS])"))
    lon = _degrees(_header_value(header, r"(\d+)\s*°\s*(\d+)'\s*([OEW])"))
    if lat is None or lon is None:
        lat_m = _header_value(header, r"^\s*Breitengrad\s*:\s*" + _NUMBER)
        lon_m = _header_value(header, r"^\s*L(?:ä|ae)ngengrad\s*:\s*" + _NUMBER)
        if not (lat_m and lon_m):
            return None
        lat, lon = _float(lat_m.group(1)), _float(lon_m.group(1))
    return lat, lon


def _location(path: Path, header: list[str], first_row: pd.Series) -> SiteLocation:
    """Where the TRY applies, from its header; elevation m above sea level."""
    position = _lat_lon(header, first_row)
    if position is None:
        raise InputError(path, "location", "no Rechtswert/Hochwert, Lage or Breitengrad/"
                                            "Längengrad line in the header")
    elevation = _header_value(header, r"(-?\d+)\s*Meter\s*(?:über|ueber)\s*NN")
    name = (_header_value(header, r"^\s*Station\s*:\s*(.+?)(?:\s{2,}|\s*WMO|$)")
            or _header_value(header, r"^\s*Ort\s*:\s*(.+?)\s*$"))
    return SiteLocation(
        latitude=position[0],
        longitude=position[1],
        elevation=float(elevation.group(1)) if elevation else 0.0,
        name=name.group(1).strip() if name else path.stem,
        utc_offset=DWD_UTC_OFFSET,
    )


def _day_of_year(table: pd.DataFrame) -> np.ndarray:
    """Day of the year (1..365, in a year of 365 days: reference years have no 29 February) of
    each row's month and day."""
    before = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    month = np.nan_to_num(table["month"].to_numpy(dtype=np.float64), nan=1.0)
    day = np.nan_to_num(table["day"].to_numpy(dtype=np.float64), nan=1.0)
    return before[month.clip(1, 12).astype(np.int64) - 1] + day.clip(1, 31)


def read_dwd_try(path: Path, lines: list[str]) -> tuple[pd.DataFrame, SiteLocation, int, list[str]]:
    """Parse a TRY file's ``lines``.

    Returns the hourly table (columns year=NaN, month, day, hour = START hour of the interval
    0..23 in MEZ, temp_air °C, relative_humidity %, pressure Pa, wind_speed m/s,
    wind_direction deg (NaN where variable), direct_horizontal and dhi W/m², and where the
    file has them longwave_down W/m² and opaque_sky_cover tenths), the site, the
    file line number (1-based) of the first row, and warnings.
    """
    names_at = column_line(lines)
    if names_at is None:
        raise InputError(path, "header", "no line of column names (… MM DD HH … B D …)")
    names = lines[names_at].split()
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise InputError(path, ", ".join(missing), "required column missing in the header")
    start = names_at + 1
    while start < len(lines) and lines[start].strip() in ("", "***"):
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    try:
        raw = pd.read_csv(io.StringIO("\n".join(lines[start:end])), sep=r"\s+", header=None,
                          names=names, index_col=False, skip_blank_lines=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, "data", f"{exc} (counting from line {start + 1}, the first data "
                                       "row)") from exc
    if raw.empty:
        raise InputError(path, "data", "no data rows after the header")
    location = _location(path, lines[:names_at], raw.iloc[0])
    table = raw[list(COLUMNS)].rename(columns=COLUMNS).apply(finite_numbers)
    not_number = table["wind_direction"].isna().to_numpy()
    if not_number.any():
        line = start + 1 + int(not_number.argmax())
        raise InputError(path, "wind_direction", f"line {line}: missing or not a number")
    table["hour"] -= 1
    if "IK" in names:  # TRY 2011: measured irradiance in solar time, computed centred on HH
        computed = finite_numbers(raw["IK"]).to_numpy() == COMPUTED_IRRADIANCE
        shift = np.where(computed, CENTRED_SHIFT, solar_time_shift(
            _day_of_year(table), location.longitude, DWD_UTC_OFFSET))
        for column in ("direct_horizontal", "dhi"):
            table[column] = on_clock_time(table[column].to_numpy(dtype=np.float64), shift)
    table["pressure"] *= 100.0  # hPa -> Pa
    variable = table["wind_direction"] == VARIABLE_WIND_DIRECTION
    table.loc[variable, "wind_direction"] = float("nan")
    table.insert(0, "year", float("nan"))
    if "A" in names:
        table["longwave_down"] = finite_numbers(raw["A"])
    if "N" in names:
        octas = finite_numbers(raw["N"])
        table["opaque_sky_cover"] = octas.where(octas != SKY_OBSCURED, 8.0) * 10.0 / 8.0
    warnings = []
    if variable.any():
        warnings.append(f"{path.name}: wind_direction: {int(variable.sum())} hours marked "
                        f"variable ({VARIABLE_WIND_DIRECTION}) left NaN")
    return table, location, start + 1, warnings
