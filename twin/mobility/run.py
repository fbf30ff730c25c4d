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
from twin.mobility.endpoints import REACH_RADIUS, Endpoints, trip_endpoints
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

    A trip end outside the routable network moves to the nearest
    routable junction (``twin.mobility.endpoints``); trips with an end beyond reach or at an
    unknown junction, or that start where they end, are reported, not simulated.

    Parameters
    ----------
    twin : Twin
        The twin: its routable network (unless ``network`` is given) and its CRS.
    demand : pandas.DataFrame
        Trips with the ``DEMAND_COLUMNS``: ``departure`` [s after local midnight of the
        simulated day], finite and >= 0, ``origin`` and ``destination`` node ids; optionally
        a ``route`` column (``ROUTE_COLUMN``): each trip's route as a list or tuple of link
        ids (empty, missing or leaving the routable network: routed by the kernel).
    settings : Settings, optional
        Kernel settings (time step, horizon ``end_time``, bin width, re-routing, samples
        [s]); its times count from ``start``. None: ``Settings()``.
    network : RoutableNetwork, optional
        The routable network if already built; None: ``routable_network(twin)``.
    start : float, optional
        Clock time at simulation time 0 [s after local midnight], at most the first
        simulated departure; None: the first departure rounded down to a whole bin.
    fleet : Fleet, optional
        Vehicle mix for the emission factors; None: ``Fleet()``.
    equilibrium_iterations : int, default 0
        Days of the day-to-day route choice equilibrium (MSA, routes fixed within a day)
        whose last day is reported [-]; 0: one day with the settings' dynamic re-routing,
        from free-flow routes.

    Returns
    -------
    MobilityRun
        Link series per bin [veh/h, veh/km, km/h, veh, veh km, veh h, kg], trips and
        positions [s after local midnight, m], KPIs, notes and timings [s].

    Raises
    ------
    ValueError
        When ``demand`` lacks a ``DEMAND_COLUMNS`` column, a departure is not finite or below
        0 s, or ``start`` is after the first simulated departure.
    InputError
        When ``network`` is None and the twin has no road links.
    """
    t0 = time.perf_counter()
    settings = settings or Settings()
    net = network or routable_network(twin)
    _check_demand(demand)
    departure = demand["departure"].to_numpy(dtype=np.float64)
    origins = trip_endpoints(net, twin.network, demand["origin"].to_numpy())
    destinations = trip_endpoints(net, twin.network, demand["destination"].to_numpy())
    origin, destination = origins.node, destinations.node
    outside = origins.unknown | destinations.unknown
    unroutable = ~outside & (origins.unreachable | destinations.unreachable)
    same = ~outside & ~unroutable & (origin == destination)
    keep = ~outside & ~unroutable & ~same
    start = _start(departure[keep], settings, start)
    kernel_demand = Demand(departure[keep] - start, origin[keep], destination[keep],
                           *_given_routes(demand, net, keep))
    notes = list(net.notes)
    if equilibrium_iterations > 0:
        eq = equilibrate(net.graph, kernel_demand, settings, net.signals, net.turns,
                         iterations=equilibrium_iterations, seed=settings.seed,
                         access_only=net.access_only)
        result = eq.result
        notes.append(f"route choice equilibrium (MSA): {eq.iterations} days, relative gap "
                     f"{eq.relative_gap[0]:.3f} on day 1, {eq.relative_gap[-1]:.3f} on the last")
    else:
        result = simulate(net.graph, kernel_demand, settings, net.signals, net.turns,
                          access_only=net.access_only)
    links = _link_arrays(result, net, fleet or Fleet())
    trips = _trip_table(demand, result, net, keep, outside, unroutable, start, origin,
                        destination)
    notes += _endpoint_notes(origins, destinations, outside, unroutable, same)
    notes.append(f"{int(keep.sum())} trips simulated from {np.unique(origin[keep]).size} origin "
                 f"and to {np.unique(destination[keep]).size} destination junctions")
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
    if departure.size and start > first:
        raise ValueError(f"run_mobility: start ({start} s) is after the first departure ({first} s)")
    return float(start)


def _link_arrays(result: Result, net: RoutableNetwork, fleet: Fleet) -> dict[str, np.ndarray]:
    lr = result.links
    length = net.graph.length
    co2, nox = link_emissions(lr, net.graph, fleet)
    return {"inflow": lr.inflow, "outflow": lr.outflow, "density": lr.density, "speed": lr.speed,
            "queue": lr.queue, "vehicle_km": vehicle_km(lr, length),
            "vehicle_hours": vehicle_hours(lr, length), "co2": co2, "nox": nox}


def _endpoint_notes(origins: Endpoints, destinations: Endpoints, outside: np.ndarray,
                    unroutable: np.ndarray, same: np.ndarray) -> list[str]:
    """Readable lines on the trips whose ends were moved or that were not simulated."""
    moved = origins.moved | destinations.moved
    distances = np.concatenate([origins.moved_distance[origins.moved],
                                destinations.moved_distance[destinations.moved]])
    lines = []
    if moved.any():
        lines.append(f"{int(moved.sum())} trips start or end where routing does not reach (a "
                     f"closed stretch or a cut-off fragment): moved to the nearest routable "
                     f"junction, median {float(np.median(distances)):.0f} m away")
    for count, what in (
            (outside.sum(), "trips start or end at a junction the twin does not have: not "
                            "simulated"),
            (unroutable.sum(), f"trips have no routable junction within {REACH_RADIUS:.0f} m of "
                               f"an end: unroutable, not simulated"),
            (same.sum(), "trips start where they end: not simulated")):
        if count:
            lines.append(f"{count} {what}")
    return lines


def _trip_table(demand: pd.DataFrame, result: Result, net: RoutableNetwork, keep: np.ndarray,
                outside: np.ndarray, unroutable: np.ndarray, start: float, origin: np.ndarray,
                destination: np.ndarray) -> pd.DataFrame:
    n = len(demand)
    status = np.full(n, "same_node", dtype=object)
    status[outside] = "outside_network"
    status[unroutable] = "unroutable"
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
