"""Small synthetic road networks for the mobility tests and benchmark."""

from __future__ import annotations

import numpy as np

from simulation.graph import RoadGraph, build_road_graph

KMH = 1.0 / 3.6


def corridor(lengths, lanes, speed=50 * KMH, cap_per_lane=1800.0) -> RoadGraph:
    """A one-way chain of links 0 -> 1 -> ... along x; per-link lengths (m) and lanes."""
    lengths = np.asarray(lengths, dtype=float)
    lanes = np.broadcast_to(np.asarray(lanes, dtype=float), lengths.shape).copy()
    x = np.concatenate(([0.0], np.cumsum(lengths)))
    n = lengths.size
    speed = np.broadcast_to(np.asarray(speed, dtype=float), lengths.shape).copy()
    cap = np.broadcast_to(np.asarray(cap_per_lane, dtype=float), lengths.shape) * lanes
    return build_road_graph(x, np.zeros(n + 1), np.arange(n), np.arange(1, n + 1), lengths,
                            speed, cap, lanes)


def grid(nx: int, ny: int, block: float = 200.0, lanes: float = 2.0, speed: float = 50 * KMH,
         cap_per_lane: float = 1800.0, rng: np.random.Generator | None = None,
         length_jitter: float = 0.0) -> RoadGraph:
    """An nx x ny grid of nodes with two-way links between neighbours."""
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    node_x, node_y = ix.ravel() * block, iy.ravel() * block
    nid = np.arange(nx * ny).reshape(ny, nx)
    a = np.concatenate([nid[:, :-1].ravel(), nid[:-1, :].ravel()])
    b = np.concatenate([nid[:, 1:].ravel(), nid[1:, :].ravel()])
    frm = np.concatenate([a, b])
    to = np.concatenate([b, a])
    length = np.full(frm.size, block)
    if length_jitter and rng is not None:
        length = length * (1.0 + length_jitter * rng.random(frm.size))
    n = frm.size
    return build_road_graph(node_x, node_y, frm, to, length, np.full(n, speed),
                            np.full(n, cap_per_lane * lanes), np.full(n, lanes))
