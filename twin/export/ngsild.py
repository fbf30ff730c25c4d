"""NGSI-LD / Smart Data Models out, through ``twin.feeds.smartdatamodels``: the twin's buildings
(Building) and links (RoadSegment) and, from a results file with mobility, the simulated link
flows (TrafficFlowObserved) of every bin or of the bin at a given time, as one JSON-LD array of
key-values entities."""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.errors import InputError
from twin.export.source import ExportSource
from twin.feeds.smartdatamodels import building_entities, flow_entities, road_segment_entities
from twin.runs.observed import bin_start_utc

SECONDS_PER_DAY = 86400.0


def bin_at(bin_start: np.ndarray, bin_width: float, clock: str) -> int:
    """The bin holding local clock time ``clock`` (``HH:MM``) on the run's clock (s after local
    midnight); InputError naming ``--time`` when it reads not or no bin holds it."""
    try:
        hours, minutes = (int(part) for part in clock.split(":"))
        if not (0 <= hours < 48 and 0 <= minutes < 60):
            raise ValueError(clock)
    except ValueError:
        raise InputError(None, "--time", f"expected HH:MM on the run's clock, got {clock!r}"
                         ) from None
    seconds = hours * 3600.0 + minutes * 60.0
    holding = np.flatnonzero((bin_start <= seconds) & (seconds < bin_start + bin_width))
    if not len(holding):
        first, last = bin_start.min(), bin_start.max() + bin_width
        raise InputError(None, "--time", f"{clock} is outside the run's bins "
                                         f"({_clock(first)} to {_clock(last)})")
    return int(holding[0])


def entities(source: ExportSource, clock: str | None = None) -> list[dict[str, Any]]:
    """The source's entities: Building and RoadSegment of the twin, TrafficFlowObserved of the
    run's flows (all bins, or the one holding ``clock``) when it is a results file with
    mobility."""
    twin = source.twin
    out = building_entities(twin) + road_segment_entities(twin)
    results, scenario = source.results, source.scenario
    mobility = results.mobility if results is not None else None
    if clock is not None and mobility is None:
        raise InputError(None, "--time", "only a results file with mobility has time steps")
    if mobility is None or scenario is None or scenario.period is None:
        return out
    bins = slice(None)
    if clock is not None:
        chosen = bin_at(mobility.bin_start, mobility.bin_width, clock)
        bins = slice(chosen, chosen + 1)
    starts = bin_start_utc(mobility, scenario.period)[bins]
    known = set(twin.network.links["id"].astype(str))
    ids = [str(i) for i in mobility.links["id"]]
    columns = [j for j, i in enumerate(ids) if i in known]
    speed = mobility.series.get("speed")
    out += flow_entities(twin, [ids[j] for j in columns], starts.to_pydatetime(),
                         mobility.bin_width, mobility.series["outflow"][bins][:, columns],
                         speed[bins][:, columns] if speed is not None else None,
                         scenario=results.title if results is not None else "base")
    return out


def _clock(seconds: float) -> str:
    seconds %= SECONDS_PER_DAY
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"
