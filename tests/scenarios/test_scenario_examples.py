"""The example scenarios in scenarios/: each is valid, described, pinned to its sample and applies."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from twin.model import Twin
from twin.scenarios import SCHEMA_PATH, check_scenario, load_scenario, resolve, twin_sha256
from twin.scenarios.validation import jsonable

EXAMPLES = sorted(SCHEMA_PATH.parent.glob("*.toml"))


def test_there_are_examples_for_both_samples_with_baselines() -> None:
    names = {p.stem for p in EXAMPLES}
    assert len(names) >= 7
    assert {"helsinki_baseline", "delft_baseline", "helsinki_2035"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_valid_under_the_published_schema(path: Path) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    document = jsonable(tomllib.loads(path.read_text(encoding="utf-8")))
    errors = list(Draft202012Validator(schema).iter_errors(document))
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_applies_to_its_sample(path: Path, delft: Twin, helsinki: Twin) -> None:
    scenario = load_scenario(path)
    assert len(scenario.metadata.description) > 200
    assert scenario.metadata.licence and scenario.metadata.city
    assert scenario.twin.sha256 == twin_sha256(sample=scenario.twin.sample)
    twin = {"delft": delft, "helsinki": helsinki}[scenario.twin.sample]
    applied = check_scenario(scenario, twin)
    assert len(applied.reports) == len(scenario.interventions)
    for report in applied.reports:
        assert report.counts.get("links", 1) > 0 and report.counts.get("buildings", 1) > 0


def test_resolve_loads_the_sample_and_checks_everything() -> None:
    scenario = load_scenario(SCHEMA_PATH.parent / "delft_deep_retrofit.toml")
    twin, interventions = resolve(scenario)
    assert twin.name == "delft" and len(twin.buildings) == 160
    assert [i.kind for i in interventions] == ["retrofit"]


def test_helsinki_2035_changes_what_it_says(helsinki: Twin) -> None:
    scenario = load_scenario(SCHEMA_PATH.parent / "helsinki_2035.toml")
    applied = check_scenario(scenario, helsinki)
    by_kind = {r.kind: r for r in applied.reports}
    assert by_kind["close_links"].counts["links"] == 7
    assert by_kind["set_lanes"].counts["links"] == 20
    assert by_kind["set_speed"].counts["links"] == 144
    assert by_kind["retrofit"].counts["buildings"] == 63
    assert by_kind["heat_pumps"].counts["buildings"] == 21
    assert applied.demand.ev_share == 0.4
    assert applied.demand.steps[0].factor == 0.85
    links = applied.twin.network.links
    assert (links.loc[links["name"] == "Aleksanterinkatu", "capacity"] == 0).all()
    assert (links["free_speed"] * 3.6 <= 30 + 1e-9).all()
    assert (applied.twin.buildings["heating_system"] == "heat_pump").sum() == 21
