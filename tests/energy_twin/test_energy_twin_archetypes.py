"""Archetype lookup: building type by country, year, size class and state; use; fallbacks
counted; per-building overrides; bad input."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.energy.archetypes import PARAMETERS, load_archetypes
from twin.energy.building_types import TYPOLOGY_FOLDER
from twin.energy.country import country_at
from twin.errors import InputError
from twin.model import BUILDING_USES

REPO = Path(__file__).resolve().parents[2]
TABULA = REPO.parent / "shared" / "data" / "tabula"
needs_tabula = pytest.mark.skipif(not (TABULA / "tsib_episcope.csv").is_file(),
                                  reason="TABULA source data not present")


@pytest.fixture(scope="module")
def table():
    return load_archetypes()


def frame(n: int = 1, **columns) -> pd.DataFrame:
    base = {"use": ["residential"] * n, "footprint_area": [100.0] * n, "floors": [2] * n,
            "height": [6.0] * n}
    base.update(columns)
    return pd.DataFrame(base)


def test_country_of_a_location_is_found_offline() -> None:
    assert country_at(4.36, 52.01) == "NL"  # Delft
    assert country_at(24.94, 60.17) == "FI"  # Helsinki, on the coast
    assert country_at(11.58, 48.14) == "DE"  # Munich, near Austria
    assert country_at(18.07, 59.33) == "SE"
    assert country_at(-30.0, 45.0) is None  # mid-Atlantic


@pytest.mark.parametrize(("country", "year", "code"), [
    ("DE", 1960, "DE.N.SFH.05.Gen.ReEx.001.001"),
    ("DE", 1969, "DE.N.SFH.06.Gen.ReEx.001.001"),
    ("NL", 1970, "NL.N.SFH.02.Gen.ReEx.001.001"),
    ("NL", 1990, "NL.N.SFH.03.Gen.ReEx.001.001"),
    ("FI", 1960, "FI.1975"),
    ("FI", 1980, "FI.1978"),
    ("FI", 2009, "FI.2008"),
    ("FI", 2020, "FI.2012"),
])
def test_type_follows_country_and_construction_year(table, country, year, code) -> None:
    p = table.parameters(frame(year=[year]), country)
    assert p.iloc[0]["band"] == code and p.iloc[0]["country"] == country


def test_size_class_from_footprint_storeys_and_party_walls(table) -> None:
    b = frame(4, year=[1960] * 4, footprint_area=[100.0, 60.0, 400.0, 400.0],
              floors=[2, 2, 3, 6])
    p = table.parameters(b, "DE", party_wall_area=np.array([0.0, 48.0, 0.0, 0.0]))
    assert p["size_class"].tolist() == ["SFH", "TH", "MFH", "AB"]
    assert p["band"].tolist() == ["DE.N.SFH.05.Gen.ReEx.001.001", "DE.N.TH.05.Gen.ReEx.001.001",
                                  "DE.N.MFH.05.Gen.ReEx.001.001", "DE.N.AB.05.Gen.ReEx.001.001"]


def test_refurbishment_state_picks_the_tabula_variant(table) -> None:
    b = frame(3, year=[1960] * 3, refurbishment=[None, "usual", "advanced"])
    p = table.parameters(b, "DE")
    assert [c[-3:] for c in p["band"]] == ["001", "002", "003"]
    assert p["u_wall"].is_monotonic_decreasing and p["u_window"].is_monotonic_decreasing


def test_unknown_use_takes_the_default_and_is_counted(table) -> None:
    archetypes = table.use_of(pd.Series(BUILDING_USES))
    assert set(archetypes) <= set(table.uses.index)
    assert dict(zip(BUILDING_USES, archetypes))["unknown"] == "residential"
    assert dict(zip(BUILDING_USES, archetypes))["office"] == "office"
    _, fallbacks = table.resolve(frame(2, use=["no such use", "unknown"], year=[1970] * 2), "NL")
    assert fallbacks.lines() == ["1 buildings: unknown use code (no such use): residential"]


def test_every_fallback_is_counted(table) -> None:
    b = frame(5, year=pd.array([None, 3000, 1980, 1980, 1980], dtype="Int64"),
              floors=[2, 2, -3, 2, 2], height=[6.0, 6.0, 6.0, np.nan, 6.0],
              footprint_area=[100.0, 100.0, 100.0, 100.0, np.nan],
              refurbishment=[None, None, None, None, "usual"])
    p, fallbacks = table.resolve(b, "XX")
    counts = fallbacks.counts
    assert counts["country XX has no building typology: DE types"] == 5
    assert counts["no construction year: the class of 1970"] == 2
    assert counts["construction year outside 1000-2100: read as unknown"] == 1
    assert counts["storeys below 1: from the height, 3 m a storey"] == 1
    assert counts["no footprint or storeys: size class MFH"] == 1
    assert p.iloc[1]["band"] == "DE.N.SFH.06.Gen.ReEx.001.001"  # 1969-1978 holds 1970
    assert p.iloc[2]["size_class"] == "SFH"  # -3 storeys -> 6 m / 3 m = 2
    assert p.iloc[4]["size_class"] == "MFH"
    _, fi = table.resolve(frame(1, year=[1980], refurbishment=["usual"]), "FI")
    assert fi.counts == {"refurbishment state not in the FI typology: existing": 1}


def test_bad_refurbishment_value_names_the_column(table) -> None:
    with pytest.raises(InputError) as err:
        table.parameters(frame(year=[1970], refurbishment=["gold"]), "NL")
    assert err.value.field == "buildings.refurbishment" and "existing, usual, advanced" in str(
        err.value)


def test_dwellings_take_air_window_share_and_hot_water_from_their_type(table) -> None:
    b = frame(2, use=["residential", "office"], year=[1960, 1960])
    p = table.parameters(b, "DE")
    row = table.types.table.set_index("code").loc["DE.N.SFH.05.Gen.ReEx.001.001"]
    assert p.iloc[0][["ventilation_ach", "wwr", "hot_water_kwh_m2"]].tolist() == [
        row["ventilation_ach"], row["wwr"], row["hot_water_kwh_m2"]]
    office = table.uses.loc["office"]
    assert p.iloc[1][["ventilation_ach", "wwr", "hot_water_kwh_m2"]].tolist() == [
        office["ventilation_ach"], office["wwr"], 0.0]
    assert p.iloc[1]["u_wall"] == row["u_wall"]  # the envelope of its size class and year
    assert p.iloc[1]["schedule"] == "office" and p.iloc[1]["internal_gains"] == 20.0
    assert set(PARAMETERS) <= set(p.columns)


@needs_tabula
@pytest.mark.parametrize("code", ["DE.N.SFH.05.Gen.ReEx.001.001", "NL.N.TH.02.Gen.ReEx.001.001",
                                  "CZ.N.AB.03.Gen.ReEx.001.001", "DE.N.MFH.08.Gen.ReEx.001.001"])
def test_values_read_back_match_the_tabula_row(table, code) -> None:
    source = pd.read_csv(TABULA / "tsib_episcope.csv", low_memory=False).set_index(
        "Code_BuildingVariant").loc[code]
    row = table.types.table.set_index("code").loc[code]

    def weighted(elements, with_b):
        area = np.nan_to_num(np.array([source[f"A_{e}"] for e in elements], dtype=float))
        u = np.nan_to_num(np.array([source[f"U_{e}"] for e in elements], dtype=float))
        b = np.array([source.get(f"b_Transmission_{e}", 1.0) for e in elements], dtype=float)
        return float(((b if with_b else 1.0) * u * area).sum() / area.sum())

    assert row["u_wall"] == pytest.approx(weighted(["Wall_1", "Wall_2", "Wall_3", "Door_1"],
                                                   True), rel=1e-3)
    assert row["u_roof"] == pytest.approx(weighted(["Roof_1", "Roof_2"], True), rel=1e-3)
    assert row["u_floor"] == pytest.approx(weighted(["Floor_1", "Floor_2"], False), rel=1e-3)
    assert row["u_window"] == pytest.approx(weighted(["Window_1", "Window_2"], False), rel=1e-3)
    assert row["thermal_bridge"] == pytest.approx(source["delta_U_ThermalBridging"])
    assert row["infiltration_ach"] == pytest.approx(source["n_air_infiltration"])
    assert row["ventilation_ach"] == pytest.approx(source["n_air_use"])
    assert row["hot_water_kwh_m2"] == pytest.approx(source["q_w_nd"])
    assert row["q_h_nd"] == pytest.approx(source["q_h_nd"], rel=1e-3)
    windows = source["A_Window_1"] + source["A_Window_2"]
    walls = source[["A_Wall_1", "A_Wall_2", "A_Wall_3", "A_Door_1"]].astype(float).sum()
    assert row["wwr"] == pytest.approx(windows / (windows + walls), rel=1e-3)


@needs_tabula
def test_shipped_table_is_what_the_build_script_makes() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_typology", REPO / "datasets" / "tabula" / "build_typology.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.build(TABULA).reset_index(drop=True)
    shipped = pd.read_csv(TYPOLOGY_FOLDER / "tabula.csv")
    assert made["code"].tolist() == shipped["code"].tolist()
    numeric = shipped.columns[6:]
    np.testing.assert_allclose(made[numeric].to_numpy(float), shipped[numeric].to_numpy(float),
                               rtol=1e-3, equal_nan=True)


def test_finnish_values_carry_their_source() -> None:
    fi = pd.read_csv(TYPOLOGY_FOLDER / "finland.csv")
    assert fi["source"].str.contains(r"U: \[").all()
    readme = (TYPOLOGY_FOLDER / "README.md").read_text(encoding="utf-8")
    keys = set(fi["source"].str.findall(r"\[([A-Za-z0-9-]+)\]").sum())
    assert keys and all(f"[{k}]" in readme for k in keys)
    # every era's U-values say how far public sources confirmed them
    u_part = fi["source"].str.split(";").str[0]
    assert u_part.str.contains(r"\[(verified|checked-sum|unverified)\]").all()
    assert set(fi.loc[u_part.str.contains(r"\[verified\]"), "code"]) == {"FI.2010", "FI.2012"}


def test_columns_override_the_archetype_where_given(table) -> None:
    b = frame(3, year=pd.array([1970] * 3, dtype="Int64"),
              u_wall=[0.2, np.nan, 0.3], wwr=[np.nan, 0.5, np.nan],
              mass_class=[None, "heavy", None])
    p = table.parameters(b, "NL")
    row = table.types.table.set_index("code").loc["NL.N.SFH.02.Gen.ReEx.001.001"]
    assert p["u_wall"].tolist() == [0.2, row["u_wall"], 0.3]
    assert p["wwr"].tolist() == [row["wwr"], 0.5, row["wwr"]]
    assert p["mass_class"].tolist() == ["medium", "heavy", "medium"]
    assert p["u_roof"].tolist() == [row["u_roof"]] * 3  # untouched


@pytest.mark.parametrize(("column", "value", "words"), [
    ("u_wall", -1.0, "within 0..inf"),
    ("wwr", 1.2, "within 0..0.95"),
    ("u_roof", "thick", "not a number"),
    ("mass_class", "granite", "not one of"),
    ("schedule", "night_shift", "not one of"),
])
def test_bad_override_names_the_column(table, column, value, words) -> None:
    b = frame(year=[1970], **{column: [value]})
    with pytest.raises(InputError) as err:
        table.parameters(b, "NL")
    assert err.value.field == f"buildings.{column}"
    assert words in str(err.value)


def test_broken_table_is_reported_with_file_and_field(tmp_path: Path) -> None:
    text = (Path(load_archetypes().path).read_text(encoding="utf-8")
            .replace('default_country = "DE"', 'default_country = "XX"'))
    bad = tmp_path / "archetypes.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_archetypes(bad)
    assert err.value.field == "method.default_country" and str(bad) in str(err.value)
    bad.write_text("[method]\n", encoding="utf-8")
    with pytest.raises(InputError, match="schedules: section missing"):
        load_archetypes(bad)
