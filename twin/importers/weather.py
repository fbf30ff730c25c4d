"""Hourly weather files: EnergyPlus EPW, NREL TMY3 CSV, DWD test reference years (``.dat``)
and FMI test reference years (``.csv``, ``twin.importers.weather_fmi``).

The format is recognised by content. Every format becomes one table indexed by the UTC END of
each hourly interval with the columns of ``twin.model.WEATHER_COLUMNS``, and a ``SiteLocation``
from the file header (FMI: from its station). EPW, TMY3 and DWD label hours by their end in
local standard time (EPW, TMY3: the header's time zone; DWD: MEZ = UTC+1), FMI by their start
in UTC+2.

Typical years (TMY, TRY) mix years or have none: their rows are put in ``TYPICAL_YEAR`` (or
``TYPICAL_LEAP_YEAR`` if they hold 29 February). A file whose rows all lie in one year keeps it.

The sky columns (``twin.model.SKY_COLUMNS``) are read where the format has them: EPW
horizontal infrared radiation and opaque sky cover, TMY3 opaque sky cover, DWD TRY A
(atmospheric longwave irradiance) and N (cloud cover in octas); FMI TRY has neither. Missing
or impossible values there (EPW's 9999 / 99) become NaN, counted in a warning; the energy
model then falls back to a constant sky temperature depression for those hours.

DWD files give direct irradiance on the horizontal; DNI is that divided by the cosine of the
solar zenith at mid-interval (pvlib solar position), zero when the sun is more than
``MAX_DNI_ZENITH`` from the zenith, and at most the extraterrestrial DNI of the day.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.weather_dwd import column_line, read_dwd_try
from twin.importers.weather_fmi import is_fmi_try, read_fmi_try
from twin.importers.weather_numbers import finite_numbers
from twin.model import SKY_COLUMNS, WEATHER_COLUMNS, SiteLocation, Weather

TYPICAL_YEAR = 2023
"""Year given to typical-year rows (not a leap year; 1 January is a Sunday, as most EPW say)."""
TYPICAL_LEAP_YEAR = 2024
HOURS_PER_YEAR = (8760, 8784)
DEFAULT_OPTIONS = ImportOptions()
MAX_DNI_ZENITH = 88.0
"""deg; above this mid-interval zenith, direct horizontal irradiance gives no usable DNI."""

UNITS: dict[str, str] = {**WEATHER_COLUMNS, "direct_horizontal": "W/m2"}
"""Units of the output columns and of DWD's direct irradiance on the horizontal."""

VALID_RANGES: dict[str, tuple[float, float]] = {
    "temp_air": (-90.0, 60.0),
    "relative_humidity": (0.0, 100.0),
    "ghi": (0.0, 1500.0),
    "dni": (0.0, 1500.0),
    "dhi": (0.0, 1500.0),
    "direct_horizontal": (0.0, 1500.0),
    "wind_speed": (0.0, 75.0),
    "wind_direction": (0.0, 360.0),
    "pressure": (30000.0, 120000.0),
}
"""Physically possible values per column, in ``UNITS`` (EPW missing-value codes
such as 9999 or 999999 fall outside)."""
SKY_RANGES: dict[str, tuple[float, float]] = {
    "opaque_sky_cover": (0.0, 10.0),
    "longwave_down": (50.0, 700.0),
}
"""Possible values of the optional sky columns; outside them (missing-value codes) NaN."""

EPW_FIELDS: dict[int, str] = {
    0: "year", 1: "month", 2: "day", 3: "hour", 6: "temp_air", 8: "relative_humidity",
    9: "pressure", 12: "longwave_down", 13: "ghi", 14: "dni", 15: "dhi", 20: "wind_direction",
    21: "wind_speed", 23: "opaque_sky_cover",
}
"""EPW data field position -> column (units already those of WEATHER_COLUMNS)."""
EPW_HEADER_LINES = 8

TMY3_COLUMNS = ("temp_air", "relative_humidity", "pressure", "ghi", "dni", "dhi",
                "wind_speed", "wind_direction")
"""pvlib's names (``map_variables=True``) of the TMY3 columns used; pressure there is mbar."""
TMY3_SKY_COVER = "OpqCld (tenths)"


def _read_text(path: Path) -> str:
    """The file as text: UTF-8, else Windows-1252 (older DWD and EPW files)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def detect_format(path: Path, lines: list[str]) -> str:
    """"epw", "tmy3", "dwd" or "fmi" from the first lines of the file."""
    if lines and lines[0].upper().startswith("LOCATION,"):
        return "epw"
    if len(lines) > 1 and lines[1].startswith("Date (MM/DD/YYYY)"):
        return "tmy3"
    if column_line(lines[:200]) is not None:
        return "dwd"
    if is_fmi_try(lines):
        return "fmi"
    raise InputError(path, "format", "not an EPW, TMY3 CSV, DWD test reference year (.dat) or "
                                     "FMI test reference year (.csv) file")


SITE_RANGES: dict[str, tuple[float, float, str]] = {
    "latitude": (-90.0, 90.0, "°"),
    "longitude": (-180.0, 180.0, "°"),
    "elevation": (-500.0, 9000.0, "m"),
    "utc_offset": (-12.0, 14.0, "h"),
}
"""What a weather site's header values can be (the UTC offsets in use run from -12 to +14 h)."""


def _check_location(path: Path, location: SiteLocation) -> None:
    """InputError naming the header value of ``location`` that no place on Earth has."""
    for field, (low, high, unit) in SITE_RANGES.items():
        value = getattr(location, field)
        if not (math.isfinite(value) and low <= value <= high):
            raise InputError(path, field, f"{value!r} is not a {field.replace('_', ' ')} "
                                          f"({low:g} to {high:g} {unit})")


def _epw_location(path: Path, line: str) -> SiteLocation:
    """Site from the EPW LOCATION line (city, state, country, source, WMO, lat, lon, TZ, elev)."""
    fields = [field.strip() for field in line.split(",")]
    try:
        lat, lon, tz, elevation = (float(fields[i]) for i in (6, 7, 8, 9))
    except (IndexError, ValueError) as exc:
        raise InputError(path, "LOCATION", "line 1 needs latitude, longitude, time zone and "
                                           "elevation in fields 7-10") from exc
    return SiteLocation(latitude=lat, longitude=lon, elevation=elevation, name=fields[1],
                        utc_offset=tz)


def _read_epw(path: Path, lines: list[str]) -> tuple[pd.DataFrame, SiteLocation, int]:
    """EPW: the 8 header lines, then comma-separated hourly records (hour 1..24 = END hour).

    Read here rather than with pvlib.iotools.read_epw, which needs all 35 fields and so fails on
    older files with 32 (e.g. the BESTEST DRYCOLDTMY.epw).
    """
    location = _epw_location(path, lines[0])
    periods = lines[EPW_HEADER_LINES - 1].split(",") if len(lines) >= EPW_HEADER_LINES else [""]
    if periods[0].strip().upper() != "DATA PERIODS":
        raise InputError(path, "DATA PERIODS", f"line {EPW_HEADER_LINES} must be DATA PERIODS")
    if len(periods) > 2 and periods[2].strip() not in ("", "1"):
        raise InputError(path, "DATA PERIODS", f"{periods[2].strip()} records per hour; only "
                                               "hourly files are supported")
    try:
        raw = pd.read_csv(io.StringIO("\n".join(lines[EPW_HEADER_LINES:])), header=None,
                          usecols=list(EPW_FIELDS), skip_blank_lines=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, "data", f"records need at least {max(EPW_FIELDS) + 1} fields: "
                                       f"{exc} (counting from line {EPW_HEADER_LINES + 1}, the "
                                       "first record)") from exc
    table = raw.rename(columns=EPW_FIELDS)
    table["hour"] = finite_numbers(table["hour"]) - 1
    return table, location, EPW_HEADER_LINES + 1


def _read_tmy3(path: Path, text: str) -> tuple[pd.DataFrame, SiteLocation, int]:
    """NREL TMY3 CSV through pvlib.iotools.read_tmy3 (index = local END of each hour)."""
    try:
        data, meta = pvlib.iotools.read_tmy3(io.StringIO(text), map_variables=True)
    except (ValueError, KeyError, IndexError, TypeError, pd.errors.ParserError) as exc:
        raise InputError(path, "data", f"not a readable TMY3 file: {exc}") from exc
    missing = [name for name in TMY3_COLUMNS if name not in data.columns]
    if missing:
        raise InputError(path, ", ".join(missing), "required TMY3 column missing")
    start = data.index.tz_localize(None) - pd.Timedelta(hours=1)
    table = pd.DataFrame({"year": start.year, "month": start.month, "day": start.day,
                          "hour": start.hour})
    for name in TMY3_COLUMNS:
        table[name] = pd.to_numeric(data[name], errors="coerce").to_numpy()
    table["pressure"] *= 100.0  # mbar -> Pa
    if TMY3_SKY_COVER in data.columns:
        table["opaque_sky_cover"] = pd.to_numeric(data[TMY3_SKY_COVER], errors="coerce").to_numpy()
    location = SiteLocation(latitude=meta["latitude"], longitude=meta["longitude"],
                            elevation=meta["altitude"], name=str(meta["Name"]).strip('" '),
                            utc_offset=meta["TZ"])
    return table, location, 3


def _check_values_present(path: Path, table: pd.DataFrame, first_line: int,
                          nullable: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table with numeric calendar and value columns; a gap outside ``nullable`` is an error."""
    table = table.copy()
    for name in ("month", "day", "hour", *(c for c in UNITS if c in table)):
        table[name] = finite_numbers(table[name])
        gaps = table[name].isna().to_numpy()
        if gaps.any() and name not in nullable:
            row = int(np.flatnonzero(gaps)[0])
            raise InputError(path, name, f"line {first_line + row}: missing or not a number")
    return table


def _check_row_count(path: Path, table: pd.DataFrame) -> None:
    """A whole year of hourly rows."""
    if len(table) not in HOURS_PER_YEAR:
        raise InputError(path, "rows", f"expected {HOURS_PER_YEAR[0]} (or {HOURS_PER_YEAR[1]}) "
                                       f"hourly rows, found {len(table)}: truncated file?")


def _year(table: pd.DataFrame) -> pd.Series:
    """The calendar year of each row: the file's if it holds one year, else a typical year."""
    column = table["year"]
    if column.dtype.kind in "iu":  # whole numbers of at most six characters, as the text below
        years = column.where(column.between(-99_999, 999_999))
    else:
        text = column.astype(str).str.strip()
        years = pd.to_numeric(text.where(text.str.len() <= 6), errors="coerce")  # 400 digits: no year
    if years.notna().all() and years.nunique() == 1:
        return years.astype(int)
    leap = ((table["month"] == 2) & (table["day"] == 29)).any()
    return pd.Series(TYPICAL_LEAP_YEAR if leap else TYPICAL_YEAR, index=table.index)


CALENDAR_RANGES = {"month": (1, 12), "day": (1, 31), "hour": (0, 23)}
"""Whole numbers each calendar field can be (hour: the START hour of the interval)."""


def _check_calendar(path: Path, table: pd.DataFrame, first_line: int) -> None:
    """InputError naming the first row whose month, day or hour is no whole number in
    ``CALENDAR_RANGES`` (an hour of 1e9 would otherwise move the row 114,000 years on)."""
    bad = np.zeros(len(table), dtype=bool)
    for name, (low, high) in CALENDAR_RANGES.items():
        values = table[name].to_numpy(dtype=np.float64)
        bad |= ~((values >= low) & (values <= high) & (values == np.floor(values)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        month, day, hour = (float(table[name].iloc[row]) for name in CALENDAR_RANGES)
        raise InputError(path, "time", f"line {first_line + row}: there is no hour ending "
                                       f"{hour + 1:g} on month {month:g}, day {day:g}")


def _utc_hour_end(path: Path, table: pd.DataFrame, utc_offset: float,
                  first_line: int) -> pd.DatetimeIndex:
    """UTC end of each hourly interval; each must follow the previous one by exactly 1 h."""
    _check_calendar(path, table, first_line)
    calendar = pd.DataFrame({"year": _year(table), "month": table["month"].astype(int),
                             "day": table["day"].astype(int), "hour": table["hour"].astype(int)})
    start = pd.to_datetime(calendar, errors="coerce")
    if start.isna().any():
        row = int(np.flatnonzero(start.isna().to_numpy())[0])
        month, day, hour = calendar.iloc[row][["month", "day", "hour"]]
        raise InputError(path, "time", f"line {first_line + row}: there is no hour ending "
                                       f"{hour + 1} on month {month}, day {day}")
    end = start + pd.Timedelta(hours=1) - pd.Timedelta(hours=utc_offset)
    index = pd.DatetimeIndex(end).tz_localize("UTC")
    steps = np.asarray((index[1:] - index[:-1]) != pd.Timedelta(hours=1))
    if steps.any():
        row = int(np.flatnonzero(steps)[0]) + 1
        hour_end = start.iloc[row] + pd.Timedelta(hours=1)
        raise InputError(path, "time", f"line {first_line + row}: the hour ending "
                                       f"{hour_end:%m-%d %H:%M} local time does not follow the "
                                       "previous row by one hour (duplicate, gap or unordered "
                                       "rows)")
    return index


def _check_ranges(path: Path, table: pd.DataFrame, first_line: int) -> None:
    """Every value within ``VALID_RANGES`` (NaN passes: see ``_check_values_present``)."""
    for name, (low, high) in VALID_RANGES.items():
        if name not in table:
            continue
        values = table[name].to_numpy(dtype=np.float64)
        bad = (values < low) | (values > high)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            unit = UNITS[name]
            raise InputError(path, name, f"line {first_line + row}: {values[row]:g} {unit} is "
                                         f"outside {low:g}..{high:g} {unit}")


def _sky_columns(path: Path, table: pd.DataFrame) -> list[str]:
    """Each sky column NaN where absent or outside ``SKY_RANGES``; a warning per column with
    such hours in a file that has the column."""
    warnings = []
    for name, (low, high) in SKY_RANGES.items():
        if name not in table:
            table[name] = np.nan
            continue
        values = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~((values >= low) & (values <= high))
        table[name] = np.where(bad, np.nan, values)
        if bad.any():
            warnings.append(f"{path.name}: {name}: {int(bad.sum())} hours missing or outside "
                            f"{low:g}..{high:g} {UNITS[name]}; left NaN (the sky temperature "
                            "falls back to a constant there)")
    return warnings


def dni_from_direct_horizontal(
    index: pd.DatetimeIndex, direct_horizontal: np.ndarray, location: SiteLocation
) -> tuple[np.ndarray, float]:
    """DNI W/m² from direct horizontal irradiance W/m² on hour-END UTC times.

    Uses the true solar zenith at mid-interval; zero where it exceeds ``MAX_DNI_ZENITH``; capped
    at the extraterrestrial DNI. Also returns the fraction of direct energy set to zero that way.
    """
    middle = index - pd.Timedelta(minutes=30)
    sun = pvlib.solarposition.get_solarposition(middle, location.latitude, location.longitude,
                                                altitude=location.elevation)
    zenith = sun["zenith"].to_numpy()
    usable = zenith < MAX_DNI_ZENITH
    cos_zenith = np.cos(np.radians(np.where(usable, zenith, 0.0)))
    limit = pvlib.irradiance.get_extra_radiation(middle).to_numpy()
    dni = np.where(usable, np.minimum(direct_horizontal / cos_zenith, limit), 0.0)
    total = float(direct_horizontal.sum())
    dropped = float(direct_horizontal[~usable].sum()) / total if total > 0 else 0.0
    return dni, dropped


def _weather_table(path: Path, table: pd.DataFrame, location: SiteLocation, first_line: int,
                   nullable: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[str]]:
    """Checked hourly table, UTC hour-END index, columns exactly ``WEATHER_COLUMNS``.

    A table with ``direct_horizontal`` instead of ``dni`` gets GHI = direct + diffuse and DNI
    from ``dni_from_direct_horizontal``.
    """
    table = _check_values_present(path, table, first_line, nullable + SKY_COLUMNS)
    _check_row_count(path, table)
    warnings = _sky_columns(path, table)
    direct = "dni" not in table
    if direct:
        table["ghi"] = table["direct_horizontal"] + table["dhi"]
    _check_ranges(path, table, first_line)
    index = _utc_hour_end(path, table, location.utc_offset, first_line)
    if direct:
        table["dni"], dropped = dni_from_direct_horizontal(
            index, table["direct_horizontal"].to_numpy(dtype=np.float64), location)
        if dropped > 0:
            warnings.append(f"dni: {dropped:.2%} of the direct irradiance fell in "
                            f"hours with the sun beyond {MAX_DNI_ZENITH:g}° zenith; DNI 0 there")
    data = table[list(WEATHER_COLUMNS)].astype(np.float64).set_axis(index)
    data.index.name = "time"
    return data, warnings


def read_weather(path: str | Path, options: ImportOptions = DEFAULT_OPTIONS) -> SourceData:
    """Read an EPW, TMY3 CSV, DWD TRY or FMI TRY file into ``SourceData.weather`` (kind
    "weather").

    ``options`` is accepted for the common importer signature; weather files carry their own site.

    Parameters
    ----------
    path : str or Path
        An EnergyPlus ``.epw``, a TMY3 ``.csv``, a DWD test reference year ``.dat`` or an FMI
        test reference year ``.csv`` file.
    options : ImportOptions, optional
        Not used (the parameter keeps the importer signature).

    Returns
    -------
    SourceData
        Kind ``weather``, without CRS, with ``weather``: hourly rows indexed by the UTC end of
        each hour (``temp_air`` [°C], ``relative_humidity`` [%], ``ghi`` / ``dni`` / ``dhi``
        [W/m²], ``wind_speed`` [m/s], ``wind_direction`` [degree], ``pressure`` [Pa],
        ``opaque_sky_cover`` [tenths] and ``longwave_down`` [W/m²], NaN where absent) and the
        site (latitude, longitude [degree], elevation [m], UTC offset [h]).

    Raises
    ------
    InputError
        Naming the file, line and field of a value it cannot read.
    """
    path = Path(path)
    text = _read_text(path)
    lines = text.splitlines()
    fmt = detect_format(path, lines)
    warnings: list[str] = []
    if fmt == "epw":
        table, location, first_line = _read_epw(path, lines)
    elif fmt == "tmy3":
        table, location, first_line = _read_tmy3(path, text)
    elif fmt == "fmi":
        table, location, first_line, warnings = read_fmi_try(path, lines)
    else:
        table, location, first_line, warnings = read_dwd_try(path, lines)
    _check_location(path, location)
    nullable = ("wind_direction",) if fmt == "dwd" else ()
    data, more = _weather_table(path, table, location, first_line, nullable)
    weather = Weather(data=data, location=location, source_format=fmt)
    return SourceData(path=path, kind="weather", crs=None, weather=weather,
                      warnings=warnings + more)
