"""Car trips generated from the twin's buildings with a doubly constrained gravity model.

Every building fronts the street (link) of the routable network nearest to its footprint's
representative point: its trips start at that link's upstream junction and end at its downstream
junction, so they spread over the junctions of every street that has buildings, rather than the
few nodes nearest to the homes. Trip productions of a junction are proportional to the floor area
of its ``PRODUCTION_USES`` buildings (homes), attractions to that of its ``ATTRACTION_USES``
buildings (workplaces, shops, schools). Buildings of unknown use (OSM's ``building=yes``, most
of a city centre's blocks: homes above shops and offices) count on both sides; the twin cannot
tell the two apart. Floor area = footprint area x floors (floors unknown: height / 3 m,
at least one). Trips between nodes i and j follow::

    T_ij = a_i P_i b_j A_j exp(-beta t_ij),   sum_j T_ij = P_i,   sum_i T_ij = A_j

with t_ij the free-flow travel time (s) on the fastest path, the attractions scaled to the
production total, balanced by Furness iterations, and no trips within a node. ``n_trips`` whole trips are drawn from T (independent draws proportional to T, seeded) and given
departure times from a daily profile (``twin.mobility.profile``). The matrix is dense over
production x attraction nodes: fit for twins of up to a few thousand such nodes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError
from twin.mobility.demand import demand_frame
from twin.mobility.network import RoutableNetwork
from twin.mobility.paths import free_flow_matrix
from twin.mobility.profile import WEEKDAY_PROFILE, departure_times
from twin.model import STOREY_HEIGHT

PRODUCTION_USES: tuple[str, ...] = ("residential", "unknown")
ATTRACTION_USES: tuple[str, ...] = ("office", "retail", "education", "unknown")
DEFAULT_BETA = 1.0 / 600.0
"""1/s, travel-time deterrence (0.1 per minute)."""


def floor_area(buildings: gpd.GeoDataFrame) -> np.ndarray:
    """Gross floor area of each building, m²: footprint area x floors (or height / 3 m)."""
    floors = buildings["floors"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    guess = np.maximum(1.0, np.round(buildings["height"].to_numpy(dtype=np.float64) / STOREY_HEIGHT))
    floors = np.where(np.isfinite(floors) & (floors > 0), floors, guess)
    area = buildings["footprint_area"].to_numpy(dtype=np.float64) * floors
    return np.where(np.isfinite(area), area, 0.0)


def fronting_links(net: RoutableNetwork, buildings: gpd.GeoDataFrame) -> np.ndarray:
    """Per building, the position in ``net`` of the link it fronts (the nearest open link to
    its representative point; -1 where the network has no open link) [-]."""
    links = net.network.links
    usable = np.flatnonzero(links["capacity"].to_numpy(dtype=np.float64) > 0)
    out = np.full(len(buildings), -1, np.int64)
    if len(buildings) == 0 or usable.size == 0:
        return out
    tree = shapely.STRtree(links.geometry.to_numpy()[usable])
    which, nearest = tree.query_nearest(buildings.geometry.representative_point().to_numpy(),
                                        all_matches=False)
    out[which] = usable[nearest]
    return out


def node_floor_areas(net: RoutableNetwork, buildings: gpd.GeoDataFrame,
                     uses: tuple[str, ...], end: str = "from",
                     fronting: np.ndarray | None = None) -> np.ndarray:
    """Floor area (m²) of the buildings of ``uses`` at each node of ``net``: at the ``end``
    (``"from"``: upstream, where trips start; ``"to"``: downstream, where they end) of the
    link each building fronts (``fronting_links``, computed if not given)."""
    front = fronting_links(net, buildings) if fronting is None else fronting
    chosen = buildings["use"].isin(uses).to_numpy() & (front >= 0)
    nodes = (net.graph.link_from if end == "from" else net.graph.link_to)[front[chosen]]
    out = np.zeros(net.graph.n_nodes)
    np.add.at(out, nodes, floor_area(buildings[chosen]))
    return out


def gravity_matrix(production: np.ndarray, attraction: np.ndarray, time: np.ndarray, beta: float,
                   tolerance: float = 1e-6, max_iterations: int = 500) -> np.ndarray:
    """Doubly constrained trip matrix (rows: production zones, columns: attraction zones) from
    the zone totals and a travel-time matrix (s; inf where no trip may go, e.g. within a zone),
    balanced by Furness iterations. Zones that reach no zone of the other kind get no trips;
    attractions are scaled to the production total of the zones that do. beta: deterrence
    [1/s], > 0.

    The matrix is built in place in one array the size of ``time`` (exp(-beta t) is 0 where t is
    inf), and each iteration reads it twice (row and column sums), the convergence test reusing
    the next row sums."""
    if not beta > 0:
        raise ValueError(f"gravity_matrix: beta must be > 0 (1/s), got {beta}")
    trips = np.multiply(time, -beta, dtype=np.float64)
    np.exp(trips, out=trips)
    producing, attracting = production > 0, attraction > 0
    rows = producing & (trips @ attracting.astype(np.float64) > 0)  # reaches an attraction
    cols = attracting & (producing.astype(np.float64) @ trips > 0)  # reached from a production
    if not (rows.any() and cols.any()):
        trips[:] = 0.0
        return trips
    p = np.where(rows, production, 0.0)
    q = np.where(cols, attraction, 0.0)
    q *= p.sum() / q.sum()
    b = cols.astype(np.float64)
    a = np.zeros(p.size)
    row_sums = trips @ (b * q)
    for iteration in range(max_iterations):
        if iteration > 0 and np.allclose(row_sums[rows] * a[rows], 1.0, rtol=tolerance, atol=0.0):
            break
        a[rows] = 1.0 / row_sums[rows]
        column_sums = (a * p) @ trips
        b[cols] = 1.0 / column_sums[cols]
        row_sums = trips @ (b * q)
    trips *= (a * p)[:, None]
    trips *= (b * q)[None, :]
    return trips


def draw_pairs(trips: np.ndarray, n_trips: int, rng: np.random.Generator) -> np.ndarray:
    """``n_trips`` cells of ``trips`` (flat indices) drawn independently with probability
    proportional to their values, in random order (a multinomial draw, shuffled)."""
    cumulative = np.cumsum(trips, axis=None)
    needles = np.sort(rng.random(n_trips)) * cumulative[-1]  # sorted: searched in one sweep
    pair = np.minimum(np.searchsorted(cumulative, needles, side="right"), cumulative.size - 1)
    rng.shuffle(pair)
    return pair


def gravity_demand(net: RoutableNetwork, buildings: gpd.GeoDataFrame, n_trips: int, start: float,
                   end: float, seed: int, beta: float = DEFAULT_BETA,
                   profile: tuple[float, ...] = WEEKDAY_PROFILE,
                   production_uses: tuple[str, ...] = PRODUCTION_USES,
                   attraction_uses: tuple[str, ...] = ATTRACTION_USES) -> pd.DataFrame:
    """``n_trips`` car trips departing in [start, end) s of the day (a ``DEMAND_COLUMNS`` frame).

    beta: 1/s, deterrence per second of free-flow travel time. The same inputs and seed give the
    same trips.

    Parameters
    ----------
    net : RoutableNetwork
        The routable network: buildings front its nearest open link, travel times are its
        free-flow fastest paths.
    buildings : geopandas.GeoDataFrame
        The twin's buildings with ``use``, ``footprint_area`` [m²], ``floors`` [-] (may be
        missing) and ``height`` [m] (floors = height / 3 m, at least 1, where ``floors`` is
        missing), footprints in the network's CRS [m].
    n_trips : int
        Whole trips to draw [trips], >= 0.
    start : float
        Start of the departure window [s after midnight of the simulated day].
    end : float
        End of the departure window (excluded) [s after midnight], after ``start``; may pass
        midnight (86,400 s), the profile repeats every 24 h.
    seed : int
        Seed of the draws (OD pairs, departure times).
    beta : float, default ``DEFAULT_BETA`` (1/600)
        Deterrence of the gravity model per second of free-flow travel time [1/s].
    profile : tuple of float, default ``WEEKDAY_PROFILE``
        Share of a day's trips departing in each hour 0..23 [%] (24 values >= 0; only their
        ratios matter).
    production_uses : tuple of str, default ``PRODUCTION_USES``
        Building uses whose floor area produces trips (homes).
    attraction_uses : tuple of str, default ``ATTRACTION_USES``
        Building uses whose floor area attracts trips (workplaces, shops, schools).

    Returns
    -------
    pandas.DataFrame
        A ``DEMAND_COLUMNS`` table of ``n_trips`` rows sorted by departure: ``departure``
        [s after midnight], ``origin`` and ``destination`` node ids of the network.

    Raises
    ------
    ValueError
        When ``n_trips`` < 0, the window is not 0 <= start < end, the profile is not 24 shares
        >= 0, or it has no trips in the window.
    InputError
        At ``buildings.use`` when no building of the production or the attraction uses has
        floor area, or homes and destinations lie at the same nodes only.
    """
    if n_trips < 0:
        raise ValueError(f"gravity_demand: n_trips must be >= 0, got {n_trips}")
    front = fronting_links(net, buildings)
    production = node_floor_areas(net, buildings, production_uses, "from", front)
    attraction = node_floor_areas(net, buildings, attraction_uses, "to", front)
    for total, uses in ((production, production_uses), (attraction, attraction_uses)):
        if total.sum() <= 0:
            raise InputError(None, "buildings.use",
                             f"the buildings have no floor area of use {', '.join(uses)} to generate trips from")
    origins, destinations = np.nonzero(production)[0], np.nonzero(attraction)[0]
    time = free_flow_matrix(net.graph, origins, destinations)
    time[origins[:, None] == destinations[None, :]] = np.inf
    trips = gravity_matrix(production[origins], attraction[destinations], time, beta)
    if trips.sum() <= 0:
        raise InputError(None, "buildings.use",
                         "homes and destinations lie at the same nodes only: no trips between nodes")
    rng = np.random.default_rng(seed)
    pair = draw_pairs(trips, n_trips, rng)
    ids = net.node_ids
    return demand_frame(departure=departure_times(n_trips, start, end, rng, profile),
                        origin=ids[origins[pair // destinations.size]],
                        destination=ids[destinations[pair % destinations.size]])
