"""Read a GTFS static feed (a ``.zip`` or a folder of ``.txt`` files) into transit layers.

- ``transit_stops``: every stop of ``stops.txt`` with a position (stop_id, name, location_type,
  parent_station, Point). Generic nodes and boarding areas (location_type 3, 4) may lack one and
  are then left out (counted in a warning). A stop whose location_type is no whole number from 0
  to 4, or whose stop_lat / stop_lon is not a degree (missing where a position is needed, not a
  number, out of range, infinite) is left out alone; the stop times that visit it are left out
  too, and so is a trip that keeps fewer than two stop times; a stop naming a left-out stop as
  its parent_station keeps working without that reference. Each is counted in a warning naming
  the first (file, row and column).
- ``transit_routes``: every route of ``routes.txt`` (route_id, short_name, long_name, route_type,
  agency_id, n_trips) with a MultiLineString: one line per distinct ``shapes.txt`` shape its
  trips use, or, for a route whose trips name no shape, the stop sequence of its most common
  stop pattern in ``stop_times.txt``. A route without trips has no geometry. A route whose
  route_type is no GTFS route type, and a trip whose trip_id repeats an earlier one, are left
  out alone (counted in a warning naming the first).

Coordinates are WGS 84 degrees (EPSG:4326). Files are read as UTF-8 (a byte-order mark is
allowed); a missing required file or column, or a value that is not a number where one is
needed, raises InputError naming the member, the row and the column.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from twin.errors import InputError
from twin.importers.base import ImportOptions, SourceData

WGS84 = CRS.from_epsg(4326)
STOP_COLUMNS = ("stop_id", "stop_lat", "stop_lon")
ROUTE_COLUMNS = ("route_id", "route_type")
TRIP_COLUMNS = ("route_id", "trip_id")
STOP_TIME_COLUMNS = ("trip_id", "stop_id", "stop_sequence")
SHAPE_COLUMNS = ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence")
UNPLACED_LOCATION_TYPES = (3, 4)
"""location_type values whose stops need no position (generic node, boarding area)."""
LOCATION_TYPES = (0, 4)
"""The lowest and highest location_type of the GTFS reference."""
BASIC_ROUTE_TYPES = (0, 1, 2, 3, 4, 5, 6, 7, 11, 12)
"""route_type values of the GTFS reference (tram to monorail)."""
EXTENDED_ROUTE_TYPES = (100, 1702)
"""The range of the extended route types (Google Transit's, from railway service to horse-drawn
carriage), which many feeds use."""


DAMAGED_MEMBER = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)
"""What opening or reading a damaged member raises: a bad CRC, bad deflate data, a cut file, an
unknown compression method, an encryption flag (RuntimeError), a bad header offset (OSError)."""


class _Feed:
    """The member files of a feed, in a zip archive or a folder, opened by name (``stops.txt``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self.archive = None
            self.members = {p.name: p.name for p in path.iterdir() if p.is_file()}
            return
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, NotImplementedError) as error:  # an unknown zip version
            raise InputError(
                path, None, f"not a GTFS feed: expected a zip archive or a folder ({error})"
            ) from None
        names = sorted(self.archive.namelist(), key=lambda n: n.count("/"))
        self.members = {}
        for name in names:
            self.members.setdefault(name.rsplit("/", 1)[-1], name)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def text(self, name: str) -> io.TextIOBase:
        """Member ``name`` as text, UTF-8 with an optional byte-order mark."""
        if name not in self.members:
            raise InputError(self.path, name, "required file is missing from the feed")
        if self.archive is None:
            return open(self.path / self.members[name], encoding="utf-8-sig", newline="")
        try:
            raw = self.archive.open(self.members[name])
        except DAMAGED_MEMBER as error:
            raise InputError(self.path, name, f"damaged in the archive ({error})") from None
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def require(self, name: str, columns: Iterable[str]) -> list[str]:
        """The header of ``name``; InputError if the member or one of ``columns`` is missing."""
        header = self._header(name)
        missing = [c for c in columns if c not in header]
        if missing:
            raise InputError(self.path, f"{name}: {missing[0]}", "required column is missing")
        return header

    def table(
        self, name: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> pd.DataFrame:
        """The required and present optional columns of ``name``, as strings ("" if empty)."""
        required = tuple(required)
        header = self.require(name, required)
        wanted = set(required) | (set(optional) & set(header))
        try:
            with self.text(name) as handle:
                frame = pd.read_csv(
                    handle,
                    dtype=str,
                    keep_default_na=False,
                    skipinitialspace=True,
                    usecols=lambda c: c.strip() in wanted,
                )
        except (UnicodeDecodeError, pd.errors.ParserError) as error:
            raise InputError(self.path, name, f"not a readable UTF-8 CSV table ({error})") from None
        except DAMAGED_MEMBER as error:
            raise InputError(self.path, name, f"damaged in the archive ({error})") from None
        frame.columns = [c.strip() for c in frame.columns]
        return frame

    def _header(self, name: str) -> list[str]:
        try:
            with self.text(name) as handle:
                return [c.strip() for c in next(csv.reader(handle), [])]
        except UnicodeDecodeError:
            raise InputError(self.path, name, "not UTF-8 text") from None
        except DAMAGED_MEMBER as error:
            raise InputError(self.path, name, f"damaged in the archive ({error})") from None


def read_gtfs(path: str | Path, options: ImportOptions = ImportOptions()) -> SourceData:
    """Stops and routes of a feed as ``transit_stops`` / ``transit_routes`` layers (degrees).

    ``options`` is not used: GTFS coordinates are always WGS 84.

    Parameters
    ----------
    path : str or Path
        The GTFS feed: a zip archive or a folder with ``stops.txt``.
    options : ImportOptions, optional
        Not used (the parameter keeps the importer signature).

    Returns
    -------
    SourceData
        Kind ``gtfs`` in EPSG:4326 [degree] with the layers ``transit_stops`` (points) and
        ``transit_routes`` (lines).

    Raises
    ------
    InputError
        When the feed does not exist or a table or cell cannot be used (naming the member, row,
        line and value).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "no such file or folder")
    feed = _Feed(path)
    warnings: list[str] = []
    try:
        stops, left_out = _stops(feed, warnings)
        routes = _routes(feed, stops, left_out, warnings)
    finally:
        feed.close()
    return SourceData(
        path=path,
        kind="gtfs",
        crs=WGS84,
        warnings=warnings,
        layers={"transit_stops": stops, "transit_routes": routes},
    )


def _first_cell(table: pd.DataFrame, bad: np.ndarray, name: str, column: str) -> tuple[str, str]:
    """Where the first ``bad`` cell of ``column`` is (member, row, line and column) and its value.

    ``table`` keeps the row labels of the file (0 = first data row), also after rows were left out.
    """
    position = int(np.flatnonzero(bad)[0])
    row = int(table.index[position]) + 1
    return f"{name} row {row} (line {row + 1}), column {column}", repr(table[column].iloc[position])


def _cell_error(
    feed: _Feed, name: str, table: pd.DataFrame, bad: np.ndarray, column: str, what: str
) -> InputError:
    """An InputError naming the first ``bad`` cell of ``column``: member, row, line and value."""
    where, value = _first_cell(table, bad, name, column)
    return InputError(feed.path, where, f"{value} {what}")


def _cells(
    table: pd.DataFrame,
    column: str,
    low: float = -np.inf,
    high: float = np.inf,
    whole: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Column ``column`` as floats (an empty cell is NaN), and where a cell is not a number from
    ``low`` to ``high`` (with ``whole``: or has a fraction)."""
    text = table[column].str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = (np.isnan(values) & (text != "").to_numpy()) | (values < low) | (values > high)
    if whole:
        bad |= np.isfinite(values) & (values != np.floor(values))
    return values, bad


def _expected(low: float, high: float, whole: bool = False) -> str:
    """What ``_cells`` accepts, in words."""
    number = "a whole number" if whole else "a number"
    return number if low == -np.inf else f"{number} from {low:g} to {high:g}"


def _numbers(
    feed: _Feed,
    name: str,
    table: pd.DataFrame,
    column: str,
    low: float = -np.inf,
    high: float = np.inf,
) -> np.ndarray:
    """Column ``column`` as floats; an empty cell is NaN, a non-number or out-of-range one an
    error."""
    values, bad = _cells(table, column, low, high)
    if bad.any():
        raise _cell_error(feed, name, table, bad, column, f"is not {_expected(low, high)}")
    return values


def _required_numbers(
    feed: _Feed, name: str, table: pd.DataFrame, column: str, **bounds: float
) -> np.ndarray:
    """Like ``_numbers`` but an empty cell is an error too."""
    values = _numbers(feed, name, table, column, **bounds)
    if np.isnan(values).any():
        raise _cell_error(
            feed, name, table, np.isnan(values), column, "is empty; a value is required"
        )
    return values


def _route_types(routes: pd.DataFrame) -> np.ndarray:
    """Whether each route_type is a GTFS route type, basic or extended."""
    low, high = EXTENDED_ROUTE_TYPES
    values, bad = _cells(routes, "route_type", 0, high, whole=True)
    return ~bad & (np.isin(values, BASIC_ROUTE_TYPES) | (values >= low))


def _warn(
    table: pd.DataFrame, bad: np.ndarray, name: str, column: str, what: str, warnings: list[str]
) -> None:
    """A warning naming the first ``bad`` cell of ``column`` (row, line and value), saying
    ``what`` of it, and counting the ``bad`` rows."""
    where, value = _first_cell(table, bad, name, column)
    warnings.append(f"{where}: {value} {what} ({int(bad.sum())} such rows in all)")


def _left_out(
    table: pd.DataFrame, bad: np.ndarray, name: str, column: str, what: str, warnings: list[str]
) -> pd.DataFrame:
    """``table`` without its ``bad`` rows; a warning counts them and names the first (row, line
    and value)."""
    if not bad.any():
        return table
    _warn(table, bad, name, column, f"is not {what}: left out", warnings)
    return table[~bad]


def _unique(feed: _Feed, name: str, table: pd.DataFrame, column: str) -> None:
    """Ids in ``column`` must not repeat."""
    repeated = table[column].duplicated().to_numpy()
    if repeated.any():
        raise _cell_error(feed, name, table, repeated, column, "repeats an earlier id")


def _stops(feed: _Feed, warnings: list[str]) -> tuple[gpd.GeoDataFrame, set[str]]:
    """The ``transit_stops`` layer, and the ids of the stops left out for a bad value."""
    name = "stops.txt"
    table = feed.table(name, STOP_COLUMNS, ("stop_name", "location_type", "parent_station"))
    _unique(feed, name, table, "stop_id")
    every_id = set(table["stop_id"])
    if "location_type" in table:
        _, bad = _cells(table, "location_type", *LOCATION_TYPES, whole=True)
        table = _left_out(table, bad, name, "location_type",
                          _expected(*LOCATION_TYPES, whole=True), warnings)
        kind = np.nan_to_num(_cells(table, "location_type")[0], nan=0.0).astype(np.int64)
    else:
        kind = np.zeros(len(table), dtype=np.int64)
    for column, bound in (("stop_lat", 90.0), ("stop_lon", 180.0)):
        values, bad = _cells(table, column, -bound, bound)
        bad |= np.isnan(values) & ~np.isin(kind, UNPLACED_LOCATION_TYPES)  # a position is needed
        table = _left_out(table, bad, name, column, _expected(-bound, bound), warnings)
        kind = kind[~bad]
    left_out = every_id - set(table["stop_id"])
    lat, lon = _cells(table, "stop_lat")[0], _cells(table, "stop_lon")[0]
    unplaced = np.isnan(lat) | np.isnan(lon)
    if unplaced.any():
        warnings.append(
            f"{int(unplaced.sum())} stops without a position (generic nodes, boarding areas) "
            "left out"
        )
    keep = ~unplaced
    parent = _text(table, "parent_station")
    orphan = pd.Series(parent).isin(left_out - {""}).to_numpy() & keep
    if orphan.any():
        _warn(table, orphan, name, "parent_station",
              "names a left-out stop: the stop is kept without it", warnings)
        parent[orphan] = None
    frame = _frame(
        {
            "stop_id": _text(table, "stop_id")[keep],
            "name": _text(table, "stop_name")[keep],
            "location_type": kind[keep],
            "parent_station": parent[keep],
        }
    )
    points = shapely.points(lon[keep], lat[keep])
    layer = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, crs=WGS84), crs=WGS84)
    return layer, left_out


def _visits(
    feed: _Feed, trips: pd.DataFrame, left_out: set[str], warnings: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``trips`` and the stop times, without the stop times that visit a ``left_out`` stop and
    the trips they leave with fewer than two (counted in warnings). The stop times are None when
    no stop was left out (``stop_times.txt`` is then read only where it is needed)."""
    if not left_out:
        return trips, None
    name = "stop_times.txt"
    table = feed.table(name, STOP_TIME_COLUMNS)
    gone = table["stop_id"].isin(left_out).to_numpy()
    if not gone.any():
        return trips, table
    losing = trips["trip_id"].isin(table.loc[gone, "trip_id"]).to_numpy()
    table = _left_out(table, gone, name, "stop_id", "a kept stop (it is left out of stops.txt)",
                      warnings)
    remaining = trips["trip_id"].map(table["trip_id"].value_counts()).fillna(0).to_numpy()
    trips = _left_out(trips, losing & (remaining < 2), "trips.txt", "trip_id",
                      "a trip with two stop times at kept stops", warnings)
    return trips, table


def _routes(
    feed: _Feed, stops: gpd.GeoDataFrame, left_out: set[str], warnings: list[str]
) -> gpd.GeoDataFrame:
    """The ``transit_routes`` layer; the trips' visits to the ``left_out`` stops are left out."""
    routes = feed.table(
        "routes.txt", ROUTE_COLUMNS, ("route_short_name", "route_long_name", "agency_id")
    )
    _unique(feed, "routes.txt", routes, "route_id")
    routes = _left_out(routes, ~_route_types(routes), "routes.txt", "route_type",
                       "a GTFS route type (0-7, 11, 12 or 100-1702)", warnings)
    route_type = pd.to_numeric(routes["route_type"].str.strip()).to_numpy(dtype=np.int64)
    trips = feed.table("trips.txt", TRIP_COLUMNS, ("shape_id",))
    trips = _left_out(trips, trips["trip_id"].duplicated().to_numpy(), "trips.txt", "trip_id",
                      "a new trip_id (it repeats an earlier one)", warnings)
    feed.require("stop_times.txt", STOP_TIME_COLUMNS)
    trips, visits = _visits(feed, trips, left_out, warnings)
    if "shape_id" not in trips:
        trips["shape_id"] = ""
    lines = _shape_lines(feed, trips)
    by_route = _lines_by_route(trips, lines)
    with_trips = set(trips["route_id"])
    unshaped = [r for r in routes["route_id"] if r not in by_route and r in with_trips]
    if unshaped:
        by_route.update(
            _pattern_lines(feed, trips[trips["route_id"].isin(unshaped)], stops, visits)
        )
        warnings.append(
            f"{len(unshaped)} routes without shapes: drawn along the stops of their most "
            "common trip"
        )
    n_trips = trips.groupby("route_id").size()
    empty = int((~routes["route_id"].isin(n_trips.index)).sum())
    if empty:
        warnings.append(f"{empty} routes without trips have no geometry")
    frame = _frame(
        {
            "route_id": _text(routes, "route_id"),
            "short_name": _text(routes, "route_short_name"),
            "long_name": _text(routes, "route_long_name"),
            "route_type": route_type,
            "agency_id": _text(routes, "agency_id"),
            "n_trips": routes["route_id"].map(n_trips).fillna(0).to_numpy(dtype=np.int64),
        }
    )
    geometry = [_multiline(by_route.get(r, [])) for r in routes["route_id"]]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84)


def _text(table: pd.DataFrame, column: str) -> np.ndarray:
    """A text column as an object array, None where empty or absent."""
    if column not in table:
        return np.full(len(table), None, dtype=object)
    values = table[column].to_numpy(dtype=object)
    values[values == ""] = None
    return values


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame that keeps each array's dtype (text stays ``object`` with None for empty)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=values.dtype) for name, values in columns.items()}
    )


def _multiline(lines: list[shapely.LineString]) -> shapely.MultiLineString | None:
    return shapely.MultiLineString(lines) if lines else None


def _shape_lines(feed: _Feed, trips: pd.DataFrame) -> dict[str, shapely.LineString]:
    """The line of each shape the trips use, points in ``shape_pt_sequence`` order."""
    used = set(trips["shape_id"]) - {""}
    if not used or not feed.has("shapes.txt"):
        return {}
    name = "shapes.txt"
    table = feed.table(name, SHAPE_COLUMNS)
    lat = _required_numbers(feed, name, table, "shape_pt_lat", low=-90.0, high=90.0)
    lon = _required_numbers(feed, name, table, "shape_pt_lon", low=-180.0, high=180.0)
    order = _required_numbers(feed, name, table, "shape_pt_sequence")
    points = pd.DataFrame({"shape_id": table["shape_id"], "order": order, "lon": lon, "lat": lat})
    points = points[points["shape_id"].isin(used)].sort_values(["shape_id", "order"], kind="stable")
    return _polylines(points["shape_id"], points[["lon", "lat"]].to_numpy())


def _polylines(keys: pd.Series, coords: np.ndarray) -> dict[str, shapely.LineString]:
    """One LineString per run of equal ``keys`` (rows in order); one-point runs are dropped."""
    codes, names = pd.factorize(keys)
    counts = np.bincount(codes, minlength=len(names))
    drawable = counts[codes] >= 2
    codes, keys_kept = pd.factorize(keys[drawable])
    lines = shapely.linestrings(coords[drawable], indices=codes) if len(codes) else []
    return dict(zip(keys_kept, lines))


def _lines_by_route(trips: pd.DataFrame, lines: dict[str, shapely.LineString]) -> dict[str, list]:
    """Each route's distinct shape lines, in order of first use."""
    pairs = trips.loc[
        trips["shape_id"].isin(lines.keys()), ["route_id", "shape_id"]
    ].drop_duplicates()
    result: dict[str, list] = {}
    for route_id, shape_id in zip(pairs["route_id"], pairs["shape_id"]):
        result.setdefault(route_id, []).append(lines[shape_id])
    return result


def _pattern_lines(
    feed: _Feed, trips: pd.DataFrame, stops: gpd.GeoDataFrame, visits: pd.DataFrame | None
) -> dict[str, list]:
    """For each route of ``trips``: the line through the stops of its most common stop pattern
    (``visits``: the stop times kept, None to read them all)."""
    name = "stop_times.txt"
    table = feed.table(name, STOP_TIME_COLUMNS) if visits is None else visits
    table = table[table["trip_id"].isin(trips["trip_id"])]
    order = _required_numbers(feed, name, table, "stop_sequence")
    unknown = ~table["stop_id"].isin(stops["stop_id"]).to_numpy()
    if unknown.any():
        raise _cell_error(
            feed, name, table, unknown, "stop_id", "is not a placed stop of stops.txt"
        )
    visits = pd.DataFrame(
        {"trip_id": table["trip_id"], "order": order, "stop_id": table["stop_id"]}
    )
    visits = visits.sort_values(["trip_id", "order"], kind="stable")
    patterns = visits.groupby("trip_id", sort=False)["stop_id"].agg(tuple)
    route_of = trips.set_index("trip_id")["route_id"]
    counted = pd.DataFrame(
        {"route_id": route_of.reindex(patterns.index).to_numpy(), "pattern": patterns.to_numpy()}
    )
    common = counted.groupby("route_id", sort=False)["pattern"].agg(
        lambda p: p.value_counts().index[0]
    )
    position = stops.set_index("stop_id").geometry
    result = {}
    for route_id, pattern in common.items():
        coords = shapely.get_coordinates(position.loc[list(pattern)].to_numpy())
        if len(coords) >= 2:
            result[route_id] = [shapely.LineString(coords)]
    return result
