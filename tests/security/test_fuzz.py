"""Fuzzing the loaders of untrusted input with hypothesis: scenario TOML, CityJSON, feed messages
and packages (the file importers and twin manifests: ``test_fuzz_loaders``). Whatever the input,
a loader either succeeds or raises its documented error (naming file and field); any other
exception is a bug. Each test prints its counts (``fuzz_outcomes``)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fuzz_outcomes import FUZZ, Outcomes, source_problem, with_value
from hypothesis import given
from hypothesis import strategies as st
from pyproj import CRS

from twin.errors import InputError
from twin.feeds.observation_checks import observation_problem
from twin.feeds.payloads import MalformedMessage, parse_entities, parse_plain
from twin.importers.base import ImportOptions
from twin.importers.cityjson import read_cityjson
from twin.scenarios import scenario_from_text
from twin.security import PackageError, pack_scenario, verify_package

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=8)


def _paths(node, prefix=(), depth=0, out=None) -> list[tuple]:
    """Key paths into a JSON document, to at most four levels."""
    out = [] if out is None else out
    if depth >= 4:
        return out
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items)[:12]:
        out.append((*prefix, key))
        _paths(value, (*prefix, key), depth + 1, out)
    return out


def _observation_problem(observations) -> str | None:
    """Why parsed observations are silently wrong (one the store could not take), or None."""
    return next((f"{o}: {problem}" for o in observations if (problem := observation_problem(o))), None)


def test_scenario_loader_takes_any_text() -> None:
    base = (SCENARIOS / "helsinki_2035.toml").read_text()
    outcomes = Outcomes("scenario TOML")

    @FUZZ
    @given(st.one_of(st.text(max_size=400),
                     st.tuples(st.integers(0, len(base)), st.integers(0, 60), st.text(max_size=30))))
    def case(drawn) -> None:
        if isinstance(drawn, tuple):  # splice random text into a real scenario
            at, cut, insert = drawn
            text = base[:at] + insert + base[at + cut:]
        else:
            text = drawn
        outcomes.run(lambda: scenario_from_text(text, SCENARIOS / "fuzzed.toml"), (InputError,))

    case()
    outcomes.report()


DUTCH = ImportOptions(crs=CRS("EPSG:7415"))
"""The CRS of the 3D BAG sample, which declares none."""


def test_cityjson_reader_takes_any_mutation(shared_data) -> None:
    raw = (shared_data / "cityjson-samples" / "3dbag_multi_lod.city.json").read_bytes()
    document = json.loads(raw)
    paths = _paths(document)
    outcomes = Outcomes("CityJSON")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "fuzzed.city.json"

        @FUZZ
        @given(st.one_of(
            st.tuples(st.integers(0, len(paths) - 1), JSON_VALUES),
            st.tuples(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=8))))
        def case(drawn) -> None:
            where, what = drawn
            if isinstance(what, bytes):
                data = raw[:where] + what + raw[where + len(what):]
            else:
                data = json.dumps(with_value(document, paths[where], what)).encode()
            target.write_bytes(data)
            outcomes.run(lambda: read_cityjson(target, DUTCH), (InputError,), named="fuzzed.city.json",
                         check=source_problem)

        case()
    outcomes.report()


def test_feed_parsers_take_any_message() -> None:
    outcomes = Outcomes("feed messages")

    @FUZZ
    @given(st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode()),
                     st.builds(lambda t, v: json.dumps({"type": t, "id": "urn:x", "intensity": v,
                                                        "dateObserved": v}).encode(),
                               st.sampled_from(["TrafficFlowObserved", "WeatherObserved", "x"]),
                               JSON_VALUES)))
    def case(payload: bytes) -> None:
        for parse in (parse_plain, parse_entities):
            outcomes.run(lambda parse=parse: parse(payload), (MalformedMessage,), check=_observation_problem)

    case()
    outcomes.report()


def test_package_verifier_takes_any_bytes(tmp_path) -> None:
    package = pack_scenario(SCENARIOS / "delft_baseline.toml", tmp_path / "p.twinpkg")
    raw = package.read_bytes()
    target = tmp_path / "fuzzed.twinpkg"
    outcomes = Outcomes("packages")

    @FUZZ
    @given(st.one_of(st.binary(max_size=300),
                     st.tuples(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=6))))
    def case(drawn) -> None:
        if isinstance(drawn, tuple):
            at, flip = drawn
            data = raw[:at] + flip + raw[at + len(flip):]
        else:
            data = drawn
        target.write_bytes(data)
        outcomes.run(lambda: verify_package(target, untrusted=True), (PackageError,), named="fuzzed.twinpkg")

    case()
    outcomes.report()
