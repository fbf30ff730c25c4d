"""The published schema: valid draft 2020-12, closed tables, in step with the code."""

from __future__ import annotations

import dataclasses
from typing import Any

from jsonschema import Draft202012Validator

from twin.scenarios import FORMAT, INTERVENTIONS, scenario_schema
from twin.scenarios.buildings import AddPV
from twin.scenarios.scenario import EnergySpec, MobilitySpec, Period

CONDITIONS = {"if", "then", "else", "not", "anyOf", "oneOf", "allOf"}


def _objects(node: Any, path: str = "#"):
    """Every table definition (a schema with properties), not the conditions on them."""
    if isinstance(node, dict):
        if "properties" in node:
            yield path, node
        for key, child in node.items():
            if key not in CONDITIONS:
                yield from _objects(child, f"{path}/{key}")
    elif isinstance(node, list):
        for k, child in enumerate(node):
            yield from _objects(child, f"{path}/{k}")


def test_schema_is_valid_draft_2020_12() -> None:
    schema = scenario_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"]["const"] == FORMAT == 1


def test_every_table_rejects_unknown_keys() -> None:
    item = "#/properties/interventions/items"  # dispatches on type to the closed $defs
    for path, node in _objects(scenario_schema()):
        if path != item:
            assert node.get("additionalProperties") is False, path


def test_intervention_types_match_the_code() -> None:
    schema = scenario_schema()
    assert schema["properties"]["interventions"]["items"]["properties"]["type"]["enum"] == list(
        INTERVENTIONS
    )
    for kind in INTERVENTIONS:
        assert schema["$defs"][kind]["properties"]["type"]["const"] == kind


def test_schema_defaults_match_the_dataclass_defaults() -> None:
    props = scenario_schema()["properties"]
    pairs = [
        (props["mobility"], MobilitySpec),
        (props["energy"], EnergySpec),
        (props["period"], Period),
        (scenario_schema()["$defs"]["add_pv"], AddPV),
    ]
    for table, cls in pairs:
        fields = {f.name: f.default for f in dataclasses.fields(cls)}
        for key, prop in table["properties"].items():
            if "default" in prop and key != "weather":
                default = prop["default"]  # a JSON array is a tuple in the dataclass
                assert fields[key] == (tuple(default) if isinstance(default, list) else default), (
                    cls.__name__, key)
    assert (
        props["energy"]["properties"]["weather"]["default"] == "twin"
        and EnergySpec().weather is None
    )


def test_every_property_is_described() -> None:
    for path, node in _objects(scenario_schema()):
        for key, prop in node["properties"].items():
            assert "description" in prop or "$ref" in prop, f"{path}/properties/{key}"


def test_access_only_names_exactly_the_drivable_classes() -> None:
    from twin.importers.road_classes import ROAD_CLASS_DEFAULTS

    prop = scenario_schema()["properties"]["mobility"]["properties"]["access_only"]
    assert prop["items"]["enum"] == list(ROAD_CLASS_DEFAULTS)
