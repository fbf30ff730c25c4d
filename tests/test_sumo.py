"""SUMO network import: the real Braunschweig net against sumolib's reading of it, and bad files."""

from __future__ import annotations

import gzip
import math
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import sumolib
from pyproj import CRS, Geod, Transformer

from twin.errors import InputError
from twin.importers.base import ImportOptions
from twin.importers.road_classes import defaults_for
from twin.importers.sumo import read_sumo_net
from twin.model import LINK_COLUMNS, NODE_COLUMNS, SIGNAL_COLUMNS

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def net_path(shared_data: Path) -> Path:
    return shared_data / "sumo-braunschweig" / "bs.net.xml"


@pytest.fixture(scope="module")
def source(net_path: Path):
    return read_sumo_net(net_path)


@pytest.fixture(scope="module")
def reference(net_path: Path) -> sumolib.net.Net:
    return sumolib.net.readNet(str(net_path), withPrograms=True)


@pytest.fixture(scope="module")
def car_edges(reference: sumolib.net.Net) -> dict:
    """sumolib's normal edges that have a lane for passenger cars, by id."""
    return {
        e.getID(): e
        for e in reference.getEdges()
        if e.getFunction() == "" and e.allows("passenger")
    }


def _distances(lonlat_a: np.ndarray, lonlat_b: np.ndarray) -> np.ndarray:
    """Geodesic distance (m) between rows of two (n, 2) lon/lat arrays."""
    return GEOD.inv(lonlat_a[:, 0], lonlat_a[:, 1], lonlat_b[:, 0], lonlat_b[:, 1])[2]


def test_file_figures_match_its_readme(reference: sumolib.net.Net) -> None:
    assert len(reference.getEdges()) == 452
    assert len(reference.getNodes()) == 205
    assert len(reference.getTrafficLights()) == 1


def test_tables_have_the_model_columns(source) -> None:
    assert source.kind == "sumo"
    assert list(source.links.columns) == [*LINK_COLUMNS, "geometry"]
    assert list(source.nodes.columns) == [*NODE_COLUMNS, "geometry"]
    assert list(source.signals.columns) == list(SIGNAL_COLUMNS)
    assert source.links["id"].is_unique and source.nodes["id"].is_unique
    assert source.crs == CRS.from_epsg(32632)


def test_links_are_the_passenger_edges_of_sumolib(source, car_edges: dict) -> None:
    assert len(source.links) == len(car_edges) == 174
    assert set(source.links["id"]) == set(car_edges)
    assert source.warnings == ["skipped 278 edges without a lane for passenger cars"]
    links = source.links.set_index("id")
    for edge_id, edge in car_edges.items():
        row = links.loc[edge_id]
        car_lanes = [lane for lane in edge.getLanes() if lane.allows("passenger")]
        assert row["from_node"] == edge.getFromNode().getID()
        assert row["to_node"] == edge.getToNode().getID()
        assert row["lanes"] == len(car_lanes)
        shape = edge.getShape()
        inside_junctions = math.dist(edge.getFromNode().getCoord(), shape[0]) + math.dist(
            shape[-1], edge.getToNode().getCoord()
        )
        lane_length = np.mean([lane.getLength() for lane in car_lanes])
        assert row["length"] == pytest.approx(lane_length + inside_junctions)
        assert row["free_speed"] == pytest.approx(edge.getSpeed())
        assert (
            row["capacity"]
            == row["lanes"]
            * defaults_for(edge.getType().removeprefix("highway.")).capacity_per_lane
        )
    lane_total = sum(e.getLength() for e in car_edges.values())
    assert links["length"].sum() > lane_total  # 15.7 km with junction crossings, 14.0 km of lanes


def test_road_classes_come_from_edge_types(source) -> None:
    counts = source.links["road_class"].value_counts().to_dict()
    assert counts == {
        "residential": 118,
        "tertiary": 26,
        "primary": 18,
        "secondary": 8,
        "unclassified": 4,
    }


def test_node_coordinates_match_sumolib_lonlat(source, reference: sumolib.net.Net) -> None:
    to_lonlat = Transformer.from_crs(source.crs, "EPSG:4326", always_xy=True)
    ours = np.column_stack(to_lonlat.transform(source.nodes.geometry.x, source.nodes.geometry.y))
    theirs = np.array(
        [reference.convertXY2LonLat(*reference.getNode(i).getCoord()) for i in source.nodes["id"]]
    )
    assert _distances(ours, theirs).max() < 1.0


def test_link_geometry_matches_sumolib_shapes(source, reference: sumolib.net.Net) -> None:
    to_lonlat = Transformer.from_crs(source.crs, "EPSG:4326", always_xy=True)
    for link_id, line in zip(source.links["id"], source.links.geometry):
        shape = reference.getEdge(link_id).getShape()
        ours = np.column_stack(to_lonlat.transform(*np.asarray(line.coords).T))
        theirs = np.array([reference.convertXY2LonLat(x, y) for x, y in shape])
        assert ours.shape == theirs.shape
        assert _distances(ours, theirs).max() < 1.0


def test_nodes_are_the_ends_of_links_with_their_control(source, reference: sumolib.net.Net) -> None:
    ends = set(source.links["from_node"]) | set(source.links["to_node"])
    assert set(source.nodes["id"]) == ends
    for node_id, control in zip(source.nodes["id"], source.nodes["control"]):
        kind = reference.getNode(node_id).getType()
        expected = (
            "signal"
            if kind.startswith("traffic_light")
            else ("none" if kind in ("dead_end", "unregulated") else "priority")
        )
        assert control == expected
    assert (source.nodes["control"] == "signal").sum() == 1


def test_signal_phases_match_sumolib_programs(source, reference: sumolib.net.Net) -> None:
    (light,) = reference.getTrafficLights()
    signals = source.signals
    assert set(signals["node_id"]) == {light.getID()}
    assert set(signals["node_id"]) <= set(source.nodes["id"])
    programs = light.getPrograms()
    assert set(signals["program_id"]) == set(programs) == {"0", "1", "2", "3"}
    for program_id, program in programs.items():
        rows = signals[signals["program_id"] == program_id].sort_values("phase")
        assert list(rows["phase"]) == list(range(len(program.getPhases())))
        assert list(rows["duration"]) == [p.duration for p in program.getPhases()]
        assert list(rows["state"]) == [p.state for p in program.getPhases()]


def test_gzipped_net_reads_the_same(net_path: Path, source, tmp_path: Path) -> None:
    packed = tmp_path / "bs.net.xml.gz"
    packed.write_bytes(gzip.compress(net_path.read_bytes()))
    again = read_sumo_net(packed)
    assert again.links.drop(columns="geometry").equals(source.links.drop(columns="geometry"))
    assert again.links.geometry.geom_equals(source.links.geometry).all()


def test_a_large_net_is_streamed(net_path: Path, tmp_path: Path) -> None:
    """A net of many copies of the edges is read with far less memory than the file's size."""
    text = net_path.read_text()
    head, rest = text.split("    <edge ", 1)
    cut = rest.index("    <tlLogic")
    edges = "    <edge " + rest[:cut]
    copies = [re.sub(r'<edge id="([^"]+)"', rf'<edge id="\1_c{k}"', edges) for k in range(12)]
    big = tmp_path / "big.net.xml"
    big.write_text(head + "".join(copies) + rest[cut:])
    size = big.stat().st_size
    assert size > 5e6
    tracemalloc.start()
    try:
        result = read_sumo_net(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.links) == 12 * 174
    assert peak < size


def _variant(net_path: Path, tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = net_path.read_text()
    assert old in text
    out = tmp_path / "variant.net.xml"
    out.write_text(text.replace(old, new, count))
    return out


def test_malformed_xml_names_the_line(net_path: Path, tmp_path: Path) -> None:
    bad = _variant(net_path, tmp_path, '<edge id="-108892340#0"', '<edge id="-108892340#0" <<')
    line = (
        bad.read_text()
        .splitlines()
        .index(next(s for s in bad.read_text().splitlines() if "<<" in s))
        + 1
    )
    with pytest.raises(InputError, match=rf"line {line}, column \d+: malformed XML") as caught:
        read_sumo_net(bad)
    assert caught.value.path == str(bad)


def test_missing_location_is_an_error(net_path: Path, tmp_path: Path) -> None:
    text = net_path.read_text()
    location = re.search(r"\s*<location [^>]*/>", text).group(0)
    bad = _variant(net_path, tmp_path, location, "")
    with pytest.raises(InputError, match=r"location: missing <location>"):
        read_sumo_net(bad)


def test_edge_to_unknown_junction_is_an_error(net_path: Path, tmp_path: Path) -> None:
    bad = _variant(
        net_path, tmp_path, 'from="564631546" to="53251264"', 'from="564631546" to="nowhere"'
    )
    with pytest.raises(
        InputError, match=r"edge -108892340#0\.to: junction 'nowhere' is not in the net"
    ):
        read_sumo_net(bad)


def test_a_route_file_is_not_a_net(net_path: Path) -> None:
    routes = net_path.with_name("bs3d.rou.xml")
    with pytest.raises(
        InputError, match=r"root element: expected <net> of a SUMO network, found <routes>"
    ):
        read_sumo_net(routes)


def test_a_net_without_projection_needs_a_crs(net_path: Path, tmp_path: Path) -> None:
    text = net_path.read_text()
    proj = re.search(r'projParameter="[^"]*"', text).group(0)
    bad = _variant(net_path, tmp_path, proj, 'projParameter="!"')
    with pytest.raises(InputError, match=r"location\.projParameter"):
        read_sumo_net(bad)
    given = read_sumo_net(bad, ImportOptions(crs=CRS.from_epsg(32632)))
    assert given.crs == CRS.from_epsg(32632)
    assert len(given.links) == 174


def test_unsafe_xml_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.net.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE net [<!ENTITY a "aaaa">]>\n<net>&a;</net>\n')
    with pytest.raises(InputError, match="unsafe XML"):
        read_sumo_net(bomb)
