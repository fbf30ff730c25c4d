"""A run on a twin with observed link counts reports the fit of its flows (GEH)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.feeds.archive import append_observations
from twin.feeds.base import Observation
from twin.feeds.count_comparison import geh
from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.runs import read_results, run_scenario, write_results
from twin.runs.observed import bin_start_utc
from twin.scenarios import load_scenario
from twin.scenarios.scenario import Period
from twin.store import save_twin

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def counted(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("counted")
    twin = import_files(sample_files("helsinki"), name="helsinki")
    save_twin(twin, folder / "helsinki.twin")
    plain = run_scenario(load_scenario(SCENARIOS / "helsinki_bus_lanes.toml")).mobility
    busiest = np.argsort(plain.links["outflow"].sum(axis=0))[::-1][:2]
    links = [str(i) for i in plain.link_ids[busiest]]
    start = pd.Timestamp("2025-03-11T05:00:00Z")
    observations = [Observation(f"counter-{j}", "intensity",
                                int((start + pd.Timedelta(minutes=5 * k)).value // 1_000_000),
                                float(10 + 3 * j + k % 4), "veh")
                    for j in range(2) for k in range(24)]  # two hours of 5-min counts
    append_observations(folder / "helsinki.twin", observations,
                        {f"counter-{j}": ("link", links[j]) for j in range(2)})
    text = (SCENARIOS / "helsinki_bus_lanes.toml").read_text()
    head, rest = text.split("[twin]", 1)
    rest = rest.split("[period]", 1)[1]
    scenario = folder / "counted.toml"
    scenario.write_text(head + '[twin]\npath = "helsinki.twin"\n\n[period]' + rest)
    return scenario, links


def test_the_fit_to_counts_is_reported_and_stored(counted, tmp_path) -> None:
    scenario, links = counted
    run = run_scenario(load_scenario(scenario))
    kpis = run.kpis["value"]
    assert kpis["mobility.counts_compared"] == 2 * 24  # 2 links x 24 bins of 300 s in two hours
    back = read_results(write_results(run, tmp_path / "counted.h5"))
    table = back.mobility.counts
    assert set(table["link"]) == set(links)
    # observed: the 5-min counts per 300 s bin, as veh/h
    first = table[(table["link"] == links[0])].sort_values("bin_start")
    assert first["observed"].iloc[0] == pytest.approx((10 + 0) * 12)
    # simulated: the run's outflow of that link in that bin
    column = list(back.mobility.links["id"]).index(links[0])
    bins = ((first["bin_start"] - first["bin_start"].iloc[0]).dt.total_seconds() // 300).astype(int)
    offset = int(np.argmin(np.abs(back.mobility.bin_start - (7 * 3600))))  # 05:00 UTC = 07:00 local
    assert np.allclose(first["simulated"], back.mobility.series["outflow"][offset + bins, column])
    assert kpis["mobility.geh_mean"] == pytest.approx(geh(table["simulated"], table["observed"]).mean())
    assert kpis["mobility.count_ratio"] == pytest.approx(table["observed"].sum() / table["simulated"].sum())
    assert 0.0 <= kpis["mobility.geh_share_below_5"] <= 1.0
    assert back.kpis.loc["mobility.geh_mean", "unit"] == "1"


def test_a_twin_without_counts_reports_no_fit(tmp_path) -> None:
    run = run_scenario(load_scenario(SCENARIOS / "helsinki_mannerheimintie_closure.toml"))
    assert run.counts is None
    assert not any(name.startswith("mobility.geh") for name in run.kpis.index)


def test_bins_keep_their_utc_time_across_a_daylight_saving_change() -> None:
    # Helsinki moves from EET to EEST at 01:00 UTC on 30 March 2025. The run's clock starts at
    # the local time of the period's start and counts elapsed seconds, so a bin 5 h in lies
    # 5 h after the UTC start, whatever the wall clock did meanwhile.
    start = dt.datetime(2025, 3, 29, 22, 0, tzinfo=dt.UTC)  # 00:00 EET
    period = Period(start=start, end=start + dt.timedelta(hours=6), timezone="Europe/Helsinki")
    first, _ = period.local_window()
    run = SimpleNamespace(bin_start=np.array([first, first + 5 * 3600.0]))
    stamps = bin_start_utc(run, period)
    assert list(stamps) == [pd.Timestamp("2025-03-29 22:00", tz="UTC"),
                            pd.Timestamp("2025-03-30 03:00", tz="UTC")]
