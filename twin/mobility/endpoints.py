"""Where a trip enters and leaves the routable network.

A trip's origin and destination are junctions of the twin's network. The kernel routes within
the routable network (``twin.mobility.network``), so a trip whose junction cars cannot reach (on
a fragment outside the largest strongly connected component, or inside a stretch a scenario
closed) starts or ends at the nearest reachable junction instead, when one lies within
``REACH_RADIUS``: the driver walks the rest. Beyond it the trip is unroutable; a junction the
twin does not have at all is outside the network. Nothing is driven into a barrier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from twin.mobility.network import RoutableNetwork
from twin.model import Network

REACH_RADIUS = 400.0
"""m: how far a trip end may move to the nearest routable junction (about five minutes' walk)."""


@dataclass(frozen=True)
class Endpoints:
    """Kernel node of each trip end and what became of the ends outside the routable network.

    Attributes
    ----------
    node : ndarray of int
        Kernel node index of each end, -1 where it has none [-].
    moved : ndarray of bool
        Ends moved to the nearest routable junction [-].
    moved_distance : ndarray of float
        Straight-line distance of each move, NaN where not moved [m].
    unreachable : ndarray of bool
        Ends at a twin junction with no routable junction within ``REACH_RADIUS`` [-].
    unknown : ndarray of bool
        Ends naming a junction the twin does not have [-].
    """

    node: np.ndarray
    moved: np.ndarray
    moved_distance: np.ndarray
    unreachable: np.ndarray
    unknown: np.ndarray


def trip_endpoints(net: RoutableNetwork, network: Network, ids: np.ndarray,
                   radius: float = REACH_RADIUS) -> Endpoints:
    """The kernel node of every trip end ``ids`` (junction ids of ``network``).

    Parameters
    ----------
    net : RoutableNetwork
        The network the kernel runs on.
    network : Network
        The twin's whole road network (coordinates in m), of which ``net`` is a part.
    ids : ndarray of object
        Junction id of each trip end.
    radius : float, default REACH_RADIUS
        Farthest an end may move to a routable junction [m].

    Returns
    -------
    Endpoints
        The kernel nodes and the ends that were moved, unreachable or unknown.
    """
    node = net.node_positions(ids)
    routable = node >= 0
    routable[routable] = net.reachable[node[routable]]
    node[~routable] = -1
    known = network.node_index.get_indexer(np.asarray(ids, dtype=object)) >= 0
    moved_distance = np.full(node.shape, np.nan)
    moved = np.zeros(node.shape, dtype=bool)
    candidates = np.flatnonzero(~routable & known)
    targets = np.flatnonzero(net.reachable)
    if candidates.size and targets.size:
        where = network.node_index.get_indexer(np.asarray(ids, dtype=object)[candidates])
        xy = shapely.get_coordinates(network.nodes.geometry.to_numpy()[where])
        from scipy.spatial import cKDTree  # scipy only when a trip end is off the network

        tree = cKDTree(np.column_stack([net.graph.node_x[targets], net.graph.node_y[targets]]))
        distance, nearest = tree.query(xy, distance_upper_bound=radius)
        near = np.isfinite(distance)
        node[candidates[near]] = targets[nearest[near]]
        moved[candidates[near]] = True
        moved_distance[candidates[near]] = distance[near]
    return Endpoints(node=node, moved=moved, moved_distance=moved_distance,
                     unreachable=(node < 0) & known, unknown=~known)
