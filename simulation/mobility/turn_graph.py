"""The edge-based graph the destination trees of routing run on.

Routing takes the turns ``simulation.turns.allowed_turns`` gives: no U-turns but at dead ends,
and none of the banned turns (the turns given a capacity of 0 in
:class:`~simulation.mobility.controls.TurnCapacities`, e.g. OpenStreetMap turn restrictions).
Because the next link then depends on the link a vehicle arrives on, the destination trees are
built on links, not nodes (an edge-based graph): vertex ``a < n_links`` is "on link ``a``", and
the tree gives the link taken after it (-1 when ``a`` ends at the destination). Vertices
``n_links + n`` stand for node ``n``: the root of the tree to destination ``n`` (its arcs lead to
the links entering ``n``), and, in every other tree, where a trip starting at node ``n`` enters
the network (its first link).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.graph import RoadGraph, csr_out_links


@dataclass(frozen=True)
class TurnGraph:
    """The reversed edge-based graph of the allowed turns, without costs.

    Attributes
    ----------
    start : ndarray
        CSR offsets of the arcs of each vertex (n_links links, then n_nodes destination roots),
        int64, shape (n_links + n_nodes + 1,) [-].
    upstream : ndarray
        The link each arc leads back to (the link a vehicle comes from), int32 [-].
    taken : ndarray
        The link taken after ``upstream`` on each arc (-1 on the arcs of a destination root: the
        trip ends), int32 [-].
    n_turns : int
        Number of turns routing may take [-].
    """

    start: np.ndarray
    upstream: np.ndarray
    taken: np.ndarray
    n_turns: int

    def arcs(self, cost: np.ndarray, labels: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The arcs as the tree kernels read them: (start offsets, neighbour vertex, arc label,
        arc cost), the label being the caller's id of the link taken (``labels[taken]``, -1 at
        the destination) and the cost that of the upstream link.

        Parameters
        ----------
        cost : ndarray
            Travel time of each link, float64 (n_links,) [s].
        labels : ndarray
            The caller's id of each link, int32 (n_links,) [-].

        Returns
        -------
        tuple of ndarray
            int64 offsets, int32 neighbours, int32 labels, float64 costs [-, -, -, s].
        """
        label = np.where(self.taken >= 0, labels[np.maximum(self.taken, 0)], -1).astype(np.int32)
        return (self.start, self.upstream,
                label, np.ascontiguousarray(cost[self.upstream], dtype=np.float64))


def turn_graph(graph: RoadGraph, turn_from: np.ndarray, turn_to: np.ndarray) -> TurnGraph:
    """The reversed edge-based graph of the turns ``turn_from -> turn_to`` with the destination
    roots (see the module docstring).

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    turn_from, turn_to : ndarray
        The turns routing may take, as from :func:`allowed_turns` [-].

    Returns
    -------
    TurnGraph
        Arcs grouped by the vertex they leave: link ``b``'s arcs lead to the links turning into
        it, node ``n``'s root arcs to the links entering ``n``.
    """
    n_links = graph.n_links
    by_vertex = np.concatenate([np.asarray(turn_to, np.int64),
                                n_links + graph.link_to.astype(np.int64)])
    upstream = np.concatenate([np.asarray(turn_from, np.int64), np.arange(n_links)])
    taken = np.concatenate([np.asarray(turn_to, np.int64), np.full(n_links, -1)])
    start, order = csr_out_links(n_links + graph.n_nodes, by_vertex)
    return TurnGraph(start, upstream[order].astype(np.int32), taken[order].astype(np.int32),
                     int(len(turn_from)))
