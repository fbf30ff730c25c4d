"""Read vector files (GeoPackage, GeoJSON, Shapefile, SpatiaLite, FlatGeobuf) with pyogrio.

Every layer (or the one named) is split by geometry type: polygons become buildings, lines a
road network, points a layer of their own (``layers[<layer name>]``, attributes kept).

Attributes come from the columns that ``ImportOptions.column_map`` names (twin name → source
column), else from the first column whose name matches ``AUTO_COLUMNS`` (case-insensitive).
A GDAL OSM export's ``other_tags`` (hstore text) is unpacked for the keys that have no column.

Polygons become buildings; in a file with several polygon layers whose names single out the
building layers (``twin.importers.layer_roles``), the others (plots, blocks, tessellations)
are kept as plain layers. Buildings (``id``, ``height``, ``floors``, ``use``, ``year``,
``base_elevation``): heights and elevations in m (``12``, ``12.5 m``, ``40 ft`` are read); a
height that is not a number is left unknown (NaN, counted) for the assembler to fill, a height
of 0 m or less is an error. Invalid polygons are repaired with ``shapely.make_valid``
(polygonal parts kept), features without a readable geometry (none, a ring not closed, a NaN
or infinite coordinate) are dropped; both are counted in ``warnings``. Floor counts outside
1-200 are read as unknown (counted). ``use`` values are mapped to ``BUILDING_USES`` (OSM
``building`` values, Dutch BAG functions; ``other`` for the rest).

Roads (``id``, ``lanes``, ``free_speed``, ``road_class``, ``oneway``, ``name``), with OSM
meanings: ``road_class`` is an OSM ``highway`` value (lines of a class that is not drivable by
``twin.importers.road_classes`` are left out; without a class column every line is an ``unclassified`` road);
``lanes`` counts both directions of a two-way road; ``free_speed`` is in km/h unless
``column_map["free_speed_unit"]`` says ``m/s`` or ``mph`` (text such as ``30 mph`` is read as
such); ``oneway`` is ``yes``/``true``/``1``, ``-1`` (against the line) or ``no``. Missing values
take the class defaults of ``twin.importers.road_classes``. Lines are noded at their ends and at every vertex
two lines (or one line twice) share, after snapping coordinates to 1 cm; lines that cross
without a shared vertex (bridges) stay apart. Each piece gives a link per open direction,
id ``"{id}:{seq}:f"`` / ``":b"``; nodes are ``"{file name}:n{k}"``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData
from twin.importers.building_values import RANGES, outside_range
from twin.importers.layer_roles import building_layers
from twin.importers.osm_tags import (
    ACCESS_KEYS,
    MPH,
    USE_BY_BUILDING,
    Tags,
    lanes_per_direction,
    open_to_cars,
    parse_length,
    parse_levels,
    parse_maxspeed,
    parse_year,
    travel_directions,
)
from twin.importers.road_classes import FALLBACK_CLASS, defaults_for, is_drivable
from twin.json_text import DuplicateKeyError, loads_json
from twin.model import (
    BUILDING_COLUMNS,
    BUILDING_USES,
    LINK_COLUMNS,
    NODE_COLUMNS,
    empty_frame,
    typed_columns,
)
from twin.quantities import KMH_PER_MS, MS_PER_KMH

BUILDING_FIELDS = ("id", "height", "floors", "use", "year", "base_elevation")
ROAD_FIELDS = ("id", "lanes", "free_speed", "road_class", "oneway", "name")
SPEED_UNIT_KEY = "free_speed_unit"
KMH_PER_UNIT = {"km/h": 1.0, "m/s": KMH_PER_MS, "mph": MPH}
"""km/h per unit of a ``free_speed`` column."""

AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identificatie", "lokaalid", "osm_id", "gml_id", "fid"),
    "height": ("height", "hoogte", "building:height", "measuredheight", "hoehe", "höhe"),
    "floors": ("floors", "building:levels", "levels", "storeys", "stories", "bouwlagen"),
    "use": ("use", "usage", "gebruiksdoel", "building_use", "building"),
    "year": (
        "year",
        "construction_year",
        "year_built",
        "bouwjaar",
        "oorspronkelijkbouwjaar",
        "start_date",
    ),
    "base_elevation": ("base_elevation", "ground_elevation"),
    "lanes": ("lanes",),
    "free_speed": ("maxspeed", "max_speed", "speed_kmh"),
    "road_class": ("highway", "road_class"),
    "oneway": ("oneway", "one_way"),
    "name": ("name", "naam", "straatnaam"),
    "junction": ("junction",),
    **{key: (key,) for key in (*ACCESS_KEYS, "area")},
}
"""Source column names tried, in order, for each twin field; ``junction`` (roundabouts), the
OSM access keys and ``area`` are read for roads too."""

USE_BY_BAG_FUNCTION: dict[str, str] = {
    "woonfunctie": "residential",
    "kantoorfunctie": "office",
    "winkelfunctie": "retail",
    "onderwijsfunctie": "education",
    "gezondheidszorgfunctie": "health",
    "industriefunctie": "industrial",
    "logiesfunctie": "hotel",
    "sportfunctie": "sport",
    "bijeenkomstfunctie": "public",
    "celfunctie": "public",
    "overige gebruiksfunctie": "other",
}
"""Dutch BAG ``gebruiksdoel`` values and their BUILDING_USES class."""

SNAP_M = 0.01
"""Node snapping grid, m (1e-7 degrees in a geographic CRS)."""
SNAP_DEG = 1e-7
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def read_vector(
    path: str | Path, options: ImportOptions = ImportOptions(), layer: str | None = None
) -> SourceData:
    """Buildings, road network and point layers of a vector file, in its own CRS.

    Parameters
    ----------
    path : str or Path
        A GeoPackage, GeoJSON, Shapefile, SpatiaLite or FlatGeobuf file.
    options : ImportOptions, optional
        ``column_map``: twin field -> source column (``free_speed_unit``: ``km/h``, ``m/s``
        or ``mph``); ``crs``: the CRS of layers that declare none.
    layer : str, optional
        The one layer to read; all of them by default.

    Returns
    -------
    SourceData
        Kind ``vector``: polygons as ``buildings`` (``height``, ``base_elevation`` [m]), lines
        as a road network (``free_speed`` [m/s], ``lanes`` [-] per direction, ``length`` [m]),
        points as ``layers[<layer name>]``, in the file's CRS.

    Raises
    ------
    InputError
        For an unreadable file or layer, an unknown ``column_map`` key or speed unit, a mapped
        column the layer lacks, a layer without CRS (and none in ``options``), layers in
        different CRSs, and building heights of 0 m or less.
    """
    path = Path(path)
    _check_column_map(path, options.column_map)
    _check_format_matches_name(path)
    frames = {name: _read_layer(path, name, options) for name in _layer_names(path, layer)}
    crs = _common_crs(path, frames)
    result = SourceData(path=path, kind="vector", crs=crs)
    building_parts, line_parts = [], []
    polygon_layers = [name for name, table in frames.items()
                      if np.isin(table.geom_type.to_numpy(), ("Polygon", "MultiPolygon")).any()]
    buildings_from, plain = building_layers(polygon_layers)
    if plain:
        result.warnings.append(f"polygon layers kept as layers, not buildings (their names do "
                               f"not say buildings): {', '.join(plain)}")
    elif len(buildings_from) > 1:
        result.warnings.append(f"{len(buildings_from)} polygon layers read as buildings: "
                               f"{', '.join(buildings_from)}; if some hold plots or zones, "
                               f"give the buildings layer a name with 'building' in it")
    for name, table in frames.items():
        note = _layer_note(name, len(frames))
        empty = shapely.is_missing(table.geometry.values) | shapely.is_empty(table.geometry.values)
        frame = table[~empty] if empty.any() else table
        if empty.any():
            result.warnings.append(f"{note}dropped {int(empty.sum())} features without a readable "
                                   f"geometry (none, a ring not closed, or a coordinate that "
                                   f"is not a number)")
        kinds = frame.geom_type.to_numpy()
        polygons = frame[np.isin(kinds, ("Polygon", "MultiPolygon"))]
        lines = frame[np.isin(kinds, ("LineString", "MultiLineString"))]
        points = frame[np.isin(kinds, ("Point", "MultiPoint"))]
        other = len(frame) - len(polygons) - len(lines) - len(points)
        if len(polygons) and name in plain:
            result.layers[name] = gpd.GeoDataFrame(polygons.reset_index(drop=True), crs=crs)
        elif len(polygons):
            building_parts.append(_buildings(path, name, polygons, options, note, result.warnings))
        if len(lines):
            line_parts.append(_road_lines(path, name, lines, options, note, result.warnings))
        if len(points):
            result.layers[name] = gpd.GeoDataFrame(points.reset_index(drop=True), crs=crs)
        if other:
            result.warnings.append(
                f"{note}skipped {other} features that are no polygon, line or point"
            )
    if building_parts:
        result.buildings = pd.concat(building_parts, ignore_index=True)
    if line_parts:
        lines = pd.concat(line_parts, ignore_index=True)
        result.nodes, result.links = _network(path, lines, crs, result.warnings)
    return result


def _layer_note(name: str, n_layers: int) -> str:
    """Prefix of warning lines: the layer name when the file has several."""
    return f"layer {name}: " if n_layers > 1 else ""


def _check_column_map(path: Path, column_map: dict[str, str]) -> None:
    known = set(BUILDING_FIELDS) | set(ROAD_FIELDS) | {SPEED_UNIT_KEY}
    for key in column_map:
        if key not in known:
            raise InputError(
                path, f"column_map.{key}", f"unknown twin field; expected one of {sorted(known)}"
            )
    unit = column_map.get(SPEED_UNIT_KEY, "km/h")
    if unit not in KMH_PER_UNIT:
        raise InputError(
            path,
            f"column_map.{SPEED_UNIT_KEY}",
            f"unknown unit {unit!r}; expected one of {list(KMH_PER_UNIT)}",
        )


_MAGIC = {".gpkg": (b"SQLite format 3\x00", "a GeoPackage (an SQLite file)"),
          ".sqlite": (b"SQLite format 3\x00", "a SpatiaLite file (an SQLite file)"),
          ".fgb": (b"fgb", "a FlatGeobuf file")}
"""How a file of each binary vector format begins, and what it is called."""


def _check_format_matches_name(path: Path) -> None:
    """InputError when a file named as a binary format does not begin as one: GDAL would open,
    say, an OSM file renamed ``.gpkg`` with its OSM driver and find no buildings in it."""
    expected = _MAGIC.get(path.suffix.lower())
    if expected is None or not path.is_file():
        return
    with open(path, "rb") as handle:
        head = handle.read(len(expected[0]))
    if head != expected[0]:
        raise InputError(path, None, f"not {expected[1]}, as its name says; another format renamed?")


def _layer_names(path: Path, layer: str | None) -> list[str]:
    """The layers to read: ``layer`` or all of them."""
    try:
        names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except (DataSourceError, DataLayerError) as error:
        raise InputError(
            path,
            None,
            "not a vector file GDAL can read (GeoPackage, GeoJSON, "
            f"Shapefile, SpatiaLite): {error}",
        ) from None
    if layer is None:
        return names
    if layer not in names:
        raise InputError(path, "layer", f"no layer {layer!r}; the file has {names}")
    return [layer]


def _read_layer(path: Path, name: str, options: ImportOptions) -> gpd.GeoDataFrame:
    """One layer with 2D geometries, its CRS (or ``options.crs``) and ``other_tags`` unpacked."""
    try:
        frame = pyogrio.read_dataframe(path, layer=name, on_invalid="ignore")
    except (DataSourceError, DataLayerError) as error:
        raise InputError(path, f"layer {name}", f"cannot be read: {error}") from None
    except UnicodeDecodeError:
        raise InputError(path, f"layer {name}", "holds text that is not UTF-8") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)))
    _check_declared_geojson_crs(path)
    coordinates, owner = shapely.get_coordinates(frame.geometry.values, return_index=True)
    broken = np.zeros(len(frame), dtype=bool)
    broken[owner[~np.isfinite(coordinates).all(axis=1)]] = True
    frame.loc[broken, frame.geometry.name] = None
    if frame.crs is None:
        if options.crs is None:
            raise InputError(
                path, "crs", f"layer {name!r} declares no CRS; give the CRS of its coordinates"
            )
        frame = frame.set_crs(options.crs)
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values), crs=frame.crs)
    return _unpack_other_tags(frame)


_GEOJSON_CRS_NAME = re.compile(rb'"crs"\s*:\s*\{[^{}]*"properties"\s*:\s*\{[^{}]*"name"\s*:\s*"([^"]*)"')


def _check_geojson_keys(path: Path) -> None:
    """InputError naming the key when a GeoJSON object gives one key twice (GDAL would keep one
    of the values without a word); text that is not JSON is left to GDAL to report."""
    try:
        loads_json(path.read_bytes())
    except DuplicateKeyError as error:
        raise InputError(path, error.key, "key given twice in one JSON object") from None
    except ValueError:
        return


def _check_declared_geojson_crs(path: Path) -> None:
    """InputError when a GeoJSON declares a named ``crs`` no CRS database knows: GDAL would
    read its coordinates as WGS84 without a word."""
    if path.suffix.lower() not in (".geojson", ".json"):
        return
    _check_geojson_keys(path)
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    match = _GEOJSON_CRS_NAME.search(head)
    if match is None:
        return
    name = match.group(1).decode("utf-8", "replace")
    try:
        CRS.from_user_input(name)
    except CRSError:
        raise InputError(path, "crs", f"{name!r} is not a CRS pyproj knows; fix the member or "
                                      f"remove it and pass --crs") from None


def _unpack_other_tags(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns for the AUTO_COLUMNS keys found in a GDAL OSM ``other_tags`` column."""
    if "other_tags" not in frame:
        return frame
    tags = [
        dict(_HSTORE.findall(text)) if isinstance(text, str) else {} for text in frame["other_tags"]
    ]
    present = {column.lower() for column in frame.columns}
    wanted = {key for keys in AUTO_COLUMNS.values() for key in keys} - present
    found = {key for row in tags for key in row if key in wanted}
    for key in sorted(found):
        frame[key] = [row.get(key) for row in tags]
    return frame


def _common_crs(path: Path, frames: dict[str, gpd.GeoDataFrame]) -> CRS | None:
    crss = {name: frame.crs for name, frame in frames.items() if frame.crs is not None}
    first = next(iter(crss.values()), None)
    for name, crs in crss.items():
        if not crs.equals(first):
            raise InputError(
                path,
                f"layer {name}",
                "its CRS differs from the other layers'; read one layer at a time",
            )
    return first


def _column(
    path: Path, layer: str, frame: pd.DataFrame, field: str, column_map: dict[str, str]
) -> str | None:
    """The source column of twin field ``field``: the mapped one, else an automatic match."""
    if field in column_map:
        column = column_map[field]
        if column not in frame.columns:
            columns = [c for c in frame.columns if c != frame.geometry.name]
            raise InputError(
                path,
                f"column_map.{field}",
                f"layer {layer!r} has no column {column!r}; it has {columns}",
            )
        return column
    geometry = frame.geometry.name  # once: each look-up builds the geometry column
    lower = {str(c).lower(): c for c in frame.columns if c != geometry}
    return next((lower[c] for c in AUTO_COLUMNS[field] if c in lower), None)


def _values(frame: pd.DataFrame, column: str | None) -> list[Any]:
    """The column's values with missing ones as None (all None without a column)."""
    if column is None:
        return [None] * len(frame)
    series = frame[column]
    return [None if _missing(v) else v for v in series.to_numpy(dtype=object)]


def _missing(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if not pd.api.types.is_scalar(value):  # a JSON array or object: a value, if not a usable one
        return False
    return value is None or bool(pd.isna(value))


def _text(value: Any) -> str | None:
    """A value as text; whole floats without ``.0`` (ids read as floats)."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _parsed(values: list[Any], parser: Any) -> tuple[list[Any], int]:
    """``parser(text)`` of each value (numbers pass through) and the count of unreadable ones."""
    out: list[Any] = []
    bad = 0
    for value in values:
        if (
            value is None
            or isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool)
        ):
            out.append(None if value is None else float(value))
            continue
        try:
            out.append(parser(str(value)))
        except ValueError:
            out.append(None)
            bad += 1
    return out, bad


def _ids(
    path: Path, layer: str, frame: pd.DataFrame, options: ImportOptions, note: str
) -> tuple[np.ndarray, np.ndarray]:
    """(ids, source ids) of the features: the id column's text, else ``file[:layer]:row``
    (row: the feature's position in the layer, from 0)."""
    column = _column(path, layer, frame, "id", options.column_map)
    source_ids = np.array([_text(v) for v in _values(frame, column)], dtype=object)
    prefix = f"{path.name}:{layer}:" if note else f"{path.name}:"
    generated = np.array([f"{prefix}{row}" for row in frame.index], dtype=object)
    ids = np.where(pd.isna(source_ids), generated, source_ids)
    return ids, source_ids


# --- buildings --------------------------------------------------------------------------------


def _buildings(
    path: Path,
    layer: str,
    frame: gpd.GeoDataFrame,
    options: ImportOptions,
    note: str,
    warnings: list[str],
) -> gpd.GeoDataFrame:
    """Buildings with BUILDING_COLUMNS from a layer's polygons."""
    footprints, repaired, no_area = _footprints(frame.geometry.values)
    if repaired:
        warnings.append(f"{note}repaired {repaired} invalid polygons")
    if no_area.any():
        warnings.append(
            f"{note}dropped {int(no_area.sum())} polygons with no area left after repair"
        )
    keep = ~no_area
    frame = frame.loc[keep]
    ids, source_ids = _ids(path, layer, frame, options, note)
    column = {f: _column(path, layer, frame, f, options.column_map) for f in BUILDING_FIELDS}
    height = _heights(path, frame, column["height"], ids, note, warnings)
    floors, bad_floors = _parsed(_values(frame, column["floors"]), parse_levels)
    implausible = outside_range("floors", np.array([np.nan if f is None else f for f in floors]))
    if implausible.any():
        warnings.append(f"{note}{int(implausible.sum())} floor counts outside "
                        f"{RANGES['floors'][0]:g}-{RANGES['floors'][1]:g}: read as unknown")
    floors = [None if bad else f for f, bad in zip(floors, implausible, strict=True)]
    years = [None if v is None else parse_year(_text(v)) for v in _values(frame, column["year"])]
    base, bad_base = _parsed(_values(frame, column["base_elevation"]), parse_length)
    for count, what in ((bad_floors, "floor counts"), (bad_base, "base elevations")):
        if count:
            warnings.append(f"{note}{count} {what} are not numbers: left unknown")
    table = pd.DataFrame(
        {
            "id": ids,
            "source_id": source_ids,
            "source": path.name,
            "height": height,
            "height_source": np.where(np.isnan(height), np.array(None, dtype=object), "attribute"),
            "base_elevation": np.array(
                [np.nan if v is None else v for v in base], dtype=np.float64
            ),
            "floors": pd.array(
                [None if f is None else int(np.floor(f + 0.5)) for f in floors], dtype="Int64"
            ),
            "use": [_use(v) for v in _values(frame, column["use"])],
            "year": pd.array(years, dtype="Int64"),
        }
    )
    return gpd.GeoDataFrame(
        typed_columns(table, BUILDING_COLUMNS),
        geometry=gpd.GeoSeries(footprints[keep], crs=frame.crs), crs=frame.crs
    )


def _footprints(geometries: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """(footprints, number repaired, mask of those without area): invalid polygons go through
    ``make_valid`` and keep their polygonal parts."""
    footprints = np.asarray(geometries, dtype=object).copy()
    invalid = ~shapely.is_valid(footprints)
    for i in np.flatnonzero(invalid):
        footprints[i] = _polygonal(shapely.make_valid(footprints[i]))
    no_area = shapely.is_empty(footprints) | (shapely.area(footprints) <= 0)
    return footprints, int(invalid.sum()), no_area


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal parts of a geometry: a Polygon, a MultiPolygon or an empty Polygon."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        p
        for part in shapely.get_parts(geometry)
        for p in shapely.get_parts(part)
        if p.geom_type == "Polygon"
    ]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _heights(
    path: Path,
    frame: pd.DataFrame,
    column: str | None,
    ids: np.ndarray,
    note: str,
    warnings: list[str],
) -> np.ndarray:
    """Heights in m; NaN where unknown; InputError for a height of 0 m or less."""
    values = _values(frame, column)
    parsed, bad = _parsed(values, parse_length)
    height = np.array([np.nan if h is None else h for h in parsed], dtype=np.float64)
    if bad:
        warnings.append(f"{note}{bad} heights in column {column!r} are not lengths: left unknown")
    not_positive = np.flatnonzero(height <= 0)
    if not_positive.size:
        i = int(not_positive[0])
        raise InputError(
            path,
            column,
            f"feature {ids[i]}: height must be greater than 0 m, found {values[i]!r}"
            + (f" ({not_positive.size} features in all)" if not_positive.size > 1 else ""),
        )
    return height


def _use(value: Any) -> str | None:
    """BUILDING_USES class of a source use value; None if missing, ``other`` if not known."""
    text = _text(value)
    if text is None:
        return None
    key = text.lower()
    if key in BUILDING_USES:
        return key
    if key in ("yes", "building"):
        return "unknown"
    return USE_BY_BUILDING.get(key) or USE_BY_BAG_FUNCTION.get(key) or "other"


# --- roads ------------------------------------------------------------------------------------


def _road_lines(
    path: Path,
    layer: str,
    frame: gpd.GeoDataFrame,
    options: ImportOptions,
    note: str,
    warnings: list[str],
) -> gpd.GeoDataFrame:
    """Drivable lines with per-direction lanes (0 = closed), free speed m/s and their ids."""
    column = {
        f: _column(path, layer, frame, f, options.column_map)
        for f in (*ROAD_FIELDS, "junction", *ACCESS_KEYS, "area")
    }
    ids, _ = _ids(path, layer, frame, options, note)
    classes: list[str | None]
    if column["road_class"] is None:
        classes = [FALLBACK_CLASS] * len(frame)
        warnings.append(
            f"{note}no road class column: {len(frame)} lines taken as {FALLBACK_CLASS!r} roads"
        )
    else:
        classes = [_text(v) for v in _values(frame, column["road_class"])]
    drivable = np.array([is_drivable(c) for c in classes], dtype=bool)
    if (~drivable).any():
        warnings.append(f"{note}skipped {int((~drivable).sum())} lines of a class cars may not use")
    access = _access_tags(frame, column)
    closed = drivable & ~np.array([open_to_cars(tags) for tags in access], dtype=np.bool_)
    if closed.any():
        warnings.append(f"{note}skipped {int(closed.sum())} lines closed to cars by access tags")
        drivable &= ~closed
    unit = KMH_PER_UNIT[options.column_map.get(SPEED_UNIT_KEY, "km/h")]
    rows = zip(
        classes,
        _values(frame, column["oneway"]),
        _values(frame, column["junction"]),
        _values(frame, column["lanes"]),
        _values(frame, column["free_speed"]),
    )
    problems = Tags({})
    attributes = [
        _road(c, oneway, junction, lanes, speed, unit, problems)
        for c, oneway, junction, lanes, speed in rows
    ]
    for key, count in sorted(problems.problems.items()):
        warnings.append(f"{note}{count} unreadable {key} values: class defaults used")
    table = pd.DataFrame(attributes, columns=["lanes_f", "lanes_b", "free_speed"])
    table["sid"] = ids
    table["road_class"] = classes
    table["name"] = [_text(v) for v in _values(frame, column["name"])]
    lines = gpd.GeoDataFrame(table, geometry=frame.geometry.values, crs=frame.crs)
    return lines.loc[drivable]


def _access_tags(frame: pd.DataFrame, column: dict[str, str | None]
                 ) -> list[dict[str, str | None]]:
    """Per line, the OSM access keys and ``area`` that have a value."""
    keys = [key for key in (*ACCESS_KEYS, "area") if column[key] is not None]
    columns = [_values(frame, column[key]) for key in keys]
    return (
        [{k: _text(v) for k, v in zip(keys, row) if v is not None} for row in zip(*columns)]
        if keys
        else [{}] * len(frame)
    )


def _road(
    road_class: str | None,
    oneway: Any,
    junction: Any,
    lanes: Any,
    speed: Any,
    kmh_per_unit: float,
    problems: Tags,
) -> tuple[int, int, float]:
    """(lanes along, lanes against the line, free speed m/s) of one road."""
    defaults = defaults_for(road_class)
    tags = Tags(
        {
            "highway": road_class,
            "oneway": _oneway(oneway),
            "junction": _text(junction),
            "lanes": _text(lanes),
        },
        problems.problems,
    )
    forward, backward = travel_directions(tags)
    lanes_f, lanes_b = lanes_per_direction(tags, forward, backward, defaults.lanes)
    if isinstance(speed, (int, float, np.integer, np.floating)):
        kmh = float(speed) * kmh_per_unit if speed > 0 else None
    else:
        kmh = Tags({"maxspeed": _text(speed)}, problems.problems).read("maxspeed", parse_maxspeed)
    return lanes_f, lanes_b, (kmh or defaults.speed_kmh) * MS_PER_KMH


def _oneway(value: Any) -> str | None:
    """An OSM ``oneway`` value from text, booleans or numbers (1, 0, -1)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return {1: "yes", 0: "no", -1: "-1"}.get(int(value), "no")
    return str(value).strip().lower()


def _network(
    path: Path, lines: gpd.GeoDataFrame, crs: CRS | None, warnings: list[str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Nodes and directed links of the noded lines."""
    parts = lines.explode(index_parts=False).reset_index(drop=True)
    geographic = crs is not None and crs.is_geographic
    metres_per_unit = 1.0 if crs is None or geographic else crs.axis_info[0].unit_conversion_factor
    snap = SNAP_DEG if geographic else SNAP_M / metres_per_unit
    pieces = _node_lines(parts.geometry.values, snap)
    short = len(parts) - len(np.unique(pieces["part"]))
    if short:
        warnings.append(f"dropped {short} lines shorter than the 1 cm snapping grid")
    if not len(pieces["part"]):
        return empty_frame(NODE_COLUMNS, crs), empty_frame(LINK_COLUMNS, crs)
    node_ids = np.array([f"{path.name}:n{k}" for k in range(len(pieces["node_xy"]))], dtype=object)
    degree = np.bincount(np.concatenate([pieces["from"], pieces["to"]]), minlength=len(node_ids))
    control = np.where(degree >= 3, "priority", "none")
    nodes = gpd.GeoDataFrame(
        pd.DataFrame({"id": node_ids, "control": control}).astype(NODE_COLUMNS),
        geometry=gpd.GeoSeries(shapely.points(pieces["node_xy"]), crs=crs),
        crs=crs,
    )
    attrs = parts.iloc[pieces["part"]].reset_index(drop=True)
    attrs["seq"] = attrs.groupby("sid", sort=False).cumcount()
    attrs["from_node"] = node_ids[pieces["from"]]
    attrs["to_node"] = node_ids[pieces["to"]]
    attrs["length"] = np.nan if geographic else shapely.length(pieces["geometry"]) * metres_per_unit
    attrs["geometry"] = pieces["geometry"]
    table = pd.concat([_direction(attrs, "f"), _direction(attrs, "b")], ignore_index=True)
    table = table.sort_values("order", kind="stable").drop(columns="order")
    geometry = gpd.GeoSeries(table.pop("geometry").to_numpy(), crs=crs)
    links = table.astype(LINK_COLUMNS).reset_index(drop=True)
    return nodes, gpd.GeoDataFrame(links, geometry=geometry.values, crs=crs)


def _direction(pieces: pd.DataFrame, suffix: str) -> pd.DataFrame:
    """Links along (``f``) or against (``b``) the pieces that are open that way, with ``order``
    to interleave the two directions piece by piece."""
    along = suffix == "f"
    lanes = pieces["lanes_f" if along else "lanes_b"].to_numpy(dtype=np.int64)
    open_ = lanes > 0
    kept = pieces[open_]
    per_lane = [defaults_for(c).capacity_per_lane for c in kept["road_class"]]
    geometry = kept["geometry"].to_numpy()
    return pd.DataFrame(
        {
            "id": [f"{s}:{q}:{suffix}" for s, q in zip(kept["sid"], kept["seq"])],
            "from_node": kept["from_node" if along else "to_node"].to_numpy(),
            "to_node": kept["to_node" if along else "from_node"].to_numpy(),
            "length": kept["length"].to_numpy(),
            "lanes": lanes[open_],
            "free_speed": kept["free_speed"].to_numpy(),
            "capacity": lanes[open_] * np.array(per_lane, dtype=np.float64),
            "road_class": kept["road_class"].to_numpy(),
            "name": kept["name"].to_numpy(),
            "geometry": geometry if along else shapely.reverse(geometry),
            "order": np.flatnonzero(open_) * 2 + (0 if along else 1),
        }
    )


def _node_lines(lines: np.ndarray, snap: float) -> dict[str, np.ndarray]:
    """Split lines at shared vertices; coordinates snapped to a grid of ``snap``.

    Returns ``geometry`` (the pieces), ``part`` (the line of each piece), ``from`` / ``to``
    (node number of its ends) and ``node_xy`` (node coordinates). Lines with fewer than two
    distinct snapped vertices give no piece.
    """
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    keys = np.round(coords / snap).astype(np.int64)
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[1:] = (owner[1:] == owner[:-1]) & (keys[1:] == keys[:-1]).all(axis=1)
    keys, owner = keys[~repeat], owner[~repeat]
    usable = np.bincount(owner, minlength=len(lines))[owner] >= 2
    keys, owner = keys[usable], owner[usable]
    if not len(owner):
        none = np.empty(0, dtype=np.int64)
        return {"geometry": none, "part": none, "from": none, "to": none, "node_xy": keys}
    unique, vertex_key, uses = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    vertex_key = vertex_key.ravel()
    first = np.ones(len(owner), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    last = np.roll(first, -1)
    is_node = first | last | (uses[vertex_key] >= 2)
    piece = np.cumsum(is_node & ~last) - 1
    interior = is_node & ~first & ~last
    vertex = np.concatenate([np.arange(len(owner)), np.flatnonzero(interior)])
    piece_of = np.concatenate([piece, piece[interior] - 1])
    order = np.lexsort((vertex, piece_of))
    vertex, piece_of = vertex[order], piece_of[order]
    starts = np.flatnonzero(np.r_[True, piece_of[1:] != piece_of[:-1]])
    ends = np.r_[starts[1:] - 1, len(vertex) - 1]
    node_keys = np.unique(vertex_key[is_node])
    node_of_key = np.full(len(unique), -1, dtype=np.int64)
    node_of_key[node_keys] = np.arange(len(node_keys))
    return {
        "geometry": shapely.linestrings(unique[vertex_key[vertex]] * snap, indices=piece_of),
        "part": owner[vertex[starts]],
        "from": node_of_key[vertex_key[vertex[starts]]],
        "to": node_of_key[vertex_key[vertex[ends]]],
        "node_xy": unique[node_keys] * snap,
    }
