"""ASHRAE Standard 140-2020 section 5.2 (BESTEST) with the 5R1C model and 725650TYCST.epw.

Annual heating and cooling are tested against the acceptance ranges of Standard 140-2023
Addendum b (``acceptance_lower/upper`` in annual_loads_MWh.csv) and nothing else. The data
folder has no acceptance ranges for peak loads or free-float temperatures, only the six
reference programs' results; those are compared with the programs' min..max and are *not*
acceptance criteria.

Where the 5R1C model falls outside a range the test is an expected failure (strict, so a
change that moves it inside is noticed) and a guard test bounds the deviation; the values and
the model's known bias are documented in simulation/energy/MODEL_CARD.md. No parameter here is
fitted to the reference results.
"""

from __future__ import annotations

import bestest as B
import pandas as pd
import pytest

PROGRAMS = ["BSIMAC", "CSE", "DeST", "EnergyPlus", "ESP-r", "TRNSYS"]
CONTROLLED = ["600", "610", "620", "640", "650", "900", "910", "920", "940", "950"]
FREE_FLOAT = ["600FF", "900FF", "650FF", "950FF"]

# (case, quantity) -> why the 5R1C result is outside the acceptance range
OUTSIDE_ACCEPTANCE = {
    ("600", "heating"): "5R1C light mass + ISO sky-radiation term: heating 1.7 % above range",
    ("900", "cooling"): "5R1C heavy mass: cooling 6 % below range (Modelica ISO13790: 2.28)",
    ("910", "heating"): "5R1C heavy mass with overhang: heating 5 % above range",
    ("940", "cooling"): "5R1C heavy mass with set-back: cooling 3 % below range",
}
# Standard 140's data gives Case 910 cooling as "2.00, 0.86" (lower > upper): a transcription
# error; it is compared with the example results instead.
TYPO_RANGE = {("910", "cooling")}


@pytest.fixture(scope="module")
def results():
    out = B.run_cases(CONTROLLED + FREE_FLOAT, n_samples=4)
    return {name: (res, i) for name, (res, i) in out.items()}


def _value(results, case, quantity):
    res, i = results[case]
    return {
        "heating": res.heating_Wh[i] / 1e6,
        "cooling": res.cooling_Wh[i] / 1e6,
        "peak_heating": res.peak_heating_W[i] / 1e3,
        "peak_cooling": res.peak_cooling_W[i] / 1e3,
        "max_temp": res.air_temp_max[i],
        "min_temp": res.air_temp_min[i],
    }[quantity]


def _acceptance(case, quantity):
    t = pd.read_csv(B.DATA / "annual_loads_MWh.csv")
    row = t[(t["case"].astype(str) == case)
            & (t["quantity"] == f"annual_{quantity}_MWh")].iloc[0]
    return float(row["acceptance_lower"]), float(row["acceptance_upper"]), row


def _examples(case, quantity):
    t = pd.read_csv(B.DATA / "peaks_and_free_float_extremes.csv")
    row = t[(t["case"].astype(str) == case) & (t["quantity"] == quantity)].iloc[0]
    vals = row[PROGRAMS].astype(float)
    return float(vals.min()), float(vals.max())


def _params():
    for case in CONTROLLED:
        for q in ("heating", "cooling"):
            if (case, q) in TYPO_RANGE:
                continue
            marks = ()
            if (case, q) in OUTSIDE_ACCEPTANCE:
                marks = pytest.mark.xfail(strict=True, reason=OUTSIDE_ACCEPTANCE[(case, q)])
            yield pytest.param(case, q, marks=marks, id=f"{case}-{q}")


@pytest.mark.parametrize("case, quantity", list(_params()))
def test_annual_load_inside_acceptance_range(results, case, quantity):
    lo, hi, _ = _acceptance(case, quantity)
    value = _value(results, case, quantity)
    assert lo - 1e-9 <= value <= hi + 1e-9, f"{case} {quantity}: {value:.3f} MWh, range {lo}..{hi}"


def test_known_deviations_stay_small(results):
    """The cases outside their acceptance range miss it by less than 8 % of the bound."""
    for (case, quantity) in OUTSIDE_ACCEPTANCE:
        lo, hi, _ = _acceptance(case, quantity)
        value = _value(results, case, quantity)
        miss = max(lo - value, value - hi)
        assert 0.0 < miss < 0.08 * (hi if value > hi else lo), (case, quantity, value)


def test_910_cooling_against_the_example_results(results):
    _, _, row = _acceptance("910", "cooling")
    value = _value(results, "910", "cooling")
    assert float(row["example_min"]) <= value <= float(row["example_max"])


def test_group_count_of_ranges_met(results):
    """Ranges met among those tested here (Standard 140 judges groups: low mass 18 of 21,
    high mass 17 of 19, including case-difference ranges that this folder does not hold)."""
    met = {"low": 0, "high": 0}
    total = {"low": 0, "high": 0}
    for case in CONTROLLED:
        for q in ("heating", "cooling"):
            if (case, q) in TYPO_RANGE:
                continue
            lo, hi, _ = _acceptance(case, q)
            group = "high" if case.startswith("9") else "low"
            total[group] += 1
            met[group] += lo - 1e-9 <= _value(results, case, q) <= hi + 1e-9
    assert (met["low"], total["low"]) == (9, 10)
    assert (met["high"], total["high"]) == (6, 9)


@pytest.mark.parametrize("case", CONTROLLED)
def test_peak_cooling_within_reference_programs(results, case):
    lo, hi = _examples(case, "peak_cooling_kW")
    assert lo <= _value(results, case, "peak_cooling") <= hi


@pytest.mark.parametrize("case", ["600", "610", "620", "640", "900", "910", "920", "940"])
def test_peak_heating_bias_is_bounded(results, case):
    """Peak heating is above all six programs (known bias: the constant ISO sky-radiation loss
    adds ~0.09 kW; the set-back recovery of 640/940 within one hour adds more). Bounded here."""
    lo, hi = _examples(case, "peak_heating_kW")
    value = _value(results, case, "peak_heating")
    limit = 1.20 if case in ("640", "940") else 1.05
    assert hi < value < hi * limit, f"{case}: {value:.3f} kW vs programs {lo}..{hi}"


@pytest.mark.parametrize("case", ["650", "950"])
def test_no_heating_in_night_ventilation_cases(results, case):
    assert _value(results, case, "heating") == 0.0
    assert _value(results, case, "peak_heating") == 0.0


@pytest.mark.parametrize("case", FREE_FLOAT)
def test_free_float_extremes_near_reference_programs(results, case):
    """Free-float max/min zone temperatures within 2 K of the six programs' min..max."""
    for q, key in (("max_temp", "max_zone_temperature_C"), ("min_temp", "min_zone_temperature_C")):
        lo, hi = _examples(case, key)
        value = _value(results, case, q)
        assert lo - 2.0 <= value <= hi + 2.0, f"{case} {q}: {value:.1f} vs {lo}..{hi}"


@pytest.fixture(scope="module")
def results_weather_sky():
    """The controlled cases with the sky temperature of each hour from the EPW's infrared
    irradiance instead of the constant 11 K (the product's default with such weather)."""
    return B.run_cases(CONTROLLED, n_samples=4, sky_from_weather=True)


def test_heating_bias_against_energyplus(results, results_weather_sky):
    """Report the annual heating of each case against EnergyPlus (constant and weather sky;
    figures in MODEL_CARD.md). The bias is positive in every heated case; the sky from the
    weather (12.9 K below the air on average in Denver, 14.9 K in January-March) adds to it."""
    t = pd.read_csv(B.DATA / "annual_loads_MWh.csv")
    print(f"\n{'case':>5} {'11 K':>6} {'weather':>8} {'E+':>6} {'bias 11 K':>10} "
          f"{'bias weather':>13}")
    for case in CONTROLLED:
        energyplus = float(t[(t["case"].astype(str) == case)
                             & (t["quantity"] == "annual_heating_MWh")].iloc[0]["EnergyPlus"])
        constant = _value(results, case, "heating")
        weather = _value(results_weather_sky, case, "heating")
        if energyplus == 0.0:
            assert constant == weather == 0.0
            continue
        print(f"{case:>5} {constant:6.3f} {weather:8.3f} {energyplus:6.3f} "
              f"{100 * (constant / energyplus - 1):+9.1f}% {100 * (weather / energyplus - 1):+12.1f}%")
        assert weather > constant > energyplus


def test_weather_sky_keeps_every_range_met(results_weather_sky):
    """Every acceptance range the tested configuration meets is also met with the sky
    temperature from the weather."""
    for case in CONTROLLED:
        for q in ("heating", "cooling"):
            if (case, q) in TYPO_RANGE or (case, q) in OUTSIDE_ACCEPTANCE:
                continue
            lo, hi, _ = _acceptance(case, q)
            value = _value(results_weather_sky, case, q)
            assert lo - 1e-9 <= value <= hi + 1e-9, f"{case} {q}: {value:.3f}, range {lo}..{hi}"
