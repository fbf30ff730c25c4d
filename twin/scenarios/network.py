"""Road network interventions: close links, set their speed, set their lanes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from twin.model import Twin
from twin.quantities import KMH_PER_MS
from twin.scenarios.base import Intervention, ids_of, with_links
from twin.scenarios.report import ChangeReport
from twin.scenarios.selection import Selection

MAX_LANES = 10


def _km(twin: Twin, mask: np.ndarray) -> float:
    return float(twin.network.links.loc[mask, "length"].sum()) / 1000.0


@dataclass(frozen=True)
class CloseLinks(Intervention):
    """Close the selected links: capacity 0 veh/h, so routing avoids them and no vehicle enters.
    The links stay in the network, so results compare link by link with the base."""

    kind: ClassVar[str] = "close_links"
    select: Selection
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> CloseLinks:
        return cls(Selection.from_table(table["select"]), table.get("description", ""))

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        mask = self.select.links(twin)
        links = twin.network.links.copy()
        links.loc[mask, "capacity"] = 0.0
        report = ChangeReport(
            self.kind,
            {"links": int(mask.sum())},
            ids_of(links, mask),
            ("capacity",),
            (f"{_km(twin, mask):.2f} km of road closed",),
        )
        return with_links(twin, links), report


@dataclass(frozen=True)
class SetSpeed(Intervention):
    """Set the free-flow speed (``speed`` km/h) of the selected links; capacity is unchanged."""

    kind: ClassVar[str] = "set_speed"
    select: Selection
    speed: float
    description: str = ""

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> SetSpeed:
        return cls(
            Selection.from_table(table["select"]),
            float(table["speed"]),
            table.get("description", ""),
        )

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        mask = self.select.links(twin)
        links = twin.network.links.copy()
        before = links.loc[mask, "free_speed"].to_numpy(dtype=np.float64) * KMH_PER_MS
        links.loc[mask, "free_speed"] = self.speed / KMH_PER_MS
        changed = int(np.sum(np.abs(before - self.speed) > 1e-9))
        note = (
            f"{_km(twin, mask):.2f} km at {self.speed:g} km/h, "
            f"before {before.min():g}..{before.max():g} km/h"
            if before.size
            else "no link selected"
        )
        report = ChangeReport(
            self.kind,
            {"links": int(mask.sum()), "links_changed": changed},
            ids_of(links, mask),
            ("free_speed",),
            (note,),
        )
        return with_links(twin, links), report


@dataclass(frozen=True)
class SetLanes(Intervention):
    """Set (``lanes``) or change (``change``) the lanes of the selected links, 1..MAX_LANES.

    Capacity scales with the lanes: new capacity = capacity x new lanes / old lanes (the link's
    capacity per lane is kept; a closed link stays closed). Links that would drop below one
    lane keep one, and the report says how many.
    """

    kind: ClassVar[str] = "set_lanes"
    select: Selection
    lanes: int | None = None
    change: int | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if (self.lanes is None) == (self.change is None):
            raise ValueError("SetLanes: give lanes or change, not both")

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> SetLanes:
        return cls(
            Selection.from_table(table["select"]),
            table.get("lanes"),
            table.get("change"),
            table.get("description", ""),
        )

    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        mask = self.select.links(twin)
        links = twin.network.links.copy()
        old = links.loc[mask, "lanes"].to_numpy(dtype=np.int64)
        wanted = np.full(old.shape, self.lanes) if self.lanes is not None else old + self.change
        new = np.clip(wanted, 1, MAX_LANES)
        per_lane = links.loc[mask, "capacity"].to_numpy(dtype=np.float64) / np.maximum(old, 1)
        links.loc[mask, "lanes"] = new
        links.loc[mask, "capacity"] = per_lane * new
        notes = [
            f"{int(old.sum())} -> {int(new.sum())} lanes over {_km(twin, mask):.2f} km of road"
        ]
        for count, what in (
            (int(np.sum(wanted < 1)), "kept at 1 lane"),
            (int(np.sum(wanted > MAX_LANES)), f"kept at {MAX_LANES} lanes"),
        ):
            if count:
                notes.append(f"{count} links {what}")
        report = ChangeReport(
            self.kind,
            {"links": int(mask.sum()), "links_changed": int(np.sum(new != old))},
            ids_of(links, mask),
            ("lanes", "capacity"),
            tuple(notes),
        )
        return with_links(twin, links), report
