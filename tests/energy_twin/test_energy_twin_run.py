"""The energy run on twins: the Delft sample end to end, retrofit, hooks, and a cross-check of
one building against the kernel fed with inputs built by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.energy import Drivers, Zones, simulate_zones, sun_positions, surface_solar
from twin.energy import EnergySettings, load_archetypes, run_energy
from twin.energy.building_types import TYPOLOGY_FOLDER
from twin.energy.solar import energy_weather
from twin.importers.weather import read_weather

# Band of the Delft sample: TABULA's own energy need for heating q_h_nd (existing state) of
# the NL types the sample's buildings are given (typology/tabula.csv, from tsib_episcope.csv),
# widened by the +-25 % within which the hourly model is to meet TABULA per type (issue 15's
# validation criterion: 90 % of types within +-25 %): TABULA computes with a monthly method on
# its own climate, the twin with the hourly kernel on the Essen reference year.
PER_TYPE_TOLERANCE = 0.25
RETROFIT = {"u_wall": 0.21, "u_roof": 0.16, "u_floor": 0.27, "u_window": 1.8, "g_window": 0.6}


@pytest.fixture(scope="module")
def delft_run(delft):
    return run_energy(delft)


def test_shipped_weather_file_reads_through_the_importer(weather_file, delft) -> None:
    w = read_weather(weather_file).weather
    assert len(w.data) == 8760 and w.source_format == "dwd"
    assert w.location.name == "Essen" and w.location.utc_offset == 1.0
    assert 9.5 < w.data["temp_air"].mean() < 11.5
    assert delft.weather is not None and delft.weather.location.name == "Essen"


def test_every_heated_delft_building_gets_positive_heating(delft_run, delft) -> None:
    b = delft_run.buildings
    assert len(b) == len(delft.buildings) == 160
    # 17 stand-alone sheds and annexes below 50 m² are unheated (EPBD art. 4(2)), kept, counted
    assert delft_run.warnings == ("17 buildings unheated, not simulated: 17 stand-alone untyped "
                                  "below 50 m² (EPBD art. 4(2))",
                                  "archetypes: 160 buildings: no construction year: the class of "
                                  "1970")
    unheated = ~b["simulated"].to_numpy()
    assert (delft.buildings["footprint_area"].to_numpy()[unheated] < 50.0).all()
    assert np.isnan(b["heating_kWh"][unheated]).all()
    h = b[~unheated]
    assert np.isfinite(h["heating_kWh"]).all() and (h["heating_kWh"] > 0).all()
    assert (h["peak_heating_kW"] > 0).all() and (h["cooling_kWh"] >= 0).all()
    assert list(b.index) == list(delft.buildings["id"])


def test_delft_heating_per_m2_is_within_the_tabula_band(delft_run) -> None:
    b = delft_run.buildings[delft_run.buildings["simulated"]]
    # no year in the source: the 1965-1974 class; terraces and multi-family blocks
    assert set(b["band"]) == {"NL.N.TH.02.Gen.ReEx.001.001", "NL.N.MFH.02.Gen.ReEx.001.001"}
    types = load_archetypes().types.table.set_index("code")
    q_h_nd = types.loc[sorted(set(b["band"])), "q_h_nd"]
    low = q_h_nd.min() * (1.0 - PER_TYPE_TOLERANCE)
    high = q_h_nd.max() * (1.0 + PER_TYPE_TOLERANCE)
    assert low <= delft_run.kpis["heating_kWh_m2"] <= high
    assert delft_run.kpis["heating_MWh"] == pytest.approx(
        delft_run.buildings["heating_kWh"].sum() / 1e3)


def test_helsinki_runs_on_the_finnish_typology(helsinki) -> None:
    from twin.importers.samples import DATASETS

    twin = helsinki.replace(
        weather=read_weather(DATASETS / "weather" / "Vantaa-TRY2020.csv").weather)
    run = run_energy(twin)
    b = run.buildings[run.buildings["simulated"]]
    assert b["band"].str.startswith("FI.").all()
    # the Dutch types of the same (unknown) age lose more heat than the Finnish code-era ones
    dutch = run_energy(twin, EnergySettings(country="NL"))
    assert run.kpis["heating_kWh_m2"] < dutch.kpis["heating_kWh_m2"]


def test_results_add_up(delft_run) -> None:
    b = delft_run.buildings
    sim = b["simulated"].to_numpy()
    np.testing.assert_allclose(delft_run.monthly_heating_kWh.sum(axis=1)[sim], b["heating_kWh"][sim])
    np.testing.assert_allclose(delft_run.monthly_cooling_kWh.sum(axis=1)[sim], b["cooling_kWh"][sim])
    hourly = delft_run.district_heating_kW
    assert hourly.shape == (8760, 1)
    assert hourly.to_numpy().sum() == pytest.approx(b["heating_kWh"].sum())
    # the night set-back ends at 06:00 in every home: the morning reheat peaks coincide, so the
    # district peak reaches the sum of the buildings' peaks (to rounding)
    assert delft_run.kpis["peak_heating_MW"] * 1e3 <= b["peak_heating_kW"].sum() * (1 + 1e-12)
    monthly = delft_run.monthly_heating_kWh.sum()
    assert monthly[1] > monthly[4] > monthly[7]  # January > April > July
    assert b["peak_heating_time"][sim].dt.month.isin([1, 2, 3, 11, 12]).all()
    np.testing.assert_allclose(b["heating_kWh_m2"], b["heating_kWh"] / b["floor_area_m2"])


def test_retrofit_lowers_heating(delft, delft_run) -> None:
    retrofit = delft.replace(buildings=delft.buildings.assign(**RETROFIT))
    after = run_energy(retrofit)
    heated = delft_run.buildings["simulated"]
    assert (after.buildings["heating_kWh"][heated] < delft_run.buildings["heating_kWh"][heated]).all()
    assert after.kpis["heating_kWh_m2"] < 0.5 * delft_run.kpis["heating_kWh_m2"]
    assert after.kpis["peak_heating_MW"] < delft_run.kpis["peak_heating_MW"]


def test_hooks_efficiency_hourly_consumers_and_districts(delft, delft_run) -> None:
    sums = np.zeros(len(delft.buildings))

    def collect(rows, heating_w, cooling_w, air_temp):
        sums[rows] += heating_w.sum(axis=1, dtype=np.float64) / 1e3

    districts = delft.buildings.assign(block=np.where(np.arange(160) < 80, "west", "east"))
    districts["heating_efficiency"] = 0.9
    run = run_energy(delft.replace(buildings=districts), EnergySettings(
        hourly=(collect,), district_column="block"))
    b = run.buildings
    np.testing.assert_allclose(b["heating_kWh"], delft_run.buildings["heating_kWh"])
    np.testing.assert_allclose(b["heating_final_kWh"], b["heating_kWh"] / 0.9)
    np.testing.assert_allclose(b["cooling_final_kWh"], b["cooling_kWh"] / 3.0)  # EER 3
    np.testing.assert_allclose(sums, np.nan_to_num(b["heating_kWh"]), rtol=1e-5)
    assert list(run.district_heating_kW.columns) == ["west", "east"]
    np.testing.assert_allclose(run.district_heating_kW["west"].sum(),
                               b["heating_kWh"].iloc[:80].sum())


def test_unsimulable_buildings_are_reported_not_run(delft, delft_run) -> None:
    tiny = delft.buildings.copy()
    first = int(np.flatnonzero(delft_run.buildings["simulated"])[0])
    tiny.loc[first, "floor_area"] = 0.5
    run = run_energy(delft.replace(buildings=tiny))
    simulated = run.buildings["simulated"].to_numpy()
    assert not simulated[first] and np.isnan(run.buildings["heating_kWh"].iloc[first])
    expected = delft_run.buildings["simulated"].to_numpy().copy()
    expected[first] = False
    assert (simulated == expected).all()
    assert any("1 buildings not simulated: conditioned floor area" in w for w in run.warnings)


def test_one_building_matches_the_kernel_with_hand_built_inputs(make_twin, weather) -> None:
    """The middle house of a 10 m x 8 m x 6 m terrace, residential, 1970, in the Netherlands:
    TABULA type NL.N.TH.02 (terraced house 1965-1974), existing state."""
    boxes = [(0.0, 0.0, 10.0, 8.0), (10.0, 0.0, 20.0, 8.0), (20.0, 0.0, 30.0, 8.0)]
    twin = make_twin(boxes, [6.0] * 3, use=["residential"] * 3, year=[1970] * 3)
    run = run_energy(twin, EnergySettings(country="NL"))
    t = pd.read_csv(TYPOLOGY_FOLDER / "tabula.csv").set_index("code").loc[
        "NL.N.TH.02.Gen.ReEx.001.001"]

    # by hand: 2 floors, A_f = 2 x 80 m² x 0.85; north and south walls 60 m² each, glazed by
    # the type's window share; east and west walls are party walls; roof and ground floor 80 m²
    a_f = 2 * 80.0 * 0.85
    win = t["wwr"] * 60.0
    opaque = 60.0 - win
    u_wall, u_roof, u_floor, u_win, g = t[["u_wall", "u_roof", "u_floor", "u_window",
                                           "g_window"]]
    h_tr_w = u_win * 2 * win
    h_tr_op = (u_wall * 2 * opaque + u_roof * 80.0 + t["floor_reduction"] * u_floor * 80.0
               + t["thermal_bridge"] * (120.0 + 160.0))
    h_ve = (t["infiltration_ach"] + t["ventilation_ach"]) * a_f * 2.5 * 1.204 * 1006.0 / 3600.0
    window_ap = 0.6 * 0.9 * g * 0.7 * win
    wall_ap = 0.6 * 0.04 * u_wall * opaque
    aperture = [0.6 * 0.04 * u_roof * 80.0, window_ap + wall_ap, 0.0, window_ap + wall_ap, 0.0]
    sky = 0.04 * 4.5 * (u_roof * 80.0 + 0.5 * u_wall * 2 * opaque + 0.5 * u_win * 2 * win)
    zones = Zones.create(a_f, h_tr_w, h_tr_op, h_ve, mass_class="medium",
                         internal_gains=3.0 * a_f, solar_aperture=[aperture], sky_loss=sky)

    d = weather.data
    site_weather = energy_weather(weather, 0.2)
    solar = surface_solar([0, 90, 90, 90, 90], [180, 0, 90, 180, 270], site_weather,
                          sun_positions(site_weather)).incident
    local_start = d.index - pd.Timedelta(hours=1) + pd.Timedelta(hours=1)  # MEZ = UTC + 1
    hour = np.asarray(local_start.hour)
    gains = np.where((hour >= 17) & (hour < 23), 1.8,
                     np.where((hour >= 7) & (hour < 17), 0.7714, 0.6857))
    # sky temperature from the weather's longwave irradiance: T_sky = (L / sigma)^(1/4)
    dtheta_er = d["temp_air"].to_numpy() + 273.15 - (d["longwave_down"].to_numpy()
                                                     / 5.6697e-8) ** 0.25
    # DIN V 18599-10 night set-back of dwellings: 16 °C from 23:00 to 06:00
    heat = np.where((hour >= 23) | (hour < 6), 16.0, 20.0)
    drivers = Drivers.create(d["temp_air"].to_numpy(), solar,
                             np.asarray(local_start.month) - 1, gains=gains,
                             heat_setpoint=heat, cool_setpoint=26.0, dtheta_er=dtheta_er)
    ref = simulate_zones(zones, drivers)

    got = run.buildings.iloc[1]
    assert got["heating_kWh"] == pytest.approx(ref.heating_Wh[0] / 1e3, rel=1e-9)
    assert got["cooling_kWh"] == pytest.approx(ref.cooling_Wh[0] / 1e3, rel=1e-9)
    assert got["peak_heating_kW"] == pytest.approx(ref.peak_heating_W[0] / 1e3, rel=1e-9)
    # the end houses lose more through their gable walls
    assert run.buildings["heating_kWh"].iloc[0] > got["heating_kWh"]


def test_weather_from_far_away_is_said_in_the_warnings(make_twin) -> None:
    """Delft lies about 190 km from Essen, whose reference year stands in for its weather; a
    Helsinki year is 1,500 km away and gives another climate's heating."""
    from twin.energy.weather_site import FAR_WEATHER_KM, weather_distance_km
    from twin.importers.samples import DATASETS

    twin = make_twin([(85000.0, 446000.0, 85010.0, 446010.0)], [6.0])
    assert 150.0 < weather_distance_km(twin) < FAR_WEATHER_KM
    assert not any(w.startswith("weather:") for w in run_energy(twin).warnings)
    helsinki = read_weather(DATASETS / "weather" / "Vantaa-TRY2020.csv").weather
    far = run_energy(twin.replace(weather=helsinki))
    (line,) = [w for w in far.warnings if w.startswith("weather:")]
    assert line.startswith("weather: measured at Helsinki-Vantaa airport, 1,")
    assert line.endswith("km from the twin: heating and cooling are those of that climate")


def test_sky_temperature_comes_from_the_weather_or_a_counted_constant(make_twin) -> None:
    """Essen's reference year has the sky's longwave irradiance: no note, and more heating
    than with ISO's 11 K (its sky is 13.5 K below the air in January-March). Helsinki's FMI
    year has no sky fields: the constant in all 8,760 hours, said in the warnings, and the
    same result as the constant asked for."""
    from twin.importers.samples import DATASETS

    twin = make_twin([(85000.0, 446000.0, 85010.0, 446010.0)], [6.0])
    run = run_energy(twin)
    constant = run_energy(twin, EnergySettings(sky_from_weather=False))
    assert not any(w.startswith("sky temperature") for w in run.warnings)
    assert run.buildings["heating_kWh"].iloc[0] > constant.buildings["heating_kWh"].iloc[0]
    helsinki = twin.replace(weather=read_weather(DATASETS / "weather" / "Vantaa-TRY2020.csv")
                            .weather)
    fallback = run_energy(helsinki)
    (note,) = [w for w in fallback.warnings if w.startswith("sky temperature")]
    assert "constant 11 K below the air in 8760 of 8760 hours" in note
    same = run_energy(helsinki, EnergySettings(sky_from_weather=False))
    assert fallback.buildings["heating_kWh"].iloc[0] == same.buildings["heating_kWh"].iloc[0]


def test_bad_building_values_are_repaired_and_counted(make_twin) -> None:
    """A construction year 3000, -3 storeys and an unknown use code (as a scenario or a
    hand-edited table may bring them) run with a counted, reported repair, not an error."""
    twin = make_twin([(0.0, 0.0, 10.0, 8.0), (20.0, 0.0, 30.0, 8.0), (40.0, 0.0, 50.0, 8.0)],
                     [6.0] * 3, use=["residential"] * 3)
    b = twin.buildings.copy()
    b["year"] = [3000, 1970, 1970]
    b["floors"] = [2, -3, 2]
    b["use"] = ["residential", "residential", "spaceship"]
    run = run_energy(twin.replace(buildings=b), EnergySettings(country="NL"))
    assert {
        "archetypes: 1 buildings: construction year outside 1000-2100: read as unknown",
        "archetypes: 1 buildings: no construction year: the class of 1970",
        "archetypes: 1 buildings: storeys below 1: from the height, 3 m a storey",
        "archetypes: 1 buildings: unknown use code (spaceship): residential",
    } <= set(run.warnings)
    assert run.buildings["simulated"].all() and (run.buildings["heating_kWh"] > 0).all()
    assert run.buildings["floor_area_m2"].iloc[1] == pytest.approx(2 * 80.0 * 0.85)
