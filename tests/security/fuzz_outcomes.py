"""Outcome counting for fuzzing campaigns: every case ends as accepted, a clear error (the
loader's documented error, naming the input), a traceback (any other exception) or silently
wrong (accepted, but a value breaks a plain physical or structural bound). A campaign runs all
its cases, prints the counts and then fails on any traceback or silently wrong value, showing
the first of each."""

from __future__ import annotations

import copy
import math
import os
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, settings

from twin.errors import InputError
from twin.importers.building_values import outside_range
from twin.model import BUILDING_COLUMNS, conform_buildings

CASES = int(os.environ.get("LOCALTWIN_FUZZ_CASES", "300"))
"""Cases per loader (set LOCALTWIN_FUZZ_CASES, e.g. to 20000, for a longer campaign)."""
FUZZ = settings(max_examples=CASES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz_share(share: int) -> settings:
    """FUZZ for a campaign given ``1/share`` of the cases (one whose checks downstream another
    campaign already fuzzes in full)."""
    return settings(FUZZ, max_examples=max(CASES // share, 1))


@dataclass
class Outcomes:
    """Counts of one loader's cases, and the first traceback and wrong value seen."""

    name: str
    planned: int = CASES
    cases: int = 0
    accepted: int = 0
    clear: int = 0
    tracebacks: int = 0
    wrong: int = 0
    first: dict[str, str] = field(default_factory=dict)
    sites: Counter[str] = field(default_factory=Counter)

    def run(self, load: Callable[[], Any], clear: tuple[type[BaseException], ...],
            named: str | None = None, check: Callable[[Any], str | None] | None = None,
            alone: bool = False) -> None:
        """One case: ``load()``; its ``clear`` errors must name ``named`` when given; an accepted
        result is checked with ``check`` (a reason when silently wrong). With ``alone`` the case
        changed one record that must be left out alone: a clear error is wrong too."""
        self.cases += 1
        if self.planned >= 2000 and self.cases % (self.planned // 20) == 0:  # counts so far, for long runs
            print(f"{self.counts()} (of {self.planned})", flush=True)
        try:
            result = load()
        except clear as error:
            if alone:
                self._bad("wrong", f"the whole input rejected for one bad record: {error}")
            elif named is not None and named not in str(error):
                self._bad("tracebacks", f"error without the input's name: {error}")
            else:
                self.clear += 1
            return
        except Exception as error:  # noqa: BLE001 - counting every other failure is the point
            self._bad("tracebacks", traceback.format_exc(limit=-6))
            frames = [f for f in traceback.extract_tb(error.__traceback__) if "/twin/" in f.filename]
            where = f"{frames[-1].filename.rsplit('/twin/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"
            self.sites[f"{where} {type(error).__name__}"] += 1
            return
        reason = check(result) if check is not None else None
        if reason:
            self._bad("wrong", reason)
        else:
            self.accepted += 1

    def _bad(self, kind: str, text: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.first.setdefault(kind, text)

    def counts(self) -> str:
        """One line of the counts so far."""
        return (f"fuzz {self.name}: {self.cases} cases, {self.accepted} accepted, {self.clear} clear "
                f"errors, {self.tracebacks} tracebacks, {self.wrong} silently wrong")

    def report(self) -> None:
        """Print the counts; fail on any traceback or silently wrong value."""
        print(self.counts())
        assert self.cases >= self.planned // 2, f"only {self.cases} cases ran"
        assert not self.first, "\n".join([*(f"first {kind}:\n{text}" for kind, text in self.first.items()),
                                          "tracebacks by place:", *(f"  {n} x {site}" for site, n in self.sites.items())])


def _conformed(buildings: pd.DataFrame) -> bool:
    """Whether ``buildings`` already has every BUILDING_COLUMNS column in its dtype (as the
    readers give them), so ``conform_buildings`` would change nothing the checks look at."""
    return all(name in buildings and str(buildings[name].dtype) == dtype
               for name, dtype in BUILDING_COLUMNS.items())


def _outside(values: Any, low: float, high: float) -> bool:
    """Whether any known (non-missing) value is not finite or outside [low, high]."""
    array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    known = array[~np.isnan(array)]
    return bool(known.size) and not (np.isfinite(known).all() and known.min() >= low and known.max() <= high)


def source_problem(data: Any) -> str | None:
    """Why a reader's ``SourceData`` is silently wrong, or None: building heights (as the import
    keeps them: out-of-range values become unknown, ``twin.importers.building_values``) within
    0-1000 m, floors 0-300, network lanes 1-50, speeds 0-100 m/s, lengths 0 to half the globe,
    finite node and link coordinates, signal phases of 0 s to a day, raster cells finite and square-ish, weather at a real place and time with physical values, transit stops and
    routes (GTFS) in degrees with whole location types 0-4 and route types 0-1702."""
    buildings = data.buildings
    if buildings is not None and len(buildings):
        if not _conformed(buildings):
            buildings = conform_buildings(buildings)
        for column, low, high in (("height", 0, 1000), ("floors", 0, 300), ("base_elevation", -500, 9000),
                                  ("year", 0, 2200)):
            values = pd.to_numeric(buildings[column], errors="coerce").to_numpy(dtype=np.float64,
                                                                                  na_value=np.nan)
            kept = values[~outside_range(column, values)]  # the import reads the rest as unknown, counted
            if _outside(kept, low, high):
                return f"buildings.{column} outside {low}..{high}"
        if any("\x00" in str(v) for v in buildings["id"]):
            return "a NUL in a building id"
    links = data.links
    if links is not None and len(links):
        for column, low, high in (("lanes", 1, 50), ("free_speed", 0.1, 100), ("capacity", 0, 1e6),
                                  ("length", 0, 2.1e7)):  # at most half the globe
            if column in links and _outside(links[column], low, high):
                return f"links.{column} outside {low}..{high}"
    for name, table in (("nodes", data.nodes), ("links", data.links)):
        if table is not None and len(table) and not np.isfinite(shapely.get_coordinates(table.geometry.values)).all():
            return f"{name}: a coordinate that is not a finite number"
    signals = data.signals
    if signals is not None and len(signals) and _outside(signals["duration"], 0, 86_400):
        return "signals.duration outside 0..86400 s"
    transit = _transit_problem(data.layers)
    if transit:
        return transit
    for role, raster in data.rasters.items():
        a, e = raster.transform.a, raster.transform.e
        if not (math.isfinite(a) and math.isfinite(e) and a > 0 and e != 0):
            return f"raster {role}: cell size {a} x {e}"
        values = raster.values[~np.isnan(raster.values)]
        if values.size and not (np.isfinite(values).all() and np.abs(values).max() < 1e5):
            return f"raster {role}: heights not finite or beyond 100 km"
    weather = data.weather
    if weather is not None:
        location = weather.location
        if not (-90 <= location.latitude <= 90 and -180 <= location.longitude <= 180
                and -14 <= location.utc_offset <= 14):
            return f"weather location {location}"
        index = pd.DatetimeIndex(weather.data.index)
        if len(index) and not (1800 <= index.year.min() and index.year.max() <= 2200):
            return f"weather years {index.year.min()}..{index.year.max()}"
        bounds = {"temp_air": (-100, 70), "relative_humidity": (0, 100), "ghi": (0, 1500), "dni": (0, 1500),
                  "dhi": (0, 1500), "wind_speed": (0, 120), "wind_direction": (0, 360),
                  "pressure": (30_000, 120_000)}
        for column, (low, high) in bounds.items():
            if column in weather.data and _outside(weather.data[column], low, high):
                return f"weather.{column} outside {low}..{high}"
    return None


def _transit_problem(layers: dict[str, Any]) -> str | None:
    """Why the GTFS layers among ``layers`` are silently wrong, or None: a location_type or
    route_type that is no whole number of the GTFS reference's range, a coordinate that is not
    a degree of longitude or latitude."""
    for name, column, high in (("transit_stops", "location_type", 4), ("transit_routes", "route_type", 1702)):
        table = layers.get(name)
        if table is None or not len(table):
            continue
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if _outside(values, 0, high) or np.isnan(values).any() or (values != np.floor(values)).any():
            return f"{name}.{column} not a whole number 0..{high}"
        coordinates = shapely.get_coordinates(table.geometry.values)
        if len(coordinates) and not (np.isfinite(coordinates).all() and (np.abs(coordinates[:, 0]) <= 180).all()
                                     and (np.abs(coordinates[:, 1]) <= 90).all()):
            return f"{name}: a coordinate that is no degree of longitude or latitude"
    return None


def with_value(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of a JSON ``document`` with the item at ``path`` (keys and indices) set to
    ``value``."""
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def loading(outcomes: Outcomes, read: Callable[[Path], Any], path: Path,
            also: Callable[[Any], str | None] | None = None, alone: bool = False) -> None:
    """One case of a file reader: ``read(path)``, warnings silenced; a clear error is an
    InputError naming the file, an accepted result is checked by ``source_problem`` and then by
    ``also`` when given (a check of what the case changed); ``alone``: see ``Outcomes.run``."""
    def check(data: Any) -> str | None:
        return source_problem(data) or (also(data) if also is not None else None)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcomes.run(lambda: read(path), (InputError,), named=path.name, check=check, alone=alone)
