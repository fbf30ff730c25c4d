"""Travel demand on a twin: a table of car trips, and reading it from an OD matrix CSV.

A demand table has ``DEMAND_COLUMNS``: departure (s after midnight of the simulated day) and
origin / destination node ids of ``Twin.network``.

OD matrix CSV (comma-separated, UTF-8, a header row; other columns are ignored)::

    origin,destination,period,trips
    A,B,07:00-08:00,120
    A,C,25200-28800,35.5
    B,A,07:30,4

- origin, destination: zone ids: node ids of the network, or, with a zones file, the ids in its
  zone column.
- period: departure window ``HH:MM[:SS]-HH:MM[:SS]`` or in seconds ``START-END`` (departures
  uniform over it), or one time (all trips leave then); times are seconds of the day, may pass 24:00.
- trips: vehicle trips (>= 0); fractions are rounded up or down at random (seeded).

With zones (a GeoPackage / GeoJSON / any OGR polygon layer with a CRS), each trip starts and ends
at a node drawn at random (seeded) among the routable network's nodes inside its zone, origin and
destination distinct.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TextIO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError
from twin.mobility.network import largest_component
from twin.model import Twin

DEMAND_COLUMNS: dict[str, str] = {"departure": "float64", "origin": "object", "destination": "object"}
"""Columns of a demand table: departure s after midnight; origin, destination node ids."""

OD_COLUMNS = ("origin", "destination", "period", "trips")
_TIME = re.compile(r"^\s*(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d*)?))?\s*$")


def demand_frame(departure: np.ndarray, origin: np.ndarray, destination: np.ndarray) -> pd.DataFrame:
    """A demand table (``DEMAND_COLUMNS``) of the given trips, sorted by departure time
    (stable: trips leaving at the same second keep their order); departures in s after midnight.

    Parameters
    ----------
    departure : array of float
        Departure time of each trip [s after midnight of the simulated day].
    origin : array of object
        Node id (of ``Twin.network``) each trip starts at, same length as ``departure``.
    destination : array of object
        Node id each trip ends at, same length as ``departure``.

    Returns
    -------
    pandas.DataFrame
        Columns ``departure`` (float64) [s after midnight], ``origin`` and ``destination``
        (node ids), one row per trip in order of departure, index 0..n-1.
    """
    frame = pd.DataFrame({"departure": np.asarray(departure, dtype=np.float64),
                          "origin": np.asarray(origin, dtype=object),
                          "destination": np.asarray(destination, dtype=object)})
    return frame.sort_values("departure", kind="stable").reset_index(drop=True).astype(DEMAND_COLUMNS)


def read_od_csv(path: str | Path, twin: Twin, zones: str | Path | gpd.GeoDataFrame | None = None,
                zone_column: str = "zone", seed: int = 0) -> pd.DataFrame:
    """Car trips (a demand table, departures in s after midnight) from an OD matrix CSV; see
    the module docstring for the format.

    zones: polygons (a file or a GeoDataFrame with a CRS) whose ``zone_column`` holds the zone
    ids the CSV uses; without it the CSV names nodes of ``twin.network``.

    Parameters
    ----------
    path : str or Path
        The OD matrix CSV (UTF-8, header ``origin,destination,period,trips``): departure
        periods as ``HH:MM[:SS]`` or in s after midnight, the vehicle trips of each row
        [trips].
    twin : Twin
        The twin whose road network the trips run on.
    zones : str or Path or geopandas.GeoDataFrame, optional
        Zone polygons (an OGR-readable file or a GeoDataFrame, with a CRS) whose
        ``zone_column`` holds the zone ids the CSV uses; each trip end is drawn among the
        routable network's nodes inside its zone. None: the CSV's zone ids are node ids of
        ``twin.network``.
    zone_column : str, default "zone"
        Column of ``zones`` with the zone ids.
    seed : int, default 0
        Seed of the random draws (rounding of fractional trips, departure times within a
        period, nodes within a zone).

    Returns
    -------
    pandas.DataFrame
        A ``DEMAND_COLUMNS`` table: ``departure`` [s after midnight], ``origin`` and
        ``destination`` node ids, one row per whole trip, sorted by departure.

    Raises
    ------
    InputError
        Naming the file, line and column: the CSV cannot be read, lacks a column, has a
        malformed period or trip count, names an unknown zone or an origin equal to its
        destination (a single node); or the zones cannot be read, lack ``zone_column`` or a
        CRS, or a zone contains no node of the routable network.
    """
    path = Path(path)
    rows = _read_rows(path)
    if zones is None:
        members = {str(i): np.array([i], dtype=object) for i in twin.network.nodes["id"]}
        where = "the road network's nodes"
    else:
        members, where = _zone_nodes(zones, zone_column, twin)
    for line, origin, destination, _, _, _ in rows:
        for column, zone in (("origin", origin), ("destination", destination)):
            if zone not in members:
                raise InputError(path, f"line {line}, column {column}", f"zone {zone!r} is not among {where}")
        if origin == destination and len(members[origin]) < 2:
            raise InputError(path, f"line {line}", f"origin and destination are the same node ({origin!r})")
    return _spread(rows, members, np.random.default_rng(seed))


def _read_rows(path: Path) -> list[tuple[int, str, str, float, float, float]]:
    """(line, origin zone, destination zone, period start s, period end s, trips) per data row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _parse_rows(path, handle)
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error.strerror}") from None


def _parse_rows(path: Path, handle: TextIO) -> list[tuple[int, str, str, float, float, float]]:
    reader = csv.reader(handle)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InputError(path, "line 1", f"empty file: expected a header {','.join(OD_COLUMNS)}") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise InputError(path, "line 1", f"not a readable CSV header: {error}") from None
    missing = [c for c in OD_COLUMNS if c not in header]
    if missing:
        raise InputError(path, "line 1", f"missing column(s) {', '.join(missing)}; "
                         f"expected a header with {','.join(OD_COLUMNS)}")
    col = {name: header.index(name) for name in OD_COLUMNS}
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if len(values) < len(header):
                raise InputError(path, f"line {line}", f"expected {len(header)} values, found {len(values)}")
            start, end = _period(path, line, values[col["period"]])
            rows.append((line, values[col["origin"]].strip(), values[col["destination"]].strip(),
                         start, end, _trips(path, line, values[col["trips"]])))
    except (csv.Error, UnicodeDecodeError) as error:
        raise InputError(path, f"line {reader.line_num + 1}", f"not readable as CSV: {error}") from None
    return rows


def _seconds(token: str) -> float | None:
    """Seconds of ``HH:MM[:SS]`` or of a plain number; None if neither."""
    match = _TIME.match(token)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600.0 + int(minutes) * 60.0 + float(seconds or 0.0)
    try:
        value = float(token)
    except ValueError:
        return None
    return value if np.isfinite(value) and value >= 0 else None


def _period(path: Path, line: int, text: str) -> tuple[float, float]:
    """(start, end) s of a period; start == end for a single departure time."""
    parts = text.split("-")
    times = [_seconds(p) for p in parts] if len(parts) in (1, 2) else []
    valid = [t for t in times if t is not None]
    if not valid or len(valid) < len(times) or (len(valid) == 2 and valid[1] <= valid[0]):
        raise InputError(path, f"line {line}, column period",
                         "expected a departure period like 07:00-08:00 or 25200-28800 (s) with end "
                         f"after start, or one time like 07:30, found {text!r}")
    return valid[0], valid[-1]


def _trips(path: Path, line: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and value >= 0):
        raise InputError(path, f"line {line}, column trips", f"expected a number of trips >= 0, found {text!r}")
    return value


def _zone_nodes(zones: str | Path | gpd.GeoDataFrame, column: str,
                twin: Twin) -> tuple[dict[str, np.ndarray], str]:
    """Node ids of the routable network inside each zone, by zone id."""
    name = "zones" if isinstance(zones, gpd.GeoDataFrame) else str(zones)
    frame = zones if isinstance(zones, gpd.GeoDataFrame) else _read_zones(Path(zones))
    if column not in frame.columns:
        raise InputError(name, column, f"no zone id column {column!r}; columns: {', '.join(map(str, frame.columns))}")
    if frame.crs is None:
        raise InputError(name, "crs", "the zones declare no CRS")
    frame = frame.to_crs(twin.crs)
    nodes = largest_component(twin.network)[0].nodes
    tree = shapely.STRtree(nodes.geometry.to_numpy())
    zone_idx, node_idx = tree.query(frame.geometry.to_numpy(), predicate="contains")
    ids = frame[column].astype(str).to_numpy()
    node_ids = nodes["id"].to_numpy()
    members: dict[str, np.ndarray] = {}
    for zone in np.unique(ids):
        inside = np.unique(node_idx[ids[zone_idx] == zone])
        if inside.size == 0:
            raise InputError(name, f"zone {zone}", "contains no node of the routable road network")
        members[zone] = node_ids[inside]
    return members, f"the zones of {name}"


def _read_zones(path: Path) -> gpd.GeoDataFrame:
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        return gpd.read_file(path)
    except (DataSourceError, DataLayerError, OSError) as error:
        raise InputError(path, None, f"cannot read the zones: {error}") from None


def _spread(rows: list, members: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    """Whole trips with departure times and nodes drawn for every row."""
    trips = np.array([r[5] for r in rows], dtype=np.float64)
    whole = np.floor(trips)
    counts = (whole + (rng.random(trips.size) < trips - whole)).astype(np.int64)
    row = np.repeat(np.arange(len(rows)), counts)
    start = np.array([r[3] for r in rows])[row]
    end = np.array([r[4] for r in rows])[row]
    departure = start + rng.random(row.size) * (end - start)
    zones = list(members)
    zone_of = {z: k for k, z in enumerate(zones)}
    sizes = np.array([members[z].size for z in zones])
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    pool = np.concatenate([members[z] for z in zones]) if zones else np.zeros(0, dtype=object)
    o_zone = np.array([zone_of[r[1]] for r in rows], dtype=np.int64)[row]
    d_zone = np.array([zone_of[r[2]] for r in rows], dtype=np.int64)[row]
    o_pick = offsets[o_zone] + rng.integers(0, sizes[o_zone])
    d_pick = offsets[d_zone] + rng.integers(0, sizes[d_zone])
    same = o_pick == d_pick  # only within one zone of 2+ nodes: draw again among the others
    shift = rng.integers(1, np.maximum(sizes[d_zone[same]], 2))
    d_pick[same] = offsets[d_zone[same]] + (d_pick[same] - offsets[d_zone[same]] + shift) % sizes[d_zone[same]]
    return demand_frame(departure, pool[o_pick], pool[d_pick])
