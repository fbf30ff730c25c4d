"""The Helsinki sample against the band of its typology: the energy part of
``scenarios/helsinki_baseline.toml``, buildings grouped by the Finnish type each got.

Band of a group (``tabula_method.py``): TABULA's own heating-need calculation applied to the
values of its Finnish type (``twin/energy/typology/finland.csv``) in each Swedish and Norwegian
TABULA reference building of its size class, on the Helsinki-Vantaa heating period; from the
least to the most of those figures, widened by the +-25 % within which the hourly model is to
meet TABULA per type (issue 15's criterion, as the Delft band). Dwellings only: the typology
is residential, other uses take its envelope but their own gains, hours and ventilation.

A group whose envelope per floor area lies outside that of every reference building of its
size class (a building form TABULA's references do not hold) is instead compared with the same
TABULA calculation on its own envelope (the run's conductances and windows), to the same
+-25 %: the typology's values then still give the band, the geometry is the twin's; a group
more compact than every reference building must still lie below the band's top.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tabula_method import (
    GLAZED_U,
    OPAQUE_U,
    HeatingPeriod,
    heating_period,
    read_rows,
    reference_rows,
    tabula_q_h_nd,
)

from twin.energy import EnergySettings
from twin.energy.building_types import TYPOLOGY_FOLDER
from twin.energy.inputs import energy_inputs
from twin.importers.samples import DATASETS
from twin.importers.weather import read_weather
from twin.runs.execute import run_scenario
from twin.scenarios.loader import load_scenario

PER_TYPE_TOLERANCE = 0.25  # issue 15: 90 % of TABULA types within +-25 %
ENVELOPE = ("u_wall", "u_roof", "u_floor", "u_window", "g_window", "floor_reduction",
            "thermal_bridge", "infiltration_ach", "ventilation_ach")
ORIENTATIONS = "nesw"


@pytest.fixture(scope="module")
def helsinki_groups(shared_data: Path) -> pd.DataFrame:
    """Per (Finnish type, size class) of the sample's dwellings: our heating kWh/(m² a), the
    band's least and most TABULA figure and the TABULA figure on the group's own envelope."""
    scenario = load_scenario(DATASETS.parent / "scenarios" / "helsinki_baseline.toml")
    run = run_scenario(scenario, only=("energy",))
    assert run.energy is not None and scenario.energy is not None
    assert scenario.energy.weather is not None
    weather = read_weather(scenario.energy.weather).weather
    assert weather is not None
    twin = run.applied.twin.replace(weather=weather)
    inputs = energy_inputs(twin, EnergySettings(heating_system="district_heating"))
    climate = heating_period(weather)
    rows = read_rows(shared_data / "tabula" / "tsib_episcope.csv")
    finland = pd.read_csv(TYPOLOGY_FOLDER / "finland.csv").set_index("code")
    b = run.energy.buildings.reset_index(drop=True)  # positions, as the inputs' index
    frame = inputs.envelope.join(inputs.params[["dwelling"]]).join(
        b[["band", "size_class", "simulated", "heating_kWh", "floor_area_m2"]])
    frame = frame[frame["simulated"] & frame["dwelling"].astype(bool)]
    out = []
    for (band, size), g in frame.groupby(["band", "size_class"]):
        envelope = {k: float(finland.loc[band, k]) for k in ENVELOPE}
        refs = reference_rows(rows, size)
        q_refs = [tabula_q_h_nd(r, envelope, climate) for r in refs]
        out.append({"band": band, "size_class": size, "buildings": len(g),
                    "ours": g["heating_kWh"].sum() / g["floor_area_m2"].sum(),
                    "low": min(q_refs), "high": max(q_refs),
                    "envelope_m2_m2": _envelope_area(g) / g["floor_area"].sum(),
                    "ref_envelope_low": min(_ref_envelope(r) for r in refs),
                    "ref_envelope_high": max(_ref_envelope(r) for r in refs),
                    "own": _own_q_h_nd(g, envelope, refs, climate)})
    return pd.DataFrame(out).set_index(["band", "size_class"])


def _envelope_area(g: pd.DataFrame) -> float:
    walls = sum(g[f"exposed_wall_{o}"].sum() + g[f"window_{o}"].sum() for o in ORIENTATIONS)
    return float(walls + g["roof"].sum() + g["ground"].sum())


def _ref_envelope(row: dict[str, str]) -> float:
    area = sum(float(row[f"A_{e}"] or 0.0) for e in (*OPAQUE_U, *GLAZED_U))
    return area / float(row["A_C_Ref"])


def _own_q_h_nd(g: pd.DataFrame, envelope: dict[str, float], refs: list[dict[str, str]],
                climate: HeatingPeriod) -> float:
    """TABULA's balance on the group's own envelope: its conductances W/K and windows by
    orientation from the run's inputs, TABULA's gains, mass, shading and frame factors and the
    median reduced-temperature factor of the reference buildings."""
    a_f = g["floor_area"].sum()
    h = (g["h_tr_w"] + g["h_tr_op"] + g["h_ve"]).sum()
    f_red = float(np.median([float(r["F_red_temp"]) for r in refs]))
    q_ht = h * f_red * 0.024 * (20.0 - climate.theta_e) * climate.days / a_f
    windows = np.array([0.0] + [g[f"window_{o}"].sum() for o in ORIENTATIONS])
    glass = 0.6 * (1.0 - 0.3) * 0.9 * envelope["g_window"]  # F_sh,vert, F_F, F_w of TABULA
    q_sol = float((windows * climate.i_sol).sum()) * glass / a_f
    q_int = 3.0 * 0.024 * climate.days
    a_h = 0.8 + 45.0 * a_f / h / 30.0
    gamma = (q_sol + q_int) / q_ht
    return q_ht - (1.0 - gamma**a_h) / (1.0 - gamma ** (a_h + 1.0)) * (q_sol + q_int)


def test_band_method_reproduces_tabula(shared_data: Path) -> None:
    rows = [r for r in read_rows(shared_data / "tabula" / "tsib_episcope.csv")
            if r["q_h_nd"] and float(r["q_h_nd"]) > 0]
    ratio = np.array([tabula_q_h_nd(r) / float(r["q_h_nd"]) for r in rows])
    assert len(rows) == 836
    np.testing.assert_allclose(ratio, 1.0, rtol=1e-9)


def test_helsinki_dwellings_lie_in_their_typology_band(helsinki_groups: pd.DataFrame) -> None:
    g = helsinki_groups
    print("\n" + g.round(2).to_string())
    assert set(g.index.get_level_values("band")) <= {"FI.1975", "FI.1978", "FI.2003", "FI.2012"}
    within_refs = ((g["envelope_m2_m2"] >= g["ref_envelope_low"])
                   & (g["envelope_m2_m2"] <= g["ref_envelope_high"]))
    low = g["low"] * (1.0 - PER_TYPE_TOLERANCE)
    high = g["high"] * (1.0 + PER_TYPE_TOLERANCE)
    in_band = (g["ours"] >= low) & (g["ours"] <= high)
    own = (g["ours"] / g["own"] - 1.0).abs() <= PER_TYPE_TOLERANCE
    assert (in_band | ~within_refs).all(), g[~in_band & within_refs]
    # a more compact form than every reference loses less: never above the band
    compact = g["envelope_m2_m2"] < g["ref_envelope_low"]
    assert (g["ours"] <= high)[compact].all(), g[compact]
    assert own.all(), g[~own]
