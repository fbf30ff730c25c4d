"""Fixed-time traffic signals: plans as arrays and the green time a link gets in a time step.

A signal sits at a link's downstream node. Node ``n`` is signalised when ``cycle[n] > 0``; its plan
repeats every ``cycle[n]`` s, shifted by ``offset[n]`` s. Each link ``a`` entering a signalised node
has one green window ``[green_start[a], green_end[a])`` in cycle time (s; the window wraps past the
cycle end when ``green_end < green_start``); a NaN window means the link is not signal-controlled
(always green). A link discharges only during its green, at its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from simulation.graph import RoadGraph


@dataclass(frozen=True)
class SignalPlan:
    """Fixed-time plans. cycle, offset: per node, s (cycle 0 = no signal);
    green_start, green_end: per link, s into the cycle of the link's downstream node (NaN = none).

    Attributes
    ----------
    cycle : ndarray
        Cycle length per node, shape (n_nodes,) [s]; 0 = no signal.
    offset : ndarray
        Shift of each node's plan, shape (n_nodes,) [s].
    green_start, green_end : ndarray
        Green window of each link in the cycle of its downstream node, shape (n_links,) [s];
        the window wraps past the cycle end when ``green_end < green_start``; NaN = not
        signal-controlled.
    """

    cycle: np.ndarray
    offset: np.ndarray
    green_start: np.ndarray
    green_end: np.ndarray

    def __post_init__(self) -> None:
        for name in ("cycle", "offset", "green_start", "green_end"):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))

    def link_arrays(self, graph: RoadGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-link (cycle, offset, green start, green end), cycle 0 where a link is uncontrolled.

        Parameters
        ----------
        graph : RoadGraph
            The graph the plan belongs to (one cycle per node, one window per link).

        Returns
        -------
        cycle, offset, green_start, green_end : ndarray
            Per link, from its downstream node's plan, shape (n_links,) [s]; all 0 where the
            link is uncontrolled.

        Raises
        ------
        ValueError
            If an array does not match the graph, a cycle is negative or not finite, or a
            green window lies outside [0, cycle].
        """
        if self.cycle.shape != (graph.n_nodes,) or self.offset.shape != (graph.n_nodes,):
            raise ValueError(f"SignalPlan.cycle/offset: expected one value per node ({graph.n_nodes})")
        if self.green_start.shape != (graph.n_links,) or self.green_end.shape != (graph.n_links,):
            raise ValueError(f"SignalPlan.green_start/green_end: expected one value per link ({graph.n_links})")
        if np.any(self.cycle < 0) or not np.all(np.isfinite(self.cycle)):
            raise ValueError("SignalPlan.cycle: expected finite cycle lengths >= 0 s")
        cyc = self.cycle[graph.link_to].copy()
        off = self.offset[graph.link_to].copy()
        gs, ge = self.green_start.copy(), self.green_end.copy()
        free = (cyc <= 0) | np.isnan(gs) | np.isnan(ge)
        ctrl = ~free
        if np.any((gs[ctrl] < 0) | (gs[ctrl] > cyc[ctrl]) | (ge[ctrl] < 0) | (ge[ctrl] > cyc[ctrl])):
            raise ValueError("SignalPlan.green_start/green_end: green windows must lie within [0, cycle] s")
        cyc[free], off[free], gs[free], ge[free] = 0.0, 0.0, 0.0, 0.0
        return cyc, off, gs, ge

    @staticmethod
    def green_share(cyc: np.ndarray, gs: np.ndarray, ge: np.ndarray) -> np.ndarray:
        """Share of the cycle each link is green (1 where uncontrolled).

        Parameters
        ----------
        cyc : ndarray
            Cycle length per link as from :meth:`link_arrays` [s] (0 = uncontrolled).
        gs, ge : ndarray
            Green start and end per link in the cycle [s].

        Returns
        -------
        ndarray
            Green share of the cycle per link [-].
        """
        span = np.where(ge >= gs, ge - gs, cyc - gs + ge)
        return np.where(cyc > 0, span / np.where(cyc > 0, cyc, 1.0), 1.0)


def two_phase_plan(graph: RoadGraph, cycle: float = 60.0, lost_time: float = 0.0,
                   min_incoming: int = 3, offset: float = 0.0) -> SignalPlan:
    """A two-phase fixed-time plan at every node with at least ``min_incoming`` incoming links.

    Incoming links heading mostly along x (|dx| >= |dy|) share phase 1, the others phase 2; the
    cycle less ``lost_time`` (s, all-red/amber over the cycle) is split equally between the phases.

    Parameters
    ----------
    graph : RoadGraph
        The road graph.
    cycle : float
        Cycle length of every signal [s].
    lost_time : float
        All-red/amber time over the cycle, half of it after each phase [s].
    min_incoming : int
        Fewest incoming links of a signalised node [-].
    offset : float
        Offset of every signal [s].

    Returns
    -------
    SignalPlan
        The plan; links into unsignalised nodes have NaN windows.

    Raises
    ------
    ValueError
        If ``cycle`` is not > 0 s or does not exceed ``lost_time``.
    """
    if cycle <= lost_time or cycle <= 0:
        raise ValueError("two_phase_plan: cycle must exceed lost_time and be > 0 s")
    indeg = np.bincount(graph.link_to, minlength=graph.n_nodes)
    signalised = indeg >= min_incoming
    cyc = np.where(signalised, cycle, 0.0)
    off = np.where(signalised, offset, 0.0)
    dx = graph.node_x[graph.link_to] - graph.node_x[graph.link_from]
    dy = graph.node_y[graph.link_to] - graph.node_y[graph.link_from]
    phase1 = np.abs(dx) >= np.abs(dy)
    green = (cycle - lost_time) / 2.0
    gs = np.where(phase1, 0.0, green + lost_time / 2.0)
    ge = gs + green
    ctrl = signalised[graph.link_to]
    return SignalPlan(cycle=cyc, offset=off, green_start=np.where(ctrl, gs, np.nan),
                      green_end=np.where(ctrl, ge, np.nan))


@numba.njit(cache=True)
def _green_before(x: float, cyc: float, gs: float, ge: float) -> float:
    """Green time within cycle-time [0, x), for 0 <= x <= cyc."""
    if ge >= gs:
        return min(max(x - gs, 0.0), ge - gs)
    return min(x, ge) + max(x - gs, 0.0)  # wrapping window [gs, cyc) + [0, ge)


@numba.njit(cache=True)
def _green_cumulative(t: float, cyc: float, off: float, gs: float, ge: float) -> float:
    """Total green time from the plan's reference up to time t (any sign)."""
    span = _green_before(cyc, cyc, gs, ge)
    u = t - off
    n = np.floor(u / cyc)
    return n * span + _green_before(u - n * cyc, cyc, gs, ge)


@numba.njit(cache=True)
def green_fraction(t: float, dt: float, cyc: float, off: float, gs: float, ge: float) -> float:
    """Share of [t, t + dt) that a link with this window is green (1 if uncontrolled).

    Parameters
    ----------
    t : float
        Start of the interval [s].
    dt : float
        Length of the interval, > 0 [s].
    cyc : float
        Cycle length [s] (<= 0: uncontrolled).
    off : float
        Offset of the plan [s].
    gs, ge : float
        Green window in the cycle [s] (wrapping when ``ge < gs``).

    Returns
    -------
    float
        Green share of the interval, in [0, 1] [-].
    """
    if cyc <= 0.0:
        return 1.0
    g = _green_cumulative(t + dt, cyc, off, gs, ge) - _green_cumulative(t, cyc, off, gs, ge)
    return min(max(g / dt, 0.0), 1.0)
