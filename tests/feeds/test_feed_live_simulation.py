"""Live data into simulations: observed weather for the energy run, counts against simulated
flows (GEH) and the demand scale factor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.energy.run import run_energy
from twin.feeds.archive import append_observations
from twin.feeds.base import Observation
from twin.feeds.count_comparison import compare_counts, demand_scale, geh
from twin.feeds.observed_weather import observed_weather
from twin.feeds.payloads import to_ms
from twin.model import WEATHER_COLUMNS
from twin.store import load_twin


def test_geh_known_values():
    assert geh(100.0, 100.0) == 0.0
    assert geh(0.0, 0.0) == 0.0
    assert geh(150.0, 100.0) == pytest.approx(np.sqrt(2 * 50**2 / 250))  # 4.47
    assert geh(np.array([1000.0]), np.array([1200.0]))[0] == pytest.approx(6.03, abs=0.01)


def test_observed_weather_feeds_an_energy_weather_table(twin_folder):
    t0 = to_ms("2026-07-01T10:00:00Z")
    obs = [Observation("ws1", "temp_air", t0 + m * 60_000, 20.0 + m / 60, "°C") for m in range(1, 181)]
    obs += [Observation("ws1", "ghi", t0 + m * 60_000, 600.0, "W/m2") for m in range(1, 181)]
    append_observations(twin_folder, obs)
    base = load_twin(twin_folder).weather
    weather = observed_weather(twin_folder, "ws1", base)
    data = weather.data
    assert list(data.columns) == list(WEATHER_COLUMNS) and len(data) == 3
    assert data.index[0] == pd.Timestamp("2026-07-01T11:00:00Z")
    assert data["temp_air"].iloc[0] == pytest.approx(20.0 + 30.5 / 60)
    assert (data["ghi"] == 600.0).all() and (data["dni"] > 0).all() and (data["dhi"] > 0).all()
    typical = base.data[(base.data.index.month == 7) & (base.data.index.day == 1) & (base.data.index.hour == 11)]
    assert data["pressure"].iloc[0] == typical["pressure"].iloc[0]
    assert not data.isna().any().any()


def test_energy_run_takes_observed_weather(twin_folder, delft):
    """A cold spell observed for two January days needs more heat than the same days at 15 °C."""
    t0 = to_ms("2026-01-10T00:00:00Z")
    for sensor, temp in (("cold", -8.0), ("mild", 15.0)):
        append_observations(twin_folder, [Observation(sensor, "temp_air", t0 + m * 600_000, temp, "°C")
                                          for m in range(1, 6 * 48 + 1)])
    heat = {}
    for sensor in ("cold", "mild"):
        weather = observed_weather(twin_folder, sensor, delft.weather)
        run = run_energy(delft.replace(weather=weather))
        heat[sensor] = float(np.nansum(run.district_heating_kW))
    assert heat["cold"] > heat["mild"] >= 0.0


def test_counts_against_simulated_flows_and_demand_scale(helsinki_folder):
    twin = load_twin(helsinki_folder)
    links = twin.network.links["id"].tolist()[:3]
    start = pd.Timestamp("2026-05-01T08:00:00Z")
    # sensor on link 0 counts 50 vehicles per 5 min (600 veh/h); on link 1, 10 per 5 min (120 veh/h)
    obs = [Observation("c0", "intensity", to_ms(str(start)) + k * 300_000, 50.0, "veh") for k in range(24)]
    obs += [Observation("c1", "intensity", to_ms(str(start)) + k * 300_000, 10.0, "veh") for k in range(24)]
    append_observations(helsinki_folder, obs, {"c0": ("link", links[0]), "c1": ("link", links[1])})
    bins = pd.date_range(start, periods=2, freq="1h")
    flow = np.array([[500.0, 120.0, 7.0], [700.0, 100.0, 7.0]])
    table = compare_counts(helsinki_folder, links, bins, 3600.0, flow)
    assert len(table) == 4
    row = table[(table.link == links[0]) & (table.bin_start == bins[0])].iloc[0]
    assert row.observed == 600.0 and row.simulated == 500.0 and row.geh == pytest.approx(geh(500, 600))
    assert demand_scale(table) == pytest.approx((600 * 2 + 120 * 2) / (500 + 700 + 120 + 100))
