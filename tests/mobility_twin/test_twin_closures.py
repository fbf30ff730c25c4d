"""Closures leave routing: trips to a closed stretch start or end at the nearest reachable
junction, trips beyond reach are unroutable, and the intervention report says what was cut off.

The network: a straight road A-B-C-D (200 m blocks) with a bypass A-E-F-D 200 m north of it,
and a spur D-G 2.4 km long. Every road is two-way.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from simulation.mobility import Settings
from twin.mobility import routable_network, run_mobility
from twin.mobility.endpoints import REACH_RADIUS
from twin.model import BUILDING_COLUMNS, LINK_COLUMNS, NODE_COLUMNS, Network, Twin, empty_frame
from twin.scenarios import INTERVENTIONS, apply_interventions

POINTS = {"A": (0.0, 0.0), "B": (200.0, 0.0), "C": (400.0, 0.0), "D": (600.0, 0.0),
          "E": (0.0, 200.0), "F": (600.0, 200.0), "G": (3000.0, 0.0)}
ROADS = [("A", "B"), ("B", "C"), ("C", "D"), ("A", "E"), ("E", "F"), ("F", "D"), ("D", "G")]
CRS_M = CRS.from_epsg(3067)


def _twin() -> Twin:
    ids = list(POINTS)
    nodes = gpd.GeoDataFrame(
        pd.DataFrame({"id": ids, "control": "priority"}).astype(NODE_COLUMNS),
        geometry=shapely.points([POINTS[i] for i in ids]), crs=CRS_M)
    rows = ROADS + [(b, a) for a, b in ROADS]
    links = pd.DataFrame({
        "id": [f"{a}-{b}" for a, b in rows], "from_node": [a for a, _ in rows],
        "to_node": [b for _, b in rows],
        "length": [float(np.hypot(*np.subtract(POINTS[b], POINTS[a]))) for a, b in rows],
        "lanes": 1, "free_speed": 13.9, "capacity": 1800.0, "road_class": "primary", "name": None,
    }).astype(LINK_COLUMNS)
    geometry = shapely.linestrings([[POINTS[a], POINTS[b]] for a, b in rows])
    network = Network(nodes=nodes, links=gpd.GeoDataFrame(links, geometry=geometry, crs=CRS_M))
    return Twin(name="closures", crs=CRS_M, buildings=empty_frame(BUILDING_COLUMNS, CRS_M),
                network=network)


def _closed(twin: Twin, roads: list[tuple[str, str]]) -> tuple[Twin, tuple[str, ...]]:
    ids = [f"{a}-{b}" for a, b in roads] + [f"{b}-{a}" for a, b in roads]
    close = INTERVENTIONS["close_links"].from_table({"select": {"ids": ids}})
    applied = apply_interventions(twin, [close])
    return applied.twin, applied.reports[0].notes


@pytest.fixture(scope="module")
def closed() -> tuple[Twin, tuple[str, ...]]:
    return _closed(_twin(), [("A", "B"), ("B", "C"), ("C", "D"), ("D", "G")])


def test_the_report_counts_the_junctions_a_closure_cuts_off(closed) -> None:
    _, notes = closed
    assert notes[-1].startswith("reachability: 3 junctions and 0.00 km of open road")
    _, nothing_cut = _closed(_twin(), [("B", "C")])
    assert not any(note.startswith("reachability") for note in nothing_cut)


def test_closed_stretch_junctions_are_not_reachable_but_their_links_stay(closed) -> None:
    twin, _ = closed
    net = routable_network(twin)
    assert sorted(net.node_ids[net.reachable]) == ["A", "D", "E", "F"]
    assert len(net.link_ids) == 2 * len(ROADS)  # closed links keep their results
    assert any("3 junctions are reachable only over closed links" in n for n in net.notes)


def test_trips_into_a_closed_stretch_take_the_detour_and_none_waits_at_a_barrier(closed) -> None:
    twin, _ = closed
    demand = pd.DataFrame({"departure": [0.0, 10.0, 20.0, 30.0],
                           "origin": ["A", "A", "A", "A"],
                           "destination": ["C", "B", "G", "Z"]})
    run = run_mobility(twin, demand, Settings(end_time=1200.0, bin_width=60.0))
    status = run.trips["status"].astype(str).tolist()
    # C (200 m from D) and B (200 m from A) move to their nearest reachable junction; G lies
    # 2.4 km beyond D, out of reach; Z is not a junction of the twin.
    assert REACH_RADIUS < 2400.0
    assert status == ["arrived", "same_node", "unroutable", "outside_network"]
    detour = run.trips["distance"].iloc[0]
    assert detour == pytest.approx(200.0 + 600.0 + 200.0, rel=1e-6)  # A-E-F-D
    assert any(n.startswith("2 trips start or end where routing does not reach") and
               "median 200 m away" in n for n in run.notes)
    assert any(n.startswith("1 trips have no routable junction within 400 m") for n in run.notes)


def test_a_run_with_no_trip_left_to_simulate_reports_them_and_does_not_fail(closed) -> None:
    twin, _ = closed
    demand = pd.DataFrame({"departure": [7 * 3600.0], "origin": ["A"], "destination": ["G"]})
    run = run_mobility(twin, demand, Settings(end_time=600.0, bin_width=60.0), start=7 * 3600.0)
    assert run.trips["status"].astype(str).tolist() == ["unroutable"]
    assert run.start == 7 * 3600.0
