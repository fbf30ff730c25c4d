"""Energy archetypes: envelope and use parameters of each building from its use and year.

The table ``archetypes.toml`` beside this file (sources cited there) gives the envelope per
construction-year band (U-values W/(m² K), glazing, infiltration, thermal bridges) and the
occupancy per use (internal gains W/m², schedule, set points °C, ventilation, thermal mass
class, window-to-wall ratio, the electric share of the internal gains).

``Archetypes.parameters`` resolves one row per building:

1. band from ``year`` (first <= year <= last); a missing year, or one outside every band, takes
   ``method.default_band``;
2. use archetype from ``use``; ``other``, ``unknown`` and uses the table lacks take
   ``method.default_use``;
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
from twin.errors import InputError

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
USE_FIELDS = ("construction", "schedule", "internal_gains", "heating_setpoint", "heating_setback",
              "cooling_setpoint", "ventilation_ach", "ventilation_lps_m2", "mass_class", "wwr",
              "electric_share")
BAND_FIELDS = ("first", "last", "house", "block", "window_u", "window_g", "infiltration_ach",
               "thermal_bridge")
METHOD_FIELDS = ("floor_area_ratio", "room_height", "floor_reduction", "frame_fraction",
                 "window_shading", "solar_absorptance", "emissivity", "default_band", "default_use")
SCHEDULE_FIELDS = ("weekday_gains", "weekend_gains", "weekday_occupied", "weekend_occupied")


@dataclass(frozen=True)
class Schedule:
    """Hourly use pattern by local standard-time hour (0..23) and day type.

    gains: fraction of the use's internal gains; occupied: 1 where the occupied set points and
    ventilation apply. ``saturday_is_weekday``: Saturday follows the weekday rows.
    """

    weekday_gains: np.ndarray
    weekend_gains: np.ndarray
    weekday_occupied: np.ndarray
    weekend_occupied: np.ndarray
    saturday_is_weekday: bool = False


@dataclass(frozen=True)
class Archetypes:
    """The archetype table (``archetypes.toml``, sources cited there).

    Attributes
    ----------
    bands : pandas.DataFrame
        One row per construction-year band (index: band name): first and last year, U-values
        of walls, roofs and floors of houses and blocks [W/(m² K)], window U [W/(m² K)] and g
        [-], infiltration [1/h], thermal bridges [W/(m² K)].
    uses : pandas.DataFrame
        One row per use archetype (index: use): construction, schedule, internal gains
        [W/m²], set points and set-back [°C], ventilation [1/h, l/(s m²)], mass class,
        window-to-wall ratio [-], electric share of the internal gains [-].
    schedules : Mapping
        Hourly use patterns by name (:class:`Schedule`).
    method : Mapping
        Method constants: floor area ratio [-], room height [m], floor reduction, frame
        fraction, window shading, solar absorptance, emissivity [-], default band and use.
    path : str
        The file the table was read from.
    """

    bands: pd.DataFrame
    uses: pd.DataFrame
    schedules: Mapping[str, Schedule]
    method: Mapping[str, Any]
    path: str

    def band_of(self, years: pd.Series | np.ndarray) -> np.ndarray:
        """Band name of each construction year; missing or unmatched years get the default."""
        y = pd.to_numeric(pd.Series(years), errors="coerce").to_numpy(dtype=np.float64)
        out = np.full(y.shape, self.method["default_band"], dtype=object)
        for name, row in self.bands.iterrows():
            out[(y >= row["first"]) & (y <= row["last"])] = name
        return out

    def use_of(self, uses: pd.Series | np.ndarray) -> np.ndarray:
        """Archetype name of each building use (default use where the table has none)."""
        u = pd.Series(uses, dtype=object).to_numpy()
        known = np.isin(u, self.uses.index.to_numpy())
        return np.where(known, u, self.method["default_use"]).astype(object)

    def parameters(self, buildings: pd.DataFrame) -> pd.DataFrame:
        """One row per building (same index): ``band``, ``archetype``, ``construction`` and the
        :data:`PARAMETERS`, archetype values with the buildings' own columns laid over them."""
        n = len(buildings)
        band = self.band_of(buildings["year"] if "year" in buildings else np.full(n, np.nan))
        use = self.use_of(buildings["use"] if "use" in buildings else np.full(n, None))
        b = self.bands.loc[band]
        u = self.uses.loc[use]
        house = (u["construction"] == "house").to_numpy()
        out = pd.DataFrame(index=buildings.index)
        out["band"] = band
        out["archetype"] = use
        out["construction"] = u["construction"].to_numpy()
        for element in ("wall", "roof", "floor"):
            out[f"u_{element}"] = np.where(house, b[f"{element}_house"].to_numpy(),
                                           b[f"{element}_block"].to_numpy())
        out["u_window"] = b["window_u"].to_numpy()
        out["g_window"] = b["window_g"].to_numpy()
        out["infiltration_ach"] = b["infiltration_ach"].to_numpy()
        out["thermal_bridge"] = b["thermal_bridge"].to_numpy()
        for name in ("wwr", "internal_gains", "heating_setpoint", "heating_setback",
                     "cooling_setpoint", "ventilation_ach", "ventilation_lps_m2", "mass_class",
                     "schedule", "electric_share"):
            out[name] = u[name].to_numpy()
        for name in PARAMETERS:
            if name in buildings.columns:
                _override(out, buildings, name, self.schedules)
        return out


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
        arrays = {}
        for field in SCHEDULE_FIELDS:
            a = np.asarray(s[field], dtype=np.float64)
            if a.shape != (24,) or np.any(a < 0):
                raise InputError(path, f"schedules.{name}.{field}",
                                 "expected 24 values >= 0, one per hour from 00:00")
            arrays[field] = a
        out[name] = Schedule(**arrays, saturday_is_weekday=bool(s.get("saturday_is_weekday")))
    return out


def _bands(raw: Mapping[str, Any], path: Path) -> pd.DataFrame:
    rows = {}
    for name, b in raw.items():
        _require(b, BAND_FIELDS, f"bands.{name}", path)
        row = {k: float(b[k]) for k in BAND_FIELDS if k not in ("house", "block")}
        for family in ("house", "block"):
            _require(b[family], ("wall", "roof", "floor"), f"bands.{name}.{family}", path)
            for element in ("wall", "roof", "floor"):
                row[f"{element}_{family}"] = float(b[family][element])
        rows[name] = row
    bands = pd.DataFrame.from_dict(rows, orient="index").sort_values("first")
    if (bands["first"].to_numpy()[1:] <= bands["last"].to_numpy()[:-1]).any():
        raise InputError(path, "bands", "construction-year bands overlap")
    return bands


def _uses(raw: Mapping[str, Any], schedules: Mapping[str, Schedule], path: Path) -> pd.DataFrame:
    rows = {}
    for name, u in raw.items():
        where = f"uses.{name}"
        _require(u, USE_FIELDS, where, path)
        if u["construction"] not in ("house", "block"):
            raise InputError(path, f"{where}.construction", "expected \"house\" or \"block\"")
        if u["schedule"] not in schedules:
            raise InputError(path, f"{where}.schedule", f"no schedule {u['schedule']!r}")
        if u["mass_class"] not in MASS_CLASSES:
            raise InputError(path, f"{where}.mass_class",
                             f"expected one of {', '.join(sorted(MASS_CLASSES))}")
        row = dict(u)
        row["heating_setpoint"] = _setpoint(u["heating_setpoint"], -np.inf, where, path)
        row["heating_setback"] = _setpoint(u["heating_setback"], -np.inf, where, path)
        row["cooling_setpoint"] = _setpoint(u["cooling_setpoint"], np.inf, where, path)
        rows[name] = {k: row[k] for k in USE_FIELDS}
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
    for section in ("method", "bands", "schedules", "uses"):
        if section not in raw:
            raise InputError(path, section, "section missing")
    _require(raw["method"], METHOD_FIELDS, "method", path)
    schedules = _schedules(raw["schedules"], path)
    bands = _bands(raw["bands"], path)
    uses = _uses(raw["uses"], schedules, path)
    method = dict(raw["method"])
    if method["default_band"] not in bands.index:
        raise InputError(path, "method.default_band", f"no band {method['default_band']!r}")
    if method["default_use"] not in uses.index:
        raise InputError(path, "method.default_use", f"no use {method['default_use']!r}")
    return Archetypes(bands=bands, uses=uses, schedules=MappingProxyType(schedules),
                      method=MappingProxyType(method), path=str(path))
