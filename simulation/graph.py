"""Road graph as plain arrays: the form every mobility kernel takes.

Links are directed; ``out_start``/``out_links`` is the compressed sparse row (CSR) index of the
links leaving each node, so the links out of node ``i`` are
``out_links[out_start[i]:out_start[i + 1]]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RoadGraph:
    """Directed road graph in structure-of-arrays form (SI units).

    Attributes
    ----------
    node_x, node_y : ndarray
        Node coordinates in the twin CRS, float64, shape (n_nodes,) [m].
    link_from, link_to : ndarray
        Node index of each link's tail (upstream) and head (downstream) node, int32,
        shape (n_links,) [-].
    length : ndarray
        Link length, float64, shape (n_links,) [m].
    free_speed : ndarray
        Free-flow speed of each link, float64 [m/s].
    capacity : ndarray
        Link capacity over all lanes, float64 [veh/h].
    lanes : ndarray
        Number of lanes of each link, float64 [-].
    out_start : ndarray
        CSR start offsets of the links leaving each node, int64, shape (n_nodes + 1,) [-].
    out_links : ndarray
        Link ids grouped by tail node, int32, shape (n_links,) [-]: the links out of node
        ``i`` are ``out_links[out_start[i]:out_start[i + 1]]``.
    """

    node_x: np.ndarray
    node_y: np.ndarray
    link_from: np.ndarray
    link_to: np.ndarray
    length: np.ndarray
    free_speed: np.ndarray
    capacity: np.ndarray
    lanes: np.ndarray
    out_start: np.ndarray
    out_links: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes [-]."""
        return int(self.node_x.shape[0])

    @property
    def n_links(self) -> int:
        """Number of directed links [-]."""
        return int(self.link_from.shape[0])


def csr_out_links(n_nodes: int, link_from: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR index (start offsets of length n_nodes + 1, link ids) of the links leaving each node.

    Parameters
    ----------
    n_nodes : int
        Number of nodes [-].
    link_from : ndarray
        Node index each link leaves, shape (n_links,) [-]. Pass ``link_to`` instead to get the
        links entering each node.

    Returns
    -------
    out_start : ndarray
        Start offsets per node, int64, shape (n_nodes + 1,) [-].
    out_links : ndarray
        Link ids ordered by node (stable within a node), int32, shape (n_links,) [-].
    """
    link_from = np.asarray(link_from, dtype=np.int64)
    order = np.argsort(link_from, kind="stable").astype(np.int32)
    counts = np.bincount(link_from, minlength=n_nodes)
    out_start = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=out_start[1:])
    return out_start, order


def build_road_graph(
    node_x: np.ndarray,
    node_y: np.ndarray,
    link_from: np.ndarray,
    link_to: np.ndarray,
    length: np.ndarray,
    free_speed: np.ndarray,
    capacity: np.ndarray,
    lanes: np.ndarray,
) -> RoadGraph:
    """Assemble a RoadGraph with its CSR index from per-node and per-link arrays.

    Parameters
    ----------
    node_x, node_y : ndarray
        Node coordinates in the twin CRS, shape (n_nodes,) [m].
    link_from, link_to : ndarray
        Tail and head node index of each link, shape (n_links,) [-].
    length : ndarray
        Link length [m].
    free_speed : ndarray
        Free-flow speed [m/s].
    capacity : ndarray
        Link capacity over all lanes [veh/h].
    lanes : ndarray
        Number of lanes [-].

    Returns
    -------
    RoadGraph
        The graph with contiguous float64 / int32 arrays and its outgoing-link CSR.

    Raises
    ------
    ValueError
        If a link refers to a node index outside ``0..n_nodes-1``.
    """
    n_nodes = int(np.asarray(node_x).shape[0])
    link_from = np.asarray(link_from, dtype=np.int32)
    link_to = np.asarray(link_to, dtype=np.int32)
    if link_from.size and (link_from.min() < 0 or link_from.max() >= n_nodes):
        raise ValueError("link_from holds a node index outside 0..n_nodes-1")
    if link_to.size and (link_to.min() < 0 or link_to.max() >= n_nodes):
        raise ValueError("link_to holds a node index outside 0..n_nodes-1")
    out_start, out_links = csr_out_links(n_nodes, link_from)
    return RoadGraph(
        node_x=np.ascontiguousarray(node_x, dtype=np.float64),
        node_y=np.ascontiguousarray(node_y, dtype=np.float64),
        link_from=link_from,
        link_to=link_to,
        length=np.ascontiguousarray(length, dtype=np.float64),
        free_speed=np.ascontiguousarray(free_speed, dtype=np.float64),
        capacity=np.ascontiguousarray(capacity, dtype=np.float64),
        lanes=np.ascontiguousarray(lanes, dtype=np.float64),
        out_start=out_start,
        out_links=out_links,
    )
