"""Connected components of a graph given by its arcs: strongly connected (directed) and
connected (undirected), labelled as ``scipy.sparse.csgraph.connected_components`` labels them
(so that ties between equal components break the same way), without loading scipy.

Strong components are found by Tarjan's algorithm, depth first from the vertices in index
order and along the arcs in decreasing order of their heads (scipy's order); a component's
label is the order in which the search completes it. Undirected components are labelled in order of their lowest vertex.
"""

from __future__ import annotations

import numba
import numpy as np


def strong_components(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Strongly connected component label (0..n_components-1) of each of ``n`` vertices.

    Parameters
    ----------
    n : int
        Number of vertices [-].
    tail, head : ndarray of int
        The arcs ``tail[k] -> head[k]``, vertex indices in 0..n-1 [-].

    Returns
    -------
    ndarray of int64
        The component label of every vertex, shape (n,) [-].
    """
    tail, head = np.asarray(tail, np.int64), np.asarray(head, np.int64)
    start, heads = _adjacency(n, tail, head, descending=True)
    return _tarjan(start, heads)


def weak_components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected component label (0..n_components-1) of each of ``n`` vertices of the
    undirected graph with edges ``a[k] - b[k]``, numbered in order of their lowest vertex.

    Parameters
    ----------
    n : int
        Number of vertices [-].
    a, b : ndarray of int
        The edges' end vertices, indices in 0..n-1 [-].

    Returns
    -------
    ndarray of int64
        The component label of every vertex, shape (n,) [-].
    """
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    start, heads = _adjacency(n, np.concatenate([a, b]), np.concatenate([b, a]))
    return _flood(start, heads)


def _adjacency(n: int, tail: np.ndarray, head: np.ndarray, descending: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """The arcs as compressed rows: the heads of the arcs out of vertex ``i`` are
    ``heads[start[i]:start[i + 1]]``, in increasing order (decreasing with ``descending``)."""
    order = np.lexsort((-head if descending else head, tail))
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=start[1:])
    return start, np.ascontiguousarray(head[order])


@numba.njit(cache=True)
def _tarjan(start: np.ndarray, heads: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    n = start.size - 1
    index = np.full(n, -1, np.int64)
    low = np.zeros(n, np.int64)
    on_stack = np.zeros(n, np.bool_)
    stack = np.empty(n, np.int64)
    call_vertex = np.empty(n, np.int64)
    call_arc = np.empty(n, np.int64)
    labels = np.full(n, -1, np.int64)
    counter = 0
    top = 0
    components = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        depth = 0
        call_vertex[0] = root
        call_arc[0] = start[root]
        index[root] = counter
        low[root] = counter
        counter += 1
        stack[top] = root
        top += 1
        on_stack[root] = True
        while depth >= 0:
            v = call_vertex[depth]
            arc = call_arc[depth]
            if arc < start[v + 1]:
                call_arc[depth] = arc + 1
                w = heads[arc]
                if index[w] < 0:
                    index[w] = counter
                    low[w] = counter
                    counter += 1
                    stack[top] = w
                    top += 1
                    on_stack[w] = True
                    depth += 1
                    call_vertex[depth] = w
                    call_arc[depth] = start[w]
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                while True:
                    top -= 1
                    w = stack[top]
                    on_stack[w] = False
                    labels[w] = components
                    if w == v:
                        break
                components += 1
            depth -= 1
            if depth >= 0:
                u = call_vertex[depth]
                low[u] = min(low[u], low[v])
    return labels


@numba.njit(cache=True)
def _flood(start: np.ndarray, heads: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    n = start.size - 1
    labels = np.full(n, -1, np.int64)
    queue = np.empty(n, np.int64)
    components = 0
    for root in range(n):
        if labels[root] >= 0:
            continue
        labels[root] = components
        queue[0] = root
        size = 1
        head = 0
        while head < size:
            v = queue[head]
            head += 1
            for arc in range(start[v], start[v + 1]):
                w = heads[arc]
                if labels[w] < 0:
                    labels[w] = components
                    queue[size] = w
                    size += 1
        components += 1
    return labels
