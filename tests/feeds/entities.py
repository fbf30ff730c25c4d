"""Test entities built from the official Smart Data Models examples in ``../shared/data``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

LINK_LON_LAT = (24.9494811097205, 60.167518482926894)
"""The middle of Helsinki link ``4243036:1:b``."""


def example(sdm: Path, subject: str, kind: str, normalized: bool = True) -> dict:
    name = "example-normalized.jsonld" if normalized else "example.jsonld"
    return json.loads((sdm / f"dataModel.{subject}" / kind / name).read_text())


def traffic(sdm: Path, sensor: str, time: str, intensity: float, lon_lat=LINK_LON_LAT) -> dict:
    """The TrafficFlowObserved example, re-identified, re-timed and moved to (lon, lat)."""
    entity = copy.deepcopy(example(sdm, "Transportation", "TrafficFlowObserved"))
    entity["id"] = f"urn:ngsi-ld:TrafficFlowObserved:{sensor}"
    entity["dateObserved"]["value"]["@value"] = time
    entity["dateObservedTo"]["value"]["@value"] = time
    entity["intensity"]["value"] = intensity
    entity["location"]["value"] = {"type": "Point", "coordinates": list(lon_lat)}
    return entity
