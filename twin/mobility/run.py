"""Run the mesoscopic traffic kernel on a twin and turn its arrays back into the twin's terms.

    net = routable_network(twin)
    demand = gravity_demand(net, twin.buildings, 5000, 7 * 3600, 9 * 3600, seed=1)
    run = run_mobility(twin, demand, Settings(end_time=3 * 3600), network=net)
    run.kpis; run.trips; run.positions; run.link_frame()
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import shapely

from simulation.mobility import Demand, Settings, simulate
from simulation.mobility.emissions import Fleet, link_emissions, vehicle_hours, vehicle_km
from simulation.mobility.equilibrium import equilibrate
from simulation.mobility.results import Positions, Result
from twin.mobility.demand import DEMAND_COLUMNS
from twin.mobility.kpis import kpi_table
from twin.mobility.network import RoutableNetwork, routable_network
from twin.mobility.paths import free_flow_times
from twin.mobility.results import TRIP_STATUSES, MobilityRun
from twin.model import Twin

ROUTE_COLUMN = "route"
"""Optional demand column: each trip's route as a sequence of link ids (e.g. from a SUMO
route file); trips without one take the fastest route at free flow."""
KERNEL_STATUSES = TRIP_STATUSES[:5]
"""Twin names of the kernel's status codes 0..4."""


def run_mobility(twin: Twin, demand: pd.DataFrame, settings: Settings | None = None,
                 network: RoutableNetwork | None = None, start: float | None = None,
                 fleet: Fleet | None = None, equilibrium_iterations: int = 0) -> MobilityRun:
    """Simulate ``demand`` (a ``DEMAND_COLUMNS`` table, optionally with a ``route`` column) on
    the twin's routable network.

    settings: kernel settings; times in it count from ``start``. network: the routable network
    if already built (``routable_network(twin)`` otherwise). start: s after midnight at
    simulation time 0, at most the first departure (default: the first departure rounded down
    to a whole bin). fleet: the vehicle mix for emissions (default ``Fleet()``).
    equilibrium_iterations: days of the day-to-day route choice equilibrium (MSA, routes fixed
    within a day) whose last day is reported; 0: one day with the settings' dynamic re-routing,
    from free-flow routes. Trips whose
    origin or destination is not in the routable network, or that start where they end, are
    reported, not simulated.
    """
    t0 = time.perf_counter()
    settings = settings or Settings()
    net = network or routable_network(twin)
    _check_demand(demand)
    departure = demand["departure"].to_numpy(dtype=np.float64)
    origin = net.node_positions(demand["origin"].to_numpy())
    destination = net.node_positions(demand["destination"].to_numpy())
    outside = (origin < 0) | (destination < 0)
    same = ~outside & (origin == destination)
    keep = ~outside & ~same
    start = _start(departure[keep], settings, start)
    kernel_demand = Demand(departure[keep] - start, origin[keep], destination[keep],
                           *_given_routes(demand, net, keep))
    notes = list(net.notes)
    if equilibrium_iterations > 0:
        eq = equilibrate(net.graph, kernel_demand, settings, net.signals,
                         iterations=equilibrium_iterations, seed=settings.seed)
        result = eq.result
        notes.append(f"route choice equilibrium (MSA): {eq.iterations} days, relative gap "
                     f"{eq.relative_gap[0]:.3f} on day 1, {eq.relative_gap[-1]:.3f} on the last")
    else:
        result = simulate(net.graph, kernel_demand, settings, net.signals)
    links = _link_arrays(result, net, fleet or Fleet())
    trips = _trip_table(demand, result, net, keep, outside, start, origin, destination)
    for count, what in ((outside.sum(), "trips start or end outside the routable network: not simulated"),
                        (same.sum(), "trips start where they end: not simulated")):
        if count:
            notes.append(f"{count} {what}")
    timings = {**result.timings, "total": time.perf_counter() - t0}
    return MobilityRun(
        network=net, crs=twin.crs, start=start, bin_start=result.links.bin_start + start,
        bin_width=result.links.bin_width, links=links, trips=trips,
        positions=_positions(result.positions, net, demand.index.to_numpy()[keep], start),
        kpis=kpi_table(trips, links, net), notes=tuple(notes), timings=timings)


def _given_routes(demand: pd.DataFrame, net: RoutableNetwork,
                  keep: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The CSR of the routes in the demand's optional ``route`` column (a sequence of link ids
    per trip; empty, missing or leaving the routable network: routed by the kernel), or
    (None, None) without the column."""
    if ROUTE_COLUMN not in demand.columns:
        return None, None
    position = {link: i for i, link in enumerate(net.link_ids)}
    routes = []
    for given in demand[ROUTE_COLUMN].to_numpy()[keep]:
        links = [position.get(link, -1) for link in (given if isinstance(given, (list, tuple)) else ())]
        routes.append(links if links and min(links) >= 0 else [])
    start = np.zeros(len(routes) + 1, np.int64)
    start[1:] = np.cumsum([len(r) for r in routes])
    flat = [link for r in routes for link in r]
    return start, np.asarray(flat, dtype=np.int32)


def _check_demand(demand: pd.DataFrame) -> None:
    missing = [c for c in DEMAND_COLUMNS if c not in demand.columns]
    if missing:
        raise ValueError(f"run_mobility: demand lacks column(s) {', '.join(missing)}")
    dep = demand["departure"].to_numpy(dtype=np.float64)
    if dep.size and not (np.all(np.isfinite(dep)) and dep.min() >= 0):
        raise ValueError("run_mobility: demand.departure must be finite and >= 0 s after midnight")


def _start(departure: np.ndarray, settings: Settings, start: float | None) -> float:
    first = float(departure.min()) if departure.size else 0.0
    if start is None:
        return float(np.floor(first / settings.bin_width) * settings.bin_width)
    if start > first:
        raise ValueError(f"run_mobility: start ({start} s) is after the first departure ({first} s)")
    return float(start)


def _link_arrays(result: Result, net: RoutableNetwork, fleet: Fleet) -> dict[str, np.ndarray]:
    lr = result.links
    length = net.graph.length
    co2, nox = link_emissions(lr, net.graph, fleet)
    return {"inflow": lr.inflow, "outflow": lr.outflow, "density": lr.density, "speed": lr.speed,
            "queue": lr.queue, "vehicle_km": vehicle_km(lr, length),
            "vehicle_hours": vehicle_hours(lr, length), "co2": co2, "nox": nox}


def _trip_table(demand: pd.DataFrame, result: Result, net: RoutableNetwork, keep: np.ndarray,
                outside: np.ndarray, start: float, origin: np.ndarray,
                destination: np.ndarray) -> pd.DataFrame:
    n = len(demand)
    status = np.full(n, "same_node", dtype=object)
    status[outside] = "outside_network"
    status[keep] = np.asarray(KERNEL_STATUSES, dtype=object)[result.trips.status]
    releases = np.zeros(n, np.int64)
    releases[keep] = result.trips.releases
    status[(status == "on_link") & (releases > 0)] = "released"
    arrival = np.full(n, np.nan)
    arrival[keep] = result.trips.arrival + start
    travel = np.full(n, np.nan)
    travel[keep] = result.trips.travel_time
    free = np.full(n, np.nan)
    free[keep] = free_flow_times(net.graph, origin[keep], destination[keep])
    distance = np.full(n, np.nan)
    distance[keep] = result.trips.distance
    return pd.DataFrame({
        "origin": demand["origin"].to_numpy(), "destination": demand["destination"].to_numpy(),
        "departure": demand["departure"].to_numpy(dtype=np.float64), "arrival": arrival,
        "travel_time": travel, "free_flow_time": free, "delay": travel - free,
        "distance": distance, "jam_releases": releases,
        "status": pd.Categorical(status, categories=TRIP_STATUSES),
    }, index=demand.index)


def _positions(pos: Positions, net: RoutableNetwork, trip_labels: np.ndarray,
               start: float) -> pd.DataFrame:
    """Sampled positions with x, y on each link's geometry at the sampled share of its length."""
    geoms = net.network.links.geometry.to_numpy()
    fraction = pos.fraction.astype(np.float64)
    points = shapely.line_interpolate_point(geoms[pos.link], fraction, normalized=True)
    xy = shapely.get_coordinates(points)
    return pd.DataFrame({
        "time": pos.time.astype(np.float64) + start, "trip": trip_labels[pos.vehicle],
        "link_id": net.link_ids[pos.link], "fraction": fraction, "x": xy[:, 0], "y": xy[:, 1],
    })
