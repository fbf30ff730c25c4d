"""Building interventions: retrofit, PV, heat pumps (per-building override columns), add, remove.

The override columns (``OVERRIDE_COLUMNS``) join ``Twin.buildings`` when an intervention first
writes them; rows it does not select hold NaN / None there, meaning "the archetype's value".
The energy model reads the U-values, g-value and infiltration of the same names as
overrides of its archetypes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import geopandas as gpd
import pandas as pd

from twin.importers.building_completion import complete_buildings
from twin.model import Twin
from twin.scenarios.areas import Area, AreaError
from twin.scenarios.base import Intervention, ids_of, with_columns
from twin.scenarios.errors import InterventionError, KeyPath
from twin.scenarios.report import ChangeReport
from twin.scenarios.selection import Selection

ENVELOPE_COLUMNS = ("u_wall", "u_roof", "u_floor", "u_window", "g_window", "infiltration_ach")

OVERRIDE_COLUMNS: dict[str, str] = {
    "u_wall": "W/(m2 K)",
    "u_roof": "W/(m2 K)",
    "u_floor": "W/(m2 K)",
    "u_window": "W/(m2 K)",
    "g_window": "1",
    "infiltration_ach": "1/h",
    "refurbishment": "",
    "pv_share": "1",
    "pv_kwp_m2": "kWp/m2",
    "heating_system": "",
    "heating_efficiency": "1",
}
"""Per-building columns interventions write, and their units: envelope overrides; the
refurbishment state of the building type (``existing``, ``usual``, ``advanced``); share of the
suitable roof area with PV and its peak power per m² of module; heating system (``heat_pump``)
and its seasonal efficiency (heat delivered per unit of final energy, the SCOP of a heat pump)."""

SCENARIO_SOURCE = "scenario"
"""``source`` and ``height_source`` of buildings a scenario adds."""


@dataclass(frozen=True)
class Retrofit(Intervention):
    """Envelope retrofit: ``values`` (a subset of ENVELOPE_COLUMNS, units as OVERRIDE_COLUMNS)
    replace the archetype's values in the selected buildings; ``refurbishment`` (``usual`` or
    ``advanced``) gives them the refurbished variant of their building type."""

    kind: ClassVar[str] = "retrofit"
    select: Selection
    values: Mapping[str, float]
    description: str = ""
    refurbishment: str | None = None

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Retrofit:
        values = {k: float(table[k]) for k in ENVELOPE_COLUMNS if k in table}
        return cls(Selection.from_table(table["select"]), values, table.get("description", ""),
                   table.get("refurbishment"))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        values: dict[str, object] = dict(self.values)
        if self.refurbishment is not None:
            values["refurbishment"] = self.refurbishment
        return _set(self.kind, twin, self.select, values)


@dataclass(frozen=True)
class AddPV(Intervention):
    """Rooftop PV on ``share`` (0..1) of the selected buildings' suitable roof area, with
    ``kwp_per_m2`` kWp per m² of modules (columns pv_share, pv_kwp_m2); on buildings with LoD2
    roof faces, only the faces receiving at least ``min_irradiation`` kWh/m² a (column
    pv_min_irradiation; None: every face) carry modules."""

    kind: ClassVar[str] = "add_pv"
    select: Selection
    share: float
    kwp_per_m2: float = 0.2
    min_irradiation: float | None = None
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> AddPV:
        threshold = table.get("min_irradiation")
        return cls(
            Selection.from_table(table["select"]),
            float(table["share"]),
            float(table.get("kwp_per_m2", cls.kwp_per_m2)),
            None if threshold is None else float(threshold),
            table.get("description", ""),
        )

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        values: dict[str, object] = {"pv_share": self.share, "pv_kwp_m2": self.kwp_per_m2}
        if self.min_irradiation is not None:
            values["pv_min_irradiation"] = self.min_irradiation
        return _set(self.kind, twin, self.select, values)


@dataclass(frozen=True)
class HeatPumps(Intervention):
    """Heat pumps heat the selected buildings (heating_system = "heat_pump"); ``scop``, if
    given, is their seasonal COP (column heating_efficiency)."""

    kind: ClassVar[str] = "heat_pumps"
    select: Selection
    scop: float | None = None
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> HeatPumps:
        scop = table.get("scop")
        return cls(
            Selection.from_table(table["select"]),
            None if scop is None else float(scop),
            table.get("description", ""),
        )

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        values: dict[str, object] = {"heating_system": "heat_pump"}
        if self.scop is not None:
            values["heating_efficiency"] = self.scop
        return _set(self.kind, twin, self.select, values)


def _set(
    kind: str, twin: Twin, select: Selection, values: dict[str, object]
) -> tuple[Twin, ChangeReport]:
    mask = select.buildings(twin)
    buildings = with_columns(twin.buildings, mask, values)
    report = ChangeReport(
        kind, {"buildings": int(mask.sum())}, ids_of(buildings, mask), tuple(values)
    )
    return twin.replace(buildings=buildings), report


@dataclass(frozen=True)
class NewBuilding:
    """A building to add: ``id``, footprint ``area``, ``height`` m, ``use``, optional ``year``
    and ``floors`` (default height / 3 m)."""

    id: str
    area: Area
    height: float
    use: str
    year: int | None = None
    floors: int | None = None


@dataclass(frozen=True)
class AddBuildings(Intervention):
    """Add buildings; base elevation (DTM), floors, roof, wall and ground areas and volume are
    derived as at import (``twin.buildings.complete_buildings``)."""

    kind: ClassVar[str] = "add_buildings"
    buildings: tuple[NewBuilding, ...]
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> AddBuildings:
        new, problems = [], []
        for k, item in enumerate(table["buildings"]):
            try:
                area = Area.from_table(item)
            except AreaError as error:
                problems.append(
                    (("buildings", k, "polygon" if "polygon" in item else "geojson"), str(error))
                )
                continue
            assert area is not None, "the schema requires polygon or geojson"
            new.append(
                NewBuilding(
                    item["id"],
                    area,
                    float(item["height"]),
                    item["use"],
                    item.get("year"),
                    item.get("floors"),
                )
            )
        if problems:
            raise InterventionError(problems)
        return cls(tuple(new), table.get("description", ""))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        existing = set(twin.buildings["id"].astype(str))
        problems: list[tuple[KeyPath, str]] = []
        footprints = []
        for k, b in enumerate(self.buildings):
            if b.id in existing:
                problems.append(
                    (("buildings", k, "id"), f"a building with id {b.id!r} exists already")
                )
            existing.add(b.id)
            try:
                footprints.append(b.area.in_twin(twin))
            except AreaError as error:
                problems.append((("buildings", k, b.area.key), str(error)))
        if problems:
            raise InterventionError(problems)
        frame = gpd.GeoDataFrame(
            {
                "id": [b.id for b in self.buildings],
                "source_id": [b.id for b in self.buildings],
                "source": SCENARIO_SOURCE,
                "height": [b.height for b in self.buildings],
                "height_source": SCENARIO_SOURCE,
                "floors": pd.array([b.floors for b in self.buildings], dtype="Int64"),
                "use": [b.use for b in self.buildings],
                "year": pd.array([b.year for b in self.buildings], dtype="Int64"),
            },
            geometry=footprints,
            crs=twin.crs,
        )
        # planned buildings are not in today's DSM: their given heights stand
        added, notes = complete_buildings(frame, twin.terrain, dsm_heights=False)
        buildings = gpd.GeoDataFrame(
            pd.concat([twin.buildings, added], ignore_index=True), geometry="geometry", crs=twin.crs
        )
        report = ChangeReport(
            self.kind, {"buildings": len(added)}, tuple(added["id"]), notes=tuple(notes)
        )
        return twin.replace(buildings=buildings), report


@dataclass(frozen=True)
class RemoveBuildings(Intervention):
    """Remove the selected buildings (demolition); the rest keep their order."""

    kind: ClassVar[str] = "remove_buildings"
    select: Selection
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> RemoveBuildings:
        return cls(Selection.from_table(table["select"]), table.get("description", ""))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        mask = self.select.buildings(twin)
        buildings = twin.buildings.loc[~mask].reset_index(drop=True)
        report = ChangeReport(
            self.kind, {"buildings": int(mask.sum())}, ids_of(twin.buildings, mask)
        )
        return twin.replace(buildings=buildings), report
