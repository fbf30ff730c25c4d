"""Demand interventions: scale the car trips, add trips between areas, set the EV share.

The twin holds no demand, so these leave the twin as it is and return their change as
``ChangeReport.demand`` (see ``twin.scenarios.modifiers``). Departure windows are local clock
times ``HH:MM`` of the simulated day (up to 47:59, past midnight), in the period's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import shapely

from twin.model import Twin
from twin.scenarios.areas import Area, AreaError
from twin.scenarios.base import Intervention
from twin.scenarios.errors import InterventionError, KeyPath
from twin.scenarios.modifiers import DemandAddition, DemandModifiers, DemandScale
from twin.scenarios.report import ChangeReport


def clock_seconds(text: str) -> float:
    """Seconds after midnight of ``HH:MM``."""
    hours, minutes = text.split(":")
    return int(hours) * 3600.0 + int(minutes) * 60.0


def _window(table: Mapping[str, Any]) -> tuple[float, float] | None:
    """(start, end) s of ``departure_from`` / ``departure_until``; InterventionError if
    end <= start."""
    if "departure_from" not in table:
        return None
    start, end = clock_seconds(table["departure_from"]), clock_seconds(table["departure_until"])
    if end <= start:
        raise InterventionError(
            [
                (
                    ("departure_until",),
                    (
                        f"{table['departure_until']} is not after "
                        f"departure_from {table['departure_from']}"
                    ),
                )
            ]
        )
    return start, end


def _areas(table: Mapping[str, Any]) -> dict[str, Area | None]:
    """The ``origin`` and ``destination`` areas of a table (None where absent)."""
    areas: dict[str, Area | None] = {}
    problems: list[tuple[KeyPath, str]] = []
    for end in ("origin", "destination"):
        try:
            areas[end] = Area.from_table(table[end]) if end in table else None
        except AreaError as error:
            problems.append(
                ((end, "polygon" if "polygon" in table[end] else "geojson"), str(error))
            )
    if problems:
        raise InterventionError(problems)
    return areas


def _in_twin(twin: Twin, areas: Mapping[str, Area | None]) -> dict[str, shapely.Geometry | None]:
    """Each area in the twin CRS; each must hold at least one node of the twin's road network."""
    nodes = twin.network.nodes
    if len(nodes) == 0:
        raise InterventionError([((), "the twin has no road network to carry trips")])
    out: dict[str, shapely.Geometry | None] = {}
    problems: list[tuple[KeyPath, str]] = []
    for end, area in areas.items():
        if area is None:
            out[end] = None
            continue
        try:
            polygon = area.in_twin(twin)
        except AreaError as error:
            problems.append(((end, area.key), str(error)))
            continue
        if not shapely.contains_xy(
            polygon, nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()
        ).any():
            problems.append(((end, area.key), "contains no node of the road network"))
        out[end] = polygon
    if problems:
        raise InterventionError(problems)
    return out


def _clock(window: tuple[float, float] | None) -> str:
    if window is None:
        return "all day"
    return "{:02d}:{:02d}-{:02d}:{:02d}".format(
        *divmod(int(window[0]) // 60, 60), *divmod(int(window[1]) // 60, 60)
    )


@dataclass(frozen=True)
class ScaleDemand(Intervention):
    """Scale the car trips by ``factor``, optionally only those departing in ``window`` (s after
    local midnight) and/or from ``origin`` / to ``destination``."""

    kind: ClassVar[str] = "scale_demand"
    factor: float
    window: tuple[float, float] | None = None
    origin: Area | None = None
    destination: Area | None = None
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> ScaleDemand:
        return cls(
            float(table["factor"]),
            _window(table),
            **_areas(table),
            description=table.get("description", ""),
        )

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        areas = _in_twin(twin, {"origin": self.origin, "destination": self.destination})
        step = DemandScale(self.factor, self.window, areas["origin"], areas["destination"])
        where = [
            f"from the {e} area" if e == "origin" else f"to the {e} area"
            for e, a in areas.items()
            if a
        ]
        note = " ".join([f"car trips x{self.factor:g}, departing {_clock(self.window)}", *where])
        return twin, ChangeReport(self.kind, notes=(note,), demand=DemandModifiers((step,)))


@dataclass(frozen=True)
class AddDemand(Intervention):
    """Add ``trips`` car trips from ``origin`` to ``destination``, departing uniformly in
    ``window``."""

    kind: ClassVar[str] = "add_demand"
    trips: int
    window: tuple[float, float]
    origin: Area
    destination: Area
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> AddDemand:
        window, areas = _window(table), _areas(table)
        origin, destination = areas["origin"], areas["destination"]
        assert window and origin and destination, "the schema requires window and areas"
        return cls(int(table["trips"]), window, origin, destination, table.get("description", ""))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        areas = _in_twin(twin, {"origin": self.origin, "destination": self.destination})
        step = DemandAddition(self.trips, self.window, areas["origin"], areas["destination"])
        note = f"{self.trips} car trips added, departing {_clock(self.window)}"
        return twin, ChangeReport(
            self.kind, {"trips": self.trips}, notes=(note,), demand=DemandModifiers((step,))
        )


@dataclass(frozen=True)
class EvShare(Intervention):
    """Battery-electric share (0..1) of car vehicle-km; a later one replaces an earlier one."""

    kind: ClassVar[str] = "ev_share"
    share: float
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> EvShare:
        return cls(float(table["share"]), table.get("description", ""))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        return twin, ChangeReport(
            self.kind,
            notes=(f"EV share {self.share:.0%} of car vehicle-km",),
            demand=DemandModifiers(ev_share=self.share),
        )
