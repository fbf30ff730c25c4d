"""Weather files: EPW, TMY3 CSV and DWD test reference years into one hourly UTC table.

Real files: the BESTEST Denver EPWs (``../shared/data/ashrae140-bestest``), pvlib's TMY3 sample,
a DWD TRY 2017 year for Potsdam (``tests/data/dwd``) and the DWD TRY 2011 Potsdam year that ships
in the ``demandlib`` package.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest

from twin.errors import InputError
from twin.importers.weather import read_weather
from twin.model import SKY_COLUMNS, WEATHER_COLUMNS, Weather

DATA = Path(__file__).parent / "data"
TRY2017_POTSDAM = DATA / "dwd" / "TRY2015_523938130651_Jahr.dat"
TRY2017_FIRST_LINE = 35
TMY3_SAND_POINT = Path(pvlib.__file__).parent / "data" / "703165TY.csv"
EPW_COLUMNS = {"temp_air": "temp_air", "relative_humidity": "relative_humidity", "ghi": "ghi",
               "dni": "dni", "dhi": "dhi", "wind_speed": "wind_speed",
               "wind_direction": "wind_direction", "pressure": "atmospheric_pressure"}
"""Our column -> pvlib read_epw column (same units)."""


@pytest.fixture(scope="module")
def bestest(shared_data: Path) -> Path:
    return shared_data / "ashrae140-bestest"


@pytest.fixture(scope="module")
def try2011_potsdam() -> Path:
    """DWD TRY 2011 (TRY2010_04_Jahr.dat, station Potsdam) as shipped in demandlib."""
    resource = importlib.resources.files("demandlib") / "vdi" / "resources_weather"
    return Path(str(resource / "TRY2010_04_Jahr.dat"))


def weather_of(path: Path) -> Weather:
    source = read_weather(path)
    assert source.kind == "weather" and source.crs is None and source.weather is not None
    return source.weather


def assert_hourly_table(weather: Weather) -> None:
    """8760 hourly UTC rows, the WEATHER_COLUMNS in order, float64, no gaps (but in the sky
    columns, which may be NaN)."""
    data = weather.data
    assert list(data.columns) == list(WEATHER_COLUMNS)
    assert (data.dtypes == np.float64).all()
    assert len(data) == 8760 and data.index.is_unique and data.index.is_monotonic_increasing
    assert str(data.index.tz) == "UTC"
    assert (np.diff(data.index.to_numpy()) == np.timedelta64(1, "h")).all()
    assert not data.drop(columns=list(SKY_COLUMNS)).isna().any().any()


def assert_input_error(error: pytest.ExceptionInfo, path: Path, field: str, *words: str) -> None:
    message = str(error.value)
    assert str(path) in message and error.value.field == field, message
    for word in words:
        assert word in message, message


def local_start(index: pd.DatetimeIndex, utc_offset: float) -> pd.DatetimeIndex:
    """Local standard time of the START of each interval of a UTC hour-end index."""
    return (index + pd.Timedelta(hours=utc_offset - 1)).tz_localize(None)


# --- EPW -----------------------------------------------------------------------------------------

def test_epw_denver_matches_pvlib(bestest: Path) -> None:
    path = bestest / "725650TYCST.epw"
    weather = weather_of(path)
    assert_hourly_table(weather)
    assert weather.source_format == "epw"
    location = weather.location
    assert (location.latitude, location.longitude, location.elevation) == (39.83, -104.65, 1650.0)
    assert location.utc_offset == -7.0 and location.name == "DENVER INTL AP"
    # hour 1 of 1 January local (UTC-7) ends at 08:00 UTC
    assert weather.data.index[0] == pd.Timestamp("2023-01-01 08:00", tz="UTC")
    expected, _ = pvlib.iotools.read_epw(path)  # indexed by the local START of each hour
    start = local_start(weather.data.index, -7.0)
    pv_start = expected.index.tz_localize(None)
    assert (start.month == pv_start.month).all() and (start.day == pv_start.day).all()
    assert (start.hour == pv_start.hour).all()
    for ours, theirs in EPW_COLUMNS.items():
        np.testing.assert_array_equal(weather.data[ours].to_numpy(), expected[theirs].to_numpy())
    noon_jul_14 = weather.data.loc["2023-07-14 19:00+00:00"]  # hour ending 12:00 local
    row = expected[(expected.month == 7) & (expected.day == 14) & (expected.hour == 12)].iloc[0]
    assert noon_jul_14["ghi"] == row["ghi"] and noon_jul_14["temp_air"] == row["temp_air"]
    # annual GHI of the Standard 140-2020 weather file (ashrae140-bestest README): 1670 kWh/m²
    assert weather.data["ghi"].sum() / 1000 == pytest.approx(1670, abs=1)
    # the sky columns are EPW fields 12 (horizontal infrared) and 23 (opaque sky cover)
    raw = pd.read_csv(path, skiprows=8, header=None, usecols=[12, 23])
    np.testing.assert_array_equal(weather.data["longwave_down"].to_numpy(), raw[12].to_numpy())
    np.testing.assert_array_equal(weather.data["opaque_sky_cover"].to_numpy(), raw[23].to_numpy())


def test_epw_with_32_fields_reads_like_pvlib_on_a_padded_copy(bestest: Path,
                                                               tmp_path: Path) -> None:
    """DRYCOLDTMY.epw lacks the last three EPW fields, which pvlib's reader needs."""
    path = bestest / "DRYCOLDTMY.epw"
    weather = weather_of(path)
    assert_hourly_table(weather)
    assert weather.location.name == "Denver-Stapleton" and weather.location.elevation == 1611.0
    lines = path.read_text().splitlines()
    padded = tmp_path / "padded.epw"
    padded.write_text("\n".join(lines[:8] + [line + ",0.2,0,0" for line in lines[8:]]) + "\n")
    expected, _ = pvlib.iotools.read_epw(padded)
    for ours, theirs in EPW_COLUMNS.items():
        np.testing.assert_array_equal(weather.data[ours].to_numpy(), expected[theirs].to_numpy())
    assert weather.data["ghi"].sum() / 1000 == pytest.approx(1832, abs=1)  # README: 1832 kWh/m²


# --- TMY3 ----------------------------------------------------------------------------------------

def test_tmy3_matches_pvlib() -> None:
    weather = weather_of(TMY3_SAND_POINT)
    assert_hourly_table(weather)
    assert weather.source_format == "tmy3"
    location = weather.location
    assert (location.name, location.utc_offset) == ("SAND POINT", -9.0)
    assert (location.latitude, location.longitude, location.elevation) == (55.317, -160.517, 7.0)
    expected, _ = pvlib.iotools.read_tmy3(TMY3_SAND_POINT, map_variables=True)  # local hour END
    utc = expected.index.tz_convert("UTC")
    ours = weather.data.index
    assert (ours.month == utc.month).all() and (ours.day == utc.day).all()
    assert (ours.hour == utc.hour).all()
    for name in set(WEATHER_COLUMNS) - set(SKY_COLUMNS):
        scale = 100.0 if name == "pressure" else 1.0  # mbar -> Pa
        np.testing.assert_array_equal(weather.data[name].to_numpy(),
                                      expected[name].to_numpy() * scale)
    assert weather.data["ghi"].sum() == expected["ghi"].sum()
    # TMY3 has the opaque sky cover but no longwave irradiance
    np.testing.assert_array_equal(weather.data["opaque_sky_cover"].to_numpy(),
                                  expected["OpqCld (tenths)"].to_numpy())
    assert weather.data["longwave_down"].isna().all()


# --- DWD test reference years --------------------------------------------------------------------

def test_try2017_potsdam() -> None:
    source = read_weather(TRY2017_POTSDAM)
    weather = source.weather
    assert_hourly_table(weather)
    assert weather.source_format == "dwd"
    location = weather.location
    # Rechtswert 4201500 / Hochwert 2846500 in EPSG:3034; the file name says 52.3938 N 13.0651 E
    assert location.latitude == pytest.approx(52.3938, abs=1e-3)
    assert location.longitude == pytest.approx(13.0651, abs=1e-3)
    assert location.elevation == 34.0 and location.utc_offset == 1.0
    # first row "4201500 2846500  1  1  1  -1.4  984 197  4.3 5  3.5  91    0    0 289 -316  3"
    first = weather.data.iloc[0]
    assert weather.data.index[0] == pd.Timestamp("2023-01-01 00:00", tz="UTC")  # 01:00 MEZ
    assert (first["temp_air"], first["pressure"], first["wind_direction"]) == (-1.4, 98400.0, 197.0)
    assert (first["wind_speed"], first["relative_humidity"]) == (4.3, 91.0)
    raw = np.loadtxt(TRY2017_POTSDAM, skiprows=TRY2017_FIRST_LINE - 1)
    direct, diffuse = raw[:, 12], raw[:, 13]
    np.testing.assert_array_equal(weather.data["dhi"].to_numpy(), diffuse)
    np.testing.assert_array_equal(weather.data["ghi"].to_numpy(), direct + diffuse)
    assert weather.data["ghi"].sum() / 1000 == pytest.approx(1059.2, abs=0.1)  # kWh/m²
    # A longwave from the sky W/m², N cloud cover octas (9, sky hidden, as overcast) -> tenths
    cover = np.where(raw[:, 9] == 9, 8, raw[:, 9]) * 10 / 8
    np.testing.assert_array_equal(weather.data["opaque_sky_cover"].to_numpy(), cover)
    np.testing.assert_array_equal(weather.data["longwave_down"].to_numpy(), raw[:, 14])


def test_try_dni_reproduces_direct_horizontal() -> None:
    """DNI · cos(zenith at mid-hour) gives back B wherever the sun is well up."""
    weather = weather_of(TRY2017_POTSDAM)
    data, location = weather.data, weather.location
    middle = data.index - pd.Timedelta(minutes=30)
    zenith = pvlib.solarposition.get_solarposition(
        middle, location.latitude, location.longitude, altitude=location.elevation
    )["zenith"].to_numpy()
    direct = (data["ghi"] - data["dhi"]).to_numpy()
    high = zenith < 80
    np.testing.assert_allclose(data["dni"].to_numpy()[high] * np.cos(np.radians(zenith[high])),
                               direct[high], atol=1e-6)
    assert (data["dni"].to_numpy()[zenith >= 88] == 0).all()
    assert data["dni"].max() < 1100  # clear-sky DNI at 52° N stays below ~1000 W/m²


def test_try2011_potsdam_from_demandlib(try2011_potsdam: Path) -> None:
    source = read_weather(try2011_potsdam)
    weather = source.weather
    assert_hourly_table(weather)
    location = weather.location
    # "Lage: 52°23'N <- B.  13°04'O <- L.    81 Meter über NN", "Station: Potsdam"
    assert location.latitude == pytest.approx(52 + 23 / 60)
    assert location.longitude == pytest.approx(13 + 4 / 60)
    assert (location.elevation, location.name, location.utc_offset) == (81.0, "Potsdam", 1.0)
    # first row " 4  1  1  1  1  7  230  5.7  -2.6  1005.3  2.2  93  70  0  0  1  251  -285  9"
    first = weather.data.iloc[0]
    assert (first["temp_air"], first["pressure"]) == (-2.6, 100530.0)
    assert first["wind_direction"] == 230.0
    assert (first["wind_speed"], first["relative_humidity"], first["ghi"]) == (5.7, 93.0, 0.0)


def test_both_potsdam_reference_years_agree(try2011_potsdam: Path) -> None:
    """Two releases of the same climate: annual irradiation within 5 %, mean temperature 1 K."""
    old, new = weather_of(try2011_potsdam).data, weather_of(TRY2017_POTSDAM).data
    assert new["ghi"].sum() == pytest.approx(old["ghi"].sum(), rel=0.05)
    assert new["temp_air"].mean() == pytest.approx(old["temp_air"].mean(), abs=1.0)


# --- time convention -----------------------------------------------------------------------------

@pytest.mark.parametrize("name",
                         ["725650TYCST.epw", "DRYCOLDTMY.epw", "tmy3", "try2017", "try2011"])
def test_irradiance_is_centred_on_solar_noon(name: str, bestest: Path,
                                             try2011_potsdam: Path) -> None:
    """With the UTC shift right, the GHI-weighted mean solar hour angle at mid-interval is ~0°.

    One hour off would move it by 15°; the tolerance of 5° leaves room for the asymmetry of
    real weather (afternoon clouds) seen in these files (at most 3°).
    """
    path = {"tmy3": TMY3_SAND_POINT, "try2017": TRY2017_POTSDAM,
            "try2011": try2011_potsdam}.get(name, bestest / name)
    weather = weather_of(path)
    middle = weather.data.index - pd.Timedelta(minutes=30)
    equation_of_time = pvlib.solarposition.equation_of_time_spencer71(middle.day_of_year)
    hour_angle = np.asarray(
        pvlib.solarposition.hour_angle(middle, weather.location.longitude, equation_of_time))
    hour_angle = (hour_angle + 180) % 360 - 180
    ghi = weather.data["ghi"].to_numpy()
    assert abs((hour_angle * ghi).sum() / ghi.sum()) < 5.0


def _beam_centre_degrees(weather: Weather) -> float:
    """Direct-irradiance-weighted mean solar hour angle at mid-interval, degrees."""
    middle = weather.data.index - pd.Timedelta(minutes=30)
    equation_of_time = pvlib.solarposition.equation_of_time_spencer71(middle.day_of_year)
    hour_angle = np.asarray(
        pvlib.solarposition.hour_angle(middle, weather.location.longitude, equation_of_time))
    hour_angle = (hour_angle + 180) % 360 - 180
    beam = (weather.data["ghi"] - weather.data["dhi"]).to_numpy()
    return float((hour_angle * beam).sum() / beam.sum())


def test_try2011_irradiance_of_every_station_is_centred_on_solar_noon() -> None:
    """The 15 TRY 2011 stations (6°58' E to 13°04' E; measured irradiance in solar time,
    computed irradiance centred on the hour in MEZ): the beam of each centres within 3° of
    solar noon (the asymmetry of afternoon clouds), and of all within 1°. Read as MEZ hours
    ending at HH, they centred 3.2° to 10.2° before noon."""
    folder = importlib.resources.files("demandlib") / "vdi" / "resources_weather"
    centres = np.array([_beam_centre_degrees(weather_of(Path(str(folder / f"TRY2010_{k:02d}_Jahr.dat"))))
                        for k in range(1, 16)])
    assert np.abs(centres).max() < 3.0
    assert abs(centres.mean()) < 1.0


def test_moving_hours_keeps_the_annual_sum_and_a_constant() -> None:
    from twin.importers.solar_time import on_clock_time

    rng = np.random.default_rng(1)
    values = rng.random(8760) * 800.0
    shift = np.linspace(-0.8, -0.3, 8760)
    moved = on_clock_time(values, shift)
    assert moved.sum() == pytest.approx(values.sum(), rel=1e-3)
    np.testing.assert_allclose(on_clock_time(np.full(48, 5.0), np.full(48, -0.4)), 5.0)
    # half an hour back: each clock hour is half of its own value and half of the one before
    np.testing.assert_allclose(on_clock_time(values, np.full(8760, -0.5))[1:],
                               0.5 * (values[1:] + values[:-1]))


# --- bad files -----------------------------------------------------------------------------------

def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def epw_lines(bestest: Path) -> list[str]:
    return (bestest / "725650TYCST.epw").read_text().splitlines()


@pytest.fixture()
def try_lines() -> list[str]:
    return TRY2017_POTSDAM.read_text().splitlines()


def set_field(line: str, position: int, value: str, sep: str = ",") -> str:
    fields = line.split(sep) if sep else line.split()
    fields[position] = value
    return (sep or " ").join(fields)


def test_truncated_epw(tmp_path: Path, epw_lines: list[str]) -> None:
    path = write_lines(tmp_path / "cut.epw", epw_lines[:5008])
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "rows", "8760", "5000", "truncated")


def test_epw_cut_inside_a_record(tmp_path: Path, epw_lines: list[str]) -> None:
    last = ",".join(epw_lines[120].split(",")[:6])  # ends before temp_air
    path = write_lines(tmp_path / "cut.epw", epw_lines[:120] + [last])
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "temp_air", "line 121")


@pytest.mark.parametrize("position, value, column", [
    (6, "99.9", "temp_air"),  # EPW missing-value code
    (9, "999999", "pressure"),
    (13, "-5", "ghi"),
    (8, "140", "relative_humidity"),
])
def test_epw_value_out_of_range(tmp_path: Path, epw_lines: list[str], position: int,
                                value: str, column: str) -> None:
    epw_lines[8 + 99] = set_field(epw_lines[8 + 99], position, value)
    path = write_lines(tmp_path / "bad.epw", epw_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, column, "line 108", value)


def test_epw_missing_sky_fields_are_nan_and_counted(tmp_path: Path,
                                                     epw_lines: list[str]) -> None:
    """EPW's missing-value codes of the sky fields (9999 W/m², 99 tenths) reject only those
    values: NaN there and one warning per field."""
    for row in (99, 100):
        epw_lines[8 + row] = set_field(set_field(epw_lines[8 + row], 12, "9999"), 23, "99")
    path = write_lines(tmp_path / "gaps.epw", epw_lines)
    source = read_weather(path)
    data = source.weather.data
    assert data["longwave_down"].isna().sum() == 2 and data["opaque_sky_cover"].isna().sum() == 2
    assert any("longwave_down: 2 hours missing" in w for w in source.warnings)
    assert any("opaque_sky_cover: 2 hours missing" in w for w in source.warnings)


@pytest.mark.parametrize("position, value", [(2, "32"), (3, "25"), (1, "13")])
def test_epw_impossible_time(tmp_path: Path, epw_lines: list[str], position: int,
                             value: str) -> None:
    epw_lines[8 + 99] = set_field(epw_lines[8 + 99], position, value)
    path = write_lines(tmp_path / "bad.epw", epw_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "time", "line 108")


def test_epw_sub_hourly_is_refused(tmp_path: Path, epw_lines: list[str]) -> None:
    epw_lines[7] = set_field(epw_lines[7], 2, "4")
    path = write_lines(tmp_path / "quarter.epw", epw_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "DATA PERIODS", "hourly")


def test_tmy3_missing_column(tmp_path: Path) -> None:
    lines = TMY3_SAND_POINT.read_text().splitlines()
    lines[1] = lines[1].replace("Dry-bulb (C)", "Drybulb")
    path = write_lines(tmp_path / "no_temp.csv", lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "temp_air")


def test_try_missing_column(tmp_path: Path, try_lines: list[str]) -> None:
    at = TRY2017_FIRST_LINE - 3
    try_lines[at] = try_lines[at].replace(" RF ", " rf ")
    path = write_lines(tmp_path / "TRY_no_rf.dat", try_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "RF", "missing")


def test_truncated_try(tmp_path: Path, try_lines: list[str]) -> None:
    path = write_lines(tmp_path / "TRY_cut.dat", try_lines[:-100])
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "rows", "8660")


def test_try_duplicate_hour(tmp_path: Path, try_lines: list[str]) -> None:
    row = TRY2017_FIRST_LINE - 1 + 500
    try_lines[row + 1] = try_lines[row]
    path = write_lines(tmp_path / "TRY_dup.dat", try_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "time", f"line {row + 2}")


def test_try_humidity_out_of_range(tmp_path: Path, try_lines: list[str]) -> None:
    row = TRY2017_FIRST_LINE - 1 + 10
    try_lines[row] = set_field(try_lines[row], 11, "180", sep="")
    path = write_lines(tmp_path / "TRY_rf.dat", try_lines)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "relative_humidity", f"line {row + 1}", "180")


def test_try_variable_wind_direction_is_nan(tmp_path: Path, try_lines: list[str]) -> None:
    row = TRY2017_FIRST_LINE - 1 + 3
    try_lines[row] = set_field(try_lines[row], 7, "999", sep="")
    source = read_weather(write_lines(tmp_path / "TRY_calm.dat", try_lines))
    assert np.isnan(source.weather.data["wind_direction"].iloc[3])
    assert source.weather.data["wind_direction"].isna().sum() == 1
    assert any("variable" in warning for warning in source.warnings)


def test_try_without_location(tmp_path: Path, try2011_potsdam: Path) -> None:
    lines = try2011_potsdam.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("Lage")]
    path = write_lines(tmp_path / "TRY_nowhere.dat", kept)
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert_input_error(error, path, "location")


def test_try_in_windows_1252(tmp_path: Path, try2011_potsdam: Path) -> None:
    """DWD's own files are not always UTF-8 (``über``, ``°`` in the header)."""
    path = tmp_path / "TRY2010_04_Jahr.dat"
    path.write_bytes(try2011_potsdam.read_text(encoding="utf-8").encode("cp1252"))
    assert weather_of(path).location.latitude == pytest.approx(52 + 23 / 60)


def test_not_a_weather_file(tmp_path: Path, shared_data: Path) -> None:
    text = tmp_path / "notes.csv"
    text.write_text("station,temperature\nDelft,12.5\n")
    binary = shared_data / "delft" / "dem" / "delft_ahn3_dtm_50cm.tif"
    for path in (text, binary):
        with pytest.raises(InputError) as error:
            read_weather(path)
        assert_input_error(error, path, "format", "EPW")
    with pytest.raises(InputError, match="cannot read"):
        read_weather(tmp_path / "missing.epw")


@pytest.mark.parametrize("field, position, value, says", [
    ("latitude", 6, "999", "999.0 is not a latitude (-90 to 90 °)"),
    ("latitude", 6, "nan", "nan is not a latitude (-90 to 90 °)"),
    ("longitude", 7, "-inf", "-inf is not a longitude (-180 to 180 °)"),
    ("utc_offset", 8, "1e9", "1000000000.0 is not a utc offset (-12 to 14 h)"),
    ("utc_offset", 8, "nan", "nan is not a utc offset (-12 to 14 h)"),
])
def test_an_epw_site_no_place_on_earth_has_is_an_error(bestest: Path, tmp_path: Path, field: str,
                                                       position: int, value: str,
                                                       says: str) -> None:
    lines = (bestest / "725650TYCST.epw").read_text(encoding="latin-1").splitlines(keepends=True)
    fields = lines[0].split(",")
    fields[position] = value
    lines[0] = ",".join(fields)
    path = tmp_path / "site.epw"
    path.write_text("".join(lines), encoding="latin-1")
    with pytest.raises(InputError) as error:
        read_weather(path)
    assert error.value.field == field and str(error.value) == f"{path}: {field}: {says}"


# --- FMI TRY2020 ---------------------------------------------------------------------------------

def test_fmi_vantaa_try_matches_its_readme(shared_data: Path) -> None:
    """The figures the README of shared/data/weather-finland gives: mean 5.85 °C, min -24.9 °C,
    GHI 975 kWh/m²; hours start at 00:00 UTC+2, so the first ends at 23:00 UTC the day before."""
    source = read_weather(shared_data / "weather-finland" / "Vantaa-TRY2020.csv")
    weather = source.weather
    assert weather.source_format == "fmi"
    assert_hourly_table(weather)
    site = weather.location
    assert (site.latitude, site.longitude, site.elevation, site.utc_offset) == (
        60.327, 24.957, 51.0, 2.0)
    data = weather.data
    assert data.index[0] == pd.Timestamp("2022-12-31 23:00", tz="UTC")
    assert data["temp_air"].mean() == pytest.approx(5.85, abs=0.005)
    assert data["temp_air"].min() == pytest.approx(-24.9)
    assert data["ghi"].sum() / 1000 == pytest.approx(975, abs=0.5)
    assert data["pressure"].iloc[0] == pytest.approx(100710, abs=5)  # ISO 2533 at 51 m
    assert any("pressure: not in the file" in w for w in source.warnings)
    assert data[list(SKY_COLUMNS)].isna().all().all()  # FMI TRY has no sky fields


def test_fmi_file_of_an_unknown_station_says_which_are_known(shared_data: Path,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "Oulu-TRY2020.csv"
    path.write_bytes((shared_data / "weather-finland" / "Vantaa-TRY2020.csv").read_bytes())
    with pytest.raises(InputError, match="site: FMI TRY file of an unknown station 'oulu'; "
                                         "known: vantaa"):
        read_weather(path)
