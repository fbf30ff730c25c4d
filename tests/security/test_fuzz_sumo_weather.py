"""Fuzzing the SUMO network reader and the CSV weather formats (FMI and DWD test reference
years) with hypothesis, each from a small real seed mutated by value, by field and by byte:
every case must end accepted with sane values or in an InputError naming the file
(``fuzz_outcomes``)."""

from __future__ import annotations

import re
from pathlib import Path

from fuzz_mutations import TEXT, field_cases, flip, replace_field
from fuzz_outcomes import CASES, FUZZ, Outcomes, fuzz_share, loading
from hypothesis import given
from hypothesis import strategies as st

from twin.importers.sumo import read_sumo_net
from twin.importers.weather import read_weather

DATA = Path(__file__).resolve().parents[1] / "data"
SUMO_SEED = DATA / "fuzz" / "braunschweig_cut.net.xml"
"""Eight edges around one traffic light of the Braunschweig net, with their junctions, one
signal program, connections, an internal and a footway edge."""
DWD_SEED = DATA / "dwd" / "TRY2015_523938130651_Jahr.dat"
WEATHER_SHARE = 3
"""The FMI and DWD campaigns take a third of the cases each: past their parsing, a year goes
the way of an EPW year (``twin.importers.weather._weather_table``), fuzzed in full in
``test_fuzz_loaders``."""


def test_sumo_reader_takes_any_value(tmp_path) -> None:
    text = SUMO_SEED.read_text(encoding="utf-8")
    values = [match.end() for match in re.finditer('="', text)]  # where each attribute value starts
    raw = text.encode()
    target = tmp_path / "fuzzed.net.xml"
    outcomes = Outcomes("SUMO net")

    @FUZZ
    @given(st.one_of(st.tuples(st.sampled_from(values), TEXT),
                     st.tuples(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=4))))
    def case(drawn) -> None:
        at, new = drawn
        if isinstance(new, bytes):
            data = flip(raw, at, new)
        else:
            end = text.index('"', at)
            data = (text[:at] + new.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
                    + text[end:]).encode()
        target.write_bytes(data)
        loading(outcomes, read_sumo_net, target)

    case()
    outcomes.report()


def test_fmi_weather_reader_takes_any_field(shared_data, tmp_path) -> None:
    lines = (shared_data / "weather-finland" / "Vantaa-TRY2020.csv").read_text(encoding="utf-8").splitlines()
    target = tmp_path / "Vantaa-fuzzed.csv"  # the name gives the station
    outcomes = Outcomes("weather (FMI TRY)", planned=CASES // WEATHER_SHARE)

    @fuzz_share(WEATHER_SHARE)
    @given(field_cases(lines, 3))
    def case(drawn) -> None:
        target.write_text(replace_field(lines, ";", drawn), encoding="utf-8")
        loading(outcomes, read_weather, target)

    case()
    outcomes.report()


def test_dwd_weather_reader_takes_any_field(tmp_path) -> None:
    lines = DWD_SEED.read_text(encoding="latin-1").splitlines()
    header_lines = next(i for i, line in enumerate(lines) if line.strip() == "***") + 2
    target = tmp_path / "TRY2015_fuzzed_Jahr.dat"
    outcomes = Outcomes("weather (DWD TRY)", planned=CASES // WEATHER_SHARE)

    @fuzz_share(WEATHER_SHARE)
    @given(field_cases(lines, header_lines))
    def case(drawn) -> None:
        target.write_text(replace_field(lines, None, drawn), encoding="utf-8")
        loading(outcomes, read_weather, target)

    case()
    outcomes.report()
