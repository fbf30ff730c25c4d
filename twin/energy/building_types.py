"""Residential building types by country, construction-year class, size class and state.

The envelope and air change of every building come from a national building typology
(``typology/``, origins and licences in its README): the TABULA / EPISCOPE generic types of 20
countries (``tabula.csv``, made by ``datasets/tabula/build_typology.py``) and a Finnish
typology by building-code era (``finland.csv``, each value with its source). Columns and units
are those of :data:`TYPE_COLUMNS`.

:meth:`BuildingTypes.choose` picks one type per building, vectorised, and counts every fallback:

- country: the given ISO 3166-1 code; a country without a typology takes ``default_country``;
- state: the building's ``refurbishment`` (``existing``, ``usual``, ``advanced``: TABULA
  variants .001 / .002 / .003; null: existing); a state the country lacks takes ``existing``;
- size class (``SIZE_CLASSES``, see ``size_class.py``): a class the country lacks takes the
  nearest one it has (SFH <-> TH, MFH <-> AB);
- year: the class with first <= year <= last; a year in no class of the type takes the
  nearest class; a missing year takes ``default_year``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError

TYPOLOGY_FOLDER = Path(__file__).with_name("typology")
TYPOLOGY_FILES = ("tabula.csv", "finland.csv")
STATES = ("existing", "usual", "advanced")
"""Building states: as built (TABULA .001), usual refurbishment (.002), advanced (.003)."""
SIZE_CLASSES = ("SFH", "TH", "MFH", "AB")
"""TABULA size classes: single-family, terraced house, multi-family house, apartment block."""
ANY_SIZE = "*"
"""Size class of a typology row that holds for every size class."""
TYPE_COLUMNS: dict[str, str] = {
    "u_wall": "W/(m2 K)",
    "u_roof": "W/(m2 K)",
    "u_floor": "W/(m2 K)",
    "floor_reduction": "1",
    "u_window": "W/(m2 K)",
    "g_window": "1",
    "thermal_bridge": "W/(m2 K)",
    "infiltration_ach": "1/h",
    "ventilation_ach": "1/h",
    "wwr": "1",
    "hot_water_kwh_m2": "kWh/(m2 a)",
}
"""Per-type values and their units (``typology/README.md`` says how each was made)."""
KEY_COLUMNS = ("code", "country", "size_class", "year_first", "year_last", "state")


@dataclass
class Fallbacks:
    """Buildings that took a fallback, by reason (one warning line each)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, count: int) -> None:
        """Count ``count`` buildings for ``reason`` (nothing when 0)."""
        if count:
            self.counts[reason] = self.counts.get(reason, 0) + int(count)

    def lines(self) -> list[str]:
        """One line per reason: ``"<n> buildings: <reason>"``."""
        return [f"{n} buildings: {reason}" for reason, n in self.counts.items()]


@dataclass(frozen=True)
class BuildingTypes:
    """The typology table: one row per type and state (index: position).

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`KEY_COLUMNS`, :data:`TYPE_COLUMNS` and ``q_h_nd`` (TABULA's energy need for
        heating of the existing state, kWh/(m² a); NaN where not given).
    """

    table: pd.DataFrame

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries with a typology (ISO 3166-1 alpha-2; TABULA writes GB for the UK)."""
        return tuple(sorted(self.table["country"].unique()))

    def choose(self, country: str, years: np.ndarray, size_classes: np.ndarray,
               states: np.ndarray, default_country: str, default_year: int,
               fallbacks: Fallbacks) -> pd.DataFrame:
        """The type row of every building (index 0..n-1), see the module docstring.

        Parameters
        ----------
        country : str
            ISO 3166-1 alpha-2 code of the twin's country.
        years : ndarray of float
            Construction years, NaN where unknown [a].
        size_classes : ndarray of str
            One of ``SIZE_CLASSES`` per building.
        states : ndarray of str
            One of ``STATES`` per building.
        default_country, default_year
            The fallbacks for a country without typology and a missing year.
        fallbacks : Fallbacks
            Where the fallbacks taken are counted.
        """
        n = len(years)
        if country not in self.countries:
            fallbacks.add(f"country {country or 'unknown'} has no building typology: "
                          f"{default_country} types", n)
            country = default_country
        rows = self.table[self.table["country"] == country]
        # integer codes: comparisons of 100,000 strings per group would dominate
        state = pd.Categorical(states, categories=STATES).codes.copy()
        lacking = ~np.isin(state, pd.Categorical(rows["state"].unique(), categories=STATES).codes)
        fallbacks.add(f"refurbishment state not in the {country} typology: existing", lacking.sum())
        state[lacking] = STATES.index("existing")
        sizes_all = (*SIZE_CLASSES, ANY_SIZE)
        size = pd.Categorical(size_classes, categories=sizes_all).codes.copy()
        present = set(rows["size_class"].unique())
        if ANY_SIZE in present:
            size[:] = sizes_all.index(ANY_SIZE)
        for k, name in enumerate(SIZE_CLASSES):
            if name not in present and ANY_SIZE not in present and (size == k).any():
                nearest = _nearest_size(name, present)
                fallbacks.add(f"size class {name} not in the {country} typology: {nearest}",
                              (size == k).sum())
                size[size == k] = sizes_all.index(nearest)
        years = np.asarray(years, dtype=np.float64)
        fallbacks.add(f"no construction year: the class of {default_year}",
                      np.isnan(years).sum())
        years = np.where(np.isnan(years), float(default_year), years)
        chosen = np.zeros(n, dtype=np.int64)
        for (size_name, state_name), group in rows.groupby(["size_class", "state"]):
            mask = (size == sizes_all.index(size_name)) & (state == STATES.index(state_name))
            if not mask.any():
                continue
            ordered = group.sort_values("year_first")
            first = ordered["year_first"].to_numpy(np.float64)
            last = ordered["year_last"].to_numpy(np.float64)
            y = years[mask]
            k = np.clip(np.searchsorted(first, y, side="right") - 1, 0, len(first) - 1)
            # a year after the class's last year and before the next class: the nearer one
            after = (y > last[k]) & (k + 1 < len(first))
            nearer_next = after & (first[np.minimum(k + 1, len(first) - 1)] - y < y - last[k])
            k = np.where(nearer_next, k + 1, k)
            chosen[mask] = ordered.index.to_numpy()[k]
        return self.table.take(chosen).reset_index(drop=True)


def _nearest_size(size: str, present: set[str]) -> str:
    """The size class of ``present`` nearest to ``size`` in the order of ``SIZE_CLASSES``."""
    order = {s: i for i, s in enumerate(SIZE_CLASSES)}
    return min(present, key=lambda s: (abs(order[s] - order[size]), order[s]))


def load_building_types(folder: str | Path | None = None) -> BuildingTypes:
    """Read and check the typology files (``TYPOLOGY_FILES``) of ``folder``.

    Parameters
    ----------
    folder : str or Path, optional
        Folder of the CSV files (default: ``typology/`` beside this module, read once).

    Returns
    -------
    BuildingTypes
        The checked table.

    Raises
    ------
    InputError
        Naming the file and the column or row that is missing or out of range.
    """
    if folder is None:
        return _default()
    return _load(Path(folder))


@cache
def _default() -> BuildingTypes:
    return _load(TYPOLOGY_FOLDER)


def _load(folder: Path) -> BuildingTypes:
    frames = []
    for name in TYPOLOGY_FILES:
        path = folder / name
        try:
            frame = pd.read_csv(path, dtype={"code": str, "country": str, "size_class": str,
                                             "state": str})
        except OSError as exc:
            raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from exc
        missing = [c for c in (*KEY_COLUMNS, *TYPE_COLUMNS) if c not in frame.columns]
        if missing:
            raise InputError(path, ", ".join(missing), "column missing")
        values = frame[list(TYPE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
        bad = values.isna().any(axis=1) | (values < 0).any(axis=1)
        bad |= ~frame["state"].isin(STATES) | ~frame["size_class"].isin((*SIZE_CLASSES, ANY_SIZE))
        if bad.any():
            raise InputError(path, str(frame.loc[bad.idxmax(), "code"]),
                             "a value is missing or negative, or the state or size class unknown")
        frames.append(frame[[*KEY_COLUMNS, *TYPE_COLUMNS, "q_h_nd"]])
    return BuildingTypes(pd.concat(frames, ignore_index=True))
