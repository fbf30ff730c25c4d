"""Demand modifiers: what a scenario does to the car trips, which the twin itself does not hold.

The runner builds the base demand (a ``twin.mobility.DEMAND_COLUMNS`` table: departure s after
local midnight, origin and destination node ids), then calls ``DemandModifiers.apply`` with the
routable network's nodes, and builds the vehicle fleet with ``ev_share``. Steps run in the
scenario's order, so a scale after an addition scales the added trips too.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError
from twin.mobility.demand import demand_frame


@dataclass(frozen=True)
class DemandScale:
    """Keep each matching trip floor(factor) times, plus once more with probability frac(factor).

    A trip matches when it departs in ``window`` (s after local midnight, [start, end)), starts
    inside ``origin`` and ends inside ``destination`` (polygons in the twin CRS); None matches all.

    Attributes
    ----------
    factor : float
        Multiplier of the matching trips [-] (0 removes them).
    window : tuple of float or None, default None
        Departure window (start, end) [s after local midnight], start included; None for all
        day.
    origin, destination : shapely.Geometry or None, default None
        Polygons in the twin CRS [m] the trip must start / end in; None for anywhere.
    """

    factor: float
    window: tuple[float, float] | None = None
    origin: shapely.Geometry | None = None
    destination: shapely.Geometry | None = None


@dataclass(frozen=True)
class DemandAddition:
    """``trips`` new trips departing uniformly in ``window`` (s after local midnight), between
    nodes drawn at random among those inside ``origin`` and ``destination`` (twin CRS).

    Attributes
    ----------
    trips : int
        Number of trips to add [trips].
    window : tuple of float
        Departure window (start, end) [s after local midnight]; departures are uniform in it.
    origin, destination : shapely.Geometry
        Polygons in the twin CRS [m] whose network nodes the trips start / end at.
    """

    trips: int
    window: tuple[float, float]
    origin: shapely.Geometry
    destination: shapely.Geometry


@dataclass(frozen=True)
class DemandModifiers:
    """The demand steps of a scenario in order, and the battery-electric share of car
    vehicle-km (None: the fleet's default).

    Attributes
    ----------
    steps : tuple of DemandScale or DemandAddition, default ()
        The demand steps, in the scenario's order.
    ev_share : float or None, default None
        Battery-electric share of car vehicle-km [-] (0..1); None for the fleet's default.
    """

    steps: tuple[DemandScale | DemandAddition, ...] = ()
    ev_share: float | None = None

    def then(self, other: DemandModifiers) -> DemandModifiers:
        """These steps followed by ``other``'s; ``other``'s ev_share replaces this one if set.

        Parameters
        ----------
        other : DemandModifiers
            The modifiers that follow.

        Returns
        -------
        DemandModifiers
            Both in order.
        """
        ev_share = other.ev_share if other.ev_share is not None else self.ev_share
        return DemandModifiers(self.steps + other.steps, ev_share)

    def apply(self, demand: pd.DataFrame, nodes: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
        """The modified demand table (sorted by departure); ``nodes``: id and Point geometry of
        the network the trips run on, in the twin CRS. The same inputs and seed give the same
        trips.

        Parameters
        ----------
        demand : pandas.DataFrame
            Car trips with ``departure`` [s after local midnight], ``origin`` and
            ``destination`` node ids.
        nodes : geopandas.GeoDataFrame
            ``id`` and Point geometry [m, twin CRS] of the network the trips run on.
        seed : int
            Seed of the random draws.

        Returns
        -------
        pandas.DataFrame
            The modified trips in the same columns, sorted by departure.
        """
        rng = np.random.default_rng(seed)
        ids = nodes["id"].to_numpy(dtype=object)
        x, y = nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()
        index = pd.Index(ids)
        departure = demand["departure"].to_numpy(dtype=np.float64)
        origin = demand["origin"].to_numpy(dtype=object)
        destination = demand["destination"].to_numpy(dtype=object)
        for step in self.steps:
            if isinstance(step, DemandScale):
                match = np.ones(departure.size, dtype=bool)
                if step.window is not None:
                    match &= (departure >= step.window[0]) & (departure < step.window[1])
                for area, ends in ((step.origin, origin), (step.destination, destination)):
                    if area is not None:
                        match &= _inside(area, index.get_indexer(ends), x, y)
                whole = np.floor(step.factor)
                copies = np.ones(departure.size, dtype=np.int64)
                copies[match] = (
                    whole + (rng.random(int(match.sum())) < step.factor - whole)
                ).astype(np.int64)
                keep = np.repeat(np.arange(departure.size), copies)
                departure, origin, destination = departure[keep], origin[keep], destination[keep]
            else:
                pool_o = ids[shapely.contains_xy(step.origin, x, y)]
                pool_d = ids[shapely.contains_xy(step.destination, x, y)]
                for name, pool in (("origin", pool_o), ("destination", pool_d)):
                    if pool.size == 0:
                        raise InputError(
                            None, f"add_demand.{name}", "contains no node of the road network"
                        )
                if pool_o.size == 1 and pool_d.size == 1 and pool_o[0] == pool_d[0]:
                    raise InputError(
                        None, "add_demand", "origin and destination hold the same single node"
                    )
                o = pool_o[rng.integers(0, pool_o.size, step.trips)]
                d = pool_d[rng.integers(0, pool_d.size, step.trips)]
                while (same := o == d).any():  # draw again where a trip would start where it ends
                    o[same] = pool_o[rng.integers(0, pool_o.size, int(same.sum()))]
                    d[same] = pool_d[rng.integers(0, pool_d.size, int(same.sum()))]
                start, end = step.window
                departure = np.concatenate(
                    [departure, start + rng.random(step.trips) * (end - start)]
                )
                origin = np.concatenate([origin, o])
                destination = np.concatenate([destination, d])
        return demand_frame(departure, origin, destination)


def _inside(
    area: shapely.Geometry, positions: np.ndarray, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Whether each node (position in the node table, -1 = unknown) lies inside ``area``."""
    out = np.zeros(positions.size, dtype=bool)
    known = positions >= 0
    out[known] = shapely.contains_xy(area, x[positions[known]], y[positions[known]])
    return out
