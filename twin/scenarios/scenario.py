"""A scenario as parsed from its file: the base twin, period, simulations, interventions, KPIs.

``scenario_from_document`` builds it from a schema-valid document and runs the checks that
need no twin (times, multiples of the time step, time zone, KPI names, filters, polygons).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twin.importers.road_classes import ACCESS_ONLY_CLASSES
from twin.scenarios.base import Intervention
from twin.scenarios.errors import InterventionError, KeyPath
from twin.scenarios.interventions import parse_intervention
from twin.scenarios.kpis import is_known_kpi, known_kpis

MAX_PERIOD = dt.timedelta(days=7)
"""Longest mobility period."""


@dataclass(frozen=True)
class Metadata:
    """About the scenario: title, description, author, city, licence (SPDX id).

    Attributes
    ----------
    title : str
        Short title.
    description : str
        What the scenario models, its assumptions and its sources.
    author : str, default ""
        Who wrote it.
    city : str, default ""
        The city it is about.
    licence : str, default ""
        Licence of the scenario file, an SPDX identifier (``CC-BY-4.0``).
    """

    title: str
    description: str
    author: str = ""
    city: str = ""
    licence: str = ""


@dataclass(frozen=True)
class TwinRef:
    """The base twin: a twin folder ``path`` (resolved against the scenario's folder) or a
    ``sample`` name, and the expected content hash (``twin.scenarios.twin_hash``).

    Attributes
    ----------
    path : Path or None, default None
        A saved twin folder (``NAME.twin``), resolved against the scenario's folder.
    sample : str or None, default None
        Name of a sample city (``delft``, ``helsinki``), when there is no ``path``.
    sha256 : str or None, default None
        Expected content hash of the base twin (:func:`twin_sha256`), lowercase hex; None
        checks nothing.
    """

    path: Path | None = None
    sample: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Period:
    """The mobility model's interval: UTC ``start`` and ``end``, kernel ``time_step`` s, and the
    IANA ``timezone`` of the local clock that demand times use.

    Attributes
    ----------
    start : datetime.datetime
        Start of the simulated interval, UTC.
    end : datetime.datetime
        End of the simulated interval, UTC; after ``start``, at most 7 days later.
    time_step : float, default 1.0
        Time step of the mobility kernel [s].
    timezone : str, default "UTC"
        IANA time zone of the city's local clock (``Europe/Helsinki``), in which departure
        windows, OD periods and the generated demand's daily profile are given.
    """

    start: dt.datetime
    end: dt.datetime
    time_step: float = 1.0
    timezone: str = "UTC"

    def local_window(self) -> tuple[float, float]:
        """(start, end) in s after local midnight of the start day, local clock time at start
        (the end may pass 86,400 s). ``run_mobility``'s ``start`` and the demand use this clock.

        Returns
        -------
        tuple of float
            (start, end) [s after local midnight of the start day].
        """
        local = self.start.astimezone(ZoneInfo(self.timezone))
        start = local.hour * 3600.0 + local.minute * 60.0 + local.second + local.microsecond / 1e6
        return start, start + (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class MobilitySpec:
    """Mobility settings. demand: ``"generated"`` or an OD CSV path; trips: to generate;
    seed: of every draw; zones / zone_column: zone polygons of the OD CSV; bin_width,
    reroute_interval, sample_interval: s; reroute_share: 0..1; equilibrium_iterations: days of
    the day-to-day equilibrium (MSA) before the reported run, 0 = none.

    Attributes
    ----------
    demand : str or Path
        ``"generated"`` (car trips from the twin's buildings) or an OD matrix CSV file
        (origin, destination, period, trips).
    trips : int or None, default None
        Trips to generate over the period [trips]; with generated demand only.
    seed : int, default 0
        Seed of every random draw (demand generation, demand modifiers, re-routing).
    zones : Path or None, default None
        Zone polygons whose ids the OD CSV uses; with an OD CSV only.
    zone_column : str, default "zone"
        Column of the zone ids in ``zones``.
    bin_width : float, default 300.0
        Aggregation interval of the per-link results [s].
    reroute_interval : float, default 300.0
        Interval of dynamic re-routing on current travel times [s]; 0 for fixed routes.
    reroute_share : float, default 0.1
        Share of vehicles re-routed at each re-routing [-] (0..1).
    sample_interval : float, default 60.0
        Interval of the vehicle position samples for the viewer [s]; 0 for none.
    release_after : float, default 300.0
        Time a vehicle blocked at a link's head waits before it is released from the jam
        [s]; 0 for never.
    equilibrium_iterations : int, default 0
        Days of the day-to-day route choice equilibrium (MSA) before the reported run [-];
        0 for none.
    access_only : tuple of str, default ``ACCESS_ONLY_CLASSES`` (service)
        Road classes a car uses only to start or end a trip, never to pass through.
    """

    demand: str | Path
    trips: int | None = None
    seed: int = 0
    zones: Path | None = None
    zone_column: str = "zone"
    bin_width: float = 300.0
    reroute_interval: float = 300.0
    reroute_share: float = 0.1
    sample_interval: float = 60.0
    release_after: float = 300.0
    equilibrium_iterations: int = 0
    access_only: tuple[str, ...] = ACCESS_ONLY_CLASSES


@dataclass(frozen=True)
class EnergySpec:
    """Energy settings. weather: a weather file path, or None for the twin's own weather;
    warmup_hours: h; albedo: 1; sun_samples: per hour; country: ISO 3166-1 alpha-2;
    heating_system: of the buildings whose own is not known.

    Attributes
    ----------
    weather : Path or None, default None
        A weather file (EPW, TMY3 CSV, DWD TRY); None for the twin's own weather.
    warmup_hours : int, default 336
        Hours simulated before the year to settle the thermal mass [h].
    albedo : float, default 0.2
        Ground reflectance for the facades [-] (0..1).
    sun_samples : int, default 1
        Sun positions per hour [1/h].
    country : str or None, default None
        ISO 3166-1 alpha-2 code of the country whose building typology applies (None: the
        country at the twin's centre).
    heating_system : str, default "gas_boiler"
        Heating system of the buildings whose ``heating_system`` column is null
        (``gas_boiler``, ``heat_pump``, ``district_heating``, ``electric``).
    setback : bool, default True
        Heating holds each use's set-back in its set-back hours (nights in dwellings, outside
        office hours); False: at its set point around the clock.
    """

    weather: Path | None = None
    warmup_hours: int = 336
    albedo: float = 0.2
    sun_samples: int = 1
    country: str | None = None
    heating_system: str = "gas_boiler"
    setback: bool = True


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file: its ``path``, raw ``text`` and the text's ``sha256``, and the parts.

    mobility / energy are None when that table is absent (energy then takes EnergySpec's
    defaults if it runs); kpis empty means every KPI of the simulations run.

    Attributes
    ----------
    path : Path
        The scenario file.
    text : str
        Its text as read.
    sha256 : str
        SHA-256 of the UTF-8 text, hexadecimal.
    metadata : Metadata
        Title, description, author, city and licence.
    twin : TwinRef
        The base twin.
    simulations : tuple of str
        The simulations to run: ``mobility``, ``energy`` or both.
    period : Period or None, default None
        The mobility model's interval; None when mobility does not run.
    mobility : MobilitySpec or None, default None
        Mobility settings; None when the table is absent.
    energy : EnergySpec or None, default None
        Energy settings; None when the table is absent (EnergySpec's defaults then apply).
    interventions : tuple of Intervention, default ()
        The interventions, in the order they apply.
    kpis : tuple of str, default ()
        KPIs to report as ``module.name`` (``mobility.total_delay``); empty for every KPI of
        the simulations run.
    """

    path: Path
    text: str = field(repr=False)
    sha256: str
    metadata: Metadata
    twin: TwinRef
    simulations: tuple[str, ...]
    period: Period | None = None
    mobility: MobilitySpec | None = None
    energy: EnergySpec | None = None
    interventions: tuple[Intervention, ...] = ()
    kpis: tuple[str, ...] = ()


def scenario_from_document(
    doc: Mapping[str, Any], path: Path, text: str, sha256: str
) -> tuple[Scenario | None, list[tuple[KeyPath, str]]]:
    """The Scenario of a schema-valid document, or None and every problem found."""
    problems: list[tuple[KeyPath, str]] = []
    folder = path.parent
    period = _period(doc["period"], problems) if "period" in doc else None
    simulations = tuple(doc["simulations"]["run"])
    mobility = _mobility(doc["mobility"], folder, period, problems) if "mobility" in doc else None
    energy = _energy(doc["energy"], folder) if "energy" in doc else None
    interventions = []
    for index, table in enumerate(doc.get("interventions", [])):
        try:
            interventions.append(parse_intervention(table, index))
        except InterventionError as error:
            problems += error.problems
    kpis = tuple(doc.get("kpis", {}).get("report", []))
    problems += _kpi_problems(kpis, simulations)
    if problems:
        return None, problems
    twin = doc["twin"]
    scenario = Scenario(
        path=path,
        text=text,
        sha256=sha256,
        metadata=Metadata(**doc["metadata"]),
        twin=TwinRef(
            path=folder / twin["path"] if "path" in twin else None,
            sample=twin.get("sample"),
            sha256=twin.get("sha256"),
        ),
        simulations=simulations,
        period=period,
        mobility=mobility,
        energy=energy,
        interventions=tuple(interventions),
        kpis=kpis,
    )
    return scenario, problems


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).astimezone(
        dt.UTC
    )


def _period(table: Mapping[str, Any], problems: list[tuple[KeyPath, str]]) -> Period:
    start, end = _utc(table["start"]), _utc(table["end"])
    period = Period(
        start,
        end,
        float(table.get("time_step", Period.time_step)),
        table.get("timezone", Period.timezone),
    )
    if end <= start:
        problems.append((("period", "end"), f"{table['end']} is not after start {table['start']}"))
    elif end - start > MAX_PERIOD:
        problems.append((("period", "end"), f"the period is longer than {MAX_PERIOD.days} days"))
    try:
        ZoneInfo(period.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            (
                ("period", "timezone"),
                (
                    f"unknown time zone {period.timezone!r}; use an IANA "
                    "name such as Europe/Helsinki"
                ),
            )
        )
    return period


def _mobility(
    table: Mapping[str, Any],
    folder: Path,
    period: Period | None,
    problems: list[tuple[KeyPath, str]],
) -> MobilitySpec:
    defaults = MobilitySpec(demand="generated")
    spec = MobilitySpec(
        demand="generated" if table["demand"] == "generated" else folder / table["demand"],
        trips=table.get("trips"),
        seed=table.get("seed", defaults.seed),
        zones=folder / table["zones"] if "zones" in table else None,
        zone_column=table.get("zone_column", defaults.zone_column),
        bin_width=float(table.get("bin_width", defaults.bin_width)),
        reroute_interval=float(table.get("reroute_interval", defaults.reroute_interval)),
        reroute_share=float(table.get("reroute_share", defaults.reroute_share)),
        sample_interval=float(table.get("sample_interval", defaults.sample_interval)),
        release_after=float(table.get("release_after", defaults.release_after)),
        equilibrium_iterations=int(table.get("equilibrium_iterations",
                                             defaults.equilibrium_iterations)),
        access_only=tuple(table.get("access_only", defaults.access_only)),
    )
    if period is not None:
        for key in ("bin_width", "reroute_interval", "sample_interval", "release_after"):
            ratio = getattr(spec, key) / period.time_step
            if not math.isclose(ratio, round(ratio), rel_tol=0.0, abs_tol=1e-9):
                problems.append(
                    (
                        ("mobility", key),
                        (
                            f"{getattr(spec, key):g} s is not a multiple of the "
                            f"period's time_step {period.time_step:g} s"
                        ),
                    )
                )
    return spec


def _energy(table: Mapping[str, Any], folder: Path) -> EnergySpec:
    defaults = EnergySpec()
    weather = table.get("weather", "twin")
    return EnergySpec(
        weather=None if weather == "twin" else folder / weather,
        warmup_hours=table.get("warmup_hours", defaults.warmup_hours),
        albedo=float(table.get("albedo", defaults.albedo)),
        sun_samples=table.get("sun_samples", defaults.sun_samples),
        country=table.get("country", defaults.country),
        heating_system=table.get("heating_system", defaults.heating_system),
        setback=table.get("setback", defaults.setback),
    )


def _kpi_problems(kpis: tuple[str, ...], simulations: tuple[str, ...]) -> list[tuple[KeyPath, str]]:
    problems: list[tuple[KeyPath, str]] = []
    for k, name in enumerate(kpis):
        module, kpi = name.split(".", 1)
        if not is_known_kpi(module, kpi):
            problems.append(
                (
                    ("kpis", "report", k),
                    f"unknown {module} KPI {kpi!r}; known: {', '.join(known_kpis(module))}",
                )
            )
        elif module not in simulations:
            problems.append(
                (("kpis", "report", k), f"{module} does not run in this scenario (simulations.run)")
            )
    return problems
