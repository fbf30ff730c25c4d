"""Access-only links: links a trip may use at its start or end, never to pass through.

Service roads (parking aisles, driveways, yards) connect buildings to the streets, but a driver
does not cut through them; SUMO's OSM import keeps them from cars altogether. Routing here keeps
them for the trips that start or end there, by this rule:

* a trip may end on a run of access-only links that leads to its destination on access-only
  links alone (a *suffix*: a through link turns into an access-only link only if the
  destination is reached from it without leaving access-only links);
* a trip starting at a node whose links out are all access-only leaves on access-only links
  (a *prefix*) until it reaches a through link; once on a through link it never turns into an
  access-only link again, except into a suffix.

On the destination trees (``simulation.mobility.routing``) the rule needs no state per
vehicle: an access-only link that reaches the destination on access-only links follows that
suffix path, any other one is only ever entered from a trip's start and leads out. So a trip
whose start and destination are joined by access-only links keeps to them, even where leaving
over the streets and coming back in would be faster (the route-choice equilibrium's forward
search, ``simulation.mobility.equilibrium``, may take that way). Whether every trip still has a
path is the caller's concern: ``twin.mobility.network`` counts as access-only also the through
links reachable only over access-only ones.
"""

from __future__ import annotations

import numpy as np

from simulation.graph import RoadGraph


def access_flags(graph: RoadGraph, access_only: np.ndarray | None) -> np.ndarray | None:
    """Per vertex of the edge-based graph (links, then nodes): 1 for an access-only link and for
    a node with links out that are all access-only, else 0; None without access-only links.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    access_only : ndarray, optional
        Whether each link is access-only, bool (n_links,) [-].

    Returns
    -------
    ndarray or None
        uint8 (n_links + n_nodes,) [-], or None when no link is access-only.

    Raises
    ------
    ValueError
        If ``access_only`` does not have one value per link.
    """
    if access_only is None:
        return None
    access_only = np.asarray(access_only, dtype=bool)
    if access_only.shape != (graph.n_links,):
        raise ValueError(f"access_only: expected one value per link ({graph.n_links}), "
                         f"got shape {access_only.shape}")
    if not access_only.any():
        return None
    flags = np.zeros(graph.n_links + graph.n_nodes, np.uint8)
    flags[:graph.n_links] = access_only
    ways_out = np.diff(graph.out_start)
    through_out = np.bincount(graph.link_from[~access_only], minlength=graph.n_nodes)
    flags[graph.n_links:] = (ways_out > 0) & (through_out == 0)
    return flags
