"""The OSM base map: water, green and land-use areas and rail lines of the Helsinki sample and of
small hand-made files with broken areas, kept through save and load."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from tests.test_osm_network import write_osm
from twin.basemap_colours import basemap_colour
from twin.importers.osm import read_osm
from twin.importers.osm_basemap import BASEMAP_KINDS, area_kind, repair_polygons
from twin.maps import plot_twin_map
from twin.model import Twin
from twin.store import load_twin, save_twin

SQUARE = {1: (60.0, 25.0, {}), 2: (60.0, 25.001, {}), 3: (60.001, 25.001, {}), 4: (60.001, 25.0, {})}
"""Four corners of a square about 56 m × 111 m."""
BOWTIE = {11: (60.0, 25.002, {}), 12: (60.001, 25.003, {}), 13: (60.0, 25.003, {}),
          14: (60.001, 25.002, {})}
"""Four corners that, joined in order, cross themselves."""
OPEN = {21: (60.0, 25.004, {}), 22: (60.0, 25.005, {}), 23: (60.001, 25.005, {})}
"""Three corners of a ring that is never closed."""
RAIL = {31: (60.002, 25.0, {}), 32: (60.002, 25.005, {})}


@pytest.mark.parametrize(("tags", "kind"), [
    ({"natural": "water"}, "water"), ({"waterway": "riverbank"}, "water"),
    ({"landuse": "reservoir"}, "water"), ({"leisure": "park"}, "green"),
    ({"landuse": "forest"}, "green"), ({"natural": "scrub"}, "green"),
    ({"landuse": "industrial"}, "landuse"), ({"landuse": "railway"}, "landuse"),
    ({"landuse": "farmyard"}, None), ({"natural": "peak"}, None), ({}, None),
])
def test_area_kind_by_tags(tags: dict[str, str], kind: str | None) -> None:
    assert area_kind(tags) == kind


def test_helsinki_has_water_green_land_use_and_rail(helsinki: Twin) -> None:
    basemap = helsinki.layers["basemap"]
    counts = basemap["kind"].value_counts()
    assert set(counts.index) <= set(BASEMAP_KINDS)
    assert counts.get("water", 0) > 0 and counts.get("green", 0) > 0
    assert counts.get("landuse", 0) > 0 and counts.get("rail", 0) > 0
    areas = basemap[basemap["kind"] != "rail"]
    assert set(areas.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.is_valid(areas.geometry.values).all() and (areas.area > 0).all()
    assert set(basemap.loc[basemap["kind"] == "rail"].geom_type) <= {"LineString", "MultiLineString"}
    assert basemap["id"].str.fullmatch(r"(way|relation)/\d+").all()
    assert basemap["id"].is_unique
    assert basemap.crs == helsinki.crs
    xmin, ymin, xmax, ymax = helsinki.extent() or (0.0, 0.0, 0.0, 0.0)
    assert basemap.total_bounds[0] >= xmin - 2000 and basemap.total_bounds[2] <= xmax + 2000


def test_the_basemap_round_trips_through_save_and_load(helsinki: Twin, tmp_path: Path) -> None:
    loaded = load_twin(save_twin(helsinki, tmp_path / "helsinki.twin")).layers["basemap"]
    basemap = helsinki.layers["basemap"]
    assert loaded["id"].tolist() == basemap["id"].tolist()
    assert loaded["kind"].tolist() == basemap["kind"].tolist()
    assert loaded.geometry.geom_equals_exact(basemap.geometry, tolerance=1e-6).all()


def test_broken_areas_are_counted_not_fatal(tmp_path: Path) -> None:
    ways = {100: ([1, 2, 3, 4, 1], {"leisure": "park"}),
            101: ([11, 12, 13, 14, 11], {"natural": "water"}),
            102: ([21, 22, 23], {}), 103: ([31, 32], {"railway": "tram"})}
    relations = {200: ([("w", 102, "outer")], {"type": "multipolygon", "landuse": "meadow"})}
    data = read_osm(write_osm(tmp_path, {**SQUARE, **BOWTIE, **OPEN, **RAIL}, ways, relations))
    basemap = data.layers["basemap"].set_index("id")
    assert basemap.loc["way/100", "kind"] == "green"
    assert basemap.loc["way/103", "kind"] == "rail"
    assert "relation/200" not in basemap.index
    assert shapely.is_valid(basemap.geometry.values).all()
    [line] = [w for w in data.warnings if w.startswith("base-map areas")]
    repaired, skipped = (int(part.rsplit(" ", 1)[1]) for part in line.split(", skipped"))
    bowtie_kept = "way/101" in basemap.index
    assert (repaired, skipped) == ((1, 1) if bowtie_kept else (0, 2))


def test_rail_ways_cut_by_the_extract_keep_their_inside_runs(tmp_path: Path) -> None:
    nodes = {**RAIL, 33: (60.003, 25.005, {}), 34: (60.003, 25.0, {})}
    ways = {103: ([31, 32, 99, 33, 34], {"railway": "rail"}), 104: ([98, 31], {"railway": "subway"}),
            105: ([34, 97, 31], {"railway": "light_rail"})}
    data = read_osm(write_osm(tmp_path, nodes, ways))
    basemap = data.layers["basemap"].set_index("id")
    assert list(basemap.index) == ["way/103"]
    parts = shapely.get_parts(basemap.loc["way/103", "geometry"])
    assert [shapely.get_coordinates(p).tolist() for p in parts] == [
        [[25.0, 60.002], [25.005, 60.002]], [[25.005, 60.003], [25.0, 60.003]]]
    assert "rail ways with fewer than 2 nodes in the extract (skipped): 2" in data.warnings


def test_invalid_polygons_are_repaired_to_their_polygonal_parts() -> None:
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    line_only = shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    fine = shapely.box(0, 0, 1, 1)
    fixed, repaired = repair_polygons(np.array([bowtie, line_only, fine], dtype=object))
    assert repaired == 2
    assert shapely.is_valid(fixed).all()
    assert fixed[0].area == pytest.approx(2.0) and fixed[1].is_empty and fixed[2] == fine


def test_the_overview_map_draws_the_basemap(helsinki: Twin, tmp_path: Path) -> None:
    def pixels_of(twin: Twin, kind: str) -> int:
        image = np.asarray(Image.open(plot_twin_map(twin, tmp_path / "map.png", dpi=60)).convert("RGB"))
        colour = np.array([int(basemap_colour(kind)[i:i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(image.astype(int) - colour).max(axis=-1) <= 2).sum())

    without = dataclasses.replace(helsinki, layers={"pois": helsinki.layers["pois"]})
    assert pixels_of(helsinki, "green") > 1000 and pixels_of(without, "green") < 50
    assert pixels_of(helsinki, "water") > 20
