"""The drivable road network of an OpenStreetMap extract: links from junction to junction.

OpenStreetMap cuts a street wherever a tag changes and puts a ``highway=traffic_signals`` node
on each approach a few metres before a junction; a dual carriageway crossing is four nodes a few
metres apart. Links cut at all of those are mostly shorter than a car, so the network is built
the way SUMO's netconvert builds it with ``--geometry.remove --junctions.join --tls.guess-signals
--tls.discard-simple`` (SUMO user documentation, "Networks/Further Options" and "Networks/Import/
OpenStreetMap"; netconvert 1.28 option defaults), in four steps:

1. **Pieces**: the drivable ways cut at every node two of them share (or one way uses twice), at
   way ends and where the extract cuts a way; closed loops also at their middle node.
2. **Way joints merged** (netconvert ``--geometry.remove``): a node where exactly two pieces meet
   is no junction; the two become one piece when every attribute traffic depends on is the same
   on both sides, in both directions of travel: road class, lanes, free speed, capacity (so
   one-way-ness too) and street name. The name is part of it so that scenarios selecting links
   by street name keep selecting exactly that street. The merged piece keeps the full geometry
   (a LineString through every node) and the geodesic length; its id is that of its first piece
   in file order. Where something changes (lanes, speed, name), the joint stays a node.
3. **Junction clusters joined** (netconvert ``--junctions.join``, ``junctions.join-dist``
   ``JOIN_DISTANCE`` = 10 m): nodes linked by pieces shorter than 10 m form a candidate
   cluster. As netconvert does, nodes at its fringe that are only a bend of a road (one
   neighbour in the cluster, at most one outside, no signal of their own) are pruned first, and
   a cluster is not joined when it has more than four incoming links, two incoming (or two
   outgoing) links from outside that run parallel (within 30°, unless they meet the same node
   at 10° or more), a link inside it longer than 10 m + 3.2 m per lane beyond the first, or, without a
   signal, when it is a line of more than two nodes without a loop, only one entry or exit
   node, or two nodes joined by one one-way link with little cross traffic (a merge or a
   diverge). A joined cluster becomes one node at the mean position of its members, id
   ``cluster_<member ids>`` (the first four, as netconvert names them); the links inside it are
   removed and the links to it end at its centre (their length measured to it).
4. **Signals** (netconvert ``--tls.guess-signals``, ``tls.guess-signals.dist``
   ``SIGNAL_DISTANCE`` = 25 m, and ``--tls.discard-simple``): a signal node at a junction (a
   node where three or more pieces meet) signalises it. A signal node on a road is an approach
   signal: a junction is signalised when every link entering it has one within 25 m upstream.
   Signal nodes that signalise no junction (pedestrian crossings, signals on some approaches
   only) are not modelled, and counted. The plan of a signalised junction is made from its
   approaches by ``twin.mobility.signals``.

Node control: ``signal`` for signalised junctions, ``priority`` where three or more links meet,
``none`` otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod

from twin.importers.osm_turns import LinkEnds, Restriction, turn_bans
from twin.model import LINK_COLUMNS, NODE_COLUMNS, TURN_BAN_COLUMNS, empty_frame, empty_table

WGS84 = CRS.from_epsg(4326)
GEOD = Geod(ellps="WGS84")

JOIN_DISTANCE = 10.0
"""m: nodes linked by a piece shorter than this form a junction cluster (netconvert's
``junctions.join-dist`` default)."""
SIGNAL_DISTANCE = 25.0
"""m: an approach signal belongs to the junction it precedes within this distance along the road
(netconvert's ``tls.guess-signals.dist`` default)."""
LANE_WIDTH = 3.2
"""m: per lane beyond the first, a link inside a cluster may be this much longer than
``JOIN_DISTANCE`` (netconvert's default lane width)."""
PARALLEL_ANGLE = 30.0
"""degree: two links entering (or leaving) a cluster closer in direction than this run parallel."""
PARALLEL_ANGLE_SAME_NODE = 10.0
"""degree: parallel links meeting the same node (or ending closer than ``JOIN_DISTANCE``) may be
this close in direction."""
MAX_INCOMING = 4
"""A cluster with more incoming links than this is not joined (netconvert's rule)."""
COMPACT_LENGTH = 5.0
"""m: without a signal, a cluster of more than two nodes whose longest link is longer than this
is joined only if its links form a loop (netconvert's compactness rule)."""
MAX_JOINED_IDS = 4
"""Member ids named in a joined node's id; the rest are counted (netconvert's ``max-join-ids``)."""


@dataclass(frozen=True)
class RoadAttributes:
    """Per-direction attributes of one drivable way: lanes (0 = closed), free speed m/s,
    capacity veh/h over all lanes."""

    way_id: int
    road_class: str
    name: str | None
    lanes: tuple[int, int]
    free_speed: tuple[float, float]
    capacity: tuple[float, float]

    def along(self, forward: bool) -> tuple[int, int, float, float, float, float]:
        """(lanes, reverse lanes, speed, reverse speed, capacity, reverse capacity) of a travel
        direction: along the way's node order (``forward``) or against it."""
        a, b = (0, 1) if forward else (1, 0)
        return (self.lanes[a], self.lanes[b], self.free_speed[a], self.free_speed[b],
                self.capacity[a], self.capacity[b])


@dataclass(frozen=True)
class RoadPieces:
    """Drivable ways as runs of consecutive located nodes: ``refs``, ``lon``, ``lat`` flat (OSM
    node id and degrees per node), ``piece_start`` the offset of each run, ``piece_road`` its
    road (index into ``roads``); ``signals``: ids of ``highway=traffic_signals`` nodes."""

    roads: list[RoadAttributes]
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    piece_start: np.ndarray
    piece_road: np.ndarray
    signals: frozenset[int]


@dataclass
class Chain:
    """A piece of road between two graph nodes, oriented along the way of its first piece.

    points: positions in the flat node arrays, in order; stem: id of the first piece,
    ``"{way}:{seq}"``; road: index of that piece's road (its attributes apply); length: m,
    geodesic; signals: (m from the start, node id) of the approach signal nodes on it (signal
    nodes where fewer than three pieces meet); tail, head: node ids
    at its ends (joined nodes after step 3); tail_extra, head_extra: (lon, lat) of a joined
    node's centre added before the first / after the last point; tail_gain, head_gain: m the
    chain gained at either end by reaching that centre.
    """

    points: np.ndarray
    stem: str
    road: int
    length: float = 0.0
    signals: list[tuple[float, int]] = field(default_factory=list)
    tail: str = ""
    head: str = ""
    tail_extra: tuple[float, float] | None = None
    head_extra: tuple[float, float] | None = None
    tail_gain: float = 0.0
    head_gain: float = 0.0


@dataclass(frozen=True)
class OsmNetwork:
    """Nodes and links (EPSG:4326), the banned turns (``TURN_BAN_COLUMNS``) and readable notes
    on how they were built."""

    nodes: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    turn_bans: pd.DataFrame
    notes: list[str]


def road_network(pieces: RoadPieces, restrictions: Sequence[Restriction] = ()) -> OsmNetwork:
    """The junction-to-junction network of the road pieces, with the turn ``restrictions``
    as banned turns (see the module docstring and ``twin.importers.osm_turns``)."""
    if pieces.piece_start.size == 0:
        return OsmNetwork(empty_frame(NODE_COLUMNS, WGS84), empty_frame(LINK_COLUMNS, WGS84),
                          empty_table(TURN_BAN_COLUMNS), ["no drivable roads"])
    start, end, road = split_pieces(pieces)
    notes: Counter[str] = Counter()
    degree = Counter(pieces.refs[start].tolist() + pieces.refs[end].tolist())
    chains = merge_joints(pieces, start, end, road, degree, notes)
    measure(pieces, chains, degree)
    position = node_positions(pieces)
    members = join_clusters(chains, position, pieces, degree, notes)
    signalised = signalised_junctions(chains, members, pieces, degree, notes)
    junction_of = {int(m): node for node, part in members.items() for m in part if m.isdigit()}
    bans = turn_bans(restrictions, link_ends(pieces, chains), junction_of, notes)
    if len(bans):
        notes["banned turns from turn restrictions"] = len(bans)
    lines = [f"{what}: {count}" for what, count in notes.items() if count]
    return OsmNetwork(node_frame(chains, members, position, signalised),
                      link_frame(pieces, chains), bans, lines)


# --- step 1: pieces ----------------------------------------------------------------------------


def split_pieces(pieces: RoadPieces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, road) of the pieces between nodes shared by ways, way ends and the middle
    of closed loops; start and end are positions in the flat arrays (inclusive)."""
    refs = pieces.refs
    starts = pieces.piece_start
    ends = np.append(starts[1:], refs.size) - 1
    run = np.repeat(np.arange(starts.size), ends - starts + 1)
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    cut = counts[inverse] >= 2
    cut[starts] = cut[ends] = True
    start, end = _cut_pairs(cut, run)
    loop = (refs[start] == refs[end]) & (end - start >= 2)
    cut[(start[loop] + end[loop]) // 2] = True
    start, end = _cut_pairs(cut, run)
    keep = refs[start] != refs[end]
    return start[keep], end[keep], pieces.piece_road[run[start[keep]]]


def _cut_pairs(cut: np.ndarray, run: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) positions of consecutive cut points within the same run."""
    points = np.flatnonzero(cut)
    start, end = points[:-1], points[1:]
    same = run[start] == run[end]
    return start[same], end[same]


# --- step 2: way joints ------------------------------------------------------------------------


def merge_joints(pieces: RoadPieces, start: np.ndarray, end: np.ndarray, road: np.ndarray,
                 degree: Counter[int], notes: Counter[str]) -> list[Chain]:
    """Chains of pieces merged at way joints whose attributes agree (step 2)."""
    refs = pieces.refs
    seq = np.arange(road.size) - np.searchsorted(road, road)
    ends_at: dict[int, list[tuple[int, int]]] = {}
    for k in range(start.size):
        ends_at.setdefault(int(refs[start[k]]), []).append((k, 0))
        ends_at.setdefault(int(refs[end[k]]), []).append((k, 1))

    def direction(k: int, forward: bool) -> tuple[object, ...]:
        attributes = pieces.roads[road[k]]
        return (attributes.road_class, attributes.name, *attributes.along(forward))

    partner: dict[tuple[int, int], tuple[int, int]] = {}
    for node, incident in ends_at.items():
        if degree[node] != 2 or len(incident) != 2 or incident[0][0] == incident[1][0]:
            continue
        (a, end_a), (b, end_b) = incident
        # travelling through the joint: along a if it ends here, and along b if it starts here
        if direction(a, end_a == 1) == direction(b, end_b == 0):
            partner[(a, end_a)] = (b, end_b)
            partner[(b, end_b)] = (a, end_a)
    notes["way joints merged (one road continues)"] = len(partner) // 2
    chains = []
    done = np.zeros(start.size, dtype=bool)
    for k in range(start.size):
        if done[k]:
            continue
        walk = _walk(k, partner)
        done[[piece for piece, _ in walk]] = True
        first_piece, last_piece = walk[0], walk[-1]
        first_node = refs[start[first_piece[0]] if first_piece[1] else end[first_piece[0]]]
        last_node = refs[end[last_piece[0]] if last_piece[1] else start[last_piece[0]]]
        halves = [walk] if first_node != last_node else [walk[: len(walk) // 2], walk[len(walk) // 2:]]
        for half in halves:  # a loop is cut at its middle joint
            chains.append(_chain(half, pieces, start, end, road, seq))
    return chains


def _chain(walk: list[tuple[int, bool]], pieces: RoadPieces, start: np.ndarray, end: np.ndarray,
           road: np.ndarray, seq: np.ndarray) -> Chain:
    """The chain of the pieces of ``walk``, oriented along the way of its first piece (in file
    order) and named after it."""
    first = min(walk)[0]
    if not dict(walk)[first]:
        walk = [(piece, not forward) for piece, forward in reversed(walk)]
    points = np.concatenate([
        np.arange(start[p], end[p] + 1) if forward else np.arange(end[p], start[p] - 1, -1)
        for p, forward in walk])
    refs = pieces.refs
    points = np.delete(points, np.flatnonzero(refs[points[1:]] == refs[points[:-1]]) + 1)
    return Chain(points, f"{pieces.roads[road[first]].way_id}:{seq[first]}", int(road[first]))


def _walk(k: int, partner: dict[tuple[int, int], tuple[int, int]]) -> list[tuple[int, bool]]:
    """The pieces (index, travelled along the way) of the chain through piece ``k``, in order."""
    piece, forward = k, True
    while (piece, 0 if forward else 1) in partner:  # back to the chain's first piece
        other, other_end = partner[(piece, 0 if forward else 1)]
        piece, forward = other, other_end == 1
        if piece == k:  # a ring of joints: start anywhere
            break
    walk = [(piece, forward)]
    while (walk[-1][0], 1 if walk[-1][1] else 0) in partner:
        other, other_end = partner[(walk[-1][0], 1 if walk[-1][1] else 0)]
        if other == walk[0][0]:
            break
        walk.append((other, other_end == 0))
    return walk


def measure(pieces: RoadPieces, chains: list[Chain], degree: Counter[int]) -> None:
    """Set each chain's geodesic length, end node ids and the positions of the approach signals
    on it (signal nodes that are not junctions)."""
    sizes = np.array([c.points.size for c in chains])
    flat = np.concatenate([c.points for c in chains])
    step = GEOD.inv(pieces.lon[flat[:-1]], pieces.lat[flat[:-1]],
                    pieces.lon[flat[1:]], pieces.lat[flat[1:]])[2]
    along = np.concatenate([[0.0], np.cumsum(step)])
    first = np.cumsum(sizes) - sizes
    signal = np.isin(pieces.refs[flat], np.fromiter(pieces.signals, np.int64, len(pieces.signals)))
    for k, chain in enumerate(chains):
        begin, stop = first[k], first[k] + sizes[k]
        chain.length = float(along[stop - 1] - along[begin])
        chain.tail = str(pieces.refs[chain.points[0]])
        chain.head = str(pieces.refs[chain.points[-1]])
        chain.signals = [(float(along[i] - along[begin]), int(pieces.refs[flat[i]]))
                         for i in range(begin, stop)
                         if signal[i] and degree[int(pieces.refs[flat[i]])] < 3]


def node_positions(pieces: RoadPieces) -> dict[str, tuple[float, float]]:
    """(lon, lat) of every road node by id."""
    ids, first = np.unique(pieces.refs, return_index=True)
    return dict(zip(ids.astype(str), zip(pieces.lon[first].tolist(), pieces.lat[first].tolist(),
                                          strict=True), strict=True))


# --- step 3: junction clusters -----------------------------------------------------------------


@dataclass(frozen=True)
class _Arm:
    """A directed link at a cluster: its chain, its direction (True: tail to head), the node of
    the cluster it meets and its bearing there (rad, east = 0, of the direction of travel)."""

    chain: int
    forward: bool
    node: str
    bearing: float


def join_clusters(chains: list[Chain], position: dict[str, tuple[float, float]],
                  pieces: RoadPieces, degree: Counter[int],
                  notes: Counter[str]) -> dict[str, list[str]]:
    """Join junction clusters (step 3): re-attach the chains to the joined nodes, drop the chains
    inside them; the members (original node ids) of every node that remains."""
    junction_signals = {str(s) for s in pieces.signals if degree[s] >= 3}
    short = [c for c in chains if c.length < JOIN_DISTANCE]
    touching: dict[str, list[int]] = {}
    for k, c in enumerate(chains):
        touching.setdefault(c.tail, []).append(k)
        touching.setdefault(c.head, []).append(k)
    joined: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for cluster in _components([(c.tail, c.head) for c in short]):
        near = [chains[k] for k in sorted({k for n in cluster for k in touching.get(n, ())})]
        for part in _prune_fringe(cluster, near, junction_signals):
            reason = _refusal(part, near, junction_signals, position, pieces)
            if reason:
                notes[f"junction clusters not joined ({reason})"] += 1
                continue
            node = _cluster_id(part)
            members[node] = sorted(part, key=_id_order)
            joined.update(dict.fromkeys(part, node))
    notes["junction clusters joined (netconvert-style, 10 m)"] = len(members)
    notes["nodes joined into them"] = len(joined)
    centre = {node: _mean_position([position[m] for m in part]) for node, part in members.items()}
    kept = []
    for chain in chains:
        tail, head = joined.get(chain.tail, chain.tail), joined.get(chain.head, chain.head)
        if tail == head and tail in members:
            notes["links inside joined junctions removed"] += 1
            continue
        if tail in members:
            chain.tail_extra = centre[tail]
            chain.tail_gain = _distance(centre[tail], position[chain.tail])
            chain.signals = [(s + chain.tail_gain, node) for s, node in chain.signals]
        if head in members:
            chain.head_extra = centre[head]
            chain.head_gain = _distance(position[chain.head], centre[head])
        chain.length += chain.tail_gain + chain.head_gain
        chain.tail, chain.head = tail, head
        kept.append(chain)
    chains[:] = kept
    for node in {n for c in chains for n in (c.tail, c.head)} - members.keys():
        members[node] = [node]
    position.update(centre)
    return members


def _components(pairs: list[tuple[str, str]]) -> Iterator[set[str]]:
    """Connected components (of two or more nodes) of the undirected graph of ``pairs``."""
    neighbours: dict[str, set[str]] = {}
    for a, b in pairs:
        if a != b:
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    seen: set[str] = set()
    for node in sorted(neighbours, key=_id_order):
        if node in seen:
            continue
        component, stack = set(), [node]
        while stack:
            current = stack.pop()
            if current not in component:
                component.add(current)
                stack.extend(neighbours[current] - component)
        seen |= component
        yield component


def _prune_fringe(cluster: set[str], chains: list[Chain],
                  junction_signals: set[str]) -> list[set[str]]:
    """The cluster without the bends of a road at its fringe (a node with one neighbour in the
    cluster and at most one outside, and no signal), as connected parts of two or more nodes
    linked by short pieces; ``chains``: at least every chain that touches the cluster."""
    near = [c for c in chains if c.tail in cluster or c.head in cluster]
    while True:
        neighbours: dict[str, set[str]] = {n: set() for n in cluster}
        for c in near:
            for a, b in ((c.tail, c.head), (c.head, c.tail)):
                if a in cluster and b != a:
                    neighbours[a].add(b)
        fringe = {n for n, around in neighbours.items()
                  if n not in junction_signals and len(around & cluster) <= 1
                  and len(around - cluster) <= 1}
        if not fringe:
            break
        cluster = cluster - fringe
    pairs = [(c.tail, c.head) for c in near
             if c.length < JOIN_DISTANCE and c.tail in cluster and c.head in cluster]
    return list(_components(pairs))


def _refusal(cluster: set[str], chains: list[Chain], junction_signals: set[str],
             position: dict[str, tuple[float, float]], pieces: RoadPieces) -> str:
    """Why the cluster is not joined (netconvert's feasibility rules), or "" to join it;
    ``chains``: at least every chain that touches the cluster, in their order."""
    inside = [c for c in chains if c.tail in cluster and c.head in cluster]
    lanes = [max(pieces.roads[c.road].lanes) for c in chains if c.tail in cluster or c.head in cluster]
    if any(c.length > JOIN_DISTANCE + LANE_WIDTH * (max(lanes) - 1) for c in inside):
        return "a long link inside"
    incoming, outgoing = _arms(cluster, chains, pieces, position)
    if len(incoming) > MAX_INCOMING:
        return f"more than {MAX_INCOMING} incoming links"
    if _parallel(incoming, position) or _parallel(outgoing, position):
        return "parallel links"
    if cluster & junction_signals:
        return ""
    if len(cluster) > 2 and max(c.length for c in inside) > COMPACT_LENGTH \
            and len({(c.tail, c.head) for c in inside}) < len(cluster):
        return "not compact"
    if len({arm.node for arm in incoming}) < 2 or len({arm.node for arm in outgoing}) < 2:
        return "one entry or exit node"
    within = sum(pieces.roads[c.road].lanes[0] > 0 for c in inside) \
        + sum(pieces.roads[c.road].lanes[1] > 0 for c in inside)
    if len(cluster) == 2 and within == 1 and len(incoming) < 3 and len(outgoing) < 3:
        return "a merge or diverge"
    return ""


def _arms(cluster: set[str], chains: list[Chain], pieces: RoadPieces,
          position: dict[str, tuple[float, float]]) -> tuple[list[_Arm], list[_Arm]]:
    """The links entering and leaving the cluster from outside it."""
    incoming: list[_Arm] = []
    outgoing: list[_Arm] = []
    for k, c in enumerate(chains):
        if (c.tail in cluster) == (c.head in cluster):
            continue
        lanes = pieces.roads[c.road].lanes
        points = c.points
        at_head = c.head in cluster
        node = c.head if at_head else c.tail
        inner, outer = (points[-1], points[-2]) if at_head else (points[0], points[1])
        towards = _bearing((pieces.lon[outer], pieces.lat[outer]), (pieces.lon[inner], pieces.lat[inner]))
        away = towards + np.pi
        if lanes[0] > 0:  # travel from tail to head
            (incoming if at_head else outgoing).append(_Arm(k, True, node, towards if at_head else away))
        if lanes[1] > 0:
            (outgoing if at_head else incoming).append(_Arm(k, False, node, away if at_head else towards))
    return incoming, outgoing


def _parallel(arms: list[_Arm], position: dict[str, tuple[float, float]]) -> bool:
    """Whether two of the arms run parallel (netconvert's test for clusters not to join)."""
    for i, a in enumerate(arms):
        for b in arms[i + 1:]:
            diff = np.degrees(abs(np.angle(np.exp(1j * (a.bearing - b.bearing)))))
            if diff >= PARALLEL_ANGLE:
                continue
            close = a.node == b.node or _distance(position[a.node], position[b.node]) < JOIN_DISTANCE
            if diff < PARALLEL_ANGLE_SAME_NODE or not close:
                return True
    return False


def _mean_position(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Mean (lon, lat) of a few nearby points."""
    lon, lat = np.mean(np.asarray(points), axis=0)
    return float(lon), float(lat)


def _bearing(start: tuple[float, float], end: tuple[float, float]) -> float:
    """Direction (rad, east = 0, north = pi/2) from ``start`` to ``end`` (lon, lat)."""
    dx = (end[0] - start[0]) * np.cos(np.radians(start[1]))
    return float(np.arctan2(end[1] - start[1], dx))


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance (m) between two (lon, lat) points."""
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _id_order(node: str) -> tuple[int, str]:
    """Sort key of node ids: OSM ids numerically."""
    return (int(node), "") if node.isdigit() else (0, node)


def _cluster_id(cluster: set[str]) -> str:
    """``cluster_<ids>`` of the first ``MAX_JOINED_IDS`` members, ``_#<n>more`` for the rest."""
    ids = sorted(cluster, key=_id_order)
    more = f"_#{len(ids) - MAX_JOINED_IDS}more" if len(ids) > MAX_JOINED_IDS else ""
    return "cluster_" + "_".join(ids[:MAX_JOINED_IDS]) + more


# --- step 4: signals ---------------------------------------------------------------------------


def signalised_junctions(chains: list[Chain], members: dict[str, list[str]], pieces: RoadPieces,
                         degree: Counter[int], notes: Counter[str]) -> set[str]:
    """The junctions signalised by their own signal node or by an approach signal on every link
    entering them (step 4); counts the signal nodes used.

    As netconvert measures a signal's distance to the junction's edge, the distance along the
    road to the junction's centre may exceed ``SIGNAL_DISTANCE`` by the junction's radius: half
    the width of the widest road meeting there (``LANE_WIDTH`` per lane, both directions), plus
    for a joined junction the distance of its farthest member from its centre. The search
    continues upstream through nodes where only two links meet (netconvert propagates signals
    to the next junction)."""
    signals = pieces.signals & frozenset(pieces.refs.tolist())
    own = {node for node, part in members.items()
           if any(m.isdigit() and int(m) in signals and degree[int(m)] >= 3 for m in part)}
    at_node: dict[str, list[tuple[int, int]]] = {}
    for k, chain in enumerate(chains):
        at_node.setdefault(chain.tail, []).append((k, 0))
        at_node.setdefault(chain.head, []).append((k, 1))
    radius = {node: LANE_WIDTH * max(sum(pieces.roads[chains[k].road].lanes) for k, _ in around) / 2.0
              + max(chains[k].head_gain if end == 1 else chains[k].tail_gain for k, end in around)
              for node, around in at_node.items()}
    entering: dict[str, list[int | None]] = {}
    for k, chain in enumerate(chains):
        lanes = pieces.roads[chain.road].lanes
        for forward, node in ((True, chain.head), (False, chain.tail)):
            if lanes[0 if forward else 1] > 0:
                limit = SIGNAL_DISTANCE + radius[node]
                entering.setdefault(node, []).append(
                    _upstream_signal(k, forward, chains, at_node, pieces, limit))
    guessed = {node for node, found in entering.items()
               if len(at_node[node]) >= 3 and len(found) >= 2 and None not in found}
    used = {int(m) for node in own for m in members[node] if m.isdigit() and int(m) in signals}
    used |= {s for node in guessed | own for s in entering.get(node, []) if s is not None}
    notes["traffic signal nodes on drivable roads"] = len(signals)
    notes["signalised junctions (a signal at the junction, or within 25 m of its edge on every "
          "approach)"] = len(own | guessed)
    notes["traffic signal nodes before no signalised junction (crossings, partly signalised "
          "junctions): not modelled"] = len(signals - used)
    return own | guessed


def _upstream_signal(k: int, forward: bool, chains: list[Chain],
                     at_node: dict[str, list[tuple[int, int]]], pieces: RoadPieces,
                     limit: float) -> int | None:
    """The id of the nearest approach signal within ``limit`` m upstream of the downstream end
    of chain ``k`` travelled ``forward`` (tail to head) or not, or None."""
    travelled = 0.0
    seen = {k}
    while True:
        chain = chains[k]
        ahead = [(chain.length - s if forward else s, node) for s, node in chain.signals]
        if ahead:
            distance, node = min(ahead)
            return node if travelled + distance <= limit else None
        travelled += chain.length
        around = at_node[chain.tail if forward else chain.head]
        if travelled > limit or len(around) != 2:
            return None
        k, end = around[0] if around[0][0] != k else around[1]
        forward = end == 1
        if k in seen or pieces.roads[chains[k].road].lanes[0 if forward else 1] == 0:
            return None
        seen.add(k)


# --- tables ------------------------------------------------------------------------------------


def node_frame(chains: list[Chain], members: dict[str, list[str]],
               position: dict[str, tuple[float, float]], signalised: set[str]) -> gpd.GeoDataFrame:
    """Graph nodes sorted by id (OSM ids numerically, joined nodes after them), with control:
    ``signal``, ``priority`` where three or more pieces meet, else ``none``."""
    ends: Counter[str] = Counter(n for c in chains for n in (c.tail, c.head))
    ids = sorted(members, key=_id_order)
    control = ["signal" if n in signalised else "priority" if ends[n] >= 3 else "none" for n in ids]
    xy = np.array([position[n] for n in ids], dtype=np.float64).reshape(-1, 2)
    frame = pd.DataFrame({"id": ids, "control": control}).astype(NODE_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(xy), crs=WGS84)


def link_ends(pieces: RoadPieces, chains: list[Chain]) -> LinkEnds:
    """The junctions and end ways of the links ``link_frame`` makes (same ids and order)."""
    way = np.array([road.way_id for road in pieces.roads], dtype=np.int64)
    piece_of = np.searchsorted(pieces.piece_start, np.arange(pieces.refs.size), side="right") - 1
    rows: list[tuple[str, str, str, int, int, int, int]] = []
    for chain in chains:
        points = chain.points
        first = int(way[pieces.piece_road[piece_of[points[min(1, points.size - 1)]]]])
        last = int(way[pieces.piece_road[piece_of[points[max(points.size - 2, 0)]]]])
        start, end = int(pieces.refs[points[0]]), int(pieces.refs[points[-1]])
        lanes = pieces.roads[chain.road].lanes
        if lanes[0]:
            rows.append((f"{chain.stem}:f", chain.tail, chain.head, first, last, start, end))
        if lanes[1]:
            rows.append((f"{chain.stem}:b", chain.head, chain.tail, last, first, end, start))
    columns = [list(column) for column in zip(*rows)] if rows else [[]] * 7
    way_nodes: dict[int, set[int]] = {}
    for piece, road in enumerate(pieces.piece_road):
        stop = pieces.piece_start[piece + 1] if piece + 1 < pieces.piece_start.size else pieces.refs.size
        way_nodes.setdefault(int(way[road]), set()).update(
            pieces.refs[pieces.piece_start[piece]:stop].tolist())
    ids, tail, head = (np.array(c, dtype=object) for c in columns[:3])
    first_way, last_way, first_node, last_node = (np.array(c, dtype=np.int64) for c in columns[3:])
    return LinkEnds(ids, tail, head, first_way, last_way, first_node, last_node, way_nodes)


def link_frame(pieces: RoadPieces, chains: list[Chain]) -> gpd.GeoDataFrame:
    """Directed links: ``"{stem}:f"`` along the chain (the way of its first piece) and
    ``"{stem}:b"`` against it where those directions are open, in chain order."""
    rows: list[dict[str, object]] = []
    lines = []
    for chain in chains:
        attributes = pieces.roads[chain.road]
        coords = np.column_stack([pieces.lon[chain.points], pieces.lat[chain.points]])
        if chain.tail_extra is not None:
            coords = np.vstack([chain.tail_extra, coords])
        if chain.head_extra is not None:
            coords = np.vstack([coords, chain.head_extra])
        line = shapely.linestrings(coords)
        for direction, suffix in ((0, "f"), (1, "b")):
            if attributes.lanes[direction] == 0:
                continue
            rows.append({
                "id": f"{chain.stem}:{suffix}",
                "from_node": chain.tail if direction == 0 else chain.head,
                "to_node": chain.head if direction == 0 else chain.tail,
                "length": chain.length,
                "lanes": attributes.lanes[direction],
                "free_speed": attributes.free_speed[direction],
                "capacity": attributes.capacity[direction],
                "road_class": attributes.road_class,
                "name": attributes.name,
            })
            lines.append(line if direction == 0 else shapely.reverse(line))
    if not rows:
        return empty_frame(LINK_COLUMNS, WGS84)
    frame = pd.DataFrame(rows).astype(LINK_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=lines, crs=WGS84)
