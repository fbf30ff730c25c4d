"""The OSM road network, step by step on small hand-made OSM files: way joints merged, junction
clusters joined, approach signals given to their junction, odd tag values read safely."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

from simulation.mobility.fundamental import triangular
from twin.importers.assemble import import_files
from twin.importers.base import SourceData
from twin.importers.osm import read_osm
from twin.mobility import routable_network
from twin.mobility.network import speed_limited_capacity
from twin.mobility.signals import signal_plan

GEOD = Geod(ellps="WGS84")
DLON = 0.0001
"""degree of longitude: 5.57 m at 60° N."""
DLAT = 0.0001
"""degree of latitude: 11.1 m."""

Nodes = dict[int, tuple[float, float, dict[str, str]]]
Ways = dict[int, tuple[list[int], dict[str, str]]]


Relations = dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]]


def write_osm(folder: Path, nodes: Nodes, ways: Ways, relations: Relations | None = None) -> Path:
    """An OSM XML file of ``nodes`` (id: (lat, lon, tags)), ``ways`` (id: (refs, tags)) and
    ``relations`` (id: (members (type, ref, role), tags))."""
    def tags(mapping: dict[str, str]) -> str:
        return "".join(f'<tag k="{k}" v="{v}"/>' for k, v in mapping.items())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tags(t)}</node>'
              for i, (lat, lon, t) in sorted(nodes.items())]
    lines += [f'<way id="{i}" version="1">' + "".join(f'<nd ref="{n}"/>' for n in refs)
              + f"{tags(t)}</way>" for i, (refs, t) in sorted(ways.items())]
    lines += [f'<relation id="{i}" version="1">'
              + "".join(f'<member type="{k}" ref="{r}" role="{role}"/>' for k, r, role in members)
              + f"{tags(t)}</relation>" for i, (members, t) in sorted((relations or {}).items())]
    path = folder / "city.osm"
    path.write_text("\n".join([*lines, "</osm>"]))
    return path


def read(tmp_path: Path, nodes: Nodes, ways: Ways) -> SourceData:
    return read_osm(write_osm(tmp_path, nodes, ways))


def geodesic_length(points: list[tuple[float, float]]) -> float:
    """m along (lon, lat) points."""
    lon, lat = np.array(points).T
    return float(np.sum(GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]))


STREET = {"highway": "residential", "name": "Testikatu"}
BENT = {1: (60.0, 25.0, {}), 2: (60.0, 25.0 + 4 * DLON, {}), 3: (60.0 + DLAT, 25.0 + 8 * DLON, {}),
        4: (60.0 + DLAT, 25.0 + 12 * DLON, {}), 5: (60.0 + 2 * DLAT, 25.0 + 16 * DLON, {})}
"""A bent street of five nodes, about 100 m."""


@pytest.mark.parametrize("second", [[3, 4, 5], [5, 4, 3]], ids=["same direction", "drawn backwards"])
def test_a_way_joint_is_merged_keeping_geometry_and_length(tmp_path: Path, second: list[int]) -> None:
    data = read(tmp_path, BENT, {10: ([1, 2, 3], STREET), 11: (second, STREET)})
    links = data.links.set_index("id")
    assert sorted(links.index) == ["10:0:b", "10:0:f"]
    forward = links.loc["10:0:f"]
    assert (forward["from_node"], forward["to_node"]) == ("1", "5")
    expected = [(lon, lat) for lat, lon, _ in BENT.values()]
    np.testing.assert_allclose(np.array(forward.geometry.coords), expected)
    assert forward["length"] == pytest.approx(geodesic_length(expected), rel=1e-9)
    assert links.loc["10:0:b"].geometry.equals(shapely.reverse(forward.geometry))
    assert sorted(data.nodes["id"]) == ["1", "5"]
    assert "way joints merged (one road continues): 1" in " ".join(data.warnings)


def test_a_joint_where_the_lanes_change_stays(tmp_path: Path) -> None:
    data = read(tmp_path, BENT, {10: ([1, 2, 3], STREET), 11: ([3, 4, 5], {**STREET, "lanes": "4"})})
    links = data.links.set_index("id")
    assert sorted(links.index) == ["10:0:b", "10:0:f", "11:0:b", "11:0:f"]
    assert (links.loc["11:0:f", "lanes"], links.loc["10:0:f", "lanes"]) == (2, 1)
    assert sorted(data.nodes["id"]) == ["1", "3", "5"]


def crossing(signal_distance: float | None = None) -> tuple[Nodes, Ways]:
    """A two-way street (ways 20, 21) crossing a dual carriageway (ways 30 southbound, 31
    northbound, 8 m apart) at nodes 1 and 2; arms 100 m long. With ``signal_distance``, a
    signal node that far before the crossing on every approach."""
    lat0, lon0 = 60.0, 25.0
    gap = 8.0 / 5.57 * DLON  # 8 m of longitude
    arm = 100.0 / 11.1 * DLAT
    arm_lon = 100.0 / 5.57 * DLON
    nodes: Nodes = {
        1: (lat0, lon0, {}), 2: (lat0, lon0 + gap, {}),
        3: (lat0 + arm, lon0, {}), 4: (lat0 - arm, lon0, {}),          # southbound carriageway
        5: (lat0 - arm, lon0 + gap, {}), 6: (lat0 + arm, lon0 + gap, {}),  # northbound
        7: (lat0, lon0 - arm_lon, {}), 8: (lat0, lon0 + gap + arm_lon, {}),  # the street
    }
    carriageway = {"highway": "primary", "oneway": "yes", "name": "Valtatie"}
    street = {"highway": "residential", "name": "Testikatu"}
    ways: Ways = {30: ([3, 1, 4], carriageway), 31: ([5, 2, 6], carriageway),
                  20: ([7, 1], street), 21: ([1, 2, 8], street)}
    if signal_distance is not None:
        signal = {"highway": "traffic_signals"}
        d_lat, d_lon = signal_distance / 11.1 * DLAT, signal_distance / 5.57 * DLON
        nodes |= {41: (lat0 + d_lat, lon0, signal), 42: (lat0 - d_lat, lon0 + gap, signal),
                  43: (lat0, lon0 - d_lon, signal), 44: (lat0, lon0 + gap + d_lon, signal)}
        ways = {30: ([3, 41, 1, 4], carriageway), 31: ([5, 42, 2, 6], carriageway),
                20: ([7, 43, 1], street), 21: ([1, 2, 44, 8], street)}
    return nodes, ways


def test_a_junction_cluster_is_joined(tmp_path: Path) -> None:
    data = read(tmp_path, *crossing())
    nodes = data.nodes.set_index("id")
    assert "cluster_1_2" in nodes.index and not {"1", "2"} & set(nodes.index)
    centre = nodes.loc["cluster_1_2"].geometry
    assert centre.x == pytest.approx(25.0 + 4.0 / 5.57 * DLON) and centre.y == pytest.approx(60.0)
    links = data.links
    assert not ((links["from_node"] == "cluster_1_2") & (links["to_node"] == "cluster_1_2")).any()
    entering = links[links["to_node"] == "cluster_1_2"]
    assert len(entering) == 4  # from the north, the south, the west and the east
    assert shapely.equals(shapely.get_point(entering.geometry.values, -1), centre).all()
    ends = shapely.get_point(entering.geometry.values, -2)
    moved = GEOD.inv(shapely.get_x(ends), shapely.get_y(ends), np.full(4, centre.x), np.full(4, centre.y))[2]
    np.testing.assert_allclose(moved, 4.0, atol=0.1)  # each arm reaches the centre, 4 m on
    assert nodes.loc["cluster_1_2", "control"] == "priority"


def test_signals_before_a_junction_make_one_junction_with_one_plan(tmp_path: Path) -> None:
    nodes, ways = crossing(signal_distance=15.0)
    nodes[50] = (60.0, 25.0 - 60.0 / 5.57 * DLON, {"crossing": "traffic_signals"})  # a crossing
    ways[20] = ([7, 50, 43, 1], ways[20][1])
    data = read(tmp_path, nodes, ways)
    assert set(data.nodes["id"]) == {"cluster_1_2", "3", "4", "5", "6", "7", "8"}  # signals merged
    assert data.nodes.set_index("id").loc["cluster_1_2", "control"] == "signal"
    warnings = " ".join(data.warnings)
    assert "traffic signal nodes on drivable roads: 5" in warnings
    assert "not modelled: 1" in warnings  # the pedestrian crossing 60 m out
    network = import_files([write_osm(tmp_path, nodes, ways)], "crossing").network
    plan, summary = signal_plan(network)
    assert (summary.generated_junctions, summary.generated_nodes, summary.unplanned_nodes) == (1, 1, 0)
    entering = network.links["to_node"].to_numpy() == "cluster_1_2"
    assert summary.controlled_links == entering.sum() == 4
    assert np.isfinite(plan.green_start[entering]).all()
    assert np.isnan(plan.green_start[~entering]).all()
    north_south = network.links["road_class"].to_numpy()[entering] == "primary"
    phases = plan.green_start[entering]
    assert len(set(phases[north_south])) == len(set(phases[~north_south])) == 1  # two phases,
    assert phases[north_south][0] != phases[~north_south][0]  # one per axis


def test_signals_on_some_approaches_only_signalise_nothing(tmp_path: Path) -> None:
    nodes, ways = crossing(signal_distance=15.0)
    ways[20] = ([7, 1], ways[20][1])  # the western arm has no signal
    del nodes[43]
    data = read(tmp_path, nodes, ways)
    assert set(data.nodes["control"]) == {"priority", "none"}
    assert "not modelled: 3" in " ".join(data.warnings)


def test_a_slow_street_and_absurd_lanes_import_with_a_warning(tmp_path: Path) -> None:
    nodes = {i: (60.0, 25.0 + i * 4 * DLON, {}) for i in range(1, 5)}
    ways = {10: ([1, 2], {"highway": "living_street", "maxspeed": "5"}),
            11: ([2, 3], {"highway": "residential", "lanes": "5e14"}),
            12: ([3, 4], {"highway": "residential", "lanes": "50", "maxspeed": "fast"})}
    data = read(tmp_path, nodes, ways)
    assert "unreadable tag values read as absent: lanes 2, maxspeed 1" in data.warnings
    assert (data.links["lanes"] == 1).all()
    twin = import_files([write_osm(tmp_path, nodes, ways)], "slow")
    net = routable_network(twin)
    graph = net.graph
    slow = net.network.links["free_speed"].to_numpy() == pytest.approx(5.0 / 3.6)
    assert graph.capacity[slow] == pytest.approx(speed_limited_capacity(graph.free_speed[slow], graph.lanes[slow]))
    assert graph.capacity[slow] == pytest.approx(600.0)  # 0.15 veh/m at 5 km/h, w = 20 km/h
    assert any("capacity lowered to what their free speed allows" in note for note in net.notes)
    model = triangular(graph, 0.15, 1.0)  # the kernel's diagram accepts every link
    assert (model.wave_speed <= 20.0 / 3.6 + 1e-9).all()
