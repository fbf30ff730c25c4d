"""GTFS import: the real Cairns feed (zip and folder, with and without shapes) and bad feeds."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from twin.errors import InputError
from twin.importers.gtfs import read_gtfs

UTM_55S = CRS.from_epsg(32755)


@pytest.fixture(scope="module")
def feed_path(shared_data: Path) -> Path:
    return shared_data / "gtfs-cairns" / "cairns_gtfs.zip"


@pytest.fixture(scope="module")
def members(feed_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(feed_path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def source(feed_path: Path):
    return read_gtfs(feed_path)


def _rows(members: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(members[name].decode("utf-8-sig"))))


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _edit(members: dict[str, bytes], name: str, line: int, old: str, new: str) -> dict[str, bytes]:
    """The members with ``old`` replaced by ``new`` in line ``line`` (1 = header) of ``name``."""
    lines = members[name].decode("utf-8").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return {**members, name: "\n".join(lines).encode("utf-8")}


def _to_utm(geometry):
    transformer = Transformer.from_crs("EPSG:4326", UTM_55S, always_xy=True)
    return shapely.transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def test_feed_figures_match_its_readme(source) -> None:
    stops, routes = source.layers["transit_stops"], source.layers["transit_routes"]
    assert source.kind == "gtfs" and source.crs == CRS.from_epsg(4326)
    assert len(stops) == 416
    assert len(routes) == 22
    assert routes["n_trips"].sum() == 1339
    assert source.warnings == []


def test_stops_match_the_file(source, members: dict[str, bytes]) -> None:
    rows = _rows(members, "stops.txt")
    stops = source.layers["transit_stops"]
    assert list(stops.columns) == ["stop_id", "name", "location_type", "parent_station", "geometry"]
    assert list(stops["stop_id"]) == [r["stop_id"] for r in rows]
    assert list(stops["name"]) == [r["stop_name"] for r in rows]
    np.testing.assert_allclose(stops.geometry.x, [float(r["stop_lon"]) for r in rows])
    np.testing.assert_allclose(stops.geometry.y, [float(r["stop_lat"]) for r in rows])
    assert (stops["location_type"] == 0).all() and stops["parent_station"].isna().all()
    assert (
        stops.geometry.y.between(-17.5, -16.5).all()
        and stops.geometry.x.between(145.5, 146.0).all()
    )


def test_routes_match_the_file(source, members: dict[str, bytes]) -> None:
    rows = _rows(members, "routes.txt")
    routes = source.layers["transit_routes"]
    assert list(routes.columns) == [
        "route_id",
        "short_name",
        "long_name",
        "route_type",
        "agency_id",
        "n_trips",
        "geometry",
    ]
    assert list(routes["route_id"]) == [r["route_id"] for r in rows]
    assert list(routes["short_name"]) == [r["route_short_name"] for r in rows]
    assert list(routes["long_name"]) == [r["route_long_name"] for r in rows]
    assert (routes["route_type"] == 3).all()  # buses
    assert routes["agency_id"].isna().all()  # the feed has one agency and no agency_id
    trips = Counter(r["route_id"] for r in _rows(members, "trips.txt"))
    assert dict(zip(routes["route_id"], routes["n_trips"])) == dict(trips)


def test_route_lines_are_the_shapes_of_their_trips(source, members: dict[str, bytes]) -> None:
    routes = source.layers["transit_routes"].set_index("route_id")
    shape_ids: dict[str, set[str]] = {}
    for trip in _rows(members, "trips.txt"):
        shape_ids.setdefault(trip["route_id"], set()).add(trip["shape_id"])
    points: dict[str, list[tuple[int, float, float]]] = {}
    for point in _rows(members, "shapes.txt"):
        points.setdefault(point["shape_id"], []).append(
            (
                int(point["shape_pt_sequence"]),
                float(point["shape_pt_lon"]),
                float(point["shape_pt_lat"]),
            )
        )
    for route_id, shapes in shape_ids.items():
        geometry = routes.geometry[route_id]
        assert geometry.geom_type == "MultiLineString"
        expected = {tuple((x, y) for _, x, y in sorted(points[s])) for s in shapes}
        assert {tuple(line.coords) for line in geometry.geoms} == expected


def test_stops_lie_on_their_routes(source, members: dict[str, bytes]) -> None:
    """The stops a route's trips call at lie on the route's lines (a few termini off the road)."""
    stops = source.layers["transit_stops"].set_index("stop_id")
    routes = source.layers["transit_routes"].set_index("route_id")
    route_of = {t["trip_id"]: t["route_id"] for t in _rows(members, "trips.txt")}
    calls = {(route_of[s["trip_id"]], s["stop_id"]) for s in _rows(members, "stop_times.txt")}
    lines = {r: _to_utm(g) for r, g in routes.geometry.items()}
    points = dict(zip(stops.index, _to_utm(stops.geometry.values)))
    distances = [lines[route].distance(points[stop]) for route, stop in calls]
    assert np.percentile(distances, 95) < 25.0
    assert max(distances) < 150.0


def test_without_shapes_routes_follow_their_most_common_trip(
    source, members: dict[str, bytes], tmp_path: Path
) -> None:
    bare = {name: data for name, data in members.items() if name != "shapes.txt"}
    without = read_gtfs(_zip(tmp_path / "noshapes.zip", bare))
    assert without.warnings == [
        "22 routes without shapes: drawn along the stops of their most common trip"
    ]
    routes = without.layers["transit_routes"].set_index("route_id")
    stops = without.layers["transit_stops"].set_index("stop_id")
    trips_of: dict[str, list[str]] = {}
    for trip in _rows(members, "trips.txt"):
        trips_of.setdefault(trip["route_id"], []).append(trip["trip_id"])
    calls: dict[str, list[tuple[int, str]]] = {}
    for row in _rows(members, "stop_times.txt"):
        calls.setdefault(row["trip_id"], []).append((int(row["stop_sequence"]), row["stop_id"]))
    shaped = source.layers["transit_routes"].set_index("route_id")
    for route_id, trips in trips_of.items():
        patterns = Counter(tuple(stop for _, stop in sorted(calls[t])) for t in trips)
        top = max(patterns.values())
        candidates = {p for p, n in patterns.items() if n == top}
        (line,) = routes.geometry[route_id].geoms
        pattern = tuple(
            stops.index[stops.geometry.geom_equals(shapely.Point(xy))][0] for xy in line.coords
        )
        assert pattern in candidates
        vertices = shapely.points(shapely.get_coordinates(_to_utm(line)))
        assert shapely.distance(vertices, _to_utm(shaped.geometry[route_id])).max() < 150.0


def test_a_folder_reads_like_the_zip(source, members: dict[str, bytes], tmp_path: Path) -> None:
    for name, data in members.items():
        (tmp_path / name).write_bytes(data)
    folder = read_gtfs(tmp_path)
    for layer in ("transit_stops", "transit_routes"):
        assert folder.layers[layer].equals(source.layers[layer])


def test_a_byte_order_mark_is_accepted(source, members: dict[str, bytes], tmp_path: Path) -> None:
    marked = {name: b"\xef\xbb\xbf" + data for name, data in members.items()}
    again = read_gtfs(_zip(tmp_path / "bom.zip", marked))
    assert list(again.layers["transit_stops"]["stop_id"]) == list(
        source.layers["transit_stops"]["stop_id"]
    )
    assert again.layers["transit_routes"]["n_trips"].sum() == 1339


def test_a_missing_file_is_named(members: dict[str, bytes], tmp_path: Path) -> None:
    path = _zip(tmp_path / "nostops.zip", {n: d for n, d in members.items() if n != "stops.txt"})
    with pytest.raises(InputError, match=r"nostops\.zip: stops\.txt: required file is missing"):
        read_gtfs(path)


def test_a_missing_column_is_named(members: dict[str, bytes], tmp_path: Path) -> None:
    path = _zip(tmp_path / "notype.zip", _edit(members, "routes.txt", 1, "route_type", "kind"))
    with pytest.raises(InputError, match=r"routes\.txt: route_type: required column is missing"):
        read_gtfs(path)


def test_an_unreadable_latitude_names_file_row_and_column(
    members: dict[str, bytes], tmp_path: Path
) -> None:
    path = _zip(tmp_path / "badlat.zip", _edit(members, "stops.txt", 6, "-16.7", "-1x.7"))
    with pytest.raises(
        InputError,
        match=r"stops\.txt row 5 \(line 6\), column stop_lat: '-1x\.7\d*' is not a number",
    ):
        read_gtfs(path)


def test_a_latitude_out_of_range_is_an_error(members: dict[str, bytes], tmp_path: Path) -> None:
    path = _zip(tmp_path / "farlat.zip", _edit(members, "stops.txt", 3, "-16.", "-96."))
    with pytest.raises(
        InputError, match=r"row 2 \(line 3\), column stop_lat: .* not a number from -90 to 90"
    ):
        read_gtfs(path)


def test_a_bad_shape_point_is_named(members: dict[str, bytes], tmp_path: Path) -> None:
    path = _zip(tmp_path / "badshape.zip", _edit(members, "shapes.txt", 4, "145.", "east"))
    with pytest.raises(InputError, match=r"shapes\.txt row 3 \(line 4\), column shape_pt_lon"):
        read_gtfs(path)


def test_a_file_that_is_no_zip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "feed.zip"
    path.write_text("stop_id,stop_lat,stop_lon\n")
    with pytest.raises(InputError, match=r"feed\.zip: not a GTFS feed"):
        read_gtfs(path)


@pytest.mark.parametrize("damage, says", [
    ("flip", "stops.txt: damaged in the archive (Bad CRC-32 for file 'stops.txt')"),
    ("zero", "stops.txt: damaged in the archive (Error -3 while decompressing data"),
])
def test_a_damaged_member_is_one_line_naming_it(shared_data: Path, tmp_path: Path, damage: str,
                                                says: str) -> None:
    source = shared_data / "gtfs-cairns" / "cairns_gtfs.zip"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("stops.txt")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    if damage == "flip":  # one bit of the compressed text: the CRC no longer matches
        data[start + info.compress_size // 2] ^= 0x01
    else:  # the deflate stream itself broken
        data[start:start + 16] = bytes(16)
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as error:
        read_gtfs(path)
    assert str(error.value).startswith(f"{path}: {says}")
