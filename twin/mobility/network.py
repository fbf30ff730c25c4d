"""The part of a twin's road network the traffic kernel runs on.

A trip can only be routed within one strongly connected component (SCC), so the kernel gets the
largest SCC of ``Twin.network`` (``twin.connectivity``); what lies outside it is dropped and
counted. Closed links (capacity 0) stay in it, so their results compare link by link with a run
without the closure; the junctions cars still reach are those of the largest SCC over the open
links (``reachable``), and trips only start and end there (``twin.mobility.endpoints``). Signal
plans come from the twin's programmes or are generated (``twin.mobility.signals``).

Every link's capacity is kept within what its free speed allows under the kernel's triangular
fundamental diagram, whatever the source (an OSM ``maxspeed=5``, a SUMO edge at 1 m/s, a
scenario's ``set_speed``): with jam density k_jam (veh/m over all lanes) and free speed v, the
backward wave speed w = q / (k_jam - q / v) exceeds ``MAX_WAVE_SPEED`` (20 km/h, the order of
the backward waves measured on real roads, 15-20 km/h: Daganzo, Fundamentals of Transportation
and Traffic Operations, 1997) once the capacity q exceeds k_jam v w_max / (v + w_max); such
capacities are lowered to that bound and counted in the notes. At 0.15 veh/m per lane it is
1,800 veh/h per lane at 30 km/h, 1,000 at 10 km/h and 600 at 5 km/h. A link whose length or
free speed is not a positive number is an ``InputError`` naming it. Links that give way at
junctions without signals get the capacity of a minor approach (``twin.mobility.priority``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.graph import RoadGraph
from simulation.mobility import Settings, SignalPlan, TurnCapacities
from twin.connectivity import (
    banned_turn_links,
    largest_turn_component,
    reachable_junctions,
)
from twin.errors import InputError
from twin.importers.road_classes import ACCESS_ONLY_CLASSES
from twin.mobility.priority import FOLLOW_UP_HEADWAY, with_right_of_way
from twin.mobility.signals import DEFAULT_CYCLE, DEFAULT_LOST_TIME, SignalSummary, signal_plan
from twin.mobility.sumo_connections import twin_tl_connections
from twin.model import Network, Twin
from twin.quantities import MS_PER_KMH

MAX_WAVE_SPEED = 20.0 * MS_PER_KMH
"""m/s: the backward wave speed a link's capacity may imply at most (see the module docstring)."""
JAM_DENSITY = Settings().jam_density
"""veh/m per lane: the kernel's default jam density, which the capacity bound assumes."""


@dataclass(frozen=True)
class RoutableNetwork:
    """The largest SCC of a twin's network as kernel inputs.

    network: its nodes, links and signal phases (tables reindexed 0..n-1: row i is kernel node or
    link i); graph: the CSR arrays; signals: the fixed-time plan; signal_summary: how the plan was
    made; dropped_nodes, dropped_links: counts outside the component; notes: readable lines on all of it.

    Attributes
    ----------
    network : Network
        Nodes, links and signal phases of the component, tables reindexed 0..n-1 (row i is
        kernel node or link i); lengths [m], free speeds [m/s], capacities [veh/h] as in
        ``Network.links``.
    graph : RoadGraph
        The component as the kernel's CSR arrays: link ``length`` [m], ``free_speed`` [m/s],
        ``capacity`` over all lanes [veh/h].
    signals : SignalPlan
        Fixed-time plan: cycle and offset per node, green window per link [s].
    signal_summary : SignalSummary
        How the plan was made (programmed and generated nodes, merged windows).
    dropped_nodes : int
        Nodes of the twin's network outside the component [-].
    dropped_links : int
        Links of the twin's network outside the component [-].
    notes : tuple of str
        Readable lines on what was dropped and how the signals were planned.
    reachable : ndarray of bool
        Per kernel node, whether cars reach it over open links (False inside a closed
        stretch) [-].
    access_only : ndarray of bool or None
        Per kernel link, whether a trip may use it only at its start or end
        (``simulation.mobility.access``): the links of the access-only classes and the links
        reachable only over them; None when there are none [-].
    """

    network: Network
    graph: RoadGraph
    signals: SignalPlan
    signal_summary: SignalSummary
    dropped_nodes: int
    dropped_links: int
    notes: tuple[str, ...]
    reachable: np.ndarray
    access_only: np.ndarray | None = None

    @property
    def node_ids(self) -> np.ndarray:
        return self.network.nodes["id"].to_numpy()

    @property
    def link_ids(self) -> np.ndarray:
        return self.network.links["id"].to_numpy()

    @cached_property
    def turns(self) -> TurnCapacities | None:
        """The banned turns as kernel turns of capacity 0; None without any."""
        banned_from, banned_to = banned_turn_links(self.network)
        if not banned_from.size:
            return None
        return TurnCapacities(banned_from, banned_to, np.zeros(banned_from.size))

    @cached_property
    def free_flow_time(self) -> np.ndarray:
        """Per link, s: length / free speed."""
        return self.graph.length / self.graph.free_speed

    def node_positions(self, ids: np.ndarray) -> np.ndarray:
        """Kernel index of each node id; -1 where a node is not in the component."""
        return self.network.node_index.get_indexer(np.asarray(ids, dtype=object))


def routable_network(twin: Twin, program: str | None = None, cycle: float = DEFAULT_CYCLE,
                     lost_time: float = DEFAULT_LOST_TIME,
                     jam_density: float = JAM_DENSITY,
                     access_only_classes: Collection[str] = ACCESS_ONLY_CLASSES
                     ) -> RoutableNetwork:
    """The twin's largest SCC with its signal plan and capacities its free speeds allow.

    Programmes in ``Network.signals`` are mapped through the connections of the twin's SUMO
    sources (when the files are present and unchanged); other signalised nodes get generated
    two-phase plans of ``cycle`` s with ``lost_time`` s (see ``twin.mobility.signals``).

    Parameters
    ----------
    twin : Twin
        The twin whose ``network`` is cut to its largest strongly connected component.
    program : str, optional
        The programme id to use where a node has several; None (or an id a node lacks): the
        node's first programme.
    cycle : float, default ``DEFAULT_CYCLE`` (90.0)
        Cycle of the generated two-phase plans [s].
    lost_time : float, default ``DEFAULT_LOST_TIME`` (6.0)
        Time per cycle without green in the generated plans [s]; 0 <= lost_time < cycle.
    jam_density : float, default ``JAM_DENSITY``
        Jam density per lane the kernel will run with [veh/m]; capacities are bounded for it.
    access_only_classes : collection of str, default ``ACCESS_ONLY_CLASSES`` (service)
        Road classes a trip uses only at its start or end, never to pass through; empty:
        every class carries through traffic.

    Returns
    -------
    RoutableNetwork
        The component, its kernel graph, signal plan, what was dropped and notes.

    Raises
    ------
    InputError
        At ``network`` when the twin has no road links, or at ``network.links.length`` /
        ``free_speed`` for a link whose value is not a positive number.
    ValueError
        When ``cycle`` does not exceed ``lost_time`` or ``lost_time`` < 0.
    """
    if twin.network.is_empty():
        raise InputError(None, "network", f"twin {twin.name!r} has no road links to simulate on")
    _check_links(twin.network)
    network, lowered = with_speed_limited_capacity(twin.network, jam_density)
    network, giving_way = with_right_of_way(network)
    component, dropped_nodes, dropped_links = largest_component(network)
    reachable = reachable_junctions(component)
    cut_off = int((~reachable).sum())
    connections, notes = twin_tl_connections(twin) if len(twin.network.signals) else (None, [])
    plan, summary = signal_plan(component, connections, program, cycle, lost_time)
    total_links = len(twin.network.links)
    kept = len(component.links)
    scope = (f"routing on the largest strongly connected component: {kept} of {total_links} links "
             f"({kept / total_links:.1%}); dropped {dropped_links} links and {dropped_nodes} nodes outside it")
    closure = ([f"{cut_off} junctions are reachable only over closed links: no trip starts or "
                f"ends there"] if cut_off else [])
    if lowered:
        notes.append(f"{lowered} links: capacity lowered to what their free speed allows "
                     f"(backward wave at most {MAX_WAVE_SPEED / MS_PER_KMH:.0f} km/h)")
    if len(component.turn_bans):
        notes.append(f"{len(component.turn_bans)} banned turns (turn restrictions) never taken")
    if giving_way:
        notes.append(f"{giving_way} links give way at junctions without signals: capacity of a "
                     f"minor approach, {3600.0 / FOLLOW_UP_HEADWAY:.0f} veh/h per lane")
    access_only, access_notes = access_only_links(component, access_only_classes)
    notes = [scope, *closure, *access_notes, *notes, *summary.lines()]
    return RoutableNetwork(network=component, graph=component.graph, signals=plan,
                           signal_summary=summary, dropped_nodes=dropped_nodes,
                           dropped_links=dropped_links, notes=tuple(notes), reachable=reachable,
                           access_only=access_only)


def access_only_links(network: Network, classes: Collection[str]
                      ) -> tuple[np.ndarray | None, list[str]]:
    """Per link, whether a trip may use it only at its start or end: the links of ``classes``,
    and the open links outside the largest strongly connected component of the others (they are
    reached only over access-only links, so through routes could not keep the rule); closed
    links count with the through ones. With that, every trip that has a path has one under the
    rule. (None, no notes) when no open link is of ``classes``."""
    links = network.links
    marked = links["road_class"].isin(list(classes)).to_numpy()
    open_ = links["capacity"].to_numpy(dtype=np.float64) > 0
    if not (marked & open_).any():
        return None, []
    graph = network.graph
    through = largest_turn_component(graph, banned_turn_links(network), usable=~marked & open_)
    access = (marked | ~through) & open_
    behind = int((access & ~marked).sum())
    length_km = float(links["length"].to_numpy(dtype=np.float64)[access & marked].sum()) / 1000.0
    names = ", ".join(sorted(set(links["road_class"][marked & open_])))
    note = (f"{int((access & marked).sum())} links ({length_km:.1f} km) of class {names}: used only "
            f"to start or end a trip, never to pass through")
    if behind:
        note += f"; {behind} more links reached only over them likewise"
    return access, [note]


def largest_component(network: Network) -> tuple[Network, int, int]:
    """(the network cut to its largest SCC, dropped node count, dropped link count)."""
    graph = network.graph
    keep_links = largest_turn_component(graph, banned_turn_links(network))
    keep_nodes = np.zeros(graph.n_nodes, dtype=bool)
    keep_nodes[graph.link_from[keep_links]] = keep_nodes[graph.link_to[keep_links]] = True
    nodes = network.nodes[keep_nodes].reset_index(drop=True)
    links = network.links[keep_links].reset_index(drop=True)
    signals = network.signals[network.signals["node_id"].isin(set(nodes["id"]))]
    kept = set(links["id"])
    bans = network.turn_bans
    bans = bans[bans["from_link"].isin(kept) & bans["to_link"].isin(kept)]
    component = Network(nodes=nodes, links=links, signals=pd.DataFrame(signals).reset_index(drop=True),
                        turn_bans=pd.DataFrame(bans).reset_index(drop=True))
    return component, int((~keep_nodes).sum()), int((~keep_links).sum())


def _check_links(network: Network) -> None:
    """InputError for the first link whose length or free speed is not a positive number."""
    links = network.links
    for column, unit in (("length", "m"), ("free_speed", "m/s")):
        values = links[column].to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~(values > 0) | ~np.isfinite(values))
        if bad.size:
            raise InputError(None, f"network.links.{column}",
                             f"link {links['id'].iloc[bad[0]]!r} has {values[bad[0]]} {unit}, "
                             f"expected a number > 0 ({bad.size} links)")


def speed_limited_capacity(free_speed: np.ndarray, lanes: np.ndarray,
                           jam_density: float = JAM_DENSITY) -> np.ndarray:
    """The largest capacity whose triangular diagram has a backward wave of at most
    ``MAX_WAVE_SPEED``.

    Parameters
    ----------
    free_speed : ndarray
        Free speed per link [m/s].
    lanes : ndarray
        Lanes per link [-]; links count at least one.
    jam_density : float
        Jam density per lane [veh/m].

    Returns
    -------
    ndarray
        Capacity per link over all lanes [veh/h].
    """
    k_jam = jam_density * np.maximum(lanes, 1)
    return 3600.0 * k_jam * free_speed * MAX_WAVE_SPEED / (free_speed + MAX_WAVE_SPEED)


def with_speed_limited_capacity(network: Network, jam_density: float) -> tuple[Network, int]:
    """(the network with every capacity at most ``speed_limited_capacity``, links lowered)."""
    links = network.links
    bound = speed_limited_capacity(links["free_speed"].to_numpy(dtype=np.float64),
                                   links["lanes"].to_numpy(), jam_density)
    capacity = links["capacity"].to_numpy(dtype=np.float64)
    above = capacity > bound * (1.0 + 1e-9)  # not for rounding: 1,800 veh/h at 30 km/h is the bound
    if not above.any():
        return network, 0
    lowered = links.assign(capacity=np.where(above, bound, capacity))
    return dataclasses.replace(network, links=lowered), int(above.sum())
