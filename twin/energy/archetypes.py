"""Energy archetypes: envelope and use parameters of each building.

The envelope comes from the national building typology (``building_types.py``: TABULA types
of 20 countries, a Finnish typology by building-code era): U-values W/(m² K), floor b-factor,
glazing, thermal bridges, infiltration and, for dwellings, the usage air change, window share
and hot-water need. The table ``archetypes.toml`` beside this file (sources cited there) gives
the occupancy per use (internal gains W/m², schedule, set points °C, ventilation, thermal mass
class, window-to-wall ratio and hot water of non-dwellings, the electric share of the gains)
and the method constants.

``Archetypes.resolve`` makes one row per building and counts every fallback:

1. type from the country, the building's ``year``, its size class (``size_class.py``, from
   footprint, storeys and party walls) and its ``refurbishment`` state (``building_types.py``);
   a year outside ``YEAR_RANGE`` is read as unknown (counted);
2. use archetype from ``use``; ``other`` and ``unknown`` take ``method.default_use``, and so do
   a missing use and a use code the table lacks (both counted);
3. overrides: every column of :data:`PARAMETERS` present in the buildings table replaces the
   archetype value where it is not null (a retrofit sets ``u_wall``, a survey sets ``wwr``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from simulation.energy import MASS_CLASSES
from twin.energy.building_types import (
    ANY_SIZE,
    SIZE_CLASSES,
    STATES,
    TYPE_COLUMNS,
    BuildingTypes,
    Fallbacks,
    load_building_types,
)
from twin.energy.size_class import size_classes
from twin.errors import InputError
from twin.importers.building_values import RANGES
from twin.model import STOREY_HEIGHT

DEFAULT_TABLE = Path(__file__).with_name("archetypes.toml")

PARAMETERS: dict[str, str] = {
    "u_wall": "W/(m2 K)",
    "u_roof": "W/(m2 K)",
    "u_floor": "W/(m2 K)",
    "u_window": "W/(m2 K)",
    "g_window": "1",
    "wwr": "1",
    "infiltration_ach": "1/h",
    "thermal_bridge": "W/(m2 K)",
    "floor_reduction": "1",
    "hot_water_kwh_m2": "kWh/(m2 a)",
    "internal_gains": "W/m2",
    "heating_setpoint": "degC",
    "heating_setback": "degC",
    "cooling_setpoint": "degC",
    "ventilation_ach": "1/h",
    "ventilation_lps_m2": "l/(s m2)",
    "mass_class": "",
    "schedule": "",
    "electric_share": "1",
}
"""Per-building energy parameters and their units; a buildings column of the same name
overrides the archetype value where it is not null. Set points may be ±inf (off)."""

TEXT_PARAMETERS = ("mass_class", "schedule")
USE_FIELDS = ("dwelling", "schedule", "internal_gains", "heating_setpoint", "heating_setback",
              "cooling_setpoint", "ventilation_lps_m2", "mass_class", "electric_share")
NON_DWELLING_FIELDS = ("ventilation_ach", "wwr", "hot_water_kwh_m2")
"""Use fields that dwellings take from their building type instead."""
METHOD_FIELDS = ("floor_area_ratio", "room_height", "frame_fraction", "window_shading",
                 "solar_absorptance", "emissivity", "default_country", "default_year",
                 "default_size_class", "default_use")
UNTYPED_USES = ("other", "unknown")
"""Uses that name no archetype: they take ``method.default_use`` without being counted."""
YEAR_RANGE = RANGES["year"][:2]
"""Construction years read as known (``twin.importers.building_values.RANGES``)."""
SCHEDULE_FIELDS = ("weekday_gains", "weekend_gains", "weekday_occupied", "weekend_occupied")
SETBACK_FIELDS = ("weekday_setback", "weekend_setback")
"""Optional schedule rows: 1 where heating holds the set-back (default: the unoccupied hours)."""


@dataclass(frozen=True)
class Schedule:
    """Hourly use pattern by local standard-time hour (0..23) and day type.

    gains: fraction of the use's internal gains; occupied: 1 where the cooling set point and
    the use's ventilation apply; setback: 1 where heating holds the set-back instead of the
    heating set point (the unoccupied hours unless the table gives it, e.g. a dwelling's
    night). ``saturday_is_weekday``: Saturday follows the weekday rows.
    """

    weekday_gains: np.ndarray
    weekend_gains: np.ndarray
    weekday_occupied: np.ndarray
    weekend_occupied: np.ndarray
    weekday_setback: np.ndarray
    weekend_setback: np.ndarray
    saturday_is_weekday: bool = False


@dataclass(frozen=True)
class Archetypes:
    """The archetype table (``archetypes.toml``, sources cited there) and the building typology.

    Attributes
    ----------
    types : BuildingTypes
        Envelope and air change per country, construction-year class, size class and state.
    uses : pandas.DataFrame
        One row per use archetype (index: use): dwelling, schedule, internal gains [W/m²], set
        points and set-back [°C], ventilation [1/h, l/(s m²)], mass class, electric share of
        the internal gains [-]; for non-dwellings window-to-wall ratio [-] and hot-water need
        [kWh/(m² a)] (dwellings take these and their air change from their type).
    schedules : Mapping
        Hourly use patterns by name (:class:`Schedule`).
    method : Mapping
        Method constants: floor area ratio [-], room height [m], frame fraction, window
        shading, solar absorptance, emissivity [-]; default country, year, size class and use.
    path : str
        The file the table was read from.
    """

    types: BuildingTypes
    uses: pd.DataFrame
    schedules: Mapping[str, Schedule]
    method: Mapping[str, Any]
    path: str

    def use_of(self, uses: pd.Series | np.ndarray,
               fallbacks: Fallbacks | None = None) -> np.ndarray:
        """Archetype name of each building use (default use where the table has none)."""
        return self.uses.index.to_numpy()[self._use_rows(uses, fallbacks)]

    def _use_rows(self, uses: pd.Series | np.ndarray,
                  fallbacks: Fallbacks | None = None) -> np.ndarray:
        """Row of ``self.uses`` of each building use (the default use where the table has
        none); uses the table lacks are counted in ``fallbacks``."""
        codes, names = pd.factorize(pd.Series(uses, dtype=object), use_na_sentinel=True)
        rows_of_names = self.uses.index.get_indexer(names)
        default = self.uses.index.get_loc(self.method["default_use"])
        known = codes >= 0
        rows = np.full(len(codes), -1, dtype=np.int64)
        rows[known] = rows_of_names[codes[known]]
        if fallbacks is not None:
            fallbacks.add(f"no use: {self.method['default_use']}", (~known).sum())
            lacking = (rows_of_names < 0) & ~np.isin(np.asarray(names, dtype=object),
                                                     UNTYPED_USES)
            if lacking.any():
                shown = ", ".join(sorted(str(u) for u in np.asarray(names)[lacking])[:5])
                fallbacks.add(f"unknown use code ({shown}): {self.method['default_use']}",
                              lacking[codes[known]].sum())
        return np.where(rows >= 0, rows, default)

    def parameters(self, buildings: pd.DataFrame, country: str | None = None,
                   party_wall_area: np.ndarray | None = None) -> pd.DataFrame:
        """:meth:`resolve` without the fallback counts."""
        return self.resolve(buildings, country, party_wall_area)[0]

    def resolve(self, buildings: pd.DataFrame, country: str | None = None,
                party_wall_area: np.ndarray | None = None) -> tuple[pd.DataFrame, Fallbacks]:
        """One row per building (same index) and the fallbacks taken.

        Parameters
        ----------
        buildings : pandas.DataFrame
            ``use``, ``year``, ``footprint_area`` [m²], ``floors``, ``height`` [m], optional
            ``refurbishment`` and :data:`PARAMETERS` override columns.
        country : str, optional
            ISO 3166-1 alpha-2 code (None: unknown, ``method.default_country``).
        party_wall_area : ndarray, optional
            Wall area shared with neighbours [m²] (None: none, no terraced houses).

        Returns
        -------
        (pandas.DataFrame, Fallbacks)
            ``country``, ``band`` (type code), ``size_class``, ``state``, ``archetype``,
            ``dwelling`` and the :data:`PARAMETERS`, archetype values with the buildings'
            own columns laid over them; the fallback counts.

        Raises
        ------
        InputError
            For an override or ``refurbishment`` value out of range.
        """
        n = len(buildings)
        m = self.method
        fallbacks = Fallbacks()
        use_rows = self._use_rows(buildings["use"] if "use" in buildings else np.full(n, None),
                                  fallbacks)
        years = _years(buildings, fallbacks)
        storeys = storeys_of(buildings)
        if "floors" in buildings:
            floors = pd.to_numeric(buildings["floors"], errors="coerce").to_numpy(np.float64)
            fallbacks.add("storeys below 1: from the height, 3 m a storey",
                          (np.isfinite(floors) & (floors < 1)).sum())
        footprint = (pd.to_numeric(buildings["footprint_area"], errors="coerce")
                     .to_numpy(np.float64) if "footprint_area" in buildings else np.full(n, np.nan))
        party = np.zeros(n) if party_wall_area is None else np.asarray(party_wall_area)
        sizes, no_size = size_classes(footprint, storeys, party, m["default_size_class"])
        fallbacks.add(f"no footprint or storeys: size class {m['default_size_class']}",
                      no_size.sum())
        types = self.types.choose(country or "", years, sizes, _states(buildings),
                                  m["default_country"], int(m["default_year"]), fallbacks)
        def use_column(name: str) -> np.ndarray:
            return self.uses[name].to_numpy()[use_rows]

        dwelling = use_column("dwelling").astype(bool)
        size_class = types["size_class"].to_numpy()
        columns: dict[str, Any] = {
            "country": types["country"].to_numpy(),
            "band": types["code"].to_numpy(),
            "size_class": np.where(size_class == ANY_SIZE, sizes, size_class),
            "state": types["state"].to_numpy(),
            "archetype": self.uses.index.to_numpy()[use_rows],
            "dwelling": dwelling,
        }
        for name in TYPE_COLUMNS:
            columns[name] = types[name].to_numpy(np.float64)
        for name in NON_DWELLING_FIELDS:
            columns[name] = np.where(dwelling, columns[name], use_column(name).astype(np.float64))
        for name in ("internal_gains", "heating_setpoint", "heating_setback",
                     "cooling_setpoint", "ventilation_lps_m2", "electric_share"):
            columns[name] = use_column(name).astype(np.float64)
        for name in ("mass_class", "schedule"):
            columns[name] = use_column(name)
        out = pd.DataFrame(columns, index=buildings.index)
        for name in PARAMETERS:
            if name in buildings.columns:
                _override(out, buildings, name, self.schedules)
        return out, fallbacks


def storeys_of(buildings: pd.DataFrame) -> np.ndarray:
    """Storeys of each building: ``floors`` where >= 1, else round(height / 3 m) (at least
    1), NaN where neither is known [-]."""
    n = len(buildings)
    floors = (pd.to_numeric(buildings["floors"], errors="coerce").to_numpy(np.float64)
              if "floors" in buildings else np.full(n, np.nan))
    height = (pd.to_numeric(buildings["height"], errors="coerce").to_numpy(np.float64)
              if "height" in buildings else np.full(n, np.nan))
    guess = np.where(np.isfinite(height) & (height > 0),
                     np.maximum(1.0, np.round(np.nan_to_num(height) / STOREY_HEIGHT)), np.nan)
    return np.where(np.isfinite(floors) & (floors >= 1), floors, guess)


def _years(buildings: pd.DataFrame, fallbacks: Fallbacks) -> np.ndarray:
    """Construction years, NaN where unknown; years outside ``YEAR_RANGE`` counted, NaN."""
    if "year" not in buildings:
        return np.full(len(buildings), np.nan)
    years = pd.to_numeric(buildings["year"], errors="coerce").to_numpy(np.float64,
                                                                       na_value=np.nan)
    low, high = YEAR_RANGE
    outside = np.isfinite(years) & ((years < low) | (years > high)) | np.isinf(years)
    fallbacks.add(f"construction year outside {low:g}-{high:g}: read as unknown", outside.sum())
    return np.where(outside, np.nan, years)


def _states(buildings: pd.DataFrame) -> np.ndarray:
    """``refurbishment`` of each building (null: existing), checked against ``STATES``."""
    n = len(buildings)
    if "refurbishment" not in buildings:
        return np.full(n, "existing", dtype=object)
    given = buildings["refurbishment"].astype(object)
    states = given.where(given.notna(), "existing").astype(str).to_numpy(dtype=object)
    bad = ~np.isin(states, STATES)
    if bad.any():
        row = buildings.index[np.flatnonzero(bad)[0]]
        raise InputError(None, "buildings.refurbishment",
                         f"row {row}: {given.loc[row]!r} is not one of {', '.join(STATES)}")
    return states


def _override(out: pd.DataFrame, buildings: pd.DataFrame, name: str,
              schedules: Mapping[str, Schedule]) -> None:
    """Lay the non-null values of ``buildings[name]`` over ``out[name]``, checked."""
    given = buildings[name]
    mask = given.notna().to_numpy()
    if not mask.any():
        return
    if name in TEXT_PARAMETERS:
        allowed = sorted(MASS_CLASSES) if name == "mass_class" else sorted(schedules)
        values = given[mask].astype(str).to_numpy()
        bad = ~np.isin(values, allowed)
        if bad.any():
            raise InputError(None, f"buildings.{name}",
                             f"{values[bad][0]!r} is not one of {', '.join(allowed)}")
        out.loc[mask, name] = values
        return
    values = pd.to_numeric(given[mask], errors="coerce").to_numpy(dtype=np.float64)
    setpoint = name in ("heating_setpoint", "heating_setback", "cooling_setpoint")
    high = {"wwr": 0.95, "electric_share": 1.0}.get(name, np.inf)
    low, high = (-np.inf, np.inf) if setpoint else (0.0, high)
    bad = np.isnan(values) | (values < low) | (values > high)
    if bad.any():
        row = buildings.index[mask][np.flatnonzero(bad)[0]]
        raise InputError(None, f"buildings.{name}",
                         f"row {row}: {given.loc[row]!r} is not a number within {low:g}..{high:g}"
                         f" {PARAMETERS[name]}")
    out.loc[mask, name] = values


def _setpoint(value: Any, off: float, where: str, path: Path) -> float:
    """A set point from the table: a number, or "off" (heating -inf, cooling +inf)."""
    if value == "off":
        return off
    if isinstance(value, (int, float)):
        return float(value)
    raise InputError(path, where, f"expected a number or \"off\", got {value!r}")


def _require(table: Mapping[str, Any], fields: tuple[str, ...], where: str, path: Path) -> None:
    missing = [f for f in fields if f not in table]
    if missing:
        raise InputError(path, where, f"missing {', '.join(missing)}")


def _schedules(raw: Mapping[str, Any], path: Path) -> dict[str, Schedule]:
    out = {}
    for name, s in raw.items():
        _require(s, SCHEDULE_FIELDS, f"schedules.{name}", path)
        arrays: dict[str, np.ndarray] = {}
        for field in SCHEDULE_FIELDS + SETBACK_FIELDS:
            if field not in s:  # set-back rows default to the unoccupied hours
                arrays[field] = (arrays[field.replace("setback", "occupied")] == 0.0) * 1.0
                continue
            a = np.asarray(s[field], dtype=np.float64)
            if a.shape != (24,) or np.any(a < 0):
                raise InputError(path, f"schedules.{name}.{field}",
                                 "expected 24 values >= 0, one per hour from 00:00")
            arrays[field] = a
        out[name] = Schedule(**arrays, saturday_is_weekday=bool(s.get("saturday_is_weekday")))
    return out


def _uses(raw: Mapping[str, Any], schedules: Mapping[str, Schedule], path: Path) -> pd.DataFrame:
    rows = {}
    for name, u in raw.items():
        where = f"uses.{name}"
        _require(u, USE_FIELDS, where, path)
        if not isinstance(u["dwelling"], bool):
            raise InputError(path, f"{where}.dwelling", "expected true or false")
        if not u["dwelling"]:
            _require(u, NON_DWELLING_FIELDS, where, path)
        if u["schedule"] not in schedules:
            raise InputError(path, f"{where}.schedule", f"no schedule {u['schedule']!r}")
        if u["mass_class"] not in MASS_CLASSES:
            raise InputError(path, f"{where}.mass_class",
                             f"expected one of {', '.join(sorted(MASS_CLASSES))}")
        row = dict(u)
        row["heating_setpoint"] = _setpoint(u["heating_setpoint"], -np.inf, where, path)
        row["heating_setback"] = _setpoint(u["heating_setback"], -np.inf, where, path)
        row["cooling_setpoint"] = _setpoint(u["cooling_setpoint"], np.inf, where, path)
        rows[name] = {k: row.get(k, np.nan) for k in (*USE_FIELDS, *NON_DWELLING_FIELDS)}
    return pd.DataFrame.from_dict(rows, orient="index")


def load_archetypes(path: str | Path | None = None) -> Archetypes:
    """Read and check an archetype table.

    Parameters
    ----------
    path : str or Path, optional
        The TOML table (default: ``archetypes.toml`` beside this module, read once).

    Returns
    -------
    Archetypes
        The checked table.

    Raises
    ------
    InputError
        Naming the file and the entry that is missing or out of range.
    """
    if path is None:
        return _default()
    return _load(Path(path))


@cache
def _default() -> Archetypes:
    return _load(DEFAULT_TABLE)


def _load(path: Path) -> Archetypes:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"not valid TOML: {exc}") from exc
    for section in ("method", "schedules", "uses"):
        if section not in raw:
            raise InputError(path, section, "section missing")
    _require(raw["method"], METHOD_FIELDS, "method", path)
    schedules = _schedules(raw["schedules"], path)
    uses = _uses(raw["uses"], schedules, path)
    method = dict(raw["method"])
    types = load_building_types()
    if method["default_country"] not in types.countries:
        raise InputError(path, "method.default_country",
                         f"no typology for {method['default_country']!r}")
    if method["default_size_class"] not in SIZE_CLASSES:
        raise InputError(path, "method.default_size_class",
                         f"expected one of {', '.join(SIZE_CLASSES)}")
    if not isinstance(method["default_year"], int):
        raise InputError(path, "method.default_year", "expected a year")
    if method["default_use"] not in uses.index:
        raise InputError(path, "method.default_use", f"no use {method['default_use']!r}")
    return Archetypes(types=types, uses=uses, schedules=MappingProxyType(schedules),
                      method=MappingProxyType(method), path=str(path))
