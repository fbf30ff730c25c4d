"""The scene of a results file (``twin run ... -o X.h5``): the twin the run simulated (rebuilt by
``twin.runs.simulated_twin``), with the results on it.

- ``buildings``: the twin's buildings joined with the per-building energy results (colour by
  ``heating_kWh_m2`` ...), and monthly heating and cooling as series (the month of each step);
- ``traffic``: the results' links, their per-bin flows, speeds, densities and queues as series;
- ``vehicles``: the sampled vehicle positions of the current step.

Timeline steps are the mobility bin starts and position sample times (s after local midnight
of the scenario's day, as UTC times), or the twelve months of the energy year without mobility
(a monthly timeline: the buildings are coloured by the month's heating).
The units of the results are those the results file gives (``Results`` parts' ``units``).
Qt-free.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.model import Twin
from twin.runs import Results
from twin.runs.results_file import MONTHLY, EnergyResults, MobilityResults
from twin.runs.simulated_twin import simulated_twin
from twin.scenarios import Scenario
from viewer.events import Signal
from viewer.layers import Layer
from viewer.meshes.ground import HeightAt, ground_heights
from viewer.meshes.lines import polylines
from viewer.scene import Progress, Scene, ground_of, scene_origin, twin_layers
from viewer.series import MovingPoints, Series
from viewer.timeline import Timeline

TRAFFIC_OFFSET = 0.8
"""Traffic links are drawn this far (m) above the ground, over the twin's roads."""
VEHICLE_OFFSET = 2.0
"""Vehicles are drawn this far (m) above the ground."""


@dataclass(frozen=True)
class LocalClock:
    """The run's local clock: the IANA ``timezone`` and the local ``day`` its mobility times
    (s after local midnight) count from."""

    timezone: str
    day: np.datetime64

    def utc(self, seconds: np.ndarray) -> np.ndarray:
        """Local clock times (s after midnight of ``day``) as UTC ``datetime64[s]``."""
        local = self.day + np.round(np.asarray(seconds)).astype("timedelta64[s]")
        index = pd.DatetimeIndex(local).tz_localize(
            self.timezone, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward")
        return index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")

    def local(self, steps: np.ndarray) -> pd.DatetimeIndex:
        """UTC times as local clock times (naive)."""
        index = pd.DatetimeIndex(np.asarray(steps, dtype="datetime64[s]")).tz_localize("UTC")
        return index.tz_convert(self.timezone).tz_localize(None)

    def seconds(self, steps: np.ndarray) -> np.ndarray:
        """UTC times as s after local midnight of ``day``."""
        return (self.local(steps).to_numpy() - self.day) / np.timedelta64(1, "s")


class ResultsScene(Scene):
    """The scene of a results file: ``results``, the ``scenario`` it ran and its ``clock``."""

    def __init__(self, twin: Twin, origin: tuple[float, float], layers: list[Layer],
                 timeline: Timeline, results: Results, scenario: Scenario, clock: LocalClock) -> None:
        super().__init__(twin, origin, layers, timeline)
        self.results = results
        self.scenario = scenario
        self.clock = clock
        self.title = results.title

    def step_at(self, text: str) -> int:
        """The step nearest to ``text``: ``HH:MM`` on the run's local clock and day, or an ISO
        8601 time (UTC unless it has an offset). InputError if it is neither or there are no steps."""
        steps = self.timeline.steps
        if len(steps) == 0:
            raise InputError(None, "--time", f"{self.results.path} has no time steps")
        try:
            if len(text) <= 5 and ":" in text:
                hours, minutes = (int(part) for part in text.split(":"))
                if not (0 <= hours and 0 <= minutes < 60):
                    raise ValueError(text)
                wanted = self.clock.utc(np.array([hours * 3600.0 + minutes * 60.0]))[0]
            else:
                stamp = pd.Timestamp(text)
                stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")
                wanted = np.datetime64(stamp.tz_localize(None), "s")
        except ValueError:
            raise InputError(None, "--time", f"expected HH:MM or an ISO 8601 time, got {text!r}") from None
        spacing = np.diff(steps).max() if len(steps) > 1 else np.timedelta64(0, "s")
        if not steps[0] - spacing <= wanted <= steps[-1] + spacing:
            zone = self.timeline.timezone
            first, last = (pd.Timestamp(t).tz_localize("UTC").tz_convert(zone)
                           for t in (steps[0], steps[-1]))
            raise InputError(None, "--time", f"{text} is outside the results' time steps "
                                             f"({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} "
                                             f"{zone})")
        return int(np.abs(steps - wanted).argmin())


def build_results_scene(results: Results, progress: Progress | None = None,
                        steps: np.ndarray | None = None,
                        origin: tuple[float, float] | None = None) -> ResultsScene:
    """The scene of ``results``, at the timeline ``steps`` (UTC) and ``origin`` if given (those
    of a scene to compare it with), else at its own."""
    def report(done: int, text: str) -> None:
        if progress is not None:
            progress(done, 3, text)

    report(0, "rebuilding the simulated twin")
    twin, scenario = simulated_twin(results)
    clock = _clock(results, scenario)
    timeline = Timeline(clock.timezone)
    monthly = results.mobility is None and results.energy is not None
    timeline.set_steps(result_steps(results, clock) if steps is None else steps, monthly)
    steps = timeline.steps
    origin = origin or scene_origin(twin)
    report(1, "building the twin's layers")
    layers = twin_layers(twin, origin)
    ground = ground_of(twin.terrain.dtm)
    report(2, "adding the results")
    if results.energy is not None:
        layers = [_energy_buildings(layer, results.energy, clock, steps, monthly)
                  if layer.name == "buildings" else layer for layer in layers]
    if results.mobility is not None:
        layers.append(_traffic_layer(results.mobility, clock, steps, origin, ground))
        layers.append(_vehicles_layer(results.mobility, clock, steps, origin, ground))
    report(3, "scene ready")
    return ResultsScene(twin, origin, layers, timeline, results, scenario, clock)


def result_steps(results: Results, clock: LocalClock) -> np.ndarray:
    """The timeline of ``results`` (UTC ``datetime64[s]``): mobility bins and position samples,
    else the first day of each month of the energy year, else none."""
    if results.mobility is not None:
        mobility = results.mobility
        seconds = np.union1d(np.round(mobility.bin_start), np.round(mobility.positions["time"].to_numpy()))
        return clock.utc(seconds)
    if results.energy is not None:
        year = int(str(clock.day)[:4])
        return np.array([f"{year}-{month:02d}-01" for month in range(1, 13)], dtype="datetime64[s]")
    return np.array([], dtype="datetime64[s]")


def _clock(results: Results, scenario: Scenario) -> LocalClock:
    """The period's time zone and local start day; without a period, UTC and 1 January of the
    energy year."""
    period = scenario.period
    if period is not None:
        local = pd.Timestamp(period.start).tz_convert(period.timezone)
        return LocalClock(period.timezone, np.datetime64(local.date(), "s"))
    year = (results.energy.district_heating_kW.index[0].year
            if results.energy is not None and len(results.energy.district_heating_kW) else 2000)
    return LocalClock("UTC", np.datetime64(f"{year}-01-01", "s"))


def _energy_buildings(layer: Layer, energy: EnergyResults, clock: LocalClock,
                      steps: np.ndarray, monthly: bool) -> Layer:
    """The buildings layer with the units of the results file, monthly heating and cooling as
    series (the month of each step, local time), coloured by heating need per m², or by the
    month's heating on a ``monthly`` timeline (the colours follow the month)."""
    assert layer.table is not None  # the twin's buildings and their attributes
    ids = layer.table["id"]
    month = clock.local(steps).month.to_numpy() - 1
    series = {name: Series(getattr(energy, name).reindex(ids).to_numpy(np.float32).T, month)
              for name in MONTHLY}
    units = {**layer.units, **energy.units.get("buildings", {}), **energy.units.get("monthly", {})}
    color_by = "heating_kWh_m2" if "heating_kWh_m2" in layer.table.columns else layer.color_by
    if monthly:
        color_by = "monthly_heating_kWh"
    return dataclasses.replace(layer, series=series, units=units, color_by=color_by,
                               changed=Signal())


def _traffic_layer(mobility: MobilityResults, clock: LocalClock, steps: np.ndarray,
                   origin: tuple[float, float], ground: HeightAt | None) -> Layer:
    """The results' links with every per-bin series (the bin each step falls in), by speed."""
    seconds = clock.seconds(steps)
    bins = np.searchsorted(mobility.bin_start, seconds, side="right") - 1
    inside = (bins >= 0) & (seconds < mobility.bin_start[np.maximum(bins, 0)] + mobility.bin_width)
    frame = np.where(inside, bins, -1)
    series = {name: Series(values, frame) for name, values in mobility.series.items()}
    mesh = polylines(mobility.links.geometry.to_numpy(), origin, ground, TRAFFIC_OFFSET)
    return Layer("traffic", "lines", mesh, table=mobility.links, colour="dimgray", color_by="speed",
                 cmap="RdYlGn", series=series,
                 units={**mobility.units.get("links", {}), **mobility.units.get("series", {})})


def _vehicles_layer(mobility: MobilityResults, clock: LocalClock, steps: np.ndarray,
                    origin: tuple[float, float], ground: HeightAt | None) -> Layer:
    """The position samples taken at each step's time, as points moving with the timeline."""
    positions = mobility.positions.sort_values("time", kind="stable")
    times = np.round(positions["time"].to_numpy())
    seconds = np.round(clock.seconds(steps))
    starts = np.searchsorted(times, seconds, side="left")
    counts = np.searchsorted(times, seconds, side="right") - starts
    rows = np.repeat(starts, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    table = positions.iloc[rows].reset_index(drop=True)
    xy = table[["x", "y"]].to_numpy(np.float64)
    points = np.column_stack([xy - origin, ground_heights(xy, ground) + VEHICLE_OFFSET])
    moving = MovingPoints(points.astype(np.float32), np.concatenate([[0], np.cumsum(counts)]))
    return Layer("vehicles", "points", moving.mesh(0), table=table, colour="#202020",
                 moving=moving, units=dict(mobility.units.get("positions", {})))
