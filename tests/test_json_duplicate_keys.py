"""Duplicate keys in JSON input: every JSON reader refuses an object that gives one key twice,
with one line naming the file (or message) and the key, through one shared parser
(``twin.json_text``). Readers differ on which of the two values counts, so accepting either
would let a document mean one thing here and another to the tool that checked or signed it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twin.errors import InputError
from twin.feeds.payloads import MalformedMessage, parse_entities, parse_plain
from twin.feeds.replay import ReplayFeed
from twin.feeds.smartdatamodels import read_entities
from twin.importers.cityjson import read_cityjson
from twin.importers.vector import read_vector
from twin.json_text import DuplicateKeyError, loads_json

REPEATED = "key given twice in one JSON object"


def test_the_shared_parser_names_the_repeated_key_at_any_depth() -> None:
    assert loads_json(b'{"a": [1, {"b": 2.5}], "c": null}') == {"a": [1, {"b": 2.5}], "c": None}
    assert loads_json('{"a": {"b": 1}, "c": {"b": 1}}') == {"a": {"b": 1}, "c": {"b": 1}}  # other objects
    for text, key in [('{"a": 1, "a": 1}', "a"), ('[{"x": {"y": 1, "y": 2}}]', "y"),
                      ('{"\\u0061": 1, "a": 2}', "a")]:
        with pytest.raises(DuplicateKeyError) as error:
            loads_json(text)
        assert error.value.key == key and str(error.value) == f"key {key!r} given twice in one object"
    with pytest.raises(ValueError, match="nested too deeply"):
        loads_json("[" * 1000 + "]" * 1000)  # orjson takes it, the second pass would recurse
    with pytest.raises(ValueError):
        loads_json('{"a": NaN}')  # orjson's rules hold: no NaN


def test_cityjson_with_a_repeated_key_is_refused(shared_data: Path, tmp_path: Path) -> None:
    source = (shared_data / "cityjson-samples" / "denhaag_subset.city.json").read_bytes()
    path = tmp_path / "dup.city.json"
    path.write_bytes(source.replace(b'"type"', b'"type":"CityJSON","type"', 1))
    with pytest.raises(InputError) as error:
        read_cityjson(path)
    assert str(error.value) == f"{path}: type: {REPEATED}"


def test_cityjsonseq_with_a_repeated_key_names_the_line(tmp_path: Path) -> None:
    header = {"type": "CityJSON", "version": "2.0", "transform": {"scale": [1, 1, 1], "translate": [0, 0, 0]},
              "CityObjects": {}, "vertices": []}
    feature = ('{"type": "CityJSONFeature", "id": "b1", "CityObjects": {"b1": {"type": "Building", '
               '"attributes": {"measuredHeight": 3.0, "measuredHeight": 300.0}}}, "vertices": []}')
    path = tmp_path / "dup.city.jsonl"
    path.write_text(json.dumps(header) + "\n" + feature + "\n")
    with pytest.raises(InputError) as error:
        read_cityjson(path)
    assert str(error.value) == f"{path}: line 2: measuredHeight: {REPEATED}"


def test_geojson_with_a_repeated_property_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"height": 3.0, "height": 300.0}, "geometry": {"type": "Polygon", '
                    '"coordinates": [[[4.37, 52.0], [4.3701, 52.0], [4.3701, 52.0001], [4.37, 52.0]]]}}]}')
    with pytest.raises(InputError) as error:
        read_vector(path)
    assert str(error.value) == f"{path}: height: {REPEATED}"


def test_feed_payloads_with_a_repeated_key_are_malformed() -> None:
    with pytest.raises(MalformedMessage, match=f"^value: {REPEATED}$"):
        parse_plain(b'{"sensor": "s1", "quantity": "intensity", "time": 1, "value": 1, "value": 9}')
    with pytest.raises(MalformedMessage, match=f"^id: {REPEATED}$"):
        parse_entities(b'[{"id": "urn:a", "id": "urn:b", "type": "TrafficFlowObserved"}]')


def test_a_recorded_line_with_a_repeated_key_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "recorded.jsonl"
    good = {"t": 0.0, "topic": "a", "payload": '{"sensor": "s1", "quantity": "q", "time": 1, "value": 1}'}
    path.write_text('{"t": 0.0, "topic": "a", "payload": "x", "payload": "y"}\n' + json.dumps(good) + "\n")
    replay = ReplayFeed(path)
    replay.connect()
    received = []
    while not replay.done:
        received += replay.poll()
    replay.close()
    assert len(received) == 1
    assert replay.stats.malformed == 1
    assert replay.stats.errors == [f"{path}:1: malformed message: not a recorded message: key 'payload' given twice in one object"]


def test_an_entities_file_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entities.json"
    path.write_text('[{"id": "urn:ngsi-ld:Building:1", "type": "Building", "type": "Device"}]')
    with pytest.raises(InputError) as error:
        read_entities(path)
    assert str(error.value) == f"{path}: not a readable JSON file: key 'type' given twice in one object"
