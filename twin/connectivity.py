"""Connectivity of a directed road graph: strongly connected components (SCCs).

A trip can only be routed between nodes of the same SCC, so routing and demand generation keep to
the largest one (``largest_component_links``); ``connectivity_report`` says how much of the
network that keeps. Closed links (capacity 0) can be left out of the components with a mask
of the usable links, so a closure that cuts junctions off shows as a smaller component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from simulation.graph import RoadGraph
from twin.model import Network


@dataclass(frozen=True)
class ConnectivityReport:
    """Size of the largest SCC: node and link counts and their shares of the whole graph."""

    n_components: int
    largest_nodes: int
    largest_links: int
    node_share: float
    link_share: float


def strongly_connected_components(graph: RoadGraph,
                                  usable: np.ndarray | None = None) -> np.ndarray:
    """SCC label (0..n_components-1) of every node.

    Parameters
    ----------
    graph : RoadGraph
        The directed road graph.
    usable : ndarray of bool, optional
        Per link, whether vehicles may drive it (e.g. capacity > 0); all links by default.

    Returns
    -------
    ndarray of int
        The component label of every node [-].
    """
    n = graph.n_nodes
    keep = np.ones(graph.n_links, dtype=bool) if usable is None else np.asarray(usable, bool)
    adjacency = csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int8), (graph.link_from[keep], graph.link_to[keep])),
        shape=(n, n))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    return labels


def largest_component_nodes(graph: RoadGraph,
                            labels: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the nodes in the largest SCC (the lowest label among equal sizes);
    ``labels`` from ``strongly_connected_components`` if already at hand."""
    if graph.n_nodes == 0:
        return np.zeros(0, dtype=bool)
    if labels is None:
        labels = strongly_connected_components(graph)
    return labels == np.argmax(np.bincount(labels))


def largest_component_links(graph: RoadGraph,
                            labels: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the links with both ends in the largest SCC."""
    inside = largest_component_nodes(graph, labels)
    if graph.n_links == 0:
        return np.zeros(0, dtype=bool)
    return inside[graph.link_from] & inside[graph.link_to]


def connectivity_report(graph: RoadGraph) -> ConnectivityReport:
    """Number of SCCs and the size and shares of the largest one (0 for an empty graph)."""
    if graph.n_nodes == 0:
        return ConnectivityReport(0, 0, 0, 0.0, 0.0)
    labels = strongly_connected_components(graph)
    nodes = int(largest_component_nodes(graph, labels).sum())
    links = int(largest_component_links(graph, labels).sum())
    return ConnectivityReport(
        n_components=int(labels.max()) + 1,
        largest_nodes=nodes,
        largest_links=links,
        node_share=nodes / graph.n_nodes,
        link_share=links / graph.n_links if graph.n_links else 0.0,
    )



def reachable_junctions(network: Network) -> np.ndarray:
    """Mask of the junctions in the largest strongly connected component over open links.

    Parameters
    ----------
    network : Network
        A road network; links of capacity 0 [veh/h] are closed.

    Returns
    -------
    ndarray of bool
        Per junction (row of ``network.nodes``), whether it is in that component [-].
    """
    graph = network.graph
    open_links = network.links["capacity"].to_numpy(dtype=np.float64) > 0
    return largest_component_nodes(graph, strongly_connected_components(graph, open_links))
