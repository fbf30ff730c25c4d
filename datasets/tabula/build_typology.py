"""Build the compact TABULA archetype table shipped in ``twin/energy/typology/tabula.csv``.

Usage::

    python datasets/tabula/build_typology.py TABULA_FOLDER [NATURAL_EARTH_SHP]

TABULA_FOLDER holds ``tsib_episcope.csv`` and ``city2tabula/*.csv`` (origins in
``twin/energy/typology/README.md``). One output row per generic TABULA building type
(``<country>.<region>.<size class>.<year class>.Gen``) and state (existing ``.001``, usual
refurbishment ``.002``, advanced refurbishment ``.003``), with (units W/(m² K) unless said):

- ``u_wall``, ``u_roof``: b-weighted mean of the elements, sum(b U A) / sum(A) (doors count as
  wall); ``u_floor``: area-weighted U of the floors, ``floor_reduction``: their area-weighted
  b (the model applies it as b x U_floor x ground area);
- ``u_window``, ``g_window`` [-]: area-weighted over the two window types;
- ``thermal_bridge``: delta_U_ThermalBridging (Original for the existing state, Refurbished
  for the variants);
- ``infiltration_ach``, ``ventilation_ach`` [1/h]: n_air_infiltration, n_air_use;
- ``wwr`` [-]: window area / (wall + door + window area);
- ``hot_water_kwh_m2`` [kWh/(m² a)]: q_w_nd; ``q_h_nd`` [kWh/(m² a)]: TABULA's energy need for
  heating of the existing state (tsib_episcope.csv; empty for the variants);
- ``year_first``, ``year_last``: the construction-year class.

Refurbished U-values follow the TABULA calculation method (Loga, Diefenbach 2013, section on
refurbishment measures) from the predefined measure of each element: ``Add``
U = 1 / (1 / U + R); ``Replace`` U = 1 / R; ``ReplaceInsulation`` U = 1 / (1 / U - d / 0.04 + R)
(existing insulation of thickness d m and conductivity 0.04 W/(m K) taken out, an
assumption of this script); the measured fraction f of an element gets the new U,
f U_new + (1 - f) U. Windows get the measure's g-value.

With NATURAL_EARTH_SHP (Natural Earth 1:110m admin-0 countries, public domain) it also writes
``countries.geojson``: the outlines of the typology's countries, for the country of a twin.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[2] / "twin" / "energy" / "typology"
STATES = {"001": "existing", "002": "usual", "003": "advanced"}
NATURAL_EARTH_NAMES = {
    "Austria": "AT", "Belgium": "BE", "Bulgaria": "BG", "Cyprus": "CY", "Czechia": "CZ",
    "Denmark": "DK", "France": "FR", "Germany": "DE", "Greece": "GR", "Hungary": "HU",
    "Ireland": "IE", "Italy": "IT", "Netherlands": "NL", "Norway": "NO", "Poland": "PL",
    "Serbia": "RS", "Slovenia": "SI", "Spain": "ES", "Sweden": "SE", "United Kingdom": "GB",
    "Finland": "FI",
}
EXISTING_INSULATION_CONDUCTIVITY = 0.04


def _measured(u: pd.Series, row: pd.DataFrame, element: str) -> pd.Series:
    """U of ``element`` (e.g. "Wall_1") after its predefined measure (the method above)."""
    kind = row[f"Code_MeasureType_{element}"].astype(str)
    r = pd.to_numeric(row[f"R_PredefinedMeasure_{element}"], errors="coerce").fillna(0.0)
    f = pd.to_numeric(row[f"f_Measure_{element}"], errors="coerce").fillna(1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        added = 1.0 / (1.0 / u + r)
        replaced = 1.0 / r
        column = f"d_Insulation_{element}"
        old = (pd.to_numeric(row[column], errors="coerce").fillna(0.0)
               / EXISTING_INSULATION_CONDUCTIVITY if column in row else 0.0)
        swapped = 1.0 / (np.maximum(1.0 / u - old, 0.0) + r)
    new = np.select([kind == "Add", kind == "Replace", kind == "ReplaceInsulation"],
                    [added, replaced, swapped], default=u)
    new = np.where((r > 0) & np.isfinite(new), new, u)
    return f * new + (1.0 - f) * u


def _weighted(rows: pd.DataFrame, elements: list[str], refurbished: np.ndarray,
              with_b: bool) -> tuple[np.ndarray, np.ndarray]:
    """(sum(b U A) / sum(A) or sum(U A) / sum(A), sum(b A) / sum(A)) over ``elements``."""
    num = np.zeros(len(rows))
    den = np.zeros(len(rows))
    bsum = np.zeros(len(rows))
    for element in elements:
        area = pd.to_numeric(rows[f"A_{element}"], errors="coerce").fillna(0.0).to_numpy()
        u = pd.to_numeric(rows[f"U_{element}"], errors="coerce").fillna(0.0)
        u = np.where(refurbished, _measured(u, rows, element), u)
        column = f"b_Transmission_{element}"
        b = (pd.to_numeric(rows[column], errors="coerce").fillna(1.0).to_numpy()
             if column in rows else np.ones(len(rows)))
        num += (b if with_b else 1.0) * u * area
        den += area
        bsum += b * area
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den, bsum / den


def build(folder: Path) -> pd.DataFrame:
    """The table described in the module docstring from the TABULA files in ``folder``."""
    variants = pd.concat([pd.read_csv(p, low_memory=False)
                          for p in sorted((folder / "city2tabula").glob("*.csv"))])
    code = variants["Code_BuildingVariant"].str.split(".", expand=True)
    keep = (code[4] == "Gen") & (code[5] == "ReEx") & (code[6] == "001") & code[7].isin(STATES)
    rows = variants[keep.to_numpy()].reset_index(drop=True)
    code = code[keep.to_numpy()].reset_index(drop=True)
    # one region per country: the national one, else the region with most types
    region = code[0] + "." + code[1]
    counts = region.value_counts()
    national = code[1] == "N"
    has_national = code[0].map(national.groupby(code[0]).any())
    best = region.groupby(code[0]).agg(lambda r: counts[r.unique()].idxmax())
    rows = rows[(has_national & national) | (~has_national & (region == code[0].map(best)))]
    rows = rows.reset_index(drop=True)
    state = rows["Code_BuildingVariant"].str[-3:].map(STATES)
    refurbished = (state != "existing").to_numpy()

    walls = ["Wall_1", "Wall_2", "Wall_3", "Door_1"]
    u_wall, _ = _weighted(rows, walls, refurbished, with_b=True)
    u_roof, _ = _weighted(rows, ["Roof_1", "Roof_2"], refurbished, with_b=True)
    u_floor, b_floor = _weighted(rows, ["Floor_1", "Floor_2"], refurbished, with_b=False)
    u_window, _ = _weighted(rows, ["Window_1", "Window_2"], refurbished, with_b=False)
    a_window = sum(pd.to_numeric(rows[f"A_Window_{k}"], errors="coerce").fillna(0.0)
                   for k in (1, 2))
    g = sum(pd.to_numeric(rows[f"A_Window_{k}"], errors="coerce").fillna(0.0)
            * np.where(refurbished & (rows[f"Code_MeasureType_Window_{k}"].astype(str) == "Replace")
                       & (pd.to_numeric(rows[f"g_gl_n_PredefinedMeasure_Window_{k}"],
                                        errors="coerce").fillna(0.0) > 0),
                       rows[f"g_gl_n_PredefinedMeasure_Window_{k}"], rows[f"g_gl_n_Window_{k}"])
            for k in (1, 2)) / a_window
    a_wall = sum(pd.to_numeric(rows[f"A_{k}"], errors="coerce").fillna(0.0) for k in walls)
    bridge = np.where(refurbished, rows["delta_U_ThermalBridging_Refurbished"],
                      rows["delta_U_ThermalBridging_Original"])
    existing = pd.read_csv(folder / "tsib_episcope.csv", low_memory=False)
    q_h_nd = existing.set_index("Code_BuildingVariant")["q_h_nd"]
    out = pd.DataFrame({
        "code": rows["Code_BuildingVariant"],
        "country": rows["Code_Country"],
        "size_class": rows["Code_BuildingSizeClass"],
        "year_first": rows["Year1_Building"].astype(int),
        "year_last": rows["Year2_Building"].astype(int),
        "state": state,
        "u_wall": u_wall, "u_roof": u_roof, "u_floor": u_floor, "floor_reduction": b_floor,
        "u_window": u_window, "g_window": g,
        "thermal_bridge": pd.to_numeric(pd.Series(bridge), errors="coerce"),
        "infiltration_ach": rows["n_air_infiltration"],
        "ventilation_ach": rows["n_air_use"],
        "wwr": a_window / (a_window + a_wall),
        "hot_water_kwh_m2": rows["q_w_nd"],
        "q_h_nd": np.where(state == "existing", rows["Code_BuildingVariant"].map(q_h_nd), np.nan),
    })
    numeric = out.columns[6:]
    complete = out[numeric.drop("q_h_nd")].notna().all(axis=1)
    out["order"] = out["code"].str[-3:]
    return (out[complete].sort_values(["country", "size_class", "year_first", "order"])
            .drop(columns="order"))


def countries(shapefile: Path) -> None:
    """Write ``countries.geojson``: the outlines of the typology's countries (code = ISO 3166-1)."""
    import pyogrio

    world = pyogrio.read_dataframe(shapefile)
    chosen = world[world["name"].isin(list(NATURAL_EARTH_NAMES))].copy()
    chosen["code"] = chosen["name"].map(NATURAL_EARTH_NAMES)
    chosen[["code", "name", "geometry"]].to_file(OUT / "countries.geojson", driver="GeoJSON",
                                                 COORDINATE_PRECISION=3)


def main(argv: list[str]) -> int:
    """Write the table (and the outlines, given the Natural Earth file) into ``OUT``."""
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    table = build(Path(argv[1]))
    table.to_csv(OUT / "tabula.csv", index=False, float_format="%.4g")
    print(f"{OUT / 'tabula.csv'}: {len(table)} rows, {table['country'].nunique()} countries")
    if len(argv) == 3:
        countries(Path(argv[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
