"""Signal plans for the kernel: SUMO programmes of the real Braunschweig net checked against
sumolib's reading of the same file, and generated two-phase plans on small junctions."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sumolib

from simulation.mobility import SignalPlan
from twin.importers.assemble import import_files
from twin.mobility import routable_network, signal_plan
from twin.mobility.signals import PASSING_STATES, _window
from twin.model import LINK_COLUMNS, NODE_COLUMNS, Network


@pytest.fixture(scope="module")
def net_path(shared_data: Path) -> Path:
    return shared_data / "sumo-braunschweig" / "bs.net.xml"


@pytest.fixture(scope="module")
def twin(net_path: Path):
    return import_files([net_path], "braunschweig")


@pytest.fixture(scope="module")
def reference(net_path: Path) -> sumolib.net.Net:
    return sumolib.net.readNet(str(net_path), withPrograms=True)


def _green_seconds(phases, link_indices: set[int]) -> tuple[float, float]:
    """(green time, cycle) of a link whose connections have these indices, from sumolib phases."""
    green = sum(p.duration for p in phases if any(p.state[i] in PASSING_STATES for i in link_indices))
    return float(green), float(sum(p.duration for p in phases))


@pytest.mark.parametrize("program", ["0", "1", "2", "3"])
def test_sumo_programmes_match_sumolib(twin, reference, program: str) -> None:
    net = routable_network(twin, program=program)
    assert net.signal_summary.programme_nodes == 1
    links = net.network.links
    car = set(links["id"])
    (tls,) = reference.getTrafficLights()
    phases = tls.getPrograms()[program].getPhases()
    by_edge: dict[str, set[int]] = {}
    for in_lane, out_lane, index in tls.getConnections():
        if out_lane.getEdge().getID() in car:
            by_edge.setdefault(in_lane.getEdge().getID(), set()).add(index)
    cyc, _, gs, ge = net.signals.link_arrays(net.graph)
    checked = 0
    for edge, indices in by_edge.items():
        if edge not in car:
            continue
        a = int(np.nonzero(links["id"].to_numpy() == edge)[0][0])
        green, cycle = _green_seconds(phases, indices)
        assert cyc[a] == cycle
        span = (ge[a] - gs[a]) % cycle if ge[a] != gs[a] else 0.0
        assert span == pytest.approx(green), edge
        checked += 1
    assert checked == 4  # the four approaches of the junction


def test_the_game_programme_leaves_two_approaches_red(twin) -> None:
    """Braunschweig's programmes (from a SUMO game) each give one long green to one approach pair."""
    net = routable_network(twin, program="0")
    assert net.signal_summary.never_green_links == 2
    assert "2 links are never green" in " ".join(net.notes)
    cyc, _, gs, ge = net.signals.link_arrays(net.graph)
    share = SignalPlan.green_share(cyc, gs, ge)
    assert sorted(np.round(share[cyc > 0], 4)) == [0.0, 0.0, 0.994, 0.994]


def test_window_merges_separate_greens() -> None:
    durations = np.array([10.0, 5.0, 20.0, 5.0])
    assert _window(durations, np.array([True, False, True, False])) == (15.0, 30.0, 2)
    assert _window(durations, np.array([True, False, False, True])) == (35.0, 15.0, 1)  # wraps
    assert _window(durations, np.array([False] * 4)) == (0.0, 0.0, 0)


def _network(points: dict[str, tuple[float, float]], pairs: list[tuple[str, str]],
             signals: set[str]) -> Network:
    """Two-way links between the named points; ``signals`` are the signalised nodes."""
    ids = list(points)
    nodes = gpd.GeoDataFrame(
        pd.DataFrame({"id": ids, "control": ["signal" if i in signals else "priority" for i in ids]}).astype(NODE_COLUMNS),
        geometry=shapely.points([points[i] for i in ids]))
    rows = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
    length = [float(np.hypot(*np.subtract(points[b], points[a]))) for a, b in rows]
    links = pd.DataFrame({
        "id": [f"{a}-{b}" for a, b in rows], "from_node": [a for a, _ in rows], "to_node": [b for _, b in rows],
        "length": length, "lanes": 1, "free_speed": 13.9, "capacity": 1800.0, "road_class": "primary", "name": None,
    }).astype(LINK_COLUMNS)
    geometry = shapely.linestrings([[points[a], points[b]] for a, b in rows])
    return Network(nodes=nodes, links=gpd.GeoDataFrame(links, geometry=geometry))


def _windows(network: Network) -> dict[str, tuple[float, float]]:
    plan, _ = signal_plan(network)
    return {lid: (s, e) for lid, s, e in zip(network.links["id"], plan.green_start, plan.green_end)
            if not np.isnan(s)}


def _rotate(points: dict[str, tuple[float, float]], degrees: float) -> dict[str, tuple[float, float]]:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return {k: (c * x - s * y, s * x + c * y) for k, (x, y) in points.items()}


@pytest.mark.parametrize("degrees", [0.0, 30.0, 75.0])
def test_generated_plan_splits_a_crossing_by_axis(degrees: float) -> None:
    points = _rotate({"c": (0, 0), "n": (0, 100), "e": (100, 0), "s": (0, -100), "w": (-100, 0)}, degrees)
    network = _network(points, [("c", "n"), ("c", "e"), ("c", "s"), ("c", "w")], {"c"})
    windows = _windows(network)
    assert set(windows) == {"n-c", "e-c", "s-c", "w-c"}  # approaches only, not the exits
    assert windows["n-c"] == windows["s-c"] and windows["e-c"] == windows["w-c"]
    assert sorted({windows["n-c"], windows["e-c"]}) == [(0.0, 42.0), (45.0, 87.0)]
    plan, summary = signal_plan(network)
    assert plan.cycle.tolist() == [90.0, 0, 0, 0, 0]
    assert (summary.generated_junctions, summary.generated_nodes) == (1, 1)


def test_generated_plan_joins_the_signal_nodes_of_one_junction() -> None:
    """OpenStreetMap style: a signal node on each arm, 15 m before the unsignalised centre."""
    arm = {"n": (0, 1), "e": (1, 0), "s": (0, -1), "w": (-1, 0)}
    points = {"c": (0.0, 0.0)}
    for k, (dx, dy) in arm.items():
        points[k] = (100.0 * dx, 100.0 * dy)
        points[f"t{k}"] = (15.0 * dx, 15.0 * dy)
    pairs = [(k, f"t{k}") for k in arm] + [(f"t{k}", "c") for k in arm]
    network = _network(points, pairs, {f"t{k}" for k in arm})
    windows = _windows(network)
    assert set(windows) == {"n-tn", "e-te", "s-ts", "w-tw"}  # inbound only, exits pass freely
    assert windows["n-tn"] == windows["s-ts"] != windows["e-te"] == windows["w-tw"]
    _, summary = signal_plan(network)
    assert (summary.generated_junctions, summary.generated_nodes, summary.unplanned_nodes) == (1, 4, 0)


def test_a_crossing_on_a_straight_road_gets_no_plan() -> None:
    network = _network({"a": (0, 0), "x": (100, 0), "b": (200, 0)}, [("a", "x"), ("x", "b")], {"x"})
    plan, summary = signal_plan(network)
    assert not np.any(plan.cycle) and np.isnan(plan.green_start).all()
    assert summary.unplanned_nodes == 1
    assert summary.lines() == ["1 signalised nodes with a single approach axis run without plan"]
