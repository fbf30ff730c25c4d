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


def _visits(members: dict[str, bytes], stop_id: str) -> int:
    return sum(row["stop_id"] == stop_id for row in _rows(members, "stop_times.txt"))


@pytest.mark.parametrize("column, old, new, says", [
    ("stop_lat", "-16.7", "-1x.7", "is not a number from -90 to 90"),
    ("stop_lat", "-16.", "-96.", "is not a number from -90 to 90"),
    ("stop_lat", "-16.", "inf", "is not a number from -90 to 90"),
    ("stop_lat", "-16.", "nan", "is not a number from -90 to 90"),
    ("stop_lon", "145.", "1e300", "is not a number from -180 to 180"),
    ("location_type", ",0,", ",2.5,", "is not a whole number from 0 to 4"),
    ("location_type", ",0,", ",-inf,", "is not a whole number from 0 to 4"),
])
def test_a_stop_with_a_bad_value_is_left_out_alone(
    source, members: dict[str, bytes], tmp_path: Path, column: str, old: str, new: str, says: str
) -> None:
    """Only the stop and the stop times visiting it go; the rest is the clean import."""
    stop_id = _rows(members, "stops.txt")[4]["stop_id"]
    edited = _edit(members, "stops.txt", 6, old, new)
    bad = read_gtfs(_zip(tmp_path / "bad.zip", edited))
    value = _rows(edited, "stops.txt")[4][column]
    assert bad.warnings == [
        f"stops.txt row 5 (line 6), column {column}: {value!r} {says}: left out (1 such rows in all)",
        f"stop_times.txt row 6 (line 7), column stop_id: {stop_id!r} is not a kept stop (it is "
        f"left out of stops.txt): left out ({_visits(members, stop_id)} such rows in all)",
    ]
    stops = source.layers["transit_stops"]
    kept = stops[stops["stop_id"] != stop_id]
    assert len(kept) == len(stops) - 1
    assert bad.layers["transit_stops"].reset_index(drop=True).equals(kept.reset_index(drop=True))
    assert bad.layers["transit_routes"].equals(source.layers["transit_routes"])


def test_a_missing_position_leaves_the_stop_out(members: dict[str, bytes], tmp_path: Path) -> None:
    lines = members["stops.txt"].decode("utf-8").split("\n")
    cells = lines[2].split(",")
    cells[5] = ""  # stop_lon
    lines[2] = ",".join(cells)
    bad = read_gtfs(_zip(tmp_path / "nolon.zip", {**members, "stops.txt": "\n".join(lines).encode()}))
    assert bad.warnings[0] == (
        "stops.txt row 2 (line 3), column stop_lon: '' is not a number from -180 to 180: "
        "left out (1 such rows in all)"
    )
    assert len(bad.layers["transit_stops"]) == 415


def test_without_shapes_routes_go_along_the_kept_stops(
    members: dict[str, bytes], tmp_path: Path
) -> None:
    """A route drawn along its stops passes only kept stops, and each trip still counts."""
    bare = {name: data for name, data in members.items() if name != "shapes.txt"}
    stop_id = _rows(members, "stops.txt")[4]["stop_id"]
    bad = read_gtfs(_zip(tmp_path / "bad.zip", _edit(bare, "stops.txt", 6, "-16.", "inf")))
    clean = read_gtfs(_zip(tmp_path / "clean.zip", bare))
    stops = bad.layers["transit_stops"]
    assert stop_id not in set(stops["stop_id"])
    routes, clean_routes = bad.layers["transit_routes"], clean.layers["transit_routes"]
    assert list(routes["n_trips"]) == list(clean_routes["n_trips"])
    kept = set(map(tuple, shapely.get_coordinates(stops.geometry.values)))
    vertices = set(map(tuple, shapely.get_coordinates(routes.geometry.values)))
    assert vertices <= kept
    changed = [r for r, a, b in zip(routes["route_id"], routes.geometry, clean_routes.geometry)
               if not a.equals(b)]
    visiting = {s["trip_id"] for s in _rows(members, "stop_times.txt") if s["stop_id"] == stop_id}
    calling = {t["route_id"] for t in _rows(members, "trips.txt") if t["trip_id"] in visiting}
    assert changed and set(changed) <= calling


def test_a_trip_left_with_one_stop_time_is_left_out(tmp_path: Path) -> None:
    feed = {
        "stops.txt": "stop_id,stop_lat,stop_lon\nS1,-16.92,145.77\nS2,-16.93,145.78\nS3,inf,145.76\n",
        "routes.txt": "route_id,route_type\nR1,3\nR2,3\n",
        "trips.txt": "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR2,WK,T3\n",
        "stop_times.txt": "trip_id,stop_id,stop_sequence\nT1,S1,1\nT1,S2,2\nT1,S3,3\n"
                          "T2,S3,1\nT2,S1,2\nT3,S3,1\nT3,S2,2\nT3,S3,3\n",
    }
    for name, text in feed.items():
        (tmp_path / name).write_text(text)
    source = read_gtfs(tmp_path)
    assert source.warnings == [
        "stops.txt row 3 (line 4), column stop_lat: 'inf' is not a number from -90 to 90: "
        "left out (1 such rows in all)",
        "stop_times.txt row 3 (line 4), column stop_id: 'S3' is not a kept stop (it is left out "
        "of stops.txt): left out (4 such rows in all)",
        "trips.txt row 2 (line 3), column trip_id: 'T2' is not a trip with two stop times at kept "
        "stops: left out (2 such rows in all)",
        "1 routes without shapes: drawn along the stops of their most common trip",
        "1 routes without trips have no geometry",
    ]
    routes = source.layers["transit_routes"]
    assert list(routes["n_trips"]) == [1, 0]
    assert list(routes.geometry[0].geoms[0].coords) == [(145.77, -16.92), (145.78, -16.93)]
    assert routes.geometry[1] is None


def test_a_stop_whose_parent_is_left_out_keeps_working(tmp_path: Path) -> None:
    (tmp_path / "stops.txt").write_text(
        "stop_id,stop_lat,stop_lon,location_type,parent_station\n"
        "P1,-96.9,145.77,1,\nS1,-16.92,145.77,0,P1\nS2,-16.93,145.78,0,P1\nS3,-16.94,145.76,,\n"
    )
    (tmp_path / "routes.txt").write_text("route_id,route_type\nR1,3\n")
    (tmp_path / "trips.txt").write_text("route_id,service_id,trip_id\nR1,WK,T1\n")
    (tmp_path / "stop_times.txt").write_text(
        "trip_id,stop_id,stop_sequence\nT1,S1,1\nT1,S2,2\nT1,S3,3\n"
    )
    source = read_gtfs(tmp_path)
    assert source.warnings[:2] == [
        "stops.txt row 1 (line 2), column stop_lat: '-96.9' is not a number from -90 to 90: "
        "left out (1 such rows in all)",
        "stops.txt row 2 (line 3), column parent_station: 'P1' names a left-out stop: the stop is "
        "kept without it (2 such rows in all)",
    ]
    stops = source.layers["transit_stops"]
    assert list(stops["stop_id"]) == ["S1", "S2", "S3"]
    assert stops["parent_station"].isna().all()
    assert list(stops["location_type"]) == [0, 0, 0]  # an empty location_type is a stop (0)
    assert source.layers["transit_routes"]["n_trips"].tolist() == [1]


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
