"""Benchmark: the viewer's load-to-first-frame and frame times, ours against a naive mesh build.

For the Delft and Helsinki samples and a synthetic city of N random rectangular buildings
(default 100,000 on a 20 x 20 km grid), each saved as a twin folder, it times in one process
(after a warm-up, so imports and the OpenGL context are not counted) what opening a twin in the
viewer costs: ``load_twin``, ``build_scene`` (numpy meshes) and drawing the first frame off
screen at 1600 x 1000. For the synthetic city it then times frames: a still frame (the full
merged mesh) and an interactive one (the rate the interactor asks for while the camera moves,
where the level-of-detail actor draws the roofs-only proxy), identify by ray, and a time step
change with the buildings coloured by a monthly series (values rewritten in place).

For results it times opening the Helsinki baseline run's results file (``twin run``: read the
HDF5, rebuild the simulated twin, build the scene with traffic, vehicles and energy results,
first frame) and the frame of a time step change (traffic colours, vehicle points) over all steps.

The peer is the obvious way to build the same mesh: one pyvista extrusion per building, merged
(``pv.merge``), timed on a subset and scaled to the whole city.

    .venv/bin/python tests/bench/bench_viewer.py [--buildings 100000]

Targets: first frame under 3 s for the samples and under 10 s for 100,000 buildings (checked,
with a non-zero exit when missed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import geopandas as gpd
import numpy as np
import pyvista as pv
import shapely
from pyproj import CRS

from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.model import Network, Twin, conform_buildings
from twin.runs import read_results, run_scenario, write_results
from twin.scenarios import load_scenario
from twin.store import load_twin, save_twin
from viewer.picking import Identifier
from viewer.renderer import SceneRenderer
from viewer.results_scene import build_results_scene
from viewer.scene import Scene, build_scene
from viewer.series import Series

TARGET_SAMPLE_S = 3.0
TARGET_100K_S = 10.0
RESULTS_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "helsinki_baseline.toml"
WINDOW = (1600, 1000)
INTERACTIVE_RATE = 15.0
"""Frames per second the VTK interactor asks for while the camera moves (its default)."""
PEER_SUBSET = 2_000


def synthetic_city(n: int, seed: int = 0) -> Twin:
    """``n`` random rectangles, 6-30 m wide, 3-60 m tall, on a square grid with streets."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    pitch = 40.0
    cell = np.arange(n)
    x0 = (cell % side) * pitch + rng.uniform(0, 5, n)
    y0 = (cell // side) * pitch + rng.uniform(0, 5, n)
    width, depth = rng.uniform(6, 30, n), rng.uniform(6, 30, n)
    footprints = shapely.box(x0, y0, x0 + width, y0 + depth)
    crs = CRS.from_epsg(28992)
    frame = gpd.GeoDataFrame({
        "id": [f"b{i}" for i in range(n)], "height": rng.uniform(3, 60, n),
        "base_elevation": np.zeros(n), "floors": rng.integers(1, 20, n),
        "year": rng.integers(1850, 2024, n), "footprint_area": width * depth,
    }, geometry=gpd.GeoSeries(footprints, crs=crs).translate(80_000, 440_000), crs=crs)
    return Twin(name=f"synthetic-{n}", crs=crs, buildings=conform_buildings(frame), network=Network.empty(crs))


def open_twin(folder: Path) -> tuple[dict[str, float], pv.Plotter, SceneRenderer]:
    """Seconds to load, build the scene and draw the first frame; the plotter stays open."""
    times = {}
    start = time.perf_counter()
    twin = load_twin(folder, verify=False)
    times["load"] = time.perf_counter() - start
    return _first_frame(lambda: build_scene(twin), times, start)


def open_results(path: Path) -> tuple[dict[str, float], pv.Plotter, SceneRenderer]:
    """Seconds to read a results file, build its scene and draw the first frame."""
    times = {}
    start = time.perf_counter()
    results = read_results(path)
    times["read"] = time.perf_counter() - start
    return _first_frame(lambda: build_results_scene(results), times, start)


def _first_frame(build, times: dict[str, float],
                 start: float) -> tuple[dict[str, float], pv.Plotter, SceneRenderer]:
    """Build the scene and draw its first frame off screen, adding both times to ``times``."""
    step = time.perf_counter()
    scene = build()
    times["scene"] = time.perf_counter() - step
    step = time.perf_counter()
    plotter = pv.Plotter(off_screen=True, window_size=list(WINDOW))
    plotter.render_window.SetMultiSamples(0)
    renderer = SceneRenderer(plotter, scene)
    plotter.show(auto_close=False)
    times["first_frame"] = time.perf_counter() - step
    times["total"] = time.perf_counter() - start
    return times, plotter, renderer


def step_seconds(renderer: SceneRenderer, steps: range) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of each time step change, as the still (full-mesh) frame of an idle window: until
    the frame starts (the layers' values and points updated) and in all (frame drawn)."""
    window = renderer.plotter.render_window
    window.SetDesiredUpdateRate(0.0001)
    drawing: list[float] = []
    observer = window.AddObserver("StartEvent", lambda *_: drawing.append(time.perf_counter()))
    update, total = [], []
    for index in steps:
        start = time.perf_counter()
        renderer.scene.timeline.set_index(index)
        total.append(time.perf_counter() - start)
        update.append(drawing[-1] - start)
    window.RemoveObserver(observer)
    return np.array(update), np.array(total)


def monthly_series(scene: Scene, seed: int = 0) -> None:
    """Give the buildings a random monthly series on a 12-month timeline and colour by it."""
    layer = scene.layers["buildings"]
    rng = np.random.default_rng(seed)
    months = np.arange(12)
    layer.series["monthly_kWh"] = Series(rng.uniform(0, 5_000, (12, len(layer.table))).astype(np.float32),
                                         months)
    scene.timeline.set_steps(np.array([f"2025-{m + 1:02d}-01" for m in months], dtype="datetime64[s]"))
    layer.set_color_by("monthly_kWh")


def frame_seconds(plotter: pv.Plotter, rate: float, frames: int = 5) -> float:
    """Mean seconds per frame while turning the camera, at the desired update ``rate``."""
    window = plotter.render_window
    window.SetDesiredUpdateRate(rate)
    plotter.camera.Azimuth(1.0)
    window.Render()  # lets the level-of-detail actor measure and choose
    start = time.perf_counter()
    for _ in range(frames):
        plotter.camera.Azimuth(1.0)
        window.Render()
    return (time.perf_counter() - start) / frames


def identify_seconds(renderer: SceneRenderer) -> tuple[float, float]:
    """Seconds for the first identify (locators built on the way) and for a second one."""
    identifier = Identifier(renderer.scene)
    width, height = WINDOW
    seconds = []
    for x, y in ((width / 2, height / 2), (width / 3, height / 3)):
        start = time.perf_counter()
        identifier.identify(renderer.plotter.renderer, x, y)
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1]


def naive_mesh_seconds(twin: Twin, count: int) -> float:
    """Seconds for one pyvista extrusion per building (exterior rings), merged, over ``count``."""
    buildings = twin.buildings.iloc[:count]
    start = time.perf_counter()
    meshes = []
    for footprint, base, height in zip(buildings.geometry, buildings["base_elevation"], buildings["height"]):
        for part in shapely.get_parts(footprint):
            ring = np.asarray(part.exterior.coords)[:-1]
            face = pv.PolyData(np.column_stack([ring, np.full(len(ring), base)]),
                               faces=[len(ring), *range(len(ring))])
            meshes.append(face.extrude((0.0, 0.0, height), capping=True))
    pv.merge(meshes)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = {name: save_twin(import_files(sample_files(name), name=name), Path(tmp) / f"{name}.twin")
                   for name in ("delft", "helsinki")}
        city = synthetic_city(args.buildings)
        folders[city.name] = save_twin(city, Path(tmp) / f"{city.name}.twin")
        _, warm, warm_renderer = open_twin(folders["delft"])  # imports and the OpenGL context
        warm_renderer.remove()
        warm.close()
        print(f"viewer benchmark: load-to-first-frame at {WINDOW[0]}x{WINDOW[1]}, off screen, "
              f"OpenGL renderer {_gl_renderer()}, {os.cpu_count()} CPUs")
        for name, folder in folders.items():
            times, plotter, renderer = open_twin(folder)
            scene = renderer.scene
            cells = sum(layer.mesh.n_cells for layer in scene.layers.values())
            target = TARGET_100K_S if name == city.name else TARGET_SAMPLE_S
            print(f"{name:>18}: {len(scene.twin.buildings):>7,} buildings, {cells:>9,} cells: "
                  f"first frame {times['total']:.2f} s (load {times['load']:.2f}, scene {times['scene']:.2f}, "
                  f"draw {times['first_frame']:.2f}) target < {target:.0f} s")
            if times["total"] > target:
                failures.append(f"{name}: {times['total']:.2f} s > {target} s")
            if name == city.name:
                still = frame_seconds(plotter, 0.0001)
                moving = frame_seconds(plotter, INTERACTIVE_RATE)
                drawn = "the roofs-only proxy" if moving < 0.7 * still else "the full mesh"
                print(f"{'':>18}  frame: still {still * 1000:.0f} ms (full mesh), "
                      f"moving {moving * 1000:.0f} ms (level of detail drew {drawn})")
                identify = identify_seconds(renderer)
                print(f"{'':>18}  identify at the centre: first {identify[0] * 1000:.0f} ms (builds "
                      f"the cell locators), then {identify[1] * 1000:.0f} ms")
                ours = times["scene"]
                peer = naive_mesh_seconds(scene.twin, PEER_SUBSET) * len(scene.twin.buildings) / PEER_SUBSET
                print(f"{'':>18}  scene build {ours:.2f} s vs one extrusion per building + merge "
                      f"{peer:.1f} s (timed on {PEER_SUBSET:,}, scaled): {peer / ours:.0f}x faster")
                monthly_series(scene)
                cells = scene.layers["buildings"].mesh.n_cells + scene.layers["buildings"].proxy.n_cells
                update, total = step_seconds(renderer, range(1, 12))
                print(f"{'':>18}  time step (monthly values of every building): frame "
                      f"{total.mean() * 1000:.0f} ms mean, {total.max() * 1000:.0f} ms max, of which "
                      f"{update.mean() * 1000:.0f} ms rewriting {cells:,} cell colours in place")
            renderer.remove()
            plotter.close()
        results_path = write_results(run_scenario(load_scenario(RESULTS_SCENARIO)), Path(tmp) / "run.h5")
        times, plotter, renderer = open_results(results_path)
        scene = renderer.scene
        print(f"{'helsinki results':>18}: {len(scene.timeline.steps)} time steps, "
              f"{len(scene.layers['traffic'].table):,} links, {len(scene.layers['vehicles'].table):,} "
              f"vehicle samples: first frame {times['total']:.2f} s (read {times['read']:.2f}, scene "
              f"{times['scene']:.2f}, draw {times['first_frame']:.2f}) target < {TARGET_SAMPLE_S:.0f} s")
        if times["total"] > TARGET_SAMPLE_S:
            failures.append(f"helsinki results: {times['total']:.2f} s > {TARGET_SAMPLE_S} s")
        update, total = step_seconds(renderer, range(1, len(scene.timeline.steps)))
        print(f"{'':>18}  time step (traffic speeds, vehicles) over {len(total)} steps: frame "
              f"{total.mean() * 1000:.0f} ms mean, {total.max() * 1000:.0f} ms max, of which "
              f"{update.mean() * 1000:.2f} ms updating values and points")
        renderer.remove()
        plotter.close()
    if failures:
        print("targets missed: " + "; ".join(failures))
        return 1
    print("targets met")
    return 0


def _gl_renderer() -> str:
    """The OpenGL renderer string (e.g. llvmpipe for software rendering)."""
    plotter = pv.Plotter(off_screen=True, window_size=[64, 64])
    plotter.show(auto_close=False)
    line = next((line for line in plotter.render_window.ReportCapabilities().splitlines()
                 if "renderer string" in line), "OpenGL renderer unknown")
    plotter.close()
    return line.split(":", 1)[-1].strip()


if __name__ == "__main__":
    sys.exit(main())
