"""Which buildings or links an intervention acts on: ids, street names, a filter, a polygon.

Every criterion given must hold. A building lies in a polygon when its footprint's
representative point does; a link when its midpoint does. Ids and street names must all
exist; a selection that matches nothing is an error unless ``require_match = false``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.model import Twin
from twin.quantities import KMH_PER_MS
from twin.scenarios.areas import Area, AreaError
from twin.scenarios.errors import InterventionError, KeyPath
from twin.scenarios.filters import Filter, FilterError, parse_filter

SHOWN = 10
"""Missing ids named in a message; the rest are counted."""
KEY: KeyPath = ("select",)
"""Where a selection sits in its intervention's table."""


@dataclass(frozen=True)
class Selection:
    """A selection as written under ``select``; ``names`` applies to links only."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    filter: Filter | None = None
    area: Area | None = None
    require_match: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Selection:
        """Parse a schema-valid ``select`` table; InterventionError for a bad filter or polygon."""
        problems: list[tuple[KeyPath, str]] = []
        filter_ = area = None
        if "filter" in table:
            try:
                filter_ = parse_filter(table["filter"])
            except FilterError as error:
                problems.append((KEY + ("filter",), str(error)))
        try:
            area = Area.from_table(table)
        except AreaError as error:
            problems.append((KEY + ("polygon" if "polygon" in table else "geojson",), str(error)))
        if problems:
            raise InterventionError(problems)
        return cls(
            ids=tuple(table.get("ids", ())),
            names=tuple(table.get("names", ())),
            filter=filter_,
            area=area,
            require_match=table.get("require_match", True),
        )

    def buildings(self, twin: Twin) -> np.ndarray:
        """Boolean mask over ``twin.buildings``."""
        frame = twin.buildings
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        points = frame.geometry.representative_point()
        return self._mask(twin, frame, table, points, "building")

    def links(self, twin: Twin) -> np.ndarray:
        """Boolean mask over ``twin.network.links``; the filter also sees ``speed_kmh``
        (free_speed in km/h, rounded to 6 decimals so 30 km/h compares equal to 30)."""
        frame = twin.network.links
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(
            speed_kmh=np.round(frame["free_speed"].to_numpy(dtype=np.float64) * KMH_PER_MS, 6)
        )
        midpoints = gpd.GeoSeries(
            shapely.line_interpolate_point(frame.geometry.values, 0.5, normalized=True)
        )
        return self._mask(twin, frame, table, midpoints, "link")

    def _mask(
        self,
        twin: Twin,
        frame: gpd.GeoDataFrame,
        table: pd.DataFrame,
        points: gpd.GeoSeries,
        what: str,
    ) -> np.ndarray:
        problems: list[tuple[KeyPath, str]] = []
        mask = np.ones(len(frame), dtype=bool)
        if self.ids:
            known = frame["id"].astype(str).to_numpy()
            present = set(known)
            missing = [k for k, i in enumerate(self.ids) if i not in present]
            if missing:
                listed = ", ".join(repr(self.ids[k]) for k in missing[:SHOWN])
                more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
                problems.append(
                    (
                        KEY + ("ids", missing[0]),
                        f"{len(missing)} {what} id(s) not in the twin: {listed}{more}",
                    )
                )
            mask &= np.isin(known, np.asarray(self.ids, dtype=object))
        if self.names:
            names = (
                frame["name"].astype(object).where(frame["name"].notna(), "").astype(str).to_numpy()
            )
            present_names = set(names)
            for k, name in enumerate(self.names):
                if name not in present_names:
                    close = difflib.get_close_matches(name, sorted(present_names - {""}), n=3)
                    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                    problems.append((KEY + ("names", k), f"no link is named {name!r}{hint}"))
            mask &= np.isin(names, np.asarray(self.names, dtype=object))
        if self.filter is not None:
            try:
                mask &= self.filter.mask(table)
            except FilterError as error:
                problems.append((KEY + ("filter",), str(error)))
        if self.area is not None:
            try:
                polygon = self.area.in_twin(twin)
                mask &= shapely.contains_xy(polygon, points.x.to_numpy(), points.y.to_numpy())
            except AreaError as error:
                problems.append((KEY + (self.area.key,), str(error)))
        if not problems and self.require_match and not mask.any():
            problems.append((KEY, f"selects no {what} (set require_match = false to allow that)"))
        if problems:
            raise InterventionError(problems)
        return mask
