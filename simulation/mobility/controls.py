"""Changes to the network during a run and limits on turning movements.

:class:`CapacityEvents` set a link's capacity at a time (an incident, a closure with capacity 0,
a reopening). :class:`TurnCapacities` cap the flow of single turning movements (from link, to link)
at a node; turns not listed are limited only by the links' capacities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.graph import RoadGraph


@dataclass(frozen=True)
class CapacityEvents:
    """At ``time`` (s) link ``link`` gets capacity ``capacity`` (veh/h over all lanes; 0 = closed).

    The link's jam density and backward wave speed stay those of its original capacity.

    Attributes
    ----------
    time : ndarray
        Time of each event from the simulation start, finite, sorted on construction [s].
    link : ndarray
        Link of each event, int32 [-].
    capacity : ndarray
        New capacity of the link over all lanes, >= 0 [veh/h]; 0 closes it.

    Raises
    ------
    ValueError
        On construction, if the arrays are not 1-D of one length or a time or capacity is
        not finite (or a capacity is negative).
    """

    time: np.ndarray
    link: np.ndarray
    capacity: np.ndarray

    def __post_init__(self) -> None:
        t = np.ascontiguousarray(self.time, dtype=np.float64)
        ln = np.ascontiguousarray(self.link, dtype=np.int32)
        c = np.ascontiguousarray(self.capacity, dtype=np.float64)
        if not (t.shape == ln.shape == c.shape and t.ndim == 1):
            raise ValueError("CapacityEvents: time, link and capacity must be 1-D arrays of one length")
        if np.any(~np.isfinite(t)) or np.any(~np.isfinite(c)) or np.any(c < 0):
            raise ValueError("CapacityEvents: times must be finite and capacities finite and >= 0 veh/h")
        order = np.argsort(t, kind="stable")
        object.__setattr__(self, "time", t[order])
        object.__setattr__(self, "link", ln[order])
        object.__setattr__(self, "capacity", c[order])

    def check(self, graph: RoadGraph) -> None:
        """Raise ValueError if an event's link is not a link of ``graph``.

        Parameters
        ----------
        graph : RoadGraph
            The graph the events apply to.

        Returns
        -------
        None
        """
        if self.link.size and (self.link.min() < 0 or self.link.max() >= graph.n_links):
            raise ValueError(f"CapacityEvents.link: link index outside 0..{graph.n_links - 1}")


@dataclass(frozen=True)
class TurnCapacities:
    """Capacity (veh/h) of the turning movement from link ``from_link`` into link ``to_link``.

    The turn must connect (``to_link`` leaves the node ``from_link`` enters). A turn's green is its
    approach link's green. A turn of capacity 0 is banned: routing never takes it (vehicles
    given a route through it in the demand stop there). Other capacities do not change routes.

    Attributes
    ----------
    from_link : ndarray
        Approach link of each turn, int32 [-].
    to_link : ndarray
        Exit link of each turn, int32 [-].
    capacity : ndarray
        Capacity of each turn, finite and >= 0 [veh/h].

    Raises
    ------
    ValueError
        On construction, if the arrays differ in length or a capacity is negative or not
        finite.
    """

    from_link: np.ndarray
    to_link: np.ndarray
    capacity: np.ndarray

    def __post_init__(self) -> None:
        for name, dt in (("from_link", np.int32), ("to_link", np.int32), ("capacity", np.float64)):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=dt))
        if not (self.from_link.shape == self.to_link.shape == self.capacity.shape):
            raise ValueError("TurnCapacities: from_link, to_link and capacity must have one length")
        if np.any(self.capacity < 0) or not np.all(np.isfinite(self.capacity)):
            raise ValueError("TurnCapacities.capacity: expected finite values >= 0 veh/h")

    def csr(self, graph: RoadGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(turn_start per link + 1, turn_to, turn capacity veh/s), turns grouped by from link.

        Parameters
        ----------
        graph : RoadGraph
            The graph whose links the turns connect.

        Returns
        -------
        turn_start : ndarray
            CSR offsets of the turns of each approach link, int64, shape (n_links + 1,) [-].
        turn_to : ndarray
            Exit link of each turn, int32 [-].
        turn_capacity : ndarray
            Capacity of each turn [veh/s].

        Raises
        ------
        ValueError
            If a link index is outside the graph or a turn's links do not connect.
        """
        fl, tl = self.from_link, self.to_link
        if fl.size and (min(fl.min(), tl.min()) < 0 or max(fl.max(), tl.max()) >= graph.n_links):
            raise ValueError(f"TurnCapacities: link index outside 0..{graph.n_links - 1}")
        if np.any(graph.link_to[fl] != graph.link_from[tl]):
            raise ValueError("TurnCapacities: a turn's to_link does not leave the node its from_link enters")
        order = np.argsort(fl, kind="stable")
        start = np.zeros(graph.n_links + 1, dtype=np.int64)
        np.cumsum(np.bincount(fl, minlength=graph.n_links), out=start[1:])
        return start, tl[order].copy(), self.capacity[order] / 3600.0


def no_turns(n_links: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The empty turn CSR.

    Parameters
    ----------
    n_links : int
        Number of links [-].

    Returns
    -------
    turn_start : ndarray
        Zeros, int64, shape (n_links + 1,) [-].
    turn_to : ndarray
        Empty, int32 [-].
    turn_capacity : ndarray
        Empty, float64 [veh/s].
    """
    return (np.zeros(n_links + 1, dtype=np.int64), np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.float64))
