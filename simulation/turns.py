"""Which turns of a road graph routing may take.

A turn is a movement from a link into a link leaving the node it enters. Routing takes every
turn except

* U-turns (into the link that runs straight back) where the node offers another way on (over an
  open link: capacity > 0): at a dead end, or where every other way on is closed, a vehicle
  still turns back, as a driver would (SUMO's routing does the same at dead ends);
* banned turns (e.g. OpenStreetMap turn restrictions).
"""

from __future__ import annotations

import numpy as np

from simulation.graph import RoadGraph


def allowed_turns(graph: RoadGraph, banned_from: np.ndarray, banned_to: np.ndarray,
                  u_turns: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every turn routing may take, as (from link, to link) pairs.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    banned_from, banned_to : ndarray
        The banned turns (same length) [-].
    u_turns : bool
        Allow U-turns everywhere, not only where a node offers no other open way on.

    Returns
    -------
    turn_from, turn_to : ndarray
        The allowed turns, int32 [-].
    """
    head = graph.link_to.astype(np.int64)
    open_ = graph.capacity > 0
    degree = np.diff(graph.out_start)[head]
    turn_from = np.repeat(np.arange(graph.n_links, dtype=np.int64), degree)
    first = np.repeat(graph.out_start[head], degree)
    within = np.arange(turn_from.size) - np.repeat(np.cumsum(degree) - degree, degree)
    turn_to = graph.out_links[first + within].astype(np.int64)
    keep = np.ones(turn_from.size, dtype=bool)
    if not u_turns:
        back = graph.link_to[turn_to] == graph.link_from[turn_from]
        other_ways = np.bincount(turn_from[~back & open_[turn_to]], minlength=graph.n_links)
        keep &= ~back | (other_ways[turn_from] == 0)
    if len(banned_from):
        key = turn_from * graph.n_links + turn_to
        banned = (np.asarray(banned_from, np.int64) * graph.n_links
                  + np.asarray(banned_to, np.int64))
        keep &= ~np.isin(key, banned)
    return turn_from[keep].astype(np.int32), turn_to[keep].astype(np.int32)
