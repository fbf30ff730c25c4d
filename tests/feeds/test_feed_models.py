"""Smart Data Models: the official examples read, the twin and simulated flows exported as
entities that validate against the models' JSON Schemas (resolved offline)."""

from __future__ import annotations

import datetime as dt
import json
import socket

import numpy as np
import pytest

from twin.feeds.payloads import parse_entity
from twin.feeds.smartdatamodels import (
    building_entities,
    buildings_from_entities,
    flow_entities,
    normalized,
    read_entities,
    road_segment_entities,
    sensors_from_devices,
    validation_errors,
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: $refs must resolve from local files."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("normal", [True, False], ids=["normalized", "keyvalues"])
def test_observed_examples_read_with_units(sdm, normal):
    name = "example-normalized.jsonld" if normal else "example.jsonld"
    traffic = {o.quantity: o for o in parse_entity(json.loads(
        (sdm / "dataModel.Transportation/TrafficFlowObserved" / name).read_text()))}
    assert traffic["intensity"].value == 197 and traffic["speed"].value == pytest.approx(52.6 / 3.6)
    assert traffic["speed"].unit == "m/s" and traffic["intensity"].lon == pytest.approx(-4.73735395519672)
    weather = {o.quantity: o for o in parse_entity(json.loads(
        (sdm / "dataModel.Weather/WeatherObserved" / name).read_text()))}
    assert weather["temp_air"].value == 3.3 and weather["pressure"].value == pytest.approx(93890.0)
    assert weather["relative_humidity"].unit == "%"


def test_building_and_device_examples_read(sdm, helsinki):
    buildings = buildings_from_entities(read_entities(sdm / "dataModel.Building/Building/example-normalized.jsonld"),
                                        helsinki.crs)
    assert buildings.iloc[0]["use"] == "office" and buildings.iloc[0]["floors"] == 7
    devices = sensors_from_devices(read_entities(sdm / "dataModel.Device/Device/example.jsonld"), helsinki.crs)
    assert devices.iloc[0]["id"] == "urn:ngsi-ld:Device:device-9845A"
    assert devices.iloc[0]["kind"] == "fillingLevel,temperature"


def test_twin_exports_validate(sdm, helsinki, delft, no_network):
    entities = building_entities(helsinki) + building_entities(delft) + road_segment_entities(helsinki)
    assert len(entities) == len(helsinki.buildings) + len(delft.buildings) + len(helsinki.network.links)
    errors = [e for entity in entities for e in validation_errors(entity, sdm)]
    assert errors == []
    segment = road_segment_entities(helsinki)[0]
    assert segment["location"]["type"] == "LineString" and segment["length"] > 0
    assert normalized(segment)["refRoad"]["type"] == "Relationship"


def test_simulated_flows_export_validate(sdm, helsinki, no_network):
    links = helsinki.network.links["id"].tolist()[:4]
    starts = [dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=15 * i) for i in range(2)]
    flow = np.array([[100.0, 0.0, 40.0, 8.0], [120.0, 4.0, 0.0, 1.0]])
    speed = np.where(flow > 0, 30.0, np.nan)
    entities = flow_entities(helsinki, links, starts, 900.0, flow, speed, scenario="base")
    assert len(entities) == 8
    assert [e for entity in entities for e in validation_errors(entity, sdm)] == []
    first = entities[0]
    assert first["intensity"] == 25.0 and first["dateObservedFrom"] == "2026-05-01T08:00:00.000Z"
    back = parse_entity(first)
    assert {o.quantity for o in back} == {"intensity", "speed"}


def test_invalid_entities_are_reported(sdm, helsinki):
    building = building_entities(helsinki)[0]
    del building["category"]
    assert any("category" in e for e in validation_errors(building, sdm))
    segment = road_segment_entities(helsinki)[0] | {"totalLaneNumber": 0}
    assert any("totalLaneNumber" in e for e in validation_errors(segment, sdm))
