"""Fuzzing the file loaders of untrusted input with hypothesis: GeoJSON and GeoPackage, GeoTIFF,
weather (EPW), OSM, GTFS and twin manifests, each from a small real-shaped seed, mutated by
value, by text and by byte. Every case must end accepted with sane values or in the loader's
InputError naming the file; the counts (``fuzz_outcomes``) are printed per loader."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from fuzz_mutations import TEXT, field_cases, flip, replace_field
from fuzz_outcomes import FUZZ, Outcomes, loading, with_value
from hypothesis import given
from hypothesis import strategies as st
from rasterio.transform import from_origin

from twin.errors import InputError
from twin.importers.assemble import check_sources_fit
from twin.importers.gtfs import read_gtfs
from twin.importers.osm import read_osm
from twin.importers.raster import read_raster
from twin.importers.vector import read_vector
from twin.importers.weather import read_weather
from twin.model import Twin
from twin.store import MANIFEST, read_manifest, save_twin

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": f"b{i}", "height": 9.5 + i, "floors": 3, "year": 1960 + i},
     "geometry": {"type": "Polygon", "coordinates": [[[4.37 + i * 1e-3, 52.0], [4.3702 + i * 1e-3, 52.0],
                                                      [4.3702 + i * 1e-3, 52.0002], [4.37 + i * 1e-3, 52.0]]]}}
    for i in range(3)]}


def _json_paths(node, prefix=(), out=None) -> list[tuple]:
    out = [] if out is None else out
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        out.append((*prefix, key))
        _json_paths(value, (*prefix, key), out)
    return out


def test_geojson_reader_takes_any_mutation(tmp_path) -> None:
    paths = _json_paths(GEOJSON)
    raw = json.dumps(GEOJSON).encode()
    target = tmp_path / "fuzzed.geojson"
    outcomes = Outcomes("GeoJSON")

    @FUZZ
    @given(st.one_of(st.tuples(st.integers(0, len(paths) - 1), JSON_VALUES),
                     st.tuples(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=6))))
    def case(drawn) -> None:
        where, what = drawn
        target.write_bytes(flip(raw, where, what) if isinstance(what, bytes)
                           else json.dumps(with_value(GEOJSON, paths[where], what)).encode())
        loading(outcomes, read_vector, target)

    case()
    outcomes.report()


def test_geopackage_reader_takes_any_bytes(tmp_path) -> None:
    seed = tmp_path / "seed.gpkg"
    frame = pyogrio.read_dataframe(json.dumps(GEOJSON))
    pyogrio.write_dataframe(frame.to_crs("EPSG:28992"), seed, layer="buildings")
    raw = seed.read_bytes()
    target = tmp_path / "fuzzed.gpkg"
    outcomes = Outcomes("GeoPackage")

    @FUZZ
    @given(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=8))
    def case(at, new) -> None:
        target.write_bytes(flip(raw, at, new))
        loading(outcomes, read_vector, target)

    case()
    outcomes.report()


def test_geotiff_reader_takes_any_bytes(tmp_path) -> None:
    seed = tmp_path / "seed.tif"
    profile = {"driver": "GTiff", "height": 16, "width": 16, "count": 1, "dtype": "float32",
               "crs": "EPSG:28992", "transform": from_origin(84_000, 447_000, 0.5, 0.5), "nodata": -9999.0}
    with rasterio.open(seed, "w", **profile) as dataset:
        dataset.write(np.linspace(0, 30, 256, dtype=np.float32).reshape(16, 16), 1)
    raw = seed.read_bytes()
    target = tmp_path / "fuzzed_dsm.tif"
    outcomes = Outcomes("GeoTIFF")

    @FUZZ
    @given(st.one_of(st.integers(0, 400), st.integers(0, len(raw) - 1)), st.binary(min_size=1, max_size=8))
    def case(at, new) -> None:  # the header and tags half of the time
        target.write_bytes(flip(raw, at, new))
        loading(outcomes, read_raster, target)

    case()
    outcomes.report()


def test_weather_reader_takes_any_field(shared_data, tmp_path) -> None:
    lines = (shared_data / "ashrae140-bestest" / "725650TYCST.epw").read_text(encoding="latin-1").splitlines()
    target = tmp_path / "fuzzed.epw"
    outcomes = Outcomes("weather (EPW)")

    @FUZZ
    @given(field_cases(lines, 9))
    def case(drawn) -> None:
        target.write_text(replace_field(lines, ",", drawn), encoding="utf-8")
        loading(outcomes, read_weather, target)

    case()
    outcomes.report()


OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="seed">
  <node id="1" lat="52.0000" lon="4.3700"/>
  <node id="2" lat="52.0000" lon="4.3710"/>
  <node id="3" lat="52.0010" lon="4.3710"/>
  <node id="4" lat="52.0010" lon="4.3700"/>
  <node id="5" lat="52.0020" lon="4.3700"><tag k="amenity" v="school"/></node>
  <node id="6" lat="52.0020" lon="4.3720"><tag k="highway" v="traffic_signals"/></node>
  <node id="7" lat="52.0030" lon="4.3740"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="building" v="house"/><tag k="height" v="9.5"/><tag k="building:levels" v="3"/></way>
  <way id="11"><nd ref="5"/><nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="primary"/><tag k="lanes" v="2"/><tag k="maxspeed" v="50"/><tag k="oneway" v="yes"/></way>
</osm>
"""


def test_osm_reader_takes_any_value(tmp_path) -> None:
    values = [match.end() for match in re.finditer('="', OSM)]  # where each attribute value starts
    target = tmp_path / "fuzzed.osm"
    outcomes = Outcomes("OSM")

    @FUZZ
    @given(st.one_of(st.tuples(st.sampled_from(values), TEXT),
                     st.tuples(st.integers(0, len(OSM) - 1), st.binary(min_size=1, max_size=4))))
    def case(drawn) -> None:
        at, new = drawn
        if isinstance(new, bytes):
            data = flip(OSM.encode(), at, new)
        else:
            end = OSM.index('"', at)
            data = (OSM[:at] + new.replace('"', "&quot;").replace("<", "&lt;").replace("&", "&amp;")
                    + OSM[end:]).encode()
        target.write_bytes(data)
        loading(outcomes, read_osm, target)

    case()
    outcomes.report()


GTFS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Seed Transit,https://example.org,Australia/Brisbane",
    "stops.txt": ("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                  "P1,Central,-16.925,145.775,1,\nS1,First,-16.92,145.77,0,P1\nS2,Second,-16.93,145.78,0,P1\n"
                  "S3,Third,-16.94,145.76,,"),
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,A,1,3",
    "trips.txt": "route_id,service_id,trip_id,shape_id\nR1,WK,T1,\nR1,WK,T2,",
    "stop_times.txt": ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T1,08:00:00,08:00:00,S1,1\nT1,08:05:00,08:05:30,S2,2\nT1,08:12:00,08:12:00,S3,3\n"
                       "T2,25:00:00,25:00:00,S1,1\nT2,25:06:00,25:06:00,S2,2"),
    "calendar.txt": ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                     "WK,1,1,1,1,1,0,0,20260101,20261231"),
}


SEED_STOPS = [line.split(",") for line in GTFS["stops.txt"].split("\n")[1:]]
SEED_VISITS = [line.split(",") for line in GTFS["stop_times.txt"].split("\n")[1:]]


def _gtfs_problem(data) -> str | None:
    """Why an accepted feed is wrong: the twin's assembly refuses its layers (degrees always
    fit WGS 84, so it must not), or a route (drawn along its stops: the seed has no shapes)
    passes a point that is no kept stop."""
    try:
        check_sources_fit([data])
    except InputError as error:
        return f"the assembly refuses what the reader accepted: {error}"
    stops, routes = data.layers["transit_stops"], data.layers["transit_routes"]
    places = set(map(tuple, shapely.get_coordinates(stops.geometry.values)))
    if not set(map(tuple, shapely.get_coordinates(routes.geometry.values))) <= places:
        return "a route line passes a point that is no kept stop"
    return None


def _stop_left_alone(data, row: int, column: str) -> str | None:
    """Why a feed whose stops.txt ``row`` changed in ``column`` breaks the bad-record-alone
    rule: another stop lost or moved, the changed stop left out without a warning naming its
    row, a kept stop naming a left-out one as its parent_station, a trip count that is not the
    seed's trips keeping two stop times at kept stops, a route line through a left-out stop."""
    stops = data.layers["transit_stops"]
    kept = dict(zip(stops["stop_id"], zip(stops.geometry.x, stops.geometry.y)))
    for at, (stop_id, _, lat, lon, *_) in enumerate(SEED_STOPS, start=1):
        if at != row and not np.allclose(kept.get(stop_id, np.nan), (float(lon), float(lat)), atol=1e-12):
            return f"stops.txt row {at} ({stop_id}) lost or moved by a change to row {row}"
    if column == "stop_id":  # a new id: the parents and stop times may name a stop no longer there
        return _gtfs_problem(data)
    if SEED_STOPS[row - 1][0] not in kept and not any(f"stops.txt row {row} " in w for w in data.warnings):
        return f"stops.txt row {row} left out without a warning naming it"
    if column != "parent_station" and not set(stops["parent_station"].dropna()) <= set(kept):
        return "a kept stop names a stop that is not kept as its parent_station"
    calls: dict[str, int] = {}
    for trip_id, _, _, stop_id, _ in SEED_VISITS:
        calls[trip_id] = calls.get(trip_id, 0) + (stop_id in kept)
    expected = sum(n >= 2 for n in calls.values())
    if data.layers["transit_routes"]["n_trips"].sum() != expected:
        return f"{data.layers['transit_routes']['n_trips'].sum()} trips kept, not {expected}"
    return _gtfs_problem(data)


def test_gtfs_reader_takes_any_cell(tmp_path) -> None:
    names = sorted(GTFS)
    folder = tmp_path / "fuzzed_gtfs"
    outcomes = Outcomes("GTFS")

    @FUZZ
    @given(st.sampled_from(names), st.integers(0, 5), st.integers(0, 10), TEXT)
    def case(name, row, column, text) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for other in names:
            lines = GTFS[other].split("\n")
            if other == name:
                row_at = row % len(lines)
                cells = lines[row_at].split(",")
                text = text.replace(",", ";").replace("\n", " ")
                changed = GTFS[name].split("\n")[0].split(",")[column % len(cells)]
                cells[column % len(cells)] = text
                lines[row_at] = ",".join(cells)
            (folder / other).write_text("\n".join(lines) + "\n", encoding="utf-8")
        one_stop = name == "stops.txt" and row_at > 0 and not set(text) & set('"\r')  # one whole row
        loading(outcomes, read_gtfs, folder,
                also=(lambda data: _stop_left_alone(data, row_at, changed)) if one_stop else _gtfs_problem,
                alone=one_stop and changed != "stop_id")  # a new stop_id may repeat one or leave visits unknown

    case()
    outcomes.report()


def test_gtfs_zip_reader_takes_any_bytes(tmp_path) -> None:
    seed = tmp_path / "seed.zip"
    with zipfile.ZipFile(seed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in GTFS.items():
            archive.writestr(name, text + "\n")
    raw = seed.read_bytes()
    target = tmp_path / "fuzzed_gtfs.zip"
    outcomes = Outcomes("GTFS zip")

    @FUZZ
    @given(st.integers(0, len(raw) - 1), st.binary(min_size=1, max_size=6))
    def case(at, new) -> None:
        target.write_bytes(flip(raw, at, new))
        loading(outcomes, read_gtfs, target, also=_gtfs_problem)

    case()
    outcomes.report()


@pytest.fixture(scope="module")
def saved(delft: Twin, tmp_path_factory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("saved") / "delft.twin")


def test_manifest_reader_takes_any_text(saved, tmp_path) -> None:
    base = (saved / MANIFEST).read_text(encoding="utf-8")
    folder = tmp_path / "fuzzed.twin"
    folder.mkdir()
    outcomes = Outcomes("twin manifests")

    @FUZZ
    @given(st.integers(0, len(base)), st.integers(0, 40), st.one_of(TEXT, st.sampled_from(
        ['"', "[", "{", "]]", "= 1", "files = {}", '"x" = {sha256 = 5}', "\n[files]\n", "format_version = 99"])))
    def case(at, cut, insert) -> None:
        (folder / MANIFEST).write_text(base[:at] + insert + base[at + cut:], encoding="utf-8")
        outcomes.run(lambda: read_manifest(folder), (InputError,), named=MANIFEST)

    case()
    outcomes.report()
