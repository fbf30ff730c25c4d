"""Every kind of problem in a scenario names the file, the line and the key; all come at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_texts import HELSINKI_HEAD

from twin.errors import InputError
from twin.model import Twin
from twin.scenarios import ScenarioError, check_scenario, load_base_twin, load_scenario
from twin.scenarios.kpis import is_known_kpi, known_kpis

Write = Callable[[str], Path]


def _problems(path: Path, twin: Twin | None = None) -> list[str]:
    """The lines of the ScenarioError that loading (and checking against ``twin``) raises."""
    with pytest.raises(ScenarioError) as caught:
        scenario = load_scenario(path)
        if twin is not None:
            check_scenario(scenario, twin)
    assert isinstance(caught.value, InputError)
    return str(caught.value).splitlines()


def _line(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [k + 1 for k, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def test_unknown_keys_name_their_own_lines(write: Write) -> None:
    text = (
        HELSINKI_HEAD
        + """seeed = 3

[[interventions]]
type = "close_links"
select = { names = ["Aleksanterinkatu"], colour = "red" }

[[interventions]]
type = "set_speed"
speed = 20
select = { names = ["Bulevardi"] }
until = "2026"
"""
    )
    path = write(text)
    problems = _problems(path)
    assert problems == [
        (
            f"{path}:{_line(text, 'seeed')}: mobility.seeed: unknown key 'seeed'; allowed here: access_only, "
            "bin_width, demand, equilibrium_iterations, release_after, reroute_interval, reroute_share, "
            "sample_interval, seed, trips, zone_column, zones"
        ),
        (
            f"{path}:{_line(text, 'colour')}: interventions[0].select.colour: unknown key 'colour'; allowed here: "
            "filter, geojson, ids, names, polygon, require_match"
        ),
        (
            f"{path}:{_line(text, 'until')}: interventions[1].until: unknown key 'until'; allowed here: description, "
            "select, speed, type"
        ),
    ]


def test_unknown_table_and_intervention_type(write: Write) -> None:
    text = HELSINKI_HEAD + '\n[mobilty]\nseed = 1\n\n[[interventions]]\ntype = "close_road"\n'
    path = write(text)
    problems = _problems(path)
    assert f"{path}:{_line(text, '[mobilty]')}: mobilty: unknown key 'mobilty'" in problems[0]
    assert problems[1].startswith(
        f'{path}:{_line(text, "close_road")}: interventions[0].type: "close_road" '
        'is not one of "close_links", "set_speed"'
    )


def test_wrong_types(write: Write) -> None:
    text = (
        HELSINKI_HEAD.replace("trips = 100", 'trips = "many"')
        + """
[[interventions]]
type = "set_lanes"
lanes = 2.5
select = { ids = "4236349:0:f" }
"""
    )
    path = write(text)
    assert _problems(path) == [
        f'{path}:{_line(text, "trips")}: mobility.trips: expected an integer, got a string "many"',
        f"{path}:{_line(text, 'lanes = 2.5')}: interventions[0].lanes: expected an integer, got a number 2.5",
        (
            f"{path}:{_line(text, 'select')}: interventions[0].select.ids: expected an array, got a string "
            '"4236349:0:f"'
        ),
    ]


def test_out_of_range_values_give_the_range_and_unit(write: Write) -> None:
    text = (
        HELSINKI_HEAD
        + """
[[interventions]]
type = "set_speed"
speed = 200
select = { names = ["Bulevardi"] }

[[interventions]]
type = "set_lanes"
select = { names = ["Bulevardi"] }
lanes = 11

[[interventions]]
type = "scale_demand"
factor = -0.5
"""
    )
    path = write(text)
    assert _problems(path) == [
        (
            f"{path}:{_line(text, 'speed = 200')}: interventions[0].speed: 200 is above the maximum 130 "
            "(New free-flow speed, km/h (5..130))"
        ),
        (
            f"{path}:{_line(text, 'lanes = 11')}: interventions[1].lanes: 11 is above the maximum 10 "
            "(New number of lanes for general traffic (1..10))"
        ),
        (
            f"{path}:{_line(text, 'factor')}: interventions[2].factor: -0.5 is below the minimum 0 "
            "(Demand factor (0..10; 0.9 = 10 % fewer trips))"
        ),
    ]


def test_missing_keys_and_exclusive_keys(write: Write) -> None:
    text = (
        HELSINKI_HEAD.replace('title = "test"\n', "")
        + """
[[interventions]]
type = "set_lanes"
lanes = 1
change = -1
select = { names = ["Bulevardi"], polygon = [[0, 0], [1, 0], [1, 1]], geojson = { type = "Polygon", coordinates = [] } }
"""
    )
    path = write(text)
    problems = _problems(path)
    assert (
        f"{path}:{_line(text, '[metadata]')}: metadata: missing key 'title': Short title."
        in problems
    )
    assert (
        f"{path}:{_line(text, 'change')}: interventions[0].change: give only one of lanes, change"
        in problems
    )
    assert (
        f"{path}:{_line(text, 'select')}: interventions[0].select.geojson: give polygon or geojson, not both"
        in problems
    )


def test_toml_syntax_error_gives_line_and_column(write: Write) -> None:
    text = HELSINKI_HEAD + '\n[[interventions]]\ntype = "set_speed"\nspeed = = 30\n'
    path = write(text)
    line = _line(text, "speed = = 30")
    assert _problems(path) == [f"{path}:{line}:9: TOML syntax error: Invalid value"]


def test_toml_syntax_error_at_the_end(write: Write) -> None:
    path = write(HELSINKI_HEAD + 'kpis = ["a",\n')
    (problem,) = _problems(path)
    assert problem.startswith(
        f"{path}:{len(path.read_text().split(chr(10)))}:1: TOML syntax error: "
    )


def test_missing_link_id_points_at_the_id(write: Write, helsinki: Twin) -> None:
    text = (
        HELSINKI_HEAD
        + """
[[interventions]]
type = "close_links"

[interventions.select]
ids = [
    "4236349:0:f",
    "no-such-link",
]
"""
    )
    path = write(text)
    assert _problems(path, helsinki) == [
        (
            f"{path}:{_line(text, 'no-such-link')}: interventions[0].select.ids[1]: 1 link id(s) not in the twin: "
            "'no-such-link'"
        )
    ]


def test_missing_building_id_and_misspelt_street(write: Write, helsinki: Twin) -> None:
    text = (
        HELSINKI_HEAD
        + """
[[interventions]]
type = "close_links"
select = { names = ["Mannerheimintie", "Aleksanterinkaut"] }

[[interventions]]
type = "remove_buildings"
select = { ids = ["way/4253124", "way/0"] }
"""
    )
    path = write(text)
    assert _problems(path, helsinki) == [
        (
            f"{path}:{_line(text, 'Aleksanterinkaut')}: interventions[0].select.names[1]: no link is named "
            "'Aleksanterinkaut'; did you mean 'Aleksanterinkatu'?"
        ),
        f"{path}:{_line(text, 'way/0')}: interventions[1].select.ids[1]: 1 building id(s) not in the twin: 'way/0'",
    ]


@pytest.mark.parametrize(
    "expression, message",
    [
        ("__import__('os').system('true') == 0", "not allowed in a filter: function calls"),
        ("use.upper() == 'X'", "not allowed in a filter: function calls"),
        ("year.real > 1", "not allowed in a filter: attribute access"),
        ("use[0] == 'r'", "not allowed in a filter: subscripts"),
        ("import os", "not a valid expression"),
        ("year < 1970 and", "not a valid expression"),
    ],
)
def test_bad_filter_expressions_are_refused_at_load(
    write: Write, expression: str, message: str
) -> None:
    text = (
        HELSINKI_HEAD + f'\n[[interventions]]\ntype = "retrofit"\nu_wall = 0.2\n\n'
        f'[interventions.select]\nfilter = "{expression}"\n'
    )
    path = write(text)
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:{_line(text, 'filter =')}: interventions[0].select.filter: ")
    assert message in problem


def test_filters_that_do_not_fit_the_columns(write: Write, helsinki: Twin) -> None:
    text = (
        HELSINKI_HEAD
        + """
[[interventions]]
type = "retrofit"
u_wall = 0.2
select = { filter = "age > 50" }

[[interventions]]
type = "add_pv"
share = 0.5
select = { filter = "use == 3" }

[[interventions]]
type = "heat_pumps"
select = { filter = "year < 1000" }
"""
    )
    path = write(text)
    problems = _problems(path, helsinki)
    assert problems[0].startswith(
        f"{path}:{_line(text, 'age > 50')}: interventions[0].select.filter: "
        "unknown column 'age'; the columns are: "
    )
    assert problems[1] == (
        f"{path}:{_line(text, 'use == 3')}: interventions[1].select.filter: column 'use' "
        "holds text: compare it with a string"
    )
    assert problems[2] == (
        f"{path}:{_line(text, 'year < 1000')}: interventions[2].select: selects no building "
        "(set require_match = false to allow that)"
    )


def test_require_match_false_allows_an_empty_selection(write: Write, helsinki: Twin) -> None:
    path = write(
        HELSINKI_HEAD + '\n[[interventions]]\ntype = "heat_pumps"\n'
        'select = { filter = "year < 1000", require_match = false }\n'
    )
    applied = check_scenario(load_scenario(path), helsinki)
    assert applied.reports[0].counts["buildings"] == 0


def test_polygon_outside_the_twin_hints_at_the_crs(write: Write, helsinki: Twin) -> None:
    text = (
        HELSINKI_HEAD
        + """
[[interventions]]
type = "close_links"
select = { polygon = [[24.93, 60.16], [24.95, 60.16], [24.95, 60.18]] }
"""
    )
    path = write(text)
    (problem,) = _problems(path, helsinki)
    assert problem.startswith(
        f"{path}:{_line(text, 'polygon')}: interventions[0].select.polygon: lies outside the twin"
    )
    assert "use geojson for longitude/latitude" in problem


def test_static_semantic_checks(write: Write) -> None:
    text = (
        HELSINKI_HEAD.replace("end = 2025-03-11T06:00:00Z", "end = 2025-03-11T04:00:00Z")
        + """bin_width = 300.5

[[interventions]]
type = "scale_demand"
factor = 1.2
departure_from = "09:00"
departure_until = "08:00"

[kpis]
report = ["mobility.total_delay", "mobility.happiness", "energy.heating_MWh"]
"""
    )
    path = write(text)
    assert _problems(path) == [
        (
            f"{path}:{_line(text, 'end =')}: period.end: 2025-03-11T04:00:00+00:00 is not after start "
            "2025-03-11T05:00:00+00:00"
        ),
        (
            f"{path}:{_line(text, 'bin_width')}: mobility.bin_width: 300.5 s is not a multiple of the period's "
            "time_step 1 s"
        ),
        (
            f"{path}:{_line(text, 'departure_until')}: interventions[0].departure_until: 08:00 is not after "
            "departure_from 09:00"
        ),
        f"{path}:{_line(text, 'report')}: kpis.report[1]: unknown mobility KPI 'happiness'; known: "
        + ", ".join(known_kpis("mobility")),
        f"{path}:{_line(text, 'report')}: kpis.report[2]: energy does not run in this scenario (simulations.run)",
    ]


def test_local_time_and_generated_demand_rules(write: Write) -> None:
    text = HELSINKI_HEAD.replace(
        "start = 2025-03-11T05:00:00Z", "start = 2025-03-11T07:00:00"
    ).replace("trips = 100", 'trips = 100\nzones = "zones.gpkg"')
    path = write(text)
    assert _problems(path) == [
        (
            f'{path}:{_line(text, "start =")}: period.start: "2025-03-11T07:00:00" is not of the expected form '
            "(A UTC date and time in ISO 8601 / RFC 3339 form ending in Z, for example 2025-03-11T05:00:00Z (a TOML offset "
            "date-time or a string))"
        ),
        f"{path}:{_line(text, 'zones')}: mobility.zones: zones and zone_column go with an OD CSV demand only",
    ]


def test_twin_problems_found_by_check(write: Write, helsinki: Twin) -> None:
    text = HELSINKI_HEAD.replace('demand = "generated"\ntrips = 100', 'demand = "od.csv"').replace(
        'run = ["mobility"]', 'run = ["mobility", "energy"]'
    )
    path = write(text)
    assert _problems(path, helsinki) == [
        (
            f"{path}:{_line(text, 'run =')}: simulations.run[1]: the twin 'helsinki' has no weather; name a weather "
            "file in [energy] weather"
        ),
        f"{path}:{_line(text, 'demand =')}: mobility.demand: no such file: {path.parent / 'od.csv'}",
    ]


def test_hash_mismatch(write: Write) -> None:
    text = HELSINKI_HEAD.replace(
        'sample = "helsinki"', f'sample = "helsinki"\nsha256 = "{"0" * 64}"'
    )
    path = write(text)
    with pytest.raises(ScenarioError) as caught:
        load_base_twin(load_scenario(path))
    assert str(caught.value).startswith(
        f"{path}:{_line(text, 'sha256')}: twin.sha256: the base twin's content hash is 423febd5"
    )


def test_missing_twin_folder_and_unknown_sample(write: Write) -> None:
    line = _line(HELSINKI_HEAD, "sample =")
    path = write(HELSINKI_HEAD.replace('sample = "helsinki"', 'path = "nowhere.twin"'))
    with pytest.raises(
        ScenarioError, match=rf":{line}: twin.path: no twin folder at .*nowhere.twin"
    ):
        load_base_twin(load_scenario(path))
    path = write(HELSINKI_HEAD.replace('sample = "helsinki"', 'sample = "atlantis"'))
    with pytest.raises(
        ScenarioError,
        match=rf":{line}: twin.sample: unknown sample 'atlantis'; the samples are delft",
    ):
        load_base_twin(load_scenario(path))


def test_absolute_paths_and_urls_are_refused(write: Write) -> None:
    for bad in ("/etc/passwd.csv", "https://example.org/od.csv", "C:/od.csv"):
        path = write(
            HELSINKI_HEAD.replace('demand = "generated"\ntrips = 100', f'demand = "{bad}"')
        )
        (problem,) = _problems(path)
        assert ": mobility.demand: " in problem and "is not of the expected form" in problem


def test_not_utf8_and_unreadable(write: Write, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(HELSINKI_HEAD.encode() + b"\n# caf\xe9\n")
    assert _problems(path) == [f"{path}:{HELSINKI_HEAD.count(chr(10)) + 2}: not UTF-8 text"]
    with pytest.raises(InputError, match="cannot read the scenario"):
        load_scenario(tmp_path / "missing.toml")


def test_root_level_rules(write: Write) -> None:
    start = HELSINKI_HEAD.index("[period]")
    end = HELSINKI_HEAD.index("[simulations]")
    text = (HELSINKI_HEAD[:start] + HELSINKI_HEAD[end:]).replace("format = 1", "format = 2")
    path = write(text)
    assert _problems(path) == [
        f"{path}:1: missing key 'period': running mobility needs a [period] and a [mobility] table",
        f"{path}:1: format: expected 1, got 2 (Version of this scenario format; this schema is format 1)",
    ]


@pytest.mark.parametrize("text, says", [
    ("format = 1\nx = " + "[" * 2000 + "]" * 2000 + "\n", ":2:2004: TOML syntax error: arrays or "
                                                       "tables nested too deeply"),
    ("format = 1\nseed = " + "9" * 5000 + "\n", ":2:8: TOML syntax error: an integer has more "
                                                "than 4300 digits"),
])
def test_hostile_toml_is_a_syntax_error_on_its_line(write, text: str, says: str) -> None:
    path = write(text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(error.value).startswith(f"{path}{says}")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_infinity_are_refused_where_a_range_is_checked(write: Write, value: str) -> None:
    text = (HELSINKI_HEAD + f'\n[[interventions]]\ntype = "retrofit"\nu_wall = {value}\n'
            'select = { filter = "year < 1970" }\n')
    path = write(text)
    (problem,) = _problems(path)
    assert problem == (f"{path}:{_line(text, 'u_wall =')}: interventions[0].u_wall: "
                       f"{float(value)} is not a usable number; give a finite value")


def test_energy_country_is_read_and_checked(write: Write) -> None:
    text = HELSINKI_HEAD + '\n[energy]\nweather = "w.csv"\ncountry = "FI"\n'
    assert load_scenario(write(text)).energy.country == "FI"
    bad = write(text.replace('country = "FI"', 'country = "Finland"'))
    (problem,) = _problems(bad)
    assert problem.startswith(f"{bad}:{_line(text, 'country')}: energy.country: ")


def test_energy_heating_system_is_read_and_checked(write: Write) -> None:
    text = HELSINKI_HEAD + '\n[energy]\nweather = "w.csv"\nheating_system = "district_heating"\n'
    assert load_scenario(write(text)).energy.heating_system == "district_heating"
    bad = write(text.replace('"district_heating"', '"peat_stove"'))
    (problem,) = _problems(bad)
    assert problem.startswith(f"{bad}:{_line(text, 'heating_system')}: energy.heating_system: ")


def test_access_only_names_road_classes(write: Write) -> None:
    text = HELSINKI_HEAD + 'access_only = ["servce"]\n'
    path = write(text)
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:{_line(text, 'servce')}: mobility.access_only[0]: ")
    assert "service" in problem
    assert load_scenario(write(HELSINKI_HEAD + "access_only = []\n")).mobility.access_only == ()
    assert load_scenario(write(HELSINKI_HEAD)).mobility.access_only == ("service",)


def test_energy_kpis_are_known_with_and_without_a_label_class() -> None:
    assert is_known_kpi("energy", "heating_MWh") and is_known_kpi("energy", "label_share_A")
    assert not is_known_kpi("energy", "label_share_Z") and not is_known_kpi("energy", "happiness")
    assert is_known_kpi("mobility", "total_delay") and not is_known_kpi("mobility", "heating_MWh")
    assert "label_share_A" in known_kpis("energy") and "heating_MWh" in known_kpis("energy")


def test_energy_setback_is_read_and_checked(write: Write) -> None:
    text = HELSINKI_HEAD + '\n[energy]\nweather = "w.csv"\nsetback = false\n'
    assert load_scenario(write(text)).energy.setback is False
    assert load_scenario(write(HELSINKI_HEAD + '\n[energy]\nweather = "w.csv"\n')).energy.setback
    bad = write(text.replace("setback = false", 'setback = "nights"'))
    (problem,) = _problems(bad)
    assert problem.startswith(f"{bad}:{_line(text, 'setback')}: energy.setback: ")
