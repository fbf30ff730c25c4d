"""OpenStreetMap importer: drivable road network, building footprints and points of interest.

``read_osm`` reads ``.osm.pbf`` (and ``.osm`` XML, ``.osm.gz``, ``.osm.bz2``) with pyosmium in
one streaming pass (plus osmium's relation pre-pass for multipolygon buildings) and returns layers
in EPSG:4326:

- links / nodes: drivable ways (``twin.importers.road_classes.ROAD_CLASS_DEFAULTS``) as links
  from junction to junction, SUMO netconvert-style (way joints merged, junction clusters joined,
  approach signals given to the junction they precede: ``twin.importers.osm_network``); one link
  per open direction, id ``"{way_id}:{seq}:f"`` (along the way of its first piece) or ``":b"``
  (against it), geodesic length in m.
- buildings: closed ways and multipolygon relations tagged ``building`` (not ``no``), ids
  ``way/123`` / ``relation/456``.
- layers["pois"]: nodes with a ``osm_tags.POI_KEYS`` tag, plus the centroids of buildings that
  carry one.
- layers["basemap"]: water, green and land-use areas and rail lines
  (``twin.importers.osm_basemap``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from osmium.osm import AREA, NODE, RELATION, WAY
from pyproj import CRS

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.osm_basemap import AREA_KEYS, RAIL_KEY, BasemapCollector, basemap_frame
from twin.importers.osm_network import RoadAttributes, RoadPieces, road_network
from twin.importers.osm_tags import (
    POI_KEYS,
    TagLookup,
    Tags,
    building_height,
    building_type,
    building_use,
    lanes_per_direction,
    maxspeed_per_direction,
    open_to_cars,
    parse_year,
    poi_category,
    travel_directions,
)
from twin.importers.osm_turns import CAR_KEYS, Restriction, car_restriction
from twin.importers.road_classes import defaults_for, is_drivable
from twin.model import BUILDING_COLUMNS, empty_frame, typed_columns
from twin.quantities import MS_PER_KMH

OsmObject = (osmium.osm.Node | osmium.osm.Way | osmium.osm.Relation | osmium.osm.Area
             | osmium.osm.Changeset)
"""What a pyosmium FileProcessor yields."""
WGS84 = CRS.from_epsg(4326)
WKB = osmium.geom.WKBFactory()
POI_COLUMNS: dict[str, str] = {"id": "object", "category": "object", "kind": "object",
                               "name": "object"}
"""Columns of ``layers["pois"]`` besides the Point geometry."""


def road_attributes(way_id: int, tags: Tags) -> RoadAttributes:
    """Lanes, speeds and capacities of a drivable way from its tags and its class defaults."""
    road_class = tags.get("highway") or ""
    defaults = defaults_for(road_class)
    forward, backward = travel_directions(tags)
    lanes = lanes_per_direction(tags, forward, backward, defaults.lanes)
    speed_f, speed_b = maxspeed_per_direction(tags)
    return RoadAttributes(
        way_id=way_id,
        road_class=road_class,
        name=tags.get("name"),
        lanes=lanes,
        free_speed=((speed_f or defaults.speed_kmh) * MS_PER_KMH,
                    (speed_b or defaults.speed_kmh) * MS_PER_KMH),
        capacity=(lanes[0] * defaults.capacity_per_lane, lanes[1] * defaults.capacity_per_lane),
    )


@dataclass
class BuildingRecord:
    """Attributes of one building read from its tags (geometry kept apart)."""

    id: str
    height: float
    height_source: str | None
    floors: int | None
    use: str
    building_type: str | None
    year: int | None
    poi: tuple[str, str, str | None] | None


@dataclass
class OsmCollector:
    """Everything ``read_osm`` keeps from the stream of OSM objects.

    Road nodes are stored flat (``refs``, ``lon``, ``lat``) in pieces of consecutive nodes with
    known locations: ``piece_start`` (offset into refs) and ``piece_road`` (index into ``roads``).
    """

    source: str
    problems: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    n_objects: int = 0
    roads: list[RoadAttributes] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    piece_start: list[int] = field(default_factory=list)
    piece_road: list[int] = field(default_factory=list)
    signals: set[int] = field(default_factory=set)
    pois: list[tuple[str, str, str, str | None, float, float]] = field(default_factory=list)
    way_buildings: list[BuildingRecord] = field(default_factory=list)
    way_rings: list[list[tuple[float, float]]] = field(default_factory=list)
    relation_buildings: list[BuildingRecord] = field(default_factory=list)
    relation_wkb: list[str] = field(default_factory=list)
    relation_outer_ways: dict[int, list[int]] = field(default_factory=dict)
    restrictions: list[Restriction] = field(default_factory=list)
    basemap: BasemapCollector = field(default_factory=BasemapCollector)

    def add(self, obj: OsmObject) -> None:
        """Keep what the twin needs of one node, way, relation or area."""
        self.n_objects += 1
        if isinstance(obj, osmium.osm.Node):
            self.add_node(obj)
        elif isinstance(obj, osmium.osm.Way):
            self.add_way(obj)
        elif isinstance(obj, osmium.osm.Relation):
            self.add_relation(obj)
        elif isinstance(obj, osmium.osm.Area):
            self.add_area(obj)

    def add_node(self, node: osmium.osm.Node) -> None:
        """Remember traffic signals and points of interest."""
        if is_traffic_signal(node.tags):
            self.signals.add(node.id)
        poi = poi_category(node.tags)
        if poi and node.location.valid():
            self.pois.append((f"node/{node.id}", *poi, node.tags.get("name"),
                              node.location.lon, node.location.lat))

    def add_way(self, way: osmium.osm.Way) -> None:
        """Keep drivable roads and closed building ways."""
        tags = Tags(way.tags, self.problems)
        highway = tags.get("highway")
        if is_drivable(highway) and open_to_cars(tags):
            self.add_road(way, road_attributes(way.id, tags))
        building = tags.get("building")
        if building and building != "no":
            self.add_building_way(way, tags)
        else:  # a building is no part of the base map
            self.basemap.add_way(way)

    def add_road(self, way: osmium.osm.Way, attributes: RoadAttributes) -> None:
        """Store the way's nodes as pieces of consecutive nodes with known locations."""
        index = len(self.roads)
        self.roads.append(attributes)
        piece: list[osmium.osm.NodeRef] = []
        for node in way.nodes:
            if node.location.valid():
                piece.append(node)
            else:
                self.add_road_piece(piece, index)
                piece = []
                self.notes["road nodes outside the extract"] += 1
        self.add_road_piece(piece, index)

    def add_road_piece(self, piece: list[osmium.osm.NodeRef], index: int) -> None:
        """Append a run of located nodes of road ``index`` (runs of fewer than 2 are dropped)."""
        if len(piece) < 2:
            return
        self.piece_start.append(len(self.refs))
        self.piece_road.append(index)
        self.refs.extend(node.ref for node in piece)
        self.lon.extend(node.location.lon for node in piece)
        self.lat.extend(node.location.lat for node in piece)

    def add_building_way(self, way: osmium.osm.Way, tags: Tags) -> None:
        """Keep a closed building way whose nodes all have locations."""
        if not way.is_closed():
            self.notes["building ways not closed (skipped)"] += 1
            return
        ring = []
        for node in way.nodes:  # one pass: each node's location is read once
            location = node.location
            if not location.valid():
                self.notes["building ways cut by the extract boundary (skipped)"] += 1
                return
            ring.append((location.lon, location.lat))
        self.way_buildings.append(building_record(f"way/{way.id}", tags))
        self.way_rings.append(ring)

    def add_relation(self, relation: osmium.osm.Relation) -> None:
        """Note the outer ways of building multipolygons (to drop duplicate way outlines) and
        the turn restrictions for cars."""
        tags = relation.tags
        if tags.get("type") == "multipolygon" and tags.get("building", "no") != "no":
            self.relation_outer_ways[relation.id] = [
                member.ref for member in relation.members
                if member.type == "w" and member.role == "outer"
            ]
        restriction = car_restriction(relation.id, {tag.k: tag.v for tag in tags},
                                      ((m.type, m.ref, m.role) for m in relation.members))
        if restriction is not None:
            self.restrictions.append(restriction)
        self.basemap.add_relation(relation)

    def add_area(self, area: osmium.osm.Area) -> None:
        """Keep buildings assembled from multipolygon relations (closed ways are read as ways)
        and base-map areas (those that are no building)."""
        building = area.tags.get("building")
        if not building or building == "no":
            self.basemap.add_area(area)
            return
        if area.from_way():
            return
        try:
            wkb = WKB.create_multipolygon(area)
        except RuntimeError:
            self.notes["building relations without geometry (skipped)"] += 1
            return
        self.relation_buildings.append(
            building_record(f"relation/{area.orig_id()}", Tags(area.tags, self.problems)))
        self.relation_wkb.append(wkb)


def is_traffic_signal(tags: TagLookup) -> bool:
    """A node with traffic lights for cars: ``highway=traffic_signals``, or a pedestrian crossing
    with ``crossing=traffic_signals`` (as netconvert reads them)."""
    return tags.get("highway") == "traffic_signals" or tags.get("crossing") == "traffic_signals"


def building_record(building_id: str, tags: Tags) -> BuildingRecord:
    """Attributes of a building from its tags."""
    use = building_use(tags)
    height, height_source, floors = building_height(tags, use)
    year = parse_year(tags.get("start_date")) or parse_year(tags.get("building:year"))
    poi = poi_category(tags)
    return BuildingRecord(building_id, height, height_source, floors, use,
                          building_type(tags), year,
                          (*poi, tags.get("name")) if poi else None)


def read_osm(path: str | Path, options: ImportOptions = ImportOptions()) -> SourceData:
    """Read roads, buildings and POIs of an OSM file (``.osm.pbf``, ``.osm``) in EPSG:4326.

    OSM data is always WGS84, so ``options`` change nothing; the parameter keeps the importer
    signature. Raises InputError for a missing, unreadable or empty file.

    Parameters
    ----------
    path : str or Path
        The OSM file.
    options : ImportOptions, optional
        Not used (the parameter keeps the importer signature).

    Returns
    -------
    SourceData
        Kind ``osm`` in EPSG:4326 [degree]: the drivable road network (``length`` [m,
        geodesic], ``free_speed`` [m/s], ``capacity`` [veh/h], ``lanes`` [-]), buildings
        (``height`` [m] from the tags, the levels or a default by use, as ``height_source``
        says), the ``pois`` and ``basemap`` layers.

    Raises
    ------
    InputError
        For a missing, unreadable or empty file.
    """
    path = Path(path)
    collector = collect(path)
    warnings: list[str] = []
    network = road_network(road_pieces(collector), collector.restrictions)
    buildings = buildings_frame(collector, warnings)
    pois = pois_frame(collector, buildings)
    basemap = basemap_frame(collector.basemap, WGS84, warnings)
    warnings += [f"{what}: {count}" for what, count in sorted(collector.notes.items())]
    if collector.problems:
        listed = ", ".join(f"{key} {n}" for key, n in sorted(collector.problems.items()))
        warnings.append(f"unreadable tag values read as absent: {listed}")
    warnings += network.notes
    return SourceData(path=path, kind="osm", crs=WGS84, buildings=buildings, nodes=network.nodes,
                      links=network.links, turn_bans=network.turn_bans,
                      layers={"pois": pois, "basemap": basemap},
                      warnings=warnings)


def collect(path: Path) -> OsmCollector:
    """Stream the file through pyosmium into an OsmCollector; InputError if it cannot be read."""
    if not path.is_file():
        raise InputError(path, None, "file not found")
    collector = OsmCollector(source=path.name)
    processor = (
        osmium.FileProcessor(str(path))
        .with_areas(osmium.filter.KeyFilter("building", *AREA_KEYS))
        .with_filter(key_filter(NODE, "highway", "crossing", *POI_KEYS))
        .with_filter(key_filter(WAY, "highway", "building", RAIL_KEY, *AREA_KEYS))
        .with_filter(key_filter(RELATION, "building", *CAR_KEYS, *AREA_KEYS))
        .with_filter(key_filter(AREA, "building", *AREA_KEYS))
    )
    try:
        for obj in processor:
            collector.add(obj)
    except (RuntimeError, ValueError, osmium.InvalidLocationError) as err:  # ValueError: an id that is no number
        raise InputError(path, None, f"not a readable OSM file (.osm.pbf or .osm): {err}") from None
    if collector.n_objects == 0:
        raise InputError(path, None, "holds no roads, buildings or points of interest")
    return collector


def key_filter(entities: osmium.osm.osm_entity_bits, *keys: str) -> osmium.filter.KeyFilter:
    """A filter passing objects of type ``entities`` with one of ``keys`` (other types pass)."""
    keys_present = osmium.filter.KeyFilter(*keys)
    keys_present.enable_for(entities)
    return keys_present


# --- road network -----------------------------------------------------------------------------


def road_pieces(collector: OsmCollector) -> RoadPieces:
    """The collected road nodes as arrays for ``twin.importers.osm_network``."""
    return RoadPieces(
        roads=collector.roads,
        refs=np.asarray(collector.refs, dtype=np.int64),
        lon=np.asarray(collector.lon, dtype=np.float64),
        lat=np.asarray(collector.lat, dtype=np.float64),
        piece_start=np.asarray(collector.piece_start, dtype=np.int64),
        piece_road=np.asarray(collector.piece_road, dtype=np.int64),
        signals=frozenset(collector.signals),
    )


# --- buildings and POIs -----------------------------------------------------------------------


def buildings_frame(collector: OsmCollector, warnings: list[str]) -> gpd.GeoDataFrame:
    """Buildings with BUILDING_COLUMNS and valid footprints; way outlines that are also the
    outer ring of a building multipolygon are dropped in favour of the relation."""
    assembled = {int(r.id.split("/")[1]) for r in collector.relation_buildings}
    n_relations = len(collector.relation_outer_ways)
    if n_relations > len(assembled):
        warnings.append(f"building relations that could not be assembled (skipped): "
                        f"{n_relations - len(assembled)}")
    outlines = {f"way/{way}" for rel in assembled
                for way in collector.relation_outer_ways.get(rel, ())}
    keep = [i for i, b in enumerate(collector.way_buildings) if b.id not in outlines]
    if len(keep) < len(collector.way_buildings):
        warnings.append(f"building ways that outline a building multipolygon (relation kept): "
                        f"{len(collector.way_buildings) - len(keep)}")
    records = [collector.way_buildings[i] for i in keep] + collector.relation_buildings
    footprints = np.concatenate([
        way_polygons([collector.way_rings[i] for i in keep]),
        single_parts(shapely.from_wkb(np.asarray(collector.relation_wkb, dtype=object))),
    ])
    footprints, repaired, empty = repair_footprints(footprints)
    if repaired:
        warnings.append(f"building footprints repaired with make_valid: {repaired}")
    if empty.any():
        warnings.append(f"building footprints empty after repair (skipped): {int(empty.sum())}")
    frame = pd.DataFrame({
        "id": [r.id for r in records],
        "source_id": [r.id for r in records],
        "source": collector.source,
        "height": [r.height for r in records],
        "height_source": [r.height_source for r in records],
        "floors": pd.array([r.floors for r in records], dtype="Int64"),
        "use": [r.use for r in records],
        "building_type": [r.building_type for r in records],
        "year": pd.array([r.year for r in records], dtype="Int64"),
    })
    frame = typed_columns(frame, BUILDING_COLUMNS)
    buildings = gpd.GeoDataFrame(frame, geometry=footprints, crs=WGS84)
    return buildings.loc[~empty].reset_index(drop=True)


def way_polygons(rings: list[list[tuple[float, float]]]) -> np.ndarray:
    """Polygons of closed rings of (lon, lat) (rings of fewer than 4 points give empty ones)."""
    if not rings:
        return np.empty(0, dtype=object)
    sizes = np.array([len(ring) for ring in rings])
    coords = np.array([point for ring in rings for point in ring], dtype=np.float64)
    usable = np.repeat(sizes >= 4, sizes)
    polygons = np.full(len(rings), shapely.Polygon(), dtype=object)
    if usable.any():
        ring_index = np.repeat(np.arange(len(rings)), sizes)[usable]
        _, ring_index = np.unique(ring_index, return_inverse=True)
        polygons[sizes >= 4] = shapely.polygons(shapely.linearrings(coords[usable],
                                                                    indices=ring_index))
    return polygons


def single_parts(geometries: np.ndarray) -> np.ndarray:
    """MultiPolygons of one part as plain Polygons."""
    one = shapely.get_num_geometries(geometries) == 1
    geometries = geometries.copy()
    geometries[one] = shapely.get_geometry(geometries[one], 0)
    return geometries


def repair_footprints(footprints: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """(footprints, number repaired, mask of empty ones): invalid polygons go through
    ``make_valid`` and keep only their polygonal parts."""
    footprints = footprints.copy()
    invalid = ~shapely.is_valid(footprints) & ~shapely.is_empty(footprints)
    for i in np.flatnonzero(invalid):
        fixed = shapely.make_valid(footprints[i])
        parts = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        footprints[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    empty = shapely.is_empty(footprints) | (shapely.area(footprints) <= 0)
    return footprints, int(invalid.sum()), empty


def pois_frame(collector: OsmCollector, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """POIs: tagged nodes and the centroids of tagged buildings (id, category, kind, name)."""
    rows = [row[:4] for row in collector.pois]
    points = list(shapely.points([row[4] for row in collector.pois],
                                 [row[5] for row in collector.pois]))
    centroid = dict(zip(buildings["id"], shapely.centroid(buildings.geometry.values), strict=True))
    for record in collector.way_buildings + collector.relation_buildings:
        if record.poi and record.id in centroid:
            rows.append((record.id, *record.poi))
            points.append(centroid[record.id])
    if not rows:
        return empty_frame(POI_COLUMNS, WGS84)
    frame = pd.DataFrame(rows, columns=list(POI_COLUMNS)).astype(POI_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=points, crs=WGS84)
