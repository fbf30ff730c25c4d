"""The hostile input files found by probing the importers, kept as a corpus: one file per case
in ``tests/data/hostile/``, beside it ``NAME.expected`` with what importing it must give:
``error: LINE`` (the one line of the InputError; FILE stands for the file's path), or
``warning: LINE`` lines the twin's warnings must hold and ``buildings: N`` / ``links: N`` /
``layer NAME: N`` counts of what is kept. A case may be a folder (a GTFS feed). None may end in a traceback or be stored silently wrong.

Weather files are not kept there: the reader takes only whole years of hourly rows from plain
text (an EPW year is about 1.6 MB, an FMI or DWD year 0.5-1 MB; no shorter or compressed file),
so each weather case is made at run time from a real year (``WEATHER_SEEDS``) by changing one
field (``WEATHER_CASES``).

The hostile twin folders, packages, feed messages and scenarios have their corpora beside
their code's tests (``test_store_hostile``, ``security/test_package_attacks``,
``feeds/test_feed_poison``, ``scenarios/test_scenario_errors``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from pyproj import CRS

from twin.errors import InputError
from twin.importers.assemble import import_files

CORPUS = Path(__file__).parent / "data" / "hostile"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".expected")


def test_every_case_has_its_expected_outcome() -> None:
    assert CASES and all((CORPUS / f"{name}.expected").is_file() for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_a_hostile_file_gives_exactly_its_expected_outcome(name: str) -> None:
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    _gives_exactly(CORPUS / name, expected)


WEATHER_SEEDS: dict[str, tuple[str, str | None, str]] = {
    "epw": ("shared:ashrae140-bestest/725650TYCST.epw", ",", "{}.epw"),
    "fmi": ("shared:weather-finland/Vantaa-TRY2020.csv", ";", "Vantaa-{}.csv"),  # the name gives the station
    "dwd": ("tests:dwd/TRY2015_523938130651_Jahr.dat", None, "TRY2015_{}_Jahr.dat"),
}
"""Seed year per format: its file (``shared:`` under ``../shared/data``, ``tests:`` under
``tests/data``), field separator (None: white space) and the name pattern of a case's file."""

WEATHER_CASES: dict[str, tuple[str, int, int, str, str]] = {
    "year_400_digits": ("epw", 8, 0, "9" * 400, "weather_year: 2023"),  # no one year: a typical year
    "temperature_inf": ("epw", 8, 6, "inf", "error: FILE: temp_air: line 9: missing or not a number"),
    "temperature_1e300": ("epw", 100, 6, "1e300",
                          "error: FILE: temp_air: line 101: 1e+300 °C is outside -90..60 °C"),
    "pressure_minus_inf": ("epw", 8, 9, "-inf", "error: FILE: pressure: line 9: missing or not a number"),
    "ghi_400_digits": ("epw", 20, 13, "9" * 400, "error: FILE: ghi: line 21: missing or not a number"),
    "month_400_digits": ("epw", 8, 1, "9" * 400, "error: FILE: month: line 9: missing or not a number"),
    "latitude_999": ("epw", 0, 6, "999", "error: FILE: latitude: 999.0 is not a latitude (-90 to 90 °)"),
    "latitude_nan": ("epw", 0, 6, "nan", "error: FILE: latitude: nan is not a latitude (-90 to 90 °)"),
    "time_zone_nan": ("epw", 0, 8, "nan", "error: FILE: utc_offset: nan is not a utc offset (-12 to 14 h)"),
    "time_zone_1e9": ("epw", 0, 8, "1e9",
                      "error: FILE: utc_offset: 1000000000.0 is not a utc offset (-12 to 14 h)"),
    "epw_hour_1e9": ("epw", 100, 3, "1e9",
                     "error: FILE: time: line 101: there is no hour ending 1e+09 on month 1, day 4"),
    "fmi_hour_1e9": ("fmi", 100, 4, "1e9",
                     "error: FILE: time: line 101: there is no hour ending 1e+09 on month 1, day 5"),
    "fmi_day_32": ("fmi", 2, 3, "32", "error: FILE: time: line 3: there is no hour ending 1 on month 1, day 32"),
    "epw_hour_400_digits": ("epw", 40, 3, "9" * 400, "error: FILE: hour: line 41: missing or not a number"),
    "dwd_temperature_400_digits": ("dwd", 40, 5, "9" * 400,
                                   "error: FILE: temp_air: line 41: missing or not a number"),
    "dwd_direct_400_digits": ("dwd", 40, 12, "9" * 400,
                              "error: FILE: direct_horizontal: line 41: missing or not a number"),
}
"""Weather cases found by fuzzing: (seed, line, field (from 0), the text put there, the outcome)."""


@pytest.mark.parametrize("name", sorted(WEATHER_CASES))
def test_a_hostile_weather_file_gives_exactly_its_expected_outcome(name: str, shared_data: Path,
                                                                   tmp_path: Path) -> None:
    seed, line, field, text, expected = WEATHER_CASES[name]
    source, separator, pattern = WEATHER_SEEDS[seed]
    root, _, relative = source.partition(":")
    lines = ((shared_data if root == "shared" else CORPUS.parent) / relative).read_text(encoding="latin-1").splitlines()
    fields = lines[line].split(separator)
    fields[field] = text
    lines[line] = (separator or " ").join(fields)
    path = tmp_path / pattern.format(name)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _gives_exactly(path, [expected], twin_crs=CRS("EPSG:32613"))  # any projected CRS: weather has none


def _gives_exactly(path: Path, expected: list[str], twin_crs: CRS | None = None) -> None:
    """Importing ``path`` gives the ``expected`` lines' outcome (see the module docstring;
    ``weather_year: N``: the weather lies in year N)."""
    kind, _, first = expected[0].partition(": ")
    if kind == "error":
        with pytest.raises(InputError) as error:
            import_files([path], name="hostile", twin_crs=twin_crs)
        assert str(error.value) == first.replace("FILE", str(path), 1)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twin = import_files([path], name="hostile", twin_crs=twin_crs)
    for line in expected:
        key, _, value = line.partition(": ")
        if key == "warning":
            assert value in twin.warnings
        elif key == "buildings":
            assert len(twin.buildings) == int(value)
        elif key == "links":
            assert len(twin.network.links) == int(value)
        elif key.startswith("layer "):
            assert len(twin.layers[key.removeprefix("layer ")]) == int(value)
        elif key == "weather_year":
            assert twin.weather is not None and set(twin.weather.data.index.year) <= {int(value), int(value) + 1}
        else:
            raise AssertionError(f"{path.name}: unknown expected line {line!r}")
