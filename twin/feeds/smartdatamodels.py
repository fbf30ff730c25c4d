"""Smart Data Models (MIM2) in and out: read Building, Device (and the observed types through
``twin.feeds.payloads``) entities; export the twin's buildings and links and simulated link flows
as NGSI-LD key-values entities (Building, RoadSegment, TrafficFlowObserved) that validate against
the models' JSON Schemas, with every ``$ref`` resolved from a local copy of the models, never the network.

``models`` is a folder laid out like ``../shared/data/smart-data-models``: ``common-schema.json``
and ``dataModel.<Subject>/<Type>/schema.json``. Geometry is WGS84 (lon, lat) GeoJSON; speeds km/h
and lengths km as the models define them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jsonschema import Draft202012Validator
from pyproj import CRS
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from twin.errors import InputError
from twin.feeds.payloads import concise, to_iso
from twin.json_text import loads_json
from twin.model import Twin
from twin.quantities import KMH_PER_MS

COMMON_SCHEMA = "https://smart-data-models.github.io/data-models/common-schema.json"
CONTEXT = "https://raw.githubusercontent.com/smart-data-models/dataModel.{subject}/master/context.jsonld"
SUBJECTS = {"Building": "Building", "RoadSegment": "Transportation", "TrafficFlowObserved": "Transportation",
            "Device": "Device", "WeatherObserved": "Weather"}

USE_TO_CATEGORY = {
    "residential": "residential", "office": "office", "retail": "retail", "education": "school",
    "health": "hospital", "industrial": "industrial", "hotel": "hotel", "restaurant": "commercial",
    "sport": "stadium", "public": "public", "religious": "church", "storage": "warehouse",
}
"""Twin building use -> Building ``category``; uses not listed (other, unknown) take the
``unknown_category`` given to ``building_entities``."""
CATEGORY_TO_USE = {"apartments": "residential", "house": "residential", "detached": "residential",
                   "terrace": "residential", "bungalow": "residential", "dormitory": "residential",
                   "commercial": "retail", "university": "education", "kindergarten": "education",
                   **{v: k for k, v in USE_TO_CATEGORY.items()}}
"""Building ``category`` -> twin use when reading Building entities (the rest read as ``other``)."""


def _urn(kind: str, ident: object) -> str:
    """The NGSI-LD id ``urn:ngsi-ld:KIND:IDENT`` (the id percent-quoted)."""
    return f"urn:ngsi-ld:{kind}:{quote(str(ident), safe=':-._')}"


@lru_cache(maxsize=4)
def _registry(models: Path) -> Registry:
    """The schema registry of the models folder: its common schema, never the network."""
    # referencing's attrs classes declare their fields through a decorator mypy does not read
    # as a dataclass transform, so their keyword constructors are unknown to it
    def retrieve(uri: str) -> Resource:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # only the local files below

    common = json.loads((models / "common-schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return registry.with_resource(COMMON_SCHEMA, Resource.from_contents(common))


def schema_path(models: str | Path, kind: str) -> Path:
    """The JSON Schema file of entity type ``kind`` in the models folder."""
    models = Path(models)
    path = models / f"dataModel.{SUBJECTS.get(kind, '*')}" / kind / "schema.json"
    found = sorted(models.glob(str(path.relative_to(models))))
    if not found:
        raise InputError(models, kind, "no schema.json for this entity type in the models folder")
    return found[0]


def validation_errors(entity: Mapping[str, Any], models: str | Path) -> list[str]:
    """What is wrong with a key-values ``entity`` against its type's schema (empty when valid);
    each message names the attribute path. A ``$ref`` outside the local files is reported, not fetched.

    Parameters
    ----------
    entity : Mapping
        An NGSI-LD entity in key-values form, with ``id`` and ``type``.
    models : str or Path
        Local copy of the Smart Data Models (``common-schema.json``,
        ``dataModel.<Subject>/<Type>/schema.json``).

    Returns
    -------
    list of str
        ``ID: attribute/path: message`` per problem; empty when the entity is valid.

    Raises
    ------
    InputError
        When the models folder has no schema for the entity's type.
    """
    models = Path(models).resolve()
    path = schema_path(models, str(entity.get("type")))
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=_registry(models))
    try:
        errors = sorted(validator.iter_errors(dict(entity)), key=lambda e: list(e.absolute_path))
    except Exception as error:  # noqa: BLE001 - referencing wraps a missing $ref in its own types
        return [f"{entity.get('id')}: schema {path.name} needs a file not in {models}: {error}"]
    return [f"{entity.get('id')}: {'/'.join(map(str, e.absolute_path)) or '(entity)'}: {e.message}" for e in errors]


def read_entities(path: str | Path) -> list[dict[str, Any]]:
    """The entities of a JSON / JSON-LD file holding one entity or a list, in key-values form.

    Parameters
    ----------
    path : str or Path
        A JSON or JSON-LD file of one entity or a list of them (normalized or key-values).

    Returns
    -------
    list of dict
        The entities in key-values form.

    Raises
    ------
    InputError
        When the file is not readable JSON or an item is not an entity with ``id`` and ``type``.
    """
    path = Path(path)
    try:
        data = loads_json(path.read_bytes())
    except (OSError, ValueError) as error:
        raise InputError(path, None, f"not a readable JSON file: {error}") from None
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "id" not in item or "type" not in item:
            raise InputError(path, f"[{i}]", "expected an NGSI-LD entity with id and type")
    return [concise(item) for item in items]


def _geometry(value: Any, where: str, field: str) -> shapely.Geometry:
    """The GeoJSON geometry ``value``; InputError naming ``where`` and ``field`` otherwise."""
    try:
        return shapely.geometry.shape(value)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        raise InputError(where, field, "expected a GeoJSON geometry") from None


def buildings_from_entities(entities: Iterable[Mapping[str, Any]], crs: CRS) -> gpd.GeoDataFrame:
    """Building entities as a frame (id, use, floors, name, geometry in ``crs``); the id is the
    entity id; use comes from the first known ``category``.

    Parameters
    ----------
    entities : iterable of Mapping
        Key-values entities; those not of type ``Building`` are skipped.
    crs : pyproj.CRS
        CRS of the frame (the twin's).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``use``, ``floors`` [-], ``name`` and the ``location`` geometry in ``crs``.

    Raises
    ------
    InputError
        Naming the entity whose ``location`` is not a GeoJSON geometry.
    """
    rows = []
    for e in entities:
        if e.get("type") != "Building":
            continue
        category = e.get("category") or []
        use = next((CATEGORY_TO_USE[c] for c in category if c in CATEGORY_TO_USE), "other")
        rows.append({"id": e["id"], "use": use, "floors": e.get("floorsAboveGround"),
                     "name": e.get("name"), "geometry": _geometry(e.get("location"), e["id"], "location")})
    frame = gpd.GeoDataFrame(rows, columns=["id", "use", "floors", "name", "geometry"], crs="EPSG:4326")
    return frame.to_crs(crs)


def sensors_from_devices(entities: Iterable[Mapping[str, Any]], crs: CRS) -> gpd.GeoDataFrame:
    """Device entities as a sensors frame (id, kind = controlled properties, unit "", geometry in
    ``crs``; devices without a location get an empty point).

    Parameters
    ----------
    entities : iterable of Mapping
        Key-values entities; those not of type ``Device`` are skipped.
    crs : pyproj.CRS
        CRS of the frame (the twin's).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``kind`` (the controlled properties, comma-separated), ``unit`` ("") and the
        point geometry in ``crs`` (empty without a location).

    Raises
    ------
    InputError
        Naming the entity whose ``location`` is not a GeoJSON geometry.
    """
    rows = []
    for e in entities:
        if e.get("type") != "Device":
            continue
        location = e.get("location")
        rows.append({"id": e["id"], "kind": ",".join(e.get("controlledProperty") or []), "unit": "",
                     "geometry": _geometry(location, e["id"], "location") if location else shapely.Point()})
    frame = gpd.GeoDataFrame(rows, columns=["id", "kind", "unit", "geometry"], crs="EPSG:4326")
    return frame.to_crs(crs)


def _wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The frame's geometry in WGS84 (lon, lat)."""
    return frame.geometry.to_crs("EPSG:4326")


def _geojson(geometry: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON of ``geometry`` at 1e-7 precision; a one-part multi-geometry as its part."""
    if geometry.geom_type.startswith("Multi") and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-7)))


def _context(kind: str) -> list[str]:
    """The ``@context`` of entity type ``kind``."""
    return [CONTEXT.format(subject=SUBJECTS[kind])]


def building_entities(twin: Twin, unknown_category: str = "residential") -> list[dict[str, Any]]:
    """The twin's buildings as Building entities (key-values): category from use, floors above
    ground, footprint as ``location``.

    Parameters
    ----------
    twin : Twin
        The twin whose buildings are exported.
    unknown_category : str, default "residential"
        Building ``category`` of the uses the model has no category for (``other``,
        ``unknown``).

    Returns
    -------
    list of dict
        One Building entity per building, footprint in WGS84 [degree].
    """
    out = []
    for row, geometry in zip(twin.buildings.itertuples(index=False), _wgs84(twin.buildings)):
        entity: dict[str, Any] = {
            "id": _urn("Building", row.id), "type": "Building",
            "category": [USE_TO_CATEGORY.get(row.use, unknown_category)], "address": {},
            "location": _geojson(geometry), "dataProvider": "localtwin", "@context": _context("Building"),
        }
        if pd.notna(row.floors):
            entity["floorsAboveGround"] = int(row.floors)
        out.append(entity)
    return out


def road_segment_entities(twin: Twin) -> list[dict[str, Any]]:
    """The twin's directed links as RoadSegment entities (key-values): one-way, lanes, length km,
    maximum speed km/h, start and end points.

    Parameters
    ----------
    twin : Twin
        The twin whose links are exported.

    Returns
    -------
    list of dict
        One RoadSegment entity per link: ``length`` [km], ``maximumAllowedSpeed`` [km/h],
        ``totalLaneNumber`` [-], geometry in WGS84 [degree].
    """
    out = []
    links = twin.network.links
    for row, line in zip(links.itertuples(index=False), _wgs84(links)):
        name = row.name if isinstance(row.name, str) and row.name else str(row.id)
        out.append({
            "id": _urn("RoadSegment", row.id), "type": "RoadSegment", "name": name,
            "refRoad": _urn("Road", name), "location": _geojson(line),
            "startPoint": _geojson(shapely.Point(line.coords[0])),
            "endPoint": _geojson(shapely.Point(line.coords[-1])),
            "allowedVehicleType": ["car", "bus", "lorry", "van", "motorcycle"], "category": ["oneway"],
            "laneUsage": ["forward"] * int(row.lanes), "totalLaneNumber": int(row.lanes),
            "length": float(row.length) / 1000.0, "maximumAllowedSpeed": round(float(row.free_speed) * KMH_PER_MS, 1),
            "dataProvider": "localtwin", "@context": _context("RoadSegment"),
        })
    return out


def flow_entities(twin: Twin, link_ids: Sequence[str], bin_start: Sequence[dt.datetime] | np.ndarray,
                  bin_width: float, flow: np.ndarray, speed: np.ndarray | None = None,
                  scenario: str = "base") -> list[dict[str, Any]]:
    """Simulated link flows as TrafficFlowObserved entities, one per link and time bin.

    bin_start: UTC start of each bin; bin_width: s; flow: (n_bins, n_links) veh/h, in the order of
    ``link_ids``; speed: the same shape in km/h (NaN where no vehicle). ``intensity`` is the
    number of vehicles in the bin; ``refRoadSegment`` names the RoadSegment entity of the link.

    Parameters
    ----------
    twin : Twin
        The twin the flows were simulated on.
    link_ids : sequence of str
        Ids of the links, the columns of ``flow``.
    bin_start : sequence of datetime.datetime or numpy.ndarray
        UTC start of each bin (timezone-aware).
    bin_width : float
        Width of the bins [s].
    flow : numpy.ndarray
        Simulated flows, shape (n_bins, n_links) [veh/h].
    speed : numpy.ndarray, optional
        Mean speeds of the same shape [km/h], NaN where no vehicle.
    scenario : str, default "base"
        Name of the scenario, part of each entity id and of ``dataProvider``.

    Returns
    -------
    list of dict
        One TrafficFlowObserved entity per link and bin: ``intensity`` [vehicles in the bin],
        ``averageVehicleSpeed`` [km/h] where known.
    """
    links = twin.network.links.set_index(twin.network.links["id"].astype(str))
    lines = _wgs84(twin.network.links)
    lines.index = links.index
    starts = [int(t.timestamp() * 1000) for t in bin_start]
    out = []
    for j, link in enumerate(map(str, link_ids)):
        location = _geojson(lines[link])
        for i, start in enumerate(starts):
            end = start + int(bin_width * 1000)
            entity: dict[str, Any] = {
                "id": _urn("TrafficFlowObserved", f"{scenario}:{link}:{to_iso(start)}"),
                "type": "TrafficFlowObserved", "dateObserved": f"{to_iso(start)}/{to_iso(end)}",
                "dateObservedFrom": to_iso(start), "dateObservedTo": to_iso(end),
                "intensity": round(float(flow[i, j]) * bin_width / 3600.0, 3),
                "refRoadSegment": _urn("RoadSegment", link), "location": location,
                "dataProvider": f"localtwin simulation {scenario}", "@context": _context("TrafficFlowObserved"),
            }
            if speed is not None and np.isfinite(speed[i, j]):
                entity["averageVehicleSpeed"] = round(float(speed[i, j]), 2)
            out.append(entity)
    return out


def normalized(entity: Mapping[str, Any]) -> dict[str, Any]:
    """The NGSI-LD normalized form of a key-values entity (what a broker stores and returns).

    Parameters
    ----------
    entity : Mapping
        An entity in key-values form.

    Returns
    -------
    dict
        The entity with every attribute as a Property, Relationship (``ref*``) or GeoProperty.
    """
    out: dict[str, Any] = {}
    for key, value in entity.items():
        if key in ("id", "type", "@context"):
            out[key] = value
        elif key.startswith("ref") and isinstance(value, str):
            out[key] = {"type": "Relationship", "object": value}
        elif key in ("location", "startPoint", "endPoint"):
            out[key] = {"type": "GeoProperty", "value": value}
        else:
            out[key] = {"type": "Property", "value": value}
    return out
