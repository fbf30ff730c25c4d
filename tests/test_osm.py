"""OpenStreetMap importer: tag parsing, a hand-made OSM XML file and the real Helsinki extract."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely

from twin.connectivity import connectivity_report
from twin.errors import InputError
from twin.importers.base import SourceData
from twin.importers.osm import read_osm
from twin.importers.osm_tags import (
    USE_BY_AMENITY,
    USE_BY_BUILDING,
    Tags,
    building_height,
    building_type,
    building_use,
    lanes_per_direction,
    maxspeed_per_direction,
    open_to_cars,
    parse_length,
    parse_maxspeed,
    parse_year,
    poi_category,
    travel_directions,
)
from twin.importers.road_classes import ROAD_CLASS_DEFAULTS
from twin.model import BUILDING_COLUMNS, BUILDING_USES, LINK_COLUMNS, Network
from twin.quantities import MS_PER_KMH as KMH

# --- tag parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "kmh"), [
    ("50", 50.0), ("30 mph", 30 * 1.609344), ("40 km/h", 40.0), ("25kmh", 25.0),
    ("FI:urban", 50.0), ("FI:rural", 80.0), ("DE:urban", 50.0), ("NL:rural", 80.0),
    ("DE:zone30", 30.0), ("DE:zone:30", 30.0), ("30;50", 30.0), ("GB:nsl_single", 60 * 1.609344),
    ("none", None), ("walk", None), ("signals", None), (None, None),
])
def test_parse_maxspeed(value: str | None, kmh: float | None) -> None:
    assert parse_maxspeed(value) == pytest.approx(kmh)


@pytest.mark.parametrize("value", ["fast", "50 furlongs", "-20", "XX:nowhere"])
def test_parse_maxspeed_rejects_text(value: str) -> None:
    with pytest.raises(ValueError):
        parse_maxspeed(value)


def test_directional_maxspeed_and_zone_fallback() -> None:
    tags = Tags({"maxspeed": "30", "maxspeed:backward": "40"})
    assert maxspeed_per_direction(tags) == (30.0, 40.0)
    assert maxspeed_per_direction(Tags({"maxspeed:type": "FI:urban"})) == (50.0, 50.0)
    unreadable = Tags({"maxspeed": "fast"})
    assert maxspeed_per_direction(unreadable) == (None, None)
    assert unreadable.problems == {"maxspeed": 1}


@pytest.mark.parametrize(("value", "metres"), [
    ("12", 12.0), ("12 m", 12.0), ("12.5m", 12.5), ("12,5", 12.5), ("40'", 40 * 0.3048),
    ("40 ft", 40 * 0.3048), ("12'6\"", 12 * 0.3048 + 6 * 0.0254), (None, None), ("", None),
])
def test_parse_length(value: str | None, metres: float | None) -> None:
    assert parse_length(value) == pytest.approx(metres)


def test_parse_length_rejects_text() -> None:
    with pytest.raises(ValueError):
        parse_length("tall")


@pytest.mark.parametrize(("value", "year"), [
    ("1912", 1912), ("1912-05-01", 1912), ("~1890", 1890), ("1850..1860", 1850),
    ("C19", None), (None, None),
])
def test_parse_year(value: str | None, year: int | None) -> None:
    assert parse_year(value) == year


@pytest.mark.parametrize(("tags", "directions"), [
    ({}, (True, True)),
    ({"oneway": "yes"}, (True, False)), ({"oneway": "true"}, (True, False)),
    ({"oneway": "1"}, (True, False)), ({"oneway": "-1"}, (False, True)),
    ({"oneway": "reverse"}, (False, True)), ({"oneway": "no"}, (True, True)),
    ({"junction": "roundabout"}, (True, False)), ({"junction": "circular"}, (True, False)),
    ({"junction": "roundabout", "oneway": "no"}, (True, True)),
    ({"highway": "motorway"}, (True, False)), ({"highway": "motorway_link"}, (True, False)),
    ({"highway": "motorway", "oneway": "no"}, (True, True)),
    ({"oneway": "reversible"}, (True, True)),
])
def test_travel_directions(tags: dict[str, str], directions: tuple[bool, bool]) -> None:
    assert travel_directions(tags) == directions


@pytest.mark.parametrize(("tags", "forward", "backward", "lanes"), [
    ({"lanes": "2"}, True, True, (1, 1)),
    ({"lanes": "3"}, True, True, (2, 1)),
    ({"lanes": "4"}, True, True, (2, 2)),
    ({"lanes": "1"}, True, True, (1, 1)),
    ({"lanes": "3", "lanes:both_ways": "1"}, True, True, (1, 1)),
    ({"lanes": "3", "lanes:backward": "2"}, True, True, (1, 2)),
    ({"lanes:forward": "1", "lanes:backward": "2", "lanes": "3"}, True, True, (1, 2)),
    ({"lanes": "2"}, True, False, (2, 0)),
    ({"lanes": "2", "lanes:forward": "1"}, True, False, (1, 0)),
    ({"lanes": "3"}, False, True, (0, 3)),
    ({}, True, True, (2, 2)),
    ({}, True, False, (2, 0)),
])
def test_lanes_per_direction(tags: dict[str, str], forward: bool, backward: bool,
                             lanes: tuple[int, int]) -> None:
    assert lanes_per_direction(Tags(tags), forward, backward, default=2) == lanes


def test_unreadable_lanes_fall_back_to_the_default() -> None:
    tags = Tags({"lanes": "two"})
    assert lanes_per_direction(tags, True, True, default=1) == (1, 1)
    assert tags.problems == {"lanes": 1}


@pytest.mark.parametrize(("tags", "is_open"), [
    ({}, True), ({"access": "no"}, False), ({"access": "private"}, False),
    ({"motor_vehicle": "no"}, False), ({"access": "no", "motor_vehicle": "yes"}, True),
    ({"access": "destination"}, True), ({"area": "yes"}, False),
    ({"vehicle": "agricultural"}, False),
])
def test_open_to_cars(tags: dict[str, str], is_open: bool) -> None:
    assert open_to_cars(tags) == is_open


def test_building_heights() -> None:
    assert building_height(Tags({"height": "12 m"}), "office") == (12.0, "attribute", None)
    assert building_height(Tags({"building:height": "40'"}), "office")[:2] == (
        pytest.approx(12.192), "attribute")
    assert building_height(Tags({"building:levels": "4", "roof:levels": "1"}), "residential") == (
        13.5, "levels", 4)
    assert building_height(Tags({"building": "house"}), "residential") == (7.0, "default", None)
    # untyped and residential buildings without a listed type: the import fills them from the
    # DSM or by size class (building_completion.default_dwelling_height)
    height, source, floors = building_height(Tags({"building": "yes"}), "unknown")
    assert np.isnan(height) and source is None and floors is None
    bad = Tags({"height": "high", "building:levels": "3"})
    assert building_height(bad, "unknown") == (9.0, "levels", 3)
    assert bad.problems == {"height": 1}


def test_building_use() -> None:
    assert building_use({"building": "apartments"}) == "residential"
    assert building_use({"building": "yes", "amenity": "school"}) == "education"
    assert building_use({"building": "yes", "shop": "bakery"}) == "retail"
    assert building_use({"building": "yes", "office": "company"}) == "office"
    assert building_use({"building": "yes", "tourism": "hotel"}) == "hotel"
    assert building_use({"building": "yes"}) == "unknown"
    assert building_use({"building": "entrance"}) == "other"
    assert set(USE_BY_BUILDING.values()) | set(USE_BY_AMENITY.values()) <= set(BUILDING_USES)


def test_building_type_keeps_what_the_use_class_loses() -> None:
    # a garage and a warehouse are both "storage"; the type tells the heated one apart
    assert building_use({"building": "garage"}) == building_use({"building": "warehouse"})
    assert building_type({"building": "garage"}) == "garage"
    assert building_type({"building": "Shed;hut"}) == "shed"
    assert building_type({"building": "yes"}) is None and building_type({}) is None


def test_poi_category() -> None:
    assert poi_category({"amenity": "cafe", "shop": "coffee"}) == ("amenity", "cafe")
    assert poi_category({"public_transport": "platform"}) == ("public_transport", "platform")
    assert poi_category({"highway": "bus_stop"}) is None


# --- a hand-made OSM XML file -----------------------------------------------------------------

NODES = {  # id: (lat, lon, tags)
    1: (60.000, 25.000, {}), 2: (60.000, 25.001, {}), 3: (60.000, 25.002, {}),
    4: (60.001, 25.001, {}), 6: (60.002, 25.001, {}), 7: (59.999, 25.002, {}),
    8: (60.001, 25.000, {}), 9: (60.000, 25.003, {"highway": "traffic_signals"}),
    10: (60.000, 25.004, {}), 11: (60.001, 25.003, {}), 12: (60.001, 25.004, {}),
    13: (60.003, 25.001, {}),
    50: (60.0005, 25.0005, {"amenity": "cafe", "name": "Kahvila"}),
    **{100 + i: (60.010 + dlat, 25.010 + dlon, {}) for i, (dlat, dlon) in enumerate(
        [(0, 0), (0, 0.0002), (0.0001, 0.0002), (0.0001, 0)])},
    **{110 + i: (60.020 + dlat, 25.020 + dlon, {}) for i, (dlat, dlon) in enumerate(
        [(0, 0), (0.0001, 0.0002), (0, 0.0002), (0.0001, 0)])},
    **{120 + i: (60.030 + dlat, 25.030 + dlon, {}) for i, (dlat, dlon) in enumerate(
        [(0, 0), (0, 0.0004), (0.0002, 0.0004), (0.0002, 0),
         (0.00005, 0.0001), (0.00005, 0.0002), (0.0001, 0.0002), (0.0001, 0.0001)])},
}
WAYS = {  # id: (node refs, tags)
    10: ([1, 2, 3], {"highway": "residential", "name": "Testikatu"}),
    11: ([2, 4, 6], {"highway": "residential", "oneway": "yes", "maxspeed": "20"}),
    12: ([3, 7], {"highway": "unclassified", "oneway": "-1", "lanes": "2"}),
    13: ([4, 8], {"highway": "footway"}),
    14: ([6, 13], {"highway": "service", "access": "private"}),
    15: ([3, 9, 10], {"highway": "tertiary", "lanes": "4", "maxspeed": "FI:urban"}),
    16: ([9, 11, 12, 9], {"highway": "service"}),
    20: ([100, 101, 102, 103, 100], {"building": "house", "building:levels": "2",
                                     "roof:levels": "1", "start_date": "1923"}),
    21: ([110, 111, 112, 113, 110], {"building": "yes"}),
    22: ([120, 121, 122, 123, 120], {}),
    23: ([124, 125, 126, 127, 124], {}),
    24: ([100, 102, 103, 100], {"building": "no"}),
}
RELATIONS = {30: ([(22, "outer"), (23, "inner")],
                  {"type": "multipolygon", "building": "office", "height": "40'",
                   "amenity": "bank"})}


def osm_xml() -> str:
    """The hand-made network, buildings and POI above as OSM XML."""
    def tags(mapping: dict[str, str]) -> str:
        return "".join(f'<tag k="{k}" v="{v}"/>' for k, v in mapping.items())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" version="1" lat="{lat}" lon="{lon}">{tags(t)}</node>'
              for i, (lat, lon, t) in NODES.items()]
    lines += [f'<way id="{i}" version="1">' + "".join(f'<nd ref="{n}"/>' for n in refs)
              + f"{tags(t)}</way>" for i, (refs, t) in WAYS.items()]
    lines += [f'<relation id="{i}" version="1">'
              + "".join(f'<member type="way" ref="{r}" role="{role}"/>' for r, role in members)
              + f"{tags(t)}</relation>" for i, (members, t) in RELATIONS.items()]
    return "\n".join(lines + ["</osm>"])


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> SourceData:
    path = tmp_path_factory.mktemp("osm") / "small.osm"
    path.write_text(osm_xml())
    return read_osm(path)


def test_small_network_topology(small: SourceData) -> None:
    links = small.links.set_index("id")
    assert sorted(links.index) == sorted([
        "10:0:f", "10:0:b", "10:1:f", "10:1:b", "11:0:f", "12:0:b",
        "15:0:f", "15:0:b", "15:1:f", "15:1:b", "16:0:f", "16:0:b", "16:1:f", "16:1:b"])
    assert (links.loc["11:0:f", ["from_node", "to_node"]] == ["2", "6"]).all()
    assert (links.loc["12:0:b", ["from_node", "to_node"]] == ["7", "3"]).all()
    assert len(links.loc["11:0:f", "geometry"].coords) == 3  # node 4 stays a shape point
    controls = dict(zip(small.nodes["id"], small.nodes["control"], strict=True))
    assert controls == {"1": "none", "2": "priority", "3": "priority", "6": "none",
                        "7": "none", "9": "signal", "10": "none", "11": "none"}


def test_small_network_attributes(small: SourceData) -> None:
    links = small.links.set_index("id")
    assert links.loc["11:0:f", "free_speed"] == pytest.approx(20 * KMH)
    assert links.loc["15:0:f", "free_speed"] == pytest.approx(50 * KMH)
    assert links.loc["10:0:f", "free_speed"] == pytest.approx(30 * KMH)  # class default
    assert links.loc["12:0:b", "lanes"] == 2
    assert (links.loc[["15:0:f", "15:0:b"], "lanes"] == 2).all()
    assert links.loc["15:0:f", "capacity"] == 2 * ROAD_CLASS_DEFAULTS["tertiary"].capacity_per_lane
    assert links.loc["10:0:f", "name"] == "Testikatu"
    assert links.loc["10:0:f", "length"] == pytest.approx(55.8, abs=0.1)  # 0.001° lon at 60° N


def test_small_buildings(small: SourceData) -> None:
    buildings = small.buildings.set_index("id")
    assert sorted(buildings.index) == ["relation/30", "way/20", "way/21"]
    house = buildings.loc["way/20"]
    assert (house["height"], house["height_source"], house["floors"], house["year"],
            house["use"]) == (7.5, "levels", 2, 1923, "residential")
    office = buildings.loc["relation/30"]
    assert office["height"] == pytest.approx(12.192)
    assert office["use"] == "office"
    assert len(office.geometry.interiors) == 1
    assert buildings.geometry.is_valid.all()
    assert any("repaired" in w and w.endswith(": 1") for w in small.warnings)
    assert buildings.loc["way/20", "source"] == "small.osm"


def test_small_pois(small: SourceData) -> None:
    pois = small.layers["pois"].set_index("id")
    assert pois.loc["node/50", ["category", "kind", "name"]].tolist() == ["amenity", "cafe",
                                                                         "Kahvila"]
    assert pois.loc["relation/30", ["category", "kind"]].tolist() == ["amenity", "bank"]
    assert pois.loc["node/50", "geometry"].equals(shapely.Point(25.0005, 60.0005))


# --- Helsinki ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helsinki_path(shared_data) -> Path:
    return shared_data / "helsinki-osm" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def helsinki(helsinki_path: Path) -> SourceData:
    start = time.perf_counter()
    data = read_osm(helsinki_path)
    print(f"\nHelsinki import: {time.perf_counter() - start:.2f} s")
    return data


@pytest.fixture(scope="module")
def raw_way_tags(helsinki_path: Path) -> dict[int, dict[str, str]]:
    """Tags of every highway way, read straight from the file with osmium."""
    return {
        way.id: dict(way.tags)
        for way in osmium.FileProcessor(str(helsinki_path), osmium.osm.WAY)
        if "highway" in way.tags
    }


def links_of(data: SourceData, way_id: int):
    links = data.links
    return links[links["id"].str.startswith(f"{way_id}:")].set_index("id")


def test_helsinki_is_fast(helsinki_path: Path) -> None:
    start = time.perf_counter()
    read_osm(helsinki_path)
    assert time.perf_counter() - start < 5.0


def test_helsinki_buildings(helsinki: SourceData) -> None:
    buildings = helsinki.buildings
    print(f"Helsinki: {len(buildings)} buildings, {len(helsinki.links)} links, "
          f"{len(helsinki.nodes)} nodes, {len(helsinki.layers['pois'])} POIs")
    assert 400 <= len(buildings) <= 470  # 433 building ways (48 cut by the bbox) + relations
    assert buildings["id"].str.startswith("relation/").sum() >= 50
    assert buildings["id"].is_unique
    assert list(buildings.columns) == [*BUILDING_COLUMNS, "geometry"]
    assert buildings.dtypes[list(BUILDING_COLUMNS)].astype(str).to_dict() == BUILDING_COLUMNS
    assert buildings.geometry.is_valid.all()
    assert set(buildings.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    # dwellings and untyped buildings of no listed type are left to the import (DSM, size class)
    unset = buildings["height"].isna()
    assert unset.any() and buildings.loc[unset, "use"].isin(["residential", "unknown"]).all()
    assert (buildings.loc[~unset, "height"] > 0).all()
    assert set(buildings.loc[~unset, "height_source"]) == {"attribute", "levels", "default"}
    assert buildings.loc[unset, "height_source"].isna().all()
    assert set(buildings["use"]) <= set(BUILDING_USES)
    assert {"roof", "shed", "apartments"} <= set(buildings["building_type"].dropna())
    assert helsinki.crs.to_epsg() == 4326 and helsinki.kind == "osm"
    assert (buildings["source"] == "Helsinki.osm.pbf").all()


def test_helsinki_pois(helsinki: SourceData) -> None:
    pois = helsinki.layers["pois"]
    assert len(pois) >= 1006
    amenity_nodes = pois["id"].str.startswith("node/") & (pois["category"] == "amenity")
    assert amenity_nodes.sum() == 1006
    assert set(pois.geometry.geom_type) == {"Point"}


def test_helsinki_two_way_street(helsinki: SourceData) -> None:
    fabianinkatu = links_of(helsinki, 4243036)  # residential, two-way
    forward, backward = fabianinkatu.loc["4243036:0:f"], fabianinkatu.loc["4243036:0:b"]
    assert (forward["from_node"], forward["to_node"]) == (backward["to_node"],
                                                          backward["from_node"])
    assert forward["length"] == backward["length"] > 0
    assert forward.geometry.equals(shapely.reverse(backward.geometry))


def test_helsinki_one_way_streets(helsinki: SourceData,
                                  raw_way_tags: dict[int, dict[str, str]]) -> None:
    erottajankatu = links_of(helsinki, 4236349)  # oneway=yes
    assert len(erottajankatu) > 0
    assert all(link_id.endswith(":f") for link_id in erottajankatu.index)
    way_of = helsinki.links["id"].str.split(":").str[0].astype(int)
    one_way = [w for w, tags in raw_way_tags.items() if tags.get("oneway") == "yes"]
    on_one_way = way_of.isin(one_way)
    assert on_one_way.sum() > 100
    assert helsinki.links.loc[on_one_way, "id"].str.endswith(":f").all()


def test_helsinki_maxspeed_and_lanes(helsinki: SourceData,
                                     raw_way_tags: dict[int, dict[str, str]]) -> None:
    vilhonkatu = links_of(helsinki, 4247501)  # secondary, oneway, maxspeed 40, lanes 2
    np.testing.assert_allclose(vilhonkatu["free_speed"], 40 / 3.6)
    assert (vilhonkatu["lanes"] == 2).all()
    assert (vilhonkatu["capacity"] == 2 * ROAD_CLASS_DEFAULTS["secondary"].capacity_per_lane).all()
    # Uudenmaankatu: lanes:forward 1, lanes:backward 2, maxspeed 30, maxspeed:backward 40
    uudenmaankatu = links_of(helsinki, 18385008)
    forward = uudenmaankatu[uudenmaankatu.index.str.endswith(":f")]
    backward = uudenmaankatu[uudenmaankatu.index.str.endswith(":b")]
    assert (forward["lanes"] == 1).all() and (backward["lanes"] == 2).all()
    np.testing.assert_allclose(forward["free_speed"], 30 / 3.6)
    np.testing.assert_allclose(backward["free_speed"], 40 / 3.6)
    # every way with a plain numeric maxspeed and no directional ones
    plain = {w: float(t["maxspeed"]) for w, t in raw_way_tags.items()
             if t.get("maxspeed", "").isdigit() and "maxspeed:forward" not in t
             and "maxspeed:backward" not in t}
    way_of = helsinki.links["id"].str.split(":").str[0].astype(int)
    expected = way_of.map(plain)
    checked = expected.notna()
    assert checked.sum() > 500
    np.testing.assert_allclose(helsinki.links.loc[checked, "free_speed"],
                               expected[checked] / 3.6)


def test_helsinki_links_and_nodes_agree(helsinki: SourceData) -> None:
    links, nodes = helsinki.links, helsinki.nodes
    assert list(links.columns) == [*LINK_COLUMNS, "geometry"]
    assert links["id"].is_unique and nodes["id"].is_unique
    assert set(links["road_class"]) <= set(ROAD_CLASS_DEFAULTS)
    position = nodes.set_index("id").geometry
    assert links["from_node"].isin(position.index).all()
    assert links["to_node"].isin(position.index).all()
    starts = shapely.get_point(links.geometry.values, 0)
    ends = shapely.get_point(links.geometry.values, -1)
    assert shapely.equals(starts, position.loc[links["from_node"]].values).all()
    assert shapely.equals(ends, position.loc[links["to_node"]].values).all()
    assert (links["from_node"] != links["to_node"]).all()
    assert (links["length"] > 0).all() and (links["free_speed"] > 0).all()
    assert (links["lanes"] >= 1).all()
    assert set(nodes["control"]) == {"signal", "priority", "none"}


def test_helsinki_total_length(helsinki: SourceData) -> None:
    total_km = helsinki.links["length"].sum() / 1000
    projected_km = helsinki.links.to_crs(3067).length.sum() / 1000  # ETRS-TM35FIN
    print(f"Helsinki directed drivable length: {total_km:.1f} km")
    assert 25 < total_km < 80  # about 1.0 km x 1.7 km of city centre
    assert total_km == pytest.approx(projected_km, rel=0.005)


def test_helsinki_network_connectivity(helsinki: SourceData) -> None:
    network = Network(nodes=helsinki.nodes, links=helsinki.links)
    report = connectivity_report(network.graph)
    print(f"Helsinki largest SCC: {report.node_share:.1%} of nodes, "
          f"{report.link_share:.1%} of links")
    assert report.node_share > 0.8


def test_helsinki_warnings_name_counts(helsinki: SourceData) -> None:
    assert any("cut by the extract boundary" in w and w.endswith(": 48")
               for w in helsinki.warnings)


# --- bad input --------------------------------------------------------------------------------


def test_text_file_named_pbf(tmp_path: Path) -> None:
    path = tmp_path / "notes.osm.pbf"
    path.write_text("this is not OpenStreetMap data\n" * 20)
    with pytest.raises(InputError, match="notes.osm.pbf"):
        read_osm(path)


def test_truncated_pbf(tmp_path: Path, helsinki_path: Path) -> None:
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(helsinki_path.read_bytes()[:300_000])
    with pytest.raises(InputError, match="truncated.osm.pbf"):
        read_osm(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.osm.pbf"):
        read_osm(path)


def test_osm_xml_without_objects(tmp_path: Path) -> None:
    path = tmp_path / "nothing.osm"
    path.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    with pytest.raises(InputError, match="nothing.osm: holds no roads"):
        read_osm(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_osm(tmp_path / "absent.osm.pbf")


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "city.txt"
    path.write_text("hello")
    with pytest.raises(InputError, match="city.txt"):
        read_osm(path)
