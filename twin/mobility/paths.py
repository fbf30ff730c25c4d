"""Free-flow travel times between nodes of a road graph (fastest paths, s)."""

from __future__ import annotations

import numpy as np

from simulation.graph import RoadGraph
from simulation.mobility import shortest_path_trees

BATCH_BYTES = 64 * 2**20
"""Memory for one batch of shortest-path trees (distances and predecessors), bytes."""


def free_flow_matrix(graph: RoadGraph, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Free-flow travel time (s, inf if unreachable) from each origin to each destination node,
    shape (n_origins, n_destinations)."""
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    cost = graph.length / graph.free_speed
    out = np.empty((origins.size, destinations.size))
    batch = max(1, BATCH_BYTES // (12 * max(graph.n_nodes, 1)))
    for lo in range(0, origins.size, batch):
        dist, _ = shortest_path_trees(graph, cost, origins[lo:lo + batch])
        out[lo:lo + batch] = dist[:, destinations]
    return out


def free_flow_times(graph: RoadGraph, origin: np.ndarray, destination: np.ndarray) -> np.ndarray:
    """Free-flow travel time (s, inf if unreachable) of each trip from ``origin[i]`` to
    ``destination[i]`` (node indices)."""
    origin = np.asarray(origin, dtype=np.int64)
    destination = np.asarray(destination, dtype=np.int64)
    sources, row = np.unique(origin, return_inverse=True)
    out = np.empty(origin.size)
    cost = graph.length / graph.free_speed
    batch = max(1, BATCH_BYTES // (12 * max(graph.n_nodes, 1)))
    for lo in range(0, sources.size, batch):
        dist, _ = shortest_path_trees(graph, cost, sources[lo:lo + batch])
        mine = (row >= lo) & (row < lo + batch)
        out[mine] = dist[row[mine] - lo, destination[mine]]
    return out
