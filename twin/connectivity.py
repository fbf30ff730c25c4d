"""Connectivity of a directed road graph: strongly connected components (SCCs).

A trip can only be routed between nodes of the same SCC, so routing and demand generation keep to
the largest one (``largest_component_links``); ``connectivity_report`` says how much of the
network that keeps. Closed links (capacity 0) can be left out of the components with a mask
of the usable links, so a closure that cuts junctions off shows as a smaller component.

Routing takes turns, not just links (no U-turns but at dead ends, no banned turns:
``simulation.mobility.turn_graph``), so what a car can drive between is the largest SCC of the
turn graph, whose vertices are links (``largest_turn_component``); a junction is reachable when
a link of it in both directions lies in that component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.components import strong_components
from simulation.graph import RoadGraph
from simulation.turns import allowed_turns
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
    keep = np.ones(graph.n_links, dtype=bool) if usable is None else np.asarray(usable, bool)
    return strong_components(graph.n_nodes, graph.link_from[keep], graph.link_to[keep])


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



def banned_turn_links(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The banned turns of ``network`` as link positions (from, to), those naming a link the
    network does not have left out."""
    index = network.links["id"]
    position = dict(zip(index, range(len(index)), strict=True))
    bans = network.turn_bans
    pairs = [(position[a], position[b]) for a, b in zip(bans["from_link"], bans["to_link"],
                                                          strict=True)
             if a in position and b in position]
    return (np.array([a for a, _ in pairs], dtype=np.int64),
            np.array([b for _, b in pairs], dtype=np.int64))


def largest_turn_component(graph: RoadGraph, banned: tuple[np.ndarray, np.ndarray],
                           usable: np.ndarray | None = None) -> np.ndarray:
    """Mask of the links in the largest SCC of the turn graph (links linked by the turns routing
    may take, over ``usable`` links only; the lowest label among equal sizes).

    Parameters
    ----------
    graph : RoadGraph
        The directed road graph.
    banned : tuple of ndarray
        The banned turns (from links, to links) [-].
    usable : ndarray of bool, optional
        Per link, whether vehicles may drive it; all links by default.

    Returns
    -------
    ndarray of bool
        Per link, whether it is in that component [-].
    """
    if graph.n_links == 0:
        return np.zeros(0, dtype=bool)
    keep = np.ones(graph.n_links, dtype=bool) if usable is None else np.asarray(usable, bool)
    turn_from, turn_to = allowed_turns(graph, *banned)
    inside = keep[turn_from] & keep[turn_to]
    labels = strong_components(graph.n_links, turn_from[inside], turn_to[inside])
    sizes = np.bincount(labels[keep], minlength=int(labels.max()) + 1)
    return keep & (labels == np.argmax(sizes))


def junctions_of(graph: RoadGraph, links: np.ndarray) -> np.ndarray:
    """Mask of the nodes with a link of ``links`` (a mask) arriving and one leaving."""
    arriving = np.zeros(graph.n_nodes, dtype=bool)
    leaving = np.zeros(graph.n_nodes, dtype=bool)
    arriving[graph.link_to[links]] = True
    leaving[graph.link_from[links]] = True
    return arriving & leaving


def reachable_junctions(network: Network) -> np.ndarray:
    """Mask of the junctions a car reaches and leaves within the largest strongly connected
    component of the turn graph over open links.

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
    return junctions_of(graph, largest_turn_component(graph, banned_turn_links(network),
                                                      open_links))
