"""The Helsinki sample through the whole chain: import -> routable network -> gravity demand ->
kernel run -> trips, link results, positions and KPIs back in the twin's terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from simulation.mobility import Settings
from twin.connectivity import banned_turn_links, connectivity_report, largest_turn_component
from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.mobility import gravity_demand, routable_network, run_mobility
from twin.mobility.gravity import ATTRACTION_USES, PRODUCTION_USES, node_floor_areas
from twin.quantities import LINK_SERIES, LINK_TOTALS, MOBILITY_KPIS, POSITIONS, TRIPS, names, units

KPI_UNITS, LINK_UNITS = units(MOBILITY_KPIS), units(LINK_SERIES)

START, END = 7 * 3600.0, 9 * 3600.0
N_TRIPS = 800


@pytest.fixture(scope="module")
def twin():
    return import_files(sample_files("helsinki"), "helsinki")


@pytest.fixture(scope="module")
def net(twin):
    return routable_network(twin)


@pytest.fixture(scope="module")
def demand(twin, net):
    return gravity_demand(net, twin.buildings, N_TRIPS, START, END, seed=1)


@pytest.fixture(scope="module")
def run(twin, net, demand):
    settings = Settings(dt=1.0, end_time=6 * 3600.0, bin_width=300.0, reroute_interval=300.0,
                        sample_interval=30.0, seed=1)
    return run_mobility(twin, demand, settings, network=net)


def test_routing_keeps_the_largest_component_and_says_what_it_dropped(twin, net) -> None:
    # the component of the turns routing may take (no U-turns but at dead ends, no banned
    # turns) lies within the component of the links, and keeps nearly all of it
    report = connectivity_report(twin.network.graph)
    turns = largest_turn_component(twin.network.graph, banned_turn_links(twin.network))
    assert len(net.network.links) == turns.sum() >= 0.95 * report.largest_links
    assert net.dropped_links == len(twin.network.links) - turns.sum() > 0
    assert net.dropped_nodes == len(twin.network.nodes) - len(net.network.nodes) > 0
    assert f"dropped {net.dropped_links} links and {net.dropped_nodes} nodes" in net.notes[0]


def test_signalised_junctions_get_generated_plans(net) -> None:
    summary = net.signal_summary
    assert summary.programme_nodes == 0  # OpenStreetMap has no programmes
    assert summary.generated_junctions > 10
    cyc, _, gs, ge = net.signals.link_arrays(net.graph)
    controlled = cyc > 0
    assert set(np.unique(cyc[controlled])) == {90.0}
    assert set(np.unique(np.round(ge[controlled] - gs[controlled], 6))) == {42.0}


def test_gravity_demand_is_seeded_and_follows_the_buildings(twin, net, demand) -> None:
    assert len(demand) == N_TRIPS
    assert demand.equals(gravity_demand(net, twin.buildings, N_TRIPS, START, END, seed=1))
    assert not demand.equals(gravity_demand(net, twin.buildings, N_TRIPS, START, END, seed=2))
    assert demand["departure"].between(START, END, inclusive="left").all()
    homes = node_floor_areas(net, twin.buildings, PRODUCTION_USES) > 0
    work = node_floor_areas(net, twin.buildings, ATTRACTION_USES, end="to") > 0
    assert homes[net.node_positions(demand["origin"].to_numpy())].all()
    assert work[net.node_positions(demand["destination"].to_numpy())].all()
    assert (demand["origin"] != demand["destination"]).all()


def test_every_trip_arrives_or_is_stuck(run) -> None:
    kpis = run.kpis["value"]
    assert kpis["trips"] == N_TRIPS
    assert kpis["not_departed"] == kpis["unroutable"] == kpis["outside_network"] == kpis["same_node"] == 0
    assert kpis["arrived"] + kpis["waiting"] + kpis["on_link"] + kpis["released"] == N_TRIPS
    assert kpis["unfinished"] == kpis["waiting"] + kpis["on_link"] + kpis["released"]
    released = run.trips["jam_releases"] > 0
    assert kpis["jam_releases"] == run.trips["jam_releases"].sum()
    assert kpis["arrived_after_release"] == (released & (run.trips["status"] == "arrived")).sum()
    assert kpis["released"] == (released & (run.trips["status"] == "released")).sum()
    assert kpis["arrived"] > 0.9 * N_TRIPS
    arrived = run.trips[run.trips["status"] == "arrived"]
    assert np.isfinite(arrived[["arrival", "travel_time", "free_flow_time", "delay"]].to_numpy()).all()
    assert (arrived["arrival"] >= arrived["departure"]).all()
    assert (arrived["delay"] >= -1.0).all()  # never faster than free flow (within one step)


def test_kpis_have_units_and_agree_with_the_tables(run) -> None:
    kpis = run.kpis
    assert list(kpis.index) == list(KPI_UNITS) and (kpis["unit"] == list(KPI_UNITS.values())).all()
    value = kpis["value"]
    assert value["vehicle_km"] == pytest.approx(run.trips["distance"].sum() / 1000.0, rel=1e-9)
    arrived = run.trips[run.trips["status"] == "arrived"]
    assert value["mean_travel_time"] == pytest.approx(arrived["travel_time"].mean())
    assert value["median_travel_time"] == pytest.approx(arrived["travel_time"].median())
    assert value["p95_travel_time"] >= value["median_travel_time"]
    assert value["total_delay"] == pytest.approx(arrived["delay"].sum() / 3600.0)
    assert value["mean_speed"] == pytest.approx(value["vehicle_km"] / value["vehicle_hours"])
    assert 0 < value["co2"] and 0 < value["nox"]
    frame = run.link_frame()
    assert frame.crs == run.crs and len(frame) == len(run.link_ids)
    assert frame["co2"].sum() == pytest.approx(value["co2"])
    assert frame["vehicle_km"].sum() == pytest.approx(value["vehicle_km"])


def test_tables_have_the_columns_the_quantities_table_describes(run) -> None:
    assert list(run.trips.columns) == list(names(TRIPS))
    assert list(run.positions.columns) == list(names(POSITIONS))
    assert list(run.link_frame().columns) == [*names(LINK_TOTALS), "geometry"]
    assert list(run.links) == list(names(LINK_SERIES))


def test_link_results_are_arrays_keyed_by_link_id(run) -> None:
    assert set(run.links) == set(LINK_UNITS)
    n_bins = run.bin_start.size
    for values in run.links.values():
        assert values.shape == (n_bins, run.link_ids.size)
    busiest = run.link_ids[np.argmax(run.links["vehicle_km"].sum(axis=0))]
    series = run.link_series(busiest)
    assert series["vehicle_km"].sum() == pytest.approx(run.links["vehicle_km"].sum(axis=0).max())
    assert series.index[0] == run.start >= START - run.bin_width


def test_positions_lie_on_the_link_geometries(run) -> None:
    pos = run.positions
    assert len(pos) > 1000
    lines = run.network.network.links.set_index("id").geometry
    geoms = lines.loc[pos["link_id"]].to_numpy()
    points = shapely.points(pos["x"].to_numpy(), pos["y"].to_numpy())
    assert shapely.distance(points, geoms).max() < 1e-6
    along = shapely.line_locate_point(geoms, points, normalized=True)
    assert np.abs(along - pos["fraction"].to_numpy()).max() < 1e-6
    # on curved links the points leave the straight line between the link's ends
    ends = shapely.linestrings(np.stack([shapely.get_coordinates(shapely.get_point(geoms, 0)),
                                         shapely.get_coordinates(shapely.get_point(geoms, -1))], axis=1))
    assert shapely.distance(points, ends).max() > 1.0
    assert pos["time"].min() >= run.start and set(pos["trip"]) <= set(run.trips.index)


def test_an_equilibrium_run_reports_its_days_and_gap(twin, net, demand) -> None:
    settings = Settings(dt=1.0, end_time=6 * 3600.0, bin_width=300.0, seed=1)
    eq = run_mobility(twin, demand, settings, network=net, equilibrium_iterations=4)
    note = [n for n in eq.notes if n.startswith("route choice equilibrium")]
    assert len(note) == 1 and "4 days" in note[0]
    day1 = run_mobility(twin, demand, settings, network=net)
    assert (eq.trips["status"] == "arrived").sum() == (day1.trips["status"] == "arrived").sum()
    # the reported day is the fourth: its routes differ from the free-flow routes of day one
    assert not np.array_equal(eq.trips["distance"].to_numpy(), day1.trips["distance"].to_numpy(),
                              equal_nan=True)


def test_given_routes_are_driven_and_unknown_ones_are_routed(twin, net) -> None:
    from simulation.mobility.routing import path_links, shortest_path_tree

    graph = net.graph
    # a detour: out along some link, then the fastest way from its end to a far node
    first = 5
    _, pred = shortest_path_tree(graph, graph.length / graph.free_speed, int(graph.link_to[first]))
    target = int(np.argmax(np.where(pred >= 0, np.arange(graph.n_nodes), -1)))
    rest = path_links(pred, graph.link_from, int(graph.link_to[first]), target)
    route = [first, *rest.tolist()]
    ids = net.link_ids
    demand = pd.DataFrame({
        "departure": [START, START + 10.0],
        "origin": [net.node_ids[graph.link_from[first]]] * 2,
        "destination": [net.node_ids[target]] * 2,
        "route": [tuple(ids[route]), ("no-such-link",)],
    })
    run = run_mobility(twin, demand, Settings(end_time=3600.0, bin_width=300.0), network=net)
    assert list(run.trips["status"]) == ["arrived", "arrived"]
    assert run.trips["distance"].iloc[0] == pytest.approx(graph.length[route].sum())
    assert run.trips["distance"].iloc[1] <= run.trips["distance"].iloc[0] + 1e-6


def _through_service_trips(positions, access: np.ndarray, inside: np.ndarray,
                           origin: np.ndarray) -> int:
    """Vehicles whose links (in the order driven) use an access-only link other than in a
    leading run from an origin inside a yard or a trailing run to the destination."""
    order = np.lexsort((positions.time, positions.vehicle))
    vehicle, link = positions.vehicle[order], positions.link[order]
    bad = 0
    for v in np.unique(vehicle):
        kinds = access[link[vehicle == v]]
        i = 0
        if inside[origin[v]]:
            while i < kinds.size and kinds[i]:
                i += 1
        while i < kinds.size and not kinds[i]:
            i += 1
        bad += not kinds[i:].all()
    return bad


def test_service_roads_start_and_end_trips_but_carry_none_through(net, demand) -> None:
    from simulation.mobility import Demand, simulate
    from simulation.mobility.access import access_flags

    access = net.access_only
    assert access is not None
    classes = net.network.links["road_class"].to_numpy()
    assert (classes[access] == "service").mean() > 0.9
    assert (access[classes == "service"]).all()
    assert any("used only to start or end a trip" in note for note in net.notes)
    flags = access_flags(net.graph, access)
    assert flags is not None
    inside = flags[net.graph.n_links:] == 1
    origin = net.node_positions(demand["origin"].to_numpy())
    destination = net.node_positions(demand["destination"].to_numpy())
    trips = Demand(demand["departure"].to_numpy() - START, origin, destination)
    settings = Settings(dt=1.0, end_time=END - START + 3600.0, sample_interval=1.0,
                        reroute_interval=300.0, seed=1)
    ruled = simulate(net.graph, trips, settings, net.signals, net.turns, access_only=access)
    free = simulate(net.graph, trips, settings, net.signals, net.turns)
    assert (ruled.trips.status == 3).mean() > 0.98
    assert _through_service_trips(ruled.positions, access, inside, origin) == 0
    assert _through_service_trips(free.positions, access, inside, origin) > 10
