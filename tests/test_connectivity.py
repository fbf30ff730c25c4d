"""Strongly connected components of road graphs: hand-made graphs and the Helsinki network."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.graph import RoadGraph, build_road_graph
from twin.connectivity import (
    ConnectivityReport,
    connectivity_report,
    largest_component_links,
    largest_component_nodes,
    strongly_connected_components,
)
from twin.importers.osm import read_osm
from twin.model import Network


def graph(n_nodes: int, links: list[tuple[int, int]]) -> RoadGraph:
    """A RoadGraph of n_nodes on a line and the given directed (from, to) links."""
    pairs = np.array(links, dtype=np.int64).reshape(-1, 2)
    ones = np.ones(len(pairs))
    return build_road_graph(
        node_x=np.arange(n_nodes, dtype=float), node_y=np.zeros(n_nodes),
        link_from=pairs[:, 0], link_to=pairs[:, 1],
        length=100 * ones, free_speed=10 * ones, capacity=800 * ones, lanes=ones,
    )


def test_one_way_cycle_is_one_component() -> None:
    labels = strongly_connected_components(graph(3, [(0, 1), (1, 2), (2, 0)]))
    assert len(set(labels)) == 1


def test_one_way_chain_splits_into_single_nodes() -> None:
    labels = strongly_connected_components(graph(3, [(0, 1), (1, 2)]))
    assert len(set(labels)) == 3


def test_dead_end_one_way_spur_is_outside_the_largest_component() -> None:
    g = graph(5, [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)])
    assert largest_component_nodes(g).tolist() == [True, True, True, False, False]
    assert largest_component_links(g).tolist() == [True, True, True, False, False]
    assert connectivity_report(g) == ConnectivityReport(
        n_components=3, largest_nodes=3, largest_links=3, node_share=0.6, link_share=0.6)


def test_two_way_spur_joins_the_component() -> None:
    g = graph(4, [(0, 1), (1, 2), (2, 0), (2, 3), (3, 2)])
    report = connectivity_report(g)
    assert report.n_components == 1
    assert report.node_share == 1.0 and report.link_share == 1.0


def test_equal_components_pick_the_first() -> None:
    g = graph(4, [(0, 1), (1, 0), (2, 3), (3, 2)])
    mask = largest_component_nodes(g)
    assert mask.sum() == 2
    assert mask[0] == mask[1] and mask[2] == mask[3]


def test_empty_graph() -> None:
    g = graph(0, [])
    assert connectivity_report(g) == ConnectivityReport(0, 0, 0, 0.0, 0.0)
    assert largest_component_links(g).size == 0


@pytest.fixture(scope="module")
def helsinki(shared_data) -> Network:
    data = read_osm(shared_data / "helsinki-osm" / "Helsinki.osm.pbf")
    return Network(nodes=data.nodes, links=data.links)


def test_helsinki_largest_component(helsinki: Network) -> None:
    report = connectivity_report(helsinki.graph)
    print(f"\nHelsinki largest SCC: {report.largest_nodes} of {helsinki.graph.n_nodes} nodes "
          f"({report.node_share:.1%}), {report.largest_links} of {helsinki.graph.n_links} links "
          f"({report.link_share:.1%}), {report.n_components} components")
    assert report.node_share > 0.8
    assert report.link_share > 0.8


def test_helsinki_largest_component_links_are_strongly_connected(helsinki: Network) -> None:
    g = helsinki.graph
    keep = largest_component_links(g)
    nodes = np.unique(np.concatenate([g.link_from[keep], g.link_to[keep]]))
    renumber = np.full(g.n_nodes, -1)
    renumber[nodes] = np.arange(nodes.size)
    pairs = zip(renumber[g.link_from[keep]], renumber[g.link_to[keep]], strict=True)
    sub = graph(nodes.size, list(pairs))
    assert len(set(strongly_connected_components(sub))) == 1
    assert nodes.size == largest_component_nodes(g).sum()
