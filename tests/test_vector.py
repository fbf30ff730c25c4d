"""Vector import: real Delft footprints through GeoPackage, GeoJSON and Shapefile, real Helsinki
OSM lines noded into a road network, and bad files."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from twin.errors import InputError
from twin.importers.base import ImportOptions
from twin.importers.road_classes import defaults_for
from twin.importers.vector import read_vector
from twin.model import BUILDING_COLUMNS, LINK_COLUMNS, NODE_COLUMNS
from twin.quantities import MS_PER_KMH as KMH

RD_NEW = CRS.from_epsg(28992)
HSTORE = re.compile(r'"([^"]+)"=>"([^"]*)"')


def _write(frame: gpd.GeoDataFrame, path: Path, **kwargs) -> Path:
    """Write a frame quietly (pyogrio warns about Shapefile field names and missing CRSs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame.to_file(path, **kwargs)
    return path


@pytest.fixture(scope="module")
def bgt(shared_data: Path) -> gpd.GeoDataFrame:
    """The 160 real BGT footprints of Delft with attributes for a column map.

    Heights, floors, years and uses are made up (the BGT has none) but fixed per footprint.
    """
    frame = pyogrio.read_dataframe(shared_data / "delft" / "bgt" / "bgt_pand.sqlite")
    n = len(frame)
    rank = np.arange(n)
    return gpd.GeoDataFrame(
        {
            "bag_id": frame["identificatiebagpnd"].astype(str),
            "h_m": 3.0 + (rank % 9) * 1.5,
            "n_lagen": (rank % 4 + 1).astype(np.int64),
            "bouwjaar": 1600 + (rank * 7) % 420,
            "functie": np.array(["woonfunctie", "kantoorfunctie", "winkelfunctie", "schuur"])[
                rank % 4
            ],
        },
        geometry=frame.geometry.values,
        crs=frame.crs,
    )


BGT_MAP = {
    "id": "bag_id",
    "height": "h_m",
    "floors": "n_lagen",
    "year": "bouwjaar",
    "use": "functie",
}


def test_real_bgt_footprints_read_directly(shared_data: Path) -> None:
    source = read_vector(shared_data / "delft" / "bgt" / "bgt_pand.sqlite")
    assert source.kind == "vector"
    assert source.crs == RD_NEW
    assert len(source.buildings) == 160
    assert list(source.buildings.columns) == [*BUILDING_COLUMNS, "geometry"]
    assert (
        source.buildings["id"].str.startswith("G0503.").all()
    )  # BGT lokaalid, found automatically
    assert source.buildings["height"].isna().all()
    assert source.warnings == []
    assert source.links is None and source.nodes is None


@pytest.mark.parametrize("name", ["bgt.gpkg", "bgt.geojson", "bgt.shp"])
def test_footprints_round_trip_through_each_format(
    bgt: gpd.GeoDataFrame, tmp_path: Path, name: str
) -> None:
    path = _write(bgt, tmp_path / name)
    source = read_vector(path, ImportOptions(column_map=BGT_MAP))
    b = source.buildings
    assert source.crs == RD_NEW
    assert len(b) == 160
    assert list(b["id"]) == list(bgt["bag_id"])
    assert list(b["source_id"]) == list(bgt["bag_id"])
    assert (b["source"] == name).all()
    np.testing.assert_allclose(b["height"], bgt["h_m"])
    assert (b["height_source"] == "attribute").all()
    assert list(b["floors"]) == list(bgt["n_lagen"])
    assert list(b["year"]) == list(bgt["bouwjaar"])
    assert b["use"].value_counts().to_dict() == {
        "residential": 40,
        "office": 40,
        "retail": 40,
        "other": 40,
    }
    np.testing.assert_allclose(b.geometry.area, bgt.geometry.area, rtol=1e-9)
    assert shapely.equals_exact(b.geometry.values, bgt.geometry.values, tolerance=1e-6).all()


def test_columns_are_matched_without_a_map(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    renamed = bgt.rename(
        columns={"bag_id": "identificatie", "h_m": "Hoogte", "n_lagen": "building:levels"}
    )
    source = read_vector(_write(renamed, tmp_path / "auto.gpkg"))
    b = source.buildings
    assert list(b["id"]) == list(bgt["bag_id"])
    np.testing.assert_allclose(b["height"], bgt["h_m"])
    assert list(b["floors"]) == list(bgt["n_lagen"])
    assert list(b["year"]) == list(bgt["bouwjaar"])


def test_unknown_heights_stay_unknown(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = bgt.copy()
    frame["h_m"] = frame["h_m"].astype(object)
    frame.loc[:9, "h_m"] = None
    frame.loc[10:11, "h_m"] = "unknown"
    frame.loc[12, "h_m"] = "12,5 m"
    source = read_vector(
        _write(frame, tmp_path / "partial.gpkg"), ImportOptions(column_map=BGT_MAP)
    )
    height = source.buildings["height"]
    assert height.isna().sum() == 12
    assert height[12] == 12.5
    assert source.buildings["height_source"].isna().sum() == 12
    assert source.warnings == ["2 heights in column 'h_m' are not lengths: left unknown"]


def test_a_negative_height_names_the_column_and_feature(
    bgt: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = bgt.copy()
    frame.loc[5, "h_m"] = -4.0
    path = _write(frame, tmp_path / "negative.gpkg")
    with pytest.raises(
        InputError, match=rf"h_m: feature {frame['bag_id'][5]}: height must be greater than 0 m"
    ) as caught:
        read_vector(path, ImportOptions(column_map=BGT_MAP))
    assert caught.value.path == str(path)
    assert caught.value.field == "h_m"


def test_a_bow_tie_is_repaired_and_counted(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    x0, y0 = bgt.geometry.values[0].centroid.coords[0]
    bow_tie = shapely.Polygon(
        [(x0, y0), (x0 + 10, y0 + 10), (x0 + 10, y0), (x0, y0 + 10), (x0, y0)]
    )
    assert not bow_tie.is_valid
    frame = bgt.head(3).copy()
    frame.loc[3] = ["bowtie", 6.0, 2, 1990, "woonfunctie", bow_tie]
    frame.loc[4] = ["empty", 6.0, 2, 1990, "woonfunctie", None]
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=bgt.crs)
    source = read_vector(_write(frame, tmp_path / "bowtie.gpkg"), ImportOptions(column_map=BGT_MAP))
    assert source.warnings == ["dropped 1 features without a readable geometry (none, a ring not "
                               "closed, or a coordinate that is not a number)",
                               "repaired 1 invalid polygons"]
    b = source.buildings.set_index("id")
    assert len(b) == 4 and "empty" not in b.index
    repaired = b.geometry["bowtie"]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(50.0)


def test_a_file_without_crs_needs_one(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = _write(bgt.set_crs(None, allow_override=True), tmp_path / "nocrs.shp")
    with pytest.raises(InputError, match=r"nocrs\.shp: crs: layer 'nocrs' declares no CRS"):
        read_vector(path, ImportOptions(column_map=BGT_MAP))
    source = read_vector(path, ImportOptions(crs=RD_NEW, column_map=BGT_MAP))
    assert source.crs == RD_NEW and len(source.buildings) == 160


def test_a_file_that_is_not_vector_data_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("these are notes, not a GeoPackage\n")
    with pytest.raises(InputError, match=r"notes\.gpkg: not a GeoPackage \(an SQLite file\), as its name says") as caught:
        read_vector(path)
    assert caught.value.path == str(path)


def test_bad_column_maps_are_named(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = _write(bgt, tmp_path / "bgt.gpkg")
    with pytest.raises(InputError, match=r"column_map\.hieght: unknown twin field"):
        read_vector(path, ImportOptions(column_map={"hieght": "h_m"}))
    with pytest.raises(InputError, match=r"column_map\.height: layer 'bgt' has no column 'hoogte'"):
        read_vector(path, ImportOptions(column_map={"height": "hoogte"}))


def test_layers_are_chosen_and_points_kept(bgt: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = _write(bgt, tmp_path / "city.gpkg", layer="panden")
    centres = gpd.GeoDataFrame(
        {"label": bgt["bag_id"]}, geometry=bgt.geometry.centroid, crs=bgt.crs
    )
    _write(centres, path, layer="labels", mode="a")
    both = read_vector(path, ImportOptions(column_map=BGT_MAP))
    assert len(both.buildings) == 160 and len(both.layers["labels"]) == 160
    only = read_vector(path, ImportOptions(column_map=BGT_MAP), layer="panden")
    assert len(only.buildings) == 160 and only.layers == {}
    with pytest.raises(InputError, match=r"layer: no layer 'wegen'"):
        read_vector(path, layer="wegen")


# --- roads ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def osm_lines(shared_data: Path) -> gpd.GeoDataFrame:
    """Real Helsinki OSM ways (GDAL OSM driver, layer "lines") in a block of the centre, with
    ``oneway`` and ``lanes`` taken out of ``other_tags`` into columns."""
    lines = pyogrio.read_dataframe(
        shared_data / "helsinki-osm" / "Helsinki.osm.pbf",
        layer="lines",
        bbox=(24.935, 60.162, 24.950, 60.170),
    )
    tags = [dict(HSTORE.findall(t)) if isinstance(t, str) else {} for t in lines["other_tags"]]
    lines["oneway"] = [t.get("oneway") for t in tags]
    lines["lanes"] = [t.get("lanes") for t in tags]
    lines["access"] = [t.get("access") for t in tags]
    return lines[["osm_id", "name", "highway", "oneway", "lanes", "access", "geometry"]]


@pytest.fixture(scope="module")
def network(osm_lines: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory):
    path = _write(osm_lines, tmp_path_factory.mktemp("roads") / "helsinki_roads.gpkg")
    return read_vector(path)


def _drivable(osm_lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = osm_lines["highway"].isin(
        [
            "primary",
            "secondary",
            "tertiary",
            "residential",
            "service",
            "unclassified",
            "primary_link",
            "tertiary_link",
        ]
    )
    return osm_lines[keep & ~osm_lines["access"].isin(["no", "private"])]


def test_road_tables_have_the_model_columns(network, osm_lines: gpd.GeoDataFrame) -> None:
    assert len(osm_lines) > 100
    assert network.crs == CRS.from_epsg(4326)
    assert list(network.links.columns) == [*LINK_COLUMNS, "geometry"]
    assert list(network.nodes.columns) == [*NODE_COLUMNS, "geometry"]
    assert network.links["id"].is_unique and network.nodes["id"].is_unique
    assert network.links["length"].isna().all()  # degrees: measured by the assembler
    assert network.buildings is None


def test_only_drivable_open_ways_become_links(network, osm_lines: gpd.GeoDataFrame) -> None:
    drivable = _drivable(osm_lines)
    way_of_link = network.links["id"].str.split(":").str[0]
    assert set(way_of_link) == set(drivable["osm_id"])
    assert set(network.links["road_class"]) <= set(drivable["highway"])


def test_links_start_and_end_at_their_nodes(network) -> None:
    nodes = network.nodes.set_index("id").geometry
    links = network.links
    starts = shapely.get_point(links.geometry.values, 0)
    ends = shapely.get_point(links.geometry.values, -1)
    assert shapely.equals(starts, nodes.loc[links["from_node"]].values).all()
    assert shapely.equals(ends, nodes.loc[links["to_node"]].values).all()


def test_ways_meeting_at_a_vertex_share_a_node(network, osm_lines: gpd.GeoDataFrame) -> None:
    """Every vertex two drivable ways share is a node that links of both ways touch."""
    drivable = _drivable(osm_lines)
    coords, owner = shapely.get_coordinates(drivable.geometry.values, return_index=True)
    way = drivable["osm_id"].to_numpy()[owner]
    points = pd.DataFrame(
        {"x": np.round(coords[:, 0], 7), "y": np.round(coords[:, 1], 7), "way": way}
    )
    shared = points.drop_duplicates().groupby(["x", "y"])["way"].agg(set)
    junctions = shared[shared.map(len) >= 2]
    assert len(junctions) > 20
    node_at = {
        (round(p.x, 7), round(p.y, 7)): i
        for i, p in zip(network.nodes["id"], network.nodes.geometry)
    }
    links = network.links.assign(way=network.links["id"].str.split(":").str[0])
    for (x, y), ways in junctions.items():
        node = node_at[(x, y)]
        touching = links[(links["from_node"] == node) | (links["to_node"] == node)]
        assert set(touching["way"]) == ways
    degree = pd.concat([links["from_node"], links["to_node"]]).value_counts()
    priority = set(network.nodes.loc[network.nodes["control"] == "priority", "id"])
    assert priority and priority <= set(degree[degree >= 3].index)


def test_oneway_is_honoured(network, osm_lines: gpd.GeoDataFrame) -> None:
    drivable = _drivable(osm_lines)
    links = network.links.assign(
        way=network.links["id"].str.split(":").str[0], direction=network.links["id"].str[-1]
    )
    directions = links.groupby("way")["direction"].agg(set)
    oneway = set(drivable.loc[drivable["oneway"] == "yes", "osm_id"])
    twoway = set(drivable.loc[drivable["oneway"].isna() | (drivable["oneway"] == "no"), "osm_id"])
    assert oneway and twoway
    assert all(directions[w] == {"f"} for w in oneway)
    assert all(directions[w] == {"f", "b"} for w in twoway)


def test_lanes_speed_and_capacity_follow_tags_and_defaults(
    network, osm_lines: gpd.GeoDataFrame
) -> None:
    links = network.links.assign(way=network.links["id"].str.split(":").str[0])
    drivable = _drivable(osm_lines).set_index("osm_id")
    for way, group in links.groupby("way"):
        row = drivable.loc[way]
        defaults = defaults_for(row["highway"])
        if pd.isna(row["lanes"]):
            expected = {defaults.lanes}
        elif row["oneway"] == "yes":
            expected = {int(row["lanes"])}
        else:
            expected = {max(1, -(-int(row["lanes"]) // 2)), max(1, int(row["lanes"]) // 2)}
        assert set(group["lanes"]) <= expected
        np.testing.assert_allclose(group["free_speed"], defaults.speed_kmh * KMH)
        np.testing.assert_allclose(group["capacity"], group["lanes"] * defaults.capacity_per_lane)


def test_a_projected_file_gets_lengths_in_metres(
    network, osm_lines: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    projected = read_vector(_write(osm_lines.to_crs(3067), tmp_path / "roads_3067.gpkg"))
    assert projected.crs == CRS.from_epsg(3067)
    assert len(projected.links) == len(network.links) and len(projected.nodes) == len(network.nodes)
    measured = network.links.to_crs(3067).length.sum()
    assert projected.links["length"].sum() == pytest.approx(measured, rel=1e-5)
    assert (projected.links["length"] > 0).all()


def test_a_column_map_names_road_columns_and_speed_unit(
    osm_lines: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = _drivable(osm_lines).rename(
        columns={"osm_id": "wegnr", "highway": "klasse", "oneway": "eenrichting"}
    )
    frame = frame.drop(columns=["lanes", "name", "access"]).assign(
        stroken=3, vmax=12.5, straat="Testweg"
    )
    path = _write(frame, tmp_path / "wegen.gpkg")
    column_map = {
        "id": "wegnr",
        "road_class": "klasse",
        "oneway": "eenrichting",
        "lanes": "stroken",
        "free_speed": "vmax",
        "free_speed_unit": "m/s",
        "name": "straat",
    }
    source = read_vector(path, ImportOptions(column_map=column_map))
    links = source.links
    assert set(links["id"].str.split(":").str[0]) == set(frame["wegnr"])
    np.testing.assert_allclose(links["free_speed"], 12.5)
    assert set(links["lanes"]) == {1, 2, 3}  # two-way 3 lanes: 2 along + 1 against; one-way: 3
    assert (links["name"] == "Testweg").all()


def test_osm_other_tags_are_unpacked(shared_data: Path, network, tmp_path: Path) -> None:
    """A GDAL OSM export keeps oneway, lanes, maxspeed and access in ``other_tags``."""
    raw = pyogrio.read_dataframe(
        shared_data / "helsinki-osm" / "Helsinki.osm.pbf",
        layer="lines",
        bbox=(24.935, 60.162, 24.950, 60.170),
    )
    source = read_vector(_write(raw, tmp_path / "osm_lines.gpkg"))
    tags = [dict(HSTORE.findall(t)) if isinstance(t, str) else {} for t in raw["other_tags"]]
    closed = {
        str(w)
        for w, t in zip(raw["osm_id"], tags)
        if {t.get(k) for k in ("motorcar", "motor_vehicle", "vehicle")} & {"no", "private"}
    }
    assert closed

    def per_way(links: gpd.GeoDataFrame) -> pd.DataFrame:
        """Directions and lanes per way (pieces differ where a closed way met it)."""
        keyed = links.assign(way=links["id"].str.split(":").str[0], direction=links["id"].str[-1])
        return keyed.groupby(["way", "direction"])["lanes"].agg(frozenset)

    expected = per_way(network.links)
    expected = expected[~expected.index.get_level_values("way").isin(closed)]
    pd.testing.assert_series_equal(per_way(source.links), expected)
    maxspeed = {
        str(w): float(t["maxspeed"])
        for w, t in zip(raw["osm_id"], tags)
        if t.get("maxspeed", "").isdigit()
    }
    links = source.links.assign(way=source.links["id"].str.split(":").str[0])
    tagged = links[links["way"].isin(maxspeed.keys())]
    assert len(tagged) > 50
    np.testing.assert_allclose(tagged["free_speed"], tagged["way"].map(maxspeed) * KMH)


def test_noding_splits_at_shared_vertices_only(tmp_path: Path) -> None:
    """A cross sharing its middle vertex is noded there; a bridge over it is not; a line shorter
    than the 1 cm grid is dropped; without a class column every line is an unclassified road."""
    x, y = 85000.0, 447500.0
    lines = [
        shapely.LineString([(x - 50, y), (x, y), (x + 50, y)]),
        shapely.LineString([(x, y - 50), (x, y + 0.001), (x, y + 50)]),  # shares (x, y) within 1 cm
        shapely.LineString([(x - 30, y - 30), (x + 30, y + 30)]),  # crosses both, no shared vertex
        shapely.LineString([(x + 80, y), (x + 80.004, y)]),  # shorter than 1 cm
    ]
    frame = gpd.GeoDataFrame({"label": ["a", "b", "bridge", "stub"]}, geometry=lines, crs=RD_NEW)
    source = read_vector(_write(frame, tmp_path / "cross.gpkg"))
    assert source.warnings == [
        "no road class column: 4 lines taken as 'unclassified' roads",
        "dropped 1 lines shorter than the 1 cm snapping grid",
    ]
    links, nodes = source.links, source.nodes
    assert list(links["id"]) == [
        "cross.gpkg:0:0:f", "cross.gpkg:0:0:b", "cross.gpkg:0:1:f", "cross.gpkg:0:1:b",
        "cross.gpkg:1:0:f", "cross.gpkg:1:0:b", "cross.gpkg:1:1:f", "cross.gpkg:1:1:b",
        "cross.gpkg:2:0:f", "cross.gpkg:2:0:b",
    ]  # fmt: skip
    assert len(nodes) == 7
    centre = nodes.loc[nodes.geometry.distance(shapely.Point(x, y)) < 0.01]
    assert list(centre["control"]) == ["priority"]
    touching = links[
        (links["from_node"] == centre["id"].iloc[0]) | (links["to_node"] == centre["id"].iloc[0])
    ]
    assert len(touching) == 8
    np.testing.assert_allclose(
        links["length"], [50, 50, 50, 50, 50, 50, 50, 50, 60 * 2**0.5, 60 * 2**0.5]
    )
    assert (links["road_class"] == "unclassified").all()
    assert (links["lanes"] == defaults_for("unclassified").lanes).all()


def _geojson(path: Path, features: list[tuple[dict, list[list[float]]]]) -> Path:
    """A WGS84 GeoJSON of polygons written as text (values JSON cannot hold written as Python
    writes them: NaN, Infinity), each feature (properties, exterior ring)."""
    import json
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": {"type": "Polygon",
                                                              "coordinates": [ring]}}
        for props, ring in features]}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def _square(x: float) -> list[list[float]]:
    return [[x, 60.17], [x + 2e-4, 60.17], [x + 2e-4, 60.1702], [x, 60.1702], [x, 60.17]]


def test_hostile_building_values_are_read_as_unknown_and_counted(tmp_path: Path) -> None:
    from twin.importers.assemble import import_files

    path = _geojson(tmp_path / "hostile.geojson", [
        ({"id": "tall", "height": 1e20}, _square(24.940)),
        ({"id": "infinite", "height": float("inf")}, _square(24.941)),
        ({"id": "many", "floors": 1e300}, _square(24.942)),
        ({"id": "minus", "floors": -5}, _square(24.943)),
        ({"id": "nan", "height": 5}, [[24.944, 60.17], [float("nan"), 60.17],
                                      [24.9442, 60.1702], [24.944, 60.17]]),
        ({"id": "open", "height": 5}, _square(24.945)[:-1]),
        ({"id": "fine", "height": 10, "floors": 3}, _square(24.946)),
    ])
    twin = import_files([path], name="hostile")
    b = twin.buildings.set_index("id")
    assert sorted(b.index) == ["fine", "infinite", "many", "minus", "tall"]
    assert (b["height"] > 0).all() and (b["height"] <= 1000).all()
    assert (b["floors"] >= 1).all() and (b["floors"] <= 200).all()
    assert b.loc["fine", "height"] == 10 and b.loc["fine", "floors"] == 3
    said = "\n".join(twin.warnings)
    assert "hostile.geojson: 2 buildings with height outside 0-1000 m: read as unknown" in said
    assert "2 floor counts outside 1-200: read as unknown" in said
    assert ("dropped 2 features without a readable geometry (none, a ring not closed, or a "
            "coordinate that is not a number)") in said


def test_a_geojson_crs_nobody_knows_is_an_error_not_wgs84(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "bogus.geojson", [({"id": "a", "height": 5}, _square(24.94))])
    text = path.read_text(encoding="utf-8")
    path.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                    '{"name": "urn:ogc:def:crs:EPSG::99999"}}, ' + text[text.index('"features"'):],
                    encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(
            "crs: 'urn:ogc:def:crs:EPSG::99999' is not a CRS pyproj knows")):
        read_vector(path)


def test_plots_and_tessellation_beside_buildings_are_not_buildings(tmp_path: Path) -> None:
    """An urban-morphology GeoPackage: buildings, plots and a tessellation, all polygons."""
    from twin.importers.assemble import import_files

    crs = "EPSG:3067"
    houses = [shapely.box(385000 + 30 * i, 6672000, 385010 + 30 * i, 6672010) for i in range(3)]
    plots = [shapely.box(384995 + 30 * i, 6671995, 385015 + 30 * i, 6672015) for i in range(3)]
    cells = [shapely.box(384990 + 30 * i, 6671990, 385020 + 30 * i, 6672020) for i in range(3)]
    path = tmp_path / "morphology.gpkg"
    for layer, shapes in (("buildings", houses), ("plots", plots), ("tessellation", cells)):
        gpd.GeoDataFrame({"height": [6.0] * 3}, geometry=shapes, crs=crs).to_file(path, layer=layer)
    twin = import_files([path], name="morphology")
    assert len(twin.buildings) == 3
    assert twin.buildings["footprint_area"].tolist() == pytest.approx([100.0] * 3)
    assert set(twin.layers) >= {"plots", "tessellation"} and len(twin.layers["plots"]) == 3
    assert ("morphology.gpkg: polygon layers kept as layers, not buildings (their names do not "
            "say buildings): plots, tessellation") in twin.warnings
