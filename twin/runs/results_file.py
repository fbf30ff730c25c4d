"""One HDF5 file per scenario run: ``write_results(run, path)``, ``read_results(path)``.

Layout (format ``localtwin-results``, ``format_version`` 1). Every dataset of a quantity carries
its ``unit`` and ``description`` attributes, both from the table of ``twin.quantities`` (group
named below; ``unit`` "" for ids, names and classes); tables are groups with one dataset per
column (``_index`` holds the row labels; see ``twin.runs.tables_h5``); large datasets are
chunked and gzip-compressed. :func:`read_results` reads the units back from the file (the
``units`` of each part), so a file is described by what it holds, whichever writer wrote it.

    /                     attrs: format, format_version, title, city, modules (run order),
                          timings (JSON: wall-clock seconds of each stage of the run, as
                          ``ScenarioRun.timings``)
    /provenance           attrs: scenario_path, scenario_sha256, twin_sha256, seed, started,
                          finished (UTC ISO 8601), run_key, versions and inputs (JSON:
                          package versions; SHA-256 of the base twin's source files)
      scenario_toml       the scenario file's whole text
    /interventions        table: kind, summary, counts (JSON), one row per intervention
    /kpis                 table indexed by "module.name": value, unit, definition (of the
                          MOBILITY_KPIS, COUNT_FIT_KPIS, ENERGY_KPIS quantities)
    /mobility             attrs: start (s after local midnight at simulation time 0),
                          bin_width (s), timezone, crs (WKT of the twin CRS)
      links               table per link of the routable network (NETWORK_LINKS): id,
                          from_node, to_node, name, length (m), lanes, capacity (veh/h),
                          free_speed (m/s), geometry (WKB)
      link_series/NAME    (n_bins, n_links) per link and bin (LINK_SERIES): inflow, outflow
                          (veh/h), density (veh/km), speed (km/h, NaN where empty), queue (veh),
                          vehicle_km, vehicle_hours, co2, nox (kg); bin_start (s after local
                          midnight, MOBILITY_CLOCK)
      trips               table per trip (TRIPS)
      positions           table of sampled vehicle positions (POSITIONS)
      counts              observed counts of the twin's link sensors against the simulated
                          outflow per bin (COUNTS): link, sensor, bin_start (UTC), observed,
                          simulated (veh/h), geh (only where the twin had counts in the period)
      notes               what the run dropped or assumed
    /energy               attrs: crs (WKT)
      buildings           table per building (index: building id): the energy results
                          (EnergyRun.buildings, ENERGY_BUILDINGS) and the footprint (geometry,
                          WKB)
      monthly_heating_kWh, monthly_cooling_kWh   (n_buildings, 12), months 1..12
                          (ENERGY_MONTHLY)
      district            heating_kW, cooling_kW (n_hours, n_districts); time (UTC, end of
                          the hour); districts (names) (ENERGY_DISTRICT)
      solar_faces         table per LoD2 roof face (SOLAR_FACES), the solar cadastre: building_id,
                          face_id, area_m2, usable_m2, module_m2 (m2), tilt_deg, azimuth_deg
                          (deg), irradiation_kWh_m2 (kWh/m2 a), sunlit_share, kWp, yield_kWh
                          (kWh a), specific_yield_kWh_kWp; only when the twin has roof faces
      solar_buildings     the cadastre per building with faces (SOLAR_BUILDINGS, index:
                          building id): roof_faces, areas (m2), kWp, yield_kWh, irradiation
      notes               the energy run's warnings

The file is built in memory, written to a temporary name beside the target and renamed when
complete, so a results file that exists is whole, and an earlier file of that name survives a
failed write (a full disk: StorageError naming the file).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import h5py
import numpy as np
import pandas as pd
from pyproj import CRS

from twin.errors import InputError, StorageError
from twin.json_text import loads_json
from twin.quantities import (
    COUNTS,
    ENERGY_BUILDINGS,
    ENERGY_DISTRICT,
    ENERGY_MONTHLY,
    LINK_SERIES,
    MOBILITY_CLOCK,
    NETWORK_LINKS,
    POSITIONS,
    SOLAR_BUILDINGS,
    SOLAR_FACES,
    TRIPS,
    descriptions,
    quantity,
    units,
)
from twin.runs.execute import ScenarioRun
from twin.runs.tables_h5 import (
    read_array,
    read_frame,
    units_of,
    write_array,
    write_datetimes,
    write_frame,
)

FORMAT = "localtwin-results"
FORMAT_VERSION = 1
LINK_TABLE = ("id", "from_node", "to_node", "name", "length", "lanes", "capacity", "free_speed")
"""The columns of the routable network's links the results file keeps (``NETWORK_LINKS``)."""
MONTHLY = ("monthly_heating_kWh", "monthly_cooling_kWh")
"""The per building and month arrays of the energy part (``ENERGY_MONTHLY``)."""
SOLAR = ("solar_faces", "solar_buildings")
"""The solar cadastre tables of the energy part (``SOLAR_FACES``, ``SOLAR_BUILDINGS``)."""


@dataclass(frozen=True, eq=False)
class MobilityResults:
    """The mobility part of a results file: links (GeoDataFrame), series by name (n_bins,
    n_links), bin_start (s after local midnight), bin_width (s), trips, positions, notes, the
    observed counts compared with the flows (None without counts), and the units the file
    gives: by part (``links``, ``series``, ``trips``, ``positions``, ``counts``), unit by
    column or series name.

    Attributes
    ----------
    links : geopandas.GeoDataFrame
        The routable network's links (``NETWORK_LINKS``): ``id``, ``from_node``,
        ``to_node``, ``name``, ``length`` [m], ``lanes`` [-], ``capacity`` [veh/h],
        ``free_speed`` [m/s], geometry [m in the twin CRS].
    series : dict of str to ndarray
        Per bin and link, float32, shape (n_bins, n_links), columns in the order of
        ``links``, by ``LINK_SERIES`` name: ``inflow``, ``outflow`` [veh/h], ``density``
        [veh/km], ``speed`` [km/h], ``queue`` [veh], ``vehicle_km`` [veh km],
        ``vehicle_hours`` [veh h], ``co2``, ``nox`` [kg].
    bin_start : ndarray
        Start of each bin, shape (n_bins,) [s after local midnight].
    bin_width : float
        Width of every bin [s].
    trips : pandas.DataFrame
        One row per trip (``TRIPS``): times [s after local midnight, s], distance [m],
        status.
    positions : pandas.DataFrame
        Sampled vehicle positions (``POSITIONS``): time [s after local midnight], x, y [m].
    notes : tuple of str
        What the run dropped or assumed.
    counts : pandas.DataFrame or None, default None
        Observed counts against the simulated outflow per bin (``COUNTS``): bin_start (UTC),
        observed and simulated [veh/h], geh; None when the run compared none.
    units : mapping of str to mapping of str to str, default {}
        The units the file gives, by part (``links``, ``series``, ``trips``, ``positions``,
        ``counts``), then by column or series name.
    """

    links: gpd.GeoDataFrame
    series: dict[str, np.ndarray]
    bin_start: np.ndarray
    bin_width: float
    trips: pd.DataFrame
    positions: pd.DataFrame
    notes: tuple[str, ...]
    counts: pd.DataFrame | None = None
    units: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class EnergyResults:
    """The energy part: buildings (GeoDataFrame of results and footprints), monthly heating
    and cooling (kWh, buildings x months), hourly district heating and cooling (kW), and the
    units the file gives: by part (``buildings``, ``monthly``, ``district``), unit by column
    or array name.

    Attributes
    ----------
    buildings : geopandas.GeoDataFrame
        One row per building (index: building id): the energy results (``ENERGY_BUILDINGS``:
        kWh, kWh/m2, kW, kWp, kg, degC ...) and the footprint [m in the twin CRS].
    monthly_heating_kWh : pandas.DataFrame
        Heating need per building and month 1..12 [kWh].
    monthly_cooling_kWh : pandas.DataFrame
        Cooling need per building and month 1..12 [kWh].
    district_heating_kW : pandas.DataFrame
        Hourly heating load per district, indexed by the end of each hour (UTC) [kW].
    district_cooling_kW : pandas.DataFrame
        Hourly cooling load per district, indexed by the end of each hour (UTC) [kW].
    notes : tuple of str
        The energy run's warnings.
    units : mapping of str to mapping of str to str, default {}
        The units the file gives, by part (``buildings``, ``monthly``, ``district``,
        ``solar_faces``, ``solar_buildings``), then by column or array name.
    solar_faces, solar_buildings : pandas.DataFrame or None
        The solar cadastre per roof face and per building (``SOLAR_FACES``,
        ``SOLAR_BUILDINGS``: m2, deg, kWh/m2, kWp, kWh); None when the twin had no roof faces.
    """

    buildings: gpd.GeoDataFrame
    monthly_heating_kWh: pd.DataFrame
    monthly_cooling_kWh: pd.DataFrame
    district_heating_kW: pd.DataFrame
    district_cooling_kW: pd.DataFrame
    notes: tuple[str, ...]
    units: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    solar_faces: pd.DataFrame | None = None
    solar_buildings: pd.DataFrame | None = None


@dataclass(frozen=True, eq=False)
class Results:
    """A results file read back: title, provenance (dict), KPI and intervention tables, the
    modules that ran (None where not) and the run's stage timings.

    Attributes
    ----------
    path : Path
        The results file.
    title : str
        The scenario's title.
    provenance : dict
        ``scenario_path``, ``scenario_sha256``, ``scenario_text``, ``twin_sha256``,
        ``inputs`` (SHA-256 of each source file of the base twin, by path), ``versions``
        (package versions), ``seed``, ``started`` and ``finished`` (UTC, ISO 8601),
        ``run_key``.
    kpis : pandas.DataFrame
        The KPI table indexed ``module.name``: ``value``, ``unit``, ``definition``.
    interventions : pandas.DataFrame
        One row per intervention: ``kind``, ``summary``, ``counts`` (JSON).
    mobility : MobilityResults or None
        The mobility part (link series [veh/h, veh/km, km/h, veh, veh km, veh h, kg], trips,
        positions, counts); None when mobility was not simulated.
    energy : EnergyResults or None
        The energy part (per building, monthly [kWh] and district hourly [kW] results); None
        when energy was not simulated.
    timings : dict of str to float, default {}
        Wall-clock time of each stage of the run [s] (``ScenarioRun.timings``: ``loading``,
        ``interventions``, ``network``, ``demand``, ``mobility``, ``simulation``, ``energy``
        ...); empty for a file written without them.
    """

    path: Path
    title: str
    provenance: dict
    kpis: pd.DataFrame
    interventions: pd.DataFrame
    mobility: MobilityResults | None
    energy: EnergyResults | None
    timings: dict[str, float] = field(default_factory=dict)


def write_results(run: ScenarioRun, path: str | Path) -> Path:
    """Write ``run`` to the HDF5 file ``path`` (see the module docstring); returns the path.

    Every quantity's dataset carries its ``unit`` and ``description`` from
    ``twin.quantities``. The file is written to a temporary name beside ``path`` and renamed
    when complete; missing parent folders are made.

    Parameters
    ----------
    run : ScenarioRun
        The run to write.
    path : str or Path
        The results file (``.h5``); an existing file of that name is replaced.

    Returns
    -------
    Path
        ``path`` as a Path.

    Raises
    ------
    StorageError
        Naming ``path`` when it cannot be written (a full disk); nothing is left of it and an
        earlier file of that name stays.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = _file_image(run)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(image)
        os.replace(tmp, path)
    except OSError as error:
        raise StorageError(path, error) from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _file_image(run: ScenarioRun) -> bytes:
    """The bytes of the results file of ``run``, built in memory: HDF5 never writes to disk, so a
    full disk is a plain failed write (HDF5 left with a file it cannot close ends the process
    with a segmentation fault at exit)."""
    with h5py.File(f"results-{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False) as f:
        _write(f, run)
        f.flush()
        return bytes(f.id.get_file_image())


def _write(f: h5py.File, run: ScenarioRun) -> None:
    meta = run.scenario.metadata
    f.attrs.update(format=FORMAT, format_version=FORMAT_VERSION, title=meta.title, city=meta.city,
                   modules=[m for m in ("mobility", "energy") if getattr(run, m) is not None],
                   timings=json.dumps(run.timings))
    prov = run.provenance.as_dict()
    group = f.create_group("provenance")
    write_array(group, "scenario_toml", np.array([prov.pop("scenario_text")], dtype=object))
    for key in ("versions", "inputs"):
        group.attrs[key] = json.dumps(prov.pop(key), sort_keys=True)
    group.attrs.update(prov)
    reports = run.applied.reports
    write_frame(f.create_group("interventions"), pd.DataFrame({
        "kind": [r.kind for r in reports], "summary": [r.summary() for r in reports],
        "counts": [json.dumps(dict(r.counts), sort_keys=True) for r in reports]}))
    write_frame(f.create_group("kpis"), run.kpis)
    if run.mobility is not None:
        _write_mobility(f.create_group("mobility"), run)
    if run.energy is not None:
        _write_energy(f.create_group("energy"), run)


def _write_mobility(group: h5py.Group, run: ScenarioRun) -> None:
    mob = run.mobility
    assert mob is not None
    period = run.scenario.period
    group.attrs.update(start=mob.start, bin_width=mob.bin_width, crs=mob.crs.to_wkt(),
                       timezone=period.timezone if period else "UTC")
    links = mob.network.network.links
    table = pd.DataFrame({c: links[c].to_numpy() for c in LINK_TABLE})
    table["geometry"] = links.geometry.to_numpy()
    _write_table(group, "links", table, NETWORK_LINKS)
    series = group.create_group("link_series")
    _write_quantity(series, "bin_start", mob.bin_start, MOBILITY_CLOCK)
    for name, values in mob.links.items():
        _write_quantity(series, name, np.asarray(values, dtype=np.float32), LINK_SERIES)
    _write_table(group, "trips", mob.trips, TRIPS)
    _write_table(group, "positions", mob.positions, POSITIONS)
    if run.counts is not None:
        _write_table(group, "counts", run.counts, COUNTS)
    write_array(group, "notes", np.array(mob.notes, dtype=object))


def _write_energy(group: h5py.Group, run: ScenarioRun) -> None:
    energy = run.energy
    assert energy is not None
    buildings = run.applied.twin.buildings
    group.attrs["crs"] = CRS(buildings.crs).to_wkt()
    table = energy.buildings.copy()
    table["geometry"] = buildings.geometry.to_numpy()
    _write_table(group, "buildings", table, ENERGY_BUILDINGS)
    for name in MONTHLY:
        _write_quantity(group, name, getattr(energy, name).to_numpy(), ENERGY_MONTHLY)
    district = group.create_group("district")
    heating = energy.district_heating_kW
    write_datetimes(district, "time", heating.index,
                    quantity(ENERGY_DISTRICT, "time").description)
    write_array(district, "districts", np.array(heating.columns.astype(str), dtype=object))
    _write_quantity(district, "heating_kW", heating.to_numpy(), ENERGY_DISTRICT)
    _write_quantity(district, "cooling_kW", energy.district_cooling_kW.to_numpy(),
                    ENERGY_DISTRICT)
    if energy.solar_faces is not None and energy.solar_buildings is not None:
        _write_table(group, "solar_faces", energy.solar_faces, SOLAR_FACES)
        _write_table(group, "solar_buildings", energy.solar_buildings, SOLAR_BUILDINGS)
    write_array(group, "notes", np.array(energy.warnings, dtype=object))


def _write_quantity(group: h5py.Group, name: str, values: np.ndarray, table: str) -> None:
    """One array with the unit and description of quantity ``name`` of the ``table`` group."""
    q = quantity(table, name)
    write_array(group, name, values, q.unit, q.description)


def _write_table(parent: h5py.Group, name: str, frame: pd.DataFrame, table: str) -> None:
    """A table as group ``name`` of ``parent``, its columns (all but the geometry, which is
    WKB) with the units and descriptions of the quantities of the ``table`` group."""
    columns = [str(c) for c in frame.columns if c != "geometry"]
    write_frame(parent.create_group(name), frame, units(table, columns),
                descriptions(table, columns))


def read_results(path: str | Path) -> Results:
    """A results file; InputError naming the file if it is not one (or of a newer format).

    Parameters
    ----------
    path : str or Path
        A results file written by :func:`write_results`.

    Returns
    -------
    Results
        The file's title, provenance, KPI and intervention tables and its mobility and energy
        parts, with the units the file gives.

    Raises
    ------
    InputError
        When the file is not a readable HDF5 file, not a ``localtwin-results`` file, or of a
        newer ``format_version`` than this reader.
    """
    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise InputError(path, None, f"not a readable HDF5 results file ({error})") from None
    with f:
        if f.attrs.get("format") != FORMAT:
            raise InputError(path, "format", f"not a {FORMAT} file")
        if int(f.attrs["format_version"]) > FORMAT_VERSION:
            raise InputError(path, "format_version",
                             f"{int(f.attrs['format_version'])} is newer than this reader "
                             f"({FORMAT_VERSION}); update localtwin")
        prov = dict(f["provenance"].attrs)
        for key in ("versions", "inputs"):
            try:
                prov[key] = loads_json(prov[key])
            except ValueError as error:
                raise InputError(path, f"provenance.{key}", f"not readable JSON: {error}") from None
        prov["scenario_text"] = str(read_array(f["provenance/scenario_toml"])[0])
        return Results(
            path=path, title=str(f.attrs["title"]), provenance=_plain(prov),
            kpis=read_frame(f["kpis"]), interventions=read_frame(f["interventions"]),
            mobility=_read_mobility(f["mobility"]) if "mobility" in f else None,
            energy=_read_energy(f["energy"]) if "energy" in f else None,
            timings=_timings(path, f.attrs.get("timings", "{}")))


def _timings(path: Path, text: str) -> dict[str, float]:
    """The stage timings [s] of the JSON attribute ``text``; InputError naming ``path`` unless
    it is an object of numbers."""
    try:
        timings = loads_json(text)
        if not isinstance(timings, dict):
            raise ValueError("not an object")
        return {str(stage): float(seconds) for stage, seconds in timings.items()}
    except (ValueError, TypeError) as error:
        raise InputError(path, "timings", f"not a JSON object of seconds by stage: {error}") from None


def _plain(values: dict) -> dict:
    """HDF5 attribute values as plain Python numbers and strings."""
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}


def _notes(group: h5py.Group) -> tuple[str, ...]:
    return tuple(str(n) for n in read_array(group["notes"]))


def _read_mobility(group: h5py.Group) -> MobilityResults:
    crs = CRS.from_wkt(group.attrs["crs"])
    links = read_frame(group["links"])
    series = {name: data[()] for name, data in group["link_series"].items() if name != "bin_start"}
    parts = {"links": "links", "series": "link_series", "trips": "trips",
             "positions": "positions", "counts": "counts"}
    return MobilityResults(
        links=gpd.GeoDataFrame(links.drop(columns="geometry"), geometry=links["geometry"].to_numpy(),
                               crs=crs),
        series=series, bin_start=group["link_series/bin_start"][()],
        bin_width=float(group.attrs["bin_width"]), trips=read_frame(group["trips"]),
        positions=read_frame(group["positions"]), notes=_notes(group),
        counts=read_frame(group["counts"]) if "counts" in group else None,
        units={part: units_of(group[name]) for part, name in parts.items() if name in group})


def _read_energy(group: h5py.Group) -> EnergyResults:
    crs = CRS.from_wkt(group.attrs["crs"])
    table = read_frame(group["buildings"])
    buildings = gpd.GeoDataFrame(table.drop(columns="geometry"),
                                 geometry=table["geometry"].to_numpy(), crs=crs)
    months = pd.Index(range(1, 13), name="month")
    monthly = {name: pd.DataFrame(group[name][()], index=buildings.index, columns=months)
               for name in MONTHLY}
    district = group["district"]
    time = pd.DatetimeIndex(read_array(district["time"]), name="time")
    names = pd.Index(read_array(district["districts"]), name="district")
    return EnergyResults(
        buildings=buildings, monthly_heating_kWh=monthly["monthly_heating_kWh"],
        monthly_cooling_kWh=monthly["monthly_cooling_kWh"],
        district_heating_kW=pd.DataFrame(district["heating_kW"][()], index=time, columns=names),
        district_cooling_kW=pd.DataFrame(district["cooling_kW"][()], index=time, columns=names),
        notes=_notes(group),
        units={"buildings": units_of(group["buildings"]),
               "monthly": _subset(units_of(group), MONTHLY), "district": units_of(district),
               **{name: units_of(group[name]) for name in SOLAR if name in group}},
        **{name: read_frame(group[name]) if name in group else None for name in SOLAR})


def _subset(units: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    return {name: units[name] for name in names if name in units}
