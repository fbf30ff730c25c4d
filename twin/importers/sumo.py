"""Read a SUMO road network (``.net.xml`` or ``.net.xml.gz``) into nodes, links and signals.

The file is parsed as a stream (defusedxml ``iterparse``, which refuses entity expansion and
external references); each top-level element is dropped once read, so a large net never sits in
memory as a whole DOM. Only the records the twin needs are kept.

- CRS: SUMO stores projected coordinates plus ``location.netOffset``; the offset is subtracted
  and ``location.projParameter`` (a PROJ string; its EPSG code where pyproj finds one) is the
  CRS. A net without projection (``projParameter="!"``) needs ``ImportOptions.crs``.
- Links: normal edges (no ``function``, or ``function="normal"``) with at least one lane that
  passenger cars may use (lane ``allow`` / ``disallow``). lanes = those lanes; free_speed m/s =
  their mean speed; length m = their mean lane length plus the stretches inside the two
  junctions (centre to lane end), so junction crossings count; capacity = lanes × the capacity per lane of
  the road class (edge ``type`` ``highway.primary`` → ``primary``, see ``twin.importers.road_classes``).
  Geometry is the centre of all lanes of the edge (the middle lane, or the mean of the two
  middle lanes), as SUMO draws and ``sumolib`` returns it; lane shapes stop at the junction
  border, so a link ends a few metres short of its node point.
- Nodes: the junctions the kept links start or end at; control ``signal`` for
  ``traffic_light*``, ``none`` for ``dead_end`` / ``unregulated`` / ``district``, else ``priority``.
- Signals: every phase of every ``<tlLogic>`` program, for each kept junction the traffic light
  controls (found through the ``tl`` attribute of ``<connection>``, or a junction of the same id).
- Bad records: a junction, edge or signal program with a number that is not finite or no road
  can have (``twin.importers.sumo_values``) is left out alone, as is an edge at a left-out
  junction; each kind is counted in one warning line naming the first.
"""

from __future__ import annotations

import gzip
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.road_classes import FALLBACK_CLASS, defaults_for
from twin.importers.sumo_values import (
    MAX_LENGTH,
    MAX_PHASE,
    MAX_SPEED,
    BadValue,
    Point,
    number,
    shape,
)
from twin.model import LINK_COLUMNS, NODE_COLUMNS, SIGNAL_COLUMNS

PASSENGER = "passenger"
NORMAL_FUNCTIONS = ("", "normal")
UNCONTROLLED_JUNCTIONS = ("dead_end", "unregulated", "district")


@dataclass
class _Edge:
    """A normal edge that passenger cars may use, in net coordinates (offset not yet removed)."""

    id: str
    from_node: str
    to_node: str
    road_class: str
    name: str | None
    lanes: int
    length: float
    speed: float
    shape: list[Point]


@dataclass
class _Net:
    """What the stream yields: location, usable edges, junctions, traffic-light programs."""

    offset: Point | None = None
    proj: str | None = None
    edges: list[_Edge] = field(default_factory=list)
    skipped_edges: int = 0
    edge_to: dict[str, str] = field(default_factory=dict)
    junctions: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    tl_phases: list[tuple[str, str, int, float, str]] = field(default_factory=list)
    tl_junctions: dict[str, set[str]] = field(default_factory=dict)
    unplaced_junctions: set[str] = field(default_factory=set)
    rejected: dict[str, list[str]] = field(default_factory=dict)
    """Records left out for a value the twin cannot use: kind -> the reasons, one a record."""

    def reject(self, kind: str, reason: str) -> None:
        """Count a record of ``kind`` (``edges``, ``junctions``, ...) left out for ``reason``."""
        self.rejected.setdefault(kind, []).append(reason)


def read_sumo_net(path: str | Path, options: ImportOptions = ImportOptions()) -> SourceData:
    """Nodes, links (m, m/s, veh/h) and signal phases (s) of a SUMO net, in its projected CRS.

    Parameters
    ----------
    path : str or Path
        The SUMO network (``.net.xml``, or gzipped ``.net.xml.gz``).
    options : ImportOptions, optional
        ``crs``: the CRS of a net without a projection.

    Returns
    -------
    SourceData
        Kind ``sumo``: ``nodes``, ``links`` (``length`` [m], ``free_speed`` [m/s], ``capacity``
        [veh/h], ``lanes`` [-]) and ``signals`` (phase ``duration`` [s]) in the net's CRS [m].

    Raises
    ------
    InputError
        For malformed XML (naming line and column), an unknown encoding, a root other than
        ``<net>``, a net without ``<location>`` or usable CRS, and an edge at a junction the
        net lacks.
    """
    path = Path(path)
    net = _parse(path)
    if net.offset is None:
        raise InputError(path, "location", "missing <location> element: the net has no CRS")
    crs = _crs(path, net.proj, options)
    _check_junctions(path, net)
    links = _links(net, crs)
    nodes = _nodes(net, links, crs)
    controlled = _tl_nodes(net, set(nodes["id"]))
    warnings = []
    if net.skipped_edges:
        warnings.append(f"skipped {net.skipped_edges} edges without a lane for passenger cars")
    unplaced = {tl for tl, *_ in net.tl_phases} - set(controlled)
    if unplaced:
        warnings.append(f"skipped {len(unplaced)} traffic lights that control no road for cars")
    warnings += [f"skipped {len(reasons)} {kind} with a value it cannot use (first: {reasons[0]})"
                 for kind, reasons in net.rejected.items()]
    return SourceData(
        path=path,
        kind="sumo",
        crs=crs,
        nodes=nodes,
        links=links,
        signals=_signals(net, controlled),
        warnings=warnings,
    )


def _open(path: Path) -> io.BufferedIOBase:
    """The file as a byte stream, gunzipped if it starts with the gzip magic number."""
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror}") from None
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def _top_level(path: Path) -> Iterator[Element]:
    """Each complete child of ``<net>``, freed from memory after the caller is done with it."""
    with _open(path) as stream:
        depth = 0
        root: Element | None = None
        try:
            for event, element in iterparse(stream, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = element
                        if element.tag != "net":
                            raise InputError(
                                path,
                                "root element",
                                f"expected <net> of a SUMO network, found <{element.tag}>",
                            )
                    depth += 1
                    continue
                depth -= 1
                if depth == 1:
                    yield element
                    assert root is not None  # set at the first start event
                    root.clear()
        except ParseError as error:
            line, column = error.position
            raise InputError(
                path, f"line {line}, column {column}", f"malformed XML: {error.msg}"
            ) from None
        except DefusedXmlException as error:
            raise InputError(path, None, f"refused unsafe XML: {error}") from None
        except LookupError as error:  # the XML declaration names an encoding Python lacks
            raise InputError(path, "encoding", f"not an encoding XML can be read in: {error}") from None
        except (OSError, EOFError) as error:
            raise InputError(path, None, f"cannot read: {error}") from None
    if root is None:
        raise InputError(path, None, "empty file: expected a SUMO network")


def _parse(path: Path) -> _Net:
    """Stream the file once and keep the records the twin needs."""
    net = _Net()
    for element in _top_level(path):
        tag = element.tag
        if tag == "location":
            net.offset = _pair(path, element, "netOffset")
            net.proj = element.get("projParameter", "!")
        elif tag == "edge":
            _read_edge(path, element, net)
        elif tag == "junction":
            try:
                net.junctions[element.get("id", "")] = (
                    element.get("type", ""), number(element, "x"), number(element, "y"))
            except BadValue as error:
                net.reject("junctions", str(error))
                net.unplaced_junctions.add(element.get("id", ""))
        elif tag == "tlLogic":
            _read_tl_logic(element, net)
        elif tag == "connection" and element.get("tl"):
            junction = net.edge_to.get(element.get("from", ""))
            if junction is not None:
                net.tl_junctions.setdefault(element.get("tl", ""), set()).add(junction)
    return net


def _read_edge(path: Path, element: Element, net: _Net) -> None:
    """Record a normal edge; keep it as a link if passenger cars may use one of its lanes."""
    if element.get("function", "") not in NORMAL_FUNCTIONS:
        return
    edge_id = element.get("id", "")
    from_node, to_node = element.get("from"), element.get("to")
    if from_node is None or to_node is None:
        raise InputError(path, f"edge {edge_id}", "normal edge without 'from' and 'to' junctions")
    net.edge_to[edge_id] = to_node
    lanes = element.findall("lane")
    usable = [lane for lane in lanes if _allows_passenger(lane)]
    if not usable:
        net.skipped_edges += 1
        return
    try:
        length = float(np.mean([number(lane, "length", 0.0, MAX_LENGTH) for lane in usable]))
        speed = float(np.mean([number(lane, "speed", 0.0, MAX_SPEED) for lane in usable]))
        centre = _centre_shape([shape(lane) for lane in lanes])
    except BadValue as error:
        net.reject("edges", f"edge {edge_id}: {error}")
        return
    if speed <= 0.0:
        net.reject("edges", f"edge {edge_id}: lane speed 0 m/s")
        return
    net.edges.append(
        _Edge(
            id=edge_id,
            from_node=from_node,
            to_node=to_node,
            road_class=_road_class(element.get("type", "")),
            name=element.get("name") or None,
            lanes=len(usable),
            length=length,
            speed=speed,
            shape=centre,
        )
    )


def _read_tl_logic(element: Element, net: _Net) -> None:
    """Record the phases of one traffic-light program (none of it if a duration is unusable)."""
    tl_id, program = element.get("id", ""), element.get("programID", "0")
    try:
        phases = [(tl_id, program, order, number(phase, "duration", 0.0, MAX_PHASE),
                   phase.get("state", "")) for order, phase in enumerate(element.findall("phase"))]
    except BadValue as error:
        net.reject("traffic-light programs", f"tlLogic {tl_id} program {program}: {error}")
        return
    net.tl_phases += phases


def _allows_passenger(lane: Element) -> bool:
    """True if the lane's ``allow`` / ``disallow`` lists let passenger cars use it."""
    allow, disallow = lane.get("allow"), lane.get("disallow")
    if allow is not None:
        return bool({PASSENGER, "all"} & set(allow.split()))
    if disallow is not None:
        return not {PASSENGER, "all"} & set(disallow.split())
    return True


def _road_class(edge_type: str) -> str:
    """OSM highway class of a SUMO edge type (``highway.primary|railway.tram`` → ``primary``)."""
    for part in edge_type.split("|"):
        if part.startswith("highway."):
            return part.removeprefix("highway.")
    return FALLBACK_CLASS


def _centre_shape(shapes: list[list[Point]]) -> list[Point]:
    """Centre line of the lanes: the middle lane, or the point-wise mean of the two middle ones."""
    middle = len(shapes) // 2
    if len(shapes) % 2 == 1:
        return shapes[middle]
    left, right = shapes[middle - 1], shapes[middle]
    return [((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0) for a, b in zip(left, right)]


def _pair(path: Path, element: Element, name: str) -> Point:
    value = element.get(name, "")
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        raise InputError(
            path, f"{element.tag}.{name}", f"expected 'x,y', found {value!r}"
        ) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(path, f"{element.tag}.{name}", f"expected finite numbers, found {value!r}")
    return (x, y)


def _crs(path: Path, proj: str | None, options: ImportOptions) -> CRS:
    """The net's CRS from ``projParameter``; ``options.crs`` for a net without projection."""
    if proj in (None, "", "!"):
        if options.crs is None:
            raise InputError(
                path,
                "location.projParameter",
                "the net has no projection ('!'); give the CRS of its coordinates",
            )
        return options.crs
    try:
        crs = CRS.from_user_input(proj)
    except CRSError as error:
        raise InputError(path, "location.projParameter", f"not a CRS: {proj!r} ({error})") from None
    code = crs.to_epsg()
    return CRS.from_epsg(code) if code is not None else crs


def _check_junctions(path: Path, net: _Net) -> None:
    """Every kept edge must start and end at a junction of the net; an edge at a junction
    left out for its position, or whose travel length is no length, is left out too."""
    kept = []
    for edge in net.edges:
        for end, junction in (("from", edge.from_node), ("to", edge.to_node)):
            if junction in net.unplaced_junctions:
                net.reject("edges", f"edge {edge.id}.{end}: junction {junction!r} was left out")
                break
            if junction not in net.junctions:
                raise InputError(
                    path, f"edge {edge.id}.{end}", f"junction {junction!r} is not in the net"
                )
        else:
            length = _travel_length(net, edge)
            if math.isfinite(length) and length <= MAX_LENGTH:
                kept.append(edge)
            else:
                net.reject("edges", f"edge {edge.id}: {length:g} m from junction to junction")
    net.edges = kept


def _links(net: _Net, crs: CRS) -> gpd.GeoDataFrame:
    """The links table from the kept edges, geometry shifted by −netOffset."""
    edges = net.edges
    coords = np.array([p for e in edges for p in e.shape], dtype=np.float64).reshape(-1, 2)
    coords -= np.asarray(net.offset)
    owner = np.repeat(np.arange(len(edges)), [len(e.shape) for e in edges])
    lanes = np.array([e.lanes for e in edges], dtype=np.int64)
    per_lane = np.array(
        [defaults_for(e.road_class).capacity_per_lane for e in edges], dtype=np.float64
    )
    table = {
        "id": [e.id for e in edges],
        "from_node": [e.from_node for e in edges],
        "to_node": [e.to_node for e in edges],
        "length": _junction_to_junction_length(net),
        "lanes": lanes,
        "free_speed": np.array([e.speed for e in edges], dtype=np.float64),
        "capacity": lanes * per_lane,
        "road_class": [e.road_class for e in edges],
        "name": [e.name for e in edges],
    }
    frame = pd.DataFrame(table).astype(LINK_COLUMNS)
    geometry = shapely.linestrings(coords, indices=owner) if edges else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)


def _junction_to_junction_length(net: _Net) -> np.ndarray:
    """Travel length of each edge, m: its lane length plus the stretches inside the junctions
    (from the start junction's centre to the lane start, and from the lane end to the end
    junction's centre), so a trip's length counts the junction crossings SUMO puts on
    internal lanes."""
    return np.array([_travel_length(net, edge) for edge in net.edges], dtype=np.float64)


def _travel_length(net: _Net, edge: _Edge) -> float:
    """Lane length plus the stretches from the start junction's centre and to the end's, m."""
    start = net.junctions[edge.from_node][1:3]
    end = net.junctions[edge.to_node][1:3]
    return edge.length + math.dist(start, edge.shape[0]) + math.dist(edge.shape[-1], end)


def _nodes(net: _Net, links: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """The junctions the links start or end at, with their control type."""
    ids = pd.unique(np.concatenate([links["from_node"].to_numpy(), links["to_node"].to_numpy()]))
    records = [net.junctions[i] for i in ids]
    x = np.array([r[1] for r in records], dtype=np.float64) - net.offset[0]  # type: ignore[index]
    y = np.array([r[2] for r in records], dtype=np.float64) - net.offset[1]  # type: ignore[index]
    frame = pd.DataFrame({"id": ids, "control": [_control(r[0]) for r in records]}).astype(
        NODE_COLUMNS
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.points(x, y), crs=crs), crs=crs)


def _control(junction_type: str) -> str:
    """Node control of a SUMO junction type: ``signal``, ``priority`` or ``none``."""
    if junction_type.startswith("traffic_light"):
        return "signal"
    if junction_type in UNCONTROLLED_JUNCTIONS:
        return "none"
    return "priority"


def _tl_nodes(net: _Net, node_ids: set[str]) -> dict[str, list[str]]:
    """Kept nodes controlled by each traffic light id."""
    result: dict[str, list[str]] = {}
    for tl_id in dict.fromkeys(tl for tl, *_ in net.tl_phases):
        controlled = set(net.tl_junctions.get(tl_id, ()))
        if tl_id in net.junctions and net.junctions[tl_id][0].startswith("traffic_light"):
            controlled.add(tl_id)
        kept = sorted(controlled & node_ids)
        if kept:
            result[tl_id] = kept
    return result


def _signals(net: _Net, controlled: dict[str, list[str]]) -> pd.DataFrame:
    """One row per (controlled node, program, phase)."""
    rows = [
        (node, program, order, duration, state)
        for tl_id, program, order, duration, state in net.tl_phases
        for node in controlled.get(tl_id, ())
    ]
    return pd.DataFrame(rows, columns=list(SIGNAL_COLUMNS)).astype(SIGNAL_COLUMNS)
