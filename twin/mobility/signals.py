"""Fixed-time signal plans for the kernel from a twin's network.

Two sources, node by node:

- **Programmes** (``Network.signals``, e.g. SUMO ``<tlLogic>`` phases) with the connections table
  that says which state character belongs to which connection (``twin.mobility.sumo_connections``).
  A link entering the node is green in a phase when any of its connections into a drivable link
  shows ``G``/``g`` (green; ``s``, a green arrow after a stop, and ``O``/``o``, signal off, pass as
  well). The kernel gives a link one green window per cycle: a link green in several separate
  parts of the cycle gets one window of the same total green, starting where its longest part
  starts (its capacity share is kept, its timing approximated). A link never green in any phase
  gets an empty window (it cannot discharge, and routing avoids it).
- **Generated** two-phase plans where nodes have ``control == "signal"`` and no programme.
  Signalised nodes linked by links shorter than ``TLS_JOIN_DISTANCE`` (20 m, through any
  nodes, as netconvert's ``--tls.join`` with its default ``tls.join-dist``) form one junction
  with one plan: a signalised crossing of a dual carriageway, or signal nodes on each approach
  a few metres before the junction where a source puts them so. Its approaches are the
  links entering one of its nodes from outside the junction towards its centre (traffic leaving
  the junction through a signal node on a two-way road is not stopped). They are grouped by
  direction of travel (over each link's last ``BEARING_LENGTH``): the junction's axis is the
  mean of the approach bearings taken four-fold (so opposite and perpendicular approaches
  agree), approaches within 45° of it (either way) form phase 1, the others phase 2, and the
  cycle less the lost time is split equally between them. A junction whose approaches all fall
  into one phase (a signalised crossing on a straight road) gets no plan. Every plan starts its
  cycle at 0 s (no offsets).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from simulation.components import weak_components
from simulation.mobility import SignalPlan
from twin.model import Network

PASSING_STATES = frozenset("GgsOo")
"""SUMO state characters that let a vehicle pass."""

DEFAULT_CYCLE = 90.0
"""s, cycle of generated plans (SUMO's default static programme: 42 + 3 + 42 + 3 s)."""

DEFAULT_LOST_TIME = 6.0
"""s per cycle without green in generated plans (two 3 s amber/all-red intervals)."""

BEARING_LENGTH = 20.0
"""m: an approach's direction is taken over its last this many metres."""

TLS_JOIN_DISTANCE = 20.0
"""m: signalised nodes linked by links shorter than this (in chains, through any nodes) form one
junction with one plan (netconvert's ``tls.join-dist`` default)."""


@dataclass(frozen=True)
class SignalSummary:
    """What the plan is made of: nodes with a programme, junctions and their nodes with a
    generated plan, signalised nodes left without plan (one approach axis), links with several
    green parts merged into one window, links never green, links entering a signalised node
    that the plan controls.

    Attributes
    ----------
    programme_nodes : int
        Signalised nodes running their imported programme [-].
    generated_junctions : int
        Junctions (signalised nodes linked by links shorter than ``TLS_JOIN_DISTANCE``) given
        a generated two-phase plan [-].
    generated_nodes : int
        Nodes of those junctions [-].
    unplanned_nodes : int
        Signalised nodes left without a plan: their junction's approaches all fall into one
        phase (a signalised crossing on a straight road), or it has none [-].
    merged_windows : int
        Links green in several separate parts of their programme's cycle, given one window of
        the same total green [-].
    never_green_links : int
        Links never green in their programme (they cannot discharge) [-].
    controlled_links : int, default 0
        Links entering a signalised node that the plan controls [-].
    """

    programme_nodes: int
    generated_junctions: int
    generated_nodes: int
    unplanned_nodes: int
    merged_windows: int
    never_green_links: int
    controlled_links: int = 0

    def lines(self) -> list[str]:
        """One readable line per non-zero count."""
        texts = (
            (self.programme_nodes, "signalised nodes run their imported programme"),
            (self.generated_junctions,
             f"signalised junctions ({self.generated_nodes} nodes) got a generated two-phase plan"),
            (self.unplanned_nodes, "signalised nodes with a single approach axis run without plan"),
            (self.merged_windows, "links green in several parts of the cycle got one window of the same green time"),
            (self.never_green_links, "links are never green in their programme and cannot be left"),
            (self.controlled_links, "approach links are controlled by a signal"),
        )
        return [f"{count} {text}" for count, text in texts if count]


def signal_plan(network: Network, connections: pd.DataFrame | None = None,
                program: str | None = None, cycle: float = DEFAULT_CYCLE,
                lost_time: float = DEFAULT_LOST_TIME) -> tuple[SignalPlan, SignalSummary]:
    """The plan of every signalised node of ``network`` (nodes and links in table order).

    connections: the SUMO connections table (``CONNECTION_COLUMNS``); without it programmes
    cannot be mapped and every ``control == "signal"`` node gets a generated plan.
    program: the programme id to use where a node has several (default: the first listed).
    cycle, lost_time: s, of generated plans.

    Parameters
    ----------
    network : Network
        The road network (usually its largest strongly connected component); plan arrays
        follow the order of its ``nodes`` and ``links`` tables.
    connections : pandas.DataFrame, optional
        The SUMO connections table (``CONNECTION_COLUMNS``: traffic light, link index, from
        and to link ids); None: programmes are not mapped and every ``control == "signal"``
        node gets a generated plan.
    program : str, optional
        The programme id to use where a node has several; None (or an id a node lacks): the
        node's first programme.
    cycle : float, default ``DEFAULT_CYCLE`` (90.0)
        Cycle of the generated two-phase plans [s].
    lost_time : float, default ``DEFAULT_LOST_TIME`` (6.0)
        Time per cycle without green in the generated plans [s], split between the two
        phase changes; 0 <= lost_time < cycle.

    Returns
    -------
    SignalPlan
        Cycle and offset per node (cycle 0: no signal), green window per link in its
        downstream node's cycle [s] (NaN: not controlled).
    SignalSummary
        How many nodes, junctions and links each source covered.

    Raises
    ------
    ValueError
        When ``cycle`` does not exceed ``lost_time`` or ``lost_time`` < 0.
    """
    n_nodes, n_links = len(network.nodes), len(network.links)
    plan = _Arrays(np.zeros(n_nodes), np.full(n_links, np.nan), np.full(n_links, np.nan))
    merged = never = 0
    programmed = np.zeros(n_nodes, dtype=bool)
    if connections is not None and len(network.signals):
        programmed, merged, never = _apply_programmes(network, connections, program, plan)
    wanted = (network.nodes["control"].to_numpy() == "signal") & ~programmed
    generated, junctions = _apply_generated(network, wanted, cycle, lost_time, plan)
    summary = SignalSummary(
        programme_nodes=int(programmed.sum()), generated_junctions=junctions,
        generated_nodes=int(generated.sum()),
        unplanned_nodes=int((wanted & ~generated).sum()), merged_windows=merged,
        never_green_links=never, controlled_links=int(np.isfinite(plan.start).sum()))
    return SignalPlan(cycle=plan.cycle, offset=np.zeros(n_nodes), green_start=plan.start,
                      green_end=plan.end), summary


@dataclass
class _Arrays:
    cycle: np.ndarray  # per node, s
    start: np.ndarray  # per link, s
    end: np.ndarray    # per link, s


def _apply_programmes(network: Network, connections: pd.DataFrame, program: str | None,
                      plan: _Arrays) -> tuple[np.ndarray, int, int]:
    """Fill the windows of the links entering nodes with a programme; (programmed mask, merged
    window count, never-green count)."""
    links = network.links
    link_ids = set(links["id"])
    node_pos = network.node_index
    usable = connections[connections["to_link"].isin(link_ids) & connections["from_link"].isin(link_ids)]
    by_link = usable.groupby("from_link")["link_index"].apply(np.asarray)
    ids, to_nodes = links["id"].to_numpy(), links["to_node"].to_numpy()
    programmed = np.zeros(len(network.nodes), dtype=bool)
    merged = never = 0
    for node_id, phases in _chosen_programmes(network.signals, program):
        if node_id not in node_pos:
            continue
        n = node_pos.get_loc(node_id)
        durations = phases["duration"].to_numpy(dtype=np.float64)
        states = phases["state"].to_numpy()
        cycle = float(durations.sum())
        if cycle <= 0:
            continue
        entering = np.nonzero(to_nodes == node_id)[0]
        controlled = [(a, by_link[ids[a]]) for a in entering if ids[a] in by_link.index]
        if not controlled:
            continue
        programmed[n] = True
        plan.cycle[n] = cycle
        for a, indices in controlled:
            green = np.array([any(i < len(s) and s[i] in PASSING_STATES for i in indices) for s in states])
            start, length, parts = _window(durations, green)
            if length >= cycle:
                continue  # green throughout: uncontrolled
            merged += parts > 1
            never += length == 0
            plan.start[a] = start
            plan.end[a] = (start + length) % cycle if length > 0 else start
    return programmed, merged, never


def _chosen_programmes(signals: pd.DataFrame, program: str | None
                       ) -> Iterator[tuple[str, pd.DataFrame]]:
    """(node id, its phases in order) for the chosen programme of every node."""
    for node_id, rows in signals.groupby("node_id", sort=False):
        programmes = list(dict.fromkeys(rows["program_id"]))
        chosen = program if program in programmes else programmes[0]
        yield node_id, rows[rows["program_id"] == chosen].sort_values("phase")


def _window(durations: np.ndarray, green: np.ndarray) -> tuple[float, float, int]:
    """(start of the longest green part, total green, number of separate green parts) of a
    cyclic phase sequence, s."""
    total = float(durations[green].sum())
    if total == 0.0 or green.all():
        return 0.0, total, int(total > 0)
    starts = np.concatenate(([0.0], np.cumsum(durations)[:-1]))
    first = int(np.argmin(green))  # a red phase: rotate so no green part wraps
    order = np.roll(np.arange(green.size), -first)
    best_start, best_len, run_start, run_len, parts = 0.0, -1.0, 0.0, 0.0, 0
    in_run = False
    for k in order:
        if green[k]:
            if not in_run:
                run_start, run_len, parts, in_run = starts[k], 0.0, parts + 1, True
            run_len += durations[k]
            if run_len > best_len:
                best_start, best_len = run_start, run_len
        else:
            in_run = False
    return float(best_start), total, parts


def _apply_generated(network: Network, wanted: np.ndarray, cycle: float, lost_time: float,
                     plan: _Arrays) -> tuple[np.ndarray, int]:
    """Two-phase plans at the junctions formed by the ``wanted`` nodes; (mask of the nodes that
    got one, number of junctions)."""
    if not (cycle > lost_time >= 0):
        raise ValueError(f"signal_plan: cycle ({cycle} s) must exceed lost_time ({lost_time} s) >= 0")
    n_nodes = len(network.nodes)
    if not wanted.any():
        return np.zeros(n_nodes, dtype=bool), 0
    x, y = network.nodes.geometry.x.to_numpy(), network.nodes.geometry.y.to_numpy()
    links = network.links
    to = network.node_index.get_indexer(links["to_node"].to_numpy())
    frm = network.node_index.get_indexer(links["from_node"].to_numpy())
    short = links["length"].to_numpy(dtype=np.float64) < TLS_JOIN_DISTANCE
    junction, centre_x, centre_y = _junctions(x, y, wanted, frm[short], to[short])
    j = junction[to]
    inside = j >= 0
    jj = np.where(inside, j, 0)
    towards = (np.hypot(x[frm] - centre_x[jj], y[frm] - centre_y[jj])
               > np.hypot(x[to] - centre_x[jj], y[to] - centre_y[jj]))
    approach = inside & (junction[frm] != j) & towards
    bearing = _approach_bearings(network)
    n_junctions = centre_x.size
    axis_sum = np.zeros(n_junctions, dtype=np.complex128)
    np.add.at(axis_sum, j[approach], np.exp(4j * bearing[approach]))
    axis = np.angle(axis_sum) / 4.0
    between = np.abs(np.angle(np.exp(2j * (bearing - axis[jj])))) / 2.0  # 0..pi/2 between axes
    phase1 = between <= np.pi / 4.0
    count1 = np.bincount(j[approach & phase1], minlength=n_junctions)
    count2 = np.bincount(j[approach & ~phase1], minlength=n_junctions)
    planned = (count1 > 0) & (count2 > 0)
    got = np.zeros(n_nodes, dtype=bool)
    got[wanted] = planned[junction[wanted]]
    on = approach & planned[jj]
    green = (cycle - lost_time) / 2.0
    plan.cycle[got] = cycle
    plan.start[on] = np.where(phase1[on], 0.0, green + lost_time / 2.0)
    plan.end[on] = plan.start[on] + green
    return got, int(planned.sum())


def _junctions(x: np.ndarray, y: np.ndarray, wanted: np.ndarray, frm: np.ndarray, to: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Junction label per node (-1 if not ``wanted``): wanted nodes connected through the short
    links ``frm`` -> ``to`` (node indices; through any nodes); and the centre (x, y) of the
    wanted nodes of each junction."""
    n_nodes = x.size
    component = weak_components(n_nodes, frm, to)
    label = np.full(n_nodes, -1, dtype=np.int64)
    _, label[wanted] = np.unique(component[wanted], return_inverse=True)
    idx = np.nonzero(wanted)[0]
    n = int(label[idx].max()) + 1
    count = np.bincount(label[idx], minlength=n)
    return (label, np.bincount(label[idx], weights=x[idx], minlength=n) / count,
            np.bincount(label[idx], weights=y[idx], minlength=n) / count)


def _approach_bearings(network: Network) -> np.ndarray:
    """Direction of travel (rad) of each link where it reaches its downstream node: from the
    point ``BEARING_LENGTH`` before its end (its start if shorter) to its end, so that a short
    last segment (a link drawn on to a joined junction's centre) does not turn it; the line
    between its nodes for a link without geometry."""
    links = network.links
    geoms = links.geometry.to_numpy()
    end = shapely.get_point(geoms, -1)
    before = shapely.line_interpolate_point(
        geoms, np.maximum(shapely.length(geoms) - BEARING_LENGTH, 0.0))
    dx = shapely.get_x(end) - shapely.get_x(before)
    dy = shapely.get_y(end) - shapely.get_y(before)
    nodes = network.nodes.geometry
    frm = network.node_index.get_indexer(links["from_node"].to_numpy())
    to = network.node_index.get_indexer(links["to_node"].to_numpy())
    flat = ~np.isfinite(dx) | ~np.isfinite(dy) | ((dx == 0) & (dy == 0))
    dx[flat] = nodes.x.to_numpy()[to[flat]] - nodes.x.to_numpy()[frm[flat]]
    dy[flat] = nodes.y.to_numpy()[to[flat]] - nodes.y.to_numpy()[frm[flat]]
    return np.arctan2(dy, dx)
