"""Triangular fundamental diagram per link, the basis of Newell's kinematic wave link model.

Flow q(k) = min(v k, w (k_jam - k)) with free speed v (m/s), jam density k_jam (veh/m over all
lanes) and backward wave speed w = q_max / (k_jam - q_max / v) (m/s), so that the free-flow and
congested branches meet at capacity q_max (veh/s). In the link transmission model a link's
sending flow looks back L / v (the free-flow travel time) at its upstream cumulative count and
its receiving flow looks back L / w at its downstream cumulative count plus its jam storage
k_jam L (veh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.graph import RoadGraph


@dataclass(frozen=True)
class LinkModel:
    """Per-link triangular diagram in SI units and in time steps.

    All arrays have shape (n_links,).

    Attributes
    ----------
    capacity : ndarray
        Capacity q_max over all lanes [veh/s].
    jam_density : ndarray
        Jam density k_jam over all lanes [veh/m].
    wave_speed : ndarray
        Backward wave speed w [m/s] (equal to the free speed on closed links, where it is
        never used).
    free_time : ndarray
        Free-flow travel time L / v [s].
    storage : ndarray
        Jam storage k_jam L, at least 1 [veh].
    wave_steps : ndarray
        Backward wave travel time L / (w dt) [steps].
    free_steps : ndarray
        Free-flow travel time L / (v dt) [steps].
    history : ndarray
        Ring size of the cumulative-count history, int64 [steps].
    """

    capacity: np.ndarray
    jam_density: np.ndarray
    wave_speed: np.ndarray
    free_time: np.ndarray
    storage: np.ndarray
    wave_steps: np.ndarray
    free_steps: np.ndarray
    history: np.ndarray


def triangular(graph: RoadGraph, jam_density_per_lane: float, dt: float) -> LinkModel:
    """The triangular diagram of every link of ``graph`` for time step ``dt`` (s).

    Parameters
    ----------
    graph : RoadGraph
        Road graph; its length, free speed, capacity and lanes define the diagrams.
    jam_density_per_lane : float
        Jam density of one lane [veh/m]; links count at least one lane.
    dt : float
        Time step of the run [s].

    Returns
    -------
    LinkModel
        The per-link diagrams (see :class:`LinkModel`).

    Raises
    ------
    ValueError
        If a link has a length or free speed that is not finite and > 0, a capacity that is
        not finite and >= 0, or a capacity at free speed above its jam density (q / v >= k_jam).
    """
    length, v, cap_h = graph.length, graph.free_speed, graph.capacity
    bad = np.nonzero(~(length > 0) | ~np.isfinite(length))[0]
    if bad.size:
        raise ValueError(f"RoadGraph.length: link {bad[0]} has length {length[bad[0]]}, expected > 0 m")
    bad = np.nonzero(~(v > 0) | ~np.isfinite(v))[0]
    if bad.size:
        raise ValueError(f"RoadGraph.free_speed: link {bad[0]} has {v[bad[0]]}, expected > 0 m/s")
    bad = np.nonzero(~(cap_h >= 0) | ~np.isfinite(cap_h))[0]
    if bad.size:
        raise ValueError(f"RoadGraph.capacity: link {bad[0]} has {cap_h[bad[0]]}, expected >= 0 veh/h")
    q = cap_h / 3600.0
    kjam = jam_density_per_lane * np.maximum(graph.lanes, 1.0)
    critical = q / v
    bad = np.nonzero(critical >= kjam)[0]
    if bad.size:
        a = bad[0]
        raise ValueError(
            f"RoadGraph.capacity: link {a} carries {cap_h[a]:.0f} veh/h at {v[a]:.1f} m/s, more than "
            f"its jam density {kjam[a]:.3f} veh/m allows (needs q/v < k_jam)")
    w = np.where(q > 0, q / np.maximum(kjam - critical, 1e-12), v)  # closed links: any w, never used
    free_time = length / v
    storage = np.maximum(kjam * length, 1.0)
    wave_steps = length / (w * dt)
    free_steps = free_time / dt
    history = (np.ceil(np.maximum(wave_steps, free_steps)) + 2).astype(np.int64)
    return LinkModel(capacity=q, jam_density=kjam, wave_speed=w, free_time=free_time,
                     storage=storage, wave_steps=wave_steps, free_steps=free_steps, history=history)
