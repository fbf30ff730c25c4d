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

    node_x, node_y: node coordinates in the twin CRS, m.
    link_from, link_to: node index of each link's tail and head.
    length: m; free_speed: m/s; capacity: veh/h over all lanes; lanes: count.
    out_start, out_links: CSR of outgoing links per node.
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
        return int(self.node_x.shape[0])

    @property
    def n_links(self) -> int:
        return int(self.link_from.shape[0])


def csr_out_links(n_nodes: int, link_from: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR index (start offsets of length n_nodes + 1, link ids) of the links leaving each node."""
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
    """Assemble a RoadGraph with its CSR index from per-node and per-link arrays."""
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
