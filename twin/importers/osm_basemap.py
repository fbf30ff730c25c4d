"""The base map of an OSM file: water, green and land-use areas and rail lines.

``layers["basemap"]`` holds one row per OSM object (``id`` ``way/1`` / ``relation/2``, ``kind``
one of ``BASEMAP_KINDS``): (Multi)Polygons for the areas, assembled by osmium from closed ways
and multipolygon relations, MultiLineStrings for rail ways (their runs of nodes inside the
extract); EPSG:4326 [degree] as read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from pyproj import CRS

from twin.importers.osm_tags import TagLookup
from twin.model import empty_frame

BASEMAP_KINDS = ("water", "green", "landuse", "rail")
"""Values of the ``kind`` column, drawn bottom to top."""
BASEMAP_COLUMNS: dict[str, str] = {"id": "object", "kind": "object"}
"""Columns of ``layers["basemap"]`` besides the geometry."""
AREA_TAGS: dict[str, dict[str, frozenset[str]]] = {
    "water": {"natural": frozenset({"water"}), "waterway": frozenset({"riverbank"}),
              "landuse": frozenset({"reservoir", "basin"})},
    "green": {"leisure": frozenset({"park", "garden"}),
              "landuse": frozenset({"grass", "forest", "meadow", "recreation_ground"}),
              "natural": frozenset({"wood", "scrub", "grassland"})},
    "landuse": {"landuse": frozenset({"residential", "commercial", "industrial", "retail",
                                      "railway"})},
}
"""Tags making an area part of the base map, by kind (the first kind that matches wins)."""
AREA_KEYS = ("natural", "waterway", "landuse", "leisure")
"""Keys of ``AREA_TAGS``: what the area assembly and the way and relation filters must pass."""
KIND_BY_TAG: dict[tuple[str, str], tuple[int, str]] = {
    (key, value): (rank, kind) for rank, (kind, keys) in reversed(list(enumerate(AREA_TAGS.items())))
    for key, values in keys.items() for value in values
}
"""(key, value) to (rank, kind) of ``AREA_TAGS``: one look-up per key (a tag read from osmium
costs more than the look-up)."""
RAIL_KEY = "railway"
RAIL_VALUES = frozenset({"rail", "light_rail", "tram", "subway"})
WKB = osmium.geom.WKBFactory()


def area_kind(tags: TagLookup) -> str | None:
    """The base-map kind of an area with these tags (``water``, ``green``, ``landuse``), or None."""
    found = [match for key in AREA_KEYS if (match := KIND_BY_TAG.get((key, tags.get(key) or "")))]
    return min(found)[1] if found else None


@dataclass
class BasemapCollector:
    """The base-map objects of an OSM stream: areas as WKB (hex) with id and kind, rail ways as
    flat (lon, lat) lists in parts (``rail_part``: the part of each node, ``part_way``: the rail
    way of each part, an index into ``rail_ids``).

    ``expected`` counts the closed ways and multipolygon relations tagged for the base map, so
    those osmium could not assemble into an area (unclosed rings, ...) are counted as skipped.
    """

    ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    wkb: list[str] = field(default_factory=list)
    rail_ids: list[str] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    rail_part: list[int] = field(default_factory=list)
    part_way: list[int] = field(default_factory=list)
    expected: int = 0
    notes: Counter[str] = field(default_factory=Counter)

    def add_way(self, way: osmium.osm.Way) -> None:
        """Keep a rail way as lines; count a closed way tagged as a base-map area."""
        tags = way.tags
        if tags.get(RAIL_KEY) in RAIL_VALUES:
            self.add_rail(way)
        elif way.is_closed() and area_kind(tags):
            self.expected += 1

    def add_rail(self, way: osmium.osm.Way) -> None:
        """Keep the runs of at least 2 located nodes of a rail way (none: counted as skipped)."""
        runs: list[list[osmium.osm.NodeRef]] = [[]]
        for node in way.nodes:
            if node.location.valid():
                runs[-1].append(node)
            elif runs[-1]:
                runs.append([])
        runs = [run for run in runs if len(run) >= 2]
        if not runs:
            self.notes["rail ways with fewer than 2 nodes in the extract (skipped)"] += 1
            return
        for run in runs:
            self.rail_part.extend([len(self.part_way)] * len(run))
            self.part_way.append(len(self.rail_ids))
            self.lon.extend(node.location.lon for node in run)
            self.lat.extend(node.location.lat for node in run)
        self.rail_ids.append(f"way/{way.id}")

    def add_relation(self, relation: osmium.osm.Relation) -> None:
        """Count a multipolygon relation tagged as a base-map area."""
        tags = relation.tags
        if tags.get("type") == "multipolygon" and area_kind(tags):
            self.expected += 1

    def add_area(self, area: osmium.osm.Area) -> None:
        """Keep an area (from a closed way or a multipolygon relation) tagged for the base map."""
        kind = area_kind(area.tags)
        if kind is None:
            return
        try:
            wkb = WKB.create_multipolygon(area)
        except RuntimeError:
            return  # counted as not assembled
        self.ids.append(f"{'way' if area.from_way() else 'relation'}/{area.orig_id()}")
        self.kinds.append(kind)
        self.wkb.append(wkb)


def basemap_frame(collector: BasemapCollector, crs: CRS, warnings: list[str]) -> gpd.GeoDataFrame:
    """The base-map layer (id, kind, geometry in ``crs``, the one of the file); invalid polygons
    are repaired with ``make_valid``, those left empty and the areas osmium could not assemble
    are skipped, all counted in one line of ``warnings``."""
    warnings += [f"{what}: {count}" for what, count in sorted(collector.notes.items())]
    areas, repaired = repair_polygons(shapely.from_wkb(np.asarray(collector.wkb, dtype=object)))
    empty = shapely.is_empty(areas) | (shapely.area(areas) <= 0)
    skipped = int(empty.sum()) + max(collector.expected - len(areas), 0)
    if repaired or skipped:
        warnings.append(f"base-map areas repaired with make_valid: {repaired}, skipped (cut by "
                        f"the extract, rings osmium could not close, empty): {skipped}")
    ids = [*np.asarray(collector.ids, dtype=object)[~empty], *collector.rail_ids]
    if not ids:
        return empty_frame(BASEMAP_COLUMNS, crs)
    kinds = [*np.asarray(collector.kinds, dtype=object)[~empty], *["rail"] * len(collector.rail_ids)]
    frame = pd.DataFrame({"id": ids, "kind": kinds}).astype(BASEMAP_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=np.concatenate([areas[~empty], rail_lines(collector)]),
                            crs=crs)


def rail_lines(collector: BasemapCollector) -> np.ndarray:
    """One MultiLineString per rail way of ``collector``, from its parts."""
    if not collector.rail_ids:
        return np.empty(0, dtype=object)
    lines = shapely.linestrings(np.column_stack([collector.lon, collector.lat]),
                                indices=np.asarray(collector.rail_part))
    return shapely.multilinestrings(lines, indices=np.asarray(collector.part_way))


def repair_polygons(geometries: np.ndarray) -> tuple[np.ndarray, int]:
    """(geometries, number repaired): the invalid ones go through ``make_valid`` and keep their
    polygonal parts (nothing left: an empty polygon)."""
    geometries = geometries.copy()
    invalid = np.flatnonzero(~shapely.is_valid(geometries) & ~shapely.is_empty(geometries))
    for i in invalid:
        parts = [g for g in shapely.get_parts(shapely.make_valid(geometries[i]))
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geometries[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return geometries, len(invalid)
