"""Archetype lookup: band by year, archetype by use, defaults, per-building overrides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.energy.archetypes import PARAMETERS, load_archetypes
from twin.errors import InputError
from twin.model import BUILDING_USES


@pytest.fixture(scope="module")
def table():
    return load_archetypes()


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_bands_follow_the_tabula_construction_year_classes(table) -> None:
    years = pd.Series([1900, 1964, 1965, 1974, 1975, 1991, 1992, 2005, 2006, 2014, 2015, 2030],
                      dtype="Int64")
    assert list(table.band_of(years)) == [
        "NL.01", "NL.01", "NL.02", "NL.02", "NL.03", "NL.03", "NL.04", "NL.04", "NL.05",
        "NL.05", "NL.06", "NL.06"]


def test_unknown_year_takes_the_documented_default_band(table) -> None:
    years = pd.Series([pd.NA, None, np.nan], dtype="Int64")
    assert set(table.band_of(years)) == {table.method["default_band"]} == {"NL.02"}


def test_every_building_use_has_an_archetype(table) -> None:
    archetypes = table.use_of(pd.Series(BUILDING_USES))
    assert set(archetypes) <= set(table.uses.index)
    assert dict(zip(BUILDING_USES, archetypes))["unknown"] == "residential"
    assert dict(zip(BUILDING_USES, archetypes))["office"] == "office"
    assert table.use_of(pd.Series(["no such use"]))[0] == "residential"


def test_lookup_by_use_and_year(table) -> None:
    p = table.parameters(frame(use=["residential", "residential", "office", "storage"],
                               year=pd.array([1960, 2010, 1960, None], dtype="Int64")))
    # residential <= 1964: TABULA NL.01 terraced-house (solid wall) constructions
    envelope = ["u_wall", "u_roof", "u_floor", "u_window"]
    assert p.iloc[0][envelope].tolist() == [2.22, 2.08, 2.44, 5.2]
    assert p.iloc[0]["construction"] == "house"
    # residential 2006-2014: NL.05
    assert p.iloc[1][["u_wall", "u_roof", "u_floor", "u_window", "g_window"]].tolist() == [
        0.27, 0.23, 0.27, 1.8, 0.6]
    # office <= 1964: apartment-block (cavity wall) constructions, office schedule and gains
    assert p.iloc[2][["u_wall", "u_roof", "u_floor"]].tolist() == [1.61, 1.54, 1.72]
    assert p.iloc[2]["schedule"] == "office" and p.iloc[2]["internal_gains"] == 20.0
    # storage without a year: default band, no cooling
    assert p.iloc[3]["band"] == "NL.02" and p.iloc[3]["cooling_setpoint"] == np.inf
    assert set(PARAMETERS) <= set(p.columns)


def test_columns_override_the_archetype_where_given(table) -> None:
    b = frame(use=["residential"] * 3, year=pd.array([1970] * 3, dtype="Int64"),
              u_wall=[0.2, np.nan, 0.3], wwr=[np.nan, 0.5, np.nan],
              mass_class=[None, "heavy", None])
    p = table.parameters(b)
    assert p["u_wall"].tolist() == [0.2, 1.45, 0.3]
    assert p["wwr"].tolist() == [0.29, 0.5, 0.29]
    assert p["mass_class"].tolist() == ["medium", "heavy", "medium"]
    assert p["u_roof"].tolist() == [0.89] * 3  # untouched


@pytest.mark.parametrize(("column", "value", "words"), [
    ("u_wall", -1.0, "within 0..inf"),
    ("wwr", 1.2, "within 0..0.95"),
    ("u_roof", "thick", "not a number"),
    ("mass_class", "granite", "not one of"),
    ("schedule", "night_shift", "not one of"),
])
def test_bad_override_names_the_column(table, column, value, words) -> None:
    b = frame(use=["residential"], year=[1970], **{column: [value]})
    with pytest.raises(InputError) as err:
        table.parameters(b)
    assert err.value.field == f"buildings.{column}"
    assert words in str(err.value)


def test_broken_table_is_reported_with_file_and_field(tmp_path: Path) -> None:
    text = (Path(load_archetypes().path).read_text(encoding="utf-8")
            .replace('default_band = "NL.02"', 'default_band = "NL.99"'))
    bad = tmp_path / "archetypes.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_archetypes(bad)
    assert err.value.field == "method.default_band" and str(bad) in str(err.value)
    bad.write_text("[method]\n", encoding="utf-8")
    with pytest.raises(InputError, match="bands: section missing"):
        load_archetypes(bad)
