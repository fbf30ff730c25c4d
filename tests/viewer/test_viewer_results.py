"""Scenes of results files without Qt: layers and timeline, time steps, A/B differences, and
``twin render RESULTS``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from twin.cli import EXIT_INPUT_ERROR, main
from twin.runs import Results, read_results
from viewer.compare import Comparison
from viewer.paths import is_results_file
from viewer.results_scene import ResultsScene, build_results_scene


@pytest.fixture(scope="module")
def results(helsinki_results: dict[str, Path]) -> dict[str, Results]:
    return {key: read_results(path) for key, path in helsinki_results.items()}


@pytest.fixture(scope="module")
def scene(results: dict[str, Results]) -> ResultsScene:
    return build_results_scene(results["a"])


def test_results_scene_layers_and_timeline(scene: ResultsScene, results: dict[str, Results]) -> None:
    mobility, energy = results["a"].mobility, results["a"].energy
    assert list(scene.layers) == ["ground", "basemap", "buildings", "roads", "pois", "traffic",
                                  "vehicles"]
    assert scene.title == "Helsinki centre: baseline"
    # steps: bins (07:00 every 5 min) and position samples (every minute), as UTC (EET = UTC+2)
    seconds = np.union1d(mobility.bin_start, mobility.positions["time"].unique())
    steps = scene.timeline.steps
    assert len(steps) == len(seconds) and steps[0] == np.datetime64("2025-03-11T05:00:00")
    np.testing.assert_array_equal((steps - steps[0]) / np.timedelta64(1, "s"), seconds - seconds[0])
    assert scene.timeline.label() == "2025-03-11 07:00 Europe/Helsinki (05:00 UTC)"  # local first
    assert scene.timeline.steps[scene.step_at("08:00")] == np.datetime64("2025-03-11T06:00:00")
    assert scene.step_at("2025-03-11T08:00:00+02:00") == scene.step_at("08:00")
    # buildings carry their energy results, by id, and colour by heating need
    buildings = scene.layers["buildings"]
    assert buildings.color_by == "heating_kWh_m2" and buildings.unit("heating_kWh_m2") == "kWh/m2"
    expected = energy.buildings["heating_kWh_m2"].reindex(buildings.table["id"]).to_numpy()
    np.testing.assert_allclose(buildings.values("heating_kWh_m2"), expected)
    march = energy.monthly_heating_kWh[3].reindex(buildings.table["id"]).to_numpy()
    np.testing.assert_allclose(buildings.values("monthly_heating_kWh"), march, rtol=1e-6)
    # traffic: the bin each step falls in; the legend's range (2–98 %) spans every bin
    traffic = scene.layers["traffic"]
    assert traffic.color_by == "speed" and traffic.unit("speed") == "km/h"
    speeds = mobility.series["speed"][np.isfinite(mobility.series["speed"])]
    assert traffic.value_range("speed") == pytest.approx(np.quantile(speeds, [0.02, 0.98], method="inverted_cdf"))
    vehicles = scene.layers["vehicles"]
    try:
        scene.timeline.set_index(7)  # 07:07, in the second bin
        np.testing.assert_allclose(traffic.values("outflow"), mobility.series["outflow"][1])
        on_time = (mobility.positions["time"] == seconds[7]).sum()
        assert vehicles.mesh.n_points == vehicles.mesh.n_cells == on_time > 0
        row = vehicles.feature_row(0)
        assert vehicles.feature_attributes(row)["time"] == seconds[7]
    finally:
        scene.timeline.set_index(0)
    assert vehicles.mesh.n_points == 0  # no samples at 07:00


def test_difference_layers_are_b_minus_a(results: dict[str, Results]) -> None:
    a = build_results_scene(results["a"])
    b = build_results_scene(results["b"], steps=a.timeline.steps, origin=a.origin)
    comparison = Comparison(a, b)
    traffic = b.layers["traffic B−A"]
    assert [layer.name for layer in comparison.differences] == ["traffic B−A", "buildings B−A"]
    assert traffic.cmap == "coolwarm" and not traffic.visible and traffic.color_by == "speed"
    low, high = traffic.value_range("outflow")
    assert low == -high < 0  # centred on 0
    a.timeline.set_index(40)  # B follows A's timeline
    assert b.layers["traffic"].step == 40
    # the link whose outflow changed most at 07:40 (bin 8), matched by id in the files
    links_a, links_b = results["a"].mobility.links, results["b"].mobility.links
    outflow_a = results["a"].mobility.series["outflow"][8]
    outflow_b = results["b"].mobility.series["outflow"][8]
    in_a = links_a.reset_index().set_index("id")["index"].reindex(links_b["id"]).to_numpy()
    change = outflow_b - outflow_a[in_a]
    j = int(np.argmax(np.abs(change)))
    assert abs(change[j]) > 10
    assert traffic.values("outflow")[j] == pytest.approx(change[j], abs=1e-3)
    buildings = b.layers["buildings B−A"]
    heating = {key: r.energy.buildings["heating_kWh"] for key, r in results.items()}
    row = int(np.nanargmax(np.abs((heating["b"] - heating["a"]).to_numpy())))  # NaN: unheated
    building = heating["b"].index[row]
    at = int(np.flatnonzero(buildings.table["id"] == building)[0])
    assert buildings.values("heating_kWh")[at] == pytest.approx(
        heating["b"][building] - heating["a"][building])
    a.layers["buildings"].set_color_by("heating_kWh")  # B and the difference follow A
    assert b.layers["buildings"].color_by == buildings.color_by == "heating_kWh"
    both = np.concatenate([heating["a"], heating["b"]])
    assert b.layers["buildings"].value_range("heating_kWh") == pytest.approx(
        np.quantile(both[np.isfinite(both)], [0.02, 0.98], method="inverted_cdf"))
    assert a.layers["buildings"].value_range("heating_kWh") == b.layers["buildings"].value_range(
        "heating_kWh")  # one range for A and B
    a.layers["buildings"].set_value_range("heating_kWh", (0.0, 5e4))  # a manual one too
    assert b.layers["buildings"].value_range("heating_kWh") == (0.0, 5e4)
    assert buildings.value_range("heating_kWh") != (0.0, 5e4)  # the difference keeps its own
    a.layers["buildings"].set_classification("natural breaks", 5)  # classes shared too
    classes_a, classes_b = (scene.layers["buildings"].colour_classes("heating_kWh") for scene in (a, b))
    assert classes_a is not None and classes_b is not None
    np.testing.assert_array_equal(classes_a.edges, classes_b.edges)
    differences = buildings.colour_classes("heating_kWh")
    assert differences is not None and differences.count == 5
    np.testing.assert_allclose(differences.edges, -differences.edges[::-1])  # around 0
    comparison.show_differences(True)
    assert traffic.visible and not b.layers["traffic"].visible
    comparison.close()
    assert a.layers["traffic"].linked == []


def test_twin_render_results(helsinki_results: dict[str, Path], tmp_path: Path) -> None:
    assert is_results_file(helsinki_results["a"]) and not is_results_file(tmp_path)
    out = tmp_path / "traffic.png"
    assert main(["render", str(helsinki_results["a"]), "-o", str(out), "--size", "800x500",
                 "--camera", "top", "--time", "08:00", "--color-by", "traffic.speed"]) == 0
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert image.shape == (500, 800, 3) and image.std() > 20
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    assert ((g > r + 40) & (g > b + 20)).sum() > 300  # green links of RdYlGn: traffic flows
    bad = tmp_path / "bad.png"
    assert main(["render", str(helsinki_results["a"]), "-o", str(bad), "--time", "noon"]) == EXIT_INPUT_ERROR
    for outside in ("25:00", "12:00", "08:75"):  # the run covers 07:00-10:00
        assert main(["render", str(helsinki_results["a"]), "-o", str(bad),
                     "--time", outside]) == EXIT_INPUT_ERROR
    assert main(["render", str(helsinki_results["a"]), "-o", str(bad),
                 "--color-by", "traffic.colour"]) == EXIT_INPUT_ERROR
    assert not bad.exists()


def test_results_layers_take_their_units_from_the_results_file(scene: ResultsScene,
                                                                results: dict[str, Results]) -> None:
    mobility, energy = results["a"].mobility, results["a"].energy
    traffic, vehicles = scene.layers["traffic"], scene.layers["vehicles"]
    stored = {**mobility.units["links"], **mobility.units["series"]}
    assert traffic.units == {name: "km/h" if unit == "m/s" else unit for name, unit in stored.items()}
    assert vehicles.units == mobility.units["positions"]
    buildings = scene.layers["buildings"]
    for name, unit in {**energy.units["buildings"], **energy.units["monthly"]}.items():
        assert buildings.unit(name) == unit
    assert buildings.unit("footprint_area") == "m2"  # the twin's own columns: the quantities
    assert scene.layers["roads"].unit("free_speed") == "km/h"  # speeds in km/h throughout
    assert not any("m/s" in layer.units.values() for layer in scene.layers.values())
    buildings.set_color_by("air_temp_mean_C")
    try:
        assert buildings.legend_title().startswith("buildings\nair_temp_mean_C (°C)\n")
    finally:
        buildings.set_color_by("heating_kWh_m2")


def test_energy_only_results_step_through_months(tmp_path_factory: pytest.TempPathFactory) -> None:
    from twin.runs import run_scenario, write_results
    from twin.scenarios import load_scenario

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "delft_baseline.toml"
    path = write_results(run_scenario(load_scenario(scenario)), tmp_path_factory.mktemp("delft") / "d.h5")
    results = read_results(path)
    scene = build_results_scene(results)
    assert results.mobility is None and "traffic" not in scene.layers
    steps = scene.timeline.steps
    assert len(steps) == 12 and str(steps[0])[5:] == "01-01T00:00:00"
    buildings = scene.layers["buildings"]
    monthly = results.energy.monthly_heating_kWh.reindex(buildings.table["id"])
    assert buildings.color_by == "monthly_heating_kWh"  # the colours follow the month
    assert scene.timeline.monthly and scene.timeline.label() == f"January {str(steps[0])[:4]}"
    changed: list[str] = []
    buildings.changed.connect(changed.append)
    scene.timeline.set_index(6)  # July
    assert changed == ["values"] and scene.timeline.label() == f"July {str(steps[0])[:4]}"
    np.testing.assert_allclose(buildings.values("monthly_heating_kWh"), monthly[7], rtol=1e-6)
    assert buildings.value_range("monthly_heating_kWh") == pytest.approx(
        np.quantile(monthly.to_numpy()[np.isfinite(monthly.to_numpy())], [0.02, 0.98], method="inverted_cdf"), rel=1e-6)
