"""Live feeds into the twin (MQTT, NGSI-LD, OGC SensorThings, recorded replays) and the twin out as
NGSI-LD Smart Data Models entities.

Every feed has the same interface (``connect``, ``subscribe``, ``poll``, ``close``, see
``twin.feeds.base.Feed``) and yields ``Observation``s; ``twin.feeds.ingest`` maps them to twin
objects and ``twin.feeds.archive`` appends them to the twin's ``timeseries.h5``.

The names below are the public API: run feeds from a feeds file (``load_config``, ``listen``),
read and append the stored observations (``twin.feeds.archive``), compare them with
simulations (``twin.feeds.observed_weather``, ``twin.feeds.count_comparison``), and exchange Smart Data Models entities. Each is imported
from its module at its first use, so importing the package loads no MQTT or HTTP client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twin.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from twin.feeds.archive import AppendResult, append_observations, list_series, read_series
    from twin.feeds.base import Feed, FeedStats, Observation
    from twin.feeds.config import FeedSpec, ListenConfig, load_config
    from twin.feeds.count_comparison import compare_counts, demand_scale, geh
    from twin.feeds.http import FeedError
    from twin.feeds.observed_weather import observed_weather
    from twin.feeds.runner import ListenReport, listen
    from twin.feeds.smartdatamodels import (
        building_entities,
        buildings_from_entities,
        flow_entities,
        normalized,
        read_entities,
        road_segment_entities,
        sensors_from_devices,
        validation_errors,
    )

_HOMES = {
    "AppendResult": "archive",
    "append_observations": "archive",
    "list_series": "archive",
    "read_series": "archive",
    "Feed": "base",
    "FeedStats": "base",
    "Observation": "base",
    "FeedSpec": "config",
    "ListenConfig": "config",
    "load_config": "config",
    "FeedError": "http",
    "compare_counts": "count_comparison",
    "demand_scale": "count_comparison",
    "geh": "count_comparison",
    "observed_weather": "observed_weather",
    "ListenReport": "runner",
    "listen": "runner",
    "building_entities": "smartdatamodels",
    "buildings_from_entities": "smartdatamodels",
    "flow_entities": "smartdatamodels",
    "normalized": "smartdatamodels",
    "read_entities": "smartdatamodels",
    "road_segment_entities": "smartdatamodels",
    "sensors_from_devices": "smartdatamodels",
    "validation_errors": "smartdatamodels",
}

__all__ = [
    "AppendResult",
    "Feed",
    "FeedError",
    "FeedSpec",
    "FeedStats",
    "ListenConfig",
    "ListenReport",
    "Observation",
    "append_observations",
    "building_entities",
    "buildings_from_entities",
    "compare_counts",
    "demand_scale",
    "flow_entities",
    "geh",
    "listen",
    "list_series",
    "load_config",
    "normalized",
    "observed_weather",
    "read_entities",
    "read_series",
    "road_segment_entities",
    "sensors_from_devices",
    "validation_errors",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)
