"""Triangular fundamental diagram per link, the basis of Newell's kinematic wave link model.

Flow q(k) = min(v k, w (k_jam - k)) with free speed v (m/s), jam density k_jam (veh/m over all
lanes) and backward wave speed w = q_max / (k_jam - q_max / v) (m/s), so that the free-flow and
congested branches meet at capacity q_max (veh/s). In the link transmission model a link's
sending flow looks back L / v (the free-flow travel time) at its upstream cumulative count and
its receiving flow looks back L / w at its downstream cumulative count plus its jam storage
k_jam L (veh).

**Storage of the discrete model.** The triangle is tight at capacity: a link carrying q_max holds
q_max L / v vehicles, and the backward wave of the last q_max L / w departures has not yet freed
their space; together that is k_jam L exactly. The time-stepped model holds each vehicle's space
in whole steps: a vehicle that enters at the start of step j (as vehicles discharging from a
queue or a signal do) leaves in step j + R, R = max(1, ⌈L / (v dt)⌉ − 1), and its departure is
fully counted by the receiving flow ⌈L / (w dt)⌉ steps later (at least one); and only whole
vehicles enter. With k_jam L alone short links therefore pass far less than q_max (an 11 m
lane, 1.7 vehicles, passes 1200 of 1800 veh/h; a 30 m lane 1600). Each link stores
(``discrete_storage``) at least the whole vehicles that enter at capacity while one vehicle
holds its space, and at least two:

    S = max(k_jam L, ⌈q_max dt (R + max(1, ⌈L / (w dt)⌉))⌉, 2)

so a link passes its capacity from a queue or a signal, whatever its length. On long links
this is k_jam L or at most one vehicle more; on links shorter than a few jam spacings it is
the room a platoon needs to cross them at capacity (as the area of a junction gives it).
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
        Jam storage of the discrete model, k_jam L or more (``discrete_storage``) [veh].
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
    wave_steps = length / (w * dt)
    free_steps = free_time / dt
    storage = discrete_storage(kjam * length, q, free_steps, wave_steps, dt)
    history = (np.ceil(np.maximum(wave_steps, free_steps)) + 2).astype(np.int64)
    return LinkModel(capacity=q, jam_density=kjam, wave_speed=w, free_time=free_time,
                     storage=storage, wave_steps=wave_steps, free_steps=free_steps, history=history)


def discrete_storage(jam_storage: np.ndarray, capacity: np.ndarray, free_steps: np.ndarray,
                     wave_steps: np.ndarray, dt: float) -> np.ndarray:
    """Storage with which a link of the time-stepped model passes its capacity (module doc).

    Parameters
    ----------
    jam_storage : ndarray
        Jam storage k_jam L of each link [veh].
    capacity : ndarray
        Capacity q_max [veh/s].
    free_steps : ndarray
        Free-flow travel time L / (v dt) [steps].
    wave_steps : ndarray
        Backward wave travel time L / (w dt) [steps].
    dt : float
        Time step [s].

    Returns
    -------
    ndarray
        max(k_jam L, ⌈q_max dt (R + max(1, ⌈wave_steps⌉))⌉, 2) with
        R = max(1, ⌈free_steps⌉ - 1) [veh].
    """
    residence = np.maximum(1.0, np.ceil(free_steps - 1e-9) - 1.0)
    hold = residence + np.maximum(1.0, np.ceil(wave_steps - 1e-9))
    return np.maximum(np.maximum(jam_storage, np.ceil(capacity * dt * hold - 1e-9)), 2.0)
