"""``twin compare``: the KPI table of two runs, changes per link and building, the HTML report."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from twin.basemap_colours import basemap_colour
from twin.cli import main
from twin.runs import read_results, run_scenario, write_results
from twin.runs.compare import building_change, compare_kpis, link_change
from twin.runs.report import write_report
from twin.scenarios import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("compare")
    out = {}
    for name in ("helsinki_baseline", "helsinki_2035", "helsinki_mannerheimintie_closure"):
        run = run_scenario(load_scenario(SCENARIOS / f"{name}.toml"))
        out[name] = write_results(run, folder / f"{name}.h5")
    return out


def test_the_kpi_table_gives_both_values_and_the_change(files) -> None:
    a, b = read_results(files["helsinki_baseline"]), read_results(files["helsinki_2035"])
    table = compare_kpis(a, b)
    both = table.dropna(subset=["a", "b"])
    assert len(both) >= 5
    assert np.allclose(both["change"], both["b"] - both["a"])
    nonzero = both[both["a"] != 0]
    assert np.allclose(nonzero["pct_change"], 100 * nonzero["change"] / nonzero["a"].abs())
    assert table.loc["mobility.vehicle_km", "unit"] == "veh km"
    # KPIs only one of the scenarios reports are still listed, with the other side empty
    closure = compare_kpis(a, read_results(files["helsinki_mannerheimintie_closure"]))
    assert np.isnan(closure.loc["energy.heating_MWh", "b"])
    assert closure.loc["energy.heating_MWh", "a"] == a.kpis.loc["energy.heating_MWh", "value"]


def test_a_closed_street_shows_its_whole_traffic_as_lost(files) -> None:
    a = read_results(files["helsinki_baseline"])
    b = read_results(files["helsinki_mannerheimintie_closure"])
    change = link_change(a, b)
    closed = b.mobility.links["capacity"].to_numpy() == 0
    assert closed.any()
    closed_ids = set(b.mobility.links.loc[closed, "id"])
    rows = change[change["id"].isin(closed_ids)]
    assert np.all(rows["b"] == 0.0)
    assert np.allclose(rows["change"], -rows["a"])
    assert rows["a"].sum() > 0  # the baseline used the street


def test_building_changes_follow_the_retrofit(files, helsinki) -> None:
    a, b = read_results(files["helsinki_baseline"]), read_results(files["helsinki_2035"])
    change = building_change(a, b)
    assert len(change) == len(b.energy.buildings)
    assert b.energy.buildings.index.isin(a.energy.buildings.index).all()
    retrofit = b.interventions[b.interventions["kind"] == "retrofit"]
    renovated = json.loads(retrofit["counts"].iloc[0])["buildings"]
    # the renovated buildings need less heat per m2 (the unheated ones have no need);
    # no other building changes its need
    year = helsinki.buildings.set_index("id")["year"].reindex(b.energy.buildings.index)
    old_unheated = (year < 1970).fillna(False).to_numpy(bool) & ~b.energy.buildings["simulated"]
    assert int((change["change"] < -1e-6).sum()) == renovated - int(old_unheated.sum()) > 0
    assert int((change["change"] > 1e-6).sum()) == 0
    with pytest.raises(ValueError, match="energy"):
        building_change(read_results(files["helsinki_mannerheimintie_closure"]), b)


def test_twin_compare_prints_the_table_and_writes_a_self_contained_report(files, tmp_path,
                                                                         capsys) -> None:
    report = tmp_path / "report.html"
    assert main(["compare", str(files["helsinki_baseline"]), str(files["helsinki_2035"]),
                 "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "mobility.vehicle_km" in printed and "% change" in printed
    text = report.read_text(encoding="utf-8")
    assert "Helsinki centre 2035" in text and "mobility.vehicle_km" in text
    assert "http://" not in text and "https://" not in text  # nothing loaded from elsewhere
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    assert len(images) == 4  # travel times, link map, energy profiles, building map
    for data in images:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_a_mobility_only_comparison_has_no_energy_figures(files, tmp_path) -> None:
    report = tmp_path / "m.html"
    assert main(["compare", str(files["helsinki_baseline"]),
                 str(files["helsinki_mannerheimintie_closure"]), "-o", str(report)]) == 0
    assert len(re.findall(r"data:image/png", report.read_text(encoding="utf-8"))) == 2


def test_comparing_runs_on_different_twins_says_so(files, tmp_path, capsys) -> None:
    delft = write_results(run_scenario(load_scenario(SCENARIOS / "delft_baseline.toml")),
                          tmp_path / "delft.h5")
    assert main(["compare", str(files["helsinki_baseline"]), str(delft),
                 "-o", str(tmp_path / "places.html")]) == 0
    assert "A and B ran on different twins" in capsys.readouterr().out
    assert "A and B ran on different twins" in (tmp_path / "places.html").read_text(encoding="utf-8")
    assert main(["compare", str(files["helsinki_baseline"]), str(files["helsinki_2035"]),
                 "-o", str(tmp_path / "scenarios.html")]) == 0
    assert "different twins" not in capsys.readouterr().out
    assert "different twins" not in (tmp_path / "scenarios.html").read_text(encoding="utf-8")


def test_changes_are_judged_better_or_worse_by_the_quantities_table(files) -> None:
    a = read_results(files["helsinki_baseline"])
    b = read_results(files["helsinki_mannerheimintie_closure"])
    table = compare_kpis(a, b)
    # the closure's detours add delay, which is worse; vehicle-km is neither better nor worse
    assert table.loc["mobility.total_delay", "change"] > 0
    assert table.loc["mobility.total_delay", "verdict"] == "worse"
    assert table.loc["mobility.vehicle_km", "verdict"] == ""
    # the other way round the delay falls: a negative change, judged better
    back = compare_kpis(b, a)
    assert back.loc["mobility.total_delay", "change"] < 0
    assert back.loc["mobility.total_delay", "verdict"] == "better"
    report = write_report(b, a, files["helsinki_baseline"].with_name("judged.html")).read_text()
    text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", report)  # the maps' bytes
    assert 'class="better">-' in text and "e+0" not in text


def test_the_report_states_unfinished_trips_and_explains_empty_cells(files, tmp_path) -> None:
    from twin.printable import readable

    a = read_results(files["helsinki_baseline"])
    b = read_results(files["helsinki_mannerheimintie_closure"])
    text = write_report(a, b, tmp_path / "closure.html").read_text(encoding="utf-8")
    counts = [(int(run.mobility.trips["status"].isin(["waiting", "on_link", "released"]).sum()),
               len(run.mobility.trips)) for run in (a, b)]
    assert counts[1][0] > 0  # the closure leaves trips on the road
    stated = (f"unfinished (not arrived by the end): A {readable(counts[0][0])} of "
              f"{readable(counts[0][1])} ({100 * counts[0][0] / counts[0][1]:.1f} %), "
              f"B {readable(counts[1][0])} of {readable(counts[1][1])}")
    row = re.search(r"<td title=\"[^\"]*\">mobility.mean_travel_time</td>.*?</tr>", text, re.S)
    assert row is not None and stated in row.group(0)  # beside the travel times
    assert stated in text.split("<figcaption>")[1]  # and under their figure
    # B ran no energy model: its energy cells are empty, marked, and the mark is explained
    row = re.search(r"<td title=\"[^\"]*\">energy.heating_MWh</td>(.*?)</tr>", text, re.S)
    assert row is not None
    mark = re.search(r"<td>–<sup title=\"B ran no energy simulation\">(\d+)</sup></td>", row.group(1))
    assert mark is not None and f"<sup>{mark.group(1)}</sup> B ran no energy simulation" in text


def test_numbers_read_without_exponents() -> None:
    from twin.printable import readable

    assert readable(243182.4) == "243,182" and readable(-59.0, "+") == "-59"
    assert readable(0.2098) == "0.2098" and readable(1024.0, "+") == "+1,024"
    assert readable(float("nan")) == "" and readable(2.5e16) == "2.500e+16"


def _map_pixels(report: Path, colour: str) -> list[int]:
    """Pixels of exactly ``colour`` (hex RGB, within 2 per channel) in each map of a report
    (its 2nd and 4th figure: the link map and the building map)."""
    from PIL import Image

    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", report.read_text(encoding="utf-8"))
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    counts = []
    for data in (images[1], images[3]):
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")).astype(int)
        counts.append(int((np.abs(image - target).max(axis=-1) <= 2).sum()))
    return counts


def test_the_report_maps_draw_the_base_map_under_the_changes(files, tmp_path) -> None:
    a, b = read_results(files["helsinki_baseline"]), read_results(files["helsinki_2035"])
    report = write_report(a, b, tmp_path / "with.html")
    text = report.read_text(encoding="utf-8")
    assert text.count(", over the base map of the twin.</figcaption>") == 2
    green, water = basemap_colour("green"), basemap_colour("water")
    # Helsinki's parks (Kaisaniemi, Esplanadi, ...) and the bay show under both maps
    assert all(count > 2000 for count in _map_pixels(report, green))
    assert all(count > 50 for count in _map_pixels(report, water))
    # a results file whose base twin is gone: the maps without it, the captions say why
    text_b = b.provenance["scenario_text"]
    assert 'sample = "helsinki"' in text_b
    moved = dataclasses.replace(b, provenance={**b.provenance, "scenario_text": text_b.replace(
        'sample = "helsinki"', f'path = "{tmp_path / "gone.twin"}"')})
    report = write_report(a, moved, tmp_path / "without.html")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", report.read_text(encoding="utf-8"), re.S)
    assert sum("(no base map: the base twin did not load: " in caption for caption in captions) == 2
    assert all(count < 50 for count in _map_pixels(report, green))
