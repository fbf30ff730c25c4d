"""Connected components without scipy: the same labels as scipy.sparse.csgraph gives, so a
tie between equally large components breaks the same way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from simulation.components import strong_components, weak_components


def _scipy_labels(n: int, a: np.ndarray, b: np.ndarray, directed: bool) -> np.ndarray:
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(n, n)).tocsr()
    return connected_components(graph, directed=directed, connection="strong")[1]


@pytest.mark.parametrize("seed", range(4))
def test_labels_equal_scipys_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(1, 200))
        m = int(rng.integers(0, 3 * n))
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        assert np.array_equal(strong_components(n, a, b), _scipy_labels(n, a, b, True))
        assert np.array_equal(weak_components(n, a, b), _scipy_labels(n, a, b, False))


def test_a_cycle_is_one_component_and_a_chain_is_one_per_node() -> None:
    cycle = strong_components(3, np.array([0, 1, 2]), np.array([1, 2, 0]))
    assert set(cycle) == {0}
    chain = strong_components(3, np.array([0, 1]), np.array([1, 2]))
    assert sorted(chain) == [0, 1, 2]
    assert set(weak_components(3, np.array([0, 1]), np.array([1, 2]))) == {0}


def test_isolated_vertices_and_an_empty_graph() -> None:
    none = np.zeros(0, dtype=np.int64)
    assert strong_components(0, none, none).size == 0
    assert list(weak_components(4, np.array([3]), np.array([2]))) == [0, 1, 2, 2]
    assert list(strong_components(3, none, none)) == [0, 1, 2]
